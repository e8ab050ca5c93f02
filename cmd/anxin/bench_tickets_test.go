package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// countTickets counts every ticket on the node.
func countTickets(t *testing.T, m *Main) int {
	t.Helper()
	var n int
	if err := m.Service.DB.Reader().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The load generator opens exactly --count tickets per client level
// through the API of a running server, and says so.
func TestBenchTickets(t *testing.T) {
	m := startMain(t, true, "--data", t.TempDir())
	before := countTickets(t, m)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"bench", "tickets", "--url", m.URL(), "--count", "7", "--clients", "1,3", "--duration", "1m"}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), errOut.String())
	}
	if got := countTickets(t, m) - before; got != 14 {
		t.Fatalf("two levels of --count 7 opened %d tickets\n%s", got, out.String())
	}
	// Each level reports its 7 creates and no errors.
	level := regexp.MustCompile(`(?m)^\s+(\d+)\s+(\d+)\s+(\d+)\s`)
	rows := level.FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 2 {
		t.Fatalf("want a row per level:\n%s", out.String())
	}
	for i, r := range rows {
		clients, _ := strconv.Atoi(r[1])
		created, _ := strconv.Atoi(r[2])
		errs, _ := strconv.Atoi(r[3])
		if clients != []int{1, 3}[i] || created != 7 || errs != 0 {
			t.Fatalf("level %d: %v\n%s", i, r, out.String())
		}
	}
}

// The benchmark never loads a server elsewhere, and a wrong password is
// reported, not benchmarked.
func TestBenchTicketsRefuses(t *testing.T) {
	for _, url := range []string{"http://10.0.0.1:8080", "https://anxin.example.com", "ftp://127.0.0.1"} {
		_, err := runCLI(t, "bench", "tickets", "--url", url, "--count", "1")
		if err == nil || !strings.Contains(err.Error(), "this machine") {
			t.Errorf("%s: %v", url, err)
		}
	}
	m := startMain(t, true, "--data", t.TempDir())
	if _, err := runCLI(t, "bench", "tickets", "--url", m.URL(), "--password", "wrong", "--count", "1"); err == nil || !strings.Contains(err.Error(), "sign in") {
		t.Fatalf("wrong password: %v", err)
	}
}

// --self starts its own server with the demo data, on a throw-away
// database, and seeds a backlog in bulk before the load.
func TestBenchTicketsSelf(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and loads the demo")
	}
	out, err := runCLI(t, "bench", "tickets", "--self", "--count", "5", "--clients", "2", "--seed-open", "300", "--probes", "0")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"GET /api/v1/tickets?queue=due_soon  p50", "      2        5       0 "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Every seeded ticket has its deadline timer.
	m := regexp.MustCompile(`open 300: .* (\d+) SLA timers pending`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no backlog of 300:\n%s", out)
	}
	if timers, _ := strconv.Atoi(m[1]); timers < 285 {
		t.Fatalf("%d timers for 300 open tickets:\n%s", timers, out)
	}
}
