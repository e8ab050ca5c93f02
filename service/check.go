package service

import (
	"context"
	"fmt"
	"time"

	"github.com/anxin-insure/anxin/store"
)

// IdempotencyRetention is how long a POST's answer is kept for retries.
const IdempotencyRetention = 72 * time.Hour

// CheckCalendar records whether this year's and next year's schedules are
// loaded, and warns when one is missing.
func (s *Service) CheckCalendar(ctx context.Context) error {
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return err
	}
	missing := MissingCalendarYears(cal, s.Now())
	check := store.SystemCheck{Name: "calendar", OK: len(missing) == 0}
	if len(missing) > 0 {
		check.Detail = fmt.Sprintf("no holiday schedule loaded for %v: load it with `anxin calendar load FILE`", missing)
		s.Log.Warn("calendar is missing a year: deadlines in it are provisional", "years", missing)
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.PutSystemCheck(ctx, check) })
}

// Cleanup removes expired staff sessions, idempotency keys past retention,
// and customers' spent codes, rate-limit entries and sessions.
func (s *Service) Cleanup(ctx context.Context) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.DeleteExpiredSessions(ctx); err != nil {
			return err
		}
		_, err := tx.DeleteIdempotentBefore(ctx, tx.Now.Add(-IdempotencyRetention))
		return err
	})
	if err != nil {
		return err
	}
	return s.CleanupSelfService(ctx)
}
