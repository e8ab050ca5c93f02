package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/jobs"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// A fast-tracked claim is paid by the job runner through a gateway that
// fails the first try of every payment; with three nodes on one
// PostgreSQL the payout still happens exactly once and closes the claim.
func TestClaimPaymentJobPaysOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, nil, nil)
		svc.Files = t.TempDir()
		gw := payment.NewTestGateway(1)
		svc.Payments = gw
		if err := svc.SeedCalendar(ctx, 2025, 2026, 2027); err != nil && !strings.Contains(err.Error(), "2027") {
			t.Fatal(err)
		}
		admin := anxin.SystemActor("test")
		if err := svc.PutTeam(ctx, admin, store.Team{Code: "claims", Name: "理赔组"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.PutProduct(ctx, admin, &anxin.Product{Code: "OUT", Line: anxin.LineHealth, Name: "门诊险", NameEN: "Outpatient", Active: true,
			Coverages: []anxin.Coverage{{Kind: anxin.CovMedical, SumInsured: 10_000_00, ReimbursementRatio: 10000, AnnualLimit: 10_000_00}}}); err != nil {
			t.Fatal(err)
		}
		cust := &anxin.Customer{Name: "李四", IDNumber: "11010119900307803X", Mobiles: []string{"13800138111"}, Email: "lisi@example.cn"}
		if err := svc.CreateCustomer(ctx, admin, cust); err != nil {
			t.Fatal(err)
		}
		pol := &anxin.Policy{Number: "P-OUT-1", ProductCode: "OUT", PolicyholderID: cust.ID, InsuredID: cust.ID, StatutoryHeirs: true, Premium: 300_00,
			PaymentFrequency: anxin.PaySingle, PaymentMethod: anxin.PayOnline, EffectiveDate: anxin.MustDate("2026-01-01"), ExpiryDate: anxin.MustDate("2027-01-01"),
			UnderwritingDate: anxin.MustDate("2025-12-30"), SalesChannel: "online"}
		if _, err := svc.CreatePolicy(ctx, admin, pol); err != nil {
			t.Fatal(err)
		}
		runners := 1
		if db.Engine == store.Postgres {
			runners = 3
		}
		for range runners {
			r, err := jobs.New(svc, svc.Log, jobs.Options{PollInterval: 100 * time.Millisecond, CheckInterval: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer r.Stop(ctx)
		}
		self := anxin.Actor{Kind: "customer", ID: cust.ID}
		c, err := svc.ReportClaim(ctx, self, &service.ClaimReport{Claim: anxin.Claim{PolicyID: pol.ID, Type: anxin.ClaimMedical, Channel: anxin.ChannelApp,
			IncidentDate: anxin.MustDate("2026-11-01"), Description: "门诊", Claimed: 300_00, Loss: anxin.ClaimLoss{Setting: anxin.SettingOutpatient, Expenses: 300_00},
			Payout: anxin.Payout{PayeeName: "李四", BankName: "建设银行", Account: "6217000010001234567"}},
			Documents: []service.ClaimDocument{{ItemCode: "invoices", Filename: "a.txt", Data: []byte("发票 300")},
				{ItemCode: "expense_list", Filename: "b.txt", Data: []byte("清单")}, {ItemCode: "diagnosis", Filename: "c.txt", Data: []byte("诊断")}}})
		if err != nil {
			t.Fatal(err)
		}
		if !c.FastTrack {
			t.Fatalf("not fast-tracked: %+v", c.FastTrackCheck)
		}
		deadline := time.Now().Add(30 * time.Second)
		var f *service.ClaimFile
		for time.Now().Before(deadline) {
			if f, err = svc.ClaimFileOf(ctx, admin, c.Number); err != nil {
				t.Fatal(err)
			}
			if f.Claim.Stage == anxin.ClaimClosed {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if f.Claim.Stage != anxin.ClaimClosed || f.Payments[0].Status != anxin.PaymentPaid || f.Payments[0].Attempts < 2 {
			t.Fatalf("claim %s, payments %+v", f.Claim.Stage, f.Payments)
		}
		time.Sleep(500 * time.Millisecond) // let any duplicate show itself
		if paid := gw.Paid(); len(paid) != 1 || paid[0].Amount != 300_00 || len(gw.DoublePaid()) != 0 || gw.Calls(f.Payments[0].ID) != 2 {
			t.Fatalf("gateway: paid %+v, calls %d", paid, gw.Calls(f.Payments[0].ID))
		}
	})
}
