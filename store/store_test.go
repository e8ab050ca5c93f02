package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

var t0 = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

func testCustomer(idNumber, mobile string) *anxin.Customer {
	return &anxin.Customer{Kind: anxin.Individual, Name: "王小明", IDType: anxin.ResidentID, IDNumber: idNumber,
		Mobiles: []string{mobile}, Tier: anxin.TierGold, Gender: anxin.Male, BirthDate: anxin.MustDate("1949-12-31"),
		Consents: []anxin.Consent{{Purpose: "service_contact", Granted: true, Channel: "counter"}}}
}

func TestCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return t0 }
		c := testCustomer("11010519491231002X", "13812341234")
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateCustomer(ctx, c) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetCustomer(ctx, nil, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != c.Name || got.Version != 1 || !got.CreatedAt.Equal(t0) || len(got.Mobiles) != 1 || got.BirthDate != c.BirthDate || len(got.Consents) != 1 || !got.Consents[0].At.Equal(t0) {
			t.Fatalf("round trip: %+v", got)
		}
		// The same document cannot belong to two customers.
		dup := testCustomer("11010519491231002X", "13900001111")
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateCustomer(ctx, dup) })
		if anxin.ErrorCode(err) != anxin.EConflict {
			t.Fatalf("duplicate identity: got %v, want conflict", err)
		}
		for _, q := range []string{"小明", "13812341234", "+86 138 1234 1234", "11010519491231002x"} {
			found, err := db.FindCustomers(ctx, anxin.CustomerFilter{Query: q})
			if err != nil || len(found) != 1 || found[0].ID != c.ID {
				t.Errorf("search %q: %v %v", q, found, err)
			}
		}
		found, err := db.FindCustomers(ctx, anxin.CustomerFilter{Query: "%"})
		if err != nil || len(found) != 0 {
			t.Errorf("a LIKE wildcard must match literally: %v %v", found, err)
		}
		// Optimistic concurrency: a stale version is refused and changes nothing.
		got.Email = "wang@example.com"
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateCustomer(ctx, got, 1) }); err != nil {
			t.Fatal(err)
		}
		got.Email = "stale@example.com"
		err = db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdateCustomer(ctx, got, 1) })
		if anxin.ErrorCode(err) != anxin.EPrecondition {
			t.Fatalf("stale update: %v", err)
		}
		again, _ := db.GetCustomer(ctx, nil, c.ID)
		if again.Email != "wang@example.com" || again.Version != 2 {
			t.Fatalf("after stale update: %+v", again)
		}
		if _, err := db.GetCustomer(ctx, nil, "nope"); anxin.ErrorCode(err) != anxin.ENotFound {
			t.Fatalf("missing customer: %v", err)
		}
	})
}

func TestPoliciesKeepHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return t0 }
		c := testCustomer("11010519491231002X", "13812341234")
		prod := &anxin.Product{Code: "H-MED", Line: anxin.LineHealth, Name: "百万医疗", Active: true,
			Coverages: []anxin.Coverage{{Kind: anxin.CovMedical, SumInsured: 100_000_000, Deductible: 1_000_000, ReimbursementRatio: 10000, WaitingPeriodDays: 30}}}
		p := &anxin.Policy{Number: "P2026000001", ProductCode: prod.Code, Coverages: prod.Coverages, StatutoryHeirs: true,
			Premium: 35_000, PaymentFrequency: anxin.PaySingle, PaymentMethod: anxin.PayOnline, EffectiveDate: anxin.MustDate("2026-01-01"),
			ExpiryDate: anxin.MustDate("2027-01-01"), Status: anxin.PolicyInForce, SalesChannel: "online", UnderwritingDate: anxin.MustDate("2025-12-30")}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			if err := tx.PutProduct(ctx, prod); err != nil {
				return err
			}
			p.PolicyholderID, p.InsuredID = c.ID, c.ID
			return tx.CreatePolicy(ctx, p, "test", "issued")
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return t0.Add(time.Hour) }
		p.Premium = 40_000
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdatePolicy(ctx, p, 1, "test", "premium corrected") }); err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdatePolicy(ctx, p, 1, "test", "stale") }); anxin.ErrorCode(err) != anxin.EPrecondition {
			t.Fatalf("stale policy update: %v", err)
		}
		got, err := db.GetPolicyByNumber(ctx, nil, "p2026000001")
		if err != nil || got.Premium != 40_000 || got.Version != 2 {
			t.Fatalf("current version: %+v %v", got, err)
		}
		hist, err := db.PolicyHistory(ctx, p.ID)
		if err != nil || len(hist) != 2 || hist[0].Policy.Premium != 35_000 || hist[1].Reason != "premium corrected" || !hist[1].ChangedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("history: %+v %v", hist, err)
		}
		list, err := db.FindPolicies(ctx, anxin.PolicyFilter{CustomerID: c.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("by customer: %v %v", list, err)
		}
		prods, err := db.Products(ctx, nil)
		if err != nil || len(prods) != 1 || prods[0].Coverages[0].Deductible != 1_000_000 {
			t.Fatalf("products: %+v %v", prods, err)
		}
	})
}

func TestCalendarReplaceYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := calendar.Schedule{Years: []int{2031}, Days: []calendar.Day{{Date: "2031-01-01", Kind: calendar.Off, Name: "元旦"}}}
		for range 2 { // loading the same year twice replaces it
			if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.ReplaceCalendarYears(ctx, s, "test") }); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.CalendarSchedule(ctx, nil)
		if err != nil || len(got.Years) != 1 || len(got.Days) != 1 || got.Days[0].Name != "元旦" {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

func TestIdempotencyClaimCommitsWithEffect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		claim := &store.IdempotencyClaim{Principal: "staff:1", Key: "k1", RequestHash: "h"}
		cctx := store.WithIdempotencyClaim(ctx, claim)
		// A failed transaction claims nothing.
		err := db.InTx(cctx, func(tx *store.Tx) error { return anxin.Errorf(anxin.EInvalid, "no") })
		if err == nil || claim.Claimed() {
			t.Fatal("a rolled-back transaction must not claim the key")
		}
		if r, _ := db.LookupIdempotent(ctx, "staff:1", "k1"); r != nil {
			t.Fatal("claim stored after rollback")
		}
		if err := db.InTx(cctx, func(tx *store.Tx) error { return nil }); err != nil || !claim.Claimed() {
			t.Fatalf("claim: %v", err)
		}
		// A second request with the same key conflicts inside its transaction.
		other := store.WithIdempotencyClaim(ctx, &store.IdempotencyClaim{Principal: "staff:1", Key: "k1", RequestHash: "h"})
		if err := db.InTx(other, func(tx *store.Tx) error { return nil }); anxin.ErrorCode(err) != anxin.EConflict {
			t.Fatalf("duplicate claim: %v", err)
		}
		if err := db.CompleteIdempotent(ctx, claim, store.IdempotentResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"ok":true}`)}); err != nil {
			t.Fatal(err)
		}
		r, err := db.LookupIdempotent(ctx, "staff:1", "k1")
		if err != nil || r.Status != 201 || string(r.Body) != `{"ok":true}` {
			t.Fatalf("%+v %v", r, err)
		}
	})
}
