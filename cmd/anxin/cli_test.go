package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), err
}

func TestCalendarCommands(t *testing.T) {
	data := t.TempDir()
	out, err := runCLI(t, "calendar", "deadline", "2026-09-30T10:00:00+08:00", "3", "--data", data)
	if err != nil || strings.TrimSpace(out) != "2026-10-10T23:59:59+08:00" {
		t.Fatalf("deadline: %q %v", out, err)
	}
	out, err = runCLI(t, "calendar", "show", "2026", "--data", data)
	if err != nil || !strings.Contains(out, "2026-10-10 周六  班 work") || !strings.Contains(out, "2026-10-01 周四  休 off") {
		t.Fatalf("show: %s %v", out, err)
	}
	out, _ = runCLI(t, "calendar", "deadline", "2027-03-01T10:00:00+08:00", "3", "--data", data)
	if !strings.Contains(out, "provisional") {
		t.Fatalf("2027 is not loaded, the deadline must say provisional: %s", out)
	}
	file := filepath.Join(t.TempDir(), "2027.csv")
	os.WriteFile(file, []byte("# years: 2027\n# a test schedule, not the published one\ndate,kind,name\n2027-03-02,off,测试\n"), 0o600)
	if out, err := runCLI(t, "calendar", "load", file, "--data", data); err != nil {
		t.Fatalf("load: %s %v", out, err)
	}
	out, _ = runCLI(t, "calendar", "deadline", "2027-03-01T10:00:00+08:00", "3", "--data", data)
	if strings.TrimSpace(out) != "2027-03-05T23:59:59+08:00" {
		t.Fatalf("after loading 2027: %q", out)
	}
	os.WriteFile(file, []byte("date,kind\n2027-13-01,off\n"), 0o600)
	if _, err := runCLI(t, "calendar", "load", file, "--data", data); err == nil {
		t.Fatal("a malformed file must be refused")
	}
}

func TestUnknownCommand(t *testing.T) {
	if _, err := runCLI(t, "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	if out, err := runCLI(t, "version"); err != nil || !strings.HasPrefix(out, "anxin ") {
		t.Fatalf("version: %q %v", out, err)
	}
}
