package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// ticketFixture is the ticket service over a real database, a clock the
// test moves, three teams and a few agents on a 09:00–18:00 shift.
type ticketFixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *service.Service
	db    *store.DB
	now   atomic.Int64
	admin anxin.Actor
	staff map[string]anxin.Actor
}

// Wednesday 25 November 2026, 10:00 in Beijing: a working day, on shift.
var ticketT0 = time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)

func newTicketFixture(t *testing.T, db *store.DB) *ticketFixture {
	t.Helper()
	f := &ticketFixture{t: t, ctx: context.Background(), db: db, staff: map[string]anxin.Actor{}}
	f.now.Store(ticketT0.UnixNano())
	db.Now = func() time.Time { return time.Unix(0, f.now.Load()).UTC() }
	f.svc = service.New(db, slog.New(slog.DiscardHandler), nil)
	f.svc.Files = t.TempDir()
	if err := f.svc.SeedCalendar(f.ctx, 2025, 2026); err != nil {
		t.Fatal(err)
	}
	f.admin = anxin.SystemActor("test")
	f.person("sup", anxin.RoleSupervisor)
	for _, team := range []string{"service", "claims", "complaints", "policy_change", "supervisors"} {
		if err := f.svc.PutTeam(f.ctx, f.admin, store.Team{Code: team, Name: team, SupervisorID: f.staff["sup"].ID}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *ticketFixture) advance(d time.Duration) { f.now.Add(int64(d)) }
func (f *ticketFixture) clock() time.Time        { return time.Unix(0, f.now.Load()).UTC() }

// person creates a staff member.
func (f *ticketFixture) person(name string, role anxin.Role) anxin.Actor {
	f.t.Helper()
	st := &anxin.Staff{Username: name, DisplayName: "员工" + name, Role: role, Active: true}
	if err := f.db.InTx(f.ctx, func(tx *store.Tx) error { return tx.CreateStaff(f.ctx, st, "x") }); err != nil {
		f.t.Fatal(err)
	}
	a := anxin.Actor{Kind: "staff", ID: st.ID, Name: st.DisplayName, Role: role, Channel: "console"}
	f.staff[name] = a
	return a
}

// agent creates a staff member who takes tickets in team.
func (f *ticketFixture) agent(name, team string, capacity int, skills ...string) anxin.Actor {
	f.t.Helper()
	a := f.person(name, anxin.RoleCSR)
	if err := f.svc.PutAgent(f.ctx, f.admin, store.Agent{StaffID: a.ID, Team: team, Skills: skills, Capacity: capacity,
		Availability: "available", ShiftDays: "working_days", ShiftStart: "09:00", ShiftEnd: "18:00"}); err != nil {
		f.t.Fatal(err)
	}
	return a
}

var customerSeq atomic.Int64

func (f *ticketFixture) customer() *anxin.Customer {
	f.t.Helper()
	n := customerSeq.Add(1)
	c := &anxin.Customer{Name: "张三", IDNumber: idNumber(n), Mobiles: []string{fmt.Sprintf("1380013%04d", n)}, Email: fmt.Sprintf("c%d@example.cn", n)}
	if err := f.svc.CreateCustomer(f.ctx, f.admin, c); err != nil {
		f.t.Fatal(err)
	}
	return c
}

// idNumber makes a valid resident ID for 1990-01-01 with sequence n.
func idNumber(n int64) string {
	base := fmt.Sprintf("11010119900101%03d", n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(base[i]-'0') * w
	}
	return base + string("10X98765432"[sum%11])
}

func (f *ticketFixture) create(actor anxin.Actor, t *anxin.Ticket, opt service.CreateOptions) *anxin.Ticket {
	f.t.Helper()
	if err := f.svc.CreateTicket(f.ctx, actor, t, opt); err != nil {
		f.t.Fatalf("create ticket: %v", err)
	}
	return t
}

func (f *ticketFixture) get(number string) *anxin.Ticket {
	f.t.Helper()
	t, err := f.svc.Ticket(f.ctx, f.admin, number)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f *ticketFixture) events(number string, kind anxin.EventKind) []anxin.TicketEvent {
	f.t.Helper()
	evs, err := f.svc.TicketTimeline(f.ctx, f.admin, number)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []anxin.TicketEvent
	for _, e := range evs {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func beijing(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestTicketLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		csr := f.agent("li", "service", 5)
		c := f.customer()
		tk := f.create(csr, &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelPhone, Subject: "保单何时生效", CustomerID: c.ID,
			Verification: anxin.Verification{Method: "security_questions", Result: "passed"}}, service.CreateOptions{})
		if !anxin.TicketNumberPattern.MatchString(tk.Number) || !strings.HasPrefix(tk.Number, "GD20261125") {
			t.Fatalf("number %q", tk.Number)
		}
		if tk.OwnerID != csr.ID || tk.Team != "service" || tk.RoutingRule != "default" {
			t.Fatalf("routed to %q/%q by %q", tk.OwnerID, tk.Team, tk.RoutingRule)
		}
		// The standard policy: respond within 1 working day, resolve within
		// 3, each to the end of the day in Beijing.
		if tk.SLAPolicy != "standard" || !tk.ResponseDue.Equal(beijing("2026-11-26 23:59:59")) || !tk.ResolutionDue.Equal(beijing("2026-11-30 23:59:59")) {
			t.Fatalf("policy %s response %v resolution %v", tk.SLAPolicy, tk.ResponseDue, tk.ResolutionDue)
		}
		if tk.Verification.By == "" || tk.Verification.At.IsZero() {
			t.Errorf("verification not attributed: %+v", tk.Verification)
		}
		notices, err := f.svc.TicketNotices(f.ctx, f.admin, tk.Number)
		if err != nil || len(notices) != 2 || notices[0].Template != "ticket_received" {
			t.Fatalf("receipt notices %v %+v", err, notices)
		}
		if !strings.Contains(notices[0].Body, tk.Number) {
			t.Errorf("receipt does not quote the number: %q", notices[0].Body)
		}

		// Illegal moves are refused and change nothing.
		if _, err := f.svc.MoveTicket(f.ctx, csr, tk.Number, anxin.StageClosed, service.MoveOptions{}); anxin.ErrorCode(err) != anxin.EConflict {
			t.Fatalf("received → closed: %v", err)
		}
		if _, err := f.svc.MoveTicket(f.ctx, csr, tk.Number, anxin.StageInProgress, service.MoveOptions{}); anxin.ErrorCode(err) != anxin.EConflict {
			t.Fatalf("received → in progress without acknowledging: %v", err)
		}
		if got := f.get(tk.Number); got.Stage != anxin.StageReceived || got.Version != 1 {
			t.Fatalf("a refused move changed the ticket: %s v%d", got.Stage, got.Version)
		}

		f.advance(30 * time.Minute)
		mv := func(to anxin.Stage, msg string) *anxin.Ticket {
			t.Helper()
			got, err := f.svc.MoveTicket(f.ctx, csr, tk.Number, to, service.MoveOptions{Message: msg})
			if err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
			return got
		}
		got := mv(anxin.StageAcknowledged, "")
		if !got.RespondedAt.Equal(f.clock()) {
			t.Errorf("responded at %v", got.RespondedAt)
		}
		mv(anxin.StageInProgress, "")
		got = mv(anxin.StageWaiting, "请提供保单号")
		if got.PausedAt.IsZero() {
			t.Fatal("waiting did not pause the clock")
		}
		// Two working days pass (Thu 26, Fri 27); the customer answers on Monday.
		f.advance(5 * 24 * time.Hour)
		if _, err := f.svc.AddMessage(f.ctx, anxin.Actor{Kind: "customer", ID: c.ID, Channel: "self"}, tk.Number, "", "保单号是 P123", anxin.ChannelWebsite); err != nil {
			t.Fatal(err)
		}
		got = f.get(tk.Number)
		if got.Stage != anxin.StageInProgress || !got.PausedAt.IsZero() {
			t.Fatalf("the customer's reply did not resume: %s paused %v", got.Stage, got.PausedAt)
		}
		// Paused Wed 10:30 → Mon 10:30: Thu, Fri and Mon are three working
		// days covered, so the deadline moves three working days on.
		if !got.ResolutionDue.Equal(beijing("2026-12-03 23:59:59")) {
			t.Errorf("resolution due after pause = %v", got.ResolutionDue.In(time.FixedZone("CST", 8*3600)))
		}
		if _, err := f.svc.MoveTicket(f.ctx, csr, tk.Number, anxin.StageResolved, service.MoveOptions{}); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("resolving without a result: %v", err)
		}
		mv(anxin.StageResolved, "保单已于 11 月 1 日零时生效")
		agents, _ := f.svc.Agents(f.ctx, f.admin, "service")
		if agents[0].OpenTickets != 0 {
			t.Errorf("resolved ticket still counts against the owner: %d", agents[0].OpenTickets)
		}
		if _, err := f.svc.RateTicket(f.ctx, anxin.Actor{Kind: "customer", ID: c.ID}, tk.Number, 5, "很好"); err != nil {
			t.Fatal(err)
		}
		got = f.get(tk.Number)
		if got.Stage != anxin.StageClosed || got.Satisfaction != 5 {
			t.Fatalf("after rating: %s %d", got.Stage, got.Satisfaction)
		}
		stages := f.events(tk.Number, anxin.EventStage)
		if len(stages) != 6 {
			t.Errorf("stage events = %d, want 6", len(stages))
		}
		// The customer sees their own ticket, without internal notes.
		if _, err := f.svc.AddMessage(f.ctx, csr, tk.Number, service.MessageNote, "内部备注", ""); err != nil {
			t.Fatal(err)
		}
		pub, err := f.svc.TicketTimeline(f.ctx, anxin.Actor{Kind: "customer", ID: c.ID}, tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range pub {
			if e.Kind == anxin.EventNote {
				t.Error("the customer sees an internal note")
			}
		}
		other := f.customer()
		if _, err := f.svc.Ticket(f.ctx, anxin.Actor{Kind: "customer", ID: other.ID}, tk.Number); anxin.ErrorCode(err) != anxin.ENotFound {
			t.Errorf("another customer reads the ticket: %v", err)
		}
	})
}

func TestRoutingAndQueues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		a := f.agent("a", "service", 1)
		b := f.agent("b", "service", 1)
		claims := f.agent("cl", "claims", 3)
		c := f.customer()
		mk := func(typ anxin.TicketType, lang string) *anxin.Ticket {
			return f.create(f.admin, &anxin.Ticket{Type: typ, Channel: anxin.ChannelAPI, Subject: "问题", CustomerID: c.ID, Language: lang}, service.CreateOptions{})
		}
		t1, t2 := mk(anxin.TypeEnquiry, "zh"), mk(anxin.TypeEnquiry, "zh")
		eng := f.agent("e", "service", 2, "english")
		owners := map[string]bool{t1.OwnerID: true, t2.OwnerID: true}
		if len(owners) != 2 || t1.OwnerID == "" || t2.OwnerID == "" {
			t.Fatalf("two tickets did not go to two agents: %q %q", t1.OwnerID, t2.OwnerID)
		}
		en := mk(anxin.TypeEnquiry, "en")
		if en.OwnerID != eng.ID || en.RoutingRule != "english" {
			t.Fatalf("English ticket went to %q by %q", en.OwnerID, en.RoutingRule)
		}
		cl := mk(anxin.TypeClaimAssistance, "zh")
		if cl.OwnerID != claims.ID || cl.Team != "claims" {
			t.Fatalf("claim went to %q/%q", cl.OwnerID, cl.Team)
		}
		if items, _ := f.svc.Checklist(f.ctx, f.admin, cl.Number); len(items) != 5 {
			t.Errorf("claim assistance checklist has %d items", len(items))
		}
		// e has room for one more; then everyone is full and the next waits.
		t3 := mk(anxin.TypeEnquiry, "zh")
		t4 := mk(anxin.TypeEnquiry, "zh")
		if t3.OwnerID != eng.ID || t4.OwnerID != "" {
			t.Fatalf("t3 → %q, t4 → %q (want e, queue)", t3.OwnerID, t4.OwnerID)
		}
		q, err := f.svc.FindTickets(f.ctx, f.admin, anxin.TicketFilter{Queue: "unassigned", Team: "service"})
		if err != nil || len(q) != 1 || q[0].Number != t4.Number {
			t.Fatalf("unassigned queue: %v %d", err, len(q))
		}
		// The moment a's ticket is resolved, the queued one is a's.
		first := t1
		if t1.OwnerID != a.ID {
			first = t2
		}
		owner := f.staff["a"]
		for _, st := range []anxin.Stage{anxin.StageAcknowledged, anxin.StageResolved} {
			if _, err := f.svc.MoveTicket(f.ctx, owner, first.Number, st, service.MoveOptions{Message: "已答复"}); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.get(t4.Number); got.OwnerID != a.ID {
			t.Fatalf("queued ticket after a freed capacity: owner %q", got.OwnerID)
		}
		// Away agents get nothing; becoming available takes queued work.
		if err := f.svc.SetAvailability(f.ctx, b, b.ID, "away"); err != nil {
			t.Fatal(err)
		}
		var bTicket *anxin.Ticket
		for _, x := range []*anxin.Ticket{t1, t2} {
			if x.OwnerID == b.ID {
				bTicket = x
			}
		}
		if _, err := f.svc.TransferTicket(f.ctx, b, bTicket.Number, a.ID, ""); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("transfer without a reason: %v", err)
		}
		if _, err := f.svc.TransferTicket(f.ctx, b, bTicket.Number, a.ID, "下班前移交"); err != nil {
			t.Fatal(err)
		}
		t5 := mk(anxin.TypeEnquiry, "zh")
		if t5.OwnerID != "" {
			t.Fatalf("t5 went to %q though everyone is full or away", t5.OwnerID)
		}
		if err := f.svc.SetAvailability(f.ctx, b, b.ID, "available"); err != nil {
			t.Fatal(err)
		}
		if got := f.get(t5.Number); got.OwnerID != b.ID {
			t.Fatalf("b became available but t5 is with %q", got.OwnerID)
		}
		if tr := f.events(bTicket.Number, anxin.EventTransferred); len(tr) != 1 || tr[0].Body != "下班前移交" {
			t.Errorf("transfer history: %+v", tr)
		}
		// A CSR may not hand over a colleague's ticket; a supervisor may.
		if _, err := f.svc.TransferTicket(f.ctx, b, t3.Number, b.ID, "帮忙"); anxin.ErrorCode(err) != anxin.EForbidden {
			t.Errorf("CSR moved a colleague's ticket: %v", err)
		}
		if _, err := f.svc.TransferTicket(f.ctx, f.staff["sup"], t3.Number, b.ID, "平衡工作量"); err != nil {
			t.Errorf("supervisor transfer: %v", err)
		}
	})
}

func TestAdvisorAndShifts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		f.agent("a", "service", 5)
		adv := f.agent("adv", "claims", 5)
		vip := f.customer()
		if err := f.svc.SetAdvisor(f.ctx, f.admin, vip.ID, adv.ID); err != nil {
			t.Fatal(err)
		}
		tk := f.create(f.admin, &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelApp, Subject: "咨询", CustomerID: vip.ID}, service.CreateOptions{})
		if tk.OwnerID != adv.ID {
			t.Fatalf("VIP ticket went to %q, not the advisor", tk.OwnerID)
		}
		// 20:00 Beijing: off shift, nobody is assigned.
		f.advance(10 * time.Hour)
		late := f.create(f.admin, &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelApp, Subject: "夜间咨询", CustomerID: f.customer().ID}, service.CreateOptions{})
		if late.OwnerID != "" {
			t.Fatalf("off-shift agent %q took a ticket at 20:00", late.OwnerID)
		}
		// Next morning the shift starts and the drain assigns it.
		f.advance(13 * time.Hour)
		if n, err := f.svc.DrainQueues(f.ctx); err != nil || n != 1 {
			t.Fatalf("drain: %d %v", n, err)
		}
		if got := f.get(late.Number); got.OwnerID != f.staff["a"].ID {
			t.Fatalf("after the shift began: owner %q", got.OwnerID)
		}
		// First-contact ownership: the CSR who takes the call keeps it.
		taker := f.person("taker", anxin.RoleCSR)
		own := f.create(taker, &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelCounter, Subject: "柜面咨询", CustomerID: f.customer().ID}, service.CreateOptions{AssignToMe: true})
		if own.OwnerID != taker.ID || own.ReceivedBy != taker.ID {
			t.Fatalf("first-contact owner %q received by %q", own.OwnerID, own.ReceivedBy)
		}
	})
}

func TestSLAWarningsFireOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		owner := f.agent("a", "service", 5)
		tk := f.create(f.admin, &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelEmail, Subject: "邮件咨询",
			Contact: anxin.Contact{Email: "someone@example.cn"}}, service.CreateOptions{})
		if tk.SLAPolicy != "email" || !tk.ResponseDue.Equal(ticketT0.Add(2*time.Hour)) || !tk.ResolutionDue.Equal(ticketT0.Add(24*time.Hour)) {
			t.Fatalf("email policy: %s %v %v", tk.SLAPolicy, tk.ResponseDue, tk.ResolutionDue)
		}
		process := func() {
			t.Helper()
			if err := f.svc.ProcessSLA(f.ctx, tk.ID); err != nil {
				t.Fatal(err)
			}
		}
		process() // nothing is due yet
		if w := f.events(tk.Number, anxin.EventSLAWarning); len(w) != 0 {
			t.Fatalf("early warnings: %d", len(w))
		}
		// One hour before the 2-hour response deadline comes first. Four
		// workers racing on it (two nodes, a retried job) send one warning,
		// to the owner only.
		f.advance(60 * time.Minute)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- f.svc.ProcessSLA(f.ctx, tk.ID)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil && anxin.ErrorCode(err) != anxin.EConflict {
				t.Fatal(err)
			}
		}
		process()
		w := f.events(tk.Number, anxin.EventSLAWarning)
		if len(w) != 1 || w[0].Data["target"] != "response" || w[0].Data["point"] != "warn60m" || w[0].Data["escalated_to"] != "" {
			t.Fatalf("warnings after 60 min: %+v", w)
		}
		warnings := func(a anxin.Actor) int {
			notes, _ := f.svc.Notifications(f.ctx, a, true)
			n := 0
			for _, x := range notes {
				if x.Kind == string(anxin.EventSLAWarning) {
					n++
				}
			}
			return n
		}
		if warnings(owner) != 1 || warnings(f.staff["sup"]) != 0 {
			t.Fatalf("after the first warning: owner %d, supervisor %d", warnings(owner), warnings(f.staff["sup"]))
		}
		// 80% of the time (96 minutes) is the last warning: the supervisor
		// hears of it too.
		f.advance(36 * time.Minute)
		process()
		if warnings(owner) != 2 || warnings(f.staff["sup"]) != 1 {
			t.Fatalf("after the 80%% warning: owner %d, supervisor %d", warnings(owner), warnings(f.staff["sup"]))
		}
		// Past the deadline: a breach, the supervisor is told and joins.
		f.advance(25 * time.Minute)
		process()
		got := f.get(tk.Number)
		if !got.ResponseBreach || got.ResolveBreach {
			t.Fatalf("breach flags: response %v resolution %v", got.ResponseBreach, got.ResolveBreach)
		}
		if len(got.Collaborators) != 1 || got.Collaborators[0] != f.staff["sup"].ID {
			t.Errorf("supervisor not escalated to: %v", got.Collaborators)
		}
		supNotes, _ := f.svc.Notifications(f.ctx, f.staff["sup"], true)
		if len(supNotes) == 0 {
			t.Error("the supervisor was not told of the breach")
		}
		breached, _ := f.svc.FindTickets(f.ctx, f.admin, anxin.TicketFilter{Queue: "breached"})
		if len(breached) != 1 {
			t.Errorf("breached queue: %d", len(breached))
		}
	})
}

func TestTicketValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		c := f.customer()
		other := f.customer()
		cases := []struct {
			name  string
			t     anxin.Ticket
			field string
		}{
			{"no subject", anxin.Ticket{Type: "enquiry", Channel: "phone", CustomerID: c.ID}, "subject"},
			{"bad channel", anxin.Ticket{Type: "enquiry", Channel: "pigeon", Subject: "x", CustomerID: c.ID}, "channel"},
			{"bad type", anxin.Ticket{Type: "nonsense", Channel: "phone", Subject: "x", CustomerID: c.ID}, "type"},
			{"bad urgency", anxin.Ticket{Type: "enquiry", Channel: "phone", Subject: "x", CustomerID: c.ID, Urgency: "asap"}, "urgency"},
			{"nobody to answer", anxin.Ticket{Type: "enquiry", Channel: "phone", Subject: "x"}, "customer_id"},
			{"bad mobile", anxin.Ticket{Type: "enquiry", Channel: "phone", Subject: "x", Contact: anxin.Contact{Mobile: "123"}}, "contact.mobile"},
			{"unknown customer", anxin.Ticket{Type: "enquiry", Channel: "phone", Subject: "x", CustomerID: "nope"}, "customer_id"},
			{"bad verification", anxin.Ticket{Type: "enquiry", Channel: "phone", Subject: "x", CustomerID: c.ID, Verification: anxin.Verification{Method: "vibes"}}, "verification.method"},
		}
		for _, tc := range cases {
			err := f.svc.CreateTicket(f.ctx, f.admin, &tc.t, service.CreateOptions{})
			ae, ok := err.(*anxin.Error)
			if !ok || ae.Code != anxin.EInvalid || len(ae.Fields) == 0 || ae.Fields[0].Field != tc.field {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		_ = other
		tickets, _ := f.svc.FindTickets(f.ctx, f.admin, anxin.TicketFilter{})
		if len(tickets) != 0 {
			t.Errorf("invalid tickets were stored: %d", len(tickets))
		}
		auditor := anxin.Actor{Kind: "staff", ID: "x", Role: anxin.RoleAuditor}
		if err := f.svc.CreateTicket(f.ctx, auditor, &anxin.Ticket{Type: "enquiry", Channel: "phone", Subject: "x", CustomerID: c.ID}, service.CreateOptions{}); anxin.ErrorCode(err) != anxin.EForbidden {
			t.Errorf("auditor created a ticket: %v", err)
		}
	})
}

func TestChecklistAndAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		csr := f.agent("cl", "claims", 5)
		c := f.customer()
		tk := f.create(csr, &anxin.Ticket{Type: anxin.TypeClaimAssistance, Channel: anxin.ChannelPhone, Subject: "住院理赔", CustomerID: c.ID}, service.CreateOptions{})
		if _, err := f.svc.MoveTicket(f.ctx, csr, tk.Number, anxin.StageAcknowledged, service.MoveOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetChecklistItem(f.ctx, csr, tk.Number, "invoices", anxin.ItemRejected, ""); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("reject without reason: %v", err)
		}
		if _, err := f.svc.SetChecklistItem(f.ctx, csr, tk.Number, "invoices", anxin.ItemRejected, "发票模糊不清"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetChecklistItem(f.ctx, csr, tk.Number, "nope", anxin.ItemReceived, ""); anxin.ErrorCode(err) != anxin.ENotFound {
			t.Fatalf("unknown item: %v", err)
		}
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		a, err := f.svc.AddAttachment(f.ctx, anxin.Actor{Kind: "customer", ID: c.ID}, tk.Number, "../../身份证.pdf", "id_proof", pdf)
		if err != nil {
			t.Fatal(err)
		}
		if a.Filename != "身份证.pdf" || a.ContentType != "application/pdf" {
			t.Errorf("attachment %+v", a)
		}
		if _, err := f.svc.AddAttachment(f.ctx, csr, tk.Number, "x.exe", "", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00")); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Errorf("an executable was accepted: %v", err)
		}
		_, data, err := f.svc.AttachmentContent(f.ctx, csr, tk.Number, a.ID)
		if err != nil || string(data) != string(pdf) {
			t.Fatalf("read back: %v", err)
		}
		missing, err := f.svc.NotifyMissing(f.ctx, csr, tk.Number)
		if err != nil {
			t.Fatal(err)
		}
		// id_proof arrived; four items remain, the rejected one with its reason.
		if len(missing) != 4 || !strings.Contains(strings.Join(missing, ","), "发票模糊不清") {
			t.Fatalf("missing = %v", missing)
		}
		got := f.get(tk.Number)
		if got.Stage != anxin.StageWaiting {
			t.Errorf("after asking for documents the ticket is %s", got.Stage)
		}
		ns, _ := f.svc.TicketNotices(f.ctx, f.admin, tk.Number)
		var asks []string
		for _, n := range ns {
			if n.Template == "documents_missing" && n.Channel == "email" {
				asks = append(asks, n.Body)
			}
		}
		if len(asks) != 1 || strings.Count(asks[0], "·") != 4 {
			t.Errorf("one notice listing everything: %q", asks)
		}
	})
}

func TestProgressLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTicketFixture(t, db)
		f.agent("a", "service", 5)
		c := f.customer()
		tk := f.create(f.admin, &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelWeChat, Subject: "咨询", CustomerID: c.ID}, service.CreateOptions{})
		last4 := c.Mobiles[0][7:]
		p, err := f.svc.LookupProgress(f.ctx, "10.0.0.1", strings.ToLower(tk.Number), last4)
		if err != nil {
			t.Fatal(err)
		}
		if p.Number != tk.Number || p.Stage != anxin.StageReceived || p.OwnerName == "" || !p.ExpectedBy.Equal(tk.ResolutionDue) {
			t.Fatalf("progress %+v", p)
		}
		_, wrongPhone := f.svc.LookupProgress(f.ctx, "10.0.0.1", tk.Number, "0000")
		_, wrongNumber := f.svc.LookupProgress(f.ctx, "10.0.0.1", "GD20261125999999", last4)
		if anxin.ErrorCode(wrongPhone) != anxin.ENotFound || wrongPhone.Error() != wrongNumber.Error() {
			t.Fatalf("wrong phone %v / wrong number %v must look alike", wrongPhone, wrongNumber)
		}
		var limited error
		for range 20 {
			if _, err := f.svc.LookupProgress(f.ctx, "10.0.0.2", tk.Number, "1111"); anxin.ErrorCode(err) == anxin.ERateLimited {
				limited = err
				break
			}
		}
		if limited == nil {
			t.Fatal("guessing the four digits is not rate limited")
		}
	})
}

func moveMsg(m string) service.MoveOptions { return service.MoveOptions{Message: m} }
