package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/server"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

const auditPassword = "anxin-audit-pw"

// auditFixture is a server whose audit log holds a few known records and
// a long run of bulk ones, with an auditor and a CSR who can sign in.
type auditFixture struct {
	srv     *httptest.Server
	changed *store.AuditRecord // li.na changed customer c-1's mobile
}

func auditSetup(t *testing.T, engine string) *auditFixture {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, engine)
	svc := service.New(db, nil, nil)
	admin := anxin.SystemActor("test")
	for _, st := range []*anxin.Staff{
		{Username: "zhao.min", DisplayName: "审计-赵敏", Role: anxin.RoleAuditor},
		{Username: "li.na", DisplayName: "客服-李娜", Role: anxin.RoleCSR},
	} {
		if err := svc.CreateStaff(ctx, admin, st, auditPassword); err != nil {
			t.Fatal(err)
		}
	}
	csr := anxin.Actor{Kind: "staff", ID: "s-li", Name: "li.na", Role: anxin.RoleCSR, Channel: "console"}
	appendAt := func(at time.Time, rs ...*store.AuditRecord) {
		t.Helper()
		db.Now = func() time.Time { return at }
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudits(ctx, rs) }); err != nil {
			t.Fatal(err)
		}
	}
	f := &auditFixture{}
	// 01:30 on 20 November in Beijing is still the 19th in UTC.
	f.changed = service.AuditFor(csr, "customer", "c-1", "update")
	f.changed.Changes = map[string][2]any{"mobile": service.Change("138****1234", "139****5678"), "vip": service.Change(false, true)}
	service.RequestMetaFrom(service.WithRequestMeta(ctx, service.RequestMeta{IP: "203.0.113.7", RequestID: "req-7f3a9c21"})).Apply(f.changed)
	appendAt(time.Date(2026, 11, 19, 17, 30, 0, 0, time.UTC), f.changed)
	unmask := service.AuditFor(csr, "customer", "c-2", "unmask")
	unmask.Detail = "客户来电核实身份"
	appendAt(time.Date(2026, 11, 18, 2, 0, 0, 0, time.UTC), unmask)
	var bulk []*store.AuditRecord
	for i := range 60 {
		bulk = append(bulk, service.AuditFor(anxin.SystemActor("job"), "policy", "P"+strconv.Itoa(i), "update"))
	}
	appendAt(time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC), bulk...)
	// Sessions need the real clock: the cookie jar drops a cookie whose
	// expiry lies in the real past.
	db.Now = time.Now

	f.srv = httptest.NewServer(server.New(svc, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	t.Cleanup(f.srv.Close)
	return f
}

// auditClient is a signed-in browser stand-in.
type auditClient struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func auditSignIn(t *testing.T, f *auditFixture, username string) *auditClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &auditClient{t: t, base: f.srv.URL, hc: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, err := c.hc.PostForm(f.srv.URL+"/login", url.Values{"username": {username}, "password": {auditPassword}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: status %d", username, res.StatusCode)
	}
	return c
}

// get returns the status and body of a GET, as htmx asks for it when
// fragment is set.
func (c *auditClient) get(path string, fragment bool) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	if fragment {
		req.Header.Set("HX-Request", "true")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// auditRows counts the result rows of an audit page.
func auditRows(body string) int {
	return strings.Count(body, `<td data-label="时间（北京时间）"`) + strings.Count(body, `<td data-label="Time (Beijing)"`)
}

func TestConsoleAudit(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			f := auditSetup(t, engine)
			auditor := auditSignIn(t, f, "zhao.min")

			status, body := auditor.get("/audit", false)
			if status != http.StatusOK {
				t.Fatalf("auditor GET /audit: %d\n%s", status, consoleSnippet(body))
			}
			consoleCheckNoInlineCode(t, "/audit", body)
			consoleWant(t, "/audit", body, `<a href="/audit" aria-current="page">审计日志</a>`, `name="actor"`, `name="type"`, `name="object"`,
				`name="action"`, `name="from"`, `name="to"`, `rel="next"`)
			if n := auditRows(body); n != 50 {
				t.Errorf("first page: %d rows, want 50", n)
			}

			// The known record, in Beijing time, with its changes and request.
			status, body = auditor.get("/audit?actor=li&type=customer&object=c-1", false)
			if status != http.StatusOK || auditRows(body) != 1 {
				t.Fatalf("search for c-1: %d, %d rows\n%s", status, auditRows(body), consoleSnippet(body))
			}
			consoleWant(t, "c-1", body, "2026-11-20 01:30:00", "li.na", "客户服务代表", "员工控制台", "203.0.113.7", "修改", "客户",
				`<span class="mono small">mobile</span>: 138****1234 → 139****5678`, `<span class="mono small">vip</span>: false → true`, "req-7f3a9c21")
			consoleWantNot(t, "c-1", body, `rel="next"`, "c-2")

			for _, tc := range []struct {
				query string
				rows  int
			}{
				{"action=unmask", 1},
				{"actor=s-li", 2},
				{"actor=nobody", 0},
				{"type=policy", 50},
				// The record of 20 November Beijing time is on the 20th,
				// not on the 19th as its UTC date would have it.
				{"from=2026-11-20&to=2026-11-20", 1},
				{"from=2026-11-19&to=2026-11-19", 0},
				{"type=customer&from=2026-11-18", 2},
				{"type=policy&to=2026-11-17", 50},
			} {
				status, body := auditor.get("/audit?"+tc.query, true)
				if status != http.StatusOK || auditRows(body) != tc.rows {
					t.Errorf("%s: status %d, %d rows, want %d", tc.query, status, auditRows(body), tc.rows)
				}
				if strings.Contains(body, "<html") {
					t.Errorf("%s: htmx asked for the results and got the whole page", tc.query)
				}
			}
			_, body = auditor.get("/audit?type=customer&action=unmask", false)
			consoleWant(t, "unmask", body, "查看完整敏感信息", "客户来电核实身份")

			// Paging: 60 policy records, 50 and then 10, and back to the
			// first. (Signing in and creating staff add records of their own.)
			_, body = auditor.get("/audit?type=policy", false)
			next := regexp.MustCompile(`<a class="btn" href="([^"]+)" hx-get="[^"]+" hx-target="#results" hx-push-url="true" rel="next">`).FindStringSubmatch(body)
			if next == nil {
				t.Fatal("no next page link")
			}
			_, body = auditor.get(strings.ReplaceAll(next[1], "&amp;", "&"), false)
			if n := auditRows(body); n != 10 {
				t.Errorf("second page: %d rows, want 10", n)
			}
			consoleWant(t, "second page", body, `href="/audit?type=policy"`, "第一页")
			consoleWantNot(t, "second page", body, `rel="next"`)

			// A date the search cannot use is said so, not ignored.
			_, body = auditor.get("/audit?from=2026-13-01", false)
			consoleWant(t, "bad date", body, "开始日期无效")
			_, body = auditor.get("/audit?from=2026-11-20&to=2026-11-19", false)
			consoleWant(t, "reversed dates", body, "结束日期不能早于开始日期")
			if status, _ := auditor.get("/audit?cursor=!!", false); status != http.StatusUnprocessableEntity {
				t.Errorf("bad cursor: %d, want 422", status)
			}

			_, body = auditor.get("/audit?lang=en&object=c-1", false)
			consoleWant(t, "English", body, "Audit log", "Customer service representative", "Staff console", "Update", "Time (Beijing)")

			// A CSR neither sees the link nor reaches the page.
			csr := auditSignIn(t, f, "li.na")
			if status, body := csr.get("/audit", false); status != http.StatusForbidden || !strings.Contains(body, "audit:read") {
				t.Errorf("CSR GET /audit: %d, want 403 naming audit:read", status)
			}
			if _, body := csr.get("/customers", false); strings.Contains(body, `href="/audit"`) {
				t.Error("a CSR's nav links to the audit log")
			}
		})
	}
}

func TestConsoleAuditRoute(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	srv := server.New(service.New(db, nil, nil), slog.New(slog.DiscardHandler))
	for _, rt := range srv.Routes() {
		if rt.Method == "GET" && rt.Path == "/audit" {
			if rt.API || rt.Access != server.Staff || rt.Permission != anxin.PermAuditRead {
				t.Fatalf("GET /audit: %+v", rt)
			}
			return
		}
	}
	t.Fatal("no route GET /audit")
}
