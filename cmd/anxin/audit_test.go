package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// TestAuditVerifyCommand runs `anxin audit verify` on a log that is intact
// and then on one edited behind the application's back, on each engine.
func TestAuditVerifyCommand(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			where := []string{"--data", dir}
			dsn := filepath.Join(dir, "anxin.db")
			if engine == store.Postgres {
				dsn = storetest.DSN(t, engine)
				where = []string{"--db", dsn, "--data", dir}
			}
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var target *store.AuditRecord
			for i := range 20 {
				r := service.AuditFor(anxin.SystemActor("cli"), "customer", "c"+strconv.Itoa(i%4), "update")
				r.Changes = map[string][2]any{"email": service.Change("w***@example.cn", "z***@example.cn")}
				if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, r) }); err != nil {
					t.Fatal(err)
				}
				if i == 9 {
					target = r
				}
			}

			out, err := runCLI(t, append([]string{"audit", "verify"}, where...)...)
			if err != nil || !regexp.MustCompile(`^audit log intact: 20 records in 16 chains \(\d+ records/s\)\n$`).MatchString(out) {
				t.Fatalf("intact log: %q %v", out, err)
			}

			if _, err := db.Writer().ExecContext(ctx, `UPDATE audit_log SET changes = '{}' WHERE id = $1`, target.ID); err != nil {
				t.Fatal(err)
			}
			out, err = runCLI(t, append([]string{"audit", "verify"}, where...)...)
			want := "BROKEN: chain " + strconv.Itoa(target.Chain) + " seq " + strconv.FormatInt(target.Seq, 10) + " (record " + target.ID + "): " + store.AuditHashMismatch
			if err == nil || !strings.HasPrefix(out, want) {
				t.Fatalf("edited log: %q %v, want an error and %q", out, err, want)
			}
		})
	}
}

func TestAuditCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"audit"}, {"audit", "check"}, {"audit", "verify", "extra"}} {
		if _, err := runCLI(t, append(args, "--data", t.TempDir())...); err == nil || !strings.Contains(err.Error(), "usage: anxin audit verify") {
			t.Errorf("%v: %v", args, err)
		}
	}
}
