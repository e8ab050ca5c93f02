package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/jobs"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// syncBuffer collects a node's log lines from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secrets returns every ID number, mobile, email and bank account of the
// stored customers and policies, read through the store (which decrypts).
func secrets(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	after := ""
	for {
		cs, err := db.FindCustomers(ctx, anxin.CustomerFilter{After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			out = append(out, c.IDNumber)
			out = append(out, c.Mobiles...)
			if c.Email != "" {
				out = append(out, c.Email)
			}
		}
		if len(cs) < 500 {
			break
		}
		after = cs[len(cs)-1].ID
	}
	after = ""
	for {
		ps, err := db.FindPolicies(ctx, anxin.PolicyFilter{After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.BankAccount != "" {
				out = append(out, p.BankAccount)
			}
		}
		if len(ps) < 500 {
			break
		}
		after = ps[len(ps)-1].ID
	}
	if len(out) < 400 {
		t.Fatalf("only %d secrets: the demo did not load", len(out))
	}
	return out
}

func assertAbsent(t *testing.T, what string, haystack []byte, secrets []string) {
	t.Helper()
	found := 0
	for _, s := range secrets {
		if bytes.Contains(haystack, []byte(s)) {
			if found < 5 {
				t.Errorf("%s contains %s in plaintext", what, anxin.Mask(anxin.FieldIDNumber, s))
			}
			found++
		}
	}
	if found > 0 {
		t.Errorf("%s: %d of %d personal values in plaintext", what, found, len(secrets))
	}
}

// After the demo data is loaded, neither the SQLite file nor the server's
// logs of a working session hold an ID number, mobile, email or bank account.
func TestDemoDataEncryptedAndNotLogged(t *testing.T) {
	dir := t.TempDir()
	logs := &syncBuffer{}
	m := NewMain(io.Discard, logs)
	m.Demo = true
	if err := m.ParseFlags("demo", []string{"--addr", "127.0.0.1:0", "--data", dir}); err != nil {
		t.Fatal(err)
	}
	m.JobOptions = jobs.Options{PollInterval: 100 * time.Millisecond}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	all := secrets(t, m.Service.DB)
	// A working session: sign-ins (one failed), searches by number, reads,
	// an update, an unmask, a denied request.
	csr := signIn(t, m.URL(), "csr", "anxin-demo")
	signInFails(t, m.URL(), "csr", "wrong-password")
	for _, q := range all[:20] {
		csr.call("GET", m.URL()+"/api/v1/customers?q="+url.QueryEscape(q), "", nil)
		csr.call("GET", m.URL()+"/customers?q="+url.QueryEscape(q), "", nil)
	}
	res, body := csr.call("GET", m.URL()+"/api/v1/customers?limit=5", "", nil)
	if res.StatusCode != 200 {
		t.Fatalf("list: %d %s", res.StatusCode, body)
	}
	assertAbsent(t, "a CSR's customer list", body, all)
	csr.call("GET", m.URL()+"/api/v1/exports/customers", "", nil) // denied: audited, not logged with data
	bad := `{"kind":"individual","name":"测试","id_number":"` + all[0][:17] + `0","mobiles":["` + all[1] + `"]}`
	csr.call("POST", m.URL()+"/api/v1/customers", bad, nil)
	m.Close()

	raw, err := os.ReadFile(filepath.Join(dir, "anxin.db"))
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(filepath.Join(dir, "anxin.db-wal")); err == nil {
		raw = append(raw, wal...)
	}
	assertAbsent(t, "the SQLite file", raw, all)
	assertAbsent(t, "the server log", []byte(logs.String()), all)
	if !strings.Contains(logs.String(), `"msg":"request"`) {
		t.Fatal("no request was logged: the log scan proves nothing")
	}
}

func signInFails(t *testing.T, base, user, password string) {
	t.Helper()
	s := &session{t: t, http: http.DefaultClient}
	if res, _ := s.call("POST", base+"/api/v1/auth/login", `{"username":"`+user+`","password":"`+password+`"}`, nil); res.StatusCode != 401 {
		t.Fatalf("sign-in with a wrong password: %d", res.StatusCode)
	}
}

// The same on PostgreSQL: a pg_dump of the schema holding the demo data
// contains no personal value in plaintext.
func TestDemoDataEncryptedInPostgresDump(t *testing.T) {
	if storetest.Engines(t)[len(storetest.Engines(t))-1] != store.Postgres {
		t.Skip("needs ANXIN_TEST_POSTGRES")
	}
	dsn := storetest.DSN(t, store.Postgres)
	ctx := context.Background()
	f := dbFlags{db: dsn, data: t.TempDir()}
	svc, err := openService(ctx, &f, newLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.DB.Close()
	if err := loadDemo(ctx, svc, io.Discard); err != nil {
		t.Fatal(err)
	}
	all := secrets(t, svc.DB)
	u, _ := url.Parse(dsn)
	schema := u.Query().Get("search_path")
	u.RawQuery = ""
	dump, err := exec.Command("pg_dump", "--data-only", "-n", schema, u.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v: %s", err, dump)
	}
	if !bytes.Contains(dump, []byte("COPY "+schema+".customers")) {
		t.Fatalf("the dump has no customers table: %.300s", dump)
	}
	assertAbsent(t, "the PostgreSQL dump", dump, all)
}
