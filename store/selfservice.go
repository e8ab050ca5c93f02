package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
)

// One-time code purposes.
const (
	CodeLogin  = "login"  // signs a customer in
	CodeMobile = "mobile" // proves a signed-in customer holds a new mobile
)

// SelfCode is a one-time code as stored: its hash, never the code. The
// mobile it was sent to is kept as a blind index only.
type SelfCode struct {
	ID         string
	Purpose    string
	CustomerID string // who asked, for CodeMobile; "" for CodeLogin
	CodeHash   string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// CreateSelfCode stores c, sent to mobile, and retires every earlier unused
// code with the same purpose for the same mobile (sign-in) or the same
// customer (mobile change): only the newest code works. c.ID must be set by
// the caller, because the hash is keyed by it.
func (tx *Tx) CreateSelfCode(ctx context.Context, c *SelfCode, mobile string) error {
	if c.ID == "" || c.CodeHash == "" {
		return anxin.Errorf(anxin.EInternal, "self code: id and hash are required")
	}
	idx := tx.db.mobileIndex(mobile)
	c.CreatedAt = tx.Now
	retire := `UPDATE self_codes SET used_at = $1 WHERE purpose = $2 AND mobile_idx = $3 AND used_at IS NULL`
	key := idx
	if c.Purpose == CodeMobile {
		retire = `UPDATE self_codes SET used_at = $1 WHERE purpose = $2 AND customer_id = $3 AND used_at IS NULL`
		key = c.CustomerID
	}
	if _, err := tx.ExecContext(ctx, retire, tx.Now, c.Purpose, key); err != nil {
		return translate(err)
	}
	// Codes a day old are of no use to anyone: drop this mobile's, so the
	// table stays small without a sweeper for the common case.
	if _, err := tx.ExecContext(ctx, `DELETE FROM self_codes WHERE purpose = $1 AND mobile_idx = $2 AND created_at < $3`,
		c.Purpose, idx, tx.Now.Add(-24*time.Hour)); err != nil {
		return translate(err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO self_codes (id, purpose, mobile_idx, customer_id, code_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.Purpose, idx, c.CustomerID, c.CodeHash, c.CreatedAt, c.ExpiresAt.UTC())
	return translate(err)
}

// LiveSelfCode returns the unused, unexpired code of purpose sent to mobile
// (for customerID: "" for sign-in codes), or ENotFound.
func (tx *Tx) LiveSelfCode(ctx context.Context, purpose, mobile, customerID string) (*SelfCode, error) {
	var c SelfCode
	err := tx.QueryRowContext(ctx, `SELECT id, purpose, customer_id, code_hash, created_at, expires_at FROM self_codes
		WHERE purpose = $1 AND mobile_idx = $2 AND customer_id = $3 AND used_at IS NULL AND expires_at > $4
		ORDER BY created_at DESC, id DESC LIMIT 1`, purpose, tx.db.mobileIndex(mobile), customerID, tx.Now).
		Scan(&c.ID, &c.Purpose, &c.CustomerID, &c.CodeHash, &c.CreatedAt, &c.ExpiresAt)
	if err != nil {
		return nil, translate(err)
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return &c, nil
}

// UseSelfCode marks a code used. It reports false when another request
// used it first: on PostgreSQL the second UPDATE waits for the first to
// commit and then no longer matches, so a code signs in at most once even
// when two nodes receive it at the same moment.
func (tx *Tx) UseSelfCode(ctx context.Context, id string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE self_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, tx.Now, id)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SelfLockedUntil returns when subject's lock ends, or the zero time when
// it is not locked now.
func (tx *Tx) SelfLockedUntil(ctx context.Context, subject string) (time.Time, error) {
	var until sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT locked_until FROM self_locks WHERE subject = $1`, subject).Scan(&until)
	if err != nil {
		if err = translate(err); isNotFound(err) {
			return time.Time{}, nil
		}
		return time.Time{}, err
	}
	if !until.Valid || !until.Time.After(tx.Now) {
		return time.Time{}, nil
	}
	return until.Time.UTC(), nil
}

// RecordSelfFailure counts one wrong code for subject. The lockAfter-th
// failure in a row locks the subject until now+lockFor and starts the count
// afresh; RecordSelfFailure then returns the lock's end, else the zero time.
func (tx *Tx) RecordSelfFailure(ctx context.Context, subject string, lockAfter int, lockFor time.Duration) (time.Time, error) {
	var failures int
	err := tx.QueryRowContext(ctx, `INSERT INTO self_locks (subject, failures, updated_at) VALUES ($1, 1, $2)
		ON CONFLICT (subject) DO UPDATE SET failures = self_locks.failures + 1, updated_at = excluded.updated_at
		RETURNING failures`, subject, tx.Now).Scan(&failures)
	if err != nil {
		return time.Time{}, translate(err)
	}
	if failures < lockAfter {
		return time.Time{}, nil
	}
	until := tx.Now.Add(lockFor)
	if _, err := tx.ExecContext(ctx, `UPDATE self_locks SET failures = 0, locked_until = $1 WHERE subject = $2`, until, subject); err != nil {
		return time.Time{}, translate(err)
	}
	return until, nil
}

// ClearSelfFailures forgets subject's wrong codes after a right one.
func (tx *Tx) ClearSelfFailures(ctx context.Context, subject string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM self_locks WHERE subject = $1`, subject)
	return translate(err)
}

// RateLimit allows Max requests in any Window.
type RateLimit struct {
	Max    int
	Window time.Duration
}

// RateRule applies limits to one bucket, e.g. every code sent to one mobile.
type RateRule struct {
	Bucket string
	Limits []RateLimit
}

// TakeRate counts one request in every rule's bucket if every limit has
// room for it, and returns 0. Otherwise it counts nothing and returns how
// long until the tightest limit has room again.
//
// The bucket rows are taken first, in sorted order: on PostgreSQL that
// makes a second request for the same bucket wait until the first commits
// and then count it, so nodes sharing the database share the limit exactly,
// and the fixed order keeps two requests with overlapping buckets from
// deadlocking.
func (tx *Tx) TakeRate(ctx context.Context, rules ...RateRule) (time.Duration, error) {
	rules = slices.Clone(rules)
	slices.SortFunc(rules, func(a, b RateRule) int { return strings.Compare(a.Bucket, b.Bucket) })
	var wait time.Duration
	for _, r := range rules {
		if _, err := tx.ExecContext(ctx, `INSERT INTO self_rate_buckets (bucket, touched_at) VALUES ($1, $2)
			ON CONFLICT (bucket) DO UPDATE SET touched_at = excluded.touched_at`, r.Bucket, tx.Now); err != nil {
			return 0, translate(err)
		}
		w, err := tx.rateWait(ctx, r)
		if err != nil {
			return 0, err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return wait, nil
	}
	for _, r := range rules {
		if _, err := tx.ExecContext(ctx, `INSERT INTO self_rate_events (id, bucket, at) VALUES ($1, $2, $3)`,
			anxin.NewID(tx.Now), r.Bucket, tx.Now); err != nil {
			return 0, translate(err)
		}
		// Entries older than the longest window count for nothing.
		if _, err := tx.ExecContext(ctx, `DELETE FROM self_rate_events WHERE bucket = $1 AND at <= $2`,
			r.Bucket, tx.Now.Add(-longestWindow(r.Limits))); err != nil {
			return 0, translate(err)
		}
	}
	return 0, nil
}

// rateWait is how long until every limit of r has room for one more.
func (tx *Tx) rateWait(ctx context.Context, r RateRule) (time.Duration, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at FROM self_rate_events WHERE bucket = $1 AND at > $2 ORDER BY at`,
		r.Bucket, tx.Now.Add(-longestWindow(r.Limits)))
	if err != nil {
		return 0, translate(err)
	}
	var times []time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return 0, err
		}
		times = append(times, at.UTC())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var wait time.Duration
	for _, l := range r.Limits {
		// The requests inside this window are the newest ones.
		start := tx.Now.Add(-l.Window)
		i, _ := slices.BinarySearchFunc(times, start, func(t, s time.Time) int { return t.Compare(s.Add(time.Nanosecond)) })
		in := times[i:]
		if len(in) < l.Max {
			continue
		}
		// Room returns when enough of them have left the window for one
		// more to fit: when the (len-Max)th of them turns Window old.
		wait = max(wait, in[len(in)-l.Max].Add(l.Window).Sub(tx.Now))
	}
	return wait, nil
}

func longestWindow(ls []RateLimit) time.Duration {
	var w time.Duration
	for _, l := range ls {
		w = max(w, l.Window)
	}
	return w
}

// CustomerSession is a signed-in customer's server-side session.
type CustomerSession struct {
	TokenHash  string
	CustomerID string
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute: the session ends then however active it is
}

// CreateCustomerSession stores a session keyed by the hash of its cookie.
func (tx *Tx) CreateCustomerSession(ctx context.Context, s *CustomerSession, ip, userAgent string) error {
	s.CreatedAt, s.LastSeenAt = tx.Now, tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_sessions (token_hash, customer_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.TokenHash, s.CustomerID, s.CSRFToken, s.CreatedAt, s.LastSeenAt, s.ExpiresAt.UTC(), ip, userAgent)
	return translate(err)
}

// CustomerSessionByHash returns a session that is live at now: before its
// absolute expiry and used within idle. ENotFound otherwise.
func (db *DB) CustomerSessionByHash(ctx context.Context, tokenHash string, now time.Time, idle time.Duration) (*CustomerSession, error) {
	var s CustomerSession
	now = now.UTC()
	err := db.r.QueryRowContext(ctx, `SELECT token_hash, customer_id, csrf_token, created_at, last_seen_at, expires_at FROM customer_sessions
		WHERE token_hash = $1 AND expires_at > $2 AND last_seen_at > $3`, tokenHash, now, now.Add(-idle)).
		Scan(&s.TokenHash, &s.CustomerID, &s.CSRFToken, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt)
	if err != nil {
		return nil, translate(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// TouchCustomerSession records use of a session at now, at most once per
// resolution: writing on every request would turn each page view into a
// write for a precision the idle limit does not need. It runs outside any
// request transaction (a single autocommitted statement).
func (db *DB) TouchCustomerSession(ctx context.Context, tokenHash string, now time.Time, resolution time.Duration) error {
	now = now.UTC().Truncate(time.Microsecond)
	_, err := db.w.ExecContext(ctx, `UPDATE customer_sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $3`,
		now, tokenHash, now.Add(-resolution))
	return translate(err)
}

// DeleteCustomerSession ends one session.
func (tx *Tx) DeleteCustomerSession(ctx context.Context, tokenHash string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM customer_sessions WHERE token_hash = $1`, tokenHash)
	return translate(err)
}

// DeleteCustomerSessionsExpired ends one customer's sessions that are past
// their expiry or idle limit; signing in tidies up after the customer.
func (tx *Tx) DeleteCustomerSessionsExpired(ctx context.Context, customerID string, idle time.Duration) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM customer_sessions WHERE customer_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)`,
		customerID, tx.Now, tx.Now.Add(-idle))
	return translate(err)
}

// SignInCustomerID returns the customer that a mobile signs in as: one who
// lists it as their first (primary) mobile, else one who lists it further
// down; among several, the earliest created. ENotFound when nobody has it.
func (db *DB) SignInCustomerID(ctx context.Context, tx *Tx, mobile string) (string, error) {
	var id string
	err := db.q(tx).QueryRowContext(ctx, `SELECT m.customer_id FROM customer_mobiles m JOIN customers c ON c.id = m.customer_id
		WHERE m.mobile_idx = $1 ORDER BY CASE WHEN m.position = 0 THEN 0 ELSE 1 END, c.created_at, c.id LIMIT 1`,
		db.mobileIndex(mobile)).Scan(&id)
	if err != nil {
		return "", translate(err)
	}
	return id, nil
}

// PurgeSelfService deletes what self-service no longer needs: codes older
// than a day, rate-limit entries older than keep (the longest window) and
// buckets untouched as long, lock rows with no lock running and no failure
// within keep, and customer sessions past their expiry or idle limit. The
// request paths tidy up after themselves per mobile and per customer; this
// catches what they leave, such as mobiles that never come back.
func (tx *Tx) PurgeSelfService(ctx context.Context, keep, idle time.Duration) (int64, error) {
	var total int64
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`DELETE FROM self_codes WHERE created_at < $1`, []any{tx.Now.Add(-24 * time.Hour)}},
		{`DELETE FROM self_rate_events WHERE at <= $1`, []any{tx.Now.Add(-keep)}},
		{`DELETE FROM self_rate_buckets WHERE touched_at <= $1`, []any{tx.Now.Add(-keep)}},
		{`DELETE FROM self_locks WHERE (locked_until IS NULL OR locked_until <= $1) AND updated_at <= $2`, []any{tx.Now, tx.Now.Add(-keep)}},
		{`DELETE FROM customer_sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, []any{tx.Now, tx.Now.Add(-idle)}},
	} {
		res, err := tx.ExecContext(ctx, q.sql, q.args...)
		if err != nil {
			return total, translate(err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
