package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/server"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

const testPassword = "correct-horse-battery"

// apiEnv is a real server over a real database, with one staff account per role.
type apiEnv struct {
	t   *testing.T
	svc *service.Service
	srv *server.Server
	url string
}

func newAPIEnv(t *testing.T, engine string) *apiEnv {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, engine)
	svc := service.New(db, slog.New(slog.DiscardHandler), nil)
	if err := svc.SeedCalendar(ctx, 2025, 2026); err != nil {
		t.Fatal(err)
	}
	for _, r := range anxin.Roles {
		st := &anxin.Staff{Username: string(r.Role), DisplayName: r.Name, Role: r.Role}
		if err := svc.CreateStaff(ctx, anxin.SystemActor("test"), st, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	prod := &anxin.Product{Code: "HLTH-MED", Line: anxin.LineHealth, Name: "安心百万医疗", NameEN: "Medical", CoolingOffDays: 15, Active: true,
		Coverages: []anxin.Coverage{{Kind: anxin.CovMedical, SumInsured: 300_000_000, Deductible: 1_000_000, ReimbursementRatio: 10000, AnnualLimit: 300_000_000, WaitingPeriodDays: 30}}}
	if err := svc.PutProduct(ctx, anxin.SystemActor("test"), prod); err != nil {
		t.Fatal(err)
	}
	srv := server.New(svc, slog.New(slog.DiscardHandler))
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &apiEnv{t: t, svc: svc, srv: srv, url: hs.URL}
}

// client is a signed-in browser-like client: a cookie jar and the CSRF token.
type client struct {
	env  *apiEnv
	http *http.Client
	csrf string
}

func (e *apiEnv) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{env: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (e *apiEnv) signIn(role anxin.Role) *client {
	e.t.Helper()
	c := e.anonymous()
	res, body := c.do("POST", "/api/v1/auth/login", map[string]string{"username": string(role), "password": testPassword}, nil)
	if res.StatusCode != 200 {
		e.t.Fatalf("sign in as %s: %d %s", role, res.StatusCode, body)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	json.Unmarshal(body, &me)
	c.csrf = me.CSRFToken
	return c
}

func (c *client) do(method, path string, body any, header map[string]string) (*http.Response, []byte) {
	c.env.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.env.url+path, rd)
	if err != nil {
		c.env.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.env.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, out
}

func validCustomer(name, idNumber, mobile string) map[string]any {
	return map[string]any{"kind": "individual", "name": name, "id_type": "resident_id", "id_number": idNumber, "mobiles": []string{mobile}, "tier": "gold"}
}

func validPolicy(number, customerID string) map[string]any {
	return map[string]any{"number": number, "product_code": "HLTH-MED", "policyholder_id": customerID, "insured_id": customerID,
		"statutory_heirs": true, "premium": 58_800, "payment_frequency": "annual", "payment_method": "bank_debit",
		"bank_name": "招商银行", "bank_account": "6225880137001234", "next_payment_date": "2027-01-01",
		"effective_date": "2026-01-01", "expiry_date": "2027-01-01", "status": "in_force", "sales_channel": "online", "underwriting_date": "2025-12-30"}
}

// TestAPIScenarios runs the API's contract as a table: request, expected
// status, and what the body must contain.
func TestAPIScenarios(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env := newAPIEnv(t, engine)
			csr := env.signIn(anxin.RoleCSR)
			admin := env.signIn(anxin.RoleAdmin)
			pc := env.signIn(anxin.RolePolicyChange)
			anon := env.anonymous()

			res, body := csr.do("POST", "/api/v1/customers", validCustomer("李建国", "11010519491231002X", "13812345678"), nil)
			if res.StatusCode != 201 || res.Header.Get("ETag") != `"v1"` {
				t.Fatalf("create customer: %d %s", res.StatusCode, body)
			}
			var cust anxin.Customer
			json.Unmarshal(body, &cust)
			if cust.Gender != anxin.Female || cust.BirthDate.String() != "1949-12-31" {
				t.Fatalf("gender and birth date come from the resident ID: %+v", cust)
			}

			scenarios := []struct {
				name   string
				c      *client
				method string
				path   string
				body   any
				header map[string]string
				status int
				want   []string
			}{
				{"health", anon, "GET", "/healthz", nil, nil, 200, []string{`"ok"`}},
				{"ready", anon, "GET", "/readyz", nil, nil, 200, []string{`"database":true`}},
				{"openapi", anon, "GET", "/api/v1/openapi.json", nil, nil, 200, []string{`"openapi"`}},
				{"signed out", anon, "GET", "/api/v1/customers", nil, nil, 401, []string{`"code":"unauthorized"`, "请先登录"}},
				{"wrong password", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "csr", "password": "nope-nope-nope"}, nil, 401, []string{"用户名或密码错误"}},
				{"unknown user same answer", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "ghost", "password": "nope-nope-nope"}, nil, 401, []string{"用户名或密码错误"}},
				{"me", csr, "GET", "/api/v1/me", nil, nil, 200, []string{`"role":"csr"`, `"customer:read"`}},
				{"search by name", csr, "GET", "/api/v1/customers?q=建国", nil, nil, 200, []string{cust.ID}},
				{"search by phone", csr, "GET", "/api/v1/customers?q=138-1234-5678", nil, nil, 200, []string{cust.ID}},
				{"search by id number", csr, "GET", "/api/v1/customers?q=11010519491231002x", nil, nil, 200, []string{cust.ID}},
				{"search misses", csr, "GET", "/api/v1/customers?q=nobody", nil, nil, 200, []string{`"items":[]`}},
				{"bad limit", csr, "GET", "/api/v1/customers?limit=0", nil, nil, 422, []string{`"field":"limit"`}},
				{"bad cursor", csr, "GET", "/api/v1/customers?cursor=!!!", nil, nil, 422, []string{`"field":"cursor"`}},
				{"get customer", csr, "GET", "/api/v1/customers/" + cust.ID, nil, nil, 200, []string{`"name":"李建国"`}},
				{"missing customer", csr, "GET", "/api/v1/customers/nope", nil, nil, 404, []string{"未找到该客户"}},
				{"english errors", csr, "GET", "/api/v1/customers/nope", nil, map[string]string{"Accept-Language": "en-US"}, 404, []string{"customer not found"}},
				{"invalid customer names each field", csr, "POST", "/api/v1/customers",
					map[string]any{"kind": "individual", "name": "", "id_type": "resident_id", "id_number": "110105194912310021", "mobiles": []string{"12345"}, "email": "x@", "tier": "platinum"},
					nil, 422, []string{`"field":"name"`, `"field":"id_number"`, "身份证号码校验位不正确", `"field":"mobiles[0]"`, `"field":"email"`, `"field":"tier"`}},
				{"unknown field", csr, "POST", "/api/v1/customers", `{"nmae":"x"}`, nil, 422, []string{`"field":"nmae"`}},
				{"wrong type", csr, "POST", "/api/v1/customers", `{"name":42}`, nil, 422, []string{`"field":"name"`}},
				{"malformed json", csr, "POST", "/api/v1/customers", `{"name":`, nil, 400, []string{`"code":"bad_request"`}},
				{"not json", csr, "POST", "/api/v1/customers", "a=b", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, nil},
				{"too large", csr, "POST", "/api/v1/customers", `{"name":"` + strings.Repeat("长", 400_000) + `"}`, nil, 413, []string{`"code":"too_large"`}},
				{"duplicate identity", csr, "POST", "/api/v1/customers", validCustomer("李建国", "11010519491231002X", "13900000000"), nil, 409, []string{`"field":"id_number"`}},
				{"csr cannot write policies", csr, "POST", "/api/v1/policies", validPolicy("P1", cust.ID), nil, 403, []string{"policy:write"}},
				{"csrf required", &client{env: env, http: csr.http}, "POST", "/api/v1/customers", validCustomer("王芳", "440305199001011221", "13912345678"), nil, 403, []string{"CSRF"}},
				{"update needs If-Match", csr, "PUT", "/api/v1/customers/" + cust.ID, validCustomer("李建国", "11010519491231002X", "13812345678"), nil, 428, nil},
				{"stale If-Match", csr, "PUT", "/api/v1/customers/" + cust.ID, validCustomer("李建国", "11010519491231002X", "13812345678"), map[string]string{"If-Match": `"v7"`}, 412, nil},
				{"update", csr, "PUT", "/api/v1/customers/" + cust.ID, validCustomer("李建国", "11010519491231002X", "13812345678"), map[string]string{"If-Match": `"v1"`}, 200, []string{`"version":2`}},
				{"products", csr, "GET", "/api/v1/products", nil, nil, 200, []string{"HLTH-MED", `"waiting_period_days":30`}},
				{"csr cannot edit products", csr, "PUT", "/api/v1/products/X", map[string]any{}, nil, 403, nil},
				{"policy shares must sum to 100%", pc, "POST", "/api/v1/policies", func() map[string]any {
					p := validPolicy("P2026HLTH0001", cust.ID)
					p["statutory_heirs"] = false
					p["beneficiaries"] = []map[string]any{{"name": "李小明", "relation": "child", "share": 6000}, {"name": "张丽", "relation": "spouse", "share": 3000}}
					return p
				}(), nil, 422, []string{`"field":"beneficiaries"`, "受益份额合计须恰好为 100%"}},
				{"create policy", pc, "POST", "/api/v1/policies", validPolicy("P2026HLTH0001", cust.ID), nil, 201, []string{`"number":"P2026HLTH0001"`, `"sum_insured":300000000`}},
				{"policy by number", csr, "GET", "/api/v1/policies/P2026HLTH0001", nil, nil, 200, []string{`"version":1`}},
				{"customer's policies", csr, "GET", "/api/v1/customers/" + cust.ID + "/policies", nil, nil, 200, []string{"P2026HLTH0001"}},
				{"policy change needs a reason", pc, "PUT", "/api/v1/policies/P2026HLTH0001", validPolicy("P2026HLTH0001", cust.ID), map[string]string{"If-Match": `"v1"`}, 422, []string{`"field":"reason"`}},
				{"policy change", pc, "PUT", "/api/v1/policies/P2026HLTH0001", func() map[string]any {
					p := validPolicy("P2026HLTH0001", cust.ID)
					p["premium"] = 61_200
					p["reason"] = "保费调整"
					return p
				}(), map[string]string{"If-Match": `"v1"`}, 200, []string{`"version":2`, `"premium":61200`}},
				{"policy history", csr, "GET", "/api/v1/policies/P2026HLTH0001/history", nil, nil, 200, []string{`"version":1`, `"version":2`, "保费调整"}},
				{"deadline over National Day", csr, "GET", "/api/v1/calendar/deadline?from=2026-09-30T10:00:00%2B08:00&working_days=3", nil, nil, 200, []string{`"due_at":"2026-10-10T23:59:59+08:00"`, `"provisional":false`}},
				{"deadline over Spring Festival", csr, "GET", "/api/v1/calendar/deadline?from=2026-02-13T09:00:00%2B08:00&working_days=3", nil, nil, 200, []string{`"due_at":"2026-02-25T23:59:59+08:00"`}},
				{"deadline in an unloaded year is provisional", csr, "GET", "/api/v1/calendar/deadline?from=2027-03-01T09:00:00%2B08:00&working_days=3", nil, nil, 200, []string{`"provisional":true`}},
				{"deadline in hours", csr, "GET", "/api/v1/calendar/deadline?from=2026-09-30T10:00:00%2B08:00&hours=2", nil, nil, 200, []string{`"due_at":"2026-09-30T12:00:00+08:00"`}},
				{"deadline needs from", csr, "GET", "/api/v1/calendar/deadline?working_days=3", nil, nil, 422, []string{`"field":"from"`}},
				{"deadline needs one target", csr, "GET", "/api/v1/calendar/deadline?from=2026-09-30T10:00:00Z", nil, nil, 422, []string{`"field":"working_days"`}},
				{"calendar year", csr, "GET", "/api/v1/calendar/2026", nil, nil, 200, []string{`"loaded":true`, `{"date":"2026-10-10","weekday":6,"working":true,"kind":"work"`}},
				{"csr cannot load a calendar", csr, "PUT", "/api/v1/calendar/2027", "# years: 2027\ndate,kind,name\n", nil, 403, nil},
				{"calendar year mismatch", admin, "PUT", "/api/v1/calendar/2027", "# years: 2028\ndate,kind,name\n", nil, 422, []string{`"field":"years"`}},
				{"calendar load", admin, "PUT", "/api/v1/calendar/2027", "# years: 2027\ndate,kind,name\n2027-01-01,off,元旦\n", nil, 200, []string{`"days":1`}},
				{"unknown api path", csr, "GET", "/api/v1/nothing", nil, nil, 404, []string{"application/problem+json"}},
			}
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					res, body := sc.c.do(sc.method, sc.path, sc.body, sc.header)
					if res.StatusCode != sc.status {
						t.Fatalf("%s %s: status %d, want %d: %s", sc.method, sc.path, res.StatusCode, sc.status, body)
					}
					if res.Header.Get("X-Request-ID") == "" {
						t.Error("no request id")
					}
					text := string(body) + " " + res.Header.Get("Content-Type")
					for _, w := range sc.want {
						if !strings.Contains(text, w) {
							t.Errorf("%s %s: body lacks %s: %s", sc.method, sc.path, w, body)
						}
					}
					if res.StatusCode >= 400 && !strings.Contains(res.Header.Get("Content-Type"), "application/problem+json") {
						t.Errorf("error without problem+json: %s", res.Header.Get("Content-Type"))
					}
				})
			}
		})
	}
}

// A retried POST with the same Idempotency-Key returns the first answer and
// creates nothing more; the same key on a different body is refused.
func TestIdempotentPost(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env := newAPIEnv(t, engine)
			csr := env.signIn(anxin.RoleCSR)
			key := map[string]string{"Idempotency-Key": "create-wang-1"}
			body := validCustomer("王芳", "440305199001011221", "13912345678")
			res1, b1 := csr.do("POST", "/api/v1/customers", body, key)
			res2, b2 := csr.do("POST", "/api/v1/customers", body, key)
			if res1.StatusCode != 201 || res2.StatusCode != 201 || !bytes.Equal(b1, b2) || res2.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry: %d %s / %d %s", res1.StatusCode, b1, res2.StatusCode, b2)
			}
			if n, _ := env.svc.DB.CountCustomers(context.Background()); n != 1 {
				t.Fatalf("%d customers after a retried create", n)
			}
			other := validCustomer("王芳", "440305199001011221", "13900000000")
			res3, b3 := csr.do("POST", "/api/v1/customers", other, key)
			if res3.StatusCode != 422 || !strings.Contains(string(b3), "idempotency") {
				t.Fatalf("reused key: %d %s", res3.StatusCode, b3)
			}
		})
	}
}

// Every route is guarded: signed out, each Staff route answers 401; for
// each role, a route whose permission the role lacks answers 403 and one it
// holds does not.
func TestEveryRouteIsGuarded(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	anon := env.anonymous()
	clients := map[anxin.Role]*client{}
	for _, r := range anxin.Roles {
		clients[r.Role] = env.signIn(r.Role)
	}
	for _, rt := range env.srv.Routes() {
		if rt.Access == server.Public || rt.Access == server.Customer {
			continue // customer routes answer staff with 401: TestSelfRoutesGuarded
		}
		path := strings.NewReplacer("{id}", "x", "{number}", "x", "{code}", "x", "{year}", "2026").Replace(rt.Path)
		if rt.Permission == "" && rt.Access != server.Staff {
			t.Errorf("%s %s: not public, yet needs no sign-in", rt.Method, rt.Path)
		}
		res, _ := anon.do(rt.Method, path, "{}", nil)
		if res.StatusCode != 401 && !(res.StatusCode == 303 && !rt.API) {
			t.Errorf("%s %s signed out: %d, want 401", rt.Method, rt.Path, res.StatusCode)
		}
		if rt.Permission == "" {
			continue
		}
		for role, c := range clients {
			res, _ := c.do(rt.Method, path, "{}", nil)
			if role.Can(rt.Permission) == (res.StatusCode == 403) {
				t.Errorf("%s %s as %s: status %d, but role holds %s = %v", rt.Method, rt.Path, role, res.StatusCode, rt.Permission, role.Can(rt.Permission))
			}
		}
	}
}

// Logging out ends the session on the server, not only in the browser.
func TestLogoutEndsSession(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	csr := env.signIn(anxin.RoleCSR)
	if res, _ := csr.do("POST", "/api/v1/auth/logout", nil, nil); res.StatusCode != 204 {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res, _ := csr.do("GET", "/api/v1/me", nil, nil); res.StatusCode != 401 {
		t.Fatalf("after logout: %d", res.StatusCode)
	}
}

// Five wrong passwords lock the account, even against the right password.
func TestLockout(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	c := env.anonymous()
	for range service.LockAfterFailures {
		c.do("POST", "/api/v1/auth/login", map[string]string{"username": "csr", "password": "wrong-wrong-wrong"}, nil)
	}
	res, body := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "csr", "password": testPassword}, nil)
	if res.StatusCode != 429 {
		t.Fatalf("locked account: %d %s", res.StatusCode, body)
	}
	env.svc.DB.Now = func() time.Time { return time.Now().Add(service.LockDuration + time.Minute) }
	if res, _ := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "csr", "password": testPassword}, nil); res.StatusCode != 200 {
		t.Fatalf("after the lock: %d", res.StatusCode)
	}
}

// Partners use bearer tokens, which need no CSRF token.
func TestBearerToken(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	admin := env.signIn(anxin.RoleAdmin)
	res, body := admin.do("POST", "/api/v1/tokens", map[string]string{"username": "csr", "name": "bank-branch-gateway"}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("create token: %d %s", res.StatusCode, body)
	}
	var tok struct{ Token string }
	json.Unmarshal(body, &tok)
	partner := env.anonymous()
	res, body = partner.do("POST", "/api/v1/customers", validCustomer("赵敏", "440305199001011221", "13912345678"), map[string]string{"Authorization": "Bearer " + tok.Token})
	if res.StatusCode != 201 {
		t.Fatalf("create with token: %d %s", res.StatusCode, body)
	}
	if res, _ := partner.do("GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer nope"}); res.StatusCode != 401 {
		t.Fatalf("bad token: %d", res.StatusCode)
	}
}
