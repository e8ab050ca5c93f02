package service_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// claimFixture adds a health product, a policy a year old and one issued
// last month, and a gateway that fails its first call per payment.
type claimFixture struct {
	*ticketFixture
	gw                *payment.TestGateway
	holder            *anxin.Customer
	oldPolicy, recent *anxin.Policy
}

var (
	jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, make([]byte, 200)...)
	pdf  = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
)

func newClaimFixture(t *testing.T, db *store.DB) *claimFixture {
	f := &claimFixture{ticketFixture: newTicketFixture(t, db), gw: payment.NewTestGateway(1)}
	f.svc.Payments = f.gw
	f.agent("lp", "claims", 20)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.svc.PutProduct(f.ctx, f.admin, &anxin.Product{Code: "HLT", Line: anxin.LineHealth, Name: "安心医疗险", NameEN: "Anxin Medical", TermYears: 1, Active: true,
		Coverages: []anxin.Coverage{
			{Kind: anxin.CovMedical, SumInsured: 2_000_000_00, Deductible: 100_00, ReimbursementRatio: 8000, AnnualLimit: 20_000_00, WaitingPeriodDays: 30},
			{Kind: anxin.CovCriticalIllness, SumInsured: 300_000_00, WaitingPeriodDays: 90},
		}}))
	f.holder = f.customer()
	mk := func(num string, eff string) *anxin.Policy {
		p := &anxin.Policy{Number: num, ProductCode: "HLT", PolicyholderID: f.holder.ID, InsuredID: f.holder.ID, StatutoryHeirs: true,
			Premium: 1200_00, PaymentFrequency: anxin.PaySingle, PaymentMethod: anxin.PayOnline,
			EffectiveDate: anxin.MustDate(eff), ExpiryDate: anxin.MustDate(eff).AddYears(1), UnderwritingDate: anxin.MustDate(eff).AddDays(-2), SalesChannel: "agent"}
		_, err := f.svc.CreatePolicy(f.ctx, f.admin, p)
		must(err)
		return p
	}
	f.oldPolicy = mk("P2025HLT0001", "2026-01-10")
	f.recent = mk("P2026HLT0002", "2026-10-20")
	return f
}

func (f *claimFixture) self() anxin.Actor {
	return anxin.Actor{Kind: "customer", ID: f.holder.ID, Name: f.holder.Name, Channel: "self"}
}

func outpatient(pol *anxin.Policy, yuan int64) *service.ClaimReport {
	return &service.ClaimReport{Claim: anxin.Claim{PolicyID: pol.ID, Type: anxin.ClaimMedical, Channel: anxin.ChannelApp,
		IncidentDate: anxin.MustDate("2026-11-20"), IncidentPlace: "北京协和医院", Description: "急性肠胃炎门诊",
		Claimed: anxin.Fen(yuan * 100), Loss: anxin.ClaimLoss{Setting: anxin.SettingOutpatient, Expenses: anxin.Fen(yuan * 100)},
		Payout: anxin.Payout{PayeeName: "张三", BankName: "中国工商银行", Account: "6222020200112233445"}},
		Documents: []service.ClaimDocument{{ItemCode: "invoices", Filename: "fapiao.jpg", Data: jpeg},
			{ItemCode: "expense_list", Filename: "qingdan.pdf", Data: pdf},
			{ItemCode: "diagnosis", Filename: "zhenduan.txt", Data: []byte("诊断：急性肠胃炎")}}}
}

func (f *claimFixture) file(key string) *service.ClaimFile {
	f.t.Helper()
	cf, err := f.svc.ClaimFileOf(f.ctx, f.staff["sup"], key)
	if err != nil {
		f.t.Fatal(err)
	}
	return cf
}

// pay runs the payment jobs as River would: retried until each is settled.
func (f *claimFixture) pay(key string) {
	f.t.Helper()
	for _, p := range f.file(key).Payments {
		for attempt := 0; attempt < 5; attempt++ {
			if err := f.svc.SendPayment(f.ctx, p.ID); err == nil {
				break
			} else if !errors.Is(err, payment.ErrInjected) {
				f.t.Fatal(err)
			}
		}
		// A duplicate delivery of the job changes nothing.
		if err := f.svc.SendPayment(f.ctx, p.ID); err != nil {
			f.t.Fatal(err)
		}
	}
}

func TestFastTrackClaimPaysWithoutAPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newClaimFixture(t, db)
		c, err := f.svc.ReportClaim(f.ctx, f.self(), outpatient(f.oldPolicy, 850))
		if err != nil {
			t.Fatal(err)
		}
		if !c.FastTrack || !strings.HasPrefix(c.Number, "LP20261125") || c.Stage != anxin.ClaimPaying {
			t.Fatalf("claim %s fast=%v stage=%s checks=%+v flags=%+v", c.Number, c.FastTrack, c.Stage, c.FastTrackCheck, c.RiskFlags)
		}
		cf := f.file(c.Number)
		if len(cf.Decisions) != 1 {
			t.Fatalf("%d decisions", len(cf.Decisions))
		}
		d := cf.Decisions[0]
		// (850 − 100 deductible) × 80% = 600.
		if !d.Automated || d.Status != anxin.DecisionApproved || d.Payable != 600_00 || d.Outcome != anxin.OutcomePay {
			t.Fatalf("decision %+v", d)
		}
		if len(cf.Payments) != 1 || cf.Payments[0].Amount != 600_00 || cf.Payments[0].Status != anxin.PaymentInstructed {
			t.Fatalf("payments %+v", cf.Payments)
		}
		for _, r := range c.FastTrackCheck {
			if !r.Passed {
				t.Errorf("rule %s recorded as failed", r.Code)
			}
		}
		f.pay(c.Number)
		cf = f.file(c.Number)
		if cf.Claim.Stage != anxin.ClaimClosed || cf.Payments[0].Status != anxin.PaymentPaid || cf.Ticket.Stage != anxin.StageResolved {
			t.Fatalf("after payment: claim %s, payment %s, ticket %s", cf.Claim.Stage, cf.Payments[0].Status, cf.Ticket.Stage)
		}
		if paid := f.gw.Paid(); len(paid) != 1 || paid[0].Amount != 600_00 || len(f.gw.DoublePaid()) != 0 {
			t.Fatalf("gateway paid %+v", paid)
		}
		follow := false
		for _, k := range cf.Tasks {
			follow = follow || (k.Kind == "follow_up" && k.Status == "open" && k.Due.Sub(f.clock()) <= 72*time.Hour)
		}
		if !follow {
			t.Fatalf("no follow-up call task: %+v", cf.Tasks)
		}
		// The survey at closing: 1–5, NPS 0–10, once.
		if _, err := f.svc.AnswerClaimSurvey(f.ctx, f.self(), c.Number, 6, 11, ""); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("out-of-range survey: %v", err)
		}
		if _, err := f.svc.AnswerClaimSurvey(f.ctx, f.self(), c.Number, 5, 9, "三分钟就到账了"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AnswerClaimSurvey(f.ctx, f.self(), c.Number, 1, 0, ""); anxin.ErrorCode(err) != anxin.EConflict {
			t.Fatalf("second survey answer: %v", err)
		}
		if cf := f.file(c.Number); cf.Claim.Survey == nil || cf.Claim.Survey.NPS != 9 || cf.Ticket.Satisfaction != 5 || cf.Ticket.Stage != anxin.StageClosed {
			t.Fatalf("survey: %+v, ticket %d %s", cf.Claim.Survey, cf.Ticket.Satisfaction, cf.Ticket.Stage)
		}
		// The second outpatient claim of the year has no deductible left:
		// 300 × 80% = 240.
		r2 := outpatient(f.oldPolicy, 300)
		r2.Documents[0].Data = append(jpeg, 1) // another invoice
		r2.Documents[1].Data = append(pdf, '\n')
		r2.Documents[2].Data = []byte("诊断：复诊")
		c2, err := f.svc.ReportClaim(f.ctx, f.self(), r2)
		if err != nil {
			t.Fatal(err)
		}
		if d := f.file(c2.Number).Decisions; len(d) != 1 || d[0].Payable != 240_00 {
			t.Fatalf("second claim: %+v", d)
		}

		// The customer asks a person to review the automated decision
		// (PIPL art. 24): the claim goes back to review, a person decides.
		if _, err := f.svc.DisputeClaim(f.ctx, f.self(), c.Number, "发票金额应为 900 元", true); err != nil {
			t.Fatal(err)
		}
		if cf := f.file(c.Number); !cf.Claim.Disputed || cf.Claim.Stage != anxin.ClaimReview || len(cf.Disputes) != 1 || !cf.Disputes[0].HumanReview {
			t.Fatalf("dispute: %+v", cf.Claim)
		}
		lp := f.staff["lp"]
		lp.Role = anxin.RoleClaims
		d2, err := f.svc.DecideClaim(f.ctx, lp, c.Number, service.DecisionInput{Outcome: anxin.OutcomePay, Loss: &anxin.ClaimLoss{Setting: anxin.SettingOutpatient, Expenses: 900_00}})
		if err != nil {
			t.Fatal(err)
		}
		// (900 − 100) × 80% = 640: 40 more is paid, once.
		if !d2.Review || d2.Payable != 640_00 || d2.Status != anxin.DecisionApproved {
			t.Fatalf("re-review %+v", d2)
		}
		f.pay(c.Number)
		cf = f.file(c.Number)
		if cf.Decisions[0].Status != anxin.DecisionSuperseded || len(cf.Payments) != 2 || cf.Payments[1].Amount != 40_00 || cf.Claim.Stage != anxin.ClaimClosed || cf.Claim.Disputed {
			t.Fatalf("after re-review: %+v %+v %s", cf.Decisions, cf.Payments, cf.Claim.Stage)
		}
	})
}

func TestClaimsThatNeedAPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newClaimFixture(t, db)
		for _, tc := range []struct {
			name   string
			report func() *service.ClaimReport
			flag   string
			failed string
		}{
			{"policy one month old", func() *service.ClaimReport { return outpatient(f.recent, 500) }, "early_claim", "no_risk_flag"},
			{"just under the fast-track limit", func() *service.ClaimReport { return outpatient(f.oldPolicy, 1990) }, "just_under_limit", "no_risk_flag"},
			{"over the fast-track limit", func() *service.ClaimReport { return outpatient(f.oldPolicy, 2500) }, "", "small_amount"},
			{"a document missing", func() *service.ClaimReport {
				r := outpatient(f.oldPolicy, 500)
				r.Documents = r.Documents[:2]
				return r
			}, "", "documents_complete"},
			{"inpatient", func() *service.ClaimReport {
				r := outpatient(f.oldPolicy, 500)
				r.Claim.Loss.Setting = anxin.SettingInpatient
				return r
			}, "", "outpatient_medical"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := tc.report()
				for i := range r.Documents {
					r.Documents[i].Data = append(append([]byte{}, r.Documents[i].Data...), []byte(tc.name)...)
				}
				c, err := f.svc.ReportClaim(f.ctx, f.staff["lp"], r)
				if err != nil {
					t.Fatal(err)
				}
				if c.FastTrack || !c.DecidedAt.IsZero() {
					t.Fatalf("fast-tracked: %+v", c.FastTrackCheck)
				}
				if tc.flag != "" && (len(c.RiskFlags) == 0 || c.RiskFlags[0].Code != tc.flag) {
					t.Errorf("flags %+v, want %s", c.RiskFlags, tc.flag)
				}
				found := false
				for _, v := range c.FastTrackCheck {
					if v.Code == tc.failed {
						found = !v.Passed
					}
				}
				if !found {
					t.Errorf("fast-track check %s not recorded as failed: %+v", tc.failed, c.FastTrackCheck)
				}
			})
		}
		// The same invoice sent again with another claim raises a flag.
		r := outpatient(f.oldPolicy, 500)
		r.Documents = r.Documents[:1]
		r.Documents[0].Data = append(append([]byte{}, jpeg...), []byte("over the fast-track limit")...)
		c, err := f.svc.ReportClaim(f.ctx, f.staff["lp"], r)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.RiskFlags) == 0 || c.RiskFlags[len(c.RiskFlags)-1].Code != "reused_documents" {
			t.Errorf("reused document not flagged: %+v", c.RiskFlags)
		}
	})
}

func TestComplexClaimWithSurveyApprovalAndDispute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newClaimFixture(t, db)
		lp := f.person("lp2", anxin.RoleClaims)
		lp3 := f.person("lp3", anxin.RoleClaims)
		sup := f.staff["sup"]
		dir := f.person("dir", anxin.RoleDirector)
		dir2 := f.person("dir2", anxin.RoleDirector)
		surveyor := f.person("surveyor", anxin.RoleClaims)
		r := &service.ClaimReport{Claim: anxin.Claim{PolicyID: f.oldPolicy.ID, Type: anxin.ClaimCriticalIllness, Channel: anxin.ChannelPhone,
			IncidentDate: anxin.MustDate("2026-11-02"), Description: "确诊恶性肿瘤", Claimed: 300_000_00,
			Payout: anxin.Payout{PayeeName: "张三", BankName: "招商银行", Account: "6225880112345678"}}}
		c, err := f.svc.ReportClaim(f.ctx, lp, r)
		if err != nil {
			t.Fatal(err)
		}
		if c.Stage != anxin.ClaimIntake || c.Complexity != anxin.ClaimComplex || !anxin.Covered(c.Coverage) {
			t.Fatalf("intake: %s %s %+v", c.Stage, c.Complexity, c.Coverage)
		}
		// Everything missing goes to the claimant in one notice (art. 22).
		missing, err := f.svc.NotifyMissing(f.ctx, lp, c.TicketNumber)
		if err != nil || len(missing) != 2 {
			t.Fatalf("missing %v %v", missing, err)
		}
		for _, code := range []string{"diagnosis_report", "medical_records"} {
			if _, err := f.svc.AddClaimDocument(f.ctx, f.self(), c.Number, code, code+".pdf", append(pdf, code...)); err != nil {
				t.Fatal(err)
			}
		}
		if cf := f.file(c.Number); cf.Claim.Stage != anxin.ClaimReview || cf.Ticket.Stage == anxin.StageWaiting {
			t.Fatalf("after documents: %s, ticket %s", cf.Claim.Stage, cf.Ticket.Stage)
		}
		task, err := f.svc.AddClaimTask(f.ctx, lp, c.Number, service.ClaimTaskInput{Kind: "medical_assessment", AssigneeID: surveyor.ID, Instructions: "核实病理报告"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DecideClaim(f.ctx, lp, c.Number, service.DecisionInput{Outcome: anxin.OutcomePay}); anxin.ErrorCode(err) != anxin.EConflict {
			t.Fatalf("decided with a task open: %v", err)
		}
		if _, err := f.svc.CompleteClaimTask(f.ctx, surveyor, c.Number, task.ID, "病理报告真实，确诊符合条款定义", "confirmed"); err != nil {
			t.Fatal(err)
		}
		d, err := f.svc.DecideClaim(f.ctx, lp, c.Number, service.DecisionInput{Outcome: anxin.OutcomePay})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != anxin.DecisionPending || d.Payable != 300_000_00 || d.NeedsRole != anxin.RoleDirector {
			t.Fatalf("decision %+v", d)
		}
		// Nobody approves their own decision, nor above their limit.
		if _, err := f.svc.ApproveDecision(f.ctx, lp, c.Number, d.ID, true, ""); anxin.ErrorCode(err) != anxin.EForbidden {
			t.Fatalf("self-approval: %v", err)
		}
		if _, err := f.svc.ApproveDecision(f.ctx, sup, c.Number, d.ID, true, ""); anxin.ErrorCode(err) != anxin.EForbidden {
			t.Fatalf("supervisor over limit: %v", err)
		}
		// Two directors approve at once: one approval, one payment.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, a := range []anxin.Actor{dir, dir2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.svc.ApproveDecision(f.ctx, a, c.Number, d.ID, true, "同意")
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("approvals: %v / %v", errs[0], errs[1])
		}
		cf := f.file(c.Number)
		if len(cf.Payments) != 1 || cf.Payments[0].Amount != 300_000_00 || cf.Claim.Stage != anxin.ClaimPaying {
			t.Fatalf("payments %+v stage %s", cf.Payments, cf.Claim.Stage)
		}
		f.pay(c.Number)
		// The claimant disputes; the first decider may not re-review.
		if _, err := f.svc.DisputeClaim(f.ctx, f.self(), c.Number, "应另行给付住院津贴", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.DecideClaim(f.ctx, lp, c.Number, service.DecisionInput{Outcome: anxin.OutcomePay}); anxin.ErrorCode(err) != anxin.EForbidden {
			t.Fatalf("first decider re-reviewed: %v", err)
		}
		d2, err := f.svc.DecideClaim(f.ctx, lp3, c.Number, service.DecisionInput{Outcome: anxin.OutcomePay, Reasons: []string{"住院津贴不在本保单保障范围内，维持原决定"}})
		if err != nil {
			t.Fatal(err)
		}
		cf = f.file(c.Number)
		if !d2.Review || d2.Status != anxin.DecisionApproved || len(cf.Payments) != 1 || cf.Claim.Stage != anxin.ClaimClosed || len(cf.Decisions) != 2 {
			t.Fatalf("re-review: %+v payments %d stage %s", d2, len(cf.Payments), cf.Claim.Stage)
		}
		// A once-only benefit is not paid twice.
		again, err := f.svc.ReportClaim(f.ctx, lp, r)
		if err != nil {
			t.Fatal(err)
		}
		if anxin.Covered(again.Coverage) {
			t.Fatalf("second critical-illness claim passes the checks: %+v", again.Coverage)
		}
	})
}

func TestClaimValidationChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newClaimFixture(t, db)
		for _, tc := range []struct {
			name  string
			edit  func(r *service.ClaimReport)
			field string
		}{
			{"no policy", func(r *service.ClaimReport) { r.Claim.PolicyID = "" }, "policy_id"},
			{"unknown policy", func(r *service.ClaimReport) { r.Claim.PolicyID = "nope" }, "policy_id"},
			{"unknown type", func(r *service.ClaimReport) { r.Claim.Type = "lottery" }, "type"},
			{"future incident", func(r *service.ClaimReport) { r.Claim.IncidentDate = anxin.MustDate("2026-12-01") }, "incident_date"},
			{"no description", func(r *service.ClaimReport) { r.Claim.Description = " " }, "description"},
			{"negative amount", func(r *service.ClaimReport) { r.Claim.Claimed = -1 }, "claimed"},
			{"bad account", func(r *service.ClaimReport) { r.Claim.Payout.Account = "12ab" }, "payout.account"},
			{"bad setting", func(r *service.ClaimReport) { r.Claim.Loss.Setting = "home" }, "loss.setting"},
			{"executable document", func(r *service.ClaimReport) { r.Documents[0].Data = []byte("MZ\x90\x00\x03") }, "documents[0].content"},
			{"unknown checklist item", func(r *service.ClaimReport) { r.Documents[0].ItemCode = "selfie" }, "documents[0].item_code"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := outpatient(f.oldPolicy, 500)
				tc.edit(r)
				_, err := f.svc.ReportClaim(f.ctx, f.staff["lp"], r)
				var e *anxin.Error
				if !errors.As(err, &e) || e.Code != anxin.EInvalid {
					t.Fatalf("got %v", err)
				}
				found := false
				for _, fe := range e.Fields {
					found = found || fe.Field == tc.field
				}
				if !found {
					t.Fatalf("no error for %s: %+v", tc.field, e.Fields)
				}
			})
		}
		if cs, err := f.svc.FindClaims(f.ctx, f.staff["sup"], store.ClaimFilter{}); err != nil || len(cs) != 0 {
			t.Fatalf("claims after refusals: %d %v", len(cs), err)
		}
		// Another customer cannot claim on the policy.
		other := f.customer()
		_, err := f.svc.ReportClaim(f.ctx, anxin.Actor{Kind: "customer", ID: other.ID}, outpatient(f.oldPolicy, 100))
		if anxin.ErrorCode(err) != anxin.ENotFound {
			t.Fatalf("stranger's claim: %v", err)
		}
	})
}

// The statutory clocks warn the owner once and escalate to the supervisor
// once, however many times (or nodes) the job runs.
func TestClaimStatutoryDeadlines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newClaimFixture(t, db)
		r := outpatient(f.oldPolicy, 500)
		r.Documents = nil
		c, err := f.svc.ReportClaim(f.ctx, f.staff["lp"], r)
		if err != nil {
			t.Fatal(err)
		}
		count := func(staff, kind string) int {
			ns, err := f.db.StaffNotifications(f.ctx, f.staff[staff].ID, false, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range ns {
				if x.Kind == kind {
					n++
				}
			}
			return n
		}
		run := func() {
			var wg sync.WaitGroup
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := f.svc.ProcessClaimDeadline(f.ctx, c.ID, service.DeadlineStatutory); err != nil && anxin.ErrorCode(err) != anxin.EConflict {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		f.advance(24 * 24 * time.Hour)
		run()
		if n := count("lp", "claim_"+service.DeadlineStatutory); n != 0 {
			t.Fatalf("warned %d times before the warning point", n)
		}
		f.advance(25*24*time.Hour + time.Minute - 24*24*time.Hour)
		run()
		run()
		if n := count("lp", "claim_"+service.DeadlineStatutory); n != 1 {
			t.Fatalf("owner warned %d times", n)
		}
		if n := count("sup", "claim_"+service.DeadlineStatutory); n != 0 {
			t.Fatalf("supervisor told before the breach: %d", n)
		}
		f.advance(5 * 24 * time.Hour)
		run()
		run()
		if n, m := count("lp", "claim_"+service.DeadlineStatutory), count("sup", "claim_"+service.DeadlineStatutory); n != 2 || m != 1 {
			t.Fatalf("after the breach: owner %d, supervisor %d", n, m)
		}
		var statutory *store.ClaimDeadline
		for _, d := range f.file(c.Number).Deadlines {
			if d.Kind == service.DeadlineStatutory {
				statutory = &d
			}
		}
		if statutory == nil || statutory.WarnedAt.IsZero() || statutory.Breached.IsZero() || !statutory.DoneAt.IsZero() {
			t.Fatalf("deadline %+v", statutory)
		}
	})
}

// A rejection gives its reasons, closes the claim and its ticket, and the
// written notice is out within the statutory 3 days (at once).
func TestClaimRejection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newClaimFixture(t, db)
		lp := f.staff["lp"]
		lp.Role = anxin.RoleClaims
		r := outpatient(f.recent, 500)
		r.Claim.IncidentDate = anxin.MustDate("2026-11-01") // inside the 30-day waiting period
		c, err := f.svc.ReportClaim(f.ctx, f.self(), r)
		if err != nil {
			t.Fatal(err)
		}
		if anxin.Covered(c.Coverage) || c.FastTrack || c.Stage != anxin.ClaimReview {
			t.Fatalf("intake: covered=%v fast=%v %s", anxin.Covered(c.Coverage), c.FastTrack, c.Stage)
		}
		if _, err := f.svc.DecideClaim(f.ctx, lp, c.Number, service.DecisionInput{Outcome: anxin.OutcomeReject}); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("rejection without reasons: %v", err)
		}
		if _, err := f.svc.DecideClaim(f.ctx, lp, c.Number, service.DecisionInput{Outcome: anxin.OutcomePay}); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("paid a claim that failed a check without saying why: %v", err)
		}
		d, err := f.svc.DecideClaim(f.ctx, lp, c.Number, service.DecisionInput{Outcome: anxin.OutcomeReject, Reasons: []string{"出险日在 30 天等待期内（保单 2026-10-20 生效）"}})
		if err != nil {
			t.Fatal(err)
		}
		cf := f.file(c.Number)
		if d.Status != anxin.DecisionApproved || cf.Claim.Stage != anxin.ClaimClosed || cf.Ticket.Stage != anxin.StageResolved || len(cf.Payments) != 0 {
			t.Fatalf("after rejection: %s, ticket %s, %d payments", cf.Claim.Stage, cf.Ticket.Stage, len(cf.Payments))
		}
		met := false
		for _, dl := range cf.Deadlines {
			met = met || (dl.Kind == service.DeadlineRejection && !dl.DoneAt.IsZero())
		}
		if !met {
			t.Fatalf("rejection notice not tracked: %+v", cf.Deadlines)
		}
		notices, err := f.svc.TicketNotices(f.ctx, f.admin, cf.Claim.TicketNumber)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, n := range notices {
			found = found || (n.Template == "claim_decided" && strings.Contains(n.Body, "等待期"))
		}
		if !found {
			t.Fatalf("no rejection notice with the reasons: %+v", notices)
		}
		html, ct, _, err := f.svc.ClaimLetter(f.ctx, f.self(), c.Number, 0, "html", "zh")
		if err != nil || !strings.Contains(ct, "html") || !strings.Contains(string(html), "等待期") || !strings.Contains(string(html), "第二十四条") {
			t.Fatalf("letter: %v %s", err, ct)
		}
	})
}

// closedAccounts is a gateway whose bank refuses some accounts for good.
type closedAccounts struct {
	*payment.TestGateway
	closed string
}

func (g closedAccounts) Pay(ctx context.Context, in payment.Instruction) (payment.Result, error) {
	if in.Account == g.closed {
		return payment.Result{}, payment.Permanent(errors.New("账户已销户"))
	}
	return g.TestGateway.Pay(ctx, in)
}

// A payment the bank refuses for good stops retrying and tells the owner;
// the claimant corrects the account and the same amount goes out once to
// the new one, which closes the claim.
func TestRefusedPaymentIsPaidAgainToANewAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newClaimFixture(t, db)
		gw := closedAccounts{payment.NewTestGateway(0), "6222020200112233445"}
		f.svc.Payments = gw
		c, err := f.svc.ReportClaim(f.ctx, f.self(), outpatient(f.oldPolicy, 850))
		if err != nil {
			t.Fatal(err)
		}
		p := f.file(c.Number).Payments[0]
		if err := f.svc.SendPayment(f.ctx, p.ID); err != nil {
			t.Fatalf("a permanent refusal was retried: %v", err)
		}
		cf := f.file(c.Number)
		if cf.Payments[0].Status != anxin.PaymentFailed || cf.Claim.Stage != anxin.ClaimPaying {
			t.Fatalf("after refusal: %+v %s", cf.Payments[0], cf.Claim.Stage)
		}
		if _, err := f.svc.UpdateClaimPayout(f.ctx, f.self(), c.Number, anxin.Payout{PayeeName: "张三", BankName: "中国银行", Account: "12"}); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("bad account accepted: %v", err)
		}
		if _, err := f.svc.UpdateClaimPayout(f.ctx, f.self(), c.Number, anxin.Payout{PayeeName: "张三", BankName: "中国银行", Account: "6216610100001234567"}); err != nil {
			t.Fatal(err)
		}
		f.pay(c.Number)
		f.pay(c.Number)
		cf = f.file(c.Number)
		if len(cf.Payments) != 2 || cf.Payments[1].Status != anxin.PaymentPaid || cf.Payments[1].Amount != 600_00 || cf.Claim.Stage != anxin.ClaimClosed {
			t.Fatalf("after the new account: %+v %s", cf.Payments, cf.Claim.Stage)
		}
		if paid := gw.Paid(); len(paid) != 1 || paid[0].Account != "6216610100001234567" {
			t.Fatalf("gateway paid %+v", paid)
		}
	})
}
