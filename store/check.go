package store

import (
	"context"
	"time"
)

// SystemCheck is the last outcome of a periodic check.
type SystemCheck struct {
	Name      string    `json:"name"`
	OK        bool      `json:"ok"`
	Detail    string    `json:"detail"`
	CheckedAt time.Time `json:"checked_at"`
}

// PutSystemCheck records a check's outcome.
func (tx *Tx) PutSystemCheck(ctx context.Context, c SystemCheck) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO system_checks (name, ok, detail, checked_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET ok = excluded.ok, detail = excluded.detail, checked_at = excluded.checked_at`,
		c.Name, c.OK, c.Detail, tx.Now)
	return err
}

// SystemChecks returns every recorded check.
func (db *DB) SystemChecks(ctx context.Context) ([]SystemCheck, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name, ok, detail, checked_at FROM system_checks ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SystemCheck
	for rows.Next() {
		var c SystemCheck
		if err := rows.Scan(&c.Name, &c.OK, &c.Detail, &c.CheckedAt); err != nil {
			return nil, err
		}
		c.CheckedAt = c.CheckedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// JobCount is the number of River jobs of one kind in one state.
type JobCount struct {
	Kind, State string
	Count       int
}

// JobCounts groups River's jobs by kind and state.
func (db *DB) JobCounts(ctx context.Context) ([]JobCount, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var c JobCount
		if err := rows.Scan(&c.Kind, &c.State, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
