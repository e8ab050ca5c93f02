package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/sheet"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "tickets" {
		return runBenchTickets(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "claims" {
		return runBenchClaims(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "import" {
		return errors.New("usage: anxin bench import [--rows N] [--db URL] [--data DIR]\n       " + benchTicketsUsage + "\n       " + benchClaimsUsage)
	}
	var f dbFlags
	fs := newFlagSet("bench import", stderr)
	f.register(fs)
	rows := fs.Int("rows", 100_000, "customers and policies to import")
	keep := fs.String("keep", "", "keep the benchmark's data directory here (must not exist), e.g. to time `keys rotate` on it")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "anxin-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if f.db == "" {
		f.data = dir // a fresh SQLite file, never the user's data
		if *keep != "" {
			if _, err := os.Stat(*keep); err == nil {
				return fmt.Errorf("--keep %s: it exists; name a new directory", *keep)
			}
			f.data = *keep
		}
	}
	svc, err := openService(ctx, &f, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	if err := svc.PutProduct(ctx, anxin.SystemActor("bench"), sheet.BenchmarkProduct()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "generating %d customers and %d policies…\n", *rows, *rows)
	custFile, polFile, err := sheet.GenerateBenchmarkFiles(dir, *rows, 1)
	if err != nil {
		return err
	}
	for _, step := range []struct {
		what, file string
		fn         func(context.Context, sheet.Options, io.Reader) (*sheet.Report, error)
	}{
		{"customers", custFile, func(ctx context.Context, o sheet.Options, r io.Reader) (*sheet.Report, error) {
			return svc.Import(ctx, anxin.SystemActor("bench"), "customers", r, "xlsx", o)
		}},
		{"policies", polFile, func(ctx context.Context, o sheet.Options, r io.Reader) (*sheet.Report, error) {
			return svc.Import(ctx, anxin.SystemActor("bench"), "policies", r, "xlsx", o)
		}},
	} {
		in, err := os.Open(step.file)
		if err != nil {
			return err
		}
		peak := watchMemory()
		start := time.Now()
		rep, err := step.fn(ctx, sheet.Options{Now: time.Now(), Actor: "bench"}, in)
		elapsed := time.Since(start)
		in.Close()
		peakMB := peak()
		if err != nil {
			return err
		}
		if rep.Failed > 0 {
			return fmt.Errorf("%s: %d rows failed: %+v", step.what, rep.Failed, rep.Errors[0])
		}
		fmt.Fprintf(stdout, "%s on %s: %d rows in %.2fs = %.0f rows/s, peak heap %.0f MiB\n",
			step.what, svc.DB.Engine, rep.Rows, elapsed.Seconds(), float64(rep.Rows)/elapsed.Seconds(), peakMB)
	}
	return nil
}

// watchMemory samples the heap until the returned function is called, which
// reports the peak in MiB.
func watchMemory() func() float64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		wg.Wait()
		return float64(peak.Load()) / (1 << 20)
	}
}
