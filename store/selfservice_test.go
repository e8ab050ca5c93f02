package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
	"github.com/anxin-insure/anxin/vault"
)

// clock is a test clock that handlers on other goroutines may read.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Add(d time.Duration)     { c.ns.Add(int64(d)) }
func (c *clock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) Since(t time.Time) int64 { return c.ns.Load() - t.UnixNano() }

func takeRate(t *testing.T, db *store.DB, rules ...store.RateRule) time.Duration {
	t.Helper()
	var wait time.Duration
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		wait, err = tx.TakeRate(context.Background(), rules...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return wait
}

// The sliding log allows each limit's Max in any Window and says exactly
// when the next request fits; a refusal counts nowhere.
func TestSelfRateLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock(t0)
		db.Now = clk.Now
		mobile := store.RateRule{Bucket: "code:mobile:x", Limits: []store.RateLimit{{Max: 1, Window: time.Minute}, {Max: 5, Window: time.Hour}}}
		ip := store.RateRule{Bucket: "code:ip:y", Limits: []store.RateLimit{{Max: 3, Window: time.Hour}}}

		if w := takeRate(t, db, mobile); w != 0 {
			t.Fatalf("first request waits %v", w)
		}
		clk.Add(10 * time.Second)
		if w := takeRate(t, db, mobile); w != 50*time.Second {
			t.Fatalf("second request within the minute: wait %v, want 50s", w)
		}
		// Refused requests do not count: asking again and again does not
		// push the next allowed moment back.
		clk.Add(49 * time.Second)
		if w := takeRate(t, db, mobile); w != time.Second {
			t.Fatalf("wait %v, want 1s", w)
		}
		clk.Add(time.Second)
		for i := 2; i <= 5; i++ {
			if w := takeRate(t, db, mobile); w != 0 {
				t.Fatalf("request %d: wait %v", i, w)
			}
			clk.Add(time.Minute)
		}
		// Five in the hour since t0: the sixth waits until the first
		// leaves the window, at t0+1h.
		if w := takeRate(t, db, mobile); w != time.Hour-clkOffset(clk) {
			t.Fatalf("sixth in the hour: wait %v, want %v", w, time.Hour-clkOffset(clk))
		}
		clk.Set(t0.Add(time.Hour))
		if w := takeRate(t, db, mobile); w != 0 {
			t.Fatalf("after the hour: wait %v", w)
		}

		// Several rules: all must allow; a refusal by one counts in none.
		clk.Set(t0.Add(3 * time.Hour))
		other := store.RateRule{Bucket: "code:mobile:z", Limits: mobile.Limits}
		for range 3 {
			if w := takeRate(t, db, ip); w != 0 {
				t.Fatal("ip bucket full too early")
			}
		}
		if w := takeRate(t, db, other, ip); w != time.Hour {
			t.Fatalf("ip full: wait %v, want 1h", w)
		}
		if w := takeRate(t, db, other); w != 0 {
			t.Fatalf("the refused request counted against the mobile: wait %v", w)
		}
	})
}

func clkOffset(c *clock) time.Duration { return time.Duration(c.Since(t0)) }

// Two nodes (two handles on one database) share the limit exactly: of many
// simultaneous requests against a 1-per-minute bucket, one is allowed.
func TestSelfRateLimitAcrossNodes(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			keys := vault.NewForTest()
			var nodes []*store.DB
			for range 2 {
				db, err := store.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				db.Vault = keys
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				db.Now = func() time.Time { return t0 }
				nodes = append(nodes, db)
			}
			rule := store.RateRule{Bucket: "code:mobile:race", Limits: []store.RateLimit{{Max: 1, Window: time.Minute}}}
			var allowed atomic.Int32
			var wg sync.WaitGroup
			for i := range 12 {
				db := nodes[i%2]
				wg.Go(func() {
					err := db.InTx(ctx, func(tx *store.Tx) error {
						w, err := tx.TakeRate(ctx, rule)
						if err == nil && w == 0 {
							allowed.Add(1)
						}
						return err
					})
					if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := allowed.Load(); n != 1 {
				t.Fatalf("%d requests allowed, want 1", n)
			}
		})
	}
}

func newCode(id, purpose, customerID string, expires time.Time) *store.SelfCode {
	return &store.SelfCode{ID: id, Purpose: purpose, CustomerID: customerID, CodeHash: "hash-" + id, ExpiresAt: expires}
}

// Only the newest code of a mobile works, once, until it expires; sign-in
// and mobile-change codes do not mix.
func TestSelfCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(t0)
		db.Now = clk.Now
		in := func(fn func(tx *store.Tx) error) {
			t.Helper()
			if err := db.InTx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		live := func(purpose, mobile, customer string) string {
			t.Helper()
			var id string
			in(func(tx *store.Tx) error {
				c, err := tx.LiveSelfCode(ctx, purpose, mobile, customer)
				if anxin.ErrorCode(err) == anxin.ENotFound {
					return nil
				}
				if err == nil {
					id = c.ID
				}
				return err
			})
			return id
		}
		in(func(tx *store.Tx) error {
			return tx.CreateSelfCode(ctx, newCode("a", store.CodeLogin, "", t0.Add(5*time.Minute)), "13800138000")
		})
		if got := live(store.CodeLogin, "+86 138-0013-8000", ""); got != "a" {
			t.Fatalf("live code %q, want a (the mobile is matched in any spelling)", got)
		}
		if got := live(store.CodeMobile, "13800138000", ""); got != "" {
			t.Fatalf("a sign-in code served as a mobile-change code: %q", got)
		}
		clk.Add(time.Minute)
		in(func(tx *store.Tx) error {
			return tx.CreateSelfCode(ctx, newCode("b", store.CodeLogin, "", clk.Now().Add(5*time.Minute)), "13800138000")
		})
		if got := live(store.CodeLogin, "13800138000", ""); got != "b" {
			t.Fatalf("after a new code, live is %q, want b", got)
		}
		var first, second bool
		in(func(tx *store.Tx) error {
			var err error
			if first, err = tx.UseSelfCode(ctx, "b"); err != nil {
				return err
			}
			second, err = tx.UseSelfCode(ctx, "b")
			return err
		})
		if !first || second {
			t.Fatalf("use: %v then %v, want true then false", first, second)
		}
		if got := live(store.CodeLogin, "13800138000", ""); got != "" {
			t.Fatalf("a used code is live: %q", got)
		}

		in(func(tx *store.Tx) error {
			return tx.CreateSelfCode(ctx, newCode("c", store.CodeMobile, "cust-1", clk.Now().Add(5*time.Minute)), "13900000000")
		})
		if live(store.CodeMobile, "13900000000", "cust-2") != "" || live(store.CodeMobile, "13900000000", "cust-1") != "c" {
			t.Fatal("a mobile-change code must belong to the customer who asked")
		}
		clk.Add(5 * time.Minute)
		if got := live(store.CodeMobile, "13900000000", "cust-1"); got != "" {
			t.Fatalf("an expired code is live: %q", got)
		}
	})
}

func TestSelfLocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(t0)
		db.Now = clk.Now
		fail := func() time.Time {
			t.Helper()
			var until time.Time
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				until, err = tx.RecordSelfFailure(ctx, "login:x", 3, 15*time.Minute)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return until
		}
		lockedUntil := func() time.Time {
			t.Helper()
			var until time.Time
			if err := db.InTx(ctx, func(tx *store.Tx) error {
				var err error
				until, err = tx.SelfLockedUntil(ctx, "login:x")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return until
		}
		if !fail().IsZero() || !fail().IsZero() || !lockedUntil().IsZero() {
			t.Fatal("locked before the third failure")
		}
		until := fail()
		if !until.Equal(t0.Add(15*time.Minute)) || !lockedUntil().Equal(until) {
			t.Fatalf("third failure: until %v, locked %v", until, lockedUntil())
		}
		clk.Add(15 * time.Minute)
		if !lockedUntil().IsZero() {
			t.Fatal("still locked after the lock ended")
		}
		// The count started afresh at the lock; a success clears it.
		if !fail().IsZero() {
			t.Fatal("locked again at once")
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.ClearSelfFailures(ctx, "login:x") }); err != nil {
			t.Fatal(err)
		}
		if !fail().IsZero() || !fail().IsZero() {
			t.Fatal("the cleared count was remembered")
		}
	})
}

// A session ends when unused for the idle limit or at its absolute expiry,
// whichever comes first; touching it records use at most once a minute.
func TestCustomerSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(t0)
		db.Now = clk.Now
		c := testCustomer("11010519491231002X", "13800138000")
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			return tx.CreateCustomerSession(ctx, &store.CustomerSession{TokenHash: "h1", CustomerID: c.ID, CSRFToken: "csrf", ExpiresAt: t0.Add(time.Hour)}, "10.0.0.1", "test")
		}); err != nil {
			t.Fatal(err)
		}
		const idle = 30 * time.Minute
		live := func() bool {
			t.Helper()
			s, err := db.CustomerSessionByHash(ctx, "h1", clk.Now(), idle)
			if anxin.ErrorCode(err) == anxin.ENotFound {
				return false
			} else if err != nil {
				t.Fatal(err)
			}
			if s.CustomerID != c.ID || s.CSRFToken != "csrf" {
				t.Fatalf("session %+v", s)
			}
			return true
		}
		touch := func() {
			t.Helper()
			if err := db.TouchCustomerSession(ctx, "h1", clk.Now(), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if !live() {
			t.Fatal("new session not live")
		}
		clk.Add(25 * time.Minute)
		touch()
		clk.Add(25 * time.Minute) // 50 min in, 25 since use
		if !live() {
			t.Fatal("a session used 25 minutes ago ended")
		}
		touch()
		clk.Add(idle)
		if live() {
			t.Fatal("a session unused for the idle limit is live")
		}
		clk.Set(t0.Add(55 * time.Minute))
		touch()
		clk.Set(t0.Add(time.Hour))
		if live() {
			t.Fatal("a session past its absolute expiry is live")
		}
		n, err := purge(db)
		if err != nil || n < 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
	})
}

func purge(db *store.DB) (int64, error) {
	var n int64
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		n, err = tx.PurgeSelfService(context.Background(), time.Hour, 30*time.Minute)
		return err
	})
	return n, err
}

// A mobile shared by several customers signs in as the one whose primary
// (first) mobile it is; among equals, the earliest created.
func TestSignInCustomerID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(t0)
		db.Now = clk.Now
		older := testCustomer("11010519491231002X", "13700000000")
		older.Mobiles = append(older.Mobiles, "13800138000")
		newer := testCustomer("440305199001011221", "13800138000")
		newer.Gender, newer.BirthDate = anxin.Female, anxin.MustDate("1990-01-01")
		for _, c := range []*anxin.Customer{older, newer} {
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateCustomer(ctx, c) }); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Second)
		}
		if id, err := db.SignInCustomerID(ctx, nil, "13800138000"); err != nil || id != newer.ID {
			t.Fatalf("shared mobile signs in as %q (%v), want the one listing it first", id, err)
		}
		if id, err := db.SignInCustomerID(ctx, nil, "13700000000"); err != nil || id != older.ID {
			t.Fatalf("%q %v", id, err)
		}
		if _, err := db.SignInCustomerID(ctx, nil, "13600000000"); anxin.ErrorCode(err) != anxin.ENotFound {
			t.Fatalf("unknown mobile: %v", err)
		}
		// Both primary: the earliest created.
		older.Mobiles = []string{"13800138000"}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateCustomer(ctx, older, older.Version) }); err != nil {
			t.Fatal(err)
		}
		if id, _ := db.SignInCustomerID(ctx, nil, "13800138000"); id != older.ID {
			t.Fatalf("two primaries: %q, want the earliest", id)
		}
	})
}

// Purging drops what no request path needs any more and keeps the rest.
func TestPurgeSelfService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(t0)
		db.Now = clk.Now
		rule := store.RateRule{Bucket: "b", Limits: []store.RateLimit{{Max: 1, Window: time.Hour}}}
		takeRate(t, db, rule)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSelfCode(ctx, newCode("old", store.CodeLogin, "", t0.Add(5*time.Minute)), "13800138000"); err != nil {
				return err
			}
			_, err := tx.RecordSelfFailure(ctx, "login:x", 5, time.Minute)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := purge(db); err != nil || n != 0 {
			t.Fatalf("fresh rows purged: %d %v", n, err)
		}
		clk.Add(25 * time.Hour)
		// The bucket row, its event, the code and the lock row.
		if n, err := purge(db); err != nil || n != 4 {
			t.Fatalf("purged %d rows (%v), want 4", n, err)
		}
		if w := takeRate(t, db, rule); w != 0 {
			t.Fatalf("after the purge: wait %v", w)
		}
	})
}
