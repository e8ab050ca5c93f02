// Package storetest opens real databases for tests: a fresh SQLite file
// always, and a fresh PostgreSQL schema when ANXIN_TEST_POSTGRES holds a URL.
// With ANXIN_REQUIRE_ALL=1 a missing PostgreSQL fails the test instead of
// skipping it, so CI cannot pass by testing one engine.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/vault"
)

// Engines lists the engines a test runs on, in order.
func Engines(t testing.TB) []string {
	engines := []string{store.SQLite}
	if os.Getenv("ANXIN_TEST_POSTGRES") != "" {
		engines = append(engines, store.Postgres)
	} else if os.Getenv("ANXIN_REQUIRE_ALL") == "1" {
		t.Fatal("ANXIN_REQUIRE_ALL=1 but ANXIN_TEST_POSTGRES is not set: PostgreSQL tests cannot run")
	}
	return engines
}

// Each runs fn once per engine as a subtest, each with a migrated, empty database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, engine := range Engines(t) {
		t.Run(engine, func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}

// DSN returns a connection string for a fresh, empty database of engine,
// removed when the test ends. Several processes can open it (the multi-node
// tests do).
func DSN(t testing.TB, engine string) string {
	t.Helper()
	if engine == store.SQLite {
		return filepath.Join(t.TempDir(), "anxin.db")
	}
	base := os.Getenv("ANXIN_TEST_POSTGRES")
	if base == "" {
		t.Skip("ANXIN_TEST_POSTGRES not set")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to ANXIN_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer conn.Close(ctx)
		conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("ANXIN_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated database of engine, closed when the test ends.
func Open(t testing.TB, engine string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, DSN(t, engine))
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	db.Vault = vault.NewForTest()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	if _, err := db.CheckKeys(ctx); err != nil {
		t.Fatalf("keys %s: %v", engine, err)
	}
	return db
}
