package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/server"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/storetest"
	"github.com/anxin-insure/anxin/web"
)

// Customers of the console fixture: 张伟 holds the health policy (insuring
// 王芳) and the life policy; 王芳 holds nothing; the company cannot sign in.
const (
	holderMobile = "13800138000"
	spouseMobile = "13700001111"
)

// selfClock is a movable clock that the server's goroutines may read.
type selfClock struct{ ns atomic.Int64 }

func (c *selfClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *selfClock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// selfEnv is the console fixture with self-service wired to an outbox file.
type selfEnv struct {
	t      *testing.T
	f      *consoleFixture
	srv    *server.Server
	outbox string
	clock  *selfClock
}

func newSelfEnv(t *testing.T, engine string) *selfEnv {
	t.Helper()
	return newSelfEnvAt(t, engine, consoleFixedNow())
}

// newSelfEnvAt starts the clock at start: a browser needs the real time,
// or it drops cookies that expire in its past.
func newSelfEnvAt(t *testing.T, engine string, start time.Time) *selfEnv {
	t.Helper()
	clock := &selfClock{}
	clock.ns.Store(start.UnixNano())
	f := consoleSetup(t, engine, clock.Now)
	e := &selfEnv{t: t, f: f, srv: f.srv.Config.Handler.(*server.Server), outbox: filepath.Join(t.TempDir(), "outbox", "sms.jsonl"), clock: clock}
	e.srv.Self = service.NewSelfService(f.svc, &notify.Outbox{Path: e.outbox})
	return e
}

// messages waits for the background sends and reads the outbox.
func (e *selfEnv) messages() []notify.Message {
	e.t.Helper()
	e.srv.Self.Wait()
	msgs, err := notify.ReadOutbox(e.outbox)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs
}

func (e *selfEnv) messagesTo(mobile string) []notify.Message {
	var out []notify.Message
	for _, m := range e.messages() {
		if m.Mobile == mobile {
			out = append(out, m)
		}
	}
	return out
}

var selfCodeRe = regexp.MustCompile(`\d{6}`)

// code is the code in the newest message to mobile.
func (e *selfEnv) code(mobile string) string {
	e.t.Helper()
	msgs := e.messagesTo(mobile)
	if len(msgs) == 0 {
		e.t.Fatalf("no SMS to %s", mobile)
	}
	return selfCodeRe.FindString(msgs[len(msgs)-1].Text)
}

// selfClient is a browser or app stand-in: cookies by name (the fixture's
// clock may lie in the real past, where a cookie jar drops cookies), the
// session's CSRF token, and JSON or form bodies.
type selfClient struct {
	e       *selfEnv
	hc      *http.Client
	cookies map[string]string
	csrf    string
	header  http.Header
}

func (e *selfEnv) client() *selfClient {
	return &selfClient{e: e, cookies: map[string]string{}, header: http.Header{},
		hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends body as a form (url.Values), raw JSON (string) or JSON (any
// other value), with the CSRF header when the client has a token.
func (c *selfClient) do(method, path string, body any, header map[string]string) (*http.Response, string) {
	c.e.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		buf, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(buf), "application/json"
	}
	req, err := http.NewRequest(method, c.e.f.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.csrf != "" && ctype != "application/x-www-form-urlencoded" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for name, value := range c.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return res, string(b)
}

// want checks a status and that the body holds every string.
func (c *selfClient) want(method, path string, body any, status int, wants ...string) (*http.Response, string) {
	c.e.t.Helper()
	res, b := c.do(method, path, body, nil)
	if res.StatusCode != status {
		c.e.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, res.StatusCode, status, consoleSnippet(b))
	}
	consoleWant(c.e.t, method+" "+path, b, wants...)
	return res, b
}

// signIn signs a customer in through the JSON API.
func (e *selfEnv) signIn(mobile string) *selfClient {
	e.t.Helper()
	// A minute on from whatever came before, so the number may have a code.
	e.clock.Add(service.CodeResendAfter)
	c := e.client()
	c.want("POST", "/api/v1/self/otp", map[string]string{"mobile": mobile}, http.StatusAccepted)
	_, body := c.want("POST", "/api/v1/self/login", map[string]string{"mobile": mobile, "code": e.code(mobile)}, http.StatusOK)
	var res struct {
		CSRFToken string `json:"csrf_token"`
	}
	json.Unmarshal([]byte(body), &res)
	if res.CSRFToken == "" || c.cookies["anxin_customer"] == "" {
		e.t.Fatalf("sign-in gave no session: %s", body)
	}
	c.csrf = res.CSRFToken
	return c
}

func wrongCodeFor(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func TestSelfSignIn(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.client()
			_, body := c.want("POST", "/api/v1/self/otp", map[string]string{"mobile": "+86 137-0000-1111"}, http.StatusAccepted,
				`"expires_in_seconds":300`, `"resend_after_seconds":60`)
			msgs := e.messages()
			if len(msgs) != 1 || msgs[0].Mobile != spouseMobile {
				t.Fatalf("outbox: %+v", msgs)
			}
			if !regexp.MustCompile(`^【安心】您的登录验证码为 \d{6}，5分钟内有效。请勿泄露给他人。$`).MatchString(msgs[0].Text) {
				t.Fatalf("SMS text %q", msgs[0].Text)
			}
			code := e.code(spouseMobile)
			if strings.Contains(body, code) {
				t.Fatal("the answer holds the code")
			}

			c.want("POST", "/api/v1/self/login", map[string]string{"mobile": spouseMobile, "code": wrongCodeFor(code)}, http.StatusUnauthorized, "验证码错误或已失效")
			c.want("POST", "/api/v1/self/login", map[string]string{"mobile": spouseMobile, "code": "12"}, http.StatusUnprocessableEntity, `"field":"code"`)
			res, body := c.want("POST", "/api/v1/self/login", map[string]string{"mobile": spouseMobile, "code": code}, http.StatusOK,
				`"csrf_token"`, `"name":"王芳"`, `"mobiles":["13700001111"]`, `"idle_timeout_seconds":1800`)
			var cookie *http.Cookie
			for _, ck := range res.Cookies() {
				if ck.Name == "anxin_customer" {
					cookie = ck
				}
			}
			if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Secure || cookie.Path != "/" {
				t.Fatalf("session cookie: %+v", cookie)
			}
			var login struct {
				CSRFToken string              `json:"csrf_token"`
				Customer  service.SelfProfile `json:"customer"`
			}
			json.Unmarshal([]byte(body), &login)
			if !strings.Contains(login.Customer.IDNumber, "*") || len(login.Customer.IDNumber) != 18 {
				t.Fatalf("the ID number is not masked: %q", login.Customer.IDNumber)
			}
			c.csrf = login.CSRFToken

			c.want("GET", "/api/v1/self/me", nil, http.StatusOK, `"name":"王芳"`, `"mobiles":["13700001111"]`, `"purpose":"marketing"`)
			_, me := c.do("GET", "/api/v1/self/me", nil, nil)
			consoleWantNot(t, "me", me, e.f.spouse.IDNumber, `"tier"`, `"vip"`, `"birth_date"`)

			// Sign-out needs the CSRF token, and ends the session on the server.
			token := c.csrf
			c.csrf = ""
			c.want("POST", "/api/v1/self/logout", nil, http.StatusForbidden, "CSRF")
			c.csrf = token
			session := c.cookies["anxin_customer"]
			c.want("POST", "/api/v1/self/logout", nil, http.StatusNoContent)
			c.cookies["anxin_customer"] = session
			c.want("GET", "/api/v1/self/me", nil, http.StatusUnauthorized, "请先使用手机号登录")

			// Under TLS the cookie is Secure.
			e.srv.SecureCookies = true
			e.clock.Add(service.CodeResendAfter)
			c = e.client()
			c.want("POST", "/api/v1/self/otp", map[string]string{"mobile": spouseMobile}, http.StatusAccepted)
			res, _ = c.want("POST", "/api/v1/self/login", map[string]string{"mobile": spouseMobile, "code": e.code(spouseMobile)}, http.StatusOK)
			if !strings.Contains(res.Header.Get("Set-Cookie"), "Secure") {
				t.Errorf("no Secure under TLS: %s", res.Header.Get("Set-Cookie"))
			}
		})
	}
}

// Sessions end after 30 idle minutes, and after 12 hours however busy.
func TestSelfSessionExpiry(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.signIn(spouseMobile)
			e.clock.Add(service.CustomerIdleTimeout - time.Minute)
			c.want("GET", "/api/v1/self/me", nil, http.StatusOK)
			e.clock.Add(service.CustomerIdleTimeout - time.Minute)
			c.want("GET", "/api/v1/self/me", nil, http.StatusOK)
			e.clock.Add(service.CustomerIdleTimeout + time.Second)
			c.want("GET", "/api/v1/self/me", nil, http.StatusUnauthorized)

			c = e.signIn(spouseMobile)
			for range service.CustomerSessionLifetime / (20 * time.Minute) {
				e.clock.Add(20 * time.Minute)
				c.do("GET", "/api/v1/self/me", nil, nil)
			}
			c.want("GET", "/api/v1/self/me", nil, http.StatusUnauthorized)
		})
	}
}

// A code expires after five minutes, works once, and is replaced by the
// next one; five wrong codes lock the mobile for fifteen minutes.
func TestSelfCodeRules(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.client()
			login := func(code string, status int, wants ...string) *http.Response {
				t.Helper()
				res, _ := c.want("POST", "/api/v1/self/login", map[string]string{"mobile": spouseMobile, "code": code}, status, wants...)
				return res
			}
			otp := func() string {
				t.Helper()
				c.want("POST", "/api/v1/self/otp", map[string]string{"mobile": spouseMobile}, http.StatusAccepted)
				return e.code(spouseMobile)
			}

			expired := otp()
			e.clock.Add(service.CodeLifetime + time.Second)
			login(expired, http.StatusUnauthorized)

			e.clock.Add(time.Minute)
			used := otp()
			login(used, http.StatusOK)
			login(used, http.StatusUnauthorized)

			e.clock.Add(time.Minute)
			first := otp()
			e.clock.Add(time.Minute)
			second := otp()
			if first != second {
				login(first, http.StatusUnauthorized)
			}
			login(second, http.StatusOK)

			// Five wrong codes in a row lock the mobile, even against the
			// right code; the lock ends after fifteen minutes.
			e.clock.Add(time.Minute)
			right := otp()
			for i := 1; i < service.CodeLockAfter; i++ {
				login(wrongCodeFor(right), http.StatusUnauthorized)
			}
			res := login(wrongCodeFor(right), http.StatusTooManyRequests, "锁定")
			if ra := res.Header.Get("Retry-After"); ra != "900" {
				t.Errorf("Retry-After %q after the lock, want 900", ra)
			}
			res = login(right, http.StatusTooManyRequests)
			if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > 900 {
				t.Errorf("Retry-After %q while locked", res.Header.Get("Retry-After"))
			}
			// While locked, no new code either.
			c.want("POST", "/api/v1/self/otp", map[string]string{"mobile": spouseMobile}, http.StatusTooManyRequests)
			// The lock ends after fifteen minutes (the code has expired by
			// then); an hour on, the mobile's code allowance is back too.
			e.clock.Add(service.CodeLockDuration)
			login(right, http.StatusUnauthorized)
			e.clock.Add(time.Hour)
			login(otp(), http.StatusOK)
		})
	}
}

// Code requests are limited per mobile (one a minute, five an hour) and
// per address (twenty an hour) in the database, answered 429 with
// Retry-After; an unknown number gets the same answers and no SMS.
func TestSelfRateLimits(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.client()
			otp := func(mobile string, status int, retryAfter string) string {
				t.Helper()
				res, body := c.want("POST", "/api/v1/self/otp", map[string]string{"mobile": mobile}, status)
				if got := res.Header.Get("Retry-After"); got != retryAfter {
					t.Errorf("%s: Retry-After %q, want %q", mobile, got, retryAfter)
				}
				return body
			}
			const unknown = "13600000000"
			known1 := otp(spouseMobile, http.StatusAccepted, "")
			unknown1 := otp(unknown, http.StatusAccepted, "")
			if known1 != unknown1 {
				t.Errorf("known and unknown numbers are answered differently:\n%s\n%s", known1, unknown1)
			}
			known2 := otp(spouseMobile, http.StatusTooManyRequests, "60")
			unknown2 := otp(unknown, http.StatusTooManyRequests, "60")
			if stripRequestID(known2) != stripRequestID(unknown2) {
				t.Errorf("known and unknown numbers are limited differently:\n%s\n%s", known2, unknown2)
			}
			consoleWant(t, "429", known2, `"code":"rate_limited"`, "60 秒后再试")
			e.clock.Add(45 * time.Second)
			otp(spouseMobile, http.StatusTooManyRequests, "15")
			e.clock.Add(15 * time.Second)
			for i := 2; i <= service.CodesPerHour; i++ {
				otp(spouseMobile, http.StatusAccepted, "")
				e.clock.Add(time.Minute)
			}
			// Five codes since the first, an hour ago minus five minutes:
			// the sixth waits until the first is an hour old.
			otp(spouseMobile, http.StatusTooManyRequests, strconv.Itoa(int((time.Hour - 5*time.Minute).Seconds())))
			if n := len(e.messagesTo(spouseMobile)); n != service.CodesPerHour {
				t.Errorf("%d codes sent to the known number, want %d", n, service.CodesPerHour)
			}
			if n := len(e.messagesTo(unknown)); n != 0 {
				t.Errorf("%d SMS to a number no customer has", n)
			}

			// Per address: 7 requests so far counted (5 + 1 unknown + the
			// limited ones did not count), up to 20 in the hour.
			counted := service.CodesPerHour + 1
			for i := 0; counted < service.CodesPerIPPerHour; i++ {
				otp(fmt.Sprintf("1350000%04d", i), http.StatusAccepted, "")
				counted++
			}
			body := otp("13599999999", http.StatusTooManyRequests, strconv.Itoa(int((time.Hour - 5*time.Minute).Seconds())))
			consoleWant(t, "per address", body, `"code":"rate_limited"`)
		})
	}
}

var requestIDRe = regexp.MustCompile(`"request_id":"[^"]*"`)

func stripRequestID(s string) string { return requestIDRe.ReplaceAllString(s, "") }

// The walk over every customer route: as 王芳, asking for 张伟's objects,
// each answers 404 or only 王芳's own data, and changes nothing of his;
// staff credentials are refused on every customer route, and a customer
// session on every staff route.
func TestSelfRoutesGuarded(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			ctx := context.Background()
			holder, spouse := e.f.holder, e.f.spouse
			health, err := e.f.svc.DB.GetPolicyByNumber(ctx, nil, e.f.health)
			if err != nil {
				t.Fatal(err)
			}
			// Everything of 张伟's (and the company's) that 王芳 must never see.
			secrets := []string{holder.Name, holder.IDNumber, holder.Email, holder.Address, e.f.life, e.f.auto, health.BankAccount,
				anxin.Mask(anxin.FieldBankAccount, health.BankAccount), e.f.company.Name, "13912345678"}
			for _, m := range holder.Mobiles {
				secrets = append(secrets, m)
			}
			before, _ := e.f.svc.DB.GetCustomer(ctx, nil, holder.ID)

			a := e.signIn(spouseMobile)
			var routes []server.Route
			for _, rt := range e.srv.Routes() {
				if rt.Access == server.Customer {
					routes = append(routes, rt)
				}
			}
			if len(routes) < 17 {
				t.Fatalf("only %d customer routes", len(routes))
			}
			// Sign-out goes last, each with a session of its own.
			slices.SortStableFunc(routes, func(x, y server.Route) int {
				return boolInt(strings.HasSuffix(x.Path, "/logout")) - boolInt(strings.HasSuffix(y.Path, "/logout"))
			})
			for _, rt := range routes {
				path := strings.NewReplacer("{number}", e.f.life, "{purpose}", "service_contact").Replace(rt.Path)
				if strings.HasSuffix(rt.Path, "/logout") {
					a = e.signIn(spouseMobile)
				}
				var body any
				switch {
				case !rt.API && rt.Method != "GET":
					// Forms carry the session's token; the values are
					// refused (a bad email, a code that is no code), and
					// the mobile is nobody's.
					body = url.Values{"csrf_token": {a.csrf}, "email": {"x"}, "mobile": {"13655556666"}, "code": {"x"}}
				case rt.Method != "GET":
					body = map[string]string{}
				}
				res, got := a.do(rt.Method, path, body, nil)
				switch {
				case strings.Contains(rt.Path, "{number}"):
					if res.StatusCode != http.StatusNotFound {
						t.Errorf("%s %s with 张伟's policy: status %d, want 404", rt.Method, rt.Path, res.StatusCode)
					}
				case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden || res.StatusCode >= 500:
					t.Errorf("%s %s: status %d\n%s", rt.Method, rt.Path, res.StatusCode, consoleSnippet(got))
				}
				for _, s := range secrets {
					if s == e.f.life && strings.Contains(rt.Path, "{number}") {
						continue // the page echoes its own address, in the language links
					}
					if s != "" && strings.Contains(got, s) {
						t.Errorf("%s %s as 王芳 shows 张伟's %q", rt.Method, rt.Path, s)
					}
				}
			}
			after, _ := e.f.svc.DB.GetCustomer(ctx, nil, holder.ID)
			if after.Version != before.Version || len(after.Consents) != len(before.Consents) || strings.Join(after.Mobiles, ",") != strings.Join(before.Mobiles, ",") {
				t.Errorf("张伟's record changed during 王芳's walk: %+v", after)
			}
			if n := len(e.messagesTo(holderMobile)); n != 0 {
				t.Errorf("%d SMS to 张伟 during 王芳's walk", n)
			}

			// Staff credentials are no credentials here, and customers are
			// nobody on staff routes.
			staff := e.client()
			staff.cookies = consoleSignedIn(t, e.f).cookies
			token, err := e.f.svc.CreateAPIToken(ctx, anxin.SystemActor("test"), consoleUser, "walk")
			if err != nil {
				t.Fatal(err)
			}
			bearer := e.client()
			bearer.header.Set("Authorization", "Bearer "+token)
			anon := e.client()
			a = e.signIn(spouseMobile)
			for _, rt := range e.srv.Routes() {
				path := strings.NewReplacer("{number}", e.f.health, "{purpose}", "marketing", "{id}", spouse.ID, "{code}", "HLT-ANXIN",
					"{year}", "2026", "{rest...}", "x").Replace(rt.Path)
				switch rt.Access {
				case server.Customer:
					for name, c := range map[string]*selfClient{"staff session": staff, "staff token": bearer, "signed out": anon} {
						res, _ := c.do(rt.Method, path, "{}", nil)
						wantSignIn(t, name, rt, res, "/my/login")
					}
				case server.Staff:
					res, _ := a.do(rt.Method, path, "{}", nil)
					wantSignIn(t, "customer session", rt, res, "/login")
				}
			}
			a.want("GET", "/api/v1/self/me", nil, http.StatusOK) // the walk did not sign 王芳 out
			a.want("GET", "/api/v1/customers", nil, http.StatusUnauthorized)
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wantSignIn expects rt to refuse the caller as not signed in: 401 from
// the API, a redirect to the right sign-in page from a page.
func wantSignIn(t *testing.T, who string, rt server.Route, res *http.Response, signIn string) {
	t.Helper()
	if rt.API {
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s with %s: status %d, want 401", rt.Method, rt.Path, who, res.StatusCode)
		}
		return
	}
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), signIn) {
		t.Errorf("%s %s with %s: status %d to %q, want a redirect to %s", rt.Method, rt.Path, who, res.StatusCode, res.Header.Get("Location"), signIn)
	}
}

// Policies: one's own as policyholder or insured, with the other party's
// name and the payer's account masked or left out.
func TestSelfPolicies(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			health, _ := e.f.svc.DB.GetPolicyByNumber(context.Background(), nil, e.f.health)
			last4 := health.BankAccount[len(health.BankAccount)-4:]

			holder := e.signIn(holderMobile)
			_, list := holder.want("GET", "/api/v1/self/policies", nil, http.StatusOK, e.f.health, e.f.life, `"roles":["policyholder"]`, `"roles":["policyholder","insured"]`,
				`"product_name":"安心百万医疗险"`, `"insured_name":"王*"`, `"policyholder_name":"张伟"`)
			consoleWantNot(t, "holder's list", list, e.f.auto, health.BankAccount)
			holder.want("GET", "/api/v1/self/policies/"+e.f.health, nil, http.StatusOK, `"bank_account":"`+strings.Repeat("*", len(health.BankAccount)-4)+last4+`"`, `"payment_method":"bank_debit"`)
			holder.want("GET", "/api/v1/self/policies/"+strings.ToLower(e.f.health), nil, http.StatusOK)
			_, missing := holder.want("GET", "/api/v1/self/policies/P-NO-SUCH", nil, http.StatusNotFound)
			_, others := holder.want("GET", "/api/v1/self/policies/"+e.f.auto, nil, http.StatusNotFound)
			if stripRequestID(missing) != stripRequestID(others) {
				t.Errorf("another's policy and a missing one are answered differently:\n%s\n%s", missing, others)
			}

			spouse := e.signIn(spouseMobile)
			_, own := spouse.want("GET", "/api/v1/self/policies/"+e.f.health, nil, http.StatusOK, `"roles":["insured"]`, `"policyholder_name":"张*"`, `"insured_name":"王芳"`)
			consoleWantNot(t, "insured's view", own, strings.Repeat("*", len(health.BankAccount)-4)+last4, `"bank_account"`, `"payment_method"`, `"bank_name"`, `"next_payment_date"`)
			_, list = spouse.want("GET", "/api/v1/self/policies", nil, http.StatusOK, e.f.health)
			consoleWantNot(t, "insured's list", list, e.f.life, e.f.auto)
		})
	}
}

// Contact details: saved and validated like a staff update; the field is
// named, in Chinese by default.
func TestSelfContact(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.signIn(spouseMobile)
			before, _ := e.f.svc.DB.GetCustomer(context.Background(), nil, e.f.spouse.ID)
			c.want("PUT", "/api/v1/self/contact", map[string]string{"email": " wang.fang@example.cn ", "address": "上海市徐汇区漕溪北路 8 号"}, http.StatusOK,
				`"email":"wang.fang@example.cn"`, `"address":"上海市徐汇区漕溪北路 8 号"`)
			after, _ := e.f.svc.DB.GetCustomer(context.Background(), nil, e.f.spouse.ID)
			if after.Email != "wang.fang@example.cn" || after.Address != "上海市徐汇区漕溪北路 8 号" || after.Version != before.Version+1 {
				t.Fatalf("not persisted: %+v", after)
			}
			c.want("GET", "/api/v1/self/me", nil, http.StatusOK, "wang.fang@example.cn")

			_, body := c.want("PUT", "/api/v1/self/contact", map[string]string{"email": "x@", "address": strings.Repeat("长", 301)}, http.StatusUnprocessableEntity,
				`"field":"email"`, "电子邮箱格式不正确", `"field":"address"`, "超过 300 个字符")
			consoleWantNot(t, "422", body, `"field":"id_number"`)
			res, body := c.do("PUT", "/api/v1/self/contact", map[string]string{"email": "x@"}, map[string]string{"Accept-Language": "en"})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a valid email address") {
				t.Errorf("English: %d %s", res.StatusCode, body)
			}
			c.want("PUT", "/api/v1/self/contact", `{"email":"a@b.cn","tier":"diamond"}`, http.StatusUnprocessableEntity, `"field":"tier"`)
			token := c.csrf
			c.csrf = ""
			c.want("PUT", "/api/v1/self/contact", map[string]string{"email": "a@b.cn"}, http.StatusForbidden)
			c.csrf = token
			if now, _ := e.f.svc.DB.GetCustomer(context.Background(), nil, e.f.spouse.ID); now.Version != after.Version {
				t.Errorf("refused updates changed the record: v%d", now.Version)
			}
		})
	}
}

// The mobile changes only with a code sent to the new number.
func TestSelfMobileChange(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.signIn(spouseMobile)
			const newMobile, otherMobile = "13611112222", "13633334444"
			c.want("POST", "/api/v1/self/mobile/otp", map[string]string{"mobile": spouseMobile}, http.StatusUnprocessableEntity, "已是您当前的手机号")
			c.want("POST", "/api/v1/self/mobile/otp", map[string]string{"mobile": "12345"}, http.StatusUnprocessableEntity, `"field":"mobile"`)
			sentBefore := len(e.messagesTo(spouseMobile))
			c.want("POST", "/api/v1/self/mobile/otp", map[string]string{"mobile": newMobile}, http.StatusAccepted)
			msgs := e.messagesTo(newMobile)
			if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "更换手机号") {
				t.Fatalf("SMS to the new number: %+v", msgs)
			}
			if len(e.messagesTo(spouseMobile)) != sentBefore {
				t.Fatal("the mobile-change code went to the old number")
			}
			code := e.code(newMobile)
			c.want("POST", "/api/v1/self/mobile/otp", map[string]string{"mobile": newMobile}, http.StatusTooManyRequests)

			c.want("POST", "/api/v1/self/mobile", map[string]string{"mobile": newMobile, "code": wrongCodeFor(code)}, http.StatusUnauthorized)
			c.want("POST", "/api/v1/self/mobile", map[string]string{"mobile": otherMobile, "code": code}, http.StatusUnauthorized)
			// A sign-in code for the new number is no mobile-change code.
			e.clock.Add(time.Minute)
			e.client().want("POST", "/api/v1/self/otp", map[string]string{"mobile": newMobile}, http.StatusAccepted)
			if n := len(e.messagesTo(newMobile)); n != 1 {
				t.Fatalf("a number no customer has got a sign-in code (%d messages)", n)
			}
			c.want("POST", "/api/v1/self/mobile", map[string]string{"mobile": newMobile, "code": code}, http.StatusOK, `"mobiles":["13611112222"]`)
			c.want("POST", "/api/v1/self/mobile", map[string]string{"mobile": newMobile, "code": code}, http.StatusUnauthorized)

			stored, _ := e.f.svc.DB.GetCustomer(context.Background(), nil, e.f.spouse.ID)
			if strings.Join(stored.Mobiles, ",") != newMobile {
				t.Fatalf("stored mobiles %v", stored.Mobiles)
			}
			// Signing in now goes by the new number; the old one gets nothing.
			e.clock.Add(time.Minute)
			e.client().want("POST", "/api/v1/self/otp", map[string]string{"mobile": spouseMobile}, http.StatusAccepted)
			if len(e.messagesTo(spouseMobile)) != sentBefore {
				t.Fatal("the old number still gets sign-in codes")
			}
			e.signIn(newMobile).want("GET", "/api/v1/self/me", nil, http.StatusOK, `"name":"王芳"`)
		})
	}
}

// Withdrawing appends to the history; the same request retried with its
// Idempotency-Key acts once.
func TestSelfConsents(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			e := newSelfEnv(t, engine)
			c := e.signIn(holderMobile)
			_, body := c.want("GET", "/api/v1/self/consents", nil, http.StatusOK)
			var before service.SelfConsents
			json.Unmarshal([]byte(body), &before)
			if len(before.Current) != len(anxin.ConsentPurposes) || len(before.History) != 2 || !before.Current[0].Granted {
				t.Fatalf("consents before: %s", body)
			}
			key := map[string]string{"Idempotency-Key": "withdraw-service-contact"}
			res1, b1 := c.do("POST", "/api/v1/self/consents/service_contact/withdraw", nil, key)
			res2, b2 := c.do("POST", "/api/v1/self/consents/service_contact/withdraw", nil, key)
			if res1.StatusCode != 200 || res2.StatusCode != 200 || b1 != b2 || res2.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("withdraw and its retry: %d %s / %d %s", res1.StatusCode, b1, res2.StatusCode, b2)
			}
			var after service.SelfConsents
			json.Unmarshal([]byte(b1), &after)
			last := after.History[len(after.History)-1]
			if len(after.History) != 3 || last.Purpose != "service_contact" || last.Granted || last.Channel != "self_service" || after.Current[0].Granted {
				t.Fatalf("after withdrawing: %s", b1)
			}
			// Withdrawing again (a new request) adds nothing.
			c.want("POST", "/api/v1/self/consents/service_contact/withdraw", nil, http.StatusOK)
			stored, _ := e.f.svc.DB.GetCustomer(context.Background(), nil, e.f.holder.ID)
			if len(stored.Consents) != 3 {
				t.Fatalf("%d consent records, want 3", len(stored.Consents))
			}
			c.want("POST", "/api/v1/self/consents/no_such_purpose/withdraw", nil, http.StatusNotFound, "没有该授权事项")
			// Staff see the withdrawal and its channel on the customer page.
			consoleWant(t, "console", consoleSignedIn(t, e.f).page("/customers/"+e.f.holder.ID), "客户自助")
		})
	}
}

// Every UI string the self-service handlers ask for exists in both
// languages.
func TestSelfStringsExist(t *testing.T) {
	files, err := filepath.Glob("self*.go")
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
	if n < 5 {
		t.Errorf("found only %d keys: the pattern no longer matches the code", n)
	}
}
