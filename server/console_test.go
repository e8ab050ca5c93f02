package server_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/idcheck"
	"github.com/anxin-insure/anxin/server"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
	"github.com/anxin-insure/anxin/web"
)

const (
	consoleUser     = "csr"
	consolePassword = "anxin-demo-pw"
)

// consoleFixture is a real server over a real database, seeded through the
// service the way production data arrives.
type consoleFixture struct {
	svc *service.Service
	srv *httptest.Server

	holder  *anxin.Customer // 张伟: policyholder of every personal policy
	spouse  *anxin.Customer // 王芳: insured under the health policy
	company *anxin.Customer // an enterprise with a fleet policy

	health string // a policy number: two coverages, named beneficiaries, two versions
	life   string // statutory heirs
	auto   string
}

// consoleSetup seeds a fresh database of engine. A non-nil now fixes the
// clock, which makes the calendar alarm and "today" deterministic; the
// browser test keeps the real clock because Chromium drops a session
// cookie whose expiry lies in the real past.
func consoleSetup(t testing.TB, engine string, now func() time.Time) *consoleFixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, engine)
	if now != nil {
		db.Now = now
	}
	svc := service.New(db, nil, nil)
	admin := anxin.SystemActor("test")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.SeedCalendar(ctx, 2025, 2026))
	must(svc.PutProduct(ctx, admin, &anxin.Product{Code: "HLT-ANXIN", Line: anxin.LineHealth, Name: "安心百万医疗险", NameEN: "Anxin Million Medical",
		CoolingOffDays: 15, TermYears: 1, Active: true, Coverages: []anxin.Coverage{
			{Kind: anxin.CovMedical, SumInsured: 300_000_000, Deductible: 1_000_000, ReimbursementRatio: 8000, AnnualLimit: 300_000_000, WaitingPeriodDays: 30},
			{Kind: anxin.CovCriticalIllness, SumInsured: 50_000_000, WaitingPeriodDays: 90},
		}}))
	must(svc.PutProduct(ctx, admin, &anxin.Product{Code: "LIFE-TERM20", Line: anxin.LineLife, Name: "安心定期寿险（20年）", NameEN: "Anxin Term Life 20",
		CoolingOffDays: 15, TermYears: 20, Active: true, Coverages: []anxin.Coverage{{Kind: anxin.CovTermLife, SumInsured: 100_000_000}}}))
	must(svc.PutProduct(ctx, admin, &anxin.Product{Code: "AUTO-FLEET", Line: anxin.LineAuto, Name: "安心企业车队保险", NameEN: "Anxin Fleet Motor",
		TermYears: 1, Active: true, Coverages: []anxin.Coverage{
			{Kind: anxin.CovCompulsoryTraffic, SumInsured: 20_000_000},
			{Kind: anxin.CovVehicleDamage, SumInsured: 35_000_000, Deductible: 200_000},
		}}))

	r := rand.New(rand.NewPCG(2026, 10))
	f := &consoleFixture{svc: svc}
	f.holder = &anxin.Customer{Name: "张伟", IDNumber: idcheck.GenerateResidentID(r, "110101", time.Date(1985, 3, 12, 0, 0, 0, 0, time.UTC), true),
		Mobiles: []string{"13800138000", "13912345678"}, Email: "zhang.wei@example.cn", Address: "北京市东城区东四十条 88 号", Tier: anxin.TierGold, VIP: true,
		Consents: []anxin.Consent{{Purpose: "service_contact", Granted: true, Channel: "console"}, {Purpose: "marketing", Granted: false, Channel: "app"}}}
	f.spouse = &anxin.Customer{Name: "王芳", IDNumber: idcheck.GenerateResidentID(r, "310104", time.Date(1987, 8, 2, 0, 0, 0, 0, time.UTC), false),
		Mobiles: []string{"13700001111"}, Tier: anxin.TierSilver}
	f.company = &anxin.Customer{Kind: anxin.Enterprise, Name: "深圳安达物流有限公司", IDNumber: idcheck.GenerateCreditCode(r), Tier: anxin.TierDiamond}
	for _, c := range []*anxin.Customer{f.holder, f.spouse, f.company} {
		must(svc.CreateCustomer(ctx, admin, c))
	}

	health := &anxin.Policy{Number: "P2026HLT000123", ProductCode: "HLT-ANXIN", PolicyholderID: f.holder.ID, InsuredID: f.spouse.ID,
		Beneficiaries: []anxin.Beneficiary{{Name: "张伟", Relation: "spouse", IDNumber: f.holder.IDNumber, Share: 6000}, {Name: "张小明", Relation: "child", Share: 4000}},
		Premium:       123450, PaymentFrequency: anxin.PayAnnual, PaymentMethod: anxin.PayBankDebit, BankName: "中国工商银行", BankAccount: idcheck.GenerateBankCard(r),
		NextPaymentDate: anxin.MustDate("2027-03-01"), EffectiveDate: anxin.MustDate("2026-03-01"), ExpiryDate: anxin.MustDate("2027-03-01"),
		UnderwritingDate: anxin.MustDate("2026-02-27"), SalesChannel: "bancassurance", AgentCode: "A10086"}
	life := &anxin.Policy{Number: "P2026LIF000456", ProductCode: "LIFE-TERM20", PolicyholderID: f.holder.ID, InsuredID: f.holder.ID, StatutoryHeirs: true,
		Premium: 356000, PaymentFrequency: anxin.PayAnnual, PaymentMethod: anxin.PayOnline, NextPaymentDate: anxin.MustDate("2027-05-10"),
		EffectiveDate: anxin.MustDate("2026-05-10"), ExpiryDate: anxin.MustDate("2046-05-10"), UnderwritingDate: anxin.MustDate("2026-05-08"), SalesChannel: "agent", AgentCode: "A20001"}
	auto := &anxin.Policy{Number: "P2026AUT000789", ProductCode: "AUTO-FLEET", PolicyholderID: f.company.ID, InsuredID: f.company.ID,
		Premium: 4_860_000, PaymentFrequency: anxin.PaySingle, PaymentMethod: anxin.PayOnline, EffectiveDate: anxin.MustDate("2026-07-01"),
		ExpiryDate: anxin.MustDate("2027-07-01"), UnderwritingDate: anxin.MustDate("2026-06-28"), SalesChannel: "car_dealer"}
	for _, p := range []*anxin.Policy{health, life, auto} {
		_, err := svc.CreatePolicy(ctx, admin, p)
		must(err)
	}
	// A second version, so the history has a change with a reason.
	health.Beneficiaries[0].Share, health.Beneficiaries[1].Share = 5000, 5000
	_, err := svc.UpdatePolicy(ctx, admin, health, health.Version, "受益人变更：份额调整为各 50%")
	must(err)
	f.health, f.life, f.auto = health.Number, life.Number, auto.Number

	must(svc.CreateStaff(ctx, admin, consoleStaff(), consolePassword))

	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	f.srv = httptest.NewServer(server.New(svc, log))
	t.Cleanup(f.srv.Close)
	return f
}

func consoleStaff() *anxin.Staff {
	return &anxin.Staff{Username: consoleUser, DisplayName: "客服-李娜", Role: anxin.RoleCSR}
}

// consoleFixedNow is a November day of 2026: 2025 and 2026 are seeded, the
// 2027 schedule is not, and the console must raise the alarm.
func consoleFixedNow() time.Time {
	return time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

// consoleClient is a browser stand-in that keeps cookies without a cookie
// jar: a jar drops cookies whose Expires lies in the real past, and the
// fixture's clock is fixed.
type consoleClient struct {
	t       testing.TB
	base    string
	hc      *http.Client
	cookies map[string]string
}

func consoleNewClient(t testing.TB, f *consoleFixture) *consoleClient {
	return &consoleClient{t: t, base: f.srv.URL, cookies: map[string]string{}, hc: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request (a form when form is not nil) and returns the response
// with its body read.
func (c *consoleClient) do(method, path string, form url.Values, header http.Header) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	for name, value := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return res, string(b)
}

// page GETs path and expects a 200 HTML page free of inline code.
func (c *consoleClient) page(path string) string {
	c.t.Helper()
	res, body := c.do("GET", path, nil, nil)
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: status %d, want 200\n%s", path, res.StatusCode, consoleSnippet(body))
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		c.t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	consoleCheckNoInlineCode(c.t, path, body)
	return body
}

func (c *consoleClient) signIn(username, password string) *http.Response {
	c.t.Helper()
	res, _ := c.do("POST", "/login", url.Values{"username": {username}, "password": {password}, "next": {"/customers"}}, nil)
	return res
}

func consoleSignedIn(t testing.TB, f *consoleFixture) *consoleClient {
	t.Helper()
	c := consoleNewClient(t, f)
	if res := c.signIn(consoleUser, consolePassword); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: status %d", res.StatusCode)
	}
	return c
}

var (
	consoleTagRe    = regexp.MustCompile(`(?is)<[a-z][a-z0-9-]*\b[^>]*>`)
	consoleScriptRe = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	consoleAttrRe   = regexp.MustCompile(`(?i)\s(style|on[a-z]+)\s*=`)
	consoleCSRFRe   = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
)

// consoleCheckNoInlineCode enforces what the CSP enforces in a browser: no
// inline script, no <style>, no style="" and no on*="" handlers.
func consoleCheckNoInlineCode(t testing.TB, name, html string) {
	t.Helper()
	for _, m := range consoleScriptRe.FindAllStringSubmatch(html, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			t.Errorf("%s: inline script: %s", name, consoleSnippet(m[0]))
		}
	}
	if strings.Contains(strings.ToLower(html), "<style") {
		t.Errorf("%s: has a <style> block", name)
	}
	for _, tag := range consoleTagRe.FindAllString(html, -1) {
		if consoleAttrRe.MatchString(tag) {
			t.Errorf("%s: inline style or handler in %s", name, tag)
		}
		if strings.Contains(strings.ToLower(tag), "javascript:") {
			t.Errorf("%s: javascript: URL in %s", name, tag)
		}
	}
}

func consoleSnippet(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "…"
	}
	return s
}

func consoleWant(t testing.TB, name, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", name, w)
		}
	}
}

func consoleWantNot(t testing.TB, name, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("%s: unexpectedly contains %q", name, n)
		}
	}
}

func TestConsole(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			f := consoleSetup(t, engine, consoleFixedNow)
			t.Run("SignIn", func(t *testing.T) { consoleTestSignIn(t, f) })
			t.Run("Customers", func(t *testing.T) { consoleTestCustomers(t, f) })
			t.Run("Customer", func(t *testing.T) { consoleTestCustomer(t, f) })
			t.Run("Policy", func(t *testing.T) { consoleTestPolicy(t, f) })
			t.Run("Calendar", func(t *testing.T) { consoleTestCalendar(t, f) })
			t.Run("English", func(t *testing.T) { consoleTestEnglish(t, f) })
			t.Run("CSRF", func(t *testing.T) { consoleTestCSRF(t, f) })
			t.Run("Errors", func(t *testing.T) { consoleTestErrors(t, f) })
			// Last: it loads 2027 into the shared database.
			t.Run("CalendarAlarm", func(t *testing.T) { consoleTestAlarm(t, f) })
		})
	}
}

func consoleTestSignIn(t *testing.T, f *consoleFixture) {
	c := consoleNewClient(t, f)

	res, _ := c.do("GET", "/customers?q=%E5%BC%A0", nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fcustomers%3Fq%3D%25E5%25BC%25A0" {
		t.Fatalf("signed out /customers: %d %q, want 303 to /login with next", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = c.do("GET", "/", nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/customers" {
		t.Errorf("GET /: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// htmx must not swap the sign-in page into the results table.
	res, _ = c.do("GET", "/customers?q=x", nil, http.Header{"Hx-Request": {"true"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("HX-Redirect"), "/login?next=") {
		t.Errorf("signed-out htmx request: %d HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}

	login := c.page("/login?next=/customers/abc")
	consoleWant(t, "login", login, `<form method="post" action="/login"`, `name="username"`, `type="password"`,
		`name="next" value="/customers/abc"`, "员工登录", `lang="zh-CN"`)
	consoleWantNot(t, "login", login, "退出")

	res, body := c.do("POST", "/login", url.Values{"username": {consoleUser}, "password": {"wrong-password"}, "next": {"/customers"}}, nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", res.StatusCode)
	}
	consoleWant(t, "wrong password", body, "用户名或密码错误", `value="csr"`)
	consoleCheckNoInlineCode(t, "wrong password", body)
	if _, ok := c.cookies["anxin_session"]; ok {
		t.Fatal("a failed sign-in set a session cookie")
	}

	res, _ = c.do("POST", "/login", url.Values{"username": {" CSR "}, "password": {consolePassword}, "next": {"/customers/abc?x=1"}}, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/customers/abc?x=1" {
		t.Fatalf("sign in: %d %q, want 303 to next", res.StatusCode, res.Header.Get("Location"))
	}
	if c.cookies["anxin_session"] == "" {
		t.Fatal("no session cookie after signing in")
	}
	list := c.page("/customers")
	consoleWant(t, "signed in", list, "客服-李娜", "客户服务代表", "退出", `<meta name="csrf-token"`)
	// Signed in, the sign-in page goes straight on.
	res, _ = c.do("GET", "/login?next=/calendar", nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/calendar" {
		t.Errorf("signed-in /login: %d %q", res.StatusCode, res.Header.Get("Location"))
	}

	// next must stay on this site.
	for _, next := range []string{"//evil.example/x", `/\evil.example`, "https://evil.example/", "customers", "/%0d%0aSet-Cookie:x"} {
		c2 := consoleNewClient(t, f)
		res, _ := c2.do("POST", "/login", url.Values{"username": {consoleUser}, "password": {consolePassword}, "next": {next}}, nil)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || (loc != "/customers" && loc != next) || strings.Contains(loc, "evil") || strings.ContainsAny(loc, "\r\n") {
			t.Errorf("next %q: %d %q", next, res.StatusCode, loc)
		}
	}
}

func consoleTestCustomers(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)

	all := c.page("/customers")
	consoleWantNot(t, "list", all, f.holder.IDNumber, "13800138000")
	consoleWant(t, "list", all, "张伟", "王芳", "深圳安达物流有限公司", "/customers/"+f.holder.ID, "黄金", "VIP", "钻石", "企业", "个人",
		// A CSR sees numbers masked (PIPL: minimum necessary), never in full.
		anxin.Mask(anxin.FieldIDNumber, f.holder.IDNumber), "138****8000", "居民身份证", "统一社会信用代码",
		`hx-get="/customers"`, `hx-trigger="keyup changed delay:300ms, search"`, `hx-target="#results"`, `action="/customers"`)

	for _, tc := range []struct{ name, q, want string }{
		{"name fragment", "张", "张伟"},
		{"mobile", "13912345678", "张伟"},
		{"mobile with +86", "+86 137 0000 1111", "王芳"},
		{"ID number", f.spouse.IDNumber, "王芳"},
		{"ID number lower case", strings.ToLower(f.holder.IDNumber), "张伟"},
		{"credit code", f.company.IDNumber, "深圳安达物流有限公司"},
	} {
		body := c.page("/customers?q=" + url.QueryEscape(tc.q))
		consoleWant(t, tc.name, body, tc.want, `value="`+strings.ReplaceAll(tc.q, "+", "&#43;")+`"`)
		if n := strings.Count(body, `<a class="strong" href="/customers/`); n != 1 {
			t.Errorf("%s: %d results, want 1", tc.name, n)
		}
	}
	none := c.page("/customers?q=" + url.QueryEscape("查无此人"))
	consoleWant(t, "no match", none, "未找到匹配“查无此人”的客户")

	// The live search gets the results table alone.
	res, frag := c.do("GET", "/customers?q=%E7%8E%8B", nil, http.Header{"Hx-Request": {"true"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("htmx search: status %d", res.StatusCode)
	}
	consoleWant(t, "fragment", frag, "王芳", `id="customer-table"`)
	consoleWantNot(t, "fragment", frag, "<html", "<header", "张伟")
	if !strings.Contains(res.Header.Get("Vary"), "HX-Request") {
		t.Errorf("fragment response lacks Vary: HX-Request: %q", res.Header.Get("Vary"))
	}

	// Cursor pagination: 45 more customers make three pages of 20.
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 45 {
		cu := &anxin.Customer{Name: "测试客户" + string(rune('甲'+i)), IDNumber: idcheck.GenerateResidentID(r, "440305", time.Date(1990, 1, 1+i%28, 0, 0, 0, 0, time.UTC), i%2 == 0),
			Mobiles: []string{idcheck.GenerateMobile(r)}}
		if err := f.svc.CreateCustomer(ctx, anxin.SystemActor("test"), cu); err != nil {
			t.Fatal(err)
		}
	}
	nextRe := regexp.MustCompile(`href="(/customers\?[^"]*cursor=[^"]+)"[^>]*rel="next"`)
	seen := map[string]bool{}
	path, pages := "/customers?q="+url.QueryEscape("测试客户"), 0
	for path != "" {
		body := c.page(strings.ReplaceAll(path, "&amp;", "&"))
		pages++
		for _, m := range regexp.MustCompile(`href="/customers/([0-9a-f-]{36})"`).FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("customer %s on two pages", m[1])
			}
			seen[m[1]] = true
		}
		path = ""
		if m := nextRe.FindStringSubmatch(body); m != nil {
			path = m[1]
			consoleWant(t, "page", body, "下一页")
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if pages != 3 || len(seen) != 45 {
		t.Errorf("pagination: %d pages, %d customers; want 3 pages, 45 customers", pages, len(seen))
	}
}

func consoleTestCustomer(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)
	body := c.page("/customers/" + f.holder.ID)
	consoleWant(t, "customer", body, "张伟", anxin.Mask(anxin.FieldIDNumber, f.holder.IDNumber), "138****8000", "139****5678", "z********@example.cn", "北京市东城区******",
		"男", "1985-03-12", "黄金", "VIP",
		// consents, with time and channel
		"服务联系", "已同意", "营销推广", "已撤回", "员工控制台", "手机 App", "2026-11-20 10:00",
		// policies, linked, with the customer's role in each
		`href="/policies/`+f.health+`"`, `href="/policies/`+f.life+`"`, "安心百万医疗险", "安心定期寿险（20年）",
		"投保人", "被保险人", "有效", "¥1,234.50", "¥3,560.00", "年交", "2026-03-01 至 2027-03-01")
	consoleWantNot(t, "customer", body, f.auto, f.holder.IDNumber, "13800138000", "zhang.wei@example.cn")

	spouse := c.page("/customers/" + f.spouse.ID)
	consoleWant(t, "spouse", spouse, f.health, "被保险人", "女")
	consoleWantNot(t, "spouse", spouse, f.life, ">投保人<")

	res, nf := c.do("GET", "/customers/no-such-customer", nil, nil)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown customer: status %d", res.StatusCode)
	}
	consoleWant(t, "unknown customer", nf, "没有该客户")
}

func consoleTestPolicy(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)
	body := c.page("/policies/" + f.health)
	consoleWant(t, "health policy", body, f.health, "安心百万医疗险", "健康保险", "有效",
		`href="/customers/`+f.holder.ID+`"`, `href="/customers/`+f.spouse.ID+`"`, "张伟", "王芳",
		// coverages
		"医疗费用报销", "重大疾病保险", "¥3,000,000.00", "¥10,000.00", "80%", "¥500,000.00", "30 天", "90 天", "不限",
		// beneficiaries
		"张小明", "子女", "配偶", "50%",
		// payment
		"¥1,234.50", "年交", "银行代扣", "中国工商银行", "2027-03-01", "银行代理", "A10086", "15 天",
		// history, newest first, in Beijing time
		"v2", "v1", "受益人变更：份额调整为各 50%", "承保出单", "2026-11-20 10:00", "system:system")
	if strings.Index(body, ">v2") > strings.Index(body, ">v1") {
		t.Error("history is not newest first")
	}

	life := c.page("/policies/" + f.life)
	consoleWant(t, "life policy", life, "法定继承人", "定期寿险", "¥1,000,000.00", "个人代理")

	auto := c.page("/policies/" + f.auto)
	consoleWant(t, "auto policy", auto, "机动车交通事故责任强制保险", "机动车损失保险", "¥2,000.00", "¥48,600.00", "趸交", "4S 店", "本保单不设受益人")

	res, nf := c.do("GET", "/policies/P404", nil, nil)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown policy: status %d", res.StatusCode)
	}
	consoleWant(t, "unknown policy", nf, "没有该保单")
}

func consoleTestCalendar(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)
	res, _ := c.do("GET", "/calendar", nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/calendar/2026" {
		t.Fatalf("/calendar: %d %q, want 303 to /calendar/2026", res.StatusCode, res.Header.Get("Location"))
	}
	body := c.page("/calendar/2026")
	day := func(date string) (class, title string) {
		m := regexp.MustCompile(`<td class="day ([^"]*)" data-date="` + date + `" title="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no cell for %s", date)
		}
		return m[1], m[2]
	}
	for _, tc := range []struct{ date, class, title string }{
		{"2026-10-01", "day-off", "国庆节"},
		{"2026-10-07", "day-off", "国庆节"},
		{"2026-10-10", "day-makeup", "调休上班"},
		{"2026-02-14", "day-makeup", "调休上班"},
		{"2026-10-08", "day-work", "工作日"},
		{"2026-10-11", "day-weekend", "周末"},
		{"2026-11-20", "day-today", "工作日"},
	} {
		class, title := day(tc.date)
		if !strings.Contains(class, tc.class) || !strings.Contains(title, tc.title) {
			t.Errorf("%s: class %q title %q; want %q and %q", tc.date, class, title, tc.class, tc.title)
		}
	}
	if _, title := day("2026-10-10"); !strings.Contains(title, "国庆节") {
		t.Errorf("2026-10-10 title %q does not name 国庆节", title)
	}
	consoleWant(t, "calendar", body, "2026 年工作日历", `href="/calendar/2025"`, `href="/calendar/2027"`, "节假日安排", "10月1日 至 10月7日", "共 7 天",
		"1 月", "12 月", `<form method="get" action="/calendar/2026#deadline"`)
	consoleWantNot(t, "calendar", body, `id="provisional-warning"`)
	if n := strings.Count(body, `class="month card"`); n != 12 {
		t.Errorf("%d month grids, want 12", n)
	}

	// Received on the eve of National Day: three working days end on the
	// makeup Saturday, not three calendar days later.
	due := c.page("/calendar/2026?from=2026-09-30T10%3A00&days=3")
	consoleWant(t, "deadline", due, `id="deadline-due">2026-10-10 23:59:59 星期六`, "共 10 个自然日")
	bad := c.page("/calendar/2026?from=yesterday&days=3")
	consoleWant(t, "bad deadline", bad, "请输入有效的受理时间")

	next := c.page("/calendar/2027")
	consoleWant(t, "2027", next, `id="provisional-warning"`, "2027 年的节假日安排尚未导入", "临时估算")
	provisional := c.page("/calendar/2027?from=2027-09-30T10%3A00&days=3")
	consoleWant(t, "provisional deadline", provisional, "结果为按周一至周五的临时估算")

	res, _ = c.do("GET", "/calendar/1066", nil, nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("/calendar/1066: status %d, want 422", res.StatusCode)
	}
}

func consoleTestEnglish(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)
	en := c.page("/customers?lang=en&q=" + url.QueryEscape("张伟"))
	consoleWant(t, "en", en, `lang="en"`, "Customers", "Working calendar", "Sign out", "Customer service representative", "Gold", "Resident ID card",
		"The holiday schedule for 2027 has not been loaded")
	consoleWantNot(t, "en", en, "退出", "客户服务代表")

	res, _ := c.do("GET", "/lang/en?next="+url.QueryEscape("/policies/"+f.health), nil, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/policies/"+f.health || c.cookies["lang"] != "en" {
		t.Fatalf("/lang/en: %d %q cookie %q", res.StatusCode, res.Header.Get("Location"), c.cookies["lang"])
	}
	pol := c.page("/policies/" + f.health)
	consoleWant(t, "en policy", pol, "Policy "+f.health, "Medical reimbursement", "Critical illness", "30 days", "Anxin Million Medical", "Bank debit", "Version history")
	cal := c.page("/calendar/2026")
	consoleWant(t, "en calendar", cal, "Working calendar 2026", "October", "makeup working day (国庆节)")

	res, _ = c.do("GET", "/lang/zh?next=//evil.example", nil, nil)
	if res.Header.Get("Location") != "/" || c.cookies["lang"] != "zh" {
		t.Errorf("/lang/zh with a foreign next: %q cookie %q", res.Header.Get("Location"), c.cookies["lang"])
	}
	anon := consoleNewClient(t, f)
	login := anon.page("/login")
	consoleWant(t, "zh default", login, "员工登录")
	_, body := anon.do("GET", "/login", nil, http.Header{"Accept-Language": {"en-GB,en;q=0.9"}})
	consoleWant(t, "Accept-Language", body, "Staff sign-in")
}

func consoleTestCSRF(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)
	page := c.page("/customers")
	m := consoleCSRFRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no csrf-token meta tag")
	}
	consoleWant(t, "logout form", page, `<input type="hidden" name="csrf_token" value="`+m[1]+`">`)

	res, body := c.do("POST", "/logout", url.Values{}, nil)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without a CSRF token: status %d, want 403", res.StatusCode)
	}
	consoleWant(t, "csrf refusal", body, "CSRF")
	res, _ = c.do("POST", "/logout", url.Values{"csrf_token": {"forged"}}, nil)
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with a forged token: status %d, want 403", res.StatusCode)
	}
	// Still signed in: the refused posts did nothing.
	c.page("/customers")

	// htmx sends the token as a header, which console.js adds.
	res, _ = c.do("POST", "/logout", nil, http.Header{"X-Csrf-Token": {m[1]}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = c.do("GET", "/customers", nil, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout /customers: status %d, want a redirect to sign in", res.StatusCode)
	}

	c = consoleSignedIn(t, f)
	token := consoleCSRFRe.FindStringSubmatch(c.page("/customers"))[1]
	res, _ = c.do("POST", "/logout", url.Values{"csrf_token": {token}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("logout with the form token: status %d", res.StatusCode)
	}
}

func consoleTestErrors(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)
	res, body := c.do("GET", "/no/such/page", nil, nil)
	if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown page: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	consoleWant(t, "404", body, "页面不存在", "客服-李娜")
	consoleCheckNoInlineCode(t, "404", body)

	res, body = c.do("GET", "/customers?cursor=!!", nil, nil)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad cursor: status %d, want 422", res.StatusCode)
	}
	consoleWant(t, "bad cursor", body, "不是本页面返回的翻页位置", "cursor")

	res, body = c.do("GET", "/static/console.css", nil, nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "max-age=31536000") || !strings.Contains(body, ".monthgrid") {
		t.Errorf("console.css: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	res, body = c.do("GET", "/static/vendor/htmx.min.js", nil, nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `version:"2.`) {
		t.Errorf("htmx: %d", res.StatusCode)
	}
	for _, p := range []string{"/static/", "/static/vendor/", "/static/vendor/README.md", "/static/nope.js"} {
		if res, _ := c.do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, res.StatusCode)
		}
	}
	// Every static URL a page links to is served.
	page := c.page("/customers")
	for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		if res, _ := c.do("GET", strings.ReplaceAll(m[1], "&amp;", "&"), nil, nil); res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", m[1], res.StatusCode)
		}
	}

	// A wrong password five times locks the account; the form says so.
	if err := f.svc.CreateStaff(context.Background(), anxin.SystemActor("test"), &anxin.Staff{Username: "locked", DisplayName: "锁定测试", Role: anxin.RoleCSR}, consolePassword); err != nil {
		t.Fatal(err)
	}
	anon := consoleNewClient(t, f)
	for range service.LockAfterFailures {
		anon.signIn("locked", "wrong-password")
	}
	res, body = anon.do("POST", "/login", url.Values{"username": {"locked"}, "password": {consolePassword}}, nil)
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("locked account: status %d, want 429", res.StatusCode)
	}
	consoleWant(t, "locked", body, "账户已被临时锁定")
}

func consoleTestAlarm(t *testing.T, f *consoleFixture) {
	c := consoleSignedIn(t, f)
	alarm := "尚未导入 2027 年节假日安排：涉及该年的期限为临时估算，请尽快通过 anxin calendar load 导入。"
	for _, p := range []string{"/customers", "/customers/" + f.holder.ID, "/policies/" + f.health, "/calendar/2026"} {
		consoleWant(t, p, c.page(p), alarm)
	}
	_, nf := c.do("GET", "/nope", nil, nil)
	consoleWant(t, "404 page", nf, alarm)
	consoleWant(t, "sign-in page", consoleNewClient(t, f).page("/login"), alarm)

	// Loading the year clears the alarm on the next page view.
	if err := f.svc.LoadCalendar(context.Background(), anxin.SystemActor("test"), calendar.Schedule{Years: []int{2027}}, "test"); err != nil {
		t.Fatal(err)
	}
	consoleWantNot(t, "after loading 2027", c.page("/customers"), "尚未导入")
}

// TestConsoleRoutes checks the console's entries in the route table: every
// staff page names its permission, and none is part of the JSON API.
func TestConsoleRoutes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := server.New(service.New(db, nil, nil), slog.New(slog.DiscardHandler))
	want := map[string]anxin.Permission{
		"GET /customers":         anxin.PermCustomerRead,
		"GET /customers/{id}":    anxin.PermCustomerRead,
		"GET /policies/{number}": anxin.PermPolicyRead,
		"GET /calendar":          anxin.PermCalendarRead,
		"GET /calendar/{year}":   anxin.PermCalendarRead,
		"POST /logout":           "",
		"GET /login":             "",
		"POST /login":            "",
		"GET /{$}":               "",
		"GET /lang/{lang}":       "",
	}
	got := map[string]bool{}
	for _, rt := range srv.Routes() {
		key := rt.Method + " " + rt.Path
		perm, ok := want[key]
		if !ok {
			continue
		}
		got[key] = true
		if rt.API || rt.Permission != perm {
			t.Errorf("%s: API %v permission %q, want console route with %q", key, rt.API, rt.Permission, perm)
		}
	}
	for key := range want {
		if !got[key] {
			t.Errorf("route %s missing", key)
		}
	}
}

// TestConsoleStringsExist checks that every UI string the handlers ask for
// by key exists; web.T would otherwise show the bare key on the page.
func TestConsoleStringsExist(t *testing.T) {
	files, err := filepath.Glob("console*.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`web\.T\([^,()]+, "([^"]+)"[,)]`)
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(src), -1) {
			n++
			for _, lang := range web.Languages {
				if web.T(lang, m[1]) == m[1] {
					t.Errorf("%s: no %s string %q", name, lang, m[1])
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d keys: the pattern no longer matches the code", n)
	}
}
