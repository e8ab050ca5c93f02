package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin/storetest"
)

var selfFormTokenRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// page GETs a self-service page and expects 200 HTML free of inline code.
func (c *selfClient) page(path string, wants ...string) string {
	c.e.t.Helper()
	res, body := c.want("GET", path, nil, http.StatusOK, wants...)
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || res.Header.Get("Cache-Control") != "no-store" {
		c.e.t.Errorf("GET %s: Content-Type %q, Cache-Control %q", path, ct, res.Header.Get("Cache-Control"))
	}
	consoleCheckNoInlineCode(c.e.t, path, body)
	return body
}

func formToken(t *testing.T, body string) string {
	t.Helper()
	m := selfFormTokenRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token field in\n%s", consoleSnippet(body))
	}
	return m[1]
}

// The pages, walked as a customer walks them: sign in with the code from
// the outbox, the policy list and one policy, the profile's three forms,
// sign-out; in Chinese and in English, with every form refusing a post
// without its CSRF token.
func TestSelfPages(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.client()
			health, _ := e.f.svc.DB.GetPolicyByNumber(context.Background(), nil, e.f.health)

			res, _ := c.do("GET", "/my/profile", nil, nil)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/my/login?next=%2Fmy%2Fprofile" {
				t.Fatalf("signed out: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
			login := c.page("/my/login?next=/my/profile", "手机号登录", "获取验证码", `name="mobile"`, `name="next" value="/my/profile"`,
				`href="/lang/en?next=%2fmy%2flogin%3fnext%3d%252Fmy%252Fprofile"`)
			consoleWant(t, "login en", c.page("/my/login?lang=en"), "Sign in with your mobile", "Get a code", `lang="en"`)
			token := formToken(t, login)
			if c.cookies["anxin_customer_form"] != token {
				t.Fatal("the form token is not the cookie's")
			}

			// Without the token, or with another, the forms refuse.
			for _, form := range []url.Values{{"mobile": {holderMobile}}, {"mobile": {holderMobile}, "csrf_token": {"forged"}}} {
				_, body := c.want("POST", "/my/login/otp", form, http.StatusForbidden, "CSRF")
				consoleCheckNoInlineCode(t, "403", body)
			}
			if n := len(e.messages()); n != 0 {
				t.Fatalf("a refused form sent %d SMS", n)
			}
			c.want("POST", "/my/login/otp", url.Values{"csrf_token": {token}, "mobile": {"12345"}}, http.StatusUnprocessableEntity, "手机号码应为11位数字")
			_, step2 := c.want("POST", "/my/login/otp", url.Values{"csrf_token": {token}, "mobile": {holderMobile}, "next": {"/my/profile"}}, http.StatusOK,
				"如该手机号已在安心登记", "138****8000", `autocomplete="one-time-code"`, `name="next" value="/my/profile"`)
			consoleCheckNoInlineCode(t, "code step", step2)
			code := e.code(holderMobile)
			c.want("POST", "/my/login", url.Values{"csrf_token": {token}, "mobile": {holderMobile}, "code": {wrongCodeFor(code)}}, http.StatusUnauthorized, "验证码错误或已失效", `name="code"`)
			c.want("POST", "/my/login", url.Values{"mobile": {holderMobile}, "code": {code}}, http.StatusForbidden)
			res, _ = c.do("POST", "/my/login", url.Values{"csrf_token": {token}, "mobile": {holderMobile}, "code": {code}, "next": {"/my/profile"}}, nil)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/my/profile" || c.cookies["anxin_customer"] == "" {
				t.Fatalf("sign in: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
			res, _ = c.do("GET", "/my/login", nil, nil)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/my" {
				t.Errorf("the sign-in page when signed in: %d %q", res.StatusCode, res.Header.Get("Location"))
			}

			home := c.page("/my", "您好，张伟", e.f.health, e.f.life, "安心百万医疗险", "¥1,234.50", "有效", "投保人", `href="/my/policies/`+e.f.health+`"`, "退出登录")
			consoleWantNot(t, "home", home, e.f.auto, "深圳安达物流")
			consoleWant(t, "home en", c.page("/my?lang=en"), "Hello, 张伟", "Anxin Million Medical", "In force", "Policyholder")

			pol := c.page("/my/policies/"+e.f.health, "医疗费用报销", "重大疾病保险", "王*", "银行代扣", "中国工商银行",
				strings.Repeat("*", len(health.BankAccount)-4)+health.BankAccount[len(health.BankAccount)-4:], "张小明")
			consoleWantNot(t, "policy", pol, health.BankAccount, e.f.holder.IDNumber)
			consoleWant(t, "policy en", c.page("/my/policies/"+e.f.health+"?lang=en"), "Medical reimbursement", "Bank debit")
			_, nf := c.want("GET", "/my/policies/"+e.f.auto, nil, http.StatusNotFound, "未找到该保单")
			consoleCheckNoInlineCode(t, "404", nf)
			c.want("GET", "/my/no/such/page", nil, http.StatusNotFound, "您访问的页面不存在")

			profile := c.page("/my/profile", "我的资料", "zhang.wei@example.cn", "北京市东城区东四十条 88 号", "13800138000", "13912345678",
				"服务联系", "已同意", "撤回", `action="/my/profile/consents/service_contact/withdraw"`)
			consoleWantNot(t, "profile", profile, e.f.holder.IDNumber)
			consoleWant(t, "profile en", c.page("/my/profile?lang=en"), "My details", "Save contact details", "Withdraw", "Service contact")
			csrf := formToken(t, profile)

			// Contact details: refused without the token, 422 with the
			// field's message and what was typed, saved otherwise.
			c.want("POST", "/my/profile/contact", url.Values{"email": {"a@b.cn"}}, http.StatusForbidden, "CSRF")
			_, bad := c.want("POST", "/my/profile/contact", url.Values{"csrf_token": {csrf}, "email": {"x@"}, "address": {"新地址"}}, http.StatusUnprocessableEntity,
				"电子邮箱格式不正确", `value="x@"`, "新地址", `aria-invalid="true"`)
			consoleCheckNoInlineCode(t, "422", bad)
			res, _ = c.do("POST", "/my/profile/contact", url.Values{"csrf_token": {csrf}, "email": {"zw@example.cn"}, "address": {"北京市海淀区中关村大街 1 号"}}, nil)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/my/profile?saved=contact") {
				t.Fatalf("save contact: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
			c.page("/my/profile?saved=contact", "联系方式已保存", "zw@example.cn", "中关村大街")

			// Consent withdrawal, a moment after the consent was recorded.
			e.clock.Add(time.Minute)
			c.want("POST", "/my/profile/consents/service_contact/withdraw", url.Values{}, http.StatusForbidden)
			res, _ = c.do("POST", "/my/profile/consents/service_contact/withdraw", url.Values{"csrf_token": {csrf}}, nil)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("withdraw: %d", res.StatusCode)
			}
			after := c.page("/my/profile?saved=consent", "已撤回该授权", "已撤回", "客户自助")
			consoleWantNot(t, "after withdrawing", after, `action="/my/profile/consents/service_contact/withdraw"`)

			// Mobile change: the code goes to the new number.
			c.want("POST", "/my/profile/mobile/otp", url.Values{"mobile": {"13611112222"}}, http.StatusForbidden)
			_, step := c.want("POST", "/my/profile/mobile/otp", url.Values{"csrf_token": {csrf}, "mobile": {"13611112222"}}, http.StatusOK,
				"验证码已发送至新手机号 13611112222", `action="/my/profile/mobile"`)
			consoleCheckNoInlineCode(t, "mobile code step", step)
			newCode := e.code("13611112222")
			c.want("POST", "/my/profile/mobile", url.Values{"csrf_token": {csrf}, "mobile": {"13611112222"}, "code": {wrongCodeFor(newCode)}}, http.StatusUnauthorized, "验证码错误或已失效")
			res, _ = c.do("POST", "/my/profile/mobile", url.Values{"csrf_token": {csrf}, "mobile": {"13611112222"}, "code": {newCode}}, nil)
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("change mobile: %d", res.StatusCode)
			}
			consoleWantNot(t, "after the change", c.page("/my/profile?saved=mobile", "手机号已更换", "13611112222", "13912345678"), "13800138000")

			// Sign-out needs the token too.
			c.want("POST", "/my/logout", url.Values{}, http.StatusForbidden)
			res, _ = c.do("POST", "/my/logout", url.Values{"csrf_token": {csrf}}, nil)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/my/login" || c.cookies["anxin_customer"] != "" {
				t.Fatalf("sign out: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
			res, _ = c.do("GET", "/my", nil, nil)
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("after sign-out /my: %d", res.StatusCode)
			}

			// The stylesheet every page links to is served.
			for _, m := range regexp.MustCompile(`href="(/static/[^"]+)"`).FindAllStringSubmatch(home, -1) {
				if res, _ := c.do("GET", strings.ReplaceAll(m[1], "&amp;", "&"), nil, nil); res.StatusCode != http.StatusOK {
					t.Errorf("%s: %d", m[1], res.StatusCode)
				}
			}
			consoleWant(t, "stylesheet link", home, "/static/self.css?v=")
		})
	}
}

// Off-site or staff pages are never where sign-in leads.
func TestSelfNext(t *testing.T) {
	e := newSelfEnv(t, "sqlite")
	c := e.client()
	token := formToken(t, c.page("/my/login"))
	for _, next := range []string{"//evil.example/my", "https://evil.example/", "/customers", "/my/login", `/\evil`} {
		c.cookies = map[string]string{"anxin_customer_form": token}
		_, body := c.want("POST", "/my/login/otp", url.Values{"csrf_token": {token}, "mobile": {spouseMobile}, "next": {next}}, http.StatusOK)
		if strings.Contains(body, `name="next" value="`+next) && next != "" {
			t.Errorf("next %q kept", next)
		}
		e.clock.Add(61e9)
	}
}
