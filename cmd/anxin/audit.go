package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// errAuditBroken is the exit status of a failed check: the details are on
// stdout already, so the message only says what happened.
var errAuditBroken = errors.New("the audit log is not intact")

// runAudit is `anxin audit verify`: it recomputes every hash of the audit
// log and exits non-zero at the first record that does not match.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const use = "usage: anxin audit verify [--data DIR] [--db URL]"
	var f dbFlags
	fs := newFlagSet("audit", stderr)
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "verify" {
		return errors.New(use)
	}
	svc, err := openService(ctx, &f, newLogger(stderr))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	bar := newBar(stderr, "校验 verifying")
	start := time.Now()
	res, err := svc.VerifyAudit(ctx, func(done int) { bar.update(done, 0) })
	bar.finish()
	if err != nil {
		return err
	}
	if !res.OK {
		fmt.Fprintf(stdout, "BROKEN: %s\n", res.Broken)
		return errAuditBroken
	}
	rate := float64(res.Records) / max(time.Since(start).Seconds(), 1e-9)
	fmt.Fprintf(stdout, "audit log intact: %d records in %d chains (%.0f records/s)\n", res.Records, res.Chains, rate)
	return nil
}
