package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
	"github.com/anxin-insure/anxin/web"
)

// ticketConsole is the console fixture with the ticket desk set up: teams,
// three more staff, agents on an all-day shift, and four tickets in the
// states the queues sort by, on a clock the test moves.
type ticketConsole struct {
	*consoleFixture
	clock *atomic.Int64 // Unix nanoseconds
	staff map[string]anxin.Actor

	mine   *anxin.Ticket // the CSR's own phone enquiry (first-contact ownership)
	late   *anxin.Ticket // an email enquiry routed to csr2, past its resolution deadline
	queued *anxin.Ticket // a claim with no claims agent: waits in the queue
	soon   *anxin.Ticket // an emergency routed to the supervisor, due within hours
}

const (
	ticketCSR2       = "csr2"
	ticketSupervisor = "supervisor"
)

func ticketConsoleSetup(t *testing.T, engine string) *ticketConsole {
	t.Helper()
	ctx := context.Background()
	clock := &atomic.Int64{}
	clock.Store(consoleFixedNow().UnixNano())
	f := consoleSetup(t, engine, func() time.Time { return time.Unix(0, clock.Load()).UTC() })
	f.svc.Files = t.TempDir()
	tc := &ticketConsole{consoleFixture: f, clock: clock, staff: map[string]anxin.Actor{}}
	admin := anxin.SystemActor("test")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []*anxin.Staff{
		{Username: ticketCSR2, DisplayName: "客服-王磊", Role: anxin.RoleCSR},
		{Username: ticketSupervisor, DisplayName: "主管-赵敏", Role: anxin.RoleSupervisor},
	} {
		must(f.svc.CreateStaff(ctx, admin, st, consolePassword))
	}
	for _, name := range []string{consoleUser, ticketCSR2, ticketSupervisor} {
		st, err := f.svc.DB.StaffByUsername(ctx, nil, name)
		must(err)
		tc.staff[name] = anxin.Actor{Kind: "staff", ID: st.ID, Name: st.Username, Role: st.Role, Channel: "console"}
	}
	sup := tc.staff[ticketSupervisor].ID
	for _, team := range []store.Team{
		{Code: "service", Name: "客服组", NameEN: "Customer service", SupervisorID: sup},
		{Code: "claims", Name: "理赔组", NameEN: "Claims", SupervisorID: sup},
		{Code: "complaints", Name: "投诉组", NameEN: "Complaints", SupervisorID: sup},
		{Code: "policy_change", Name: "保全组", NameEN: "Policy changes", SupervisorID: sup},
		{Code: "supervisors", Name: "服务主管组", NameEN: "Supervisors", SupervisorID: sup},
	} {
		must(f.svc.PutTeam(ctx, admin, team))
	}
	for _, a := range []store.Agent{
		{StaffID: tc.staff[consoleUser].ID, Team: "service", Skills: []string{"english"}, Capacity: 10},
		{StaffID: tc.staff[ticketCSR2].ID, Team: "service", Skills: []string{"auto"}, Capacity: 10},
		{StaffID: sup, Team: "supervisors", Capacity: 20},
	} {
		a.Availability, a.ShiftDays, a.ShiftStart, a.ShiftEnd = "available", "every_day", "00:00", "00:00"
		must(f.svc.PutAgent(ctx, admin, a))
	}
	health, err := f.svc.Policy(ctx, admin, f.health)
	must(err)
	create := func(actor anxin.Actor, tk *anxin.Ticket, mine bool) *anxin.Ticket {
		t.Helper()
		must(f.svc.CreateTicket(ctx, actor, tk, service.CreateOptions{AssignToMe: mine}))
		return tk
	}
	tc.mine = create(tc.staff[consoleUser], &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelPhone, Subject: "询问保单生效日期",
		Description: "客户来电询问医疗险何时生效。", CustomerID: f.holder.ID, PolicyID: health.ID,
		Verification: anxin.Verification{Method: "security_questions", Result: "passed"}}, true)
	// A minute apart, so that "newest first" is one order. The CSR now has
	// one open ticket, so routing gives the next enquiry to csr2.
	tc.advance(time.Minute)
	tc.late = create(admin, &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelEmail, Subject: "邮件咨询续期缴费", CustomerID: f.holder.ID}, false)
	tc.advance(time.Minute)
	tc.queued = create(admin, &anxin.Ticket{Type: anxin.TypeClaimAssistance, Channel: anxin.ChannelApp, Subject: "住院医疗理赔材料", CustomerID: f.spouse.ID}, false)
	tc.advance(4*time.Hour - time.Minute)
	tc.soon = create(admin, &anxin.Ticket{Type: anxin.TypeEmergency, Channel: anxin.ChannelApp, Urgency: anxin.UrgencyUrgent, Subject: "高速事故需要救援", CustomerID: f.spouse.ID}, false)
	// Saturday 11:01: the email's 24 hours ended an hour ago, the
	// emergency has three hours left.
	tc.advance(21 * time.Hour)
	if tc.late.OwnerID != tc.staff[ticketCSR2].ID || tc.queued.OwnerID != "" || tc.soon.OwnerID != sup || tc.mine.OwnerID != tc.staff[consoleUser].ID {
		t.Fatalf("routing: late→%q queued→%q soon→%q mine→%q", tc.late.OwnerID, tc.queued.OwnerID, tc.soon.OwnerID, tc.mine.OwnerID)
	}
	return tc
}

func (tc *ticketConsole) advance(d time.Duration) { tc.clock.Add(int64(d)) }

// as signs a client in as one of the fixture's staff.
func (tc *ticketConsole) as(t *testing.T, username string) *consoleClient {
	t.Helper()
	c := consoleNewClient(t, tc.consoleFixture)
	if res := c.signIn(username, consolePassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", username, res.StatusCode)
	}
	return c
}

// token reads the CSRF token from a page.
func (c *consoleClient) token() string {
	c.t.Helper()
	m := consoleCSRFRe.FindStringSubmatch(c.page("/tickets"))
	if m == nil {
		c.t.Fatal("no CSRF token on /tickets")
	}
	return m[1]
}

// post sends a form with the CSRF token and returns the response.
func (c *consoleClient) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.token())
	return c.do("POST", path, form, nil)
}

// postOK posts a form and expects the redirect back to where the action
// leads.
func (c *consoleClient) postOK(path string, form url.Values, wantLocation string) {
	c.t.Helper()
	res, body := c.post(path, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != wantLocation {
		c.t.Fatalf("POST %s: %d %q, want 303 to %q\n%s", path, res.StatusCode, res.Header.Get("Location"), wantLocation, consoleSnippet(consoleMain(body)))
	}
}

// postFail posts a form and expects the page back with status.
func (c *consoleClient) postFail(path string, form url.Values, status int) string {
	c.t.Helper()
	res, body := c.post(path, form)
	if res.StatusCode != status {
		c.t.Fatalf("POST %s: status %d, want %d\n%s", path, res.StatusCode, status, consoleSnippet(consoleMain(body)))
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		c.t.Fatalf("POST %s: Content-Type %q, want a page", path, ct)
	}
	consoleCheckNoInlineCode(c.t, path, body)
	return body
}

// consoleMain is the page's main element, for messages that name what
// failed without the navigation around it.
func consoleMain(body string) string {
	if i := strings.Index(body, `<main`); i >= 0 {
		return body[i:]
	}
	return body
}

func (tc *ticketConsole) ticket(t *testing.T, number string) *anxin.Ticket {
	t.Helper()
	tk, err := tc.svc.Ticket(context.Background(), anxin.SystemActor("test"), number)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (tc *ticketConsole) countTickets(t *testing.T) int {
	t.Helper()
	ts, err := tc.svc.FindTickets(context.Background(), anxin.SystemActor("test"), anxin.TicketFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(ts)
}

func TestConsoleTickets(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			tc := ticketConsoleSetup(t, engine)
			t.Run("Render", func(t *testing.T) { ticketTestRender(t, tc) })
			t.Run("Queues", func(t *testing.T) { ticketTestQueues(t, tc) })
			t.Run("Notifications", func(t *testing.T) { ticketTestNotifications(t, tc) })
			t.Run("Intake", func(t *testing.T) { ticketTestIntake(t, tc) })
			t.Run("TicketPage", func(t *testing.T) { ticketTestPage(t, tc) })
			t.Run("StageMoves", func(t *testing.T) { ticketTestMoves(t, tc) })
			t.Run("Messages", func(t *testing.T) { ticketTestMessages(t, tc) })
			t.Run("Documents", func(t *testing.T) { ticketTestDocuments(t, tc) })
			t.Run("Owners", func(t *testing.T) { ticketTestOwners(t, tc) })
			t.Run("Agents", func(t *testing.T) { ticketTestAgents(t, tc) })
			t.Run("Customer360", func(t *testing.T) { ticketTestCustomer(t, tc) })
			t.Run("Paging", func(t *testing.T) { ticketTestPaging(t, tc) })
		})
	}
}

// ticketTestRender opens every ticket page as a CSR and as a supervisor,
// in Chinese and in English: each renders, in its language, with no
// message key left unlabelled.
func ticketTestRender(t *testing.T, tc *ticketConsole) {
	bareKey := regexp.MustCompile(`>\s*([a-z]+(\.[a-z_]+)+)\s*<`)
	pages := []string{"/tickets", "/tickets?queue=all", "/tickets/new", "/tickets/new?customer_id=" + tc.holder.ID,
		"/tickets/" + tc.mine.Number, "/tickets/" + tc.queued.Number, "/tickets/" + tc.soon.Number, "/agents", "/customers/" + tc.holder.ID}
	for _, user := range []string{consoleUser, ticketSupervisor} {
		c := tc.as(t, user)
		for _, lang := range []string{"zh", "en"} {
			for _, path := range pages {
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				body := c.page(path + sep + "lang=" + lang)
				want := map[string]string{"zh": `<html lang="zh-CN">`, "en": `<html lang="en">`}[lang]
				name := user + " " + lang + " " + path
				consoleWant(t, name, body, want, `<a href="/tickets"`)
				if m := bareKey.FindStringSubmatch(body); m != nil {
					t.Errorf("%s: unlabelled key %q", name, m[1])
				}
			}
		}
	}
}

// queueNumbers lists the ticket numbers a list page shows.
func queueNumbers(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<a class="mono strong" href="/tickets/(GD[0-9]{14})"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func wantNumbers(t *testing.T, name, body string, want ...*anxin.Ticket) {
	t.Helper()
	got := queueNumbers(body)
	var w []string
	for _, tk := range want {
		w = append(w, tk.Number)
	}
	if strings.Join(got, ",") != strings.Join(w, ",") {
		t.Errorf("%s: tickets %v, want %v", name, got, w)
	}
}

func ticketTestQueues(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)

	mine := c.page("/tickets")
	consoleWant(t, "mine", mine, "工单", `aria-current="page" data-queue="mine">我的`, ">本组<", ">即将超时<", ">已超时<", ">待分派<", ">全部<",
		"询问保单生效日期", "咨询", "电话", "普通", "已受理", "客服-李娜",
		// Wednesday's end in Beijing time, and what is left of it.
		"2026-11-25 23:59", "剩余 4 天 12 小时", `href="/tickets/new"`, `href="/agents"`,
		// the nav entry
		`<a href="/tickets" aria-current="page">工单`)
	wantNumbers(t, "mine", mine, tc.mine)

	wantNumbers(t, "team", c.page("/tickets?queue=team"), tc.late, tc.mine)
	breached := c.page("/tickets?queue=breached")
	wantNumbers(t, "breached", breached, tc.late)
	consoleWant(t, "breached", breached, "超时 1 小时 0 分", "due-late", "客服-王磊", "邮件")
	soon := c.page("/tickets?queue=due_soon")
	wantNumbers(t, "due soon", soon, tc.soon)
	consoleWant(t, "due soon", soon, "剩余 3 小时 0 分", "due-soon", "紧急事件", "特急", "主管-赵敏")
	unassigned := c.page("/tickets?queue=unassigned")
	wantNumbers(t, "unassigned", unassigned, tc.queued)
	consoleWant(t, "unassigned", unassigned, "待分派", "理赔协助", "移动应用")
	wantNumbers(t, "all", c.page("/tickets?queue=all"), tc.soon, tc.queued, tc.late, tc.mine)

	// Filters narrow any queue; their values are checked, never passed on.
	wantNumbers(t, "type", c.page("/tickets?queue=all&type=claim_assistance"), tc.queued)
	wantNumbers(t, "channel", c.page("/tickets?queue=all&channel=email"), tc.late)
	wantNumbers(t, "urgency", c.page("/tickets?queue=all&urgency=urgent"), tc.soon)
	wantNumbers(t, "tier", c.page("/tickets?queue=all&tier=gold"), tc.late, tc.mine)
	wantNumbers(t, "customer", c.page("/tickets?queue=all&customer_id="+tc.spouse.ID), tc.soon, tc.queued)
	for _, bad := range []string{"queue=everything", "type=nonsense", "channel=pigeon", "urgency=asap", "tier=platinum", "cursor=!!"} {
		res, body := c.do("GET", "/tickets?"+bad, nil, nil)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("/tickets?%s: status %d, want 422", bad, res.StatusCode)
		}
		consoleCheckNoInlineCode(t, bad, body)
	}

	// htmx asks for the list alone when a filter changes.
	res, frag := c.do("GET", "/tickets?queue=all&channel=app", nil, http.Header{"Hx-Request": {"true"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("fragment: status %d", res.StatusCode)
	}
	consoleWant(t, "fragment", frag, `id="ticket-table"`, tc.soon.Number, tc.queued.Number)
	consoleWantNot(t, "fragment", frag, "<html", "<header", tc.mine.Number, "我的通知")
	consoleWant(t, "filters", c.page("/tickets"), `hx-get="/tickets"`, `hx-target="#ticket-results"`, `<select name="channel">`, `<option value="phone">电话</option>`)

	// A staff member outside every team is told so on the tab.
	auditor := &anxin.Staff{Username: "auditor1", DisplayName: "审计-周", Role: anxin.RoleAuditor}
	if err := tc.svc.CreateStaff(context.Background(), anxin.SystemActor("test"), auditor, consolePassword); err != nil {
		t.Fatal(err)
	}
	a := tc.as(t, "auditor1")
	team := a.page("/tickets?queue=team")
	consoleWant(t, "no team", team, "您尚未加入团队")
	consoleWantNot(t, "read-only", team, `href="/tickets/new"`)

	sup := tc.as(t, ticketSupervisor)
	for _, lang := range []string{"zh", "en"} {
		body := sup.page("/tickets?queue=due_soon&lang=" + lang)
		wantNumbers(t, "supervisor "+lang, body, tc.soon)
	}
	en := c.page("/tickets?queue=breached&lang=en")
	consoleWant(t, "en", en, `lang="en"`, "Tickets", ">Mine<", ">My team<", ">Due soon<", ">Breached<", ">Unassigned<", ">All<",
		"1h 0m overdue", "Email", "Enquiry", "Resolve by", "My notifications")
	consoleWantNot(t, "en", en, "剩余", "超时", "我的")
}

func ticketTestNotifications(t *testing.T, tc *ticketConsole) {
	sup := tc.as(t, ticketSupervisor)
	body := sup.page("/tickets")
	consoleWant(t, "supervisor", body, "我的通知", "1 条未读", "工单 "+tc.soon.Number+" 已分派给您：高速事故需要救援", `href="/tickets/`+tc.soon.Number+`"`,
		`<span class="navcount" title="1 条未读通知">1</span>`, `action="/notifications/read"`, `hx-post="/notifications/read"`)
	en := sup.page("/tickets?lang=en")
	consoleWant(t, "supervisor en", en, "Ticket "+tc.soon.Number+" is now yours", "1 unread", "Mark all read")

	// htmx gets the box back, emptied of unread.
	res, frag := sup.do("POST", "/notifications/read", url.Values{"csrf_token": {consoleCSRFRe.FindStringSubmatch(body)[1]}}, http.Header{"Hx-Request": {"true"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("mark read (htmx): %d", res.StatusCode)
	}
	consoleWant(t, "read fragment", frag, `id="notifications"`, tc.soon.Number)
	consoleWantNot(t, "read fragment", frag, "<html", "条未读", `class="unread"`)
	after := sup.page("/tickets")
	consoleWantNot(t, "after reading", after, "条未读", "navcount")

	// Without JavaScript the form goes back to the queues.
	c := tc.as(t, ticketCSR2)
	consoleWant(t, "csr2", c.page("/tickets"), "工单 "+tc.late.Number+" 已分派给您")
	c.postOK("/notifications/read", nil, "/tickets")
	consoleWantNot(t, "csr2 after", c.page("/tickets"), "条未读")
}

func ticketTestIntake(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)
	blank := c.page("/tickets/new")
	consoleWant(t, "new", blank, "新建工单", `action="/tickets/new"`, `hx-get="/tickets/new"`, `action="/tickets"`, `name="subject"`,
		`<option value="phone" selected>电话</option>`, `<option value="normal" selected>普通</option>`, `name="assign_to_me"`, "首问负责制",
		`<option value="security_questions">安全问题</option>`, `name="contact.mobile"`)

	found := c.page("/tickets/new?q=" + url.QueryEscape("张伟"))
	consoleWant(t, "search", found, `href="/tickets/new?customer_id=`+tc.holder.ID+`"`, "张伟", "138****8000")
	res, frag := c.do("GET", "/tickets/new?q="+url.QueryEscape("王芳"), nil, http.Header{"Hx-Request": {"true"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("htmx search: %d", res.StatusCode)
	}
	consoleWant(t, "search fragment", frag, `id="customer-matches"`, "王芳")
	consoleWantNot(t, "search fragment", frag, "<html", "张伟", `name="subject"`)

	chosen := c.page("/tickets/new?customer_id=" + tc.holder.ID)
	consoleWant(t, "chosen", chosen, `id="chosen-customer"`, "张伟", `name="customer_id" value="`+tc.holder.ID+`"`, `name="policy_id"`,
		tc.health+" · 安心百万医疗险", tc.life+" · 安心定期寿险（20年）")
	consoleWantNot(t, "chosen", chosen, tc.auto, `name="contact.mobile"`)
	consoleWant(t, "unknown customer", c.page("/tickets/new?customer_id=nobody"), "没有该客户，请重新查找", `id="customer_id-err"`)
	consoleWant(t, "en", c.page("/tickets/new?lang=en&customer_id="+tc.holder.ID), "New ticket", "Identity verification", "I&#39;ll handle it myself", "No particular policy")
	consoleWant(t, "supervisor", tc.as(t, ticketSupervisor).page("/tickets/new"), "新建工单")

	// An invalid form comes back with every error beside its field, the
	// input kept, and nothing created.
	before := tc.countTickets(t)
	bad := url.Values{"subject": {"  "}, "type": {""}, "channel": {"phone"}, "urgency": {"normal"}, "language": {"zh"},
		"description": {"客户描述的问题"}, "contact.mobile": {"12345"}, "verification.method": {"none"}, "verification.result": {"not_verified"}}
	body := c.postFail("/tickets", bad, http.StatusUnprocessableEntity)
	consoleWant(t, "invalid", body, "请更正下列标出的内容", `id="subject-err">必填`, `id="type-err">必填`, `id="contact.mobile-err">不是有效的手机号`,
		`id="subject" name="subject" type="text" maxlength="200" value="  " aria-invalid="true"`, "客户描述的问题")
	badEN := url.Values{"subject": {""}, "type": {"enquiry"}, "channel": {"phone"}, "urgency": {"normal"}, "language": {"zh"}}
	res, body = c.do("POST", "/tickets?lang=en", func() url.Values { badEN.Set("csrf_token", c.token()); return badEN }(), nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid (en): %d", res.StatusCode)
	}
	consoleWant(t, "invalid en", body, `id="subject-err">is required`, `id="customer_id-err">name the customer, or give a contact email or mobile`)
	wrongPolicy := url.Values{"customer_id": {tc.holder.ID}, "policy_id": {tc.policyID(t, tc.auto)}, "subject": {"车队保单咨询"}, "type": {"enquiry"},
		"channel": {"phone"}, "urgency": {"normal"}, "language": {"zh"}}
	body = c.postFail("/tickets", wrongPolicy, http.StatusUnprocessableEntity)
	consoleWant(t, "wrong policy", body, `id="policy_id-err">该保单不属于此客户`, `id="chosen-customer"`)
	if n := tc.countTickets(t); n != before {
		t.Fatalf("invalid intake created tickets: %d → %d", before, n)
	}

	ok := url.Values{"customer_id": {tc.holder.ID}, "policy_id": {tc.policyID(t, tc.life)}, "subject": {"寿险受益人咨询"}, "type": {"enquiry"},
		"channel": {"phone"}, "urgency": {"high"}, "language": {"zh"}, "description": {"客户想了解如何指定受益人。"},
		"verification.method": {"id_document"}, "verification.result": {"passed"}, "assign_to_me": {"1"}}
	res, _ = c.post("/tickets", ok)
	loc := res.Header.Get("Location")
	m := regexp.MustCompile(`^/tickets/(GD[0-9]{14})\?done=created$`).FindStringSubmatch(loc)
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q", res.StatusCode, loc)
	}
	tk := tc.ticket(t, m[1])
	if tk.OwnerID != tc.staff[consoleUser].ID || tk.Urgency != anxin.UrgencyHigh || tk.Verification.Method != "id_document" || tk.CustomerID != tc.holder.ID {
		t.Fatalf("created %+v", tk)
	}
	page := c.page(loc)
	consoleWant(t, "created", page, "工单已创建", "寿险受益人咨询", "客服-李娜", "证件核验 · 通过", "首问负责", tc.life)
}

func (tc *ticketConsole) policyID(t *testing.T, number string) string {
	t.Helper()
	p, err := tc.svc.Policy(context.Background(), anxin.SystemActor("test"), number)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func ticketTestPage(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)
	path := "/tickets/" + tc.mine.Number
	body := c.page(path)
	consoleWant(t, "ticket", body,
		`id="ticket-number">`+tc.mine.Number, `id="ticket-stage">已受理`, "询问保单生效日期", "客户来电询问医疗险何时生效。",
		`href="/customers/`+tc.holder.ID+`"`, `href="/policies/`+tc.health+`"`, `id="ticket-owner">客服-李娜`, `id="ticket-team">客服组`,
		`id="ticket-rule">其他 → 客服组`, "安全问题 · 通过",
		// the clock, in Beijing time
		"标准", "2026-11-23 23:59", "2026-11-25 23:59", "剩余 4 天 12 小时", "剩余 2 天 12 小时",
		// the allowed moves only
		`id="move-acknowledged"`, `id="move-resolved"`, `name="version" value="1"`,
		// the timeline, labelled, newest last
		"受理", "负责人：客服-李娜（首问负责）", "通知客户", "受理回执",
		// notices, masked for a CSR
		"z********@example.cn", "138****8000", "待发送")
	consoleWantNot(t, "ticket", body, `id="move-closed"`, `id="move-in_progress"`, `id="take"`, "zhang.wei@example.cn", "13800138000")
	if strings.Index(body, ">受理<") > strings.Index(body, ">分派<") {
		t.Error("timeline is not oldest first (newest last)")
	}

	en := c.page(path + "?lang=en")
	consoleWant(t, "en", en, `id="ticket-stage">Received`, "Acknowledge", "Resolve and tell the result", "First response", "Standard",
		"Owner: 客服-李娜 (first contact)", "Receipt", "Queued", "Security questions · Passed", "4d 12h left")
	consoleWantNot(t, "en", en, "剩余", `id="ticket-stage">已受理`)

	sup := tc.as(t, ticketSupervisor)
	for _, lang := range []string{"zh", "en"} {
		body := sup.page("/tickets/" + tc.soon.Number + "?lang=" + lang)
		consoleWant(t, "supervisor "+lang, body, tc.soon.Number, `id="move-acknowledged"`)
	}
	soon := sup.page("/tickets/" + tc.soon.Number)
	// The emergency's first response was due half an hour after receipt.
	consoleWant(t, "emergency", soon, "紧急事件", `id="ticket-rule">紧急事件 → 服务主管组`, "超时 20 小时 30 分", "剩余 3 小时 0 分", "主管-赵敏")

	queued := c.page("/tickets/" + tc.queued.Number)
	consoleWant(t, "queued", queued, `id="take"`, "待分派", "暂无可用坐席，进入“理赔组”队列等待分派", "身份证明", "缺少", `id="notify-missing"`)

	// What a database would refuse never reaches it: a 404 or a 422, not a 500.
	for path, status := range map[string]int{"/tickets/%00": 404, "/tickets/GD%00x": 404, "/tickets?customer_id=%00": 422,
		"/tickets/new?customer_id=%00": 422, "/tickets/new?q=%00": 422, "/agents?edit=%00": 422, "/tickets/%ff%fe": 404} {
		if res, _ := sup.do("GET", path, nil, nil); res.StatusCode != status {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, status)
		}
	}
	body = c.postFail("/tickets/"+tc.mine.Number+"/messages", url.Values{"kind": {"note"}, "body": {"a\x00b"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "NUL", body, "表单含有无法保存的字符")
	if res, _ := c.post("/tickets/"+tc.mine.Number+"/checklist/%00", url.Values{"status": {"received"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("checklist item %%00: %d", res.StatusCode)
	}

	res, nf := c.do("GET", "/tickets/GD20990101000001", nil, nil)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown ticket: %d", res.StatusCode)
	}
	consoleWant(t, "unknown", nf, "没有该工单")
}

func ticketTestMoves(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)
	number := tc.mine.Number
	path := "/tickets/" + number

	// A move the state machine refuses says so, with the stage names, and
	// changes nothing.
	body := c.postFail(path+"/stage", url.Values{"stage": {"closed"}}, http.StatusConflict)
	consoleWant(t, "refused", body, `id="stage-error">工单当前为“已受理”，不能变更为“已关闭”（可变更为：已响应、已反馈）`, `id="move-acknowledged"`)
	res, en := c.do("POST", path+"/stage?lang=en", url.Values{"stage": {"in_progress"}, "csrf_token": {c.token()}}, nil)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("refused (en): %d", res.StatusCode)
	}
	consoleWant(t, "refused en", en, "The ticket is Received and cannot move to In progress (it can move to: Acknowledged, Resolved)")
	body = c.postFail(path+"/stage", url.Values{"stage": {"resolved"}, "message": {" "}}, http.StatusUnprocessableEntity)
	consoleWant(t, "resolve without result", body, `id="stage-message-err">请填写处理结果，将告知客户`)
	body = c.postFail(path+"/stage", url.Values{"stage": {"acknowledged"}, "version": {"7"}}, http.StatusPreconditionFailed)
	consoleWant(t, "stale", body, "工单已被他人修改，请刷新后重试")
	if tk := tc.ticket(t, number); tk.Stage != anxin.StageReceived {
		t.Fatalf("refused moves changed the stage to %s", tk.Stage)
	}

	c.postOK(path+"/stage", url.Values{"stage": {"acknowledged"}, "message": {"预计周三前答复您。"}, "version": {"1"}}, path+"?done=stage")
	page := c.page(path + "?done=stage")
	consoleWant(t, "acknowledged", page, "工单进度已更新", `id="ticket-stage">已响应`, "已受理 → 已响应", "预计周三前答复您。", "响应通知",
		`id="move-in_progress"`, `id="move-waiting_customer"`, "已于 2026-11-21 11:01 完成")
	c.postOK(path+"/stage", url.Values{"stage": {"in_progress"}}, path+"?done=stage")
	consoleWant(t, "in progress", c.page(path), `id="ticket-stage">处理中`)
}

func ticketTestMessages(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)
	path := "/tickets/" + tc.mine.Number
	body := c.postFail(path+"/messages", url.Values{"kind": {"reply"}, "body": {""}}, http.StatusUnprocessableEntity)
	consoleWant(t, "empty reply", body, `id="message-body-err">请填写内容`)
	c.postOK(path+"/messages", url.Values{"kind": {"reply"}, "body": {"您的医疗险自 2026-03-01 起生效。"}}, path+"?done=message")
	tc.advance(time.Minute)
	c.postOK(path+"/messages", url.Values{"kind": {"note"}, "body": {"客户对等待期有疑问，已解释。"}}, path+"?done=message")
	tc.advance(time.Minute)
	c.postOK(path+"/messages", url.Values{"kind": {"in"}, "body": {"客户微信补充：想确认等待期。"}, "channel": {"wechat"}}, path+"?done=message")

	body = c.postFail(path+"/calls", url.Values{"direction": {"inbound"}, "wait_seconds": {"half a minute"}, "duration_seconds": {"-5"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "bad call", body, `id="call-wait-err">请输入整数秒数`, `value="half a minute"`)
	body = c.postFail(path+"/calls", url.Values{"direction": {"inbound"}, "wait_seconds": {"12"}, "duration_seconds": {"-5"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "negative call", body, `id="call-duration-err">须在 0 到 86400 之间`)
	c.postOK(path+"/calls", url.Values{"direction": {"inbound"}, "wait_seconds": {"45"}, "duration_seconds": {"320"}, "summary": {"解释等待期。"}}, path+"?done=call")

	page := c.page(path)
	consoleWant(t, "messages", page, "回复客户", "您的医疗险自 2026-03-01 起生效。", "内部备注", "客户对等待期有疑问，已解释。", `badge badge-internal`,
		"客户来信", "客户微信补充：想确认等待期。", "微信", "通话", "客户来电 · 等待 45 秒 · 通话 320 秒 · 接听超过 30 秒", "解释等待期。", ">回复<")
	en := c.page(path + "?lang=en")
	consoleWant(t, "messages en", en, "Inbound · waited 45 s · talked 320 s · answered after 30 s", "Internal note", "Customer wrote")
}

// upload posts a file the way htmx does: multipart, with the CSRF token in
// the header.
func (c *consoleClient) upload(path, token, filename string, content []byte, item string) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(content)
	if item != "" {
		mw.WriteField("item_code", item)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.base+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", token)
	for name, value := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func ticketTestDocuments(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)
	number := tc.queued.Number
	path := "/tickets/" + number

	// A rejection needs a reason, shown beside that item.
	body := c.postFail(path+"/checklist/incident_proof", url.Values{"status": {"rejected"}, "reason": {""}}, http.StatusUnprocessableEntity)
	consoleWant(t, "rejection without reason", body, "请说明退回原因，将告知客户")
	if i, j := strings.Index(body, `id="item-incident_proof"`), strings.Index(body, "请说明退回原因"); i < 0 || j < i || j > strings.Index(body, `id="item-invoices"`) {
		t.Error("the rejection error is not beside its item")
	}
	c.postOK(path+"/checklist/incident_proof", url.Values{"status": {"rejected"}, "reason": {"诊断证明不清晰"}}, path+"?done=checklist")
	c.postOK(path+"/checklist/id_proof", url.Values{"status": {"received"}}, path+"?done=checklist")
	// Acknowledging an unowned ticket makes the CSR its owner (首问负责制).
	c.postOK(path+"/stage", url.Values{"stage": {"acknowledged"}}, path+"?done=stage")

	res, _ := c.upload(path+"/attachments", c.token(), "发票.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "invoices")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=upload" {
		t.Fatalf("upload: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = c.upload(path+"/attachments", c.token(), "virus.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), "")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("upload of an executable: %d", res.StatusCode)
	}
	consoleWant(t, "refused upload", body, `id="upload-file-err">仅接受 JPEG、PNG、GIF、WebP、PDF 或纯文本文件`)

	page := c.page(path)
	consoleWant(t, "documents", page, "发票.pdf", "已收到", "已退回", "诊断证明不清晰", "收到材料", "费用发票", `id="notify-missing"`,
		`enctype="multipart/form-data"`, `hx-encoding="multipart/form-data"`)
	m := regexp.MustCompile(`href="(/tickets/` + number + `/attachments/[^"]+)" download>发票.pdf`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no download link")
	}
	res, content := c.do("GET", m[1], nil, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(content, "%PDF-1.4") || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") ||
		res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}

	// Everything still missing goes to the customer in one notice, and the
	// clock waits for them.
	c.postOK(path+"/notify-missing", nil, path+"?done=missing")
	page = c.page(path + "?done=missing")
	consoleWant(t, "notified", page, "已一次性通知客户补齐全部缺少的材料", "补充材料通知", `id="ticket-stage">待客户补充`, `id="sla-paused"`, "计时暂停",
		"负责人：客服-李娜（首问负责）")
	if tk := tc.ticket(t, number); tk.OwnerID != tc.staff[consoleUser].ID || tk.Stage != anxin.StageWaiting {
		t.Fatalf("after notifying: owner %q stage %s", tk.OwnerID, tk.Stage)
	}
	// Nothing missing any more: the button goes and a second notice is refused.
	for _, code := range []string{"claim_form", "incident_proof", "bank_account"} {
		c.postOK(path+"/checklist/"+code, url.Values{"status": {"received"}}, path+"?done=checklist")
	}
	page = c.page(path)
	consoleWantNot(t, "complete", page, `id="notify-missing"`)
	body = c.postFail(path+"/notify-missing", nil, http.StatusConflict)
	consoleWant(t, "nothing missing", body, "材料清单已齐全，无需通知")
}

func ticketTestOwners(t *testing.T, tc *ticketConsole) {
	ctx := context.Background()
	c := tc.as(t, consoleUser)
	// A fresh queued claim to take.
	tk := &anxin.Ticket{Type: anxin.TypeClaimAssistance, Channel: anxin.ChannelCounter, Subject: "车险理赔进度", CustomerID: tc.company.ID}
	if err := tc.svc.CreateTicket(ctx, anxin.SystemActor("test"), tk, service.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	path := "/tickets/" + tk.Number
	c.postOK(path+"/take", nil, path+"?done=take")
	page := c.page(path + "?done=take")
	consoleWant(t, "taken", page, "您已成为该工单的负责人", `id="ticket-owner">客服-李娜`)
	consoleWantNot(t, "taken", page, `id="take"`)
	body := c.postFail(path+"/take", nil, http.StatusConflict)
	consoleWant(t, "taken twice", body, "该工单已有负责人")

	csr2 := tc.staff[ticketCSR2].ID
	body = c.postFail(path+"/transfer", url.Values{"owner_id": {csr2}, "reason": {""}}, http.StatusUnprocessableEntity)
	consoleWant(t, "transfer without reason", body, `id="transfer-reason-err">请说明转交原因`)
	c.postOK(path+"/transfer", url.Values{"owner_id": {csr2}, "reason": {"王磊熟悉车险理赔"}}, path+"?done=transfer")
	page = c.page(path)
	consoleWant(t, "transferred", page, `id="ticket-owner">客服-王磊`, "转交给 客服-王磊", "王磊熟悉车险理赔")
	// No longer the owner, the CSR may not hand it on: that is a supervisor's call.
	res, body := c.post(path+"/transfer", url.Values{"owner_id": {tc.staff[ticketSupervisor].ID}, "reason": {"再次转交"}})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("transfer of someone else's ticket: %d", res.StatusCode)
	}
	consoleWant(t, "not the owner", body, "ticket:assign")

	c.postOK(path+"/collaborators", url.Values{"staff_id": {tc.staff[ticketSupervisor].ID}}, path+"?done=collaborator")
	consoleWant(t, "collaborator", c.page(path+"?done=collaborator"), "协办人已添加", "添加协办人", "主管-赵敏")
	body = c.postFail(path+"/collaborators", url.Values{"staff_id": {"nobody"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "unknown collaborator", body, `id="collab-staff-err">不是可查看工单的在职员工`)
}

func ticketTestAgents(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)
	body := c.page("/agents")
	consoleWant(t, "agents", body, "坐席与班次", "客服组", "服务主管组", "理赔组", "该团队暂无坐席", "客服-李娜", "客服-王磊", "主管-赵敏",
		"english", "auto", "每天 全天", "在线", "我的状态", `action="/agents/me/availability"`, "客户服务代表")
	consoleWantNot(t, "csr", body, "?edit=", `id="agent-form"`)
	en := c.page("/agents?lang=en")
	consoleWant(t, "agents en", en, "Agents and shifts", "Customer service", "Every day all day", "Available", "My availability")

	c.postOK("/agents/me/availability", url.Values{"availability": {"away"}}, "/agents?done=availability")
	consoleWant(t, "away", c.page("/agents?done=availability"), "您的状态已更新", `<option value="away" selected>暂离</option>`)
	body = c.postFail("/agents/me/availability", url.Values{"availability": {"asleep"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "bad availability", body, `id="my-availability-err">须为 available、away 或 off`)
	c.postOK("/agents/me/availability", url.Values{"availability": {"available"}}, "/agents?done=availability")

	// A CSR may not change another agent's shift: a 403 page, and nothing changes.
	csr2 := tc.staff[ticketCSR2].ID
	shift := url.Values{"team": {"service"}, "capacity": {"3"}, "availability": {"available"}, "shift_days": {"working_days"},
		"shift_start": {"09:00"}, "shift_end": {"18:00"}, "skills": {"auto"}}
	res, body := c.post("/agents/"+csr2, shift)
	if res.StatusCode != http.StatusForbidden || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("CSR editing another agent: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	consoleWant(t, "403", body, "错误 403", "ticket:assign")
	consoleCheckNoInlineCode(t, "403", body)
	res, _ = c.do("GET", "/agents?edit="+csr2, nil, nil)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("CSR opening the agent editor: %d", res.StatusCode)
	}
	if a, err := tc.svc.DB.GetAgent(context.Background(), nil, csr2); err != nil || a.ShiftStart != "00:00" || a.Capacity != 10 {
		t.Fatalf("a refused edit changed the agent: %+v %v", a, err)
	}

	sup := tc.as(t, ticketSupervisor)
	edit := sup.page("/agents?edit=" + csr2)
	consoleWant(t, "editor", edit, "编辑坐席：客服-王磊", `action="/agents/`+csr2+`"`, `name="shift_start"`, `value="00:00"`, `value="auto"`, `href="/agents?edit=`)
	consoleWant(t, "editor en", sup.page("/agents?lang=en&edit="+csr2), "Edit agent: 客服-王磊", "Shift starts (Beijing)")
	bad := url.Values{"team": {"nowhere"}, "capacity": {"many"}, "availability": {"available"}, "shift_days": {"working_days"},
		"shift_start": {"9am"}, "shift_end": {"18:00"}, "skills": {"auto"}}
	body = sup.postFail("/agents/"+csr2, bad, http.StatusUnprocessableEntity)
	consoleWant(t, "bad capacity", body, `id="agent-capacity-err">请输入整数`, `value="many"`, `value="9am"`)
	bad.Set("capacity", "3")
	body = sup.postFail("/agents/"+csr2, bad, http.StatusUnprocessableEntity)
	consoleWant(t, "bad shift", body, `id="agent-team-err">不是已有的团队`, `id="agent-shift-start-err">须为 HH:MM 格式`)
	shift.Set("skills", "auto, English")
	sup.postOK("/agents/"+csr2, shift, "/agents?done=saved")
	saved := sup.page("/agents?done=saved")
	consoleWant(t, "saved", saved, "坐席设置已保存", "工作日 09:00–18:00", "english")
	if a, _ := tc.svc.DB.GetAgent(context.Background(), nil, csr2); a.Capacity != 3 || a.ShiftDays != "working_days" || strings.Join(a.Skills, ",") != "auto,english" {
		t.Fatalf("saved agent %+v", a)
	}
}

func ticketTestCustomer(t *testing.T, tc *ticketConsole) {
	c := tc.as(t, consoleUser)
	body := c.page("/customers/" + tc.holder.ID)
	consoleWant(t, "360", body, `id="tickets"`, tc.mine.Number, tc.late.Number, "询问保单生效日期", "邮件咨询续期缴费",
		`href="/tickets/new?customer_id=`+tc.holder.ID+`"`, "新建工单", "服务记录", `id="customer-timeline"`,
		"您的医疗险自 2026-03-01 起生效。", "客户微信补充：想确认等待期。", "受理回执")
	consoleWantNot(t, "360", body, tc.soon.Number, tc.queued.Number)
	if strings.Index(body, "客户微信补充") > strings.Index(body, "您的医疗险自") {
		t.Error("the customer's timeline is not newest first")
	}
	en := c.page("/customers/" + tc.holder.ID + "?lang=en")
	consoleWant(t, "360 en", en, "Service timeline", "New ticket", "Customer wrote")

}

// ticketTestPaging walks "all" page by page: every ticket once, no page
// empty.
func ticketTestPaging(t *testing.T, tc *ticketConsole) {
	ctx := context.Background()
	for i := range 30 {
		tk := &anxin.Ticket{Type: anxin.TypeOther, Channel: anxin.ChannelLetter, Subject: fmt.Sprintf("来信 %02d", i), CustomerID: tc.company.ID}
		if err := tc.svc.CreateTicket(ctx, tc.staff[consoleUser], tk, service.CreateOptions{AssignToMe: true}); err != nil {
			t.Fatal(err)
		}
		tc.advance(time.Minute)
	}
	total := tc.countTickets(t)
	c := tc.as(t, consoleUser)
	for _, queue := range []string{"all", "mine"} {
		seen := map[string]bool{}
		path, pages := "/tickets?queue="+queue, 0
		for path != "" {
			body := c.page(path)
			pages++
			nums := queueNumbers(body)
			if len(nums) == 0 {
				t.Fatalf("%s: page %d is empty", queue, pages)
			}
			for _, n := range nums {
				if seen[n] {
					t.Errorf("%s: %s on two pages", queue, n)
				}
				seen[n] = true
			}
			path = ""
			if m := regexp.MustCompile(`href="(/tickets\?[^"]*cursor=[^"]+)"[^>]*rel="next"`).FindStringSubmatch(body); m != nil {
				path = strings.ReplaceAll(m[1], "&amp;", "&")
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
		}
		if queue == "all" && (len(seen) != total || pages != 2) {
			t.Errorf("all: %d tickets on %d pages, want %d on 2", len(seen), pages, total)
		}
		if queue == "mine" && pages != 2 {
			t.Errorf("mine: %d pages, want 2", pages)
		}
	}
}

// Every label the ticket pages look up by value exists in both languages,
// so no page shows a bare key.
func TestConsoleTicketLabels(t *testing.T) {
	groups := map[string][]string{
		"urgency":        {"low", "normal", "high", "urgent"},
		"verify.method":  anxin.VerificationMethods,
		"verify.result":  anxin.VerificationResults,
		"item":           {anxin.ItemMissing, anxin.ItemReceived, anxin.ItemRejected},
		"via":            {"first_contact", "advisor", "least_loaded", "queue", "transfer"},
		"calldir":        {"inbound", "outbound"},
		"target":         {anxin.TargetResponse, anxin.TargetResolution},
		"notice.status":  {"queued", "sent", "failed"},
		"notice.channel": {"email", "sms", "webhook"},
		"availability":   service.Availabilities,
		"shift":          {"working_days", "every_day"},
		"queue":          {"mine", "team", "due_soon", "breached", "unassigned", "all"},
		"msgkind":        {service.MessageReply, service.MessageNote, service.MessageIn},
		"notif":          {"assigned", "collaborator", "sla_warning", "sla_breach"},
		"ticket.done":    {"created", "stage", "message", "call", "checklist", "missing", "upload", "transfer", "collaborator", "take"},
		"agents.done":    {"availability", "saved"},
		"notice.tpl":     {"ticket.created", "ticket.stage", "ticket.assigned"},
		"tevent": {"created", "message_in", "message_out", "note", "call", "stage", "assigned", "transferred", "collaborator",
			"document", "checklist", "notice", "sla_warning", "sla_breach", "satisfaction"},
	}
	for _, tpl := range service.DefaultTemplates {
		groups["notice.tpl"] = append(groups["notice.tpl"], tpl.Code)
	}
	for _, st := range anxin.Stages {
		groups["move"] = append(groups["move"], string(st))
	}
	for _, lang := range web.Languages {
		for g, vs := range groups {
			for _, v := range vs {
				if key := g + "." + v; web.T(lang, key) == key {
					t.Errorf("%s: no message %q", lang, key)
				}
			}
		}
	}
}
