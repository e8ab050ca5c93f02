package server_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// TestSelfClaimBrowser reports a claim on a phone-sized Chromium the way a
// customer does: signs in, chooses the policy and "outpatient", fills the
// form, photographs three documents, and sees the fast track decide it at
// once. The test then settles the payment as the payment job would; the
// customer sees the claim closed and paid, opens the decision letter, and
// asks for a person to review the automated decision, which the claim's
// page then shows under way. No page may break the CSP or scroll sideways.
func TestSelfClaimBrowser(t *testing.T) {
	browser := consoleBrowser(t)
	e, gw := newSelfClaimEnv(t, store.SQLite, time.Now())
	ctx, cancel := context.WithTimeout(browser, 120*time.Second)
	defer cancel()
	dir := consoleScreenshotDir(t)
	base := e.f.srv.URL
	svcCtx := context.Background()
	holder := service.CustomerActor(e.f.holder.ID)

	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		// A page that has only just arrived may still replace its nodes
		// (a loaded machine shows it): a read that loses its node is tried
		// again.
		var err error
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			var s string
			if s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))); err == nil {
				return s
			}
			if time.Now().After(deadline) {
				break
			}
		}
		t.Fatalf("text of %s: %v", sel, err)
		return ""
	}
	check := func(where string) {
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
			t.Errorf("%s scrolls sideways on a phone", where)
		}
		consoleShoot(t, ctx, dir, "self-"+where)
	}

	// Three photos on the phone: the invoice, the expense list and the
	// diagnosis certificate.
	photos := t.TempDir()
	file := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(photos, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	invoice := file("invoice.jpg", selfImage(t, "jpeg", 21))
	expenses := file("expenses.png", selfImage(t, "png", 22))
	diagnosis := file("diagnosis.jpg", selfImage(t, "jpeg", 23))
	yesterday := anxin.DateOf(time.Now().In(e.f.svc.Calendar.Location())).AddDays(-1).String()

	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	run("open my claims signed out",
		chromedp.Navigate(base+"/my/claims"),
		chromedp.WaitVisible(chromedp.ID("mobile")),
	)
	run("ask for a code",
		chromedp.SendKeys(chromedp.ID("mobile"), holderMobile),
		chromedp.Click(chromedp.CSS(`form[action="/my/login/otp"] button`)),
		chromedp.WaitVisible(chromedp.ID("code")),
	)
	run("sign in",
		chromedp.SendKeys(chromedp.ID("code"), e.code(holderMobile)),
		chromedp.Click(chromedp.CSS(`form[action="/my/login"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a.self-btn[href="/my/claims/new"]`)),
	)
	check("claims-empty")
	run("choose the policy and outpatient bills",
		chromedp.Click(chromedp.CSS(`a.self-btn[href="/my/claims/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.self-claim-choices`)),
	)
	check("claim-choose")
	run("open the form",
		chromedp.Click(chromedp.CSS(`a[href="/my/claims/new?policy=`+selfClaimPolicy+`&type=medical_expense&setting=outpatient"]`)),
		chromedp.WaitVisible(chromedp.ID("incident_date")),
	)
	check("claim-new")
	if payee, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("payee_name"))); err != nil || payee != "张伟" {
		t.Errorf("payee %q, %v", payee, err)
	}
	run("fill in the visit, the account and the photos",
		chromedp.SetValue(chromedp.ID("incident_date"), yesterday),
		chromedp.SendKeys(chromedp.ID("incident_place"), "北京协和医院"),
		chromedp.SendKeys(chromedp.ID("description"), "急性咽炎，门诊就诊并取药。"),
		chromedp.SendKeys(chromedp.ID("amount"), "500"),
		chromedp.SendKeys(chromedp.ID("bank_name"), "招商银行北京分行"),
		chromedp.SendKeys(chromedp.ID("account"), "6225880137001234"),
		chromedp.SetUploadFiles(chromedp.ID("doc_invoices"), []string{invoice}),
		chromedp.SetUploadFiles(chromedp.ID("doc_expense_list"), []string{expenses}),
		chromedp.SetUploadFiles(chromedp.ID("doc_diagnosis"), []string{diagnosis}),
	)
	run("submit",
		chromedp.Click(chromedp.CSS(`form[action="/my/claims"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".self-quote")),
	)
	number := regexp.MustCompile(`LP[0-9]{14}`).FindString(text(".self-quote"))
	if number == "" {
		t.Fatalf("no claim number in %q", text(".self-quote"))
	}
	if notice := text(".self-notice-ok"); !strings.Contains(notice, number) || !strings.Contains(notice, "已由系统自动审核通过") {
		t.Errorf("notice %q", notice)
	}
	if d := text("#decision"); !strings.Contains(d, "赔付") || !strings.Contains(d, "¥450.00") || !strings.Contains(d, "系统自动审核") {
		t.Errorf("decision %q", d)
	}
	if x := text("#explanation"); !strings.Contains(x, "门诊医疗费用") || !strings.Contains(x, "材料齐全") || strings.Contains(x, "不满足") {
		t.Errorf("explanation %q", x)
	}
	if p := text("#payments"); !strings.Contains(p, "付款处理中") || !strings.Contains(p, "1234") || strings.Contains(p, "6225880137001234") {
		t.Errorf("payments %q", p)
	}
	check("claim-decided")

	// The payment job pays it.
	f, err := e.f.svc.ClaimFileOf(svcCtx, holder, number)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Claim.FastTrack || len(f.Payments) != 1 || len(f.Attachments) != 3 {
		t.Fatalf("the fast track did not take the claim: %+v, %d payments, %d documents", f.Claim, len(f.Payments), len(f.Attachments))
	}
	if err := e.f.svc.SendPayment(svcCtx, f.Payments[0].ID); err != nil {
		t.Fatal(err)
	}
	if len(gw.Paid()) != 1 {
		t.Fatalf("gateway: %+v", gw.Paid())
	}
	run("see it closed and paid",
		chromedp.Navigate(base+"/my/claims/"+number),
		chromedp.WaitVisible(chromedp.CSS("#payments")),
	)
	if h1 := text("h1"); !strings.Contains(h1, "结案") {
		t.Errorf("heading %q", h1)
	}
	if p := text("#payments"); !strings.Contains(p, "已到账") || !strings.Contains(p, "¥450.00") {
		t.Errorf("payments %q", p)
	}
	check("claim-paid")
	run("the list",
		chromedp.Click(chromedp.CSS(`.self-nav a[href="/my/claims"]`)),
		chromedp.WaitVisible(chromedp.CSS(".self-claims")),
	)
	if list := text(".self-claims"); !strings.Contains(list, number) || !strings.Contains(list, "结案") || !strings.Contains(list, "¥450.00") {
		t.Errorf("list %q", list)
	}
	check("claims")

	run("open the letter",
		chromedp.Click(chromedp.CSS(`a[href="/my/claims/`+number+`"]`)),
		chromedp.WaitVisible(chromedp.ID("letter-html")),
		chromedp.Click(chromedp.ID("letter-html")),
		chromedp.WaitVisible(chromedp.CSS("body")),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/my/claims/"+number+"/letter") {
		t.Fatalf("letter at %q, %v", loc, err)
	}
	if body := text("body"); !strings.Contains(body, "理赔决定书") || !strings.Contains(body, number) || !strings.Contains(body, "450.00") {
		t.Errorf("letter %.300q", body)
	}
	consoleShoot(t, ctx, dir, "self-claim-letter")

	run("ask for a human review",
		chromedp.Navigate(base+"/my/claims/"+number),
		chromedp.WaitVisible(chromedp.ID("human-review")),
		chromedp.SendKeys(chromedp.ID("review-reason"), "希望由人工核对赔付比例。"),
		chromedp.Click(chromedp.ID("human-review")),
		chromedp.WaitVisible(chromedp.ID("reviewing")),
	)
	if r := text("#reviewing"); !strings.Contains(r, "复核进行中") {
		t.Errorf("review notice %q", r)
	}
	if d := text("#disputes"); !strings.Contains(d, "申请人工复核") || !strings.Contains(d, "复核中") || !strings.Contains(d, "希望由人工核对赔付比例。") {
		t.Errorf("disputes %q", d)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#human-review").length`)); err != nil || n != 0 {
		t.Errorf("the review button is still there: %d, %v", n, err)
	}
	check("claim-review")
	f, err = e.f.svc.ClaimFileOf(svcCtx, holder, number)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Claim.Disputed || len(f.Disputes) != 1 || !f.Disputes[0].HumanReview || f.Claim.Stage != anxin.ClaimReview {
		t.Errorf("after the request: %+v %+v", f.Claim, f.Disputes)
	}
}
