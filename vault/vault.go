package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors from Open and Reseal. They never carry the value itself, because
// error text ends up in logs and personal data must not.
var (
	// ErrNotSealed: the value has no "enc:" prefix — plaintext, or a column
	// that was never encrypted.
	ErrNotSealed = errors.New("vault: value is not sealed")
	// ErrCorrupt: the value has the prefix but is truncated, garbled,
	// tampered with or relabelled to another key.
	ErrCorrupt = errors.New("vault: sealed value is corrupt")
	// ErrUnknownKey: the value names a key this ring does not hold (not even
	// after re-reading the key file), e.g. one dropped by FinishRotation.
	ErrUnknownKey = errors.New("vault: sealed under an unknown key")
	// ErrReadOnly: the ring comes from ANXIN_KEYS and cannot be changed by
	// one process.
	ErrReadOnly = errors.New("vault: key ring is read-only")
)

// RefreshInterval is how often, at most, a file-backed ring checks while
// sealing whether another process has changed the key file. A rotation
// waits at least this long after BeginRotation before re-encrypting, so
// that no server is still sealing under the old key when the pass begins.
const RefreshInterval = 2 * time.Second

const (
	prefix    = "enc:"
	prefixV1  = "enc:v1:"
	keySize   = 32 // AES-256
	nonceSize = 12 // 96 bits: GCM's native size, no extra GHASH pass
	tagSize   = 16
	indexLen  = 22 // characters of base64url kept from the HMAC
	maxIDLen  = 64
)

// Keyring holds the data keys (AES-256, by id) with one active for new values, and the blind-index key.
//
// Reads (Seal, Open, Index) load an immutable snapshot through an atomic
// pointer and never take a lock, so a rotation in progress does not stall
// request handling; changes build a new snapshot and swap it in under mu.
type Keyring struct {
	path      string // "" for an in-memory ring
	readOnly  bool   // from ANXIN_KEYS
	state     atomic.Pointer[ringState]
	mu        sync.Mutex  // serialises Reload, rotation and file writes
	loaded    os.FileInfo // the key file as last read or written, under mu
	begun     string      // key id made by this ring's BeginRotation, under mu
	nextCheck atomic.Int64
	idx       sync.Pool // *indexer keyed with the index key, which never changes for a ring
}

// ringState is one immutable version of the ring.
type ringState struct {
	active    string
	keys      map[string]*dataKey
	indexKey  []byte
	createdAt string
}

type dataKey struct {
	id   string
	raw  []byte
	aead cipher.AEAD
	ad   []byte // the key id, as GCM additional data
}

func newDataKey(id string, raw []byte) (*dataKey, error) {
	if len(raw) != keySize {
		return nil, fmt.Errorf("key %s is %d bytes, want %d", id, len(raw), keySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &dataKey{id: id, raw: raw, aead: aead, ad: []byte(id)}, nil
}

func newKeyring(path string, readOnly bool, st *ringState) *Keyring {
	k := &Keyring{path: path, readOnly: readOnly}
	k.state.Store(st)
	// A file-backed ring has just read its file, so the first check is due
	// one interval from now.
	k.nextCheck.Store(time.Now().UnixNano() + int64(RefreshInterval))
	indexKey := st.indexKey
	k.idx.New = func() any { return &indexer{h: hmac.New(sha256.New, indexKey)} }
	return k
}

// NewForTest returns a ring with random keys that lives only in memory. It
// can rotate (in memory), which lets other packages test their re-encryption
// passes without files.
func NewForTest() *Keyring {
	id := makeKeyID(nil)
	dk, err := newDataKey(id, randomBytes(keySize))
	if err != nil {
		panic(err) // a 32-byte key cannot be refused by AES
	}
	return newKeyring("", false, &ringState{
		active:    id,
		keys:      map[string]*dataKey{id: dk},
		indexKey:  randomBytes(keySize),
		createdAt: time.Now().UTC().Format(time.RFC3339),
	})
}

// Seal encrypts plaintext under the active key. The empty string stays
// empty: it is not personal data.
func (k *Keyring) Seal(plaintext string) string {
	if plaintext == "" {
		return ""
	}
	k.refresh()
	dk := k.state.Load().activeKey()
	// One buffer holds nonce|ciphertext|tag and GCM encrypts the plaintext
	// in place in it, so a Seal allocates only that buffer, the encoded text
	// and the result.
	n := len(plaintext)
	buf := make([]byte, nonceSize+n+tagSize)
	rand.Read(buf[:nonceSize]) // never fails: crypto/rand aborts the program instead
	copy(buf[nonceSize:], plaintext)
	buf = dk.aead.Seal(buf[:nonceSize], buf[:nonceSize], buf[nonceSize:nonceSize+n], dk.ad)
	out := make([]byte, 0, len(prefixV1)+len(dk.id)+1+base64.RawURLEncoding.EncodedLen(len(buf)))
	out = append(out, prefixV1...)
	out = append(out, dk.id...)
	out = append(out, ':')
	out = base64.RawURLEncoding.AppendEncode(out, buf)
	return string(out)
}

// Open decrypts a value made by Seal. "" opens to "". A value sealed under a
// key id the ring does not know makes a file-backed ring re-read its file
// once, so a server keeps working while another process rotates.
func (k *Keyring) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, payload, err := parse(sealed)
	if err != nil {
		return "", err
	}
	dk, err := k.key(id)
	if err != nil {
		return "", err
	}
	return dk.open(payload)
}

func (dk *dataKey) open(payload string) (string, error) {
	enc := base64.RawURLEncoding.Strict()
	if len(payload) < enc.EncodedLen(nonceSize+tagSize) {
		return "", fmt.Errorf("%w: too short", ErrCorrupt)
	}
	raw, err := enc.DecodeString(payload)
	if err != nil {
		return "", fmt.Errorf("%w: not base64url", ErrCorrupt)
	}
	if len(raw) < nonceSize+tagSize {
		return "", fmt.Errorf("%w: too short", ErrCorrupt)
	}
	// Decrypt in place: the plaintext is copied into a string anyway.
	plain, err := dk.aead.Open(raw[nonceSize:nonceSize], raw[:nonceSize], raw[nonceSize:], dk.ad)
	if err != nil {
		return "", fmt.Errorf("%w: authentication failed under key %s", ErrCorrupt, dk.id)
	}
	return string(plain), nil
}

// parse splits "enc:v1:<id>:<payload>" without judging the payload.
func parse(sealed string) (id, payload string, err error) {
	if !strings.HasPrefix(sealed, prefix) {
		return "", "", ErrNotSealed
	}
	rest, ok := strings.CutPrefix(sealed, prefixV1)
	if !ok {
		return "", "", fmt.Errorf("%w: unknown format version", ErrCorrupt)
	}
	id, payload, ok = strings.Cut(rest, ":")
	if !ok || !validKeyID(id) {
		return "", "", fmt.Errorf("%w: malformed key id", ErrCorrupt)
	}
	return id, payload, nil
}

// KeyIDOf returns the id of the key a value is sealed under, or "" if the
// value is not a well-formed sealed value.
func KeyIDOf(sealed string) string {
	id, _, err := parse(sealed)
	if err != nil {
		return ""
	}
	return id
}

// key finds a data key by id, re-reading the key file once if it is unknown.
func (k *Keyring) key(id string) (*dataKey, error) {
	if dk := k.state.Load().keys[id]; dk != nil {
		return dk, nil
	}
	if k.path != "" {
		// Errors are dropped here on purpose: the caller's problem is the
		// unknown key, and a broken file is reported by Reload and at start-up.
		_ = k.reloadIfChanged()
		if dk := k.state.Load().keys[id]; dk != nil {
			return dk, nil
		}
	}
	return nil, fmt.Errorf("%w %s", ErrUnknownKey, id)
}

// ActiveKeyID returns the id new values are sealed under.
func (k *Keyring) ActiveKeyID() string { return k.state.Load().active }

// KeyIDs returns the ids of every key that can decrypt, sorted (ids made by
// this package sort by date).
func (k *Keyring) KeyIDs() []string {
	st := k.state.Load()
	ids := make([]string, 0, len(st.keys))
	for id := range st.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Persisted reports whether the ring is backed by a key file that
// BeginRotation and FinishRotation update. It is false for ANXIN_KEYS and for
// NewForTest.
func (k *Keyring) Persisted() bool { return k.path != "" }

// String names the ring without revealing key material, so a ring that
// slips into a log line or a %v leaks nothing.
func (k *Keyring) String() string {
	st := k.state.Load()
	src := "memory"
	switch {
	case k.path != "":
		src = k.path
	case k.readOnly:
		src = "ANXIN_KEYS"
	}
	return fmt.Sprintf("vault.Keyring(%s, active %s, %d keys)", src, st.active, len(st.keys))
}

// Index returns the blind index of a normalized value: base64url of
// HMAC-SHA256(indexKey, kind + "\x00" + normalized), first 22 characters.
// "" stays "". kind must be a non-empty constant without NUL bytes; anything
// else is a programming error and panics, because an index computed under a
// malformed kind could collide with another kind's and would silently break
// lookups.
func (k *Keyring) Index(kind, normalized string) string {
	if normalized == "" {
		return ""
	}
	if kind == "" || strings.IndexByte(kind, 0) >= 0 {
		panic("vault: Index kind must be non-empty and contain no NUL byte")
	}
	x := k.idx.Get().(*indexer)
	x.h.Reset()
	x.in = append(append(append(x.in[:0], kind...), 0), normalized...)
	x.h.Write(x.in)
	var out [44]byte // base64 of 32 bytes is 43 characters unpadded
	base64.RawURLEncoding.Encode(out[:], x.h.Sum(x.sum[:0]))
	k.idx.Put(x)
	return string(out[:indexLen])
}

// indexer is a keyed HMAC with its buffers, pooled so that computing an
// index allocates only the result.
type indexer struct {
	h   hash.Hash
	in  []byte
	sum [sha256.Size]byte
}

// NeedsRotation reports whether a value is sealed under a key other than the
// active one. It is false for "", for plaintext and for malformed values:
// Reseal and Open are where those are reported.
func (k *Keyring) NeedsRotation(sealed string) bool {
	id := KeyIDOf(sealed)
	if id == "" {
		return false
	}
	k.refresh()
	return id != k.state.Load().active
}

// Reseal re-encrypts a value under the active key ("" stays ""). A value
// already under the active key is checked and returned unchanged, so a
// resumed or repeated pass does not rewrite rows for nothing.
func (k *Keyring) Reseal(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	plain, err := k.Open(sealed)
	if err != nil {
		return "", err
	}
	if KeyIDOf(sealed) == k.state.Load().active {
		return sealed, nil
	}
	return k.Seal(plain), nil
}

func (st *ringState) activeKey() *dataKey { return st.keys[st.active] }

// refresh lets a server notice another process's rotation even if it only
// seals: otherwise it would keep writing under the old key while the
// rotation's pass runs, and those values would be lost at FinishRotation.
// Only the goroutine that wins the compare-and-swap pays for the stat.
func (k *Keyring) refresh() {
	if k.path == "" {
		return
	}
	now := time.Now().UnixNano()
	next := k.nextCheck.Load()
	if now < next || !k.nextCheck.CompareAndSwap(next, now+int64(RefreshInterval)) {
		return
	}
	// A file that cannot be read right now leaves the ring as it is; the
	// next Reload or start-up reports the problem.
	_ = k.reloadIfChanged()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// makeKeyID makes "k" + UTC date + four random hex digits, unique in taken.
func makeKeyID(taken map[string]*dataKey) string {
	date := time.Now().UTC().Format("20060102")
	for {
		var r [2]byte
		rand.Read(r[:])
		id := fmt.Sprintf("k%s%02x%02x", date, r[0], r[1])
		if _, dup := taken[id]; !dup {
			return id
		}
	}
}

// validKeyID keeps ids to characters that cannot break the sealed format
// (no ':') or a log line, whether made here or named by an operator.
func validKeyID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
