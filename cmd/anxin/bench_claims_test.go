package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
)

// claimLevelRow is a level's row of the claims table: clients, fast-track
// claims, errors.
var claimLevelRow = regexp.MustCompile(`(?m)^\s+(\d+)\s+(\d+)\s+(\d+)\s+[\d.]+\s+[\d.]+\s+\S+\s+\S+\s+\S+\s+\S+\s*$`)

// checkClaimBench asserts a row per level with count claims each, all
// fast-tracked, and every payment instruction paid by the job runner.
func checkClaimBench(t *testing.T, out string, clients []int, count int) {
	t.Helper()
	if !strings.Contains(out, "clients   claims  errors    secs  claims/s      p50      p95      p99      max  errors by status") {
		t.Fatalf("no table:\n%s", out)
	}
	rows := claimLevelRow.FindAllStringSubmatch(out, -1)
	if len(rows) != len(clients) {
		t.Fatalf("want a row per level:\n%s", out)
	}
	for i, r := range rows {
		c, _ := strconv.Atoi(r[1])
		n, _ := strconv.Atoi(r[2])
		errs, _ := strconv.Atoi(r[3])
		if c != clients[i] || n != count || errs != 0 {
			t.Fatalf("level %d: %v\n%s", i, r, out)
		}
	}
	total := count * len(clients)
	want := strconv.Itoa(total) + " instructed by the fast track; " + strconv.Itoa(total) + " paid, 0 still waiting, 0 failed"
	if !strings.Contains(out, want) {
		t.Fatalf("output lacks %q:\n%s", want, out)
	}
}

// --self starts a server with its job runner on a throw-away SQLite
// database, insures policyholders through the service, and reports claims
// that the fast track decides, approves and instructs in the request; the
// runner then pays every instruction.
func TestBenchClaimsSelf(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and loads the demo")
	}
	out, err := runCLI(t, "bench", "claims", "--self", "--data", t.TempDir(), "--db", "", "--count", "30", "--clients", "1,4",
		"--duration", "2m", "--pay-wait", "1m")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkClaimBench(t, out, []int{1, 4}, 30)
}

// The demo shows claims at each step: paid on a specialist's decision,
// fast-tracked and paid, flagged in review, waiting for a supervisor's
// approval. Against that running server, the claims benchmark insures its
// policyholders through the API too, and reads the payments back through
// it. (One demo server for both: it takes a while to load under -race.)
func TestBenchClaimsOnDemo(t *testing.T) {
	m := startMain(t, true, "--data", t.TempDir())
	ctx := context.Background()
	rows, err := m.Service.DB.Reader().QueryContext(ctx, `SELECT number FROM claims ORDER BY number`)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		numbers = append(numbers, n)
	}
	rows.Close()
	if len(numbers) != 4 {
		t.Fatalf("demo claims: %v", numbers)
	}
	admin := anxin.SystemActor("test")
	for i, want := range []struct {
		stage     anxin.ClaimStage
		fast      bool
		flagged   bool
		decisions string
		paid      bool
	}{
		{anxin.ClaimClosed, false, false, anxin.DecisionApproved, true},
		{anxin.ClaimClosed, true, false, anxin.DecisionApproved, true},
		{anxin.ClaimReview, false, true, "", false},
		{anxin.ClaimApproval, false, false, anxin.DecisionPending, false},
	} {
		f, err := m.Service.ClaimFileOf(ctx, admin, numbers[i])
		if err != nil {
			t.Fatal(err)
		}
		c := f.Claim
		status := ""
		if len(f.Decisions) > 0 {
			status = f.Decisions[0].Status
		}
		paid := len(f.Payments) == 1 && f.Payments[0].Status == anxin.PaymentPaid
		if c.Stage != want.stage || c.FastTrack != want.fast || (len(c.RiskFlags) > 0) != want.flagged || status != want.decisions || paid != want.paid {
			t.Errorf("claim %d %s: stage %s fast %v flags %+v decision %q payments %+v", i, c.Number, c.Stage, c.FastTrack, c.RiskFlags, status, f.Payments)
		}
		if i == 3 && (len(f.Decisions) != 1 || f.Decisions[0].NeedsRole != anxin.RoleSupervisor || f.Decisions[0].Payable <= 10_000_00) {
			t.Errorf("claim %s: %+v", c.Number, f.Decisions)
		}
	}

	out, err := runCLI(t, "bench", "claims", "--url", m.URL(), "--data", t.TempDir(), "--count", "4", "--clients", "1,2", "--duration", "1m", "--pay-wait", "1m")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	checkClaimBench(t, out, []int{1, 2}, 4)
	var n int
	if err := m.Service.DB.Reader().QueryRowContext(ctx,
		`SELECT COUNT(*) FROM claims c JOIN policies p ON p.id = c.policy_id WHERE p.product_code = $1 AND c.fast_track`, benchClaimProductCode).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 8 {
		t.Fatalf("%d fast-tracked claims on the server, want 8", n)
	}
}

// The claims benchmark never loads a server elsewhere.
func TestBenchClaimsRefuses(t *testing.T) {
	for _, url := range []string{"http://10.0.0.1:8080", "https://anxin.example.com"} {
		if _, err := runCLI(t, "bench", "claims", "--url", url, "--count", "1", "--data", t.TempDir()); err == nil || !strings.Contains(err.Error(), "this machine") {
			t.Errorf("%s: %v", url, err)
		}
	}
}
