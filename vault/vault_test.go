package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var keyIDPattern = regexp.MustCompile(`^k[0-9]{8}[0-9a-f]{4}$`)

// fixedRingJSON is a ring with known keys, so fuzz corpus entries sealed
// under it stay valid across runs.
const fixedRingJSON = `{
  "version": 1,
  "active": "kfuzz",
  "keys": {
    "kfuzz": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "kold": "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
  },
  "index_key": "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="
}`

func fixedRing(t testing.TB) *Keyring {
	t.Helper()
	st, err := decodeRing([]byte(fixedRingJSON))
	if err != nil {
		t.Fatal(err)
	}
	return newKeyring("", false, st)
}

// ringJSON renders a ring as ANXIN_KEYS would hold it.
func ringJSON(k *Keyring) string { return string(k.state.Load().encode()) }

func keyPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "data", "keys.json")
}

func mustOpen(t *testing.T, path string) *Keyring {
	t.Helper()
	k, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := NewForTest()
	for _, tc := range []struct{ name, plain string }{
		{"empty", ""},
		{"id number", "11010519491231002X"},
		{"mobile", "13800138000"},
		{"chinese address", "北京市朝阳区建国路88号 SOHO现代城 2单元1703室"},
		{"health detail", "2型糖尿病，二甲双胍 500mg 每日两次；既往史：高血压"},
		{"separators", "enc:v1:k1:abc\n\t\"quoted\""},
		{"not utf-8", "\xff\xfe\x00\x01"},
		{"long", strings.Repeat("保单正文。", 2000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sealed := k.Seal(tc.plain)
			if tc.plain == "" {
				if sealed != "" {
					t.Fatalf("Seal(\"\") = %q, want \"\"", sealed)
				}
			} else {
				wantPrefix := "enc:v1:" + k.ActiveKeyID() + ":"
				if !strings.HasPrefix(sealed, wantPrefix) {
					t.Fatalf("sealed value %q lacks prefix %q", sealed[:min(len(sealed), 40)], wantPrefix)
				}
				if strings.Contains(sealed, tc.plain) {
					t.Fatal("sealed value contains the plaintext")
				}
				if got := KeyIDOf(sealed); got != k.ActiveKeyID() {
					t.Errorf("KeyIDOf = %q, want %q", got, k.ActiveKeyID())
				}
				if k.NeedsRotation(sealed) {
					t.Error("NeedsRotation true for a value under the active key")
				}
			}
			got, err := k.Open(sealed)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got != tc.plain {
				t.Fatalf("Open = %q, want %q", got, tc.plain)
			}
		})
	}
}

func TestSealIsRandomized(t *testing.T) {
	k := NewForTest()
	seen := map[string]bool{}
	for range 100 {
		s := k.Seal("13800138000")
		if seen[s] {
			t.Fatalf("Seal produced the same value twice: %s", s)
		}
		seen[s] = true
	}
}

func TestOpenRejects(t *testing.T) {
	k := NewForTest()
	oldID := k.ActiveKeyID()
	if _, err := k.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	const plain = "11010519491231002X"
	good := k.Seal(plain)
	id, payload, _ := parse(good)
	other := NewForTest()
	foreign := other.Seal(plain)
	_, foreignPayload, _ := parse(foreign)

	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for _, tc := range []struct {
		name, value string
		want        error
	}{
		{"plaintext", plain, ErrNotSealed},
		{"plaintext chinese", "张三", ErrNotSealed},
		{"upper-case prefix", "ENC:v1:" + id + ":" + payload, ErrNotSealed},
		{"prefix only", "enc:", ErrCorrupt},
		{"version only", "enc:v1:", ErrCorrupt},
		{"unknown version", "enc:v2:" + id + ":" + payload, ErrCorrupt},
		{"no payload separator", "enc:v1:" + id, ErrCorrupt},
		{"empty key id", "enc:v1::" + payload, ErrCorrupt},
		{"key id with bad characters", "enc:v1:k/1:" + payload, ErrCorrupt},
		{"key id too long", "enc:v1:" + strings.Repeat("k", 65) + ":" + payload, ErrCorrupt},
		{"empty payload", "enc:v1:" + id + ":", ErrCorrupt},
		{"truncated by one", good[:len(good)-1], ErrCorrupt},
		{"truncated by half", good[:len(good)-len(payload)/2], ErrCorrupt},
		{"nonce only", "enc:v1:" + id + ":" + payload[:16], ErrCorrupt},
		{"extra character", good + "A", ErrCorrupt},
		{"padding added", good + "=", ErrCorrupt},
		{"standard base64 characters", "enc:v1:" + id + ":" + strings.NewReplacer("-", "+", "_", "/").Replace(payload) + "+/", ErrCorrupt},
		{"nonce tampered", flip(good, len(good)-len(payload)+2), ErrCorrupt},
		{"ciphertext tampered", flip(good, len(good)-20), ErrCorrupt},
		{"tag tampered", flip(good, len(good)-3), ErrCorrupt},
		{"relabelled to the old key", "enc:v1:" + oldID + ":" + payload, ErrCorrupt},
		{"another ring's ciphertext under this key id", "enc:v1:" + id + ":" + foreignPayload, ErrCorrupt},
		{"unknown key id", "enc:v1:knotakey:" + payload, ErrUnknownKey},
		{"another ring's value", foreign, ErrUnknownKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := k.Open(tc.value)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %q, %v; want error %v", got, err, tc.want)
			}
			if got != "" {
				t.Errorf("Open returned %q alongside an error", got)
			}
			if strings.Contains(err.Error(), plain) || strings.Contains(err.Error(), payload) {
				t.Errorf("error text reveals the value: %v", err)
			}
			if _, err := k.Reseal(tc.value); !errors.Is(err, tc.want) {
				t.Errorf("Reseal error = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestKeyIDIsAuthenticated isolates the additional data: two ids for the
// same key material, so only the label differs.
func TestKeyIDIsAuthenticated(t *testing.T) {
	raw := randomBytes(keySize)
	a, _ := newDataKey("ka", raw)
	b, _ := newDataKey("kb", raw)
	k := newKeyring("", false, &ringState{active: "ka", keys: map[string]*dataKey{"ka": a, "kb": b}, indexKey: randomBytes(keySize)})
	sealed := k.Seal("13800138000")
	if _, err := k.Open(sealed); err != nil {
		t.Fatal(err)
	}
	relabelled := strings.Replace(sealed, ":ka:", ":kb:", 1)
	if _, err := k.Open(relabelled); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("relabelled value under the same key material: err = %v, want ErrCorrupt", err)
	}
}

func TestKeyIDOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"13800138000", ""},
		{"enc:v1:k20261125a1b2:AAAA", "k20261125a1b2"},
		{"enc:v1:k20261125a1b2:", "k20261125a1b2"},
		{"enc:v1:k20261125a1b2", ""},
		{"enc:v2:k20261125a1b2:AAAA", ""},
		{"enc:v1:k 1:AAAA", ""},
	} {
		if got := KeyIDOf(tc.in); got != tc.want {
			t.Errorf("KeyIDOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIndex(t *testing.T) {
	k := NewForTest()
	other := NewForTest()
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

	mac := hmac.New(sha256.New, k.state.Load().indexKey)
	mac.Write([]byte("mobile\x0013800138000"))
	spec := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))[:22]

	for _, tc := range []struct {
		name string
		a, b string
		same bool
	}{
		{"matches the documented formula", k.Index("mobile", "13800138000"), spec, true},
		{"deterministic", k.Index("mobile", "13800138000"), k.Index("mobile", "13800138000"), true},
		{"different value", k.Index("mobile", "13800138000"), k.Index("mobile", "13800138001"), false},
		{"different kind", k.Index("mobile", "13800138000"), k.Index("id_number", "13800138000"), false},
		{"kind and value do not run together", k.Index("mobile", "1x"), k.Index("mobile1", "x"), false},
		{"different ring", k.Index("mobile", "13800138000"), other.Index("mobile", "13800138000"), false},
		{"chinese", k.Index("name", "张三"), k.Index("name", "张三"), true},
	} {
		if tc.a == "" || !urlSafe.MatchString(tc.a) {
			t.Errorf("%s: index %q is not 22 base64url characters", tc.name, tc.a)
		}
		if (tc.a == tc.b) != tc.same {
			t.Errorf("%s: %q vs %q, want same=%v", tc.name, tc.a, tc.b, tc.same)
		}
	}
	if got := k.Index("mobile", ""); got != "" {
		t.Errorf(`Index(kind, "") = %q, want ""`, got)
	}
	// The index key survives rotation: indexes are not recomputed.
	before := k.Index("id_number", "11010519491231002X")
	if _, err := k.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	if after := k.Index("id_number", "11010519491231002X"); after != before {
		t.Errorf("index changed across rotation: %q → %q", before, after)
	}
	for _, kind := range []string{"", "mob\x00ile"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Index(%q, ...) did not panic", kind)
				}
			}()
			k.Index(kind, "x")
		}()
	}
}

func TestKeyFileCreated(t *testing.T) {
	path := keyPath(t)
	k := mustOpen(t, path)
	if !k.Persisted() {
		t.Error("Persisted false for a file ring")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode %04o, want 0700", di.Mode().Perm())
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.Version != 1 || len(f.Keys) != 1 || f.Keys[f.Active] == "" || f.IndexKey == "" {
		t.Errorf("key file = %+v", f)
	}
	if !keyIDPattern.MatchString(f.Active) || f.Active != k.ActiveKeyID() {
		t.Errorf("active key id %q, want k<yyyymmdd><4 hex> equal to %q", f.Active, k.ActiveKeyID())
	}
	if _, err := time.Parse(time.RFC3339, f.CreatedAt); err != nil {
		t.Errorf("created_at %q: %v", f.CreatedAt, err)
	}

	// Opening again uses the same keys instead of making new ones.
	sealed := k.Seal("13800138000")
	again := mustOpen(t, path)
	if got, err := again.Open(sealed); err != nil || got != "13800138000" {
		t.Errorf("second Open of the file: %q, %v", got, err)
	}
	if k.Index("mobile", "13800138000") != again.Index("mobile", "13800138000") {
		t.Error("index differs between two opens of one file")
	}
	if got := len(dirEntries(t, filepath.Dir(path))); got != 1 {
		t.Errorf("key directory holds %d entries, want only keys.json", got)
	}
}

func TestConcurrentCreate(t *testing.T) {
	path := keyPath(t)
	const n = 8
	rings := make([]*Keyring, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { rings[i], errs[i] = Open(path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if rings[i].ActiveKeyID() != rings[0].ActiveKeyID() || rings[i].Index("k", "v") != rings[0].Index("k", "v") {
			t.Fatal("processes starting together on a fresh directory ended with different rings")
		}
	}
}

func TestKeyFileRefusedWhenExposed(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o640, false},
		{0o604, false},
		{0o660, false},
		{0o620, false},
		{0o644, false},
	} {
		t.Run(fmt.Sprintf("%04o", tc.mode), func(t *testing.T) {
			path := keyPath(t)
			k := mustOpen(t, path)
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path)
			if tc.ok != (err == nil) {
				t.Fatalf("Open with mode %04o: err = %v, want ok=%v", tc.mode, err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "chmod 600") {
				t.Errorf("error does not say how to fix it: %v", err)
			}
			if err := k.Reload(); tc.ok != (err == nil) {
				t.Errorf("Reload with mode %04o: err = %v, want ok=%v", tc.mode, err, tc.ok)
			}
		})
	}
}

func TestKeyFileInvalid(t *testing.T) {
	key := func(b byte) string {
		raw := make([]byte, keySize)
		for i := range raw {
			raw[i] = b + byte(i)
		}
		return base64.StdEncoding.EncodeToString(raw)
	}
	k1, k2, ix := key(1), key(101), key(201)
	for _, tc := range []struct{ name, json, want string }{
		{"empty", ``, "empty"},
		{"not json", `{"version": 1, "active": "` + k1, "truncated"},
		{"garbage", `keys=` + k1, "not valid JSON"},
		{"wrong version", `{"version":2,"active":"k1","keys":{"k1":"` + k1 + `"},"index_key":"` + ix + `"}`, "unsupported version"},
		{"no keys", `{"version":1,"active":"k1","keys":{},"index_key":"` + ix + `"}`, "no data keys"},
		{"no active", `{"version":1,"keys":{"k1":"` + k1 + `"},"index_key":"` + ix + `"}`, "no active key"},
		{"active missing", `{"version":1,"active":"k2","keys":{"k1":"` + k1 + `"},"index_key":"` + ix + `"}`, "not among the keys"},
		{"short key", `{"version":1,"active":"k1","keys":{"k1":"` + k1[:20] + `"},"index_key":"` + ix + `"}`, "key k1"},
		{"key not base64", `{"version":1,"active":"k1","keys":{"k1":"` + strings.Repeat("!", 44) + `"},"index_key":"` + ix + `"}`, "not standard base64"},
		{"no index key", `{"version":1,"active":"k1","keys":{"k1":"` + k1 + `"}}`, "index_key"},
		{"index key reused", `{"version":1,"active":"k1","keys":{"k1":"` + ix + `"},"index_key":"` + ix + `"}`, "same as the index key"},
		{"key under two ids", `{"version":1,"active":"k1","keys":{"k1":"` + k1 + `","k2":"` + k1 + `"},"index_key":"` + ix + `"}`, "are the same key"},
		{"bad key id", `{"version":1,"active":"k:1","keys":{"k:1":"` + k1 + `"},"index_key":"` + ix + `"}`, "key id"},
		{"misspelt field", `{"version":1,"activ":"k1","keys":{"k1":"` + k1 + `"},"index_key":"` + ix + `"}`, "unknown field"},
		{"wrong type", `{"version":"1","active":"k1","keys":{"k1":"` + k1 + `"},"index_key":"` + ix + `"}`, "wrong type"},
		{"trailing data", `{"version":1,"active":"k1","keys":{"k1":"` + k1 + `","k2":"` + k2 + `"},"index_key":"` + ix + `"} {}`, "after the JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.json")
			if err := os.WriteFile(path, []byte(tc.json), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: err = %v, want one containing %q", err, tc.want)
			}
			_, envErr := FromEnv(env(map[string]string{"ANXIN_KEYS": tc.json}), "")
			if tc.json != "" && envErr == nil {
				t.Fatal("FromEnv accepted it")
			}
			for _, secret := range []string{k1, k2, ix, k1[:20]} {
				if strings.Contains(err.Error(), secret) || envErr != nil && strings.Contains(envErr.Error(), secret) {
					t.Fatalf("error reveals key material: %v / %v", err, envErr)
				}
			}
		})
	}
	// A valid file in the same shape loads, so the cases above fail for the
	// reason named and not for some other one.
	path := filepath.Join(t.TempDir(), "keys.json")
	valid := `{"version":1,"active":"k2","keys":{"k1":"` + k1 + `","k2":"` + k2 + `"},"index_key":"` + ix + `"}`
	if err := os.WriteFile(path, []byte(valid), 0o600); err != nil {
		t.Fatal(err)
	}
	if k := mustOpen(t, path); !slices.Equal(k.KeyIDs(), []string{"k1", "k2"}) || k.ActiveKeyID() != "k2" {
		t.Errorf("valid file: keys %v active %s", k.KeyIDs(), k.ActiveKeyID())
	}
}

func TestRotation(t *testing.T) {
	path := keyPath(t)
	k := mustOpen(t, path)
	oldID := k.ActiveKeyID()
	plains := []string{"11010519491231002X", "13800138000", "张三@example.com", "上海市浦东新区世纪大道100号"}
	var before []string
	for _, p := range plains {
		before = append(before, k.Seal(p))
	}

	newID, err := k.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	if newID == oldID || !keyIDPattern.MatchString(newID) || k.ActiveKeyID() != newID {
		t.Fatalf("BeginRotation = %q (old %q, active %q)", newID, oldID, k.ActiveKeyID())
	}
	if !slices.Equal(k.KeyIDs(), sorted(oldID, newID)) {
		t.Fatalf("KeyIDs = %v", k.KeyIDs())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file after rotation: %v, %v", fi, err)
	}

	var after []string
	for i, s := range before {
		if got, err := k.Open(s); err != nil || got != plains[i] {
			t.Fatalf("old value after BeginRotation: %q, %v", got, err)
		}
		if !k.NeedsRotation(s) {
			t.Errorf("NeedsRotation false for a value under %s", oldID)
		}
		r, err := k.Reseal(s)
		if err != nil {
			t.Fatal(err)
		}
		if KeyIDOf(r) != newID || k.NeedsRotation(r) {
			t.Errorf("Reseal left the value under %s", KeyIDOf(r))
		}
		if again, err := k.Reseal(r); err != nil || again != r {
			t.Errorf("Reseal of a current value changed it: %v", err)
		}
		after = append(after, r)
	}
	if r, err := k.Reseal(""); r != "" || err != nil {
		t.Errorf(`Reseal("") = %q, %v`, r, err)
	}
	if k.NeedsRotation("") || k.NeedsRotation("13800138000") {
		t.Error("NeedsRotation true for an empty or unsealed value")
	}

	if err := k.FinishRotation(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(k.KeyIDs(), []string{newID}) {
		t.Fatalf("KeyIDs after FinishRotation = %v", k.KeyIDs())
	}
	for i := range before {
		if _, err := k.Open(before[i]); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("value under the dropped key: err = %v, want ErrUnknownKey", err)
		}
		if got, err := k.Open(after[i]); err != nil || got != plains[i] {
			t.Errorf("resealed value: %q, %v", got, err)
		}
	}
	reopened := mustOpen(t, path)
	if !slices.Equal(reopened.KeyIDs(), []string{newID}) {
		t.Errorf("file after FinishRotation holds %v", reopened.KeyIDs())
	}
	if got := len(dirEntries(t, filepath.Dir(path))); got != 1 {
		t.Errorf("rotation left %d entries in the key directory, want 1", got)
	}
}

func TestRotationSeenByAnotherProcess(t *testing.T) {
	path := keyPath(t)
	rotator := mustOpen(t, path)
	server := mustOpen(t, path)
	old := server.Seal("13800138000")

	newID, err := rotator.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	fresh := rotator.Seal("13900139000")
	if server.ActiveKeyID() == newID {
		t.Fatal("server saw the rotation before reading the file")
	}
	if got, err := server.Open(fresh); err != nil || got != "13900139000" {
		t.Fatalf("server opening a value under the new key: %q, %v", got, err)
	}
	if server.ActiveKeyID() != newID {
		t.Errorf("after the automatic reload the server's active key is %s, want %s", server.ActiveKeyID(), newID)
	}
	if got, err := server.Open(old); err != nil || got != "13800138000" {
		t.Errorf("server opening an old value: %q, %v", got, err)
	}

	// A server that only seals notices the new active key within
	// RefreshInterval; here the interval is made to have passed.
	sealer := mustOpen(t, path)
	second, err := rotator.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	if got := KeyIDOf(sealer.Seal("x")); got == second {
		t.Fatal("sealer switched without checking the file")
	}
	sealer.nextCheck.Store(0)
	if got := KeyIDOf(sealer.Seal("x")); got != second {
		t.Errorf("after the refresh interval the sealer uses %s, want %s", got, second)
	}

	// Two rotations overlapping: the first must not drop the key it
	// re-encrypted under just because the second made another one active.
	other := mustOpen(t, path)
	if _, err := other.BeginRotation(); err != nil {
		t.Fatal(err)
	}
	rotator.nextCheck.Store(0)
	rotator.Seal("x") // picks up the other rotation's key as active
	if err := rotator.FinishRotation(); err == nil || !strings.Contains(err.Error(), "changed during the rotation") {
		t.Errorf("FinishRotation during another rotation: err = %v", err)
	}
	if err := other.FinishRotation(); err != nil {
		t.Errorf("the later rotation's FinishRotation: %v", err)
	}
	// The server still holds the dropped key until it re-reads the file;
	// after that, values under it no longer open anywhere.
	if err := server.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := server.Open(fresh); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("after Reload a dropped key still opens: %v", err)
	}
}

func TestReloadRefusesDifferentIndexKey(t *testing.T) {
	path := keyPath(t)
	k := mustOpen(t, path)
	idx := k.Index("mobile", "13800138000")
	otherPath := keyPath(t)
	mustOpen(t, otherPath)
	data, err := os.ReadFile(otherPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := k.Reload(); err == nil || !strings.Contains(err.Error(), "different index key") {
		t.Fatalf("Reload of a file with another index key: %v", err)
	}
	if _, err := k.BeginRotation(); err == nil {
		t.Error("BeginRotation over a file with another index key succeeded")
	}
	if k.Index("mobile", "13800138000") != idx {
		t.Error("the refused file changed the ring")
	}
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	// The ring an operator has after step 2 of the documented procedure: the
	// old key and a new active one.
	old := NewForTest()
	oldValue := old.Seal("11010519491231002X")
	st := old.state.Load().clone()
	newID := "k20991231beef"
	dk, _ := newDataKey(newID, randomBytes(keySize))
	st.keys[newID] = dk
	st.active = newID
	twoKeys := string(st.encode())

	filePath := filepath.Join(t.TempDir(), "secret", "keys.json")
	fileRing := mustOpen(t, filePath)
	defaultPath := keyPath(t)

	for _, tc := range []struct {
		name      string
		vars      map[string]string
		wantErr   string
		persisted bool
		check     func(t *testing.T, k *Keyring)
	}{
		{name: "ANXIN_KEYS", vars: map[string]string{"ANXIN_KEYS": twoKeys, "ANXIN_KEYS_FILE": filePath}, check: func(t *testing.T, k *Keyring) {
			if k.ActiveKeyID() != newID || !slices.Equal(k.KeyIDs(), sorted(old.ActiveKeyID(), newID)) {
				t.Errorf("active %s keys %v", k.ActiveKeyID(), k.KeyIDs())
			}
			if got, err := k.Open(oldValue); err != nil || got != "11010519491231002X" {
				t.Errorf("old value: %q, %v", got, err)
			}
			if !k.NeedsRotation(oldValue) {
				t.Error("old value does not need rotation")
			}
			r, err := k.Reseal(oldValue)
			if err != nil || KeyIDOf(r) != newID {
				t.Errorf("Reseal under env keys: %v, key %s", err, KeyIDOf(r))
			}
			if k.Index("mobile", "1") != old.Index("mobile", "1") {
				t.Error("index differs from the ring the JSON came from")
			}
			if _, err := k.BeginRotation(); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "every node") {
				t.Errorf("BeginRotation: %v", err)
			}
			if err := k.FinishRotation(); !errors.Is(err, ErrReadOnly) {
				t.Errorf("FinishRotation: %v", err)
			}
			if err := k.Reload(); err != nil {
				t.Errorf("Reload: %v", err)
			}
			if s := k.String(); !strings.Contains(s, "ANXIN_KEYS") {
				t.Errorf("String = %q", s)
			}
		}},
		{name: "ANXIN_KEYS_FILE", vars: map[string]string{"ANXIN_KEYS_FILE": filePath}, persisted: true, check: func(t *testing.T, k *Keyring) {
			if k.ActiveKeyID() != fileRing.ActiveKeyID() {
				t.Errorf("active %s, want the file's %s", k.ActiveKeyID(), fileRing.ActiveKeyID())
			}
		}},
		{name: "ANXIN_KEYS_FILE created", vars: map[string]string{"ANXIN_KEYS_FILE": filePath + ".new"}, persisted: true, check: func(t *testing.T, k *Keyring) {
			if fi, err := os.Stat(filePath + ".new"); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("file ANXIN_KEYS_FILE names: %v, %v", fi, err)
			}
		}},
		{name: "default", vars: nil, persisted: true, check: func(t *testing.T, k *Keyring) {
			if _, err := os.Stat(defaultPath); err != nil {
				t.Errorf("default key file not created: %v", err)
			}
		}},
		{name: "ANXIN_KEYS invalid", vars: map[string]string{"ANXIN_KEYS": `{"version":1}`}, wantErr: "ANXIN_KEYS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := FromEnv(env(tc.vars), defaultPath)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Persisted() != tc.persisted {
				t.Errorf("Persisted = %v, want %v", k.Persisted(), tc.persisted)
			}
			tc.check(t, k)
		})
	}
}

func TestStringHidesKeys(t *testing.T) {
	k := mustOpen(t, keyPath(t))
	st := k.state.Load()
	secrets := []string{base64.StdEncoding.EncodeToString(st.indexKey)}
	for _, dk := range st.keys {
		secrets = append(secrets, base64.StdEncoding.EncodeToString(dk.raw), string(dk.raw))
	}
	for _, format := range []string{"%v", "%+v", "%s", "%#v"} {
		out := fmt.Sprintf(format, k)
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s of a Keyring reveals a key: %s", format, out)
			}
		}
	}
}

// TestConcurrentRotation runs sealing, opening and indexing in two
// "processes" on one file while one of them rotates (run with -race).
func TestConcurrentRotation(t *testing.T) {
	path := keyPath(t)
	a := mustOpen(t, path)
	b := mustOpen(t, path)
	var stored []string
	for i := range 200 {
		stored = append(stored, a.Seal(fmt.Sprintf("1380013%04d", i)))
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			sealer, opener := a, b
			if g%2 == 1 {
				sealer, opener = b, a
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				plain := fmt.Sprintf("客户%d-%d", g, i)
				s := sealer.Seal(plain)
				got, err := opener.Open(s)
				if err != nil || got != plain {
					errs <- fmt.Errorf("goroutine %d: open %q: %q, %v", g, KeyIDOf(s), got, err)
					return
				}
				if sealer.Index("name", plain) != opener.Index("name", plain) {
					errs <- fmt.Errorf("goroutine %d: index differs between rings", g)
					return
				}
				_ = opener.NeedsRotation(s)
				_ = sealer.KeyIDs()
				if i%50 == 0 {
					if err := opener.Reload(); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}

	newID, err := a.BeginRotation()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range stored {
		if stored[i], err = a.Reseal(s); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := a.FinishRotation(); err != nil {
		t.Fatal(err)
	}
	if err := b.Reload(); err != nil {
		t.Fatal(err)
	}
	for i, s := range stored {
		if KeyIDOf(s) != newID {
			t.Fatalf("value %d under %s after the pass", i, KeyIDOf(s))
		}
		if got, err := b.Open(s); err != nil || got != fmt.Sprintf("1380013%04d", i) {
			t.Fatalf("value %d after FinishRotation: %q, %v", i, got, err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	k := fixedRing(f)
	for _, s := range []string{"", "13800138000", "enc:", "enc:v1:", "enc:v1:kfuzz:", k.Seal("11010519491231002X"), k.Seal("张三")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, err := k.Open(s)
		if err != nil {
			if plain != "" {
				t.Fatalf("Open returned %q with error %v", plain, err)
			}
			if !errors.Is(err, ErrNotSealed) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("error outside the documented set: %v", err)
			}
			if strings.HasPrefix(s, "enc:") == errors.Is(err, ErrNotSealed) {
				t.Fatalf("ErrNotSealed does not match the prefix: %v", err)
			}
		} else if s != "" {
			if KeyIDOf(s) == "" {
				t.Fatal("Open accepted a value KeyIDOf rejects")
			}
			if back, err := k.Open(k.Seal(plain)); err != nil || back != plain {
				t.Fatalf("round trip of an opened value: %q, %v", back, err)
			}
		}
		_ = k.NeedsRotation(s)
		_, _ = k.Reseal(s)
		_ = KeyIDOf(s)
	})
}

func dirEntries(t *testing.T, dir string) []os.DirEntry {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

// Benchmark inputs: an ID number (18 bytes), a Chinese address (~60 bytes)
// and a policy document (4 KiB), the sizes the store seals.
var benchValues = []struct {
	name  string
	plain string
}{
	{"id_number", "11010519491231002X"},
	{"address", "北京市朝阳区建国路88号SOHO现代城2单元1703室"},
	{"document_4KiB", strings.Repeat("x", 4096)},
}

func BenchmarkSeal(b *testing.B) {
	k := NewForTest()
	for _, v := range benchValues {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(v.plain)))
			b.ReportAllocs()
			for b.Loop() {
				k.Seal(v.plain)
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	k := NewForTest()
	for _, v := range benchValues {
		sealed := k.Seal(v.plain)
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(v.plain)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.Open(sealed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkIndex(b *testing.B) {
	k := NewForTest()
	b.ReportAllocs()
	for b.Loop() {
		k.Index("id_number", "11010519491231002X")
	}
}
