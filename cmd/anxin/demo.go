package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/demo"
	"github.com/anxin-insure/anxin/idcheck"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// demoSeed fixes the demo data set, so every demo shows the same customers.
const demoSeed = 20261125

// loadDemo stores the demo data set through the same use cases as any other
// data, so it is validated like any other data.
func loadDemo(ctx context.Context, svc serviceForDemo, out io.Writer) error {
	ds := demo.Generate(demoSeed, time.Now())
	actor := anxin.SystemActor("demo")
	for _, p := range ds.Products {
		if err := svc.PutProduct(ctx, actor, p); err != nil {
			return fmt.Errorf("product %s: %w", p.Code, err)
		}
	}
	for _, c := range ds.Customers {
		if err := svc.CreateCustomer(ctx, actor, c); err != nil {
			return fmt.Errorf("customer %s: %w", c.Name, err)
		}
	}
	for _, p := range ds.Policies {
		if _, err := svc.CreatePolicy(ctx, actor, p); err != nil {
			return fmt.Errorf("policy %s: %w", p.Number, err)
		}
	}
	fmt.Fprintf(out, "Demo data: %d products, %d customers, %d policies.\n", len(ds.Products), len(ds.Customers), len(ds.Policies))
	fmt.Fprintf(out, "Demo accounts (password %q):\n", demo.Password)
	staffIDs := map[string]string{}
	for _, s := range ds.Staff {
		st := &anxin.Staff{Username: s.Username, DisplayName: s.DisplayName, Role: s.Role, Email: s.Email}
		if err := svc.CreateStaff(ctx, actor, st, demo.Password); err != nil {
			return fmt.Errorf("staff %s: %w", s.Username, err)
		}
		fmt.Fprintf(out, "  %-14s %s\n", s.Username, roleName(s.Role))
		staffIDs[s.Username] = st.ID
	}
	if err := loadDemoTickets(ctx, svc, ds, staffIDs, out); err != nil {
		return err
	}
	return loadDemoClaims(ctx, svc, ds, staffIDs, out)
}

// loadDemoTickets sets up the teams and agents, then opens the demo's
// requests through the same intake as any channel, so each is routed and
// timed, and moves some of them along.
func loadDemoTickets(ctx context.Context, svc serviceForDemo, ds *demo.Dataset, staffIDs map[string]string, out io.Writer) error {
	actor := anxin.SystemActor("demo")
	for _, t := range demo.Teams {
		if err := svc.PutTeam(ctx, actor, store.Team{Code: t.Code, Name: t.Name, NameEN: t.NameEN, SupervisorID: staffIDs[t.Supervisor]}); err != nil {
			return fmt.Errorf("team %s: %w", t.Code, err)
		}
	}
	for _, a := range demo.Agents {
		err := svc.PutAgent(ctx, actor, store.Agent{StaffID: staffIDs[a.Username], Team: a.Team, Skills: a.Skills, Capacity: a.Capacity,
			Availability: "available", ShiftDays: "every_day", ShiftStart: "00:00", ShiftEnd: "00:00"})
		if err != nil {
			return fmt.Errorf("agent %s: %w", a.Username, err)
		}
	}
	for _, sample := range demo.Tickets {
		c := ds.Customers[sample.Customer%len(ds.Customers)]
		t := &anxin.Ticket{Type: sample.Type, Channel: sample.Channel, Urgency: sample.Urgency, Subject: sample.Subject,
			Description: sample.Description, CustomerID: c.ID, Verification: anxin.Verification{Method: "security_questions", Result: "passed"}}
		if sample.Channel == anxin.ChannelEmail {
			t.Language = "en"
		}
		if err := svc.CreateTicket(ctx, actor, t, service.CreateOptions{}); err != nil {
			return fmt.Errorf("ticket %q: %w", sample.Subject, err)
		}
		owner := anxin.Actor{Kind: "staff", ID: t.OwnerID, Name: t.OwnerName, Role: anxin.RoleSupervisor, Channel: "demo"}
		if t.OwnerID == "" {
			owner = actor
		}
		for _, st := range sample.Stages {
			msg := ""
			if st == anxin.StageResolved {
				msg = "已为客户解答并确认无其他问题。"
			}
			if _, err := svc.MoveTicket(ctx, owner, t.Number, st, service.MoveOptions{Message: msg}); err != nil {
				return fmt.Errorf("ticket %s → %s: %w", t.Number, st, err)
			}
		}
	}
	fmt.Fprintf(out, "Demo tickets: %d, routed to %d agents in %d teams.\n", len(demo.Tickets), len(demo.Agents), len(demo.Teams))
	return nil
}

// loadDemoClaims reports claims on the demo's medical policies, so the
// claim pages have something to show: an inpatient claim decided and paid
// by a claims specialist, then an outpatient claim of the same policyholder
// that the fast track decides and pays (the first used the annual
// deductible); an inpatient claim flagged for an invoice seen on another
// claim, in review as complex; and one decided above the specialist's
// limit, waiting for a supervisor's approval. Payments are sent here: the
// demo's job runner starts after the data is loaded and finds them settled
// (where a runner is already going, as under `bench --self`, the gateway's
// idempotency by instruction makes the two sends one payment).
func loadDemoClaims(ctx context.Context, svc serviceForDemo, ds *demo.Dataset, staffIDs map[string]string, out io.Writer) error {
	if s, ok := svc.(*service.Service); ok && (s.Files == "" || s.Payments == nil) {
		// Documents need the attachment directory, payments the gateway
		// (a bare service, as in some tests).
		return nil
	}
	today := beijingToday()
	names := map[string]string{}
	for _, c := range ds.Customers {
		names[c.ID] = c.Name
	}
	// Medical policies in force, past their first 150 days so that a claim
	// some weeks back is not flagged as early, one per policyholder.
	var pols []*anxin.Policy
	seen := map[string]bool{}
	for _, p := range ds.Policies {
		if p.ProductCode == "HLTH-MED" && p.Status == anxin.PolicyInForce && p.PolicyholderID == p.InsuredID && !seen[p.PolicyholderID] &&
			!p.EffectiveDate.After(today.AddDays(-150)) && (p.ExpiryDate.IsZero() || p.ExpiryDate.After(today)) {
			seen[p.PolicyholderID] = true
			pols = append(pols, p)
		}
	}
	if len(pols) < 3 {
		fmt.Fprintf(out, "Demo claims: none (only %d medical policies fit).\n", len(pols))
		return nil
	}
	display := map[string]string{}
	for _, st := range ds.Staff {
		display[st.Username] = st.DisplayName
	}
	staff := func(username string, role anxin.Role) anxin.Actor {
		return anxin.Actor{Kind: "staff", ID: staffIDs[username], Name: display[username], Role: role, Channel: "demo"}
	}
	specialist := staff("claims", anxin.RoleClaims)
	r := rand.New(rand.NewPCG(demoSeed, 2))
	payout := func(p *anxin.Policy) anxin.Payout {
		if p.BankAccount != "" {
			return anxin.Payout{PayeeName: names[p.PolicyholderID], BankName: p.BankName, Account: p.BankAccount}
		}
		return anxin.Payout{PayeeName: names[p.PolicyholderID], BankName: "中国工商银行", Account: idcheck.GenerateBankCard(r)}
	}
	invoice := func(no, hospital string, amount anxin.Fen) []byte {
		return fmt.Appendf(nil, "%%PDF-1.4\n%% 医疗收费票据 No.%s %s 金额 %s\n%%%%EOF\n", no, hospital, amount)
	}
	docs := func(no, hospital, diagnosis string, amount anxin.Fen, inpatient bool) []service.ClaimDocument {
		d := []service.ClaimDocument{
			{ItemCode: "invoices", Filename: "医疗费用发票.pdf", Data: invoice(no, hospital, amount)},
			{ItemCode: "expense_list", Filename: "费用清单.txt", Data: fmt.Appendf(nil, "%s 费用清单（票据号 %s）\n合计 %s\n", hospital, no, amount)},
			{ItemCode: "diagnosis", Filename: "诊断证明.txt", Data: fmt.Appendf(nil, "%s 诊断证明（票据号 %s）\n诊断：%s\n", hospital, no, diagnosis)},
		}
		if inpatient {
			d = append(d, service.ClaimDocument{ItemCode: "discharge_summary", Filename: "出院小结.txt", Data: fmt.Appendf(nil, "%s 出院小结（票据号 %s）\n入院诊断：%s；经治疗好转出院。\n", hospital, no, diagnosis)})
		}
		return d
	}
	report := func(actor anxin.Actor, p *anxin.Policy, ch anxin.Channel, daysAgo int, place, desc, setting string, amount anxin.Fen, d []service.ClaimDocument) (*anxin.Claim, error) {
		rep := &service.ClaimReport{Claim: anxin.Claim{PolicyID: p.ID, Type: anxin.ClaimMedical, Channel: ch, IncidentDate: today.AddDays(-daysAgo),
			IncidentPlace: place, Description: desc, Claimed: amount, Loss: anxin.ClaimLoss{Setting: setting, Expenses: amount}, Payout: payout(p)},
			Documents: d, Verification: anxin.Verification{Method: "security_questions", Result: "passed"}}
		if actor.Kind == "customer" {
			rep.Verification = anxin.Verification{}
		}
		c, err := svc.ReportClaim(ctx, actor, rep)
		if err != nil {
			return nil, fmt.Errorf("claim on %s (%s): %w", p.Number, desc, err)
		}
		return c, nil
	}
	pay := func(number string) error {
		f, err := svc.ClaimFileOf(ctx, specialist, number)
		if err != nil {
			return err
		}
		for _, p := range f.Payments {
			if err := svc.SendPayment(ctx, p.ID); err != nil {
				return fmt.Errorf("pay claim %s: %w", number, err)
			}
		}
		return nil
	}

	// An inpatient stay, decided by the specialist within their limit and
	// paid: ¥14,600 less the ¥10,000 annual deductible.
	first := pols[0]
	stay, err := report(specialist, first, anxin.ChannelPhone, 45, "北京大学第三医院", "住院：急性胆囊炎，腹腔镜胆囊切除术", anxin.SettingInpatient, 14_600_00,
		docs("11010026001", "北京大学第三医院", "急性胆囊炎", 14_600_00, true))
	if err != nil {
		return err
	}
	if _, err := svc.DecideClaim(ctx, specialist, stay.Number, service.DecisionInput{Outcome: anxin.OutcomePay}); err != nil {
		return fmt.Errorf("decide claim %s: %w", stay.Number, err)
	}
	if err := pay(stay.Number); err != nil {
		return err
	}
	// The same policyholder's outpatient visit, reported in the app: the
	// fast track decides, approves and pays it with no person in between.
	self := anxin.Actor{Kind: "customer", ID: first.PolicyholderID, Name: names[first.PolicyholderID], Channel: "self"}
	visit, err := report(self, first, anxin.ChannelApp, 6, "北京大学第三医院", "门诊复查：术后伤口换药", anxin.SettingOutpatient, 420_00,
		docs("11010026002", "北京大学第三医院", "胆囊切除术后复查", 420_00, false))
	if err != nil {
		return err
	}
	if !visit.FastTrack {
		return fmt.Errorf("demo claim %s was not fast-tracked: %+v %+v", visit.Number, visit.FastTrackCheck, visit.RiskFlags)
	}
	if err := pay(visit.Number); err != nil {
		return err
	}
	// An invoice already sent with the first claim: flagged, complex, in
	// review for a person.
	flagged, err := report(specialist, pols[1], anxin.ChannelCounter, 20, "北京大学第三医院", "住院：急性阑尾炎，阑尾切除术", anxin.SettingInpatient, 23_800_00,
		append([]service.ClaimDocument{{ItemCode: "invoices", Filename: "住院发票.pdf", Data: invoice("11010026001", "北京大学第三医院", 14_600_00)}},
			docs("11010026107", "北京大学第三医院", "急性阑尾炎", 23_800_00, true)[1:]...))
	if err != nil {
		return err
	}
	// ¥36,000 of hospital bills: ¥26,000 to pay after the deductible, above
	// the specialist's ¥10,000, so a supervisor approves.
	big, err := report(specialist, pols[2], anxin.ChannelPhone, 12, "上海交通大学医学院附属瑞金医院", "住院：腰椎间盘突出症，椎间孔镜手术", anxin.SettingInpatient, 36_000_00,
		docs("31010026233", "上海交通大学医学院附属瑞金医院", "腰椎间盘突出症", 36_000_00, true))
	if err != nil {
		return err
	}
	pending, err := svc.DecideClaim(ctx, specialist, big.Number, service.DecisionInput{Outcome: anxin.OutcomePay})
	if err != nil {
		return fmt.Errorf("decide claim %s: %w", big.Number, err)
	}
	fmt.Fprintf(out, "Demo claims: %s paid, %s fast-tracked and paid, %s flagged (%d) in review, %s waiting for approval of %s.\n",
		stay.Number, visit.Number, flagged.Number, len(flagged.RiskFlags), big.Number, pending.Payable)
	return nil
}

type serviceForDemo interface {
	PutProduct(ctx context.Context, a anxin.Actor, p *anxin.Product) error
	CreateCustomer(ctx context.Context, a anxin.Actor, c *anxin.Customer) error
	CreatePolicy(ctx context.Context, a anxin.Actor, p *anxin.Policy) ([]anxin.FieldError, error)
	CreateStaff(ctx context.Context, a anxin.Actor, s *anxin.Staff, password string) error
	PutTeam(ctx context.Context, a anxin.Actor, t store.Team) error
	PutAgent(ctx context.Context, a anxin.Actor, ag store.Agent) error
	CreateTicket(ctx context.Context, a anxin.Actor, t *anxin.Ticket, opt service.CreateOptions) error
	MoveTicket(ctx context.Context, a anxin.Actor, number string, to anxin.Stage, opt service.MoveOptions) (*anxin.Ticket, error)
	ReportClaim(ctx context.Context, a anxin.Actor, r *service.ClaimReport) (*anxin.Claim, error)
	DecideClaim(ctx context.Context, a anxin.Actor, key string, in service.DecisionInput) (*anxin.ClaimDecision, error)
	ClaimFileOf(ctx context.Context, a anxin.Actor, key string) (*service.ClaimFile, error)
	SendPayment(ctx context.Context, paymentID string) error
}

func roleName(r anxin.Role) string {
	for _, x := range anxin.Roles {
		if x.Role == r {
			return x.Name + " / " + x.NameEN
		}
	}
	return string(r)
}
