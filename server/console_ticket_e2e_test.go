package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/jobs"
	"github.com/anxin-insure/anxin/mailin/mailtest"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// TestConsoleTicketBrowser is a phone call end to end, on the real clock
// and the real job runner: a CSR takes an enquiry from an existing customer
// on the intake form, routing gives it to the agent free to take it, the
// customer's receipt reaches a real SMTP server, and the CSR acknowledges
// and resolves it in the browser, after which the resolution mail arrives
// too.
func TestConsoleTicketBrowser(t *testing.T) {
	browser := consoleBrowser(t)
	f := consoleSetup(t, store.SQLite, nil)
	bg := context.Background()
	admin := anxin.SystemActor("test")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// The desk: the CSR answers the phone but is away from the routing pool,
	// so the enquiry goes to 王磊, the one agent available.
	must(f.svc.CreateStaff(bg, admin, &anxin.Staff{Username: ticketCSR2, DisplayName: "客服-王磊", Role: anxin.RoleCSR}, consolePassword))
	must(f.svc.PutTeam(bg, admin, store.Team{Code: "service", Name: "客服组", NameEN: "Customer service"}))
	for _, a := range []struct {
		username, availability string
	}{{consoleUser, "away"}, {ticketCSR2, "available"}} {
		st, err := f.svc.DB.StaffByUsername(bg, nil, a.username)
		must(err)
		must(f.svc.PutAgent(bg, admin, store.Agent{StaffID: st.ID, Team: "service", Capacity: 10, Availability: a.availability,
			ShiftDays: "every_day", ShiftStart: "00:00", ShiftEnd: "00:00"}))
	}

	f.svc.Files = t.TempDir()
	// Notices leave through a real SMTP server, sent by the job runner.
	sink := mailtest.Start(t)
	f.svc.Notify = service.Notifiers{Mail: &notify.SMTP{Addr: sink.Addr(), StartTLS: notify.StartTLSOff}, MailFrom: "service@anxin.test",
		SMS: &notify.Outbox{Path: filepath.Join(t.TempDir(), "sms.jsonl")}}
	runner, err := jobs.New(f.svc, f.svc.Log, jobs.Options{PollInterval: 100 * time.Millisecond, CheckInterval: time.Hour})
	must(err)
	must(runner.Start(bg))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		runner.Stop(ctx)
	})

	ctx, cancel := context.WithTimeout(browser, 120*time.Second)
	defer cancel()
	dir := consoleScreenshotDir(t)
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	checkCSP := func(where string) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
		if err != nil {
			t.Fatal(err)
		}
		if len(v) > 0 {
			t.Errorf("%s: CSP violations: %q", where, v)
		}
		fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
		if err != nil {
			t.Fatal(err)
		}
		if !fits {
			t.Errorf("%s scrolls sideways", where)
		}
	}

	// The phone rings: the CSR opens the intake form and signs in on the way.
	run("open the intake form",
		chromedp.Navigate(f.srv.URL+"/tickets/new"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), consoleUser),
		chromedp.SendKeys(chromedp.ID("password"), consolePassword),
		chromedp.Click(chromedp.CSS(`.login-card button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("cq")),
	)
	checkCSP("intake form")
	// The caller gives their name; the live search finds them.
	run("find the caller",
		chromedp.SendKeys(chromedp.ID("cq"), "张伟"),
		chromedp.WaitVisible(chromedp.CSS(`#customer-matches a[href="/tickets/new?customer_id=`+f.holder.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`#customer-matches a[href="/tickets/new?customer_id=`+f.holder.ID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("chosen-customer")),
	)
	if got := text("#chosen-customer"); !strings.Contains(got, "张伟") {
		t.Fatalf("chosen customer %q", got)
	}
	run("choose the type", chromedp.SetValue(chromedp.ID("type"), "enquiry"))
	policyID, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#policy_id option")].find(o => o.textContent.includes("`+f.health+`")).value`))
	must(err)
	run("fill in the request",
		chromedp.SetValue(chromedp.ID("policy_id"), policyID),
		chromedp.SetValue(chromedp.CSS(`[name="verification.method"]`), "security_questions"),
		chromedp.SetValue(chromedp.CSS(`[name="verification.result"]`), "passed"),
		chromedp.SendKeys(chromedp.ID("subject"), "医疗险等待期咨询"),
		chromedp.SendKeys(chromedp.ID("description"), "客户来电询问医疗险等待期何时结束。"),
	)
	if ch, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("channel").value`)); err != nil || ch != "phone" {
		t.Errorf("channel defaults to %q (%v), want phone", ch, err)
	}
	consoleShoot(t, ctx, dir, "ticket-intake")
	run("create the ticket",
		chromedp.Click(chromedp.ID("create-ticket")),
		chromedp.WaitVisible(chromedp.ID("ticket-number")),
	)
	checkCSP("ticket page")
	number := text("#ticket-number")
	if !anxin.TicketNumberPattern.MatchString(number) {
		t.Fatalf("ticket number %q", number)
	}
	// Routing chose the owner: the available agent, not the CSR who is away.
	if owner := text("#ticket-owner"); owner != "客服-王磊" {
		t.Errorf("owner shown %q, want the routed agent 客服-王磊", owner)
	}
	if team := text("#ticket-team"); !strings.Contains(team, "客服组") {
		t.Errorf("team shown %q", team)
	}
	if stage := text("#ticket-stage"); stage != "已受理" {
		t.Errorf("stage %q", stage)
	}
	tk, err := f.svc.Ticket(bg, admin, number)
	must(err)
	if st, _ := f.svc.DB.StaffByUsername(bg, nil, ticketCSR2); tk.OwnerID != st.ID || tk.Channel != anxin.ChannelPhone || tk.PolicyID != policyID {
		t.Errorf("stored ticket: owner %q channel %s policy %q", tk.OwnerID, tk.Channel, tk.PolicyID)
	}

	// The customer's receipt, read from the SMTP server.
	receipt := sink.WaitFor(t, 30*time.Second, func(m mailtest.Message) bool {
		return m.Parsed != nil && strings.Contains(m.Parsed.Subject, number)
	})
	if len(receipt.To) != 1 || receipt.To[0] != "zhang.wei@example.cn" || !strings.Contains(receipt.Parsed.Subject, "我们已收到您的请求") ||
		!strings.Contains(receipt.Parsed.Text, number) {
		t.Errorf("receipt: to %v subject %q", receipt.To, receipt.Parsed.Subject)
	}
	consoleShoot(t, ctx, dir, "ticket-received")

	// A document, uploaded through htmx (the CSRF token rides in a header).
	doc := filepath.Join(t.TempDir(), "通话记录.txt")
	must(os.WriteFile(doc, []byte("客户确认通话内容。\n"), 0o600))
	run("upload a document",
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{doc}),
		chromedp.Click(chromedp.CSS(`#upload-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#attachment-table a[download]`)),
	)
	if got := text("#attachment-table"); !strings.Contains(got, "通话记录.txt") {
		t.Errorf("attachments: %q", got)
	}
	checkCSP("after the upload")

	run("acknowledge",
		chromedp.SendKeys(chromedp.ID("stage-message"), "我们会在今天内答复您。"),
		chromedp.Click(chromedp.ID("move-acknowledged")),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-stage.stage-acknowledged`)),
	)
	if stage := text("#ticket-stage"); stage != "已响应" {
		t.Fatalf("after acknowledging: stage %q", stage)
	}
	run("resolve with the result",
		chromedp.SendKeys(chromedp.ID("stage-message"), "您的医疗险等待期为 30 天，已于 2026-03-31 结束。"),
		chromedp.Click(chromedp.ID("move-resolved")),
		chromedp.WaitVisible(chromedp.CSS(`#ticket-stage.stage-resolved`)),
	)
	if stage := text("#ticket-stage"); stage != "已反馈" {
		t.Fatalf("after resolving: stage %q", stage)
	}
	checkCSP("resolved ticket")
	if tl := text("#timeline-list"); !strings.Contains(tl, "已响应 → 已反馈") || !strings.Contains(tl, "您的医疗险等待期为 30 天") {
		t.Errorf("timeline: %q", tl)
	}
	resolution := sink.WaitFor(t, 30*time.Second, func(m mailtest.Message) bool {
		return m.Parsed != nil && strings.Contains(m.Parsed.Subject, number) && strings.Contains(m.Parsed.Subject, "已办结")
	})
	if resolution.To[0] != "zhang.wei@example.cn" || !strings.Contains(resolution.Parsed.Text, "您的医疗险等待期为 30 天") {
		t.Errorf("resolution mail: to %v text %q", resolution.To, resolution.Parsed.Text)
	}

	// The notices table shows every notice sent once the runner has marked
	// it: receipt, acknowledgement and resolution, each by email and text.
	var notices string
	for deadline := time.Now().Add(20 * time.Second); ; {
		run("reload", chromedp.Navigate(f.srv.URL+"/tickets/"+number), chromedp.WaitVisible(chromedp.ID("notice-table")))
		notices = text("#notice-table")
		if !strings.Contains(notices, "待发送") || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if strings.Count(notices, "已发送") != 6 || !strings.Contains(notices, "受理回执") || !strings.Contains(notices, "响应通知") || !strings.Contains(notices, "办结通知") {
		t.Errorf("notices: %q", notices)
	}
	consoleShoot(t, ctx, dir, "ticket-resolved")

	// The queues and the roster at a phone's width.
	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	for _, pg := range []struct{ name, path, ready string }{
		{"tickets", "/tickets?queue=all", "#ticket-table"},
		{"ticket", "/tickets/" + number, "#timeline-list"},
		{"intake", "/tickets/new?customer_id=" + f.holder.ID, "#intake-form"},
		{"agents", "/agents", "#agents-service"},
		{"customer", "/customers/" + f.holder.ID, "#customer-ticket-table"},
	} {
		run(pg.name, chromedp.Navigate(f.srv.URL+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.ready)))
		checkCSP(pg.name + " on a phone")
		consoleShoot(t, ctx, dir, "ticket-"+pg.name+"-phone")
	}
}
