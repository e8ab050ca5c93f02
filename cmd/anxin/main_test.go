package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin/jobs"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// startMain runs a node on a free port, as `anxin serve` would.
func startMain(t *testing.T, demo bool, args ...string) *Main {
	t.Helper()
	m := NewMain(io.Discard, io.Discard)
	m.Demo = demo
	if err := m.ParseFlags("serve", append([]string{"--addr", "127.0.0.1:0"}, args...)); err != nil {
		t.Fatal(err)
	}
	m.JobOptions = jobs.Options{PollInterval: 100 * time.Millisecond}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

type session struct {
	t    *testing.T
	http *http.Client
	csrf string
}

func signIn(t *testing.T, base, user, password string) *session {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &session{t: t, http: &http.Client{Jar: jar}}
	res, body := s.call("POST", base+"/api/v1/auth/login", `{"username":"`+user+`","password":"`+password+`"}`, nil)
	if res.StatusCode != 200 {
		t.Fatalf("sign in %s: %d %s", user, res.StatusCode, body)
	}
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	json.Unmarshal(body, &me)
	s.csrf = me.CSRFToken
	return s
}

func (s *session) call(method, url, body string, header map[string]string) (*http.Response, []byte) {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != "" && !strings.HasPrefix(body, "#") {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := s.http.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res, out
}

// The demo serves a full data set that a demo account can browse.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, true, "--data", dir)
	admin := signIn(t, m.URL(), "admin", "anxin-demo")
	res, body := admin.call("GET", m.URL()+"/api/v1/customers?limit=500", "", nil)
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	json.Unmarshal(body, &page)
	if res.StatusCode != 200 || len(page.Items) < 150 {
		t.Fatalf("demo customers: %d, %d items", res.StatusCode, len(page.Items))
	}
	res, body = admin.call("GET", m.URL()+"/api/v1/customers/"+page.Items[0].ID+"/policies", "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("policies: %d %s", res.StatusCode, body)
	}
	n, err := m.Service.DB.CountPolicies(context.Background())
	if err != nil || n < 400 {
		t.Fatalf("demo policies: %d %v", n, err)
	}
	// Every role has an account with the demo password.
	for _, user := range []string{"csr", "claims", "supervisor", "auditor"} {
		signIn(t, m.URL(), user, "anxin-demo")
	}
	// A second start recreates the demo rather than failing on duplicates.
	m.Close()
	m2 := startMain(t, true, "--data", dir)
	signIn(t, m2.URL(), "admin", "anxin-demo")
}

// The demo never deletes a database it did not create.
func TestDemoRefusesRealData(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "anxin.db"), []byte("precious"), 0o600)
	m := NewMain(io.Discard, io.Discard)
	m.Demo = true
	if err := m.ParseFlags("demo", []string{"--addr", "127.0.0.1:0", "--data", dir}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "not a demo") {
		t.Fatalf("want a refusal, got %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "anxin.db")); string(b) != "precious" {
		t.Fatal("the demo touched real data")
	}
}

// Two nodes on one PostgreSQL share sessions, idempotency keys, the
// calendar and the job queue: nothing lives only in one node's memory.
func TestTwoNodesShareOnePostgres(t *testing.T) {
	if storetest.Engines(t)[len(storetest.Engines(t))-1] != store.Postgres {
		t.Skip("needs ANXIN_TEST_POSTGRES")
	}
	dsn := storetest.DSN(t, store.Postgres)
	// Nodes share one key ring, as production nodes share ANXIN_KEYS.
	t.Setenv("ANXIN_KEYS_FILE", filepath.Join(t.TempDir(), "keys.json"))
	a := startMain(t, false, "--db", dsn, "--data", t.TempDir())
	b := startMain(t, false, "--db", dsn, "--data", t.TempDir())
	// An administrator exists once; create one through node A's service.
	t.Setenv("ANXIN_PASSWORD", "root-password-1")
	if err := run(context.Background(), []string{"staff", "add", "root", "--role", "admin", "--db", dsn}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	s := signIn(t, a.URL(), "root", "root-password-1")
	// The session cookie from A works on B.
	if res, body := s.call("GET", b.URL()+"/api/v1/me", "", nil); res.StatusCode != 200 {
		t.Fatalf("session on node B: %d %s", res.StatusCode, body)
	}
	// A retried create lands on the other node and still acts once.
	cust := `{"kind":"individual","name":"周杰","id_number":"320106198506150036","mobiles":["13700001111"]}`
	key := map[string]string{"Idempotency-Key": "two-nodes-1"}
	r1, b1 := s.call("POST", a.URL()+"/api/v1/customers", cust, key)
	r2, b2 := s.call("POST", b.URL()+"/api/v1/customers", cust, key)
	if r1.StatusCode != 201 || r2.StatusCode != 201 || !bytes.Equal(b1, b2) {
		t.Fatalf("retry across nodes: %d %s / %d %s", r1.StatusCode, b1, r2.StatusCode, b2)
	}
	// A calendar loaded on A governs deadlines computed on B.
	_, before := s.call("GET", b.URL()+"/api/v1/calendar/deadline?from=2027-01-04T09:00:00%2B08:00&working_days=1", "", nil)
	res, body := s.call("PUT", a.URL()+"/api/v1/calendar/2027", "# years: 2027\ndate,kind,name\n2027-01-05,off,测试假日\n", nil)
	if res.StatusCode != 200 {
		t.Fatalf("load calendar: %d %s", res.StatusCode, body)
	}
	time.Sleep(1100 * time.Millisecond) // each node re-reads the calendar at most once a second
	_, after := s.call("GET", b.URL()+"/api/v1/calendar/deadline?from=2027-01-04T09:00:00%2B08:00&working_days=1", "", nil)
	if !strings.Contains(string(before), `"provisional":true`) || !strings.Contains(string(after), `"due_at":"2027-01-06T23:59:59+08:00","provisional":false`) {
		t.Fatalf("node B did not see node A's calendar: before %s after %s", before, after)
	}
	// Both nodes run jobs; the periodic calendar check, scheduled by both at
	// start, is one unique job, worked once.
	deadline := time.Now().Add(30 * time.Second)
	for {
		counts, err := a.Service.DB.JobCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		total, completed := 0, 0
		for _, c := range counts {
			if c.Kind == "calendar_check" {
				total += c.Count
				if c.State == "completed" {
					completed += c.Count
				}
			}
		}
		if total > 1 {
			t.Fatalf("two nodes scheduled the calendar check %d times: %+v", total, counts)
		}
		if completed == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the calendar check never completed: %+v", counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
	checks, err := b.Service.DB.SystemChecks(context.Background())
	if err != nil || len(checks) != 1 || checks[0].Name != "calendar" {
		t.Fatalf("node B does not see the check's outcome: %+v %v", checks, err)
	}
}
