// Package vault encrypts personal data field by field and computes blind
// indexes for exact lookups, with key rotation. It uses only the standard
// library: AES-256-GCM for values, HMAC-SHA256 for indexes.
//
// # What it protects against
//
// A copy of the database on its own — a backup, a dump handed to a vendor, a
// stolen disk — reveals no ID number, phone, email, bank account, address or
// health detail, because those columns hold sealed values and the keys live
// elsewhere (PIPL art. 51: encryption and de-identification as safeguards).
// A sealed value is not bound to its row or column: someone who can write
// the database can move a ciphertext from one row to another. Stopping a
// malicious writer is the job of access control and the audit log, not of
// this package.
//
// # Sealed values
//
//	enc:v1:<keyid>:<base64url(nonce | ciphertext | tag)>
//
// The nonce is 96 bits from crypto/rand, fresh for every Seal, so sealing the
// same text twice gives two different values and equal ciphertexts reveal
// nothing. The key id is GCM additional data: a value relabelled with
// another key id fails to open instead of being tried under the wrong key.
// base64url is unpadded (RFC 4648 §5 without '='), so a value is safe in a
// URL, a CSV cell or a JSON string without escaping.
//
// The empty string stays empty: it is not personal data, and keeping it empty
// lets "not provided" stay visible to SQL without a key. Open refuses a
// value without the "enc:" prefix (ErrNotSealed) rather than passing it
// through, so a column that was never encrypted cannot be mistaken for one
// that was.
//
// # Blind indexes
//
// Encrypted values cannot be compared in SQL, so each searchable field also
// stores Index(kind, normalized): the first 22 characters of
// base64url(HMAC-SHA256(indexKey, kind + "\x00" + normalized)), 132 bits —
// far more than enough to make a false match between two different values
// negligible while keeping the index column short. The kind ("mobile",
// "id_number", ...) keeps an ID number and a phone number that happen to be
// the same digits from sharing an index. Callers normalise before indexing
// (upper-case the ID number's check character, strip spaces and +86 from a
// mobile); the package does not guess.
//
// An index is deterministic by design, so it reveals which rows share a value.
// That is the price of exact lookup; fields nobody searches by (address,
// health details) get no index.
//
// # Key file
//
// The embedded default keeps keys in <data>/keys.json, created on first use
// with mode 0600 in a directory with mode 0700:
//
//	{
//	  "version": 1,
//	  "active": "k20261125a1b2",
//	  "keys": {
//	    "k20261125a1b2": "<base64 of 32 random bytes>"
//	  },
//	  "index_key": "<base64 of 32 random bytes>",
//	  "created_at": "2026-11-25T08:00:00Z"
//	}
//
// "keys" holds every data key that can still decrypt; "active" names the one
// new values are sealed under. Key ids are "k", the UTC date the key was
// made, and four random hex digits; any id of 1 to 64 letters, digits, '-'
// or '_' is accepted, so an operator can name keys by hand. Keys are standard
// base64 (what `openssl rand -base64 32` prints). Open refuses a file that
// group or others can read or write: a key file anyone on the machine can
// read is no protection at all, and failing loudly at start-up is the only
// moment someone will notice.
//
// In production the keys come from the environment instead (FromEnv):
// ANXIN_KEYS holds the same JSON, or ANXIN_KEYS_FILE names a file in this
// format that several nodes can share. Like the default, a file named by
// ANXIN_KEYS_FILE is created if it does not exist, so check the path: a
// mistyped one gives the server a fresh key of its own, and it will fail to
// open every value written under the real one.
//
// # Rotating data keys (key file)
//
// `anxin keys rotate` runs, while servers keep serving:
//
//  1. BeginRotation adds a fresh key, makes it active and rewrites the file
//     atomically (temporary file, fsync, rename). Old keys stay, so every
//     existing value still opens.
//  2. It waits RefreshInterval. A server on the same file checks it at most
//     that often while sealing, and switches to the new active key; it also
//     re-reads the file at once when Open meets a key id it does not know.
//  3. It re-encrypts, in batches, every value for which NeedsRotation is true
//     (Reseal), until a full pass finds none.
//  4. FinishRotation drops every key but the active one. Values still under an
//     old key no longer open after this step, which is why step 3 must end
//     with a pass that finds nothing.
//
// Run one rotation at a time. FinishRotation refuses to proceed if the file's
// active key is no longer the one this process's BeginRotation made, which
// catches two rotations overlapping.
//
// The index key is not rotated. Changing it invalidates every blind index at
// once, so it means recomputing all of them from the decrypted values while
// lookups are unavailable or served twice; that is a separate, deliberate
// operation outside this package. Reload refuses a file whose index key
// differs from the one in memory, so a server never mixes two.
//
// # Rotating data keys (environment)
//
// A ring from ANXIN_KEYS is read-only: the variable lives on every node and no
// process can change it for the others. BeginRotation and FinishRotation
// return ErrReadOnly, and `anxin keys rotate` re-encrypts under whatever key
// is active (Persisted reports which case applies). The procedure:
//
//  1. Generate a key (`openssl rand -base64 32`) and an id
//     (k<yyyymmdd><4 hex>). Add it to "keys" in ANXIN_KEYS on every node,
//     leaving "active" unchanged, and redeploy. Every node can now read both.
//  2. Set "active" to the new id on every node and redeploy. While this rolls
//     out some nodes write under the old key and some under the new; both are
//     readable everywhere because of step 1.
//  3. Once every node runs with the new active key, run `anxin keys rotate`
//     with the same ANXIN_KEYS; repeat until it reports nothing left.
//  4. Remove the old key from ANXIN_KEYS on every node and redeploy.
//
// Skipping step 1 — adding and activating in one deploy — leaves a window in
// which a node that has not been updated cannot read what an updated node
// wrote.
package vault
