package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// selfClaimPolicy is an outpatient medical policy of 张伟's (policyholder
// and insured) with no deductible and a 90% ratio, so that a small claim
// pays something and the fast track may take it.
const selfClaimPolicy = "P2026OPD000001"

// newSelfClaimEnv is the self-service fixture with somewhere to keep
// documents, a payment gateway, and 张伟's outpatient policy, in force
// since 200 days before now.
func newSelfClaimEnv(t *testing.T, engine string, now time.Time) (*selfEnv, *payment.TestGateway) {
	t.Helper()
	e := newSelfEnvAt(t, engine, now)
	ctx := context.Background()
	e.f.svc.Files = t.TempDir()
	e.f.svc.PublicURL = "https://anxin.example"
	gw := payment.NewTestGateway(0)
	e.f.svc.Payments = gw
	admin := anxin.SystemActor("test")
	if err := e.f.svc.PutProduct(ctx, admin, &anxin.Product{Code: "OPD-ANXIN", Line: anxin.LineHealth, Name: "安心门诊保", NameEN: "Anxin Outpatient",
		TermYears: 1, Active: true, Coverages: []anxin.Coverage{
			{Kind: anxin.CovMedical, SumInsured: 20_000_00, ReimbursementRatio: 9000, AnnualLimit: 20_000_00},
		}}); err != nil {
		t.Fatal(err)
	}
	start := anxin.DateOf(now.In(e.f.svc.Calendar.Location())).AddDays(-200)
	pol := &anxin.Policy{Number: selfClaimPolicy, ProductCode: "OPD-ANXIN", PolicyholderID: e.f.holder.ID, InsuredID: e.f.holder.ID,
		Premium: 36000, PaymentFrequency: anxin.PayAnnual, PaymentMethod: anxin.PayOnline, NextPaymentDate: start.AddYears(1),
		EffectiveDate: start, ExpiryDate: start.AddYears(1), UnderwritingDate: start.AddDays(-2), SalesChannel: "agent", AgentCode: "A10086", StatutoryHeirs: true}
	if _, err := e.f.svc.CreatePolicy(ctx, admin, pol); err != nil {
		t.Fatal(err)
	}
	return e, gw
}

// selfImage is a small, real photo: a JPEG or PNG of one colour, which
// seed varies so that no two claims share a document (a reused document
// is a risk flag).
func selfImage(t testing.TB, format string, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := range 16 {
		for y := range 12 {
			img.Set(x, y, color.RGBA{uint8(seed * 37), uint8(x * 16), uint8(y*20 + seed), 255})
		}
	}
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// selfClaimPDF is a small PDF that differs by seed.
func selfClaimPDF(seed int) []byte {
	return append(append([]byte{}, selfPDF...), fmt.Sprintf("%% %d\n", seed)...)
}

// selfUpload is one file of a multipart form.
type selfUpload struct {
	field, name string
	data        []byte
}

// multipart posts a form with files, as a browser posts the report form.
func (c *selfClient) multipart(path string, fields url.Values, files ...selfUpload) (*http.Response, string) {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile(f.field, f.name)
		fw.Write(f.data)
	}
	mw.Close()
	req, err := http.NewRequest("POST", c.e.f.srv.URL+path, &buf)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for name, value := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var selfClaimCreatedRe = regexp.MustCompile(`^/my/claims/(LP[0-9]{14})\?done=created$`)

// selfClaimForm is a good report of a ¥500 outpatient visit on 张伟's
// outpatient policy.
func selfClaimForm(csrf, incident string) url.Values {
	return url.Values{"csrf_token": {csrf}, "policy": {selfClaimPolicy}, "type": {"medical_expense"}, "setting": {"outpatient"},
		"incident_date": {incident}, "incident_place": {"北京协和医院"}, "description": {"急性咽炎，门诊就诊并取药。"}, "amount": {"500"},
		"payee_name": {"张伟"}, "bank_name": {"招商银行北京分行"}, "account": {"6225 8801 3700 1234"}}
}

func selfClaimDocs(t testing.TB, seed int) []selfUpload {
	return []selfUpload{
		{"doc_invoices", "发票.jpg", selfImage(t, "jpeg", seed)},
		{"doc_expense_list", "费用清单.png", selfImage(t, "png", seed)},
		{"doc_diagnosis", "诊断证明.pdf", selfClaimPDF(seed)},
	}
}

func selfClaimWith(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string{}, vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// The claim pages walked as a customer walks them, in both languages: the
// way in from the nav, the two steps of the report, every kind of bad
// input refused next to its field with nothing created, a small
// outpatient claim that the fast track decides and pays at once, its
// explanation, letter and payment, a human review; and a claim with
// documents missing, completed from its page.
func TestSelfClaimPages(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e, gw := newSelfClaimEnv(t, engine, consoleFixedNow())
			ctx := context.Background()
			holder := service.CustomerActor(e.f.holder.ID)
			count := func() int {
				t.Helper()
				cs, err := e.f.svc.FindClaims(ctx, holder, store.ClaimFilter{})
				if err != nil {
					t.Fatal(err)
				}
				return len(cs)
			}
			c := e.signIn(holderMobile)

			// The way in, and an empty list.
			consoleWant(t, "home", c.page("/my"), `href="/my/claims"`, "我的理赔")
			consoleWant(t, "home en", c.page("/my?lang=en"), `href="/my/claims"`, "My claims")
			consoleWant(t, "empty", c.page("/my/claims"), "您还没有理赔案件", `href="/my/claims/new"`, `aria-current="page"`)
			consoleWant(t, "empty en", c.page("/my/claims?lang=en"), "You have no claims yet", "Make a claim")

			// Step one: each policy with the claims it takes. Nobody claims
			// their own death benefit; the company's fleet is not his.
			choose := c.page("/my/claims/new", "第一步", "安心门诊保", selfClaimPolicy, "门诊医疗费用", "住院医疗费用", "重大疾病确诊给付",
				`href="/my/claims/new?policy=`+selfClaimPolicy+`&amp;type=medical_expense&amp;setting=outpatient"`,
				`href="/my/claims/new?policy=`+e.f.health+`&amp;type=critical_illness"`, "该保单暂不支持在线申请理赔")
			consoleWantNot(t, "choose", choose, "type=death", e.f.auto, `action="/my/claims"`)
			consoleWant(t, "choose en", c.page("/my/claims/new?lang=en"), "Step 1", "Outpatient medical bills", "Anxin Outpatient")
			// A policy and type that do not go together go back to step one.
			consoleWant(t, "mismatch", c.page("/my/claims/new?policy="+e.f.life+"&type=medical_expense"), "第一步", "请从下列保单中选择理赔类型")
			consoleWant(t, "another's", c.page("/my/claims/new?policy="+e.f.auto+"&type=vehicle_damage"), "请从下列保单中选择理赔类型")

			// Step two: the form for the chosen claim, with a file input for
			// each document its checklist names.
			form := c.page("/my/claims/new?policy="+selfClaimPolicy+"&type=medical_expense&setting=outpatient", "申请理赔：医疗费用报销",
				`enctype="multipart/form-data"`, `name="setting" value="outpatient" checked`, `name="doc_invoices"`, "医疗费用发票",
				`name="doc_expense_list"`, `name="doc_diagnosis"`, `name="doc_discharge_summary"`, "出院小结（住院时）", `name="payee_name"`,
				`value="张伟"`, `name="account"`, `max="2026-11-20"`, `accept="image/jpeg,image/png,application/pdf"`)
			consoleWantNot(t, "form", form, `name="doc_bank_account"`)
			consoleWant(t, "form en", c.page("/my/claims/new?policy="+selfClaimPolicy+"&type=medical_expense&lang=en"), "Claim: Medical expenses",
				"Medical invoices", "Total medical bills (yuan)", "Where to pay")
			consoleWant(t, "form auto", c.page("/my/claims/new?policy="+e.f.health+"&type=critical_illness"), `name="doc_diagnosis_report"`, `name="doc_medical_records"`)
			csrf := formToken(t, form)
			good := selfClaimForm(csrf, "2026-11-18")

			// Bad input: every mistake named next to its field, in the
			// customer's language; nothing created.
			exe := selfUpload{"doc_invoices", "发票.exe", selfEXE}
			res, body := c.multipart("/my/claims", url.Values{"csrf_token": {csrf}, "policy": {selfClaimPolicy}, "type": {"medical_expense"},
				"incident_date": {"2030-01-01"}, "description": {"  "}, "amount": {"五百"}, "payee_name": {"张伟"}, "account": {"12ab"}}, exe)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("bad form: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			consoleWant(t, "bad form", body, "请按提示修改标出的内容后重新提交", "浏览器不会保留已选择的文件",
				`id="setting-err"`, "请选择门诊或住院", `id="incident_date-err"`, "出险日期不能晚于今天", `value="2030-01-01"`,
				`id="description-err"`, "请说明事故或就医经过", `id="amount-err"`, "请填写金额（元）", `value="五百"`,
				`id="bank_name-err"`, "请填写开户银行", `id="account-err"`, "应为 8 至 30 位数字", `value="12ab"`,
				`id="doc_invoices-err"`, "仅接受 JPG、PNG 照片或 PDF 文件", `aria-invalid="true"`)
			consoleWantNot(t, "bad form", body, `id="payee_name-err"`, `id="incident_place-err"`)
			consoleCheckNoInlineCode(t, "bad form", body)
			res, body = c.multipart("/my/claims?lang=en", selfClaimWith(good, "amount", "", "incident_date", "18/11/2026"), exe)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("bad form en: status %d", res.StatusCode)
			}
			consoleWant(t, "bad form en", body, "give the total of the medical bills", "give a date such as 2026-11-18",
				"only photos (JPEG or PNG) or PDF files are accepted", "Please correct what is marked")
			// A text file passes the service's own check, but not the page's
			// promise of photos and PDFs.
			res, body = c.multipart("/my/claims", good, append(selfClaimDocs(t, 90), selfUpload{"doc_diagnosis", "诊断.txt", []byte("急性咽炎，建议休息三天")})...)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="doc_diagnosis-err"`) {
				t.Errorf("text file: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			// An outpatient visit needs no discharge summary.
			res, body = c.multipart("/my/claims", good, selfUpload{"doc_discharge_summary", "出院小结.pdf", selfClaimPDF(91)})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="doc_discharge_summary-err"`) || !strings.Contains(body, "仅住院理赔需要") {
				t.Errorf("discharge summary for an outpatient visit: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			// Another's policy, or a claim the policy does not cover, goes
			// back to step one.
			res, body = c.multipart("/my/claims", selfClaimWith(good, "policy", e.f.auto, "type", "vehicle_damage"))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请从下列保单中选择理赔类型") || strings.Contains(body, "安心企业车队保险") {
				t.Errorf("another's policy: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			res, _ = c.multipart("/my/claims", selfClaimWith(good, "type", "death"))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("a death claim on one's own life: status %d", res.StatusCode)
			}
			// No token, a forged one, or a plain form without one.
			if res, _ := c.multipart("/my/claims", selfClaimWith(good, "csrf_token", ""), selfClaimDocs(t, 92)...); res.StatusCode != http.StatusForbidden {
				t.Errorf("without the token: status %d", res.StatusCode)
			}
			if res, _ := c.multipart("/my/claims", selfClaimWith(good, "csrf_token", "forged"+csrf), selfClaimDocs(t, 93)...); res.StatusCode != http.StatusForbidden {
				t.Errorf("with a forged token: status %d", res.StatusCode)
			}
			c.want("POST", "/my/claims", selfClaimWith(good, "csrf_token", ""), http.StatusForbidden, "CSRF")
			if n := count(); n != 0 {
				t.Fatalf("%d claims after refused forms", n)
			}

			// A ¥500 outpatient visit with its three documents and the bank
			// account: decided by the fast track in the same request.
			res, body = c.multipart("/my/claims", good, selfClaimDocs(t, 1)...)
			loc := wantRedirect(t, "report", res, body, "/my/claims/LP")
			m := selfClaimCreatedRe.FindStringSubmatch(loc)
			if m == nil {
				t.Fatalf("reported at %q", loc)
			}
			number := m[1]
			f, err := e.f.svc.ClaimFileOf(ctx, holder, number)
			if err != nil {
				t.Fatal(err)
			}
			cl := f.Claim
			if !cl.FastTrack || cl.Claimed != 500_00 || cl.Loss.Expenses != 500_00 || cl.Loss.Setting != "outpatient" || cl.Channel != anxin.ChannelWebsite ||
				cl.Stage != anxin.ClaimPaying || len(f.Decisions) != 1 || f.Decisions[0].Payable != 450_00 || len(f.Payments) != 1 || len(f.Attachments) != 3 {
				t.Fatalf("reported %+v\ndecisions %+v", cl, f.Decisions)
			}
			page := c.page(loc, "理赔申请已提交，案件号 "+number, "已由系统自动审核通过", number, "支付", "预计付款日期", "安心门诊保",
				"2026-11-18", "北京协和医院", "门诊", "¥500.00", "理赔决定", "赔付", "¥450.00", "系统自动审核（快速理赔）",
				"合理且必要的医疗费用", "按赔付比例 90% 计算", "自动审核说明", "门诊医疗费用", "索赔金额不超过 2,000 元", "材料齐全", "无风险提示",
				"个人信息保护法", `id="human-review"`, "申请人工复核", `name="human_review" value="1"`, "对决定有异议",
				`href="/my/claims/`+number+`/letter"`, `href="/my/claims/`+number+`/letter?format=pdf"`, "付款处理中", "招商银行北京分行", "1234",
				"所需材料已全部收到", "发票.jpg", "费用清单.png", "诊断证明.pdf", `href="/my/tickets/`+cl.TicketNumber+`"`, `class="self-step-current" aria-current="step">支付`)
			consoleWantNot(t, "claim", page, "6225880137001234", "risk", "待审批", `class="self-rule-no"`)
			consoleWant(t, "claim en", c.page("/my/claims/"+number+"?lang=en"), "Being paid", "Paid in full", "Automated fast-track review",
				"At the reimbursement ratio of 90%", "Outpatient medical expenses", "Every document present", "Ask for a human review", "Payment expected by")
			consoleWant(t, "list paying", c.page("/my/claims"), number, "医疗费用报销", "支付", "预计付款日期", "¥500.00", "已赔付", `href="/my/claims/`+number+`"`)

			// The payment job settles it: closed and paid.
			if err := e.f.svc.SendPayment(ctx, f.Payments[0].ID); err != nil {
				t.Fatal(err)
			}
			if len(gw.Paid()) != 1 {
				t.Fatalf("gateway: %+v", gw.Paid())
			}
			page = c.page("/my/claims/"+number, "结案", "结案日期", "已到账", "付款时间", "银行流水号")
			consoleWantNot(t, "paid", page, "付款处理中")
			list := c.page("/my/claims", number, "结案", "¥450.00")
			consoleWantNot(t, "list", list, "您还没有理赔案件")
			consoleWant(t, "list en", c.page("/my/claims?lang=en"), "Closed", "Paid to you", "¥450.00")

			// The letter, as a page and as PDF.
			res, body = c.do("GET", "/my/claims/"+number+"/letter", nil, nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "理赔决定书") || !strings.Contains(body, "450.00") {
				t.Fatalf("letter: %d %.300s", res.StatusCode, body)
			}
			res, body = c.do("GET", "/my/claims/"+strings.ToLower(number)+"/letter?format=pdf&lang=en", nil, nil)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
				t.Fatalf("pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			c.want("GET", "/my/claims/"+number+"/letter?format=docx", nil, http.StatusNotFound)

			// A dispute needs a reason; asking for a person does not.
			disputes := "/my/claims/" + number + "/disputes"
			c.want("POST", disputes, url.Values{"reason": {"金额不对"}}, http.StatusForbidden, "CSRF")
			c.want("POST", disputes, url.Values{"csrf_token": {csrf}, "reason": {" "}}, http.StatusUnprocessableEntity, `id="dispute-reason-err"`, "请说明异议内容")
			c.want("POST", disputes+"?lang=en", url.Values{"csrf_token": {csrf}}, http.StatusUnprocessableEntity, `id="dispute-reason-err"`, "say what you disagree with")
			res, body = c.do("POST", disputes, url.Values{"csrf_token": {csrf}, "human_review": {"1"}}, nil)
			wantRedirect(t, "human review", res, body, "/my/claims/"+number+"?done=review")
			page = c.page("/my/claims/"+number+"?done=review", "人工复核申请已提交", "复核进行中", "未参与原决定的工作人员", "复核申请",
				"申请人工复核", "复核中", "请由工作人员人工复核此自动决定。", "审核")
			consoleWantNot(t, "reviewing", page, `id="human-review"`, `id="dispute-reason"`)
			consoleWant(t, "list reviewing", c.page("/my/claims"), "复核中")
			if f, _ := e.f.svc.ClaimFileOf(ctx, holder, number); !f.Claim.Disputed || len(f.Disputes) != 1 || !f.Disputes[0].HumanReview || f.Claim.Stage != anxin.ClaimReview {
				t.Fatalf("after the request: %+v %+v", f.Claim, f.Disputes)
			}
			// A second request while the first is under way is refused.
			c.want("POST", disputes, url.Values{"csrf_token": {csrf}, "human_review": {"1"}, "reason": {"再次申请"}}, http.StatusConflict, "复核正在进行中")

			// An inpatient stay with only the invoices: the claim waits for
			// the rest, one upload form per missing document.
			res, body = c.multipart("/my/claims", selfClaimWith(good, "setting", "inpatient", "amount", "12,000.50", "incident_date", "2026-11-10"),
				selfUpload{"doc_invoices", "住院发票.jpg", selfImage(t, "jpeg", 2)})
			loc = wantRedirect(t, "inpatient", res, body, "/my/claims/LP")
			second := selfClaimCreatedRe.FindStringSubmatch(loc)[1]
			page = c.page(loc, "还有 3 项材料待提交", "受理", "材料齐全后开始审核", "¥12,000.50",
				`action="/my/claims/`+second+`/documents"`, `name="item_code" value="expense_list"`, `name="item_code" value="diagnosis"`,
				`name="item_code" value="discharge_summary"`, `id="file-expense_list"`)
			consoleWantNot(t, "inpatient", page, `name="item_code" value="invoices"`, `id="human-review"`, "自动审核说明", "理赔决定书")
			up := "/my/claims/" + second + "/documents"
			res, body = c.upload(up, map[string]string{"csrf_token": csrf, "item_code": "expense_list"}, "清单.exe", selfEXE)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="file-expense_list-err"`) {
				t.Errorf("exe: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			res, body = c.upload(up+"?lang=en", map[string]string{"csrf_token": csrf, "item_code": "expense_list"}, "清单.txt", []byte("床位费 800"))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "only photos (JPEG or PNG) or PDF files are accepted") {
				t.Errorf("text: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			res, body = c.upload(up, map[string]string{"csrf_token": csrf, "item_code": "lottery"}, "清单.png", selfImage(t, "png", 3))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="item-err"`) {
				t.Errorf("unknown item: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			if res, _ := c.upload(up, map[string]string{"item_code": "expense_list"}, "清单.png", selfImage(t, "png", 3)); res.StatusCode != http.StatusForbidden {
				t.Errorf("upload without the token: status %d", res.StatusCode)
			}
			if f, _ := e.f.svc.ClaimFileOf(ctx, holder, second); len(f.Attachments) != 1 {
				t.Fatalf("refused uploads stored %d documents", len(f.Attachments)-1)
			}
			res, body = c.upload(up, map[string]string{"csrf_token": csrf, "item_code": "expense_list"}, "清单.png", selfImage(t, "png", 3))
			wantRedirect(t, "upload", res, body, "/my/claims/"+second+"?done=document")
			c.page("/my/claims/"+second+"?done=document", "材料已上传", "清单.png", "还有 2 项材料待提交")
			// A document sent back comes with its reason and a form.
			if _, err := e.f.svc.ReviewClaimDocument(ctx, e.staff(), second, "invoices", anxin.ItemRejected, "发票照片不清晰"); err != nil {
				t.Fatal(err)
			}
			c.page("/my/claims/"+second, "需重新提交", "退回原因：发票照片不清晰", `name="item_code" value="invoices"`, "还有 3 项材料待提交")
			if n := count(); n != 2 {
				t.Fatalf("%d claims", n)
			}
		})
	}
}

// Another customer's claim is not found on every route, and nothing of it
// changes; signed out, the pages ask to sign in; odd input never gives a
// 500.
func TestSelfClaimOthers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e, _ := newSelfClaimEnv(t, engine, consoleFixedNow())
			ctx := context.Background()
			holder := service.CustomerActor(e.f.holder.ID)
			pol, err := e.f.svc.DB.GetPolicyByNumber(ctx, nil, selfClaimPolicy)
			if err != nil {
				t.Fatal(err)
			}
			cl, err := e.f.svc.ReportClaim(ctx, holder, &service.ClaimReport{Claim: anxin.Claim{PolicyID: pol.ID, Type: anxin.ClaimMedical,
				Channel: anxin.ChannelWebsite, IncidentDate: anxin.MustDate("2026-11-18"), IncidentPlace: "张伟去的医院", Description: "张伟的病情",
				Claimed: 300_00, Loss: anxin.ClaimLoss{Setting: anxin.SettingInpatient, Expenses: 300_00},
				Payout: anxin.Payout{PayeeName: "张伟", BankName: "招商银行", Account: "6225880137001234"}}})
			if err != nil {
				t.Fatal(err)
			}
			number := cl.Number
			before, _ := e.f.svc.ClaimFileOf(ctx, holder, number)

			// 王芳 is insured under 张伟's health policy and may claim on it;
			// she sees her own claims only.
			a := e.signIn(spouseMobile)
			token := formToken(t, a.page("/my/claims/new?policy="+e.f.health+"&type=medical_expense", "安心百万医疗险", `value="王芳"`))
			base := "/my/claims/" + number
			for path, want := range map[string]string{base: "未找到该理赔案件", base + "?lang=en": "claim not found", strings.ToLower(base): "未找到该理赔案件",
				base + "/letter": "未找到该理赔案件", base + "/letter?format=pdf": "未找到该理赔案件"} {
				_, body := a.want("GET", path, nil, http.StatusNotFound, want)
				consoleWantNot(t, path, body, "张伟的病情", "张伟去的医院", "6225")
			}
			a.want("POST", base+"/disputes", url.Values{"csrf_token": {token}, "reason": {"我是王芳"}}, http.StatusNotFound, "未找到该理赔案件")
			a.want("POST", base+"/disputes", url.Values{"csrf_token": {token}, "human_review": {"1"}}, http.StatusNotFound)
			a.want("POST", base+"/survey", url.Values{"csrf_token": {token}, "score": {"5"}, "nps": {"10"}}, http.StatusNotFound, "未找到该理赔案件")
			_, other := a.want("POST", base+"/payout", url.Values{"csrf_token": {token}, "payee_name": {"王芳"}, "bank_name": {"工商银行"}, "account": {"6222020200112233445"}},
				http.StatusNotFound, "未找到该理赔案件")
			consoleWantNot(t, "payout of another's claim", other, "张伟的病情", "6225")
			res, body := a.upload(base+"/documents", map[string]string{"csrf_token": token, "item_code": "diagnosis"}, "x.pdf", selfClaimPDF(5))
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, "张伟的病情") {
				t.Errorf("upload to another's claim: status %d", res.StatusCode)
			}
			// The same answer as for a claim that does not exist.
			a.want("GET", "/my/claims/LP20261120999999", nil, http.StatusNotFound, "未找到该理赔案件")
			consoleWantNot(t, "list", a.page("/my/claims", "您还没有理赔案件"), number)
			// Nor can she report on his outpatient policy.
			res, body = a.multipart("/my/claims", selfClaimWith(selfClaimForm(token, "2026-11-18"), "payee_name", "王芳"), selfClaimDocs(t, 6)...)
			if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, selfClaimPolicy) {
				t.Errorf("王芳 on 张伟's policy: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			after, _ := e.f.svc.ClaimFileOf(ctx, holder, number)
			if len(after.Attachments) != len(before.Attachments) || len(after.Disputes) != 0 || after.Claim.Version != before.Claim.Version {
				t.Errorf("王芳 changed 张伟's claim: %+v", after.Claim)
			}
			if cs, _ := e.f.svc.FindClaims(ctx, service.CustomerActor(e.f.spouse.ID), store.ClaimFilter{}); len(cs) != 0 {
				t.Errorf("王芳 has %d claims", len(cs))
			}

			// Signed out, or with a staff session, the pages ask to sign in
			// as a customer.
			anon := e.client()
			for _, path := range []string{"/my/claims", "/my/claims/new", base, base + "/letter"} {
				res, _ := anon.do("GET", path, nil, nil)
				wantRedirect(t, "signed out "+path, res, "", "/my/login?next=")
			}
			res, _ = anon.multipart("/my/claims", selfClaimForm(token, "2026-11-18"), selfClaimDocs(t, 7)...)
			wantRedirect(t, "signed-out report", res, "", "/my/login")
			res, _ = anon.upload(base+"/documents", map[string]string{"csrf_token": token}, "x.pdf", selfClaimPDF(8))
			wantRedirect(t, "signed-out upload", res, "", "/my/login")
			staff := e.client()
			staff.cookies = consoleSignedIn(t, e.f).cookies
			res, _ = staff.multipart("/my/claims", selfClaimForm(token, "2026-11-18"), selfClaimDocs(t, 9)...)
			wantRedirect(t, "staff report", res, "", "/my/login")

			// Odd input is answered, never with a 500 (PostgreSQL refuses NUL
			// bytes and broken UTF-8, so none may reach it).
			for _, path := range []string{"/my/claims/LP", "/my/claims/%00", "/my/claims/LP%0020261120000001", "/my/claims/" + strings.Repeat("9", 300),
				"/my/claims/new?type=%00&policy=%ff", "/my/claims/new?policy=P2026HLT000123%00&type=medical_expense", "/my/claims/%ff/letter"} {
				if res, body := a.do("GET", path, nil, nil); res.StatusCode >= 500 {
					t.Errorf("GET %s: %d\n%s", path, res.StatusCode, consoleSnippet(body))
				}
			}
			for _, form := range []url.Values{
				{"policy": {"\x00"}, "type": {"medical_expense"}},
				{"policy": {e.f.health}, "type": {"medical_expense\x00"}},
				{"policy": {e.f.health}, "type": {"medical_expense"}, "setting": {"\xff"}, "incident_date": {"\x00"}, "amount": {"\x00"},
					"description": {"a\x00b"}, "incident_place": {"\xff\xfe"}, "payee_name": {"\x00"}, "bank_name": {"\xff"}, "account": {"\x00"}},
			} {
				form.Set("csrf_token", token)
				if res, body := a.multipart("/my/claims", form, selfUpload{"doc_invoices", "a.jpg", selfImage(t, "jpeg", 10)}); res.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("POST /my/claims %q: %d\n%s", form, res.StatusCode, consoleSnippet(body))
				}
			}
			if res, body := a.multipart("/my/claims", url.Values{"csrf_token": {token}}, selfUpload{"doc_invoices", "a\x00.jpg", selfImage(t, "jpeg", 10)}); res.StatusCode >= 500 {
				t.Errorf("a file named with a NUL: %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			// Her own claim, with odd text that is cleaned, not refused.
			res, body = a.multipart("/my/claims", url.Values{"csrf_token": {token}, "policy": {e.f.health}, "type": {"medical_expense"}, "setting": {"inpatient"},
				"incident_date": {"2026-11-01"}, "description": {"住院\x00五天\xff"}, "amount": {"¥8,000"}, "payee_name": {"王芳"}, "bank_name": {"工商银行"},
				"account": {"6222020200112233445"}}, selfUpload{"doc_invoices", "发票.jpg", selfImage(t, "jpeg", 11)})
			loc := wantRedirect(t, "王芳's claim", res, body, "/my/claims/LP")
			own := selfClaimCreatedRe.FindStringSubmatch(loc)[1]
			a.page("/my/claims/"+own, "住院五天", "¥8,000.00", "发票.jpg")
			consoleWant(t, "王芳's list", a.page("/my/claims"), own)
			consoleWantNot(t, "王芳's list", a.page("/my/claims"), number)
			res, body = a.upload("/my/claims/"+own+"/documents", map[string]string{"csrf_token": token, "item_code": "\x00"}, "a\x00.pdf", selfClaimPDF(12))
			if res.StatusCode >= 500 {
				t.Errorf("upload with NULs: %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			if res, body := a.do("POST", "/my/claims/"+own+"/disputes", url.Values{"csrf_token": {token}, "reason": {"\x00\xff"}}, nil); res.StatusCode >= 500 {
				t.Errorf("dispute with NULs: %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			for _, form := range []string{"/survey", "/payout"} {
				odd := url.Values{"csrf_token": {token}, "score": {"\x00"}, "nps": {"\xff"}, "comment": {"a\x00\xff"}, "payee_name": {"\x00"}, "bank_name": {"\xff"}, "account": {"\x00"}}
				if res, body := a.do("POST", "/my/claims/"+own+form, odd, nil); res.StatusCode >= 500 {
					t.Errorf("%s with NULs: %d\n%s", form, res.StatusCode, consoleSnippet(body))
				}
			}
		})
	}
}

// selfRefusingGateway is a bank that refuses every payment to one account,
// as it refuses a closed one, and pays the rest.
type selfRefusingGateway struct {
	*payment.TestGateway
	account string
}

func (g selfRefusingGateway) Pay(ctx context.Context, in payment.Instruction) (payment.Result, error) {
	if in.Account == g.account {
		return payment.Result{}, payment.Permanent(errors.New("账户已销户"))
	}
	return g.TestGateway.Pay(ctx, in)
}

// After the decision, as the customer sees it: the bank refuses the
// payment to a closed account; the page says why and asks for another,
// refuses a bad one beside its fields with nothing changed, and takes a
// good one, to which the payment goes out again and is paid. The claim
// closes; the satisfaction survey is refused while it was open, refused
// beside its fields for bad answers with nothing stored, taken once and
// shown, and refused a second time. A claim reported without an account
// asks for one too.
func TestSelfClaimRefusedPaymentAndSurvey(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e, gw := newSelfClaimEnv(t, engine, consoleFixedNow())
			e.f.svc.Payments = selfRefusingGateway{TestGateway: gw, account: "6225880137001234"}
			ctx := context.Background()
			holder := service.CustomerActor(e.f.holder.ID)
			c := e.signIn(holderMobile)
			csrf := formToken(t, c.page("/my/claims/new?policy="+selfClaimPolicy+"&type=medical_expense&setting=outpatient"))

			// A ¥500 outpatient visit the fast track decides and instructs at once.
			res, body := c.multipart("/my/claims", selfClaimForm(csrf, "2026-11-18"), selfClaimDocs(t, 40)...)
			number := selfClaimCreatedRe.FindStringSubmatch(wantRedirect(t, "report", res, body, "/my/claims/LP"))[1]
			path, payout, survey := "/my/claims/"+number, "/my/claims/"+number+"/payout", "/my/claims/"+number+"/survey"
			file := func() *service.ClaimFile {
				t.Helper()
				f, err := e.f.svc.ClaimFileOf(ctx, holder, number)
				if err != nil {
					t.Fatal(err)
				}
				return f
			}
			f := file()
			if f.Claim.Stage != anxin.ClaimPaying || len(f.Payments) != 1 {
				t.Fatalf("reported: stage %s, %d payments", f.Claim.Stage, len(f.Payments))
			}
			// Being paid, the page asks for neither; the survey waits for the close.
			consoleWantNot(t, "paying", c.page(path), `action="`+payout+`"`, `action="`+survey+`"`, `id="payout"`, `id="survey"`)
			c.want("POST", survey, url.Values{"csrf_token": {csrf}, "score": {"5"}, "nps": {"10"}}, http.StatusConflict, "案件结案后才能评价")

			// The bank refuses it: the page says why, in plain words, and
			// asks for another account.
			if err := e.f.svc.SendPayment(ctx, f.Payments[0].ID); err != nil {
				t.Fatal(err)
			}
			if f = file(); f.Payments[0].Status != anxin.PaymentFailed || f.Claim.Stage != anxin.ClaimPaying {
				t.Fatalf("after the refusal: %+v, stage %s", f.Payments[0], f.Claim.Stage)
			}
			page := c.page(path, "付款未成功", "银行退回原因：账户已销户", `id="payout"`, `action="`+payout+`"`, "更换收款账户", "银行退回了赔款 ¥450.00",
				`href="#payout"`, `id="payout-payee"`, `name="payee_name"`, `value="张伟"`, `id="payout-bank"`, `id="payout-account"`, "当前账户", "1234")
			consoleWantNot(t, "refused", page, "6225880137001234", "理赔专员会尽快与您联系")
			consoleCheckNoInlineCode(t, "refused", page)
			consoleWant(t, "refused en", c.page(path+"?lang=en"), "The bank&#39;s reason: 账户已销户", "Change your bank account", "The bank returned a payment of ¥450.00",
				"Use this account")

			// Bad accounts: every problem beside its field, in the customer's
			// language; no token is no change either. Nothing changes.
			before := file()
			c.want("POST", payout, url.Values{"payee_name": {"张伟"}, "bank_name": {"中国工商银行"}, "account": {"6222020200112233445"}}, http.StatusForbidden, "CSRF")
			_, body = c.want("POST", payout, url.Values{"csrf_token": {csrf}, "payee_name": {" "}, "bank_name": {""}, "account": {"12ab"}}, http.StatusUnprocessableEntity,
				"请按提示修改标出的内容后重新提交", `id="payout-payee-err"`, "请填写收款人姓名", `id="payout-bank-err"`, "请填写开户银行",
				`id="payout-account-err"`, "应为 8 至 30 位数字", `value="12ab"`, `aria-invalid="true"`, "银行退回原因：账户已销户")
			consoleCheckNoInlineCode(t, "bad payout", body)
			c.want("POST", payout+"?lang=en", url.Values{"csrf_token": {csrf}, "payee_name": {"张伟"}, "bank_name": {"ICBC Beijing"}, "account": {""}},
				http.StatusUnprocessableEntity, `id="payout-account-err"`, "give the account or card number", `value="ICBC Beijing"`)
			c.want("POST", payout, url.Values{"csrf_token": {csrf}, "payee_name": {strings.Repeat("张", 101)}, "bank_name": {"中国工商银行"}, "account": {"6222020200112233445"}},
				http.StatusUnprocessableEntity, `id="payout-payee-err"`, "名称不超过 100 个字")
			if after := file(); after.Claim.Version != before.Claim.Version || len(after.Payments) != 1 || after.Claim.Payout != before.Claim.Payout {
				t.Fatalf("refused corrections changed the claim: %+v, %d payments", after.Claim.Payout, len(after.Payments))
			}

			// A good account: the refused payment goes out again to it.
			res, body = c.do("POST", payout, url.Values{"csrf_token": {csrf}, "payee_name": {"张伟"}, "bank_name": {"中国工商银行北京分行"}, "account": {"6222 0202 0011 2233 445"}}, nil)
			wantRedirect(t, "new account", res, body, path+"?done=payout")
			f = file()
			if len(f.Payments) != 2 || f.Payments[1].Status != anxin.PaymentInstructed || f.Payments[1].Amount != 450_00 ||
				!strings.HasSuffix(f.Payments[1].Account, "3445") || f.Payments[0].Status != anxin.PaymentFailed || f.Claim.Payout.BankName != "中国工商银行北京分行" {
				t.Fatalf("after the new account: %+v", f.Payments)
			}
			page = c.page(path+"?done=payout", "收款账户已更新", "已按您更新的收款账户重新付款", "付款处理中", "中国工商银行北京分行", "3445", "银行退回原因：账户已销户")
			consoleWantNot(t, "new account", page, `action="`+payout+`"`, "6222020200112233445", `href="#payout"`)

			// The payment job pays it: closed and paid, and the survey opens.
			if err := e.f.svc.SendPayment(ctx, f.Payments[1].ID); err != nil {
				t.Fatal(err)
			}
			if f = file(); f.Claim.Stage != anxin.ClaimClosed || f.Payments[1].Status != anxin.PaymentPaid {
				t.Fatalf("after paying the new account: stage %s, %+v", f.Claim.Stage, f.Payments)
			}
			if paid := gw.Paid(); len(paid) != 1 || paid[0].Account != "6222020200112233445" {
				t.Fatalf("gateway paid %+v", paid)
			}
			page = c.page(path, "结案", "已到账", `id="survey"`, `action="`+survey+`"`, "满意度评价", "您对本次理赔服务的总体满意度",
				`name="score" value="5"`, `name="score" value="1"`, "5 星 · 非常满意", "1 星 · 非常不满意", "您有多大可能向亲友推荐我们",
				`name="nps" value="0"`, `name="nps" value="10"`, "0 = 完全不可能", "10 = 非常可能", `aria-describedby="survey-nps-hint"`, `id="survey-comment"`)
			consoleWantNot(t, "closed", page, `action="`+payout+`"`)
			consoleCheckNoInlineCode(t, "closed", page)
			consoleWant(t, "closed en", c.page(path+"?lang=en"), "How did we do?", "5 stars · Very satisfied", "How likely are you to recommend us", "10 = extremely likely")
			// Nothing is left to pay: a new account is refused.
			c.want("POST", payout, url.Values{"csrf_token": {csrf}, "payee_name": {"张伟"}, "bank_name": {"中国工商银行"}, "account": {"6222020200112233999"}},
				http.StatusConflict, "案件已结案，没有待支付的款项")

			// Bad answers: beside their fields, nothing stored.
			c.want("POST", survey, url.Values{"score": {"5"}, "nps": {"9"}}, http.StatusForbidden, "CSRF")
			_, body = c.want("POST", survey, url.Values{"csrf_token": {csrf}, "comment": {"还行"}}, http.StatusUnprocessableEntity,
				`id="survey-score-err"`, "请选择 1 到 5 颗星", `id="survey-nps-err"`, "请选择 0 到 10 分", ">还行</textarea>", `aria-invalid="true"`)
			consoleCheckNoInlineCode(t, "bad survey", body)
			c.want("POST", survey, url.Values{"csrf_token": {csrf}, "score": {"6"}, "nps": {"11"}, "comment": {strings.Repeat("好", 2001)}}, http.StatusUnprocessableEntity,
				`id="survey-score-err"`, "须为 1 到 5 分", `id="survey-nps-err"`, "须为 0 到 10 分", `id="survey-comment-err"`, "不超过 2000 个字")
			c.want("POST", survey+"?lang=en", url.Values{"csrf_token": {csrf}, "score": {"4"}, "nps": {"ten"}}, http.StatusUnprocessableEntity,
				`id="survey-nps-err"`, "must be 0 to 10", `name="score" value="4" checked`)
			if f = file(); f.Claim.Survey != nil {
				t.Fatalf("refused answers stored %+v", f.Claim.Survey)
			}

			// The answer, shown with thanks in place of the form.
			res, body = c.do("POST", survey, url.Values{"csrf_token": {csrf}, "score": {"4"}, "nps": {"9"}, "comment": {"  理赔很快；账户被退回后换卡也方便。 "}}, nil)
			wantRedirect(t, "survey", res, body, path+"?done=survey")
			page = c.page(path+"?done=survey", "您的评价已提交", "感谢您的评价", "★★★★☆", "4 星（满分 5 星）", "9 分（满分 10 分）", "理赔很快；账户被退回后换卡也方便。")
			consoleWantNot(t, "answered", page, `action="`+survey+`"`)
			consoleWant(t, "answered en", c.page(path+"?lang=en"), "Thank you for your answers", "4 out of 5 stars", "9 out of 10")
			if sv := file().Claim.Survey; sv == nil || sv.Score != 4 || sv.NPS != 9 || sv.Comment != "理赔很快；账户被退回后换卡也方便。" {
				t.Fatalf("survey stored %+v", sv)
			}
			// Once only: a second answer is refused, and the first stands.
			c.want("POST", survey, url.Values{"csrf_token": {csrf}, "score": {"1"}, "nps": {"0"}}, http.StatusConflict, "该案件已评价", "4 星（满分 5 星）")
			if sv := file().Claim.Survey; sv == nil || sv.Score != 4 || sv.NPS != 9 {
				t.Fatalf("a second answer changed the survey: %+v", sv)
			}

			// A claim reported without an account asks for one, and the
			// account completes the checklist's bank-account item.
			pol, err := e.f.svc.DB.GetPolicyByNumber(ctx, nil, selfClaimPolicy)
			if err != nil {
				t.Fatal(err)
			}
			cl, err := e.f.svc.ReportClaim(ctx, holder, &service.ClaimReport{Claim: anxin.Claim{PolicyID: pol.ID, Type: anxin.ClaimMedical,
				Channel: anxin.ChannelWebsite, IncidentDate: anxin.MustDate("2026-11-12"), IncidentPlace: "北京大学第一医院", Description: "住院：肺炎。",
				Claimed: 8_000_00, Loss: anxin.ClaimLoss{Setting: anxin.SettingInpatient, Expenses: 8_000_00}}})
			if err != nil {
				t.Fatal(err)
			}
			second := "/my/claims/" + cl.Number
			page = c.page(second, `id="payout"`, "我们还没有您的收款账户", `action="`+second+`/payout"`, `name="item_code" value="bank_account"`)
			consoleWantNot(t, "no account", page, "银行退回", `id="payout-refused"`)
			res, body = c.do("POST", second+"/payout", url.Values{"csrf_token": {csrf}, "payee_name": {"张伟"}, "bank_name": {"招商银行"}, "account": {"6225880137005678"}}, nil)
			wantRedirect(t, "first account", res, body, second+"?done=payout")
			g, err := e.f.svc.ClaimFileOf(ctx, holder, cl.Number)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range g.Checklist {
				if it.Code == anxin.BankAccountItem.Code && it.Status != anxin.ItemReceived {
					t.Errorf("bank account item %s after the account", it.Status)
				}
			}
			consoleWantNot(t, "with an account", c.page(second+"?done=payout", "收款账户已更新", "5678"), `action="`+second+`/payout"`, `name="item_code" value="bank_account"`)
		})
	}
}
