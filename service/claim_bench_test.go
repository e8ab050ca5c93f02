package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/storetest"
)

// BenchmarkReportFastTrackClaim measures the whole report of a small
// outpatient claim that the fast track decides (coverage checks, checklist,
// risk, complexity and fast-track rules, the claim's ticket with routing and
// SLA, three documents stored, the payout calculation, the approved
// decision, the payment instruction and its job, the notices) without
// HTTP, on SQLite and, when ANXIN_TEST_POSTGRES is set, PostgreSQL:
//
//	go test -run '^$' -bench BenchmarkReportFastTrackClaim ./service
//
// Each policyholder claims at most twice, for amounts under ¥1,900, with
// documents no other claim has, so no risk rule fires and every claim is
// paid by the system; claims/s and the process's CPU time per claim
// are reported beside ns/op.
func BenchmarkReportFastTrackClaim(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			svc, actor, _ := benchTicketService(b, storetest.Open(b, engine))
			svc.Payments = payment.NewTestGateway(0)
			ctx := context.Background()
			admin := anxin.SystemActor("bench")
			if err := svc.PutProduct(ctx, admin, &anxin.Product{Code: "BENCH-MED", Line: anxin.LineHealth, Name: "压测门诊医疗保险", NameEN: "Benchmark Outpatient",
				CoolingOffDays: 15, TermYears: 3, Active: true, Coverages: []anxin.Coverage{{Kind: anxin.CovMedical, SumInsured: 1_000_000_00,
					ReimbursementRatio: 9000, AnnualLimit: 200_000_00, WaitingPeriodDays: 30}}}); err != nil {
				b.Fatal(err)
			}
			today := anxin.DateOf(time.Now().In(svc.Calendar.Location()))
			r := rand.New(rand.NewPCG(1, 2))
			// Two claims per policyholder: a third within 90 days is flagged.
			policies := make([]*anxin.Policy, (b.N+1)/2)
			for i := range policies {
				birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i) // a birth date each: unique ID numbers
				c := &anxin.Customer{Name: "赵敏", IDType: anxin.ResidentID, IDNumber: idcheck.GenerateResidentID(r, "110101", birth, i%2 == 0),
					Mobiles: []string{idcheck.GenerateMobile(r)}}
				if err := svc.CreateCustomer(ctx, admin, c); err != nil {
					b.Fatal(err)
				}
				eff := today.AddDays(-400 - i%200)
				p := &anxin.Policy{Number: fmt.Sprintf("PBENCH%07d", i), ProductCode: "BENCH-MED", PolicyholderID: c.ID, InsuredID: c.ID, StatutoryHeirs: true,
					Premium: 680_00, PaymentFrequency: anxin.PaySingle, PaymentMethod: anxin.PayOnline, EffectiveDate: eff, ExpiryDate: eff.AddYears(3),
					UnderwritingDate: eff.AddDays(-2), Status: anxin.PolicyInForce, SalesChannel: "online"}
				if _, err := svc.CreatePolicy(ctx, admin, p); err != nil {
					b.Fatal(err)
				}
				policies[i] = p
			}
			report := func(k int) *service.ClaimReport {
				p := policies[k%len(policies)]
				amount := anxin.Fen(30_00 + r.IntN(1_820_00))
				day := today.AddDays(-1 - k%20)
				return &service.ClaimReport{Claim: anxin.Claim{PolicyID: p.ID, Type: anxin.ClaimMedical, Channel: anxin.ChannelApp, IncidentDate: day,
					IncidentPlace: "北京协和医院", Description: "门诊：上呼吸道感染", Claimed: amount,
					Loss:   anxin.ClaimLoss{Setting: anxin.SettingOutpatient, Expenses: amount},
					Payout: anxin.Payout{PayeeName: "赵敏", BankName: "中国工商银行", Account: "6222020200112233445"}},
					Documents: []service.ClaimDocument{
						{ItemCode: "invoices", Filename: "发票.txt", Data: fmt.Appendf(nil, "门诊收费票据 %d 金额 %s", k, amount)},
						{ItemCode: "expense_list", Filename: "清单.txt", Data: fmt.Appendf(nil, "费用清单 %d 合计 %s", k, amount)},
						{ItemCode: "diagnosis", Filename: "诊断.txt", Data: fmt.Appendf(nil, "诊断证明 %d：上呼吸道感染", k)}},
					Verification: anxin.Verification{Method: "security_questions", Result: "passed"}}
			}
			b.ResetTimer()
			cpu := processCPU()
			for k := range b.N {
				c, err := svc.ReportClaim(ctx, actor, report(k))
				if err != nil {
					b.Fatal(err)
				}
				if !c.FastTrack || c.Stage != anxin.ClaimPaying {
					b.Fatalf("claim %d not fast-tracked: stage %s, checks %+v, flags %+v", k, c.Stage, c.FastTrackCheck, c.RiskFlags)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
