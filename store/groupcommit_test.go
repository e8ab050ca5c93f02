package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// Concurrent transactions on SQLite share commits; each still commits or
// rolls back on its own, and returns only once what it wrote is committed.
func TestGroupCommit(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	errRefused := errors.New("refused")
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.InTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.NextNumber(ctx, fmt.Sprintf("g%d", i)); err != nil {
					return err
				}
				if _, err := tx.NextNumber(ctx, "shared"); err != nil {
					return err
				}
				if i%3 == 0 {
					return errRefused // after writing: the writes must go
				}
				return nil
			})
			if errs[i] == nil {
				// Returned means committed: the read pool sees it.
				var v int
				if err := db.Reader().QueryRowContext(ctx, `SELECT value FROM number_sequences WHERE name = $1`, fmt.Sprintf("g%d", i)).Scan(&v); err != nil || v != 1 {
					t.Errorf("tx %d returned before its commit was visible: %v %d", i, err, v)
				}
			}
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case i%3 == 0 && !errors.Is(err, errRefused):
			t.Errorf("tx %d: %v, want its own error", i, err)
		case i%3 != 0 && err != nil:
			t.Errorf("tx %d: %v", i, err)
		case err == nil:
			ok++
		}
	}
	var rows, shared int
	db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM number_sequences WHERE name LIKE 'g%'`).Scan(&rows)
	db.Reader().QueryRowContext(ctx, `SELECT value FROM number_sequences WHERE name = 'shared'`).Scan(&shared)
	if rows != ok || shared != ok {
		t.Fatalf("%d transactions succeeded, but %d rows and a shared counter of %d committed", ok, rows, shared)
	}
}

// A transaction that panics takes down only the commit it shared; the
// writer goes on working.
func TestGroupCommitPanic(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		db.InTx(ctx, func(tx *store.Tx) error {
			tx.NextNumber(ctx, "p")
			panic("boom")
		})
	}()
	if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.NextNumber(ctx, "after"); return err }); err != nil {
		t.Fatalf("after a panic: %v", err)
	}
	var n int
	db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM number_sequences WHERE name = 'p'`).Scan(&n)
	if n != 0 {
		t.Fatal("the panicking transaction's write was committed")
	}
	// A cancelled caller does not start.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.InTx(cctx, func(tx *store.Tx) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
