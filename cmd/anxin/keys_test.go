package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/vault"
)

// `anxin keys rotate` moves every sealed value to a new key, drops the old
// one, and leaves the data readable; run again, it rotates again.
func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	m := startMain(t, true, "--data", dir)
	before := sealedKeyIDs(t, m.Service.DB)
	m.Close()
	if len(before) != 1 {
		t.Fatalf("demo data sealed under %v, want one key", before)
	}
	out, err := runCLI(t, "keys", "rotate", "--data", dir)
	if err != nil || !strings.Contains(out, "keys rotated") {
		t.Fatalf("rotate: %q %v", out, err)
	}
	keys, err := vault.Open(filepath.Join(dir, "keys.json"))
	if err != nil {
		t.Fatal(err)
	}
	ids := keys.KeyIDs()
	if len(ids) != 1 || before[ids[0]] || ids[0] != keys.ActiveKeyID() {
		t.Fatalf("after rotation the ring holds %v (old %v)", ids, before)
	}
	f := dbFlags{data: dir}
	svc, err := openService(context.Background(), &f, newLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.DB.Close()
	after := sealedKeyIDs(t, svc.DB)
	if len(after) != 1 || !after[ids[0]] {
		t.Fatalf("values sealed under %v after rotation, want only %s", after, ids[0])
	}
	cs, err := svc.FindCustomers(context.Background(), anxin.SystemActor("test"), anxin.CustomerFilter{Limit: 3})
	if err != nil || len(cs) != 3 || !strings.HasPrefix(cs[0].Mobiles[0], "1") {
		t.Fatalf("read after rotation: %v %v", cs, err)
	}
	recs, err := svc.DB.FindAudit(context.Background(), store.AuditFilter{Action: "rotate_keys"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("rotation audit: %+v %v", recs, err)
	}
}

// sealedKeyIDs returns the key ids found in the sealed columns.
func sealedKeyIDs(t *testing.T, db *store.DB) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for _, q := range []string{`SELECT id_number FROM customers`, `SELECT mobile FROM customer_mobiles`, `SELECT document FROM policies`, `SELECT document FROM policy_versions`,
		`SELECT description FROM tickets WHERE description <> ''`, `SELECT body FROM ticket_events WHERE body <> ''`, `SELECT body FROM notices`,
		`SELECT details FROM claims`} {
		rows, err := db.Reader().QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v string
			rows.Scan(&v)
			id := vault.KeyIDOf(v)
			if id == "" {
				t.Fatalf("%s: a value is not sealed", q)
			}
			ids[id] = true
		}
		rows.Close()
	}
	return ids
}
