package payment_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
)

var (
	_ payment.Gateway = (*payment.BatchFile)(nil)
	_ payment.Gateway = (*payment.TestGateway)(nil)
)

const account = "6222020200112233445"

// cst is how the tests write Beijing times; the package must agree with it
// whether or not the host has tzdata.
var cst = time.FixedZone("CST", 8*3600)

// at returns a clock stopped at a Beijing wall time "2026-11-25 10:30:00".
func at(t *testing.T, s string) func() time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, cst)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return v }
}

func instr(id string, amount anxin.Fen) payment.Instruction {
	return payment.Instruction{
		ID:          id,
		ClaimNumber: "LP20261125000001",
		PayeeName:   "张三",
		BankName:    "中国工商银行北京分行",
		Account:     account,
		Amount:      amount,
		Memo:        "理赔款 LP20261125000001",
		CreatedAt:   time.Date(2026, 11, 25, 9, 0, 0, 0, cst),
	}
}

var header = []string{"序号", "指令号", "收款人", "开户行", "账号", "金额(元)", "用途", "时间"}

// rows reads a day's batch file, checks its header and returns the data
// rows; a missing file has none.
func rows(t *testing.T, dir, date string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "payouts-"+date+".csv"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("payouts-%s.csv is not valid CSV: %v\n%s", date, err, b)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], header) {
		t.Fatalf("payouts-%s.csv header = %q", date, recs)
	}
	return recs[1:]
}

func idsOf(rs [][]string) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, r[1])
	}
	return ids
}

func pay(t *testing.T, g payment.Gateway, in payment.Instruction) payment.Result {
	t.Helper()
	r, err := g.Pay(context.Background(), in)
	if err != nil {
		t.Fatalf("Pay(%s): %v", in.ID, err)
	}
	return r
}

func TestValidationErrorsArePermanent(t *testing.T) {
	tests := []struct {
		name string
		edit func(*payment.Instruction)
	}{
		{"no id", func(in *payment.Instruction) { in.ID = "" }},
		{"id with a space", func(in *payment.Instruction) { in.ID = "pay 1" }},
		{"id with a newline", func(in *payment.Instruction) { in.ID = "pay_1\n" }},
		{"id too long", func(in *payment.Instruction) { in.ID = "pay_" + strings.Repeat("x", 200) }},
		{"no payee", func(in *payment.Instruction) { in.PayeeName = "" }},
		{"blank payee", func(in *payment.Instruction) { in.PayeeName = " \u3000 " }},
		{"no account", func(in *payment.Instruction) { in.Account = "" }},
		{"account of 7 digits", func(in *payment.Instruction) { in.Account = "1234567" }},
		{"account of 31 digits", func(in *payment.Instruction) { in.Account = strings.Repeat("1", 31) }},
		{"account with spaces", func(in *payment.Instruction) { in.Account = "6222 0202 0011 2233" }},
		{"account with a letter", func(in *payment.Instruction) { in.Account = "6222020200112233X" }},
		{"account in full-width digits", func(in *payment.Instruction) { in.Account = "６２２２０２０２００１１" }},
		{"zero amount", func(in *payment.Instruction) { in.Amount = 0 }},
		{"negative amount", func(in *payment.Instruction) { in.Amount = -100 }},
		{"payee with a line break", func(in *payment.Instruction) { in.PayeeName = "张\n三" }},
		{"memo with a carriage return", func(in *payment.Instruction) { in.Memo = "理赔款\r" }},
		{"bank with a tab", func(in *payment.Instruction) { in.BankName = "\t工商银行" }},
		{"payee as a formula", func(in *payment.Instruction) { in.PayeeName = `=HYPERLINK("http://x","张三")` }},
		{"memo as a formula", func(in *payment.Instruction) { in.Memo = "+1+1" }},
		{"bank as a formula", func(in *payment.Instruction) { in.BankName = "@SUM(A1)" }},
		{"claim number as a formula", func(in *payment.Instruction) { in.ClaimNumber = "-1" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := instr("pay_1", 100)
			tt.edit(&in)
			dir := t.TempDir()
			gateways := map[string]payment.Gateway{
				"batch": &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")},
				"test":  payment.NewTestGateway(0),
			}
			for name, g := range gateways {
				_, err := g.Pay(context.Background(), in)
				if !payment.IsPermanent(err) {
					t.Errorf("%s: Pay = %v, want a permanent error", name, err)
				}
				if err != nil && len(in.Account) >= 8 && strings.Contains(err.Error(), in.Account) {
					t.Errorf("%s: error %q quotes the account number", name, err)
				}
			}
			if got := rows(t, dir, "20261125"); len(got) != 0 {
				t.Errorf("invalid instruction written: %q", got)
			}
			if tg := gateways["test"].(*payment.TestGateway); len(tg.Paid()) != 0 {
				t.Errorf("test gateway paid an invalid instruction")
			}
		})
	}
}

func TestValidBoundaries(t *testing.T) {
	tests := []struct {
		name string
		edit func(*payment.Instruction)
	}{
		{"account of 8 digits", func(in *payment.Instruction) { in.Account = "12345678" }},
		{"account of 30 digits", func(in *payment.Instruction) { in.Account = strings.Repeat("9", 30) }},
		{"one fen", func(in *payment.Instruction) { in.Amount = 1 }},
		{"no bank, memo or claim number", func(in *payment.Instruction) { in.BankName, in.Memo, in.ClaimNumber = "", "", "" }},
		{"formula characters inside a field", func(in *payment.Instruction) { in.Memo = "理赔款 a=b+c-d@e" }},
		{"id of 128 bytes", func(in *payment.Instruction) { in.ID = strings.Repeat("p", 128) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := instr("pay_1", 100)
			tt.edit(&in)
			if err := payment.Validate(in); err != nil {
				t.Fatalf("Validate = %v", err)
			}
			pay(t, &payment.BatchFile{Dir: t.TempDir()}, in)
		})
	}
}

func TestAmountFormat(t *testing.T) {
	tests := []struct {
		fen  anxin.Fen
		want string
	}{
		{1, "0.01"},
		{9, "0.09"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1.00"},
		{123456, "1234.56"},
		{100000000, "1000000.00"},
		{1<<63 - 1, "92233720368547758.07"},
	}
	dir := t.TempDir()
	b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}
	for i, tt := range tests {
		pay(t, b, instr(fmt.Sprintf("pay_%d", i), tt.fen))
	}
	got := rows(t, dir, "20261125")
	if len(got) != len(tests) {
		t.Fatalf("%d rows, want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		if got[i][5] != tt.want {
			t.Errorf("%d fen written as %q, want %q", tt.fen, got[i][5], tt.want)
		}
	}
}

func TestRowContents(t *testing.T) {
	dir := t.TempDir()
	b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}
	in := instr("pay_quote", 123456)
	in.PayeeName = `王"五", 先生`
	in.BankName = "招商银行,上海分行"
	in.Memo = `理赔款 "LP20261125000001", 第1期`
	r := pay(t, b, in)

	want := payment.Result{Reference: "BATCH-20261125-1", At: time.Date(2026, 11, 25, 10, 30, 0, 0, cst)}
	if r.Reference != want.Reference || !r.At.Equal(want.At) {
		t.Errorf("Result = %+v, want %+v", r, want)
	}
	got := rows(t, dir, "20261125")
	wantRow := []string{"1", "pay_quote", in.PayeeName, in.BankName, account, "1234.56", in.Memo, "2026-11-25 10:30:00"}
	if len(got) != 1 || !slices.Equal(got[0], wantRow) {
		t.Errorf("rows = %q, want [%q]", got, wantRow)
	}
	for _, name := range []string{"payouts-20261125.csv", "paid.idx"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s mode %v, want 0600: it holds account numbers", name, perm)
		}
	}
	idx, _ := os.ReadFile(filepath.Join(dir, "paid.idx"))
	if bytes.Contains(idx, []byte(account)) {
		t.Errorf("paid.idx holds the account number:\n%s", idx)
	}
}

func TestSameIDTwice(t *testing.T) {
	tests := []struct {
		name   string
		second string // the clock at the second call
		sameBF bool   // the same BatchFile value, or a new one (a restart)
	}{
		{"same call again", "2026-11-25 10:30:00", true},
		{"a minute later", "2026-11-25 10:31:00", true},
		{"next day", "2026-11-26 09:00:00", true},
		{"after a restart", "2026-11-25 11:00:00", false},
		{"after a restart the next day", "2026-11-26 09:00:00", false},
		{"after a restart a year later", "2027-11-25 09:00:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}
			first := pay(t, b, instr("pay_1", 5000))
			if tt.sameBF {
				b.Now = at(t, tt.second)
			} else {
				b = &payment.BatchFile{Dir: dir, Now: at(t, tt.second)}
			}
			again := pay(t, b, instr("pay_1", 5000))
			if again != first {
				t.Errorf("second Pay = %+v, want the first Result %+v", again, first)
			}
			if got := idsOf(rows(t, dir, "20261125")); !slices.Equal(got, []string{"pay_1"}) {
				t.Errorf("rows of 20261125 = %q, want one", got)
			}
			second := strings.NewReplacer("-", "")
			if d := second.Replace(tt.second[:10]); d != "20261125" {
				if got := rows(t, dir, d); len(got) != 0 {
					t.Errorf("rows of %s = %q, want none", d, got)
				}
			}
			// A new ID after the restart continues the day's numbering.
			r := pay(t, b, instr("pay_2", 5000))
			if strings.HasPrefix(tt.second, "2026-11-25") && r.Reference != "BATCH-20261125-2" {
				t.Errorf("next reference = %s, want BATCH-20261125-2", r.Reference)
			}
		})
	}
}

func TestConcurrentSameID(t *testing.T) {
	dir := t.TempDir()
	b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}
	results := make([]payment.Result, 16)
	errs := make([]error, 16)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i], errs[i] = b.Pay(context.Background(), instr("pay_1", 100)) })
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			t.Errorf("goroutine %d got %+v, goroutine 0 %+v", i, results[i], results[0])
		}
	}
	if got := rows(t, dir, "20261125"); len(got) != 1 {
		t.Errorf("%d rows, want 1: %q", len(got), got)
	}
}

// Two BatchFile values on one directory are as two processes: only the
// flock keeps them apart.
func TestConcurrentValuesShareDir(t *testing.T) {
	dir := t.TempDir()
	clock := at(t, "2026-11-25 10:30:00")
	values := []*payment.BatchFile{{Dir: dir, Now: clock}, {Dir: dir, Now: clock}}
	const ids = 20
	var mu sync.Mutex
	seen := map[string]payment.Result{}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			b := values[g%2]
			for k := range ids {
				id := fmt.Sprintf("pay_%d", (k+g)%ids)
				r, err := b.Pay(context.Background(), instr(id, 100))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if prev, ok := seen[id]; ok && prev != r {
					t.Errorf("%s: %+v and %+v", id, prev, r)
				}
				seen[id] = r
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	checkOncePerID(t, dir, "20261125", ids)
}

// checkOncePerID checks that the day's file pays pay_0..pay_{n-1} once each
// under the sequence numbers 1..n.
func checkOncePerID(t *testing.T, dir, date string, n int) {
	t.Helper()
	got := rows(t, dir, date)
	if len(got) != n {
		t.Errorf("%d rows, want %d", len(got), n)
	}
	ids, seqs := map[string]int{}, map[string]int{}
	for _, r := range got {
		ids[r[1]]++
		seqs[r[0]]++
	}
	for i := range n {
		if id := fmt.Sprintf("pay_%d", i); ids[id] != 1 {
			t.Errorf("%s paid %d times", id, ids[id])
		}
		if s := strconv.Itoa(i + 1); seqs[s] != 1 {
			t.Errorf("序号 %s used %d times", s, seqs[s])
		}
	}
}

const helperEnv = "PAYMENT_TEST_HELPER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(helperProcess(dir))
	}
	os.Exit(m.Run())
}

// helperProcess is one of the processes of TestCrossProcess.
func helperProcess(dir string) int {
	b := &payment.BatchFile{Dir: dir, Now: func() time.Time { return time.Date(2026, 11, 25, 10, 30, 0, 0, cst) }}
	var wg sync.WaitGroup
	failed := false
	var mu sync.Mutex
	for g := range 4 {
		wg.Go(func() {
			for k := range 30 {
				in := instr(fmt.Sprintf("pay_%d", (k*7+g+os.Getpid())%30), 100)
				if _, err := b.Pay(context.Background(), in); err != nil {
					fmt.Fprintln(os.Stderr, err)
					mu.Lock()
					failed = true
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if failed {
		return 1
	}
	return 0
}

func TestCrossProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	for range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper process: %v", err)
		}
	}
	checkOncePerID(t, dir, "20261125", 30)
	// And a fresh value agrees with what the processes recorded.
	b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-26 10:00:00")}
	for _, r := range rows(t, dir, "20261125") {
		got := pay(t, b, instr(r[1], 100))
		if want := "BATCH-20261125-" + r[0]; got.Reference != want {
			t.Errorf("%s: reference %s, want %s", r[1], got.Reference, want)
		}
	}
	if got := rows(t, dir, "20261126"); len(got) != 0 {
		t.Errorf("paid again the next day: %q", got)
	}
}

func TestDayRolloverUsesBeijingTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.FixedZone("EST", -5*3600)
	}
	tests := []struct {
		name    string
		now     time.Time
		date    string
		at      string // 时间 column
		instant time.Time
	}{
		{"last second of the Beijing day", time.Date(2026, 11, 25, 15, 59, 59, 999999999, time.UTC), "20261125", "2026-11-25 23:59:59", time.Date(2026, 11, 25, 15, 59, 59, 0, time.UTC)},
		{"Beijing midnight, still the 25th in UTC", time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC), "20261126", "2026-11-26 00:00:00", time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)},
		{"a clock in New York", time.Date(2026, 11, 25, 11, 30, 0, 0, ny), "20261126", "2026-11-26 00:30:00", time.Date(2026, 11, 25, 16, 30, 0, 0, time.UTC)},
		{"UTC morning is Beijing afternoon", time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC), "20261125", "2026-11-25 09:00:00", time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)},
		{"new year", time.Date(2026, 12, 31, 16, 0, 1, 0, time.UTC), "20270101", "2027-01-01 00:00:01", time.Date(2026, 12, 31, 16, 0, 1, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			b := &payment.BatchFile{Dir: dir, Now: func() time.Time { return tt.now }}
			r := pay(t, b, instr("pay_1", 100))
			if want := "BATCH-" + tt.date + "-1"; r.Reference != want {
				t.Errorf("reference %s, want %s", r.Reference, want)
			}
			if !r.At.Equal(tt.instant) {
				t.Errorf("At = %v, want %v (whole seconds)", r.At, tt.instant)
			}
			if _, off := r.At.Zone(); off != 8*3600 {
				t.Errorf("At is in a zone %d seconds from UTC, want Beijing", off)
			}
			got := rows(t, dir, tt.date)
			if len(got) != 1 || got[0][7] != tt.at {
				t.Errorf("payouts-%s.csv rows %q, want one at %s", tt.date, got, tt.at)
			}
		})
	}

	t.Run("numbering restarts each day", func(t *testing.T) {
		dir := t.TempDir()
		now := time.Date(2026, 11, 25, 15, 59, 0, 0, time.UTC)
		b := &payment.BatchFile{Dir: dir, Now: func() time.Time { return now }}
		var refs []string
		for i := range 4 {
			if i == 2 {
				now = now.Add(time.Minute) // 00:00 in Beijing
			}
			refs = append(refs, pay(t, b, instr(fmt.Sprintf("pay_%d", i), 100)).Reference)
		}
		want := []string{"BATCH-20261125-1", "BATCH-20261125-2", "BATCH-20261126-1", "BATCH-20261126-2"}
		if !slices.Equal(refs, want) {
			t.Errorf("references %q, want %q", refs, want)
		}
	})
}

// The file is taken away during the day (sent to the bank): the next
// payment starts a new file but must not reuse a reference.
func TestDayFileTakenAway(t *testing.T) {
	dir := t.TempDir()
	b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}
	first := pay(t, b, instr("pay_1", 100))
	if err := os.Rename(filepath.Join(dir, "payouts-20261125.csv"), filepath.Join(dir, "sent.csv")); err != nil {
		t.Fatal(err)
	}
	for _, bf := range []*payment.BatchFile{b, {Dir: dir, Now: b.Now}} {
		if r := pay(t, bf, instr("pay_1", 100)); r != first {
			t.Errorf("after the file was taken: %+v, want %+v", r, first)
		}
	}
	r := pay(t, b, instr("pay_2", 100))
	if r.Reference != "BATCH-20261125-2" {
		t.Errorf("reference %s after the file was taken, want BATCH-20261125-2", r.Reference)
	}
	if got := rows(t, dir, "20261125"); len(got) != 1 || got[0][0] != "2" || got[0][1] != "pay_2" {
		t.Errorf("new file rows %q", got)
	}
}

// dropIndexLines rewrites paid.idx without the lines keep rejects.
func dropIndexLines(t *testing.T, dir string, drop func(line string) bool) {
	t.Helper()
	path := filepath.Join(dir, "paid.idx")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l != "" && !drop(l) {
			out = append(out, l)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "")), 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// The crash tests rebuild, from a real payment's files, what a crash at
// each point of Pay leaves behind, then retry from a new BatchFile (the
// restarted process), often on the next day.
func TestCrashRecovery(t *testing.T) {
	day1 := "2026-11-25 10:30:00"
	tests := []struct {
		name string
		// crash edits dir after pay_1 was paid on day1 as BATCH-20261125-1.
		crash     func(t *testing.T, dir string)
		retryAt   string
		wantRef   string   // the Result of the retry
		wantRows  []string // IDs in payouts-20261125.csv afterwards
		wantRows2 []string // IDs in payouts-20261126.csv afterwards
	}{
		{
			name: "after the row, before the paid line; retried next day",
			crash: func(t *testing.T, dir string) {
				dropIndexLines(t, dir, func(l string) bool { return strings.HasPrefix(l, "paid,") })
			},
			retryAt: "2026-11-26 09:00:00", wantRef: "BATCH-20261125-1",
			wantRows: []string{"pay_1"},
		},
		{
			name: "after the row, before the paid line; retried same day",
			crash: func(t *testing.T, dir string) {
				dropIndexLines(t, dir, func(l string) bool { return strings.HasPrefix(l, "paid,") })
			},
			retryAt: "2026-11-25 10:31:00", wantRef: "BATCH-20261125-1",
			wantRows: []string{"pay_1"},
		},
		{
			name: "in the middle of the row; retried next day",
			crash: func(t *testing.T, dir string) {
				dropIndexLines(t, dir, func(l string) bool { return strings.HasPrefix(l, "paid,") })
				path := filepath.Join(dir, "payouts-20261125.csv")
				b, _ := os.ReadFile(path)
				i := bytes.Index(b, []byte("\n1,pay_1,"))
				// The cut leaves "1234." of 1234.56: still a number.
				cut := bytes.Index(b, []byte("1234.")) + len("1234.")
				if err := os.WriteFile(path, b[:cut], 0o600); err != nil || i < 0 {
					t.Fatal(err, i)
				}
			},
			retryAt: "2026-11-26 09:00:00", wantRef: "BATCH-20261126-1",
			wantRows: nil, wantRows2: []string{"pay_1"},
		},
		{
			name: "in the middle of the row; retried same day",
			crash: func(t *testing.T, dir string) {
				dropIndexLines(t, dir, func(l string) bool { return strings.HasPrefix(l, "paid,") })
				path := filepath.Join(dir, "payouts-20261125.csv")
				b, _ := os.ReadFile(path)
				if err := os.WriteFile(path, b[:len(b)-5], 0o600); err != nil {
					t.Fatal(err)
				}
			},
			// 序号 1 went to the interrupted attempt, so the retry is 2.
			retryAt: "2026-11-25 10:31:00", wantRef: "BATCH-20261125-2",
			wantRows: []string{"pay_1"},
		},
		{
			name: "after the pending line, before the row",
			crash: func(t *testing.T, dir string) {
				dropIndexLines(t, dir, func(l string) bool { return strings.HasPrefix(l, "paid,") })
				path := filepath.Join(dir, "payouts-20261125.csv")
				b, _ := os.ReadFile(path)
				if err := os.WriteFile(path, b[:bytes.IndexByte(b, '\n')+1], 0o600); err != nil {
					t.Fatal(err)
				}
			},
			retryAt: "2026-11-26 09:00:00", wantRef: "BATCH-20261126-1",
			wantRows: nil, wantRows2: []string{"pay_1"},
		},
		{
			name: "in the middle of the pending line",
			crash: func(t *testing.T, dir string) {
				path := filepath.Join(dir, "paid.idx")
				b, _ := os.ReadFile(path)
				if err := os.WriteFile(path, b[:bytes.IndexByte(b, '\n')-3], 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "payouts-20261125.csv"), []byte(strings.Join(header, ",")+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			retryAt: "2026-11-25 10:31:00", wantRef: "BATCH-20261125-1",
			wantRows: []string{"pay_1"},
		},
		{
			name: "in the middle of the header",
			crash: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "paid.idx")); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "payouts-20261125.csv"), []byte("序号,指令"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			retryAt: "2026-11-25 10:31:00", wantRef: "BATCH-20261125-1",
			wantRows: []string{"pay_1"},
		},
		{
			name: "index lost, row in today's file",
			crash: func(t *testing.T, dir string) {
				if err := os.Remove(filepath.Join(dir, "paid.idx")); err != nil {
					t.Fatal(err)
				}
			},
			retryAt: "2026-11-25 12:00:00", wantRef: "BATCH-20261125-1",
			wantRows: []string{"pay_1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := instr("pay_1", 123456)
			pay(t, &payment.BatchFile{Dir: dir, Now: at(t, day1)}, in)
			tt.crash(t, dir)

			b := &payment.BatchFile{Dir: dir, Now: at(t, tt.retryAt)}
			r := pay(t, b, in)
			if r.Reference != tt.wantRef {
				t.Errorf("retry reference %s, want %s", r.Reference, tt.wantRef)
			}
			if again := pay(t, &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-27 09:00:00")}, in); again != r {
				t.Errorf("after another restart %+v, want %+v", again, r)
			}
			if got := idsOf(rows(t, dir, "20261125")); !slices.Equal(got, tt.wantRows) {
				t.Errorf("20261125 rows %q, want %q", got, tt.wantRows)
			}
			if got := idsOf(rows(t, dir, "20261126")); !slices.Equal(got, tt.wantRows2) {
				t.Errorf("20261126 rows %q, want %q", got, tt.wantRows2)
			}
			for _, r := range append(rows(t, dir, "20261125"), rows(t, dir, "20261126")...) {
				if r[5] != "1234.56" {
					t.Errorf("row %q has amount %q", r, r[5])
				}
			}
			// Every pending line has an outcome now.
			idx, _ := os.ReadFile(filepath.Join(dir, "paid.idx"))
			pending := strings.Count(string(idx), "pending,")
			outcomes := strings.Count(string(idx), "paid,") + strings.Count(string(idx), "void,")
			if !bytes.HasSuffix(idx, []byte("\n")) || outcomes < pending {
				t.Errorf("paid.idx left unsettled:\n%s", idx)
			}
		})
	}
}

// A pending line whose file is gone cannot be settled by reading; the
// instruction is held for a person, who appends the outcome to paid.idx.
func TestHeldUntilAPersonDecides(t *testing.T) {
	for _, outcome := range []string{"void", "paid"} {
		t.Run(outcome, func(t *testing.T) {
			dir := t.TempDir()
			in := instr("pay_1", 100)
			pay(t, &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}, in)
			dropIndexLines(t, dir, func(l string) bool { return strings.HasPrefix(l, "paid,") })
			if err := os.Rename(filepath.Join(dir, "payouts-20261125.csv"), filepath.Join(dir, "sent.csv")); err != nil {
				t.Fatal(err)
			}

			b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-26 09:00:00")}
			for range 2 {
				_, err := b.Pay(context.Background(), in)
				if !payment.IsPermanent(err) || !strings.Contains(err.Error(), "on hold") {
					t.Fatalf("Pay = %v, want a permanent on-hold error", err)
				}
			}
			// Other instructions are not held up.
			if r := pay(t, b, instr("pay_2", 100)); r.Reference != "BATCH-20261126-1" {
				t.Errorf("pay_2 reference %s", r.Reference)
			}
			if got := idsOf(rows(t, dir, "20261126")); !slices.Equal(got, []string{"pay_2"}) {
				t.Errorf("rows %q", got)
			}

			idx, _ := os.ReadFile(filepath.Join(dir, "paid.idx"))
			var hold string
			for _, l := range strings.Split(string(idx), "\n") {
				if strings.HasPrefix(l, "hold,pay_1,") {
					hold = l
				}
			}
			if hold == "" {
				t.Fatalf("no hold line in paid.idx:\n%s", idx)
			}
			appendFile(t, filepath.Join(dir, "paid.idx"), outcome+strings.TrimPrefix(hold, "hold")+"\n")

			r, err := b.Pay(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			switch outcome {
			case "paid":
				if r.Reference != "BATCH-20261125-1" {
					t.Errorf("reference %s, want the recorded BATCH-20261125-1", r.Reference)
				}
			case "void":
				if r.Reference != "BATCH-20261126-2" {
					t.Errorf("reference %s, want a new BATCH-20261126-2", r.Reference)
				}
			}
		})
	}
}

func TestRefusesForeignFiles(t *testing.T) {
	tests := []struct {
		name, file, content string
	}{
		{"batch file with another header", "payouts-20261125.csv", "No,Name,Account,Amount\n"},
		{"batch file edited to a short row", "payouts-20261125.csv", strings.Join(header, ",") + "\n1,pay_0,张三\n"},
		{"index with an unknown state", "paid.idx", "maybe,pay_0,BATCH-20261125-1,20261125,1764037800\n"},
		{"index with a bad reference", "paid.idx", "paid,pay_0,REF-1,20261125,1764037800\n"},
		{"index that is not CSV", "paid.idx", "paid,\"pay_0,BATCH\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := (&payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}).Pay(context.Background(), instr("pay_1", 100))
			if err == nil {
				t.Fatal("Pay succeeded")
			}
			if payment.IsPermanent(err) {
				t.Errorf("error %v is permanent; it is the files, not the instruction", err)
			}
			if b, _ := os.ReadFile(path); string(b) != tt.content {
				t.Errorf("%s changed to %q", tt.file, b)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	for name, g := range map[string]payment.Gateway{
		"batch": &payment.BatchFile{Dir: dir},
		"test":  payment.NewTestGateway(0),
	} {
		_, err := g.Pay(ctx, instr("pay_1", 100))
		if !errors.Is(err, context.Canceled) || payment.IsPermanent(err) {
			t.Errorf("%s: Pay = %v, want context.Canceled", name, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("canceled Pay wrote %v", entries)
	}
}

// Another process holding the lock must not make Pay wait past its
// context, and Pay must carry on once the lock is free.
func TestWaitsForLockWithinContext(t *testing.T) {
	dir := t.TempDir()
	lock, err := os.OpenFile(filepath.Join(dir, "paid.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	b := &payment.BatchFile{Dir: dir, Now: at(t, "2026-11-25 10:30:00")}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := b.Pay(ctx, instr("pay_1", 100)); !errors.Is(err, context.DeadlineExceeded) || payment.IsPermanent(err) {
		t.Fatalf("Pay while locked = %v, want context.DeadlineExceeded", err)
	}
	if got := rows(t, dir, "20261125"); len(got) != 0 {
		t.Fatalf("wrote without the lock: %q", got)
	}
	done := make(chan error, 1)
	go func() {
		_, err := b.Pay(context.Background(), instr("pay_1", 100))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := idsOf(rows(t, dir, "20261125")); !slices.Equal(got, []string{"pay_1"}) {
		t.Errorf("rows %q", got)
	}
}

func TestNoDirectory(t *testing.T) {
	_, err := (&payment.BatchFile{}).Pay(context.Background(), instr("pay_1", 100))
	if err == nil || payment.IsPermanent(err) {
		t.Errorf("Pay without Dir = %v", err)
	}
}

func TestTestGatewayFailThenSucceed(t *testing.T) {
	tests := []struct {
		failFirst, calls int
	}{
		{0, 1}, {0, 3}, {1, 2}, {2, 5}, {3, 3}, {-1, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("fail %d, %d calls", tt.failFirst, tt.calls), func(t *testing.T) {
			g := payment.NewTestGateway(tt.failFirst)
			g.Now = at(t, "2026-11-25 10:30:00")
			in := instr("pay_1", 100)
			var first payment.Result
			for call := 1; call <= tt.calls; call++ {
				r, err := g.Pay(context.Background(), in)
				if call <= tt.failFirst {
					if !errors.Is(err, payment.ErrInjected) || payment.IsPermanent(err) {
						t.Fatalf("call %d: %v, want a temporary ErrInjected", call, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("call %d: %v", call, err)
				}
				if first == (payment.Result{}) {
					first = r
				} else if r != first {
					t.Errorf("call %d: %+v, want %+v", call, r, first)
				}
			}
			if got := g.Calls("pay_1"); got != tt.calls {
				t.Errorf("Calls = %d, want %d", got, tt.calls)
			}
			wantPaid := 0
			if tt.calls > tt.failFirst {
				wantPaid = 1
			}
			if got := g.Paid(); len(got) != wantPaid || (wantPaid == 1 && !reflect.DeepEqual(got[0], in)) {
				t.Errorf("Paid = %v, want %d of %v", got, wantPaid, in)
			}
			if d := g.DoublePaid(); len(d) != 0 {
				t.Errorf("DoublePaid = %q", d)
			}
		})
	}
}

func TestTestGatewayConcurrent(t *testing.T) {
	g := payment.NewTestGateway(2)
	results := make([]payment.Result, 16)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			id := fmt.Sprintf("pay_%d", i%4)
			for {
				r, err := g.Pay(context.Background(), instr(id, 100))
				if err == nil {
					results[i] = r
					return
				}
				if !errors.Is(err, payment.ErrInjected) {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for i := range results {
		if results[i] != results[i%4] {
			t.Errorf("goroutine %d: %+v, goroutine %d: %+v", i, results[i], i%4, results[i%4])
		}
	}
	if got := len(g.Paid()); got != 4 {
		t.Errorf("%d paid, want 4", got)
	}
	for i := range 4 {
		if c := g.Calls(fmt.Sprintf("pay_%d", i)); c < 3 {
			t.Errorf("pay_%d: %d calls, want at least 3", i, c)
		}
	}
	if d := g.DoublePaid(); len(d) != 0 {
		t.Errorf("DoublePaid = %q", d)
	}
	if c := g.Calls("never"); c != 0 {
		t.Errorf("Calls(never) = %d", c)
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		url      string
		wantDir  string // BatchFile
		wantFail int    // TestGateway; -1 for none
		wantErr  string
	}{
		{url: "batch:///srv/anxin/payouts", wantDir: "/srv/anxin/payouts"},
		{url: "batch:///srv/anxin/pay%20outs", wantDir: "/srv/anxin/pay outs"},
		{url: "BATCH:///srv/payouts", wantDir: "/srv/payouts"},
		{url: "/srv/anxin/payouts", wantDir: "/srv/anxin/payouts"},
		{url: "payouts", wantDir: "payouts"},
		{url: "./data/pay:outs", wantDir: "./data/pay:outs"},
		{url: "test://", wantFail: 0},
		{url: "test://?fail=3", wantFail: 3},
		{url: "test:", wantFail: 0},
		{url: "", wantErr: "empty"},
		{url: "  ", wantErr: "empty"},
		{url: "ftp://bank.example/payouts", wantErr: `unknown scheme "ftp"`},
		{url: "bacth:///srv/payouts", wantErr: `unknown scheme "bacth"`},
		{url: "https://user:secret@bank.example/pay?key=secret", wantErr: `unknown scheme "https"`},
		{url: "batch://srv/payouts", wantErr: "three slashes"},
		{url: "batch:payouts", wantErr: "three slashes"},
		{url: "batch://", wantErr: "needs a directory"},
		{url: "batch:///", wantErr: "needs a directory"},
		{url: "batch:///srv/payouts?fail=1", wantErr: "no parameters"},
		{url: "test://?fail=-1", wantErr: "fail="},
		{url: "test://?fail=x", wantErr: "fail="},
		{url: "test://?fail=1&fail=2", wantErr: "fail="},
		{url: "test://?fial=1", wantErr: `unknown parameter "fial"`},
		{url: "test://host", wantErr: "test://?fail=N"},
		{url: "test://?fail=%zz", wantErr: "malformed query"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			g, err := payment.Open(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open = %v, %v; want an error with %q", g, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows a credential", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch g := g.(type) {
			case *payment.BatchFile:
				if tt.wantDir == "" || g.Dir != tt.wantDir {
					t.Errorf("BatchFile in %q, want %q", g.Dir, tt.wantDir)
				}
			case *payment.TestGateway:
				if tt.wantDir != "" {
					t.Fatalf("got a TestGateway, want a BatchFile in %q", tt.wantDir)
				}
				// Observe fail=N through behaviour.
				for call := 1; call <= tt.wantFail+1; call++ {
					_, err := g.Pay(context.Background(), instr("pay_1", 100))
					if (err != nil) != (call <= tt.wantFail) {
						t.Errorf("call %d: %v with fail=%d", call, err, tt.wantFail)
					}
				}
			default:
				t.Fatalf("Open = %T", g)
			}
		})
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("account closed")
	p := payment.Permanent(base)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", base, false},
		{"permanent", p, true},
		{"wrapped permanent", fmt.Errorf("claim LP1: %w", p), true},
		{"joined", errors.Join(errors.New("other"), p), true},
		{"context", context.DeadlineExceeded, false},
	}
	for _, tt := range tests {
		if got := payment.IsPermanent(tt.err); got != tt.want {
			t.Errorf("%s: IsPermanent = %v", tt.name, got)
		}
	}
	if payment.Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
	if !errors.Is(p, base) || p.Error() != base.Error() {
		t.Errorf("Permanent hides its error: %v", p)
	}
}

func TestInstructionMasked(t *testing.T) {
	in := instr("pay_1", 123456)
	in.PayeeName = "欧阳明锋"
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("pay", "in", in)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("pay", "in", in)
	for name, s := range map[string]string{
		"%v":   fmt.Sprintf("%v", in),
		"%+v":  fmt.Sprintf("%+v", in),
		"%#v":  fmt.Sprintf("%#v", in),
		"%s":   fmt.Sprintf("%s", in),
		"slog": logged.String(),
	} {
		if strings.Contains(s, account) || strings.Contains(s, "欧阳明锋") {
			t.Errorf("%s shows the account or the name: %s", name, s)
		}
		if !strings.Contains(s, account[len(account)-4:]) || !strings.Contains(s, "pay_1") {
			t.Errorf("%s lost what identifies the payment: %s", name, s)
		}
	}
}
