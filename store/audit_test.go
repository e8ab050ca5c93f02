package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// auditRec is a record as a service would pass it.
func auditRec(objectType, objectID, action string) *store.AuditRecord {
	return &store.AuditRecord{ActorKind: "staff", ActorID: "s-1", ActorName: "li.na", ActorRole: "csr", Channel: "console",
		IP: "10.0.0.8", RequestID: "req-" + objectID, ObjectType: objectType, ObjectID: objectID, Action: action,
		Changes: map[string][2]any{"mobile": {"138****1234", "139****5678"}, "tier": {"silver", "gold"}}, Detail: "测试"}
}

// auditAppend appends rs in one transaction.
func auditAppend(t testing.TB, db *store.DB, rs ...*store.AuditRecord) {
	t.Helper()
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return tx.AppendAudits(context.Background(), rs) }); err != nil {
		t.Fatal(err)
	}
}

// auditVerify runs VerifyAudit and fails the test on an error.
func auditVerify(t testing.TB, db *store.DB) store.VerifyResult {
	t.Helper()
	res, err := db.VerifyAudit(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// auditExec runs SQL behind the store's back, as someone with database
// access would.
func auditExec(t testing.TB, db *store.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Writer().ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

type auditHead struct {
	seq    int64
	hash   string
	lastID string
}

func auditHeadOf(t testing.TB, db *store.DB, chain int) auditHead {
	t.Helper()
	var h auditHead
	ctx := context.Background()
	if err := db.Reader().QueryRowContext(ctx, `SELECT seq, hash FROM audit_chains WHERE chain = $1`, chain).Scan(&h.seq, &h.hash); err != nil {
		t.Fatal(err)
	}
	if h.seq > 0 {
		if err := db.Reader().QueryRowContext(ctx, `SELECT id FROM audit_log WHERE chain = $1 AND seq = $2`, chain, h.seq).Scan(&h.lastID); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestAuditConcurrentAppends(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const writers, each = 8, 200
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					// Every writer also writes to one shared object, so
					// that on PostgreSQL writers meet on the same chain
					// as well as run side by side on different ones.
					id := fmt.Sprintf("c-%d-%d", w, i%20)
					if i%10 == 0 {
						id = "shared"
					}
					r := auditRec("customer", id, "update")
					r.Detail = strconv.Itoa(w) + "/" + strconv.Itoa(i)
					if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, r) }); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		res := auditVerify(t, db)
		if !res.OK || res.Records != writers*each || res.Chains != store.AuditChains {
			t.Fatalf("verify: %+v %v", res, res.Broken)
		}
		// One object's history is one chain. (Its seq order is the order
		// the writers committed in; At is when each transaction began, so
		// on PostgreSQL two concurrent writers may commit out of At order.)
		shared, err := db.FindAudit(ctx, store.AuditFilter{ObjectType: "customer", ObjectID: "shared", Limit: 500})
		if err != nil || len(shared) != writers*each/10 {
			t.Fatalf("shared object: %d records, %v", len(shared), err)
		}
		seqs := map[int64]bool{}
		for _, r := range shared {
			if r.Chain != shared[0].Chain || seqs[r.Seq] {
				t.Fatalf("shared object's history is not one chain: %d/%d", r.Chain, r.Seq)
			}
			seqs[r.Seq] = true
		}
	})
}

// Transactions that audit two objects in opposite orders take the chains
// in the same (ascending) order, so on PostgreSQL they cannot deadlock.
func TestAuditSeveralObjectsPerTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var a, b string
		for i := 0; b == ""; i++ {
			id := "p-" + strconv.Itoa(i)
			switch {
			case a == "":
				a = id
			case store.AuditChainOf("policy", id) != store.AuditChainOf("policy", a):
				b = id
			}
		}
		var wg sync.WaitGroup
		var failed atomic.Int32
		for w := range 6 {
			wg.Go(func() {
				for range 30 {
					first, second := a, b
					if w%2 == 1 {
						first, second = b, a
					}
					rs := []*store.AuditRecord{auditRec("policy", first, "update"), auditRec("policy", second, "update"), auditRec("policy", first, "unmask")}
					if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudits(ctx, rs) }); err != nil {
						t.Error(err)
						failed.Add(1)
						return
					}
					// Records of one object keep the order they were given in.
					if rs[2].Seq != rs[0].Seq+1 {
						t.Errorf("same object, same transaction: seq %d then %d", rs[0].Seq, rs[2].Seq)
					}
				}
			})
		}
		wg.Wait()
		if failed.Load() > 0 {
			t.FailNow()
		}
		if res := auditVerify(t, db); !res.OK || res.Records != 6*30*3 {
			t.Fatalf("verify: %+v %v", res, res.Broken)
		}
	})
}

func TestAuditRollbackLeavesNoTrace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		auditAppend(t, db, auditRec("customer", "c1", "create"))
		chain := store.AuditChainOf("customer", "c1")
		before := auditHeadOf(t, db, chain)
		boom := errors.New("the change failed after auditing it")
		lost := auditRec("customer", "c1", "update")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.AppendAudit(ctx, lost); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx: %v", err)
		}
		if after := auditHeadOf(t, db, chain); after != before {
			t.Fatalf("head moved by a rolled-back append: %+v → %+v", before, after)
		}
		if found, _ := db.FindAudit(ctx, store.AuditFilter{ObjectID: "c1"}); len(found) != 1 {
			t.Fatalf("records of c1: %d, want 1", len(found))
		}
		// The next append takes the seq the rolled-back one had: no gap.
		next := auditRec("customer", "c1", "update")
		auditAppend(t, db, next)
		if next.Seq != before.seq+1 || next.PrevHash != before.hash {
			t.Fatalf("after a rollback: seq %d prev %s, want %d %s", next.Seq, next.PrevHash, before.seq+1, before.hash)
		}
		if res := auditVerify(t, db); !res.OK || res.Records != 2 {
			t.Fatalf("verify: %+v %v", res, res.Broken)
		}
	})
}

func TestAuditRecordRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 2, 0, 0, 123456000, time.UTC)
		db.Now = func() time.Time { return now }
		r := auditRec("policy", "P2026HLT000123", "update")
		r.Changes = map[string][2]any{"premium": {int64(123450), int64(9007199254740993)}, "beneficiary": {nil, "张**"}}
		auditAppend(t, db, r)
		if r.ID == "" || !r.At.Equal(now) || r.Chain != store.AuditChainOf("policy", "P2026HLT000123") || r.Seq != 1 || len(r.Hash) != 64 {
			t.Fatalf("appended: %+v", r)
		}
		got, err := db.FindAudit(ctx, store.AuditFilter{ObjectID: "P2026HLT000123"})
		if err != nil || len(got) != 1 {
			t.Fatalf("find: %v %v", got, err)
		}
		g := got[0]
		if g.ID != r.ID || !g.At.Equal(now) || g.At.Location() != time.UTC || g.ActorName != "li.na" || g.IP != "10.0.0.8" || g.Detail != "测试" || g.Hash != r.Hash {
			t.Fatalf("round trip: %+v", g)
		}
		// Numbers come back exact, not as float64.
		if g.Changes["premium"][1] != json.Number("9007199254740993") || g.Changes["beneficiary"][0] != nil || g.Changes["beneficiary"][1] != "张**" {
			t.Fatalf("changes: %#v", g.Changes)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, &store.AuditRecord{ActorKind: "robot", ObjectType: "customer", Action: "create"})
		})
		if anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("unknown actor kind: %v", err)
		}
	})
}

func TestAuditFind(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		var tick atomic.Int64
		db.Now = func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Hour) }
		// 30 transactions an hour apart; the odd ones audit two objects
		// at the same instant, so paging must break ties by id.
		for i := range 30 {
			r := auditRec("customer", "c"+strconv.Itoa(i%3), "update")
			if i%5 == 0 {
				r.ActorID, r.ActorName, r.Action = "s-2", "Wang.Fang", "unmask"
			}
			rs := []*store.AuditRecord{r}
			if i%2 == 1 {
				rs = append(rs, auditRec("policy", "P"+strconv.Itoa(i), "create"))
			}
			auditAppend(t, db, rs...)
		}
		count := func(f store.AuditFilter) int {
			t.Helper()
			f.Limit = 500
			got, err := db.FindAudit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(got); i++ {
				if got[i].At.After(got[i-1].At) {
					t.Fatalf("%+v: not newest first", f)
				}
			}
			return len(got)
		}
		for _, tc := range []struct {
			name string
			f    store.AuditFilter
			want int
		}{
			{"all", store.AuditFilter{}, 45},
			{"actor id", store.AuditFilter{Actor: "s-2"}, 6},
			{"actor name fragment, any case", store.AuditFilter{Actor: "wang"}, 6},
			{"a LIKE wildcard is literal", store.AuditFilter{Actor: "%"}, 0},
			{"object type", store.AuditFilter{ObjectType: "policy"}, 15},
			{"object", store.AuditFilter{ObjectType: "customer", ObjectID: "c1"}, 10},
			{"action", store.AuditFilter{Action: "unmask"}, 6},
			// Ticks 5..9 inclusive: [from, to).
			{"time range", store.AuditFilter{ObjectType: "customer", From: base.Add(5 * time.Hour), To: base.Add(10 * time.Hour)}, 5},
			{"time range in another zone", store.AuditFilter{ObjectType: "customer", From: base.Add(5 * time.Hour).In(time.FixedZone("CST", 8*3600))}, 26},
		} {
			if got := count(tc.f); got != tc.want {
				t.Errorf("%s: %d records, want %d", tc.name, got, tc.want)
			}
		}
		// Paging visits every record once, newest first.
		seen := map[string]bool{}
		f := store.AuditFilter{Limit: 7}
		var prev *store.AuditRecord
		for pages := 0; ; pages++ {
			page, err := db.FindAudit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				if seen[r.ID] {
					t.Fatalf("record %s on two pages", r.ID)
				}
				seen[r.ID] = true
				if prev != nil && (r.At.After(prev.At) || r.At.Equal(prev.At) && r.ID > prev.ID) {
					t.Fatalf("order: %s after %s", r.Cursor(), prev.Cursor())
				}
				prev = &r
			}
			if len(page) < f.Limit {
				break
			}
			f.Cursor = page[len(page)-1].Cursor()
		}
		if len(seen) != 45 {
			t.Fatalf("paging saw %d records, want 45", len(seen))
		}
		if _, err := db.FindAudit(ctx, store.AuditFilter{Cursor: "yesterday"}); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

// auditSeed writes 60 records about 12 objects and returns them in order.
func auditSeed(t testing.TB, db *store.DB) []*store.AuditRecord {
	t.Helper()
	var all []*store.AuditRecord
	for i := range 60 {
		r := auditRec("customer", "c"+strconv.Itoa(i%12), "update")
		auditAppend(t, db, r)
		all = append(all, r)
	}
	return all
}

// auditMiddle returns a record that has records after it in its chain, and
// the one directly after it.
func auditMiddle(t testing.TB, all []*store.AuditRecord) (mid, next *store.AuditRecord) {
	t.Helper()
	for _, a := range all {
		for _, b := range all {
			if b.Chain == a.Chain && b.Seq == a.Seq+1 && a.Seq > 1 {
				return a, b
			}
		}
	}
	t.Fatal("no chain with three records")
	return nil, nil
}

func TestAuditTamperIsFound(t *testing.T) {
	for _, tc := range []struct {
		name string
		// tamper changes the database and returns the break VerifyAudit
		// must report (Detail is not compared).
		tamper func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak
	}{
		{"edit a record's changes", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			mid, _ := auditMiddle(t, all)
			auditExec(t, db, `UPDATE audit_log SET changes = $1 WHERE id = $2`, `{"mobile":["138****1234","186****0000"]}`, mid.ID)
			return store.AuditBreak{Chain: mid.Chain, Seq: mid.Seq, ID: mid.ID, Problem: store.AuditHashMismatch}
		}},
		{"edit a record's time", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			mid, _ := auditMiddle(t, all)
			auditExec(t, db, `UPDATE audit_log SET at = $1 WHERE id = $2`, mid.At.Add(-time.Hour), mid.ID)
			return store.AuditBreak{Chain: mid.Chain, Seq: mid.Seq, ID: mid.ID, Problem: store.AuditHashMismatch}
		}},
		{"edit a record's prev_hash", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			mid, _ := auditMiddle(t, all)
			auditExec(t, db, `UPDATE audit_log SET prev_hash = $1 WHERE id = $2`, all[0].Hash, mid.ID)
			return store.AuditBreak{Chain: mid.Chain, Seq: mid.Seq, ID: mid.ID, Problem: store.AuditBrokenLink}
		}},
		{"delete a record", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			mid, next := auditMiddle(t, all)
			auditExec(t, db, `DELETE FROM audit_log WHERE id = $1`, mid.ID)
			return store.AuditBreak{Chain: mid.Chain, Seq: mid.Seq, ID: next.ID, Problem: store.AuditGap}
		}},
		{"delete a chain's last record", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			h := auditHeadOf(t, db, all[0].Chain)
			auditExec(t, db, `DELETE FROM audit_log WHERE id = $1`, h.lastID)
			return store.AuditBreak{Chain: all[0].Chain, Seq: h.seq, Problem: store.AuditHeadMismatch}
		}},
		{"insert a forged record with made-up hashes", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			c := all[0].Chain
			h := auditHeadOf(t, db, c)
			auditExec(t, db, `INSERT INTO audit_log (chain, seq, id, at, actor_kind, actor_id, object_type, object_id, action, prev_hash, hash)
				VALUES ($1, $2, 'forged', $3, 'staff', 's-9', 'customer', 'c0', 'delete', $4, $5)`, c, h.seq+1, all[0].At, h.hash, h.hash)
			return store.AuditBreak{Chain: c, Seq: h.seq + 1, ID: "forged", Problem: store.AuditHashMismatch}
		}},
		{"insert a forged record with correct hashes", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			// Someone who knows the hash scheme writes a well-formed
			// record but cannot move the head with it: append for real,
			// then put the head back in the same transaction.
			c := all[0].Chain
			h := auditHeadOf(t, db, c)
			forged := auditRec("customer", all[0].ObjectID, "delete")
			err := db.InTx(context.Background(), func(tx *store.Tx) error {
				if err := tx.AppendAudit(context.Background(), forged); err != nil {
					return err
				}
				_, err := tx.ExecContext(context.Background(), `UPDATE audit_chains SET seq = $1, hash = $2 WHERE chain = $3`, h.seq, h.hash, c)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return store.AuditBreak{Chain: c, Seq: h.seq + 1, ID: forged.ID, Problem: store.AuditHeadMismatch}
		}},
		{"insert a record outside the chains", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			auditExec(t, db, `INSERT INTO audit_log (chain, seq, id, at, actor_kind, actor_id, object_type, object_id, action, prev_hash, hash)
				VALUES (99, 1, 'stray', $1, 'staff', 's-9', 'customer', 'c0', 'delete', 'x', 'y')`, all[0].At)
			return store.AuditBreak{Chain: 99, Seq: 1, ID: "stray", Problem: store.AuditHeadMismatch}
		}},
		{"edit a chain head's hash", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			c := all[0].Chain
			h := auditHeadOf(t, db, c)
			auditExec(t, db, `UPDATE audit_chains SET hash = $1 WHERE chain = $2`, all[1].Hash, c)
			return store.AuditBreak{Chain: c, Seq: h.seq, ID: h.lastID, Problem: store.AuditHeadMismatch}
		}},
		{"move a chain head back", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			// Hides the last record from a check that trusted the head.
			mid, next := auditMiddle(t, all)
			auditExec(t, db, `UPDATE audit_chains SET seq = $1, hash = $2 WHERE chain = $3`, mid.Seq, mid.Hash, mid.Chain)
			return store.AuditBreak{Chain: mid.Chain, Seq: next.Seq, ID: next.ID, Problem: store.AuditHeadMismatch}
		}},
		{"edit an unused chain's head", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			used := map[int]bool{}
			for _, r := range all {
				used[r.Chain] = true
			}
			c := 0
			for used[c] {
				c++
			}
			auditExec(t, db, `UPDATE audit_chains SET hash = $1 WHERE chain = $2`, all[0].Hash, c)
			return store.AuditBreak{Chain: c, Seq: 0, Problem: store.AuditHeadMismatch}
		}},
		{"two edits: the first in chain order is reported", func(t *testing.T, db *store.DB, all []*store.AuditRecord) store.AuditBreak {
			// The last record of the highest chain, then an early record
			// of a lower one.
			hi, lo := all[0], all[0]
			for _, r := range all {
				if r.Chain > hi.Chain || r.Chain == hi.Chain && r.Seq > hi.Seq {
					hi = r
				}
				if r.Chain < lo.Chain || r.Chain == lo.Chain && r.Seq < lo.Seq {
					lo = r
				}
			}
			auditExec(t, db, `UPDATE audit_log SET actor_id = 's-9' WHERE id = $1`, hi.ID)
			auditExec(t, db, `UPDATE audit_log SET detail = '' WHERE id = $1`, lo.ID)
			return store.AuditBreak{Chain: lo.Chain, Seq: lo.Seq, ID: lo.ID, Problem: store.AuditHashMismatch}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				all := auditSeed(t, db)
				if res := auditVerify(t, db); !res.OK || res.Records != int64(len(all)) {
					t.Fatalf("before tampering: %+v %v", res, res.Broken)
				}
				want := tc.tamper(t, db, all)
				res := auditVerify(t, db)
				if res.OK || res.Broken == nil {
					t.Fatalf("tampering went unnoticed: %+v", res)
				}
				got := *res.Broken
				if got.Detail == "" {
					t.Errorf("no detail: %v", res.Broken)
				}
				got.Detail = ""
				if got != want {
					t.Fatalf("reported %v\nwant       %v", res.Broken, &want)
				}
			})
		})
	}
}

func TestAuditVerifyProgress(t *testing.T) {
	// Enough records for two reports on the way (every 4096) and one at
	// the end.
	const n = 9000
	db := storetest.Open(t, store.SQLite)
	rs := make([]*store.AuditRecord, n)
	for i := range rs {
		rs[i] = auditRec("customer", "c"+strconv.Itoa(i%100), "update")
	}
	auditAppend(t, db, rs...)
	var calls []int
	res, err := db.VerifyAudit(context.Background(), func(done int) { calls = append(calls, done) })
	if err != nil || !res.OK || res.Records != n {
		t.Fatalf("verify: %+v %v", res, err)
	}
	if len(calls) != 3 || calls[0] != 4096 || calls[1] != 8192 || calls[2] != n {
		t.Fatalf("progress calls: %v", calls)
	}
}

// BenchmarkVerifyAudit measures how fast the log is checked, in records/s.
func BenchmarkVerifyAudit(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			db := storetest.Open(b, engine)
			const n = 100_000
			for start := 0; start < n; start += 5000 {
				rs := make([]*store.AuditRecord, 5000)
				for i := range rs {
					rs[i] = auditRec("customer", "c"+strconv.Itoa((start+i)%5000), "update")
				}
				auditAppend(b, db, rs...)
			}
			b.ResetTimer()
			for b.Loop() {
				if res := auditVerify(b, db); !res.OK || res.Records != n {
					b.Fatalf("verify: %+v", res)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// auditPlainTable is audit_log without the chain: the same columns and
// indexes, so that the benchmarks differ only by the chain's work.
const auditPlainTable = `CREATE TABLE bench_audit_plain (
    chain INTEGER NOT NULL, seq BIGINT NOT NULL, id TEXT NOT NULL UNIQUE, at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL, actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, actor_role TEXT NOT NULL,
    channel TEXT NOT NULL, ip TEXT NOT NULL, request_id TEXT NOT NULL, object_type TEXT NOT NULL,
    object_id TEXT NOT NULL, action TEXT NOT NULL, changes TEXT NOT NULL, detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (chain, seq));
CREATE INDEX bench_audit_plain_at ON bench_audit_plain (at, id);
CREATE INDEX bench_audit_plain_object ON bench_audit_plain (object_type, object_id, at, id);
CREATE INDEX bench_audit_plain_action ON bench_audit_plain (action, at, id)`

// BenchmarkAppendAudit appends one record per transaction from many
// goroutines: "chained" to objects spread over all chains, "one_object" to
// a single object (every writer queues on one chain head), and "plain"
// inserts the same row into a table without a chain, the baseline.
func BenchmarkAppendAudit(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, engine)
			for _, stmt := range splitSQL(auditPlainTable) {
				auditExec(b, db, stmt)
			}
			var n atomic.Int64
			run := func(b *testing.B, fn func(tx *store.Tx, i int64) error) {
				// Eight writers on two cores: enough to queue on the
				// database rather than on the Go scheduler.
				b.SetParallelism(4)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						if err := db.InTx(ctx, func(tx *store.Tx) error { return fn(tx, i) }); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
			}
			b.Run("chained", func(b *testing.B) {
				run(b, func(tx *store.Tx, i int64) error {
					return tx.AppendAudit(ctx, auditRec("customer", "c"+strconv.FormatInt(i, 10), "update"))
				})
			})
			b.Run("one_object", func(b *testing.B) {
				run(b, func(tx *store.Tx, i int64) error {
					return tx.AppendAudit(ctx, auditRec("customer", "hot", "update"))
				})
			})
			b.Run("plain", func(b *testing.B) {
				run(b, func(tx *store.Tx, i int64) error {
					r := auditRec("customer", "c"+strconv.FormatInt(i, 10), "update")
					changes, _ := json.Marshal(r.Changes)
					_, err := tx.ExecContext(ctx, `INSERT INTO bench_audit_plain (chain, seq, id, at, actor_kind, actor_id, actor_name, actor_role, channel, ip, request_id,
						object_type, object_id, action, changes, detail, prev_hash, hash)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
						0, i, anxin.NewID(tx.Now), tx.Now, r.ActorKind, r.ActorID, r.ActorName, r.ActorRole, r.Channel, r.IP, r.RequestID,
						r.ObjectType, r.ObjectID, r.Action, string(changes), r.Detail, "", "")
					return err
				})
			})
			if res := auditVerify(b, db); !res.OK {
				b.Fatalf("after the benchmark: %v", res.Broken)
			}
		})
	}
}

// splitSQL splits a script into statements: pgx's extended protocol runs
// one statement per Exec.
func splitSQL(script string) []string {
	var out []string
	for s := range strings.SplitSeq(script, ";") {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
