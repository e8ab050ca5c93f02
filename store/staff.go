package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/anxin-insure/anxin"
)

// StaffCredentials is what sign-in needs beyond the public Staff record.
type StaffCredentials struct {
	anxin.Staff
	PasswordHash string
	FailedLogins int
	LockedUntil  time.Time
	TOTPSecret   string // base32, opened; "" when none
	TOTPEnabled  bool
	TOTPLastStep int64 // the last time step accepted, so a code works once
}

const staffColumns = `id, username, display_name, role, email, active, created_at, password_hash, failed_logins, locked_until, totp_secret, totp_enabled, totp_last_step`

// CreateStaff inserts a staff member with an already-hashed password.
func (tx *Tx) CreateStaff(ctx context.Context, s *anxin.Staff, passwordHash string) error {
	if s.ID == "" {
		s.ID = anxin.NewID(tx.Now)
	}
	s.CreatedAt = tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO staff (id, username, display_name, role, email, password_hash, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.ID, s.Username, s.DisplayName, s.Role, s.Email, passwordHash, s.Active, s.CreatedAt)
	return translate(err)
}

// StaffByUsername returns credentials for sign-in.
func (db *DB) StaffByUsername(ctx context.Context, tx *Tx, username string) (*StaffCredentials, error) {
	return db.scanStaff(db.q(tx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE username = $1`, username))
}

// GetStaff returns a staff member by id.
func (db *DB) GetStaff(ctx context.Context, tx *Tx, id string) (*StaffCredentials, error) {
	return db.scanStaff(db.q(tx).QueryRowContext(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id))
}

// SetTOTP stores a staff member's second-factor secret (sealed) and
// whether it is in force.
func (tx *Tx) SetTOTP(ctx context.Context, staffID, secret string, enabled bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE staff SET totp_secret = $1, totp_enabled = $2, totp_last_step = 0 WHERE id = $3`, tx.db.seal(secret), enabled, staffID)
	return err
}

// UseTOTPStep records an accepted code's time step; it fails (returns
// false) when that step or a later one was already used, so a code
// intercepted in transit cannot be replayed.
func (tx *Tx) UseTOTPStep(ctx context.Context, staffID string, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, staffID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ListStaff returns every staff member ordered by username.
func (db *DB) ListStaff(ctx context.Context) ([]anxin.Staff, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.Staff
	for rows.Next() {
		s, err := db.scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s.Staff)
	}
	return out, rows.Err()
}

func (db *DB) scanStaff(s scanner) (*StaffCredentials, error) {
	var c StaffCredentials
	var locked sql.NullTime
	var totp string
	err := s.Scan(&c.ID, &c.Username, &c.DisplayName, &c.Role, &c.Email, &c.Active, &c.CreatedAt, &c.PasswordHash, &c.FailedLogins, &locked,
		&totp, &c.TOTPEnabled, &c.TOTPLastStep)
	if err != nil {
		err = translate(err)
		if anxin.ErrorCode(err) == anxin.ENotFound {
			return nil, anxin.Errorz(anxin.ENotFound, "staff member not found", "未找到该员工")
		}
		return nil, err
	}
	if locked.Valid {
		c.LockedUntil = locked.Time.UTC()
	}
	if c.TOTPSecret, err = db.open(totp); err != nil {
		return nil, err
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return &c, nil
}

// RecordLogin stores the outcome of a sign-in attempt: failures count up and
// may lock the account until lockUntil; success resets the count.
func (tx *Tx) RecordLogin(ctx context.Context, staffID string, ok bool, lockAfter int, lockFor time.Duration) error {
	if ok {
		_, err := tx.ExecContext(ctx, `UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = $1`, staffID)
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE staff SET failed_logins = failed_logins + 1,
		locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END WHERE id = $1`,
		staffID, lockAfter, tx.Now.Add(lockFor))
	return err
}

// SetStaffPassword replaces a password hash.
func (tx *Tx) SetStaffPassword(ctx context.Context, staffID, hash string) error {
	_, err := tx.ExecContext(ctx, `UPDATE staff SET password_hash = $1 WHERE id = $2`, hash, staffID)
	return err
}

// Session is a signed-in staff member's server-side session.
type Session struct {
	TokenHash string
	StaffID   string
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateSession stores a session keyed by the hash of its cookie value.
func (tx *Tx) CreateSession(ctx context.Context, s *Session, ip, userAgent string) error {
	s.CreatedAt = tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.TokenHash, s.StaffID, s.CSRFToken, s.CreatedAt, s.ExpiresAt.UTC(), ip, userAgent)
	return translate(err)
}

// SessionByHash returns a live session and its staff member.
func (db *DB) SessionByHash(ctx context.Context, tokenHash string, now time.Time) (*Session, *StaffCredentials, error) {
	var s Session
	err := db.r.QueryRowContext(ctx, `SELECT token_hash, staff_id, csrf_token, created_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2`,
		tokenHash, now.UTC()).Scan(&s.TokenHash, &s.StaffID, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt)
	if err != nil {
		return nil, nil, translate(err)
	}
	st, err := db.GetStaff(ctx, nil, s.StaffID)
	if err != nil {
		return nil, nil, err
	}
	return &s, st, nil
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, tx.Now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// APIToken is a partner's bearer token; only its hash is stored.
type APIToken struct {
	ID        string
	Name      string
	StaffID   string
	CreatedAt time.Time
}

// CreateAPIToken stores a token hash for a staff (service) account.
func (tx *Tx) CreateAPIToken(ctx context.Context, t *APIToken, tokenHash string) error {
	if t.ID == "" {
		t.ID = anxin.NewID(tx.Now)
	}
	t.CreatedAt = tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, token_hash, name, staff_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, tokenHash, t.Name, t.StaffID, t.CreatedAt)
	return translate(err)
}

// APITokenByHash returns the staff account behind a live token.
func (db *DB) APITokenByHash(ctx context.Context, tokenHash string) (*APIToken, *StaffCredentials, error) {
	var t APIToken
	err := db.r.QueryRowContext(ctx, `SELECT id, name, staff_id, created_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash).
		Scan(&t.ID, &t.Name, &t.StaffID, &t.CreatedAt)
	if err != nil {
		return nil, nil, translate(err)
	}
	st, err := db.GetStaff(ctx, nil, t.StaffID)
	if err != nil {
		return nil, nil, err
	}
	return &t, st, nil
}

// DeleteStaffSessions ends every session of one staff member.
func (tx *Tx) DeleteStaffSessions(ctx context.Context, staffID string) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE staff_id = $1`, staffID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
