package store

import (
	"context"
	"database/sql"

	"github.com/anxin-insure/anxin/calendar"
)

// ReplaceCalendarYears stores a schedule: for each year it covers, the
// year's old days are replaced by the schedule's, so a corrected notice can
// be loaded again.
func (tx *Tx) ReplaceCalendarYears(ctx context.Context, s calendar.Schedule, source string) error {
	for _, y := range s.Years {
		lo, hi := itoa(y)+"-01-01", itoa(y)+"-12-31"
		if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE day >= $1 AND day <= $2`, lo, hi); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO calendar_years (year, source, loaded_at) VALUES ($1, $2, $3)
			ON CONFLICT (year) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at`, y, source, tx.Now)
		if err != nil {
			return err
		}
	}
	for _, d := range s.Days {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, kind, name) VALUES ($1, $2, $3)`, d.Date, string(d.Kind), d.Name); err != nil {
			return translate(err)
		}
	}
	return nil
}

// CalendarSchedule returns every loaded year and its days.
func (db *DB) CalendarSchedule(ctx context.Context, tx *Tx) (calendar.Schedule, error) {
	q := db.q(tx)
	var s calendar.Schedule
	rows, err := q.QueryContext(ctx, `SELECT year FROM calendar_years ORDER BY year`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var y int
		if err := rows.Scan(&y); err != nil {
			rows.Close()
			return s, err
		}
		s.Years = append(s.Years, y)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT day, kind, name FROM calendar_days ORDER BY day`)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var d calendar.Day
		var kind string
		if err := rows.Scan(&d.Date, &kind, &d.Name); err != nil {
			return s, err
		}
		d.Kind = calendar.Kind(kind)
		s.Days = append(s.Days, d)
	}
	return s, rows.Err()
}

// CalendarStamp changes whenever a year is loaded: a cheap way for every
// node to notice another node's change.
func (db *DB) CalendarStamp(ctx context.Context) (string, error) {
	var n int
	var last sql.NullString
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*), CAST(MAX(loaded_at) AS TEXT) FROM calendar_years`).Scan(&n, &last)
	return itoa(n) + "/" + last.String, err
}
