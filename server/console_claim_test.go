package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// claimConsole is the console fixture with a claims desk: two claims
// specialists, a supervisor and a director beside the CSR, a payment
// gateway that always pays, and one critical-illness claim reported on
// the health policy and still waiting for its medical records.
type claimConsole struct {
	*consoleFixture
	clock *atomic.Int64
	staff map[string]anxin.Actor
	gw    *payment.TestGateway
	ci    *anxin.Claim // ¥500,000 critical illness, complex, waiting for the medical records
	flag  *anxin.Claim // an inpatient claim just under the ¥10,000 approval limit: flagged
}

const (
	claimSpecialist  = "claims1"
	claimSpecialist2 = "claims2"
	claimSupervisor  = "claimsup"
	claimDirector    = "director"
)

func claimConsoleSetup(t *testing.T, engine string) *claimConsole {
	t.Helper()
	ctx := context.Background()
	clock := &atomic.Int64{}
	clock.Store(consoleFixedNow().UnixNano())
	f := consoleSetup(t, engine, func() time.Time { return time.Unix(0, clock.Load()).UTC() })
	f.svc.Files = t.TempDir()
	cc := &claimConsole{consoleFixture: f, clock: clock, staff: map[string]anxin.Actor{}, gw: payment.NewTestGateway(0)}
	f.svc.Payments = cc.gw
	admin := anxin.SystemActor("test")
	for _, st := range []*anxin.Staff{
		{Username: claimSpecialist, DisplayName: "理赔-陈静", Role: anxin.RoleClaims},
		{Username: claimSpecialist2, DisplayName: "理赔-周强", Role: anxin.RoleClaims},
		{Username: claimSupervisor, DisplayName: "主管-赵敏", Role: anxin.RoleSupervisor},
		{Username: claimDirector, DisplayName: "总监-孙伟", Role: anxin.RoleDirector},
	} {
		if err := f.svc.CreateStaff(ctx, admin, st, consolePassword); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{consoleUser, claimSpecialist, claimSpecialist2, claimSupervisor, claimDirector} {
		st, err := f.svc.DB.StaffByUsername(ctx, nil, name)
		if err != nil {
			t.Fatal(err)
		}
		cc.staff[name] = anxin.Actor{Kind: "staff", ID: st.ID, Name: st.Username, Role: st.Role, Channel: "console"}
	}
	pol, err := f.svc.Policy(ctx, admin, f.health)
	if err != nil {
		t.Fatal(err)
	}
	cc.ci, err = f.svc.ReportClaim(ctx, cc.staff[consoleUser], &service.ClaimReport{Claim: anxin.Claim{PolicyID: pol.ID, Type: anxin.ClaimCriticalIllness,
		Channel: anxin.ChannelPhone, IncidentDate: anxin.MustDate("2026-10-15"), IncidentPlace: "北京协和医院", Description: "被保险人确诊恶性肿瘤。",
		Claimed: 500_000_00, Payout: anxin.Payout{PayeeName: "王芳", BankName: "中国工商银行", Account: "6222020200112233445"}},
		Documents: []service.ClaimDocument{{ItemCode: "diagnosis_report", Filename: "病理报告.txt", Data: []byte("病理诊断：恶性肿瘤。")}}})
	if err != nil {
		t.Fatal(err)
	}
	cc.flag, err = f.svc.ReportClaim(ctx, cc.staff[consoleUser], &service.ClaimReport{Claim: anxin.Claim{PolicyID: pol.ID, Type: anxin.ClaimMedical,
		Channel: anxin.ChannelCounter, IncidentDate: anxin.MustDate("2026-11-10"), Description: "住院：肺炎。", Claimed: 9_800_00,
		Loss: anxin.ClaimLoss{Setting: anxin.SettingInpatient, Expenses: 9_800_00}}})
	if err != nil {
		t.Fatal(err)
	}
	return cc
}

func (cc *claimConsole) as(t *testing.T, username string) *consoleClient {
	t.Helper()
	c := consoleNewClient(t, cc.consoleFixture)
	if res := c.signIn(username, consolePassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d", username, res.StatusCode)
	}
	return c
}

func (cc *claimConsole) file(t *testing.T, number string) *service.ClaimFile {
	t.Helper()
	f, err := cc.svc.ClaimFileOf(context.Background(), cc.staff[claimSpecialist], number)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (cc *claimConsole) countClaims(t *testing.T) int {
	t.Helper()
	cs, err := cc.svc.FindClaims(context.Background(), anxin.SystemActor("test"), store.ClaimFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(cs)
}

// claimUpload is one file of a multipart form.
type claimUpload struct {
	field, name string
	content     []byte
}

// multipart posts a multipart form the way a browser does, the CSRF token
// among its fields.
func (c *consoleClient) multipart(path string, fields url.Values, files ...claimUpload) (*http.Response, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", c.token())
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(f.content)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.base+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
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

func TestConsoleClaims(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			cc := claimConsoleSetup(t, engine)
			t.Run("Render", func(t *testing.T) { claimTestRender(t, cc) })
			t.Run("Report", func(t *testing.T) { claimTestReport(t, cc) })
			t.Run("ReportRefused", func(t *testing.T) { claimTestReportRefused(t, cc) })
			t.Run("CSR", func(t *testing.T) { claimTestCSR(t, cc) })
			t.Run("Flow", func(t *testing.T) { claimTestFlow(t, cc) })
		})
	}
}

// claimTestRender opens every claim page as a CSR, a claims specialist and
// a director, in Chinese and in English: each renders in its language,
// free of inline code, with no message key left unlabelled.
func claimTestRender(t *testing.T, cc *claimConsole) {
	bareKey := regexp.MustCompile(`>\s*([a-z]+(\.[a-z_]+)+)\s*<`)
	pages := []string{"/claims", "/claims/approvals", "/claims/new", "/claims/new?policy=" + cc.health,
		"/claims/new?policy=" + cc.health + "&type=critical_illness", "/claims/new?policy=" + cc.health + "&type=medical_expense",
		"/claims/new?policy=P404", "/claims/" + cc.ci.Number}
	for _, q := range []string{"open", "intake", "review", "approval", "payment", "closed", "flagged", "disputed"} {
		pages = append(pages, "/claims?queue="+q)
	}
	for _, user := range []string{consoleUser, claimSpecialist, claimDirector} {
		c := cc.as(t, user)
		for _, lang := range []string{"zh", "en"} {
			for _, path := range pages {
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				body := c.page(path + sep + "lang=" + lang)
				want := map[string]string{"zh": `<html lang="zh-CN">`, "en": `<html lang="en">`}[lang]
				name := user + " " + lang + " " + path
				consoleWant(t, name, body, want, `<a href="/claims" aria-current="page">`)
				if m := bareKey.FindStringSubmatch(body); m != nil {
					t.Errorf("%s: unlabelled key %q", name, m[1])
				}
			}
		}
	}
	c := cc.as(t, claimSpecialist)
	page := c.page("/claims?queue=intake")
	consoleWant(t, "intake queue", page, cc.ci.Number, "王芳", "重大疾病确诊给付", "¥500,000.00", "受理", "复杂案件")
	consoleWantNot(t, "review queue", c.page("/claims?queue=review"), cc.ci.Number)
	page = c.page("/claims?queue=flagged")
	consoleWant(t, "flagged queue", page, cc.flag.Number, `<span class="badge badge-flag" title="just_under_limit">金额略低于审批或快赔限额</span>`)
	consoleWantNot(t, "flagged queue", page, cc.ci.Number)
	consoleWant(t, "flagged claim", c.page("/claims/"+cc.flag.Number+"?lang=en"), "Amount just under an approval or fast-track limit", "Complex")
	page = c.page("/claims/" + cc.ci.Number)
	consoleWant(t, "claim page", page, `id="claim-stage">受理`, "复杂案件", "出险日 2026-10-15 在保险期间（2026-03-01 至 2027-02-28）内",
		"等待期 90 天", "无风险提示", "未满足快速理赔条件", "索赔金额不超过 2,000 元", "30 日内作出核定（保险法第二十三条）", "病理报告.txt",
		`id="notify-missing"`, `href="/tickets/`+cc.ci.TicketNumber+`"`, "6222020200112233445")
	en := c.page("/claims/" + cc.ci.Number + "?lang=en")
	consoleWant(t, "claim page in English", en, "Critical illness diagnosis", "incident date 2026-10-15 is within the period of cover",
		"Claimed ¥2,000 or less", "Complex")
	// An unknown claim is a page that says so.
	res, body := c.do("GET", "/claims/LP20260101000999", nil, nil)
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "没有该理赔案件") {
		t.Errorf("unknown claim: %d", res.StatusCode)
	}
	if res, _ := c.do("GET", "/claims?queue=lottery", nil, nil); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown queue: %d", res.StatusCode)
	}
	// The document previews inline; the ticket's route downloads it.
	m := regexp.MustCompile(`href="(/claims/` + cc.ci.Number + `/documents/[^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no preview link")
	}
	res, content := c.do("GET", m[1], nil, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "inline") || content != "病理诊断：恶性肿瘤。" ||
		res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("preview: %d %q %q", res.StatusCode, res.Header.Get("Content-Disposition"), content)
	}
}

// claimTestReport is the report form as a CSR fills it in on the phone:
// the policy number, the type, then the rest with a document.
func claimTestReport(t *testing.T, cc *claimConsole) {
	c := cc.as(t, consoleUser)
	page := c.page("/claims/new?policy=" + cc.health)
	consoleWant(t, "lookup", page, `id="policy-found"`, "安心百万医疗险", "张伟", "王芳", `<option value="medical_expense">医疗费用报销</option>`,
		"身故保险金 （保单不含此保障）")
	page = c.page("/claims/new?policy=" + cc.health + "&type=medical_expense")
	consoleWant(t, "form", page, `id="claim-form"`, `name="doc.invoices"`, `name="doc.discharge_summary"`, `name="loss.setting"`, `enctype="multipart/form-data"`)
	before := cc.countClaims(t)
	res, body := c.multipart("/claims", url.Values{"policy": {cc.health}, "type": {"medical_expense"}, "claimant": {"insured"}, "channel": {"phone"},
		"language": {"zh"}, "incident_date": {"2026-11-02"}, "incident_place": {"上海市第六人民医院"}, "description": {"门诊：急性胃肠炎"},
		"claimed": {"1,280.5"}, "loss.setting": {"outpatient"}, "loss.expenses": {"1280.50"},
		"payout.payee_name": {"王芳"}, "payout.bank_name": {"招商银行"}, "payout.account": {"6225 8801 3700 1234"},
		"verification.method": {"security_questions"}, "verification.result": {"passed"}},
		claimUpload{"doc.invoices", "发票.pdf", []byte("%PDF-1.4 invoice")}, claimUpload{"doc.diagnosis", "诊断.txt", []byte("急性胃肠炎")})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/claims/LP[0-9]{14}\?done=created$`).MatchString(loc) {
		t.Fatalf("report: %d %q\n%s", res.StatusCode, loc, consoleSnippet(consoleMain(body)))
	}
	number := strings.TrimSuffix(strings.TrimPrefix(loc, "/claims/"), "?done=created")
	f := cc.file(t, number)
	if f.Claim.Claimed != 1_280_50 || f.Claim.Loss.Expenses != 1_280_50 || f.Claim.ClaimantID != cc.spouse.ID || f.Claim.Loss.Setting != "outpatient" ||
		f.Claim.Payout.Account != "6225880137001234" || len(f.Attachments) != 2 || f.Ticket.Verification.Result != "passed" || cc.countClaims(t) != before+1 {
		t.Fatalf("stored claim: %+v, %d attachments", f.Claim, len(f.Attachments))
	}
	page = c.page(loc)
	consoleWant(t, "reported", page, "理赔报案已登记", "¥1,280.50", "发票.pdf", "诊断.txt", "门诊")
	// The CSR sees the account masked.
	consoleWantNot(t, "reported", page, "6225880137001234")
}

// claimTestReportRefused sends the report form wrong in every way a CSR
// might: each error shows beside its field, in the user's language, and
// nothing is stored.
func claimTestReportRefused(t *testing.T, cc *claimConsole) {
	c := cc.as(t, consoleUser)
	before := cc.countClaims(t)
	good := url.Values{"policy": {cc.health}, "type": {"critical_illness"}, "channel": {"phone"}, "incident_date": {"2026-10-20"},
		"description": {"确诊"}, "claimed": {"300000"}, "payout.payee_name": {"王芳"}, "payout.account": {"6222020200112233445"}}
	for _, tc := range []struct {
		name  string
		edit  func(v url.Values)
		files []claimUpload
		want  []string
	}{
		{"amount", func(v url.Values) { v.Set("claimed", "三十万") }, nil, []string{`id="claimed-err">请输入以元为单位的金额，如 1234.56`}},
		{"amount and date at once", func(v url.Values) {
			v.Set("claimed", "12.345")
			v.Set("incident_date", "2030-01-01")
			v.Set("description", " ")
		},
			nil, []string{`id="claimed-err">请输入以元为单位的金额`, `id="incident_date-err">出险日期不能晚于今天`, `id="description-err">必填`}},
		{"account", func(v url.Values) { v.Set("payout.account", "12-34") }, nil, []string{`id="account-err">应为 8 至 30 位数字`}},
		{"document", nil, []claimUpload{{"doc.medical_records", "病历.exe", []byte("MZ\x90\x00\x03\x00\x00\x00")}},
			[]string{`id="doc-medical_records-err">仅接受 JPEG、PNG、GIF、WebP、PDF 或纯文本文件`}},
		{"policy", func(v url.Values) { v.Set("policy", "P404") }, nil, []string{`id="policy-err">`}},
	} {
		v := url.Values{}
		for k, vs := range good {
			v[k] = append([]string(nil), vs...)
		}
		if tc.edit != nil {
			tc.edit(v)
		}
		res, body := c.multipart("/claims", v, tc.files...)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422\n%s", tc.name, res.StatusCode, consoleSnippet(consoleMain(body)))
		}
		consoleCheckNoInlineCode(t, tc.name, body)
		consoleWant(t, tc.name, body, tc.want...)
		consoleWant(t, tc.name, body, `id="claimnew-error"`)
	}
	// In English, the same refusal in English.
	v := url.Values{}
	for k, vs := range good {
		v[k] = vs
	}
	v.Set("claimed", "abc")
	res, body := c.multipart("/claims?lang=en", v)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("English refusal: %d", res.StatusCode)
	}
	consoleWant(t, "English refusal", body, `id="claimed-err">enter an amount in yuan, such as 1234.56`)
	if n := cc.countClaims(t); n != before {
		t.Fatalf("refused reports stored claims: %d, was %d", n, before)
	}
}

// claimTestCSR: a CSR reads a claim and records documents, but neither
// sees the decision form nor may post it.
func claimTestCSR(t *testing.T, cc *claimConsole) {
	c := cc.as(t, consoleUser)
	path := "/claims/" + cc.ci.Number
	page := c.page(path)
	consoleWantNot(t, "CSR's claim page", page, `id="decide-form"`, `id="approval-form"`, "6222020200112233445")
	consoleWant(t, "CSR's claim page", page, `id="notify-missing"`, `id="upload-form"`, `id="accept-medical_records"`)
	res, body := c.post(path+"/decisions", url.Values{"outcome": {"pay"}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "claim:decide") {
		t.Fatalf("CSR decided: %d", res.StatusCode)
	}
	if f := cc.file(t, cc.ci.Number); len(f.Decisions) != 0 {
		t.Fatalf("decisions after a refused post: %+v", f.Decisions)
	}
}

// claimTestFlow takes the critical-illness claim through review, decision,
// approval, payment, a dispute and its re-review, form by form, with every
// refusal shown beside its form.
func claimTestFlow(t *testing.T, cc *claimConsole) {
	ctx := context.Background()
	number := cc.ci.Number
	path := "/claims/" + number
	spec := cc.as(t, claimSpecialist)

	// A rejection needs a reason, shown beside that item.
	body := spec.postFail(path+"/checklist/medical_records", url.Values{"status": {"rejected"}}, http.StatusUnprocessableEntity)
	if i, j := strings.Index(body, `id="item-medical_records"`), strings.Index(body, "请说明退回原因，将告知申请人"); i < 0 || j < i || j > strings.Index(body, `id="item-bank_account"`) {
		t.Error("the rejection error is not beside its item")
	}
	spec.postOK(path+"/checklist/medical_records", url.Values{"status": {"rejected"}, "reason": {"病历不完整"}}, path+"?done=checklist")
	spec.postOK(path+"/notify-missing", nil, path+"?done=missing")
	res, _ := spec.upload(path+"/documents", spec.token(), "病历.pdf", []byte("%PDF-1.4 records"), "medical_records")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?done=upload" {
		t.Fatalf("upload: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	page := spec.page(path + "?done=upload")
	consoleWant(t, "complete", page, `id="claim-stage">审核`, "材料已上传", "病历.pdf", `id="decide-form"`)

	// A task: an assignee is needed; the colleague reports.
	body = spec.postFail(path+"/tasks", url.Values{"kind": {"survey"}, "instructions": {"走访医院核实病历"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "task without assignee", body, `id="task-assignee-err">请选择任务负责人`, "走访医院核实病历")
	colleague := cc.staff[claimSpecialist2].ID
	spec.postOK(path+"/tasks", url.Values{"kind": {"survey"}, "assignee_id": {colleague}, "instructions": {"走访医院核实病历"}}, path+"?done=task")
	task := cc.file(t, number).Tasks[0]
	// Deciding with a task open is refused beside the form.
	body = spec.postFail(path+"/decisions", url.Values{"outcome": {"pay"}}, http.StatusConflict)
	consoleWant(t, "task open", body, `id="decide-error">尚有未完成的任务：现场查勘`)
	col := cc.as(t, claimSpecialist2)
	body = col.postFail(path+"/tasks/"+task.ID+"/report", url.Values{"report": {""}}, http.StatusUnprocessableEntity)
	consoleWant(t, "empty report", body, `id="report-report:`+task.ID+`-err">请填写报告`)
	col.postOK(path+"/tasks/"+task.ID+"/report", url.Values{"report": {"已走访医院，病历属实。"}, "conclusion": {"confirmed"}}, path+"?done=report")

	// Bad decisions change nothing.
	body = spec.postFail(path+"/decisions", url.Values{"outcome": {"partial"}, "payable": {"abc"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "bad payable", body, `id="payable-err">请输入以元为单位的金额`)
	body = spec.postFail(path+"/decisions", url.Values{"outcome": {"partial"}, "payable": {"600000"}, "reasons": {"部分责任免除"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "payable above the calculation", body, `id="payable-err">须大于 0 且小于核算金额 500000.00`)
	body = spec.postFail(path+"/decisions", url.Values{"outcome": {"reject"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "rejection without reasons", body, `id="reasons-err">请写明理由，将书面告知申请人`)
	if f := cc.file(t, number); len(f.Decisions) != 0 || f.Claim.Stage != anxin.ClaimReview {
		t.Fatalf("after refused decisions: %d decisions, stage %s", len(f.Decisions), f.Claim.Stage)
	}
	// Pay: ¥500,000 is above the specialist's ¥10,000 and the supervisor's
	// ¥100,000; it waits for a director.
	f := cc.file(t, number)
	spec.postOK(path+"/decisions", url.Values{"outcome": {"pay"}, "reasons": {"确诊符合合同约定的重大疾病"}, "version": {strconv.Itoa(f.Claim.Version)}}, path+"?done=decide")
	page = spec.page(path)
	consoleWant(t, "pending", page, `id="claim-stage">待审批`, "等待部门总监审批", `id="approval-own"`, "¥500,000.00")
	consoleWantNot(t, "pending", page, `id="decide-form"`, `id="approval-form"`)
	for user, want := range map[string]string{claimSpecialist: "本人作出的决定", claimSpecialist2: "超出我的权限", claimSupervisor: "超出我的权限", claimDirector: "在我的权限内", consoleUser: "无审批权限"} {
		body := cc.as(t, user).page("/claims/approvals")
		consoleWant(t, user+"'s approvals", body, `id="approval-`+number+`"`, want)
	}
	sup := cc.as(t, claimSupervisor)
	body = sup.postFail(path+"/decisions/"+cc.file(t, number).Decisions[0].ID+"/approval", url.Values{"approve": {"true"}}, http.StatusForbidden)
	consoleWant(t, "above the supervisor's limit", body, `id="approval-error">金额 500000.00 超出您的审批权限`)
	dir := cc.as(t, claimDirector)
	consoleWant(t, "director's workbench", dir.page("/claims"), `id="approvals-mine"`)
	d := cc.file(t, number).Decisions[0]
	body = dir.postFail(path+"/decisions/"+d.ID+"/approval", url.Values{"approve": {"false"}}, http.StatusUnprocessableEntity)
	consoleWant(t, "return without a note", body, `id="approval-note-err">请说明退回原因`)
	dir.postOK(path+"/decisions/"+d.ID+"/approval", url.Values{"approve": {"true"}, "note": {"同意"}}, path+"?done=approval")
	f = cc.file(t, number)
	if f.Claim.Stage != anxin.ClaimPaying || len(f.Payments) != 1 || f.Payments[0].Amount != 500_000_00 {
		t.Fatalf("after approval: stage %s, payments %+v", f.Claim.Stage, f.Payments)
	}
	if err := cc.svc.SendPayment(ctx, f.Payments[0].ID); err != nil {
		t.Fatal(err)
	}
	page = dir.page(path)
	consoleWant(t, "paid", page, `id="claim-stage">结案`, "已支付", cc.file(t, number).Payments[0].Reference, `id="letter-html"`, "审批人 总监-孙伟")

	// A dispute, on the claimant's behalf; the first decider may not
	// re-review it; a colleague does.
	csr := cc.as(t, consoleUser)
	body = csr.postFail(path+"/disputes", url.Values{"reason": {""}}, http.StatusUnprocessableEntity)
	consoleWant(t, "empty dispute", body, `id="dispute-reason-err">请说明异议内容`)
	csr.postOK(path+"/disputes", url.Values{"reason": {"申请人认为应另付住院津贴"}}, path+"?done=dispute")
	page = spec.page(path)
	consoleWant(t, "disputed", page, `id="claim-disputed"`, `id="decide-rereview"`, "申请人认为应另付住院津贴")
	body = spec.postFail(path+"/decisions", url.Values{"outcome": {"pay"}}, http.StatusForbidden)
	consoleWant(t, "first decider", body, `id="decide-error">争议案件须由原决定人以外的人员复核`)
	col.postOK(path+"/decisions", url.Values{"outcome": {"pay"}, "reasons": {"复核维持原决定：合同无住院津贴责任"}}, path+"?done=decide")
	page = col.page(path)
	consoleWant(t, "re-reviewed", page, `id="claim-stage">结案`, "复核决定", "已被复核决定取代", "复核维持原决定")
	res, letter := col.do("GET", path+"/letter", nil, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(letter, "理赔决定书") || !strings.Contains(letter, "复核维持原决定") {
		t.Fatalf("letter: %d %.300s", res.StatusCode, letter)
	}
	res, pdf := col.do("GET", path+"/letter?format=pdf", nil, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatalf("pdf letter: %d", res.StatusCode)
	}
	if n := len(cc.gw.Paid()); n != 1 {
		t.Fatalf("the re-review paid again: %d payments", n)
	}
}

// A payment the bank refuses, on the console: the claim page shows the
// refusal first, with the bank's reason and the correction form, to staff
// who may change the claim (claim:write), and the refusal alone to those
// who may not; a bad account is refused beside its field with nothing
// changed; a good one sends the payment again, which is paid and closes
// the claim; the claimant's survey answer then shows.
func TestConsoleClaimRefusedPayment(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			cc := claimConsoleSetup(t, engine)
			cc.svc.Payments = selfRefusingGateway{TestGateway: cc.gw, account: "6222020200112233445"}
			ctx := context.Background()
			if err := cc.svc.CreateStaff(ctx, anxin.SystemActor("test"), &anxin.Staff{Username: "auditor1", DisplayName: "审计-吴丽", Role: anxin.RoleAuditor}, consolePassword); err != nil {
				t.Fatal(err)
			}
			number := cc.ci.Number
			path := "/claims/" + number
			good := url.Values{"payout.payee_name": {"王芳"}, "payout.bank_name": {"招商银行北京分行"}, "payout.account": {"6225 8801 3700 9876"}}

			// Before any payment the correction waits, folded, under the payments.
			dir := cc.as(t, claimDirector)
			page := dir.page(path)
			consoleWant(t, "open claim", page, `<details class="payout-fix" id="payout">`, `id="payout-form"`, `action="`+path+`/payout"`, `name="payout.account"`, `value="王芳"`)
			consoleWantNot(t, "open claim", page, `id="payout-refused"`, `id="claim-payfailed"`, `id="survey"`)

			// The director completes and pays the claim; the bank refuses
			// the account.
			if res, _ := dir.upload(path+"/documents", dir.token(), "病历.pdf", []byte("%PDF-1.4 records"), "medical_records"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload: %d", res.StatusCode)
			}
			dir.postOK(path+"/decisions", url.Values{"outcome": {"pay"}, "reasons": {"确诊符合合同约定的重大疾病"}, "version": {strconv.Itoa(cc.file(t, number).Claim.Version)}},
				path+"?done=decide")
			f := cc.file(t, number)
			if f.Claim.Stage != anxin.ClaimPaying || len(f.Payments) != 1 {
				t.Fatalf("after the decision: stage %s, %d payments", f.Claim.Stage, len(f.Payments))
			}
			if err := cc.svc.SendPayment(ctx, f.Payments[0].ID); err != nil {
				t.Fatal(err)
			}
			if f = cc.file(t, number); f.Payments[0].Status != anxin.PaymentFailed {
				t.Fatalf("the refused payment: %+v", f.Payments[0])
			}

			// The refusal comes first, with the form, to anyone with claim:write.
			spec := cc.as(t, claimSpecialist)
			page = spec.page(path)
			consoleWant(t, "refused", page, `id="claim-payfailed">付款被退回`, `id="payout-refused"`, "付款被银行退回：请更正收款账户", "¥500,000.00 付至 王芳（中国工商银行 6222020200112233445）被退回",
				"<strong>账户已销户</strong>", `id="payout-form"`, `class="btn btn-primary" id="payout-submit"`, "被退回的款项立即按新账户重新发起付款")
			consoleWantNot(t, "refused", page, `<details class="payout-fix"`)
			if i, j := strings.Index(page, `id="payout-refused"`), strings.Index(page, `id="summary-h"`); i < 0 || i > j {
				t.Error("the refusal is not above the claim's summary")
			}
			consoleWant(t, "refused en", spec.page(path+"?lang=en"), "The bank refused a payment: correct the account", "Payment refused", "was refused:", "账户已销户", "Save the account")
			csr := cc.as(t, consoleUser)
			consoleWant(t, "CSR", csr.page(path), `id="payout-refused"`, `id="payout-form"`)
			aud := cc.as(t, "auditor1")
			page = aud.page(path)
			consoleWant(t, "auditor", page, `id="payout-refused"`, "账户已销户", "须由有理赔处理权限")
			consoleWantNot(t, "auditor", page, `id="payout-form"`)
			if res, body := aud.post(path+"/payout", good); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "claim:write") {
				t.Errorf("an auditor corrected the account: %d", res.StatusCode)
			}

			// Bad accounts are refused beside their fields; nothing changes.
			before := cc.file(t, number)
			body := csr.postFail(path+"/payout", url.Values{"payout.payee_name": {"王芳"}, "payout.bank_name": {"招商银行"}, "payout.account": {"12-34"}}, http.StatusUnprocessableEntity)
			consoleWant(t, "bad account", body, `id="payout-account-err">应为 8 至 30 位数字`, `value="12-34"`, `value="招商银行"`, `aria-invalid="true"`, `id="payout-refused"`)
			body = csr.postFail(path+"/payout?lang=en", url.Values{"payout.payee_name": {" "}, "payout.account": {""}}, http.StatusUnprocessableEntity)
			consoleWant(t, "empty account", body, `id="payout-payee-err">is required`, `id="payout-account-err">is required`)
			body = csr.postFail(path+"/payout", url.Values{"payout.payee_name": {"王芳\x00"}, "payout.account": {"6225880137009876"}}, http.StatusUnprocessableEntity)
			consoleWant(t, "NUL", body, `id="payout-error">表单含有无法保存的字符`)
			if res, _ := csr.do("POST", path+"/payout", good, nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("without the token: %d", res.StatusCode)
			}
			if after := cc.file(t, number); after.Claim.Version != before.Claim.Version || len(after.Payments) != 1 || after.Claim.Payout != before.Claim.Payout {
				t.Fatalf("refused corrections changed the claim: %+v, %d payments", after.Claim.Payout, len(after.Payments))
			}

			// A good account: the refused payment goes out again to it and is paid.
			csr.postOK(path+"/payout", good, path+"?done=payout")
			f = cc.file(t, number)
			if len(f.Payments) != 2 || f.Payments[1].Status != anxin.PaymentInstructed || f.Payments[1].Account != "6225880137009876" ||
				f.Payments[1].Amount != 500_000_00 || f.Claim.Payout.Account != "6225880137009876" || f.Payments[0].Status != anxin.PaymentFailed {
				t.Fatalf("after the correction: %+v, %+v", f.Claim.Payout, f.Payments)
			}
			page = spec.page(path + "?done=payout")
			consoleWant(t, "corrected", page, "收款账户已更正", "招商银行北京分行", "6225880137009876", `<details class="payout-fix" id="payout">`, "账户已销户")
			consoleWantNot(t, "corrected", page, `id="payout-refused"`, `id="claim-payfailed"`)
			if err := cc.svc.SendPayment(ctx, f.Payments[1].ID); err != nil {
				t.Fatal(err)
			}
			if paid := cc.gw.Paid(); len(paid) != 1 || paid[0].Account != "6225880137009876" {
				t.Fatalf("gateway paid %+v", paid)
			}
			page = spec.page(path)
			consoleWant(t, "paid", page, `id="claim-stage">结案`, `id="survey"`, `id="survey-none"`, "申请人尚未评价")
			consoleWantNot(t, "paid", page, `id="payout-form"`)
			// Closed with nothing to pay, a correction is refused and says so.
			body = csr.postFail(path+"/payout", good, http.StatusConflict)
			consoleWant(t, "closed", body, `id="payout-error">案件已结案，没有待支付的款项`)

			// The claimant's survey answer.
			if _, err := cc.svc.AnswerClaimSurvey(ctx, service.CustomerActor(f.Claim.ClaimantID), number, 2, 6, "付款被退回后等了好几天。"); err != nil {
				t.Fatal(err)
			}
			page = spec.page(path)
			consoleWant(t, "survey", page, `id="survey-answer"`, "★★☆☆☆", "2 / 5", "6 / 10", `class="badge nps-detractor">贬损者`, "付款被退回后等了好几天。")
			consoleWantNot(t, "survey", page, `id="survey-none"`)
			consoleWant(t, "survey en", spec.page(path+"?lang=en"), "Satisfaction survey", "Likely to recommend (NPS)", "Detractor")
		})
	}
}
