package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
)

// AuditChains is the number of hash chains the audit log is split into.
// Appending to a chain locks its head row until the transaction commits; with
// one chain every audited write in the cluster would queue behind that one
// lock, with sixteen the writers of different objects rarely meet.
const AuditChains = 16

// The problems VerifyAudit reports.
const (
	AuditHashMismatch = "hash mismatch" // a record's fields no longer match its hash: it was edited
	AuditBrokenLink   = "broken link"   // a record's prev_hash is not the hash of the record before it
	AuditGap          = "gap"           // a seq number is missing: a record was deleted
	AuditHeadMismatch = "head mismatch" // a chain's head disagrees with its last record
)

// AuditRecord is one entry of the audit log: who did what to which object,
// when and from where. AppendAudit sets Chain, Seq, At, PrevHash and Hash
// (and ID when empty); the caller fills the rest.
type AuditRecord struct {
	Chain int
	Seq   int64
	ID    string
	At    time.Time // the transaction's instant, UTC

	ActorKind string // staff, customer, system or token
	ActorID   string
	ActorName string
	ActorRole string
	Channel   string // console, api, cli, job, import…
	IP        string
	RequestID string

	ObjectType string // customer, policy, product, staff, session, calendar, export…
	ObjectID   string
	Action     string // create, update, delete, sign_in, unmask, export…

	// Changes maps a field to its [before, after] values. Callers pass
	// values already masked as the reader of the log may see them: the
	// store writes what it is given and never sees plaintext personal data.
	// It is stored as JSON with sorted keys; read back, numbers are
	// json.Number so that no precision is lost.
	Changes map[string][2]any
	Detail  string

	PrevHash string
	Hash     string
}

// Cursor is the paging position after r, for AuditFilter.Cursor.
func (r AuditRecord) Cursor() string {
	return r.At.UTC().Format(time.RFC3339Nano) + " " + r.ID
}

// AuditChainOf is the chain that holds the history of one object. FNV-1a
// is stable across releases and platforms, which the mapping must be: a
// changed mapping would split an object's history over two chains.
func AuditChainOf(objectType, objectID string) int {
	h := fnv.New32a()
	h.Write([]byte(objectType))
	h.Write([]byte{0})
	h.Write([]byte(objectID))
	return int(h.Sum32() % AuditChains)
}

// auditGenesis is the hash a chain starts from; the migration seeds the
// heads with the same values and VerifyAudit recomputes them, so an edited
// seed is found too.
func auditGenesis(chain int) string {
	sum := sha256.Sum256([]byte("anxin-audit-genesis-" + strconv.Itoa(chain)))
	return hex.EncodeToString(sum[:])
}

// auditRow is a record as stored: Changes is the JSON text itself. Hashes
// are computed over this text, so verifying never depends on how a JSON
// library re-encodes a value.
type auditRow struct {
	chain                                         int
	seq                                           int64
	id                                            string
	at                                            time.Time
	actorKind, actorID, actorName, actorRole      string
	channel, ip, requestID                        string
	objectType, objectID, action, changes, detail string
	prevHash, hash                                string
}

const auditColumns = `chain, seq, id, at, actor_kind, actor_id, actor_name, actor_role, channel, ip, request_id,
	object_type, object_id, action, changes, detail, prev_hash, hash`

func (r *auditRow) scanTargets() []any {
	return []any{&r.chain, &r.seq, &r.id, &r.at, &r.actorKind, &r.actorID, &r.actorName, &r.actorRole, &r.channel, &r.ip, &r.requestID,
		&r.objectType, &r.objectID, &r.action, &r.changes, &r.detail, &r.prevHash, &r.hash}
}

// auditHasher computes record hashes, reusing one buffer across rows so
// that verifying a large log allocates next to nothing per record.
type auditHasher struct{ buf []byte }

// sum is hex(SHA-256) of the canonical encoding of r: a version tag, then
// every field but the hash itself as <byte length>:<bytes>, in a fixed
// order. The length prefixes make the encoding unambiguous, so no two
// different records encode alike however their fields are chosen; the time
// is RFC 3339 in UTC with nanoseconds, which both engines round-trip.
func (h *auditHasher) sum(r *auditRow) string {
	var tmp [64]byte // numbers and the time are formatted here, on the stack
	b := append(h.buf[:0], "anxin-audit-v1"...)
	b = appendAuditField(b, strconv.AppendInt(tmp[:0], int64(r.chain), 10))
	b = appendAuditField(b, strconv.AppendInt(tmp[:0], r.seq, 10))
	b = appendAuditField(b, r.at.UTC().AppendFormat(tmp[:0], time.RFC3339Nano))
	for _, s := range [...]string{r.id, r.actorKind, r.actorID, r.actorName, r.actorRole, r.channel, r.ip, r.requestID,
		r.objectType, r.objectID, r.action, r.changes, r.detail, r.prevHash} {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	h.buf = b
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func appendAuditField(b, p []byte) []byte {
	b = strconv.AppendInt(b, int64(len(p)), 10)
	b = append(b, ':')
	return append(b, p...)
}

// AppendAudit adds r to the audit log in the caller's transaction, so the
// record commits with the change it describes or not at all.
//
// The head row of r's chain stays locked until the transaction ends: audit
// as the last step of a transaction, so that the lock is held briefly. A
// transaction that audits several objects should pass them to AppendAudits
// in one call, which locks chains in ascending order; two transactions that
// lock the same two chains in opposite orders would deadlock on PostgreSQL.
func (tx *Tx) AppendAudit(ctx context.Context, r *AuditRecord) error {
	return tx.AppendAudits(ctx, []*AuditRecord{r})
}

// AppendAudits adds several records in the caller's transaction, taking
// each chain's head once for all of its records. Records of one object keep
// the order they are given in.
func (tx *Tx) AppendAudits(ctx context.Context, rs []*AuditRecord) error {
	if len(rs) == 0 {
		return nil
	}
	rows := make([]auditRow, len(rs))
	for i, r := range rs {
		if err := validAudit(r); err != nil {
			return err
		}
		changes, err := auditChangesJSON(r.Changes)
		if err != nil {
			return fmt.Errorf("audit %s %s: %w", r.ObjectType, r.Action, err)
		}
		if r.ID == "" {
			r.ID = anxin.NewID(tx.Now)
		}
		r.At = tx.Now
		r.Chain = AuditChainOf(r.ObjectType, r.ObjectID)
		rows[i] = auditRow{chain: r.Chain, id: r.ID, at: r.At, actorKind: r.ActorKind, actorID: r.ActorID, actorName: r.ActorName,
			actorRole: r.ActorRole, channel: r.Channel, ip: r.IP, requestID: r.RequestID, objectType: r.ObjectType, objectID: r.ObjectID,
			action: r.Action, changes: changes, detail: r.Detail}
	}
	order := make([]int, len(rs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rows[a].chain, rows[b].chain) })
	var h auditHasher
	for start := 0; start < len(order); {
		chain := rows[order[start]].chain
		end := start
		for end < len(order) && rows[order[end]].chain == chain {
			end++
		}
		// Advancing seq first takes the head row's lock (PostgreSQL waits
		// here for an earlier writer of this chain to commit) and reads the
		// head as that writer left it. hash is not assigned, so RETURNING
		// gives the previous record's hash.
		var seq int64
		var prev string
		err := tx.QueryRowContext(ctx, `UPDATE audit_chains SET seq = seq + $1 WHERE chain = $2 RETURNING seq, hash`, end-start, chain).Scan(&seq, &prev)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit chain %d has no head row: is migration 00003 applied?", chain)
		} else if err != nil {
			return translate(err)
		}
		seq -= int64(end - start)
		for _, i := range order[start:end] {
			row := &rows[i]
			seq++
			row.seq, row.prevHash = seq, prev
			row.hash = h.sum(row)
			prev = row.hash
			_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (`+auditColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
				row.chain, row.seq, row.id, row.at, row.actorKind, row.actorID, row.actorName, row.actorRole, row.channel, row.ip, row.requestID,
				row.objectType, row.objectID, row.action, row.changes, row.detail, row.prevHash, row.hash)
			if err != nil {
				return translate(err)
			}
			rs[i].Seq, rs[i].PrevHash, rs[i].Hash = row.seq, row.prevHash, row.hash
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_chains SET hash = $1 WHERE chain = $2`, prev, chain); err != nil {
			return translate(err)
		}
		start = end
	}
	return nil
}

// validAudit checks what the schema would otherwise reject with a less
// helpful message. These are programming errors, not user input.
func validAudit(r *AuditRecord) error {
	switch r.ActorKind {
	case "staff", "customer", "system", "token":
	default:
		return anxin.Errorf(anxin.EInvalid, "audit record: actor kind %q is not staff, customer, system or token", r.ActorKind)
	}
	if r.ObjectType == "" || r.Action == "" {
		return anxin.Errorf(anxin.EInvalid, "audit record: object type and action are required")
	}
	return nil
}

// auditChangesJSON encodes changes with sorted keys (encoding/json sorts
// map keys), "{}" for none.
func auditChangesJSON(c map[string][2]any) (string, error) {
	if len(c) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(c)
	return string(b), err
}

// AuditBreak is the first place where the audit log is not what it was
// written as.
type AuditBreak struct {
	Chain   int
	Seq     int64
	ID      string // the record concerned; empty when it is missing
	Problem string // AuditHashMismatch, AuditBrokenLink, AuditGap or AuditHeadMismatch
	Detail  string // what exactly differs, in English
}

func (b *AuditBreak) String() string {
	id := b.ID
	if id == "" {
		id = "none"
	}
	return fmt.Sprintf("chain %d seq %d (record %s): %s: %s", b.Chain, b.Seq, id, b.Problem, b.Detail)
}

// VerifyResult is what VerifyAudit found.
type VerifyResult struct {
	OK      bool        // every chain is intact
	Records int64       // records checked
	Chains  int         // chains checked
	Broken  *AuditBreak // the first broken link when not OK
}

// auditProgressEvery is how many records pass between progress reports.
const auditProgressEvery = 4096

// VerifyAudit walks every chain in seq order, recomputing each record's
// hash and checking its link to the record before, seq continuity, and that
// the chain's head matches its last record. It stops at the first problem.
// progress, when not nil, is called with the number of records checked so
// far every few thousand records and once at the end.
//
// It reads one snapshot (a read-only transaction: REPEATABLE READ on
// PostgreSQL, a WAL read transaction on SQLite), so records appended while
// it runs neither appear half-way nor make a head look wrong. Rows stream
// from the database one at a time; memory does not grow with the log.
func (db *DB) VerifyAudit(ctx context.Context, progress func(done int)) (VerifyResult, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return VerifyResult{}, translate(err)
	}
	defer tx.Rollback()

	type head struct {
		seq  int64
		hash string
	}
	heads := map[int]head{}
	rows, err := tx.QueryContext(ctx, `SELECT chain, seq, hash FROM audit_chains ORDER BY chain`)
	if err != nil {
		return VerifyResult{}, translate(err)
	}
	for rows.Next() {
		var c int
		var hd head
		if err := rows.Scan(&c, &hd.seq, &hd.hash); err != nil {
			rows.Close()
			return VerifyResult{}, err
		}
		heads[c] = hd
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return VerifyResult{}, err
	}

	var res VerifyResult
	broken := func(b AuditBreak) (VerifyResult, error) {
		res.Broken = &b
		if progress != nil {
			progress(int(res.Records))
		}
		return res, nil
	}
	var h auditHasher
	var row auditRow
	targets := row.scanTargets()
	for chain := range AuditChains {
		hd, ok := heads[chain]
		if !ok {
			return broken(AuditBreak{Chain: chain, Problem: AuditHeadMismatch, Detail: "the chain has no head row"})
		}
		delete(heads, chain)
		res.Chains++
		last := struct {
			seq  int64
			id   string
			hash string
		}{0, "", auditGenesis(chain)}
		rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE chain = $1 ORDER BY seq`, chain)
		if err != nil {
			return VerifyResult{}, translate(err)
		}
		var b *AuditBreak
		for rows.Next() {
			if err := rows.Scan(targets...); err != nil {
				rows.Close()
				return VerifyResult{}, err
			}
			switch {
			case row.seq != last.seq+1:
				b = &AuditBreak{Chain: chain, Seq: last.seq + 1, ID: row.id, Problem: AuditGap,
					Detail: auditGapDetail(last.seq+1, row.seq)}
			case row.prevHash != last.hash:
				b = &AuditBreak{Chain: chain, Seq: row.seq, ID: row.id, Problem: AuditBrokenLink,
					Detail: fmt.Sprintf("prev_hash %s is not the hash of seq %d (%s)", short(row.prevHash), last.seq, short(last.hash))}
			case h.sum(&row) != row.hash:
				b = &AuditBreak{Chain: chain, Seq: row.seq, ID: row.id, Problem: AuditHashMismatch,
					Detail: "the record's fields do not match its hash: it was changed after it was written"}
			case row.seq > hd.seq:
				b = &AuditBreak{Chain: chain, Seq: row.seq, ID: row.id, Problem: AuditHeadMismatch,
					Detail: fmt.Sprintf("the record lies beyond the chain's head at seq %d: it was not appended through the chain", hd.seq)}
			}
			if b != nil {
				break
			}
			last.seq, last.id, last.hash = row.seq, row.id, row.hash
			res.Records++
			if progress != nil && res.Records%auditProgressEvery == 0 {
				progress(int(res.Records))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return VerifyResult{}, err
		}
		if b != nil {
			return broken(*b)
		}
		switch {
		case hd.seq > last.seq:
			return broken(AuditBreak{Chain: chain, Seq: last.seq + 1, Problem: AuditHeadMismatch,
				Detail: fmt.Sprintf("the head is at seq %d but the chain ends at seq %d: records at its end were deleted", hd.seq, last.seq)})
		case hd.seq != last.seq || hd.hash != last.hash:
			return broken(AuditBreak{Chain: chain, Seq: hd.seq, ID: last.id, Problem: AuditHeadMismatch,
				Detail: fmt.Sprintf("the head (seq %d, %s) is not the last record (seq %d, %s)", hd.seq, short(hd.hash), last.seq, short(last.hash))})
		}
	}
	if len(heads) > 0 {
		extra := slices.Sorted(maps.Keys(heads))
		return broken(AuditBreak{Chain: extra[0], Problem: AuditHeadMismatch, Detail: fmt.Sprintf("there is no chain %d: its head row was added", extra[0])})
	}
	// Records outside the chains' range are never read above; the primary
	// key makes this an index range, not a scan.
	var stray AuditBreak
	err = tx.QueryRowContext(ctx, `SELECT chain, seq, id FROM audit_log WHERE chain < 0 OR chain >= $1 ORDER BY chain, seq LIMIT 1`, AuditChains).
		Scan(&stray.Chain, &stray.Seq, &stray.ID)
	if err == nil {
		stray.Problem, stray.Detail = AuditHeadMismatch, fmt.Sprintf("the record is in chain %d, which does not exist", stray.Chain)
		return broken(stray)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return VerifyResult{}, translate(err)
	}
	res.OK = true
	if progress != nil {
		progress(int(res.Records))
	}
	return res, nil
}

func auditGapDetail(missing, next int64) string {
	if next == missing+1 {
		return fmt.Sprintf("seq %d is missing: the next record is seq %d", missing, next)
	}
	return fmt.Sprintf("seq %d to %d are missing: the next record is seq %d", missing, next-1, next)
}

// short abbreviates a hash for messages.
func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// AuditFilter selects audit records. Empty fields match everything.
type AuditFilter struct {
	Actor      string    // an actor's id exactly, or a fragment of their name
	ObjectType string    // exactly
	ObjectID   string    // exactly
	Action     string    // exactly
	From, To   time.Time // the half-open range [From, To); a zero bound is open
	Cursor     string    // AuditRecord.Cursor of the last record of the previous page
	Limit      int       // default 50, at most 500
}

// FindAudit lists the records matching f, newest first, one page at a time.
func (db *DB) FindAudit(ctx context.Context, f AuditFilter) ([]AuditRecord, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		where = append(where, `(actor_id = `+arg(a)+` OR LOWER(actor_name) LIKE `+arg("%"+escapeLike(strings.ToLower(a))+"%")+` ESCAPE '\')`)
	}
	if f.ObjectType != "" {
		where = append(where, `object_type = `+arg(f.ObjectType))
	}
	if f.ObjectID != "" {
		where = append(where, `object_id = `+arg(f.ObjectID))
	}
	if f.Action != "" {
		where = append(where, `action = `+arg(f.Action))
	}
	// Times are bound in UTC: SQLite compares the stored text, which is
	// UTC, and PostgreSQL's TIMESTAMP drops the zone.
	if !f.From.IsZero() {
		where = append(where, `at >= `+arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		where = append(where, `at < `+arg(f.To.UTC()))
	}
	if f.Cursor != "" {
		at, id, err := parseAuditCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		a := arg(at)
		where = append(where, `(at < `+a+` OR (at = `+a+` AND id < `+arg(id)+`))`)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY at DESC, id DESC LIMIT ` + arg(pageLimit(f.Limit))
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []AuditRecord
	var row auditRow
	targets := row.scanTargets()
	for rows.Next() {
		if err := rows.Scan(targets...); err != nil {
			return nil, err
		}
		r := AuditRecord{Chain: row.chain, Seq: row.seq, ID: row.id, At: row.at.UTC(), ActorKind: row.actorKind, ActorID: row.actorID,
			ActorName: row.actorName, ActorRole: row.actorRole, Channel: row.channel, IP: row.ip, RequestID: row.requestID,
			ObjectType: row.objectType, ObjectID: row.objectID, Action: row.action, Detail: row.detail, PrevHash: row.prevHash, Hash: row.hash}
		if row.changes != "{}" && row.changes != "" {
			dec := json.NewDecoder(bytes.NewReader([]byte(row.changes)))
			dec.UseNumber()
			if err := dec.Decode(&r.Changes); err != nil {
				return nil, fmt.Errorf("audit record %s: changes: %w", row.id, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func parseAuditCursor(c string) (time.Time, string, error) {
	ts, id, ok := strings.Cut(c, " ")
	at, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", &anxin.Error{Code: anxin.EInvalid, Message: "validation failed", MessageZH: "数据校验未通过",
			Fields: []anxin.FieldError{{Field: "cursor", Reason: "format", Message: "is not a cursor a search returned", MessageZH: "不是查询结果返回的翻页位置"}}}
	}
	return at.UTC(), id, nil
}
