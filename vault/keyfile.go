package vault

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// keyFile is the JSON form of a ring, in a file or in ANXIN_KEYS.
type keyFile struct {
	Version   int               `json:"version"`
	Active    string            `json:"active"`
	Keys      map[string]string `json:"keys"`
	IndexKey  string            `json:"index_key"`
	CreatedAt string            `json:"created_at,omitempty"`
}

const (
	fileVersion = 1
	maxFileSize = 1 << 20 // a ring with hundreds of keys is a few tens of KB
)

// Open loads the key file at path, creating it with one fresh data key and
// an index key if it does not exist. It refuses a file that group or others
// may read or write.
func Open(path string) (*Keyring, error) {
	if path == "" {
		return nil, errors.New("vault: no key file path")
	}
	st, info, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		st, info, err = createKeyFile(path)
	}
	if err != nil {
		return nil, err
	}
	k := newKeyring(path, false, st)
	k.loaded = info
	return k, nil
}

// FromEnv chooses the key source: ANXIN_KEYS (the key file's JSON) gives an
// in-memory, read-only ring; else ANXIN_KEYS_FILE names a key file; else the
// key file is at defaultPath. A key file is created if absent (see Open).
// getenv is os.Getenv outside tests.
func FromEnv(getenv func(string) string, defaultPath string) (*Keyring, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if js := strings.TrimSpace(getenv("ANXIN_KEYS")); js != "" {
		st, err := decodeRing([]byte(js))
		if err != nil {
			return nil, fmt.Errorf("vault: ANXIN_KEYS: %w", err)
		}
		return newKeyring("", true, st), nil
	}
	if path := strings.TrimSpace(getenv("ANXIN_KEYS_FILE")); path != "" {
		return Open(path)
	}
	return Open(defaultPath)
}

// Reload re-reads the key file, picking up a rotation made by another
// process. It refuses a file whose index key differs from the one in use,
// since every stored index would stop matching. A ring without a file has
// nothing to re-read and returns nil.
func (k *Keyring) Reload() error {
	if k.path == "" {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.reloadLocked()
}

func (k *Keyring) reloadLocked() error {
	st, info, err := readKeyFile(k.path)
	if err != nil {
		return err
	}
	if err := sameIndexKey(k.state.Load(), st, k.path); err != nil {
		return err
	}
	k.state.Store(st)
	k.loaded = info
	return nil
}

// reloadIfChanged re-reads the key file only if it is not the file last
// read or written: a rotation replaces the file by rename, so its identity
// changes. This keeps values with bogus key ids from forcing a file read
// each.
func (k *Keyring) reloadIfChanged() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	info, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("vault: key file: %w", err)
	}
	if l := k.loaded; l != nil && os.SameFile(info, l) && info.ModTime().Equal(l.ModTime()) && info.Size() == l.Size() {
		return nil
	}
	return k.reloadLocked()
}

// BeginRotation adds a fresh data key, makes it active and saves the file.
// Old keys stay so that existing values still open. The index key is not
// touched (see the package documentation).
func (k *Keyring) BeginRotation() (newKeyID string, err error) {
	if k.readOnly {
		return "", fmt.Errorf("%w: keys come from ANXIN_KEYS, which this process cannot change on the other nodes; "+
			"add the new key to ANXIN_KEYS on every node, then make it active, then run rotate, then remove the old key", ErrReadOnly)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.path != "" {
		// Start from the file, not from memory, so that a change another
		// process made is kept rather than overwritten.
		if err := k.reloadLocked(); err != nil {
			return "", err
		}
	}
	cur := k.state.Load()
	id := makeKeyID(cur.keys)
	dk, err := newDataKey(id, randomBytes(keySize))
	if err != nil {
		return "", err
	}
	next := cur.clone()
	next.keys[id] = dk
	next.active = id
	if err := k.saveLocked(next); err != nil {
		return "", err
	}
	k.state.Store(next)
	k.begun = id
	return id, nil
}

// FinishRotation drops every key but the active one and saves the file.
// Values still sealed under a dropped key can no longer be opened, so call it
// only after a re-encryption pass has found nothing left under old keys.
// It refuses if the key file's active key is not the one this ring's
// BeginRotation made (or, in a process that did not begin the rotation, the
// one it holds as active): then another rotation began meanwhile, and the
// values just re-encrypted would be under a key about to be dropped.
func (k *Keyring) FinishRotation() error {
	if k.readOnly {
		return fmt.Errorf("%w: keys come from ANXIN_KEYS; remove the old key from ANXIN_KEYS on every node instead", ErrReadOnly)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	cur := k.state.Load()
	want := cur.active
	if k.begun != "" {
		want = k.begun
	}
	if k.path != "" {
		onDisk, _, err := readKeyFile(k.path)
		if err != nil {
			return err
		}
		if err := sameIndexKey(cur, onDisk, k.path); err != nil {
			return err
		}
		if onDisk.active != want {
			return fmt.Errorf("vault: key file %s changed during the rotation: its active key is %s, this process re-encrypted under %s; run the rotation again",
				k.path, onDisk.active, want)
		}
		cur = onDisk
	}
	next := cur.clone()
	for id := range next.keys {
		if id != next.active {
			delete(next.keys, id)
		}
	}
	if err := k.saveLocked(next); err != nil {
		return err
	}
	k.state.Store(next)
	k.begun = ""
	return nil
}

func (st *ringState) clone() *ringState {
	c := *st
	c.keys = make(map[string]*dataKey, len(st.keys)+1)
	for id, dk := range st.keys {
		c.keys[id] = dk
	}
	return &c
}

func sameIndexKey(have, got *ringState, path string) error {
	if !hmac.Equal(have.indexKey, got.indexKey) {
		return fmt.Errorf("vault: key file %s has a different index key than the one in use; every blind index would stop matching, so it is not loaded", path)
	}
	return nil
}

// readKeyFile reads and checks the key file. The mode is checked on the open
// descriptor, so the file checked is the file read.
func readKeyFile(path string) (*ringState, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("vault: key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("vault: key file %s is not a regular file", path)
	}
	// Windows has no Unix permission bits to check; its ACLs are the
	// operator's to set.
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, nil, fmt.Errorf("vault: key file %s has mode %04o: group or others can access it, so its keys must be assumed exposed; "+
			"restrict it with chmod 600 (and rotate if others may have read it)", path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("vault: key file: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, nil, fmt.Errorf("vault: key file %s is larger than %d bytes", path, maxFileSize)
	}
	st, err := decodeRing(data)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: key file %s: %w", path, err)
	}
	return st, info, nil
}

// createKeyFile makes a new ring and publishes it with a hard link, which
// fails if the file exists: two processes starting at once on a fresh data
// directory then agree on one ring instead of the later one overwriting the
// keys the earlier one already used.
func createKeyFile(path string) (*ringState, os.FileInfo, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("vault: create key directory: %w", err)
	}
	id := makeKeyID(nil)
	dk, err := newDataKey(id, randomBytes(keySize))
	if err != nil {
		return nil, nil, err
	}
	st := &ringState{
		active:    id,
		keys:      map[string]*dataKey{id: dk},
		indexKey:  randomBytes(keySize),
		createdAt: time.Now().UTC().Format(time.RFC3339),
	}
	tmp, err := writeTemp(dir, st.encode())
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		return nil, nil, fmt.Errorf("vault: create key file: %w", err)
	}
	syncDir(dir)
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("vault: key file: %w", err)
	}
	return st, info, nil
}

// saveLocked replaces the key file atomically: a crash leaves either the old
// file or the new one, never a torn one that would lose every key.
func (k *Keyring) saveLocked(st *ringState) error {
	if k.path == "" {
		return nil
	}
	dir := filepath.Dir(k.path)
	tmp, err := writeTemp(dir, st.encode())
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, k.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: replace key file: %w", err)
	}
	syncDir(dir)
	info, err := os.Stat(k.path)
	if err != nil {
		return fmt.Errorf("vault: key file: %w", err)
	}
	k.loaded = info
	return nil
}

// writeTemp writes data to a new 0600 file in dir, synced to disk, and
// returns its name.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".keys-*.tmp")
	if err != nil {
		return "", fmt.Errorf("vault: write key file: %w", err)
	}
	name := f.Name()
	err = f.Chmod(0o600) // CreateTemp's mode is subject to umask; state it
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("vault: write key file: %w", err)
	}
	return name, nil
}

// syncDir makes a rename or link durable. Its error is ignored because some
// platforms and file systems cannot sync a directory; the data itself was
// already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func (st *ringState) encode() []byte {
	f := keyFile{
		Version:   fileVersion,
		Active:    st.active,
		Keys:      make(map[string]string, len(st.keys)),
		IndexKey:  base64.StdEncoding.EncodeToString(st.indexKey),
		CreatedAt: st.createdAt,
	}
	for id, dk := range st.keys {
		f.Keys[id] = base64.StdEncoding.EncodeToString(dk.raw)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		panic(err) // strings and a map of strings always marshal
	}
	return append(data, '\n')
}

// decodeRing parses and checks a ring's JSON. Its errors never quote the
// input, which holds the keys.
func decodeRing(data []byte) (*ringState, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	// A misspelt field ("activ") would otherwise be ignored and the ring
	// would silently differ from what the operator wrote.
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("unsupported version %d (want %d)", f.Version, fileVersion)
	}
	if len(f.Keys) == 0 {
		return nil, errors.New("no data keys")
	}
	if f.Active == "" {
		return nil, errors.New("no active key")
	}
	if _, ok := f.Keys[f.Active]; !ok {
		return nil, fmt.Errorf("active key %s is not among the keys", f.Active)
	}
	indexKey, err := decodeKey(f.IndexKey)
	if err != nil {
		return nil, fmt.Errorf("index_key: %w", err)
	}
	st := &ringState{
		active:    f.Active,
		keys:      make(map[string]*dataKey, len(f.Keys)),
		indexKey:  indexKey,
		createdAt: f.CreatedAt,
	}
	for id, enc := range f.Keys {
		if !validKeyID(id) {
			return nil, fmt.Errorf("key id %q: use 1 to %d letters, digits, '-' or '_'", id, maxIDLen)
		}
		raw, err := decodeKey(enc)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", id, err)
		}
		// A key reused for a second purpose or under a second id is almost
		// always a copy-and-paste slip while editing ANXIN_KEYS.
		if hmac.Equal(raw, indexKey) {
			return nil, fmt.Errorf("key %s is the same as the index key", id)
		}
		for other, dk := range st.keys {
			if hmac.Equal(raw, dk.raw) {
				return nil, fmt.Errorf("keys %s and %s are the same key", other, id)
			}
		}
		if st.keys[id], err = newDataKey(id, raw); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func decodeKey(s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not standard base64")
	}
	if len(raw) != keySize {
		return nil, fmt.Errorf("%d bytes, want %d", len(raw), keySize)
	}
	return raw, nil
}

// jsonError describes a decoding error by position or field only; the
// standard messages can quote part of the input.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("field %q has the wrong type", typ.Field)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errors.New("unknown field (allowed: version, active, keys, index_key, created_at)")
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("empty or truncated JSON")
	default:
		return errors.New("not a valid key ring")
	}
}
