package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// A small but real PDF (the service sniffs content, not names) and a
// Windows executable's first bytes.
var (
	selfPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	selfEXE = append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 64)...)
)

// newSelfTicketEnv is the self-service fixture with somewhere to keep
// documents.
func newSelfTicketEnv(t *testing.T, engine string) *selfEnv {
	t.Helper()
	e := newSelfEnv(t, engine)
	e.f.svc.Files = t.TempDir()
	e.f.svc.PublicURL = "https://anxin.example"
	return e
}

// staff is the fixture's customer service representative as an actor.
func (e *selfEnv) staff() anxin.Actor {
	e.t.Helper()
	st, err := e.f.svc.DB.StaffByUsername(context.Background(), nil, consoleUser)
	if err != nil {
		e.t.Fatal(err)
	}
	return anxin.Actor{Kind: "staff", ID: st.ID, Name: st.Username, Role: st.Role, Channel: "console"}
}

// upload posts a multipart form with one file, as a browser's upload form.
func (c *selfClient) upload(path string, fields map[string]string, filename string, content []byte) (*http.Response, string) {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := mw.CreateFormFile("file", filename)
		fw.Write(content)
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

// wantRedirect expects a 303 to a location starting with prefix.
func wantRedirect(t *testing.T, what string, res *http.Response, body, prefix string) string {
	t.Helper()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: status %d to %q, want a redirect to %s…\n%s", what, res.StatusCode, loc, prefix, consoleSnippet(body))
	}
	return loc
}

var selfTicketNumberRe = regexp.MustCompile(`^/my/tickets/(GD[0-9]{14})\?done=created$`)

// The request pages walked as a customer walks them, in both languages:
// an empty list, a new request refused for each mistake and then opened,
// the list, a message and a document (the checklist shows it received),
// an owner who replies and resolves it, and the rating that closes it.
func TestSelfTicketPages(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfTicketEnv(t, engine)
			ctx := context.Background()
			c := e.signIn(holderMobile)
			holder := service.CustomerActor(e.f.holder.ID)
			count := func() int {
				t.Helper()
				ts, err := e.f.svc.FindTickets(ctx, holder, anxin.TicketFilter{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				return len(ts)
			}

			// The list, empty, and the way to a new request from the nav
			// that every signed-in page (the home page too) carries.
			consoleWant(t, "home", c.page("/my"), `href="/my/tickets"`, "我的工单")
			consoleWant(t, "home en", c.page("/my?lang=en"), `href="/my/tickets"`, "My requests")
			consoleWant(t, "empty list", c.page("/my/tickets"), "我的工单", "您还没有服务请求", `href="/my/tickets/new"`, `aria-current="page"`)
			consoleWant(t, "empty list en", c.page("/my/tickets?lang=en"), "My requests", "You have no requests yet", "New request")

			// The form: configured types but no emergency, which goes by
			// phone; the customer's own policies.
			form := c.page("/my/tickets/new", "提交新请求", "24 小时客服热线", `value="enquiry"`, `value="claim_assistance"`, `value="policy_change"`,
				`value="complaint"`, `value="service_plan"`, `value="other"`, "理赔协助", `value="`+e.f.health+`"`, `value="`+e.f.life+`"`, "安心百万医疗险")
			consoleWantNot(t, "form", form, `value="emergency"`, e.f.auto)
			consoleWant(t, "form en", c.page("/my/tickets/new?lang=en"), "Open a request", "24/7", "Claim assistance", "Anxin Million Medical")
			csrf := formToken(t, form)

			// Mistakes: every one named next to its field, nothing opened.
			c.want("POST", "/my/tickets", url.Values{"type": {"enquiry"}, "subject": {"x"}}, http.StatusForbidden, "CSRF")
			_, bad := c.want("POST", "/my/tickets", url.Values{"csrf_token": {csrf}, "type": {"lottery"}, "subject": {"  "}, "description": {"我写的说明"}},
				http.StatusUnprocessableEntity, `id="type-err"`, "请从列出的类型中选择", `id="subject-err"`, "必填", "我写的说明", `aria-invalid="true"`)
			consoleCheckNoInlineCode(t, "422", bad)
			c.want("POST", "/my/tickets?lang=en", url.Values{"csrf_token": {csrf}, "subject": {"Help"}}, http.StatusUnprocessableEntity,
				"choose what the request is about", `value="Help"`)
			c.want("POST", "/my/tickets", url.Values{"csrf_token": {csrf}, "type": {"emergency"}, "subject": {"车祸"}}, http.StatusUnprocessableEntity,
				`id="type-err"`, "请立即拨打 24 小时客服热线")
			_, other := c.want("POST", "/my/tickets", url.Values{"csrf_token": {csrf}, "type": {"enquiry"}, "subject": {"车队"}, "policy": {e.f.auto}},
				http.StatusUnprocessableEntity, `id="policy-err"`, "请选择您名下的保单")
			consoleWantNot(t, "another's policy", other, "安心企业车队保险")
			c.want("POST", "/my/tickets", url.Values{"csrf_token": {csrf}, "type": {"enquiry"}, "subject": {strings.Repeat("长", 201)}},
				http.StatusUnprocessableEntity, `id="subject-err"`, "不超过 200 个字")
			if n := count(); n != 0 {
				t.Fatalf("%d tickets after refused forms", n)
			}

			// Opened: the request's page shows the number to quote.
			res, body := c.do("POST", "/my/tickets", url.Values{"csrf_token": {csrf}, "type": {"claim_assistance"}, "policy": {e.f.health},
				"subject": {"住院医疗费用报销"}, "description": {"妻子王芳 11 月住院 5 天，想申请报销。"}}, nil)
			loc := wantRedirect(t, "create", res, body, "/my/tickets/GD")
			m := selfTicketNumberRe.FindStringSubmatch(loc)
			if m == nil {
				t.Fatalf("created at %q", loc)
			}
			number := m[1]
			tk, err := e.f.svc.Ticket(ctx, holder, number)
			if err != nil {
				t.Fatal(err)
			}
			health, _ := e.f.svc.DB.GetPolicyByNumber(ctx, nil, e.f.health)
			if tk.CustomerID != e.f.holder.ID || tk.PolicyID != health.ID || tk.Channel != anxin.ChannelWebsite || tk.Type != anxin.TypeClaimAssistance || tk.Language != "zh" {
				t.Fatalf("created %+v", tk)
			}
			expected := tk.ResolutionDue.In(e.f.svc.Calendar.Location()).Format("2006-01-02 15:04")
			page := c.page(loc, "您的请求已提交，工单号 "+number, number, "住院医疗费用报销", "理赔协助", "已受理", "正在为您安排专人负责",
				expected, "时间均为北京时间", "妻子王芳 11 月住院 5 天", "所需材料", "身份证明", "理赔申请书", "还有 5 项材料待提交",
				`action="/my/tickets/`+number+`/messages"`, `action="/my/tickets/`+number+`/attachments"`, `enctype="multipart/form-data"`)
			consoleWantNot(t, "ticket", page, `action="/my/tickets/`+number+`/satisfaction"`, "sla_policy", "routing")
			consoleWant(t, "ticket en", c.page("/my/tickets/"+number+"?lang=en"), "Request number", "Claim assistance", "Received",
				"Proof of identity", "Not yet received", "Expected completion", "Beijing time")
			consoleWant(t, "ticket lower case", c.page("/my/tickets/"+strings.ToLower(number)), number)

			list := c.page("/my/tickets", number, "住院医疗费用报销", "已受理", expected, `href="/my/tickets/`+number+`"`)
			consoleWantNot(t, "list", list, "您还没有服务请求")
			consoleWant(t, "list en", c.page("/my/tickets?lang=en"), number, "Received", "Expected completion")

			// A message: refused empty, kept otherwise.
			msgs := "/my/tickets/" + number + "/messages"
			c.want("POST", msgs, url.Values{"body": {"你好"}}, http.StatusForbidden)
			c.want("POST", msgs, url.Values{"csrf_token": {csrf}, "body": {"   "}}, http.StatusUnprocessableEntity, `id="body-err"`, "请填写内容")
			res, body = c.do("POST", msgs, url.Values{"csrf_token": {csrf}, "body": {"发票原件已寄出，\n快递单号 SF123。"}}, nil)
			wantRedirect(t, "message", res, body, "/my/tickets/"+number+"?done=message")
			c.page("/my/tickets/"+number+"?done=message", "留言已发送", "发票原件已寄出，\n快递单号 SF123。")

			// Documents: an executable is refused, a PDF for the claim form
			// is kept and marks it received.
			up := "/my/tickets/" + number + "/attachments"
			res, body = c.upload(up, map[string]string{"csrf_token": csrf, "item_code": "claim_form"}, "setup.exe", selfEXE)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("exe: status %d\n%s", res.StatusCode, consoleSnippet(body))
			}
			consoleWant(t, "exe", body, `id="file-err"`, "仅接受 JPEG、PNG、GIF、WebP、PDF 或纯文本文件")
			consoleCheckNoInlineCode(t, "exe", body)
			res, body = c.upload(up+"?lang=en", map[string]string{"csrf_token": csrf}, "setup.exe", selfEXE)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "only JPEG, PNG, GIF, WebP, PDF or plain text files are accepted") {
				t.Errorf("exe en: status %d", res.StatusCode)
			}
			res, body = c.upload(up, map[string]string{"csrf_token": csrf, "item_code": "no_such_item"}, "a.pdf", selfPDF)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="item-err"`) {
				t.Errorf("unknown item: status %d", res.StatusCode)
			}
			res, body = c.upload(up, map[string]string{"csrf_token": csrf}, "", nil)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择文件") {
				t.Errorf("no file: status %d", res.StatusCode)
			}
			res, _ = c.upload(up, map[string]string{"item_code": "claim_form"}, "claim.pdf", selfPDF)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("upload without the token: status %d", res.StatusCode)
			}
			res, _ = c.upload(up, map[string]string{"csrf_token": "forged", "item_code": "claim_form"}, "claim.pdf", selfPDF)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("upload with a forged token: status %d", res.StatusCode)
			}
			c.want("POST", up, url.Values{"csrf_token": {csrf}}, http.StatusUnprocessableEntity, "multipart/form-data")
			if as, _ := e.f.svc.Attachments(ctx, holder, number); len(as) != 0 {
				t.Fatalf("refused uploads stored %d documents", len(as))
			}
			res, body = c.upload(up, map[string]string{"csrf_token": csrf, "item_code": "claim_form"}, "理赔申请书.pdf", selfPDF)
			wantRedirect(t, "upload", res, body, "/my/tickets/"+number+"?done=document")
			page = c.page("/my/tickets/"+number+"?done=document", "文件已上传", "理赔申请书.pdf", "还有 4 项材料待提交", "上传了文件")
			items, err := e.f.svc.Checklist(ctx, holder, number)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if want := map[bool]string{true: anxin.ItemReceived, false: anxin.ItemMissing}[it.Code == "claim_form"]; it.Status != want {
					t.Errorf("checklist %s: %s, want %s", it.Code, it.Status, want)
				}
			}
			if !regexp.MustCompile(`(?s)<li class="self-item-received">\s*<span class="self-item-name">理赔申请书</span>\s*<span class="self-badge self-badge-received">已收到</span>`).MatchString(page) {
				t.Errorf("the checklist does not show the claim form received:\n%s", consoleSnippet(page[strings.Index(page, "所需材料"):]))
			}

			// Rating before resolution is refused and changes nothing.
			rate := "/my/tickets/" + number + "/satisfaction"
			c.want("POST", rate, url.Values{"csrf_token": {csrf}, "score": {"5"}}, http.StatusConflict, "工单办结后才能评价")

			// The owner takes it, rejects a document and resolves it.
			staff := e.staff()
			if _, err := e.f.svc.MoveTicket(ctx, staff, number, anxin.StageAcknowledged, service.MoveOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.f.svc.SetChecklistItem(ctx, staff, number, "id_proof", anxin.ItemRejected, "身份证照片模糊"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.f.svc.AddMessage(ctx, staff, number, service.MessageNote, "内部备注：客户是 VIP", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := e.f.svc.AddMessage(ctx, staff, number, service.MessageReply, "材料已收到，正在审核。", ""); err != nil {
				t.Fatal(err)
			}
			page = c.page("/my/tickets/"+number, "客服-李娜", "已响应", "需重新提交", "退回原因：身份证照片模糊", "材料已收到，正在审核。")
			consoleWantNot(t, "internal", page, "内部备注", "VIP", ">"+consoleUser+"<")

			// Told what is missing, the request waits on the customer with
			// its clock stopped; a new ID photo sets it going again.
			if _, err := e.f.svc.NotifyMissing(ctx, staff, number); err != nil {
				t.Fatal(err)
			}
			page = c.page("/my/tickets/"+number, "待客户补充", "我们正在等待您补充材料或信息", "暂停计时")
			consoleWantNot(t, "waiting", page, expected)
			consoleWant(t, "waiting list", c.page("/my/tickets"), "待客户补充", "暂停计时")
			consoleWant(t, "waiting en", c.page("/my/tickets/"+number+"?lang=en"), "Waiting on customer", "On hold until we hear from you", "Please send again")
			png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 32)...)
			res, body = c.upload(up, map[string]string{"csrf_token": csrf, "item_code": "id_proof"}, "身份证.png", png)
			wantRedirect(t, "upload while waiting", res, body, "/my/tickets/"+number+"?done=document")
			page = c.page("/my/tickets/"+number, "处理中", "身份证.png", "还有 3 项材料待提交")
			consoleWantNot(t, "resumed", page, "暂停计时", "我们正在等待您补充材料或信息", "退回原因")
			if _, err := e.f.svc.MoveTicket(ctx, staff, number, anxin.StageResolved, service.MoveOptions{Message: "已为您办理报销，款项 3 个工作日内到账。"}); err != nil {
				t.Fatal(err)
			}
			c.page("/my/tickets/"+number, "已反馈", "满意度评价", `action="/my/tickets/`+number+`/satisfaction"`, "已为您办理报销", `name="score" value="5"`)
			consoleWant(t, "resolved en", c.page("/my/tickets/"+number+"?lang=en"), "How did we do?", "Very satisfied", "Resolved")

			// A score of 9, or none, is refused next to the field.
			c.want("POST", rate, url.Values{"csrf_token": {csrf}, "score": {"9"}}, http.StatusUnprocessableEntity, `id="score-err"`, "须为 1 到 5 分")
			c.want("POST", rate+"?lang=en", url.Values{"csrf_token": {csrf}}, http.StatusUnprocessableEntity, `id="score-err"`, "Choose a rating from 1 to 5")
			c.want("POST", rate, url.Values{"score": {"4"}}, http.StatusForbidden)
			if got, _ := e.f.svc.Ticket(ctx, holder, number); got.Stage != anxin.StageResolved || got.Satisfaction != 0 {
				t.Fatalf("refused ratings changed the ticket: %s %d", got.Stage, got.Satisfaction)
			}
			res, body = c.do("POST", rate, url.Values{"csrf_token": {csrf}, "score": {"4"}, "comment": {"处理很快"}}, nil)
			wantRedirect(t, "rate", res, body, "/my/tickets/"+number+"?done=rated")
			page = c.page("/my/tickets/"+number+"?done=rated", "感谢您的评价", "已关闭", "4 分（满分 5 分）", "处理很快", "发送留言将重新打开工单")
			consoleWantNot(t, "closed", page, `action="/my/tickets/`+number+`/satisfaction"`)
			if got, _ := e.f.svc.Ticket(ctx, holder, number); got.Stage != anxin.StageClosed || got.Satisfaction != 4 {
				t.Fatalf("after rating: %s %d", got.Stage, got.Satisfaction)
			}
			if count() != 1 {
				t.Fatalf("%d tickets", count())
			}
		})
	}
}

// Another customer's request is not found on every route, and nothing of
// it changes; signed out, the pages ask to sign in.
func TestSelfTicketsOthers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfTicketEnv(t, engine)
			ctx := context.Background()
			holder := service.CustomerActor(e.f.holder.ID)
			tk := &anxin.Ticket{Type: anxin.TypeClaimAssistance, Subject: "张伟的私事", Description: "只有张伟能看"}
			if err := e.f.svc.CreateTicket(ctx, holder, tk, service.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.f.svc.MoveTicket(ctx, e.staff(), tk.Number, anxin.StageResolved, service.MoveOptions{Message: "已办结"}); err != nil {
				t.Fatal(err)
			}
			before, _ := e.f.svc.TicketTimeline(ctx, holder, tk.Number)

			a := e.signIn(spouseMobile)
			token := formToken(t, a.page("/my/tickets/new"))
			base := "/my/tickets/" + tk.Number
			for path, want := range map[string]string{base: "未找到该工单", base + "?lang=en": "ticket not found", strings.ToLower(base): "未找到该工单"} {
				_, body := a.want("GET", path, nil, http.StatusNotFound, want)
				consoleWantNot(t, path, body, "张伟的私事", "只有张伟能看")
			}
			a.want("POST", base+"/messages", url.Values{"csrf_token": {token}, "body": {"我是王芳"}}, http.StatusNotFound, "未找到该工单")
			a.want("POST", base+"/satisfaction", url.Values{"csrf_token": {token}, "score": {"1"}}, http.StatusNotFound, "未找到该工单")
			res, body := a.upload(base+"/attachments", map[string]string{"csrf_token": token, "item_code": "claim_form"}, "x.pdf", selfPDF)
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, "张伟的私事") {
				t.Errorf("upload to another's request: status %d", res.StatusCode)
			}
			// The same answer as for a request that does not exist.
			a.want("GET", "/my/tickets/GD20261120999999", nil, http.StatusNotFound, "未找到该工单")
			consoleWantNot(t, "list", a.page("/my/tickets"), tk.Number, "张伟的私事")

			after, _ := e.f.svc.TicketTimeline(ctx, holder, tk.Number)
			if got, _ := e.f.svc.Ticket(ctx, holder, tk.Number); len(after) != len(before) || got.Stage != anxin.StageResolved || got.Satisfaction != 0 {
				t.Errorf("王芳 changed 张伟's request: %d→%d events, %s", len(before), len(after), got.Stage)
			}
			if as, _ := e.f.svc.Attachments(ctx, holder, tk.Number); len(as) != 0 {
				t.Errorf("王芳 attached %d documents", len(as))
			}

			// Signed out, or with a staff session, the pages ask to sign in
			// as a customer.
			anon := e.client()
			for _, path := range []string{"/my/tickets", "/my/tickets/new", base} {
				res, _ := anon.do("GET", path, nil, nil)
				wantRedirect(t, "signed out "+path, res, "", "/my/login?next=")
			}
			res, _ = anon.upload(base+"/attachments", map[string]string{"csrf_token": token}, "x.pdf", selfPDF)
			wantRedirect(t, "signed-out upload", res, "", "/my/login")
			staff := e.client()
			staff.cookies = consoleSignedIn(t, e.f).cookies
			res, _ = staff.upload(base+"/attachments", map[string]string{"csrf_token": token}, "x.pdf", selfPDF)
			wantRedirect(t, "staff upload", res, "", "/my/login")

			// Odd input is answered, never with a 500 (PostgreSQL refuses NUL
			// bytes and broken UTF-8, so none may reach it).
			nul := base64.RawURLEncoding.EncodeToString([]byte("2026-11-20T02:00:00Z|\x00"))
			for _, path := range []string{"/my/tickets/GD", "/my/tickets/%00", "/my/tickets/GD%0020261120000001", "/my/tickets/" + strings.Repeat("9", 300),
				"/my/tickets?cursor=%%%", "/my/tickets?cursor=bm9wZQ", "/my/tickets?cursor=" + nul, "/my/tickets/new?type=%00&policy=%ff",
				"/my/track?number=%00%ff"} {
				if res, body := a.do("GET", path, nil, nil); res.StatusCode >= 500 {
					t.Errorf("GET %s: %d\n%s", path, res.StatusCode, consoleSnippet(body))
				}
			}
			for _, form := range []url.Values{
				{"type": {"enquiry"}, "subject": {"\x00"}},
				{"type": {"enquiry\x00"}, "subject": {"\xff\xfe"}},
				{"type": {"enquiry"}, "subject": {"a"}, "policy": {"\x00"}},
				{"type": {"enquiry"}, "subject": {"a"}, "policy": {"P2026HLT000123\x00"}},
			} {
				form.Set("csrf_token", token)
				if res, body := a.do("POST", "/my/tickets", form, nil); res.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("POST /my/tickets %q: %d\n%s", form, res.StatusCode, consoleSnippet(body))
				}
			}
			if res, body := a.do("POST", "/my/tickets", url.Values{"csrf_token": {token}, "type": {"enquiry"}, "subject": {"王芳\x00的\xff问题"}, "description": {"\x00"}}, nil); res.StatusCode != http.StatusSeeOther {
				t.Errorf("a subject with a NUL: %d\n%s", res.StatusCode, consoleSnippet(body))
			} else {
				own := strings.TrimSuffix(strings.TrimPrefix(res.Header.Get("Location"), "/my/tickets/"), "?done=created")
				for _, form := range []url.Values{{"body": {"a\x00b"}}, {"body": {"\xff"}}} {
					form.Set("csrf_token", token)
					if res, body := a.do("POST", "/my/tickets/"+own+"/messages", form, nil); res.StatusCode != http.StatusSeeOther {
						t.Errorf("message %q: %d\n%s", form, res.StatusCode, consoleSnippet(body))
					}
				}
				for _, form := range []url.Values{{"score": {"\x00"}}, {"score": {"5"}, "comment": {"\x00"}}} {
					form.Set("csrf_token", token)
					if res, body := a.do("POST", "/my/tickets/"+own+"/satisfaction", form, nil); res.StatusCode >= 500 {
						t.Errorf("rating %q: %d\n%s", form, res.StatusCode, consoleSnippet(body))
					}
				}
				res, body := a.upload("/my/tickets/"+own+"/attachments", map[string]string{"csrf_token": token, "item_code": "\x00"}, "a\x00.pdf", selfPDF)
				if res.StatusCode >= 500 {
					t.Errorf("upload with NULs: %d\n%s", res.StatusCode, consoleSnippet(body))
				}
				res, body = a.upload("/my/tickets/"+own+"/attachments", map[string]string{"csrf_token": token}, "a\x00.pdf", selfPDF)
				if res.StatusCode >= 500 {
					t.Errorf("upload named with a NUL: %d\n%s", res.StatusCode, consoleSnippet(body))
				}
				a.page("/my/tickets/"+own, "王芳的\uFFFD问题", "ab")
			}
		})
	}
}

var selfAlertRe = regexp.MustCompile(`role="alert">([^<]*)<`)

// The public progress lookup: the number from a notice's link filled in,
// the stage, owner and expected completion for the right pair and nothing
// more; the same answer for a wrong number and a wrong phone; field
// errors; and the wait once the lookups run out.
func TestSelfTrack(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfTicketEnv(t, engine)
			ctx := context.Background()
			tk := &anxin.Ticket{Type: anxin.TypeEnquiry, Subject: "保单贷款咨询", Description: "私密的描述"}
			if err := e.f.svc.CreateTicket(ctx, service.CustomerActor(e.f.holder.ID), tk, service.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.f.svc.MoveTicket(ctx, e.staff(), tk.Number, anxin.StageAcknowledged, service.MoveOptions{}); err != nil {
				t.Fatal(err)
			}
			tk, _ = e.f.svc.Ticket(ctx, anxin.SystemActor("test"), tk.Number)
			expected := tk.ResolutionDue.In(e.f.svc.Calendar.Location()).Format("2006-01-02 15:04")

			c := e.client()
			// The link in every notice opens the form with the number in it.
			link := "/my/track?number=" + tk.Number
			form := c.page(link, "查询工单进度", `value="`+tk.Number+`"`, `name="phone_last4"`, `aria-current="page"`)
			consoleWant(t, "track en", c.page(link+"&lang=en", "Track a request", "Last four digits of your mobile"), `value="`+tk.Number+`"`)
			token := formToken(t, form)
			if c.cookies["anxin_track_form"] != token {
				t.Fatal("the form token is not the cookie's")
			}
			c.want("POST", "/my/track", url.Values{"number": {tk.Number}, "phone_last4": {"8000"}}, http.StatusForbidden, "CSRF")
			c.want("POST", "/my/track", url.Values{"csrf_token": {"forged-" + token}, "number": {tk.Number}, "phone_last4": {"8000"}}, http.StatusForbidden)

			post := func(number, last4, lang string, status int, wants ...string) string {
				t.Helper()
				_, body := c.want("POST", "/my/track"+lang, url.Values{"csrf_token": {token}, "number": {number}, "phone_last4": {last4}}, status, wants...)
				consoleCheckNoInlineCode(t, "track", body)
				return body
			}
			// Either of 张伟's mobiles, the number in any case.
			ok := post(tk.Number, "8000", "", http.StatusOK, "已响应", "客服-李娜", expected, "北京时间")
			consoleWantNot(t, "progress", ok, "保单贷款咨询", "私密的描述", "张伟", "enquiry", "咨询")
			post(strings.ToLower(tk.Number), "5678", "?lang=en", http.StatusOK, "Acknowledged", "客服-李娜", expected, "Beijing time", "Expected completion")

			// Wrong number, wrong phone: one answer.
			wrongNumber := post("GD20261120999999", "8000", "", http.StatusNotFound)
			wrongPhone := post(tk.Number, "1111", "", http.StatusNotFound)
			a, b := selfAlertRe.FindStringSubmatch(wrongNumber), selfAlertRe.FindStringSubmatch(wrongPhone)
			if a == nil || b == nil || a[1] != b[1] || !strings.Contains(a[1], "未找到") {
				t.Errorf("wrong number and wrong phone differ: %q %q", a, b)
			}
			consoleWantNot(t, "wrong phone", wrongPhone, "已响应", "客服-李娜", expected)
			post(tk.Number, "1111", "?lang=en", http.StatusNotFound, "no ticket matches this number and phone")

			// Format mistakes are named next to their fields and not counted.
			post("12345", "80", "", http.StatusUnprocessableEntity, `id="number-err"`, "工单号格式如", `id="last4-err"`, "请输入手机号后四位", `value="12345"`)
			post("", "abcd", "?lang=en", http.StatusUnprocessableEntity, "a ticket number looks like", "the last four digits of your mobile")

			// Ten lookups a minute from one address; the eleventh waits.
			for i := 5; i < 10; i++ {
				post(tk.Number, "0000", "", http.StatusNotFound)
			}
			res, body := c.do("POST", "/my/track", url.Values{"csrf_token": {token}, "number": {tk.Number}, "phone_last4": {"8000"}}, nil)
			if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
				t.Fatalf("the eleventh lookup: status %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
			}
			consoleWant(t, "limited", body, "查询过于频繁", "秒后再试", `value="`+tk.Number+`"`)
			consoleWantNot(t, "limited", body, "客服-李娜")
			post(tk.Number, "8000", "?lang=en", http.StatusTooManyRequests, "too many lookups; try again in")
			e.clock.Add(time.Minute)
			post(tk.Number, "8000", "", http.StatusOK, "已响应")
		})
	}
}

// TestSelfTicketsBrowser opens a request on a phone-sized Chromium and
// finds it in the list, with no page breaking the CSP or scrolling
// sideways.
func TestSelfTicketsBrowser(t *testing.T) {
	browser := consoleBrowser(t)
	e := newSelfEnvAt(t, store.SQLite, time.Now())
	e.f.svc.Files = t.TempDir()
	ctx, cancel := context.WithTimeout(browser, 90*time.Second)
	defer cancel()
	dir := consoleScreenshotDir(t)
	base := e.f.srv.URL

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
		return s
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

	run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)))
	run("open my requests signed out",
		chromedp.Navigate(base+"/my/tickets"),
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
		chromedp.WaitVisible(chromedp.CSS(`a[href="/my/tickets/new"]`)),
	)
	check("tickets-empty")
	run("open the form",
		chromedp.Click(chromedp.CSS(`a.self-btn[href="/my/tickets/new"]`)),
		chromedp.WaitVisible(chromedp.ID("subject")),
	)
	check("ticket-new")
	run("submit without a subject",
		chromedp.Click(chromedp.CSS(`input[name="type"][value="policy_change"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/my/tickets"] button`)),
		chromedp.WaitVisible(chromedp.ID("subject-err")),
	)
	run("open a request",
		chromedp.SendKeys(chromedp.ID("subject"), "变更缴费银行卡"),
		chromedp.SendKeys(chromedp.ID("description"), "想把扣款账户换成招商银行。"),
		chromedp.Click(chromedp.CSS(`form[action="/my/tickets"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".self-quote")),
	)
	quote := text(".self-quote")
	number := regexp.MustCompile(`GD[0-9]{14}`).FindString(quote)
	if number == "" {
		t.Fatalf("no number to quote in %q", quote)
	}
	check("ticket")
	run("back to the list",
		chromedp.Click(chromedp.CSS(`.self-nav a[href="/my/tickets"]`)),
		chromedp.WaitVisible(chromedp.CSS(".self-list")),
	)
	if list := text(".self-list"); !strings.Contains(list, number) || !strings.Contains(list, "变更缴费银行卡") {
		t.Errorf("the list %q lacks %s", list, number)
	}
	check("tickets")
	run("track it",
		chromedp.Navigate(base+"/my/track?number="+number),
		chromedp.WaitVisible(chromedp.ID("phone_last4")),
		chromedp.SendKeys(chromedp.ID("phone_last4"), "8000"),
		chromedp.Click(chromedp.CSS(`form[action="/my/track"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".self-progress")),
	)
	check("track")
}
