package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// runKeys rotates the encryption keys: `anxin keys rotate`.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f dbFlags
	fs := newFlagSet("keys", stderr)
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "rotate" {
		return errors.New("usage: anxin keys rotate [--data DIR] [--db URL]")
	}
	svc, err := openService(ctx, &f, newLogger(stderr))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	start := time.Now()
	last := ""
	key, n, err := svc.RotateKeys(ctx, anxin.SystemActor("cli"), func(p store.ResealProgress) {
		if isTerminalWriter(stderr) && p.Table != last {
			fmt.Fprintf(stderr, "re-encrypting %s…\n", p.Table)
			last = p.Table
		}
	})
	if err != nil {
		return fmt.Errorf("rotation stopped (run it again to continue): %w", err)
	}
	fmt.Fprintf(stdout, "keys rotated: active key %s, %d values re-encrypted in %.1fs\n", key, n, time.Since(start).Seconds())
	return nil
}
