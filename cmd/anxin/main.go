// Command anxin is the whole platform in one binary: the server, the demo,
// migrations, data import and export, the holiday calendar and benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "anxin:", err)
		}
		os.Exit(1)
	}
}

const usage = `anxin — after-sales service platform for insurers

Usage:
  anxin serve    [--addr 127.0.0.1:8080] [--data ./anxin-data] [--db URL]
  anxin demo     [--addr 127.0.0.1:8080] [--data DIR]   serve a fresh demo data set
  anxin migrate  [--data DIR] [--db URL]
  anxin import   customers|policies FILE [--partial] [--errors FILE]
  anxin export   customers|policies FILE.xlsx
  anxin calendar show YEAR | load FILE | deadline FROM N
  anxin audit    verify [--data DIR] [--db URL]   check the audit log's hash chains
  anxin keys     rotate                 re-encrypt personal data under a new key
  anxin staff    add USERNAME --role ROLE --name NAME  (password from ANXIN_PASSWORD or stdin)
  anxin bench    import [--rows N]
  anxin bench    tickets [--url URL | --self [--db URL]] [--count N] [--duration D] [--clients 1,8,32] [--seed-open N,…]
  anxin bench    claims  [--url URL | --self [--db URL]] [--count N] [--duration D] [--clients 1,8]
  anxin version

The database is the SQLite file <data>/anxin.db unless --db or ANXIN_DB
holds a postgres:// URL.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr, false)
	case "demo":
		return runServe(ctx, rest, stdout, stderr, true)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdout, stderr)
	case "export":
		return runExport(ctx, rest, stdout, stderr)
	case "calendar":
		return runCalendar(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "staff":
		return runStaff(ctx, rest, os.Stdin, stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "anxin", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
