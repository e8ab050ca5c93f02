package service_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
	"github.com/anxin-insure/anxin/vault"
)

// selfFixture is self-service over a real database with the outbox driver
// and a log written to a buffer, so tests can read both.
type selfFixture struct {
	t      *testing.T
	svc    *service.Service
	self   *service.SelfService
	outbox string
	logs   *syncBuffer
	now    atomic.Int64
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var selfT0 = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

func newSelfFixture(t *testing.T, db *store.DB) *selfFixture {
	f := &selfFixture{t: t, outbox: filepath.Join(t.TempDir(), "sms.jsonl"), logs: &syncBuffer{}}
	f.now.Store(selfT0.UnixNano())
	db.Now = func() time.Time { return time.Unix(0, f.now.Load()).UTC() }
	f.svc = service.New(db, slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), nil)
	f.self = service.NewSelfService(f.svc, &notify.Outbox{Path: f.outbox})
	return f
}

func (f *selfFixture) advance(d time.Duration) { f.now.Add(int64(d)) }

func (f *selfFixture) customer(name, id string, mobiles ...string) *anxin.Customer {
	f.t.Helper()
	c := &anxin.Customer{Name: name, IDNumber: id, Mobiles: mobiles, Email: "old@example.cn", Address: "上海市浦东新区世纪大道 100 号",
		Consents: []anxin.Consent{{Purpose: "service_contact", Granted: true, Channel: "counter"}, {Purpose: "marketing", Granted: true, Channel: "app"}}}
	if err := f.svc.CreateCustomer(context.Background(), anxin.SystemActor("test"), c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

var codeRe = regexp.MustCompile(`\d{6}`)

// lastCode waits for the background sends and returns the code in the
// newest message to mobile.
func (f *selfFixture) lastCode(mobile string) string {
	f.t.Helper()
	f.self.Wait()
	msgs, err := notify.ReadOutbox(f.outbox)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Mobile == mobile {
			return codeRe.FindString(msgs[i].Text)
		}
	}
	f.t.Fatalf("no message to %s", mobile)
	return ""
}

func (f *selfFixture) signIn(mobile string) *service.CustomerLogin {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.self.RequestLoginCode(ctx, mobile, "198.51.100.1"); err != nil {
		f.t.Fatal(err)
	}
	res, err := f.self.Login(ctx, mobile, f.lastCode(mobile), "198.51.100.1", "test")
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// A code sent once signs in once, even when two nodes receive it at the
// same moment.
func TestSelfCodeUsedOnceAcrossNodes(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, engine)
			keys := vault.NewForTest()
			var nodes []*selfFixture
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
				nodes = append(nodes, newSelfFixture(t, db))
			}
			if _, err := nodes[0].svc.DB.CheckKeys(ctx); err != nil {
				t.Fatal(err)
			}
			nodes[0].customer("周杰", "11010519491231002X", "13800138000")
			if _, err := nodes[0].self.RequestLoginCode(ctx, "13800138000", "198.51.100.1"); err != nil {
				t.Fatal(err)
			}
			code := nodes[0].lastCode("13800138000")
			var ok, refused atomic.Int32
			var wg sync.WaitGroup
			for i := range 8 {
				node := nodes[i%2]
				wg.Go(func() {
					_, err := node.self.Login(ctx, "13800138000", code, "198.51.100.2", "test")
					switch anxin.ErrorCode(err) {
					case "":
						ok.Add(1)
					case anxin.EUnauthorized, anxin.ERateLimited:
						refused.Add(1)
					default:
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if ok.Load() != 1 || refused.Load() != 7 {
				t.Fatalf("%d sign-ins and %d refusals with one code, want 1 and 7", ok.Load(), refused.Load())
			}
		})
	}
}

// Every sensitive step is audited in its own transaction, with personal
// data masked; neither the audit log, the log nor the database holds a
// code or a full number.
func TestSelfAuditAndSecrecy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newSelfFixture(t, db)
		c := f.customer("周杰", "11010519491231002X", "13800138000", "13912345678")

		// Five wrong codes lock the mobile.
		if _, err := f.self.RequestLoginCode(ctx, "13800138000", "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
		code := f.lastCode("13800138000")
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 1; i <= service.CodeLockAfter; i++ {
			_, err := f.self.Login(ctx, "13800138000", wrong, "198.51.100.1", "test")
			want := anxin.EUnauthorized
			if i == service.CodeLockAfter {
				want = anxin.ERateLimited
			}
			if anxin.ErrorCode(err) != want {
				t.Fatalf("wrong code %d: %v, want %s", i, err, want)
			}
		}
		if _, err := f.self.Login(ctx, "13800138000", code, "198.51.100.1", "test"); anxin.ErrorCode(err) != anxin.ERateLimited {
			t.Fatalf("the right code while locked: %v", err)
		} else if secs, ok := service.RetryAfter(err); !ok || secs != int(service.CodeLockDuration/time.Second) {
			t.Fatalf("Retry-After %d %v, want the lock's %v", secs, ok, service.CodeLockDuration)
		}
		f.advance(service.CodeLockDuration)
		res := f.signIn("13800138000")
		if res.CustomerID != c.ID {
			t.Fatalf("signed in as %s", res.CustomerID)
		}
		actor := service.CustomerActor(c.ID)

		if _, err := f.self.UpdateContact(ctx, actor, "new.mail@example.cn", "北京市朝阳区建国路 1 号"); err != nil {
			t.Fatal(err)
		}
		f.advance(time.Minute)
		if _, err := f.self.RequestMobileCode(ctx, actor, "13700001111", "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
		newCode := f.lastCode("13700001111")
		p, err := f.self.ChangeMobile(ctx, actor, "13700001111", newCode)
		if err != nil {
			t.Fatal(err)
		}
		// The new number replaces the primary one; the others stay.
		if strings.Join(p.Mobiles, ",") != "13700001111,13912345678" {
			t.Fatalf("mobiles after the change: %v", p.Mobiles)
		}
		if _, err := f.self.WithdrawConsent(ctx, actor, "marketing"); err != nil {
			t.Fatal(err)
		}

		recs, err := db.FindAudit(ctx, store.AuditFilter{ObjectID: c.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, r := range recs {
			if r.Action == "create" {
				continue // the fixture's, by the system
			}
			actions[r.Action]++
			if r.ActorKind != "customer" || r.ActorID != c.ID || r.Channel != service.SelfChannel {
				t.Errorf("%s: actor %s %s via %s", r.Action, r.ActorKind, r.ActorID, r.Channel)
			}
		}
		for action, n := range map[string]int{"sign_in_failed": 5, "lock": 1, "sign_in": 1, "update": 1, "change_mobile": 1, "withdraw_consent": 1} {
			if actions[action] != n {
				t.Errorf("%d %q records, want %d (all: %v)", actions[action], action, n, actions)
			}
		}

		// Nothing holds a code or a full number or address in the clear.
		secrets := []string{code, newCode, "13800138000", "13700001111", "new.mail@example.cn", "建国路"}
		var audit strings.Builder
		for _, r := range recs {
			audit.WriteString(r.Detail)
			for k, v := range r.Changes {
				audit.WriteString(k)
				for _, x := range v {
					if s, ok := x.(string); ok {
						audit.WriteString(s)
					}
				}
			}
		}
		for _, s := range secrets {
			if strings.Contains(audit.String(), s) {
				t.Errorf("the audit log holds %q", s)
			}
			if strings.Contains(f.logs.String(), s) {
				t.Errorf("the log holds %q", s)
			}
		}
		rows, err := db.Reader().QueryContext(ctx, `SELECT id, mobile_idx, code_hash FROM self_codes`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id, idx, hash string
			if err := rows.Scan(&id, &idx, &hash); err != nil {
				t.Fatal(err)
			}
			n++
			for _, s := range secrets[:4] {
				if strings.Contains(idx+hash, s) {
					t.Errorf("self_codes row %s holds %q", id, s)
				}
			}
		}
		if n == 0 {
			t.Error("no codes stored")
		}

		// A day on, the periodic cleanup leaves no code, no rate-limit
		// entry and no session behind.
		f.advance(25 * time.Hour)
		if err := f.svc.CleanupSelfService(ctx); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"self_codes", "self_rate_events", "self_rate_buckets", "self_locks", "customer_sessions"} {
			var left int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&left); err != nil || left != 0 {
				t.Errorf("%s: %d rows left (%v)", table, left, err)
			}
		}
	})
}

// A customer acts only on their own record; staff actors get nothing here.
func TestSelfNeedsACustomer(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newSelfFixture(t, db)
	ctx := context.Background()
	staff := anxin.Actor{Kind: "staff", ID: "s-1", Role: anxin.RoleAdmin, Channel: "console"}
	if _, err := f.self.Profile(ctx, staff); anxin.ErrorCode(err) != anxin.EUnauthorized {
		t.Fatalf("staff actor: %v", err)
	}
	if _, err := f.self.Policies(ctx, anxin.SystemActor("test")); anxin.ErrorCode(err) != anxin.EUnauthorized {
		t.Fatalf("system actor: %v", err)
	}
	if service.CustomerActor("c-1").Can(anxin.PermCustomerRead) {
		t.Fatal("a customer actor holds a staff permission")
	}
	for _, code := range []string{"", "12345", "1234567", "12a456", "１２３４５６"} {
		if _, err := f.self.Login(ctx, "13800138000", code, "198.51.100.1", "test"); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Errorf("code %q: %v, want a validation error", code, err)
		}
	}
}
