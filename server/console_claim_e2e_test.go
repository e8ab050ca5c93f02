package server_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/store"
)

// TestConsoleClaimBrowser is one complex claim end to end in Chromium, on
// the real clock: a CSR reports a ¥300,000 critical-illness claim that a
// customer phones in; a claims specialist accepts the documents and sends
// a colleague to survey, who reports; the specialist decides to pay, which
// is above the specialist's and the supervisor's limits and waits for a
// director, who approves; the payment goes out; the customer disputes the
// decision through the CSR; the colleague re-reviews it (the first decider
// may not), and the decision letter shows the result.
func TestConsoleClaimBrowser(t *testing.T) {
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
	f.svc.Files = t.TempDir()
	f.svc.Payments = payment.NewTestGateway(0)

	// 张伟 holds a critical-illness policy of ¥300,000, in force for more
	// than a year, so its 90-day waiting period is long over.
	must(f.svc.PutProduct(bg, admin, &anxin.Product{Code: "CI-ANXIN", Line: anxin.LineHealth, Name: "安心重疾险", NameEN: "Anxin Critical Illness",
		CoolingOffDays: 15, TermYears: 20, Active: true, Coverages: []anxin.Coverage{{Kind: anxin.CovCriticalIllness, SumInsured: 300_000_00, WaitingPeriodDays: 90}}}))
	const ciPolicy = "P2025CRI000321"
	_, err := f.svc.CreatePolicy(bg, admin, &anxin.Policy{Number: ciPolicy, ProductCode: "CI-ANXIN", PolicyholderID: f.holder.ID, InsuredID: f.holder.ID,
		StatutoryHeirs: true, Premium: 6_800_00, PaymentFrequency: anxin.PayAnnual, PaymentMethod: anxin.PayOnline, NextPaymentDate: anxin.MustDate("2026-06-01"),
		EffectiveDate: anxin.MustDate("2025-06-01"), ExpiryDate: anxin.MustDate("2045-06-01"), UnderwritingDate: anxin.MustDate("2025-05-28"), SalesChannel: "agent", AgentCode: "A20001"})
	must(err)
	staff := map[string]string{}
	for _, st := range []*anxin.Staff{
		{Username: claimSpecialist, DisplayName: "理赔-陈静", Role: anxin.RoleClaims},
		{Username: claimSpecialist2, DisplayName: "理赔-周强", Role: anxin.RoleClaims},
		{Username: claimDirector, DisplayName: "总监-孙伟", Role: anxin.RoleDirector},
	} {
		must(f.svc.CreateStaff(bg, admin, st, consolePassword))
		cred, err := f.svc.DB.StaffByUsername(bg, nil, st.Username)
		must(err)
		staff[st.Username] = cred.ID
	}

	ctx, cancel := context.WithTimeout(browser, 180*time.Second)
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
		// A page that has only just arrived may still replace its nodes
		// (a loaded machine shows it): a read that loses its node is tried
		// again.
		var err error
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			var s string
			if s, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel))); err == nil {
				return strings.TrimSpace(s)
			}
			if time.Now().After(deadline) {
				break
			}
		}
		t.Fatalf("text of %s: %v", sel, err)
		return ""
	}
	// waitFor waits until the JavaScript condition holds. The page being
	// left may answer for a moment, or not at all while the browser
	// navigates, so errors are waited out too.
	waitFor := func(what, cond string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still not %s after 15 s (%v)", what, cond, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// done clicks a form's submit button and waits for the page after the
	// post to confirm it with wantDone.
	done := func(what, button, wantDone string) {
		t.Helper()
		run(what, chromedp.Click(chromedp.CSS(button)))
		w, _ := json.Marshal(wantDone)
		waitFor(what, `(document.querySelector("#done")?.textContent ?? "").includes(`+string(w)+`)`)
	}
	want := func(where, sel string, wants ...string) {
		t.Helper()
		got := text(sel)
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %s shows %q, want %q", where, sel, got, w)
			}
		}
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
	signedIn := false
	// as signs the browser in as username on the way to path.
	as := func(username, path, ready string) {
		t.Helper()
		if signedIn {
			run("sign out", chromedp.Click(chromedp.CSS(`form.logout button`)), chromedp.WaitVisible(chromedp.ID("username")))
		}
		run("sign in as "+username,
			chromedp.Navigate(f.srv.URL+path),
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), username),
			chromedp.SendKeys(chromedp.ID("password"), consolePassword),
			chromedp.Click(chromedp.CSS(`.login-card button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(ready)),
		)
		signedIn = true
	}
	file := func(name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		must(os.WriteFile(p, []byte(content), 0o600))
		return p
	}

	// 1. The phone rings: 张伟 has been diagnosed. The CSR looks the policy
	// up, chooses the claim type and records the report with the pathology
	// report the customer already e-mailed.
	as(consoleUser, "/claims/new", "#policy")
	run("look the policy up",
		chromedp.SendKeys(chromedp.ID("policy"), ciPolicy),
		chromedp.Click(chromedp.ID("lookup")),
		chromedp.WaitVisible(chromedp.ID("policy-found")),
	)
	want("policy found", "#policy-found", "安心重疾险", "张伟", "重大疾病保险", "¥300,000.00")
	run("choose the type",
		chromedp.SetValue(chromedp.ID("lookup-type"), "critical_illness"),
		chromedp.Click(chromedp.ID("lookup")),
		chromedp.WaitVisible(chromedp.ID("claim-form")),
	)
	checkCSP("report form")
	incident := anxin.DateOf(time.Now().In(f.svc.Calendar.Location())).AddDays(-20).String()
	run("fill the report in",
		chromedp.SetValue(chromedp.ID("incident_date"), incident),
		chromedp.SendKeys(chromedp.ID("incident_place"), "北京大学肿瘤医院"),
		chromedp.SendKeys(chromedp.ID("claimed"), "300,000"),
		chromedp.SendKeys(chromedp.ID("description"), "被保险人经病理检查确诊为恶性肿瘤，申请重大疾病保险金。"),
		chromedp.SendKeys(chromedp.ID("payee_name"), "张伟"),
		chromedp.SendKeys(chromedp.ID("bank_name"), "中国建设银行"),
		chromedp.SendKeys(chromedp.ID("account"), "6217000010012345678"),
		chromedp.SetValue(chromedp.CSS(`[name="verification.method"]`), "security_questions"),
		chromedp.SetValue(chromedp.CSS(`[name="verification.result"]`), "passed"),
		chromedp.SetUploadFiles(chromedp.ID("doc-diagnosis_report"), []string{file("病理报告.txt", "病理诊断：浸润性导管癌。\n")}),
	)
	consoleShoot(t, ctx, dir, "claim-report")
	run("report", chromedp.Click(chromedp.ID("report-claim")), chromedp.WaitVisible(chromedp.ID("claim-number")))
	checkCSP("claim page")
	number := text("#claim-number")
	if !strings.HasPrefix(number, "LP") || len(number) != 16 {
		t.Fatalf("claim number %q", number)
	}
	path := "/claims/" + number
	want("reported", "#done", "理赔报案已登记")
	want("reported", "#claim-stage", "受理")
	want("reported", "#claim-complexity", "复杂案件")
	want("reported", "#claim-claimed", "¥300,000.00")
	want("reported", "#coverage-list", "保单包含该项保障", "等待期 90 天")
	want("reported", "#ft-result", "未满足快速理赔条件")
	want("reported", "#ft-list", "门诊医疗费用", "索赔金额不超过 2,000 元")
	want("reported", "#checklist-table", "病理或确诊报告", "已收到", "病历资料", "缺少")
	want("reported", "#attachment-table", "病理报告.txt")
	consoleShoot(t, ctx, dir, "claim-reported")

	// 2. A claims specialist finds it on the workbench, accepts the
	// documents and adds the medical records that arrived by post.
	as(claimSpecialist, "/claims", "#claim-table")
	want("workbench", "#claim-table", number, "重大疾病确诊给付", "¥300,000.00", "复杂案件")
	checkCSP("workbench")
	consoleShoot(t, ctx, dir, "claim-workbench")
	run("open the claim", chromedp.Click(chromedp.CSS(`#claim-table a[href="`+path+`"]`)), chromedp.WaitVisible(chromedp.ID("claim-number")))
	done("accept the pathology report", "#accept-diagnosis_report", "材料审核结果已保存")
	run("add the medical records",
		chromedp.SetUploadFiles(chromedp.ID("upload-file"), []string{file("病历摘要.txt", "入院记录、病程记录、出院小结。\n")}),
		chromedp.SetValue(chromedp.ID("upload-item"), "medical_records"),
	)
	done("upload", "#upload-submit", "材料已上传")
	want("documents complete", "#claim-stage", "审核")
	want("documents complete", "#attachment-table", "病历摘要.txt")

	// 3. A survey goes to a colleague.
	run("assign a survey",
		chromedp.SetValue(chromedp.ID("task-kind"), "survey"),
		chromedp.SetValue(chromedp.ID("task-assignee"), staff[claimSpecialist2]),
		chromedp.SendKeys(chromedp.ID("task-instructions"), "走访北京大学肿瘤医院，核实病理报告与住院记录。"),
	)
	done("assign", "#assign-task", "任务已指派")
	want("task assigned", "#task-table", "现场查勘", "理赔-周强", "进行中")
	as(claimSpecialist2, path, "#task-table")
	run("report on the survey",
		chromedp.SendKeys(chromedp.CSS(`#task-table textarea[name="report"]`), "已走访医院病理科，报告与病历一致，诊断属实。"),
		chromedp.SetValue(chromedp.CSS(`#task-table select[name="conclusion"]`), "confirmed"),
	)
	done("report", `#task-table button[type="submit"]`, "任务报告已提交")
	want("survey reported", "#task-table", "已完成", "情况属实", "诊断属实")

	// 4. The specialist decides to pay: ¥300,000 is above both the
	// specialist's ¥10,000 and the supervisor's ¥100,000.
	as(claimSpecialist, path, "#decide-form")
	run("decide to pay",
		chromedp.Click(chromedp.ID("outcome-pay")),
		chromedp.SendKeys(chromedp.ID("reasons"), "病理报告确诊恶性肿瘤，符合合同约定的重大疾病。"),
	)
	done("decide", "#decide-submit", "理赔决定已记录")
	want("decided", "#claim-stage", "待审批")
	want("decided", "#approval-summary", "赔付", "¥300,000.00", "部门总监")
	want("decided", "#approval-own", "须由他人审批")
	consoleShoot(t, ctx, dir, "claim-pending")

	// 5. The director finds it among the approvals and approves.
	as(claimDirector, "/claims/approvals", "#approval-table")
	want("approvals", "#approval-table", number, "¥300,000.00", "理赔-陈静", "部门总监", "在我的权限内")
	want("approvals", "#approvals-limit", "不设上限")
	checkCSP("approvals")
	consoleShoot(t, ctx, dir, "claim-approvals")
	run("open the decision", chromedp.Click(chromedp.CSS(`#approval-table a[href^="`+path+`"]`)), chromedp.WaitVisible(chromedp.ID("approval-form")))
	run("approve",
		chromedp.SendKeys(chromedp.ID("approval-note"), "同意赔付。"),
	)
	done("approve", "#approve", "审批意见已记录")
	want("approved", "#claim-stage", "支付")
	want("approved", "#payment-table", "张伟", "¥300,000.00", "已发出付款指令")
	want("approved", "#decision-list", "已生效", "审批人 总监-孙伟")

	// 6. The payment job runs (here, called directly).
	cf, err := f.svc.ClaimFileOf(bg, admin, number)
	must(err)
	if len(cf.Payments) != 1 {
		t.Fatalf("payments: %+v", cf.Payments)
	}
	must(f.svc.SendPayment(bg, cf.Payments[0].ID))
	run("reload", chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`#claim-stage.cstage-closed`)))
	want("paid", "#claim-stage", "结案")
	want("paid", "#payment-table", "已支付")
	want("paid", "#claim-paid", "¥300,000.00")
	consoleShoot(t, ctx, dir, "claim-paid")

	// 7. 张伟 calls again and disputes the decision; the CSR records it.
	as(consoleUser, path, "#dispute-form")
	run("record the dispute",
		chromedp.SendKeys(chromedp.ID("dispute-reason"), "客户认为还应给付住院津贴，申请复核。"),
	)
	done("dispute", "#dispute-submit", "争议已登记")
	want("disputed", "#claim-stage", "审核")
	want("disputed", "#claim-disputed", "争议复核中")
	want("disputed", "#dispute-list", "复核中", "住院津贴")

	// 8. The first decider may not re-review it; the colleague does.
	as(claimSpecialist, path, "#decide-form")
	want("first decider", "#decide-rereview", "须由其他人员复核")
	as(claimSpecialist2, path, "#decide-form")
	run("re-review",
		chromedp.Click(chromedp.ID("outcome-pay")),
		chromedp.SendKeys(chromedp.ID("reasons"), "复核维持原决定：合同不含住院津贴责任，重大疾病保险金已足额给付。"),
	)
	done("decide", "#decide-submit", "理赔决定已记录")
	want("re-reviewed", "#claim-stage", "结案")
	want("re-reviewed", "#decision-list", "复核决定", "已被复核决定取代", "理赔-周强")
	want("re-reviewed", "#dispute-list", "已复核")
	checkCSP("re-reviewed claim")
	consoleShoot(t, ctx, dir, "claim-rereviewed")

	// 9. The decision letter.
	run("open the letter", chromedp.Click(chromedp.ID("letter-html")))
	waitFor("the letter", `(document.body?.innerText ?? "").includes("理赔决定书")`)
	letter := text("body")
	for _, w := range []string{"理赔决定书", number, "300,000.00", "复核维持原决定"} {
		if !strings.Contains(letter, w) {
			t.Errorf("letter lacks %q: %.400s", w, letter)
		}
	}
	consoleShoot(t, ctx, dir, "claim-letter")

	// The claim pages at a phone's width.
	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	for _, pg := range []struct{ name, path, ready string }{
		{"claims", "/claims?queue=closed", "#claim-table"},
		{"claim", path, "#decision-list"},
		{"report", "/claims/new?policy=" + ciPolicy + "&type=critical_illness", "#claim-form"},
		{"approvals", "/claims/approvals", "#approvals-limit"},
	} {
		run(pg.name, chromedp.Navigate(f.srv.URL+pg.path), chromedp.WaitVisible(chromedp.CSS(pg.ready)))
		checkCSP(pg.name + " on a phone")
		consoleShoot(t, ctx, dir, "claim-"+pg.name+"-phone")
	}
}
