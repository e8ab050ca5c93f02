package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/anxin-insure/anxin/jobs"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// The periodic calendar check runs on start and records its finding; with
// no calendar loaded it must report the missing years, and after seeding
// this year and next it must report OK.
func TestCalendarCheckRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
		svc := service.New(db, nil, nil)
		r, err := jobs.New(svc, svc.Log, jobs.Options{PollInterval: 100 * time.Millisecond, CheckInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer r.Stop(ctx)
		check := waitForCheck(t, db, "calendar")
		if check.OK {
			t.Fatalf("no calendar loaded, yet the check says OK: %+v", check)
		}
		// 2026 and 2025 are known; 2027 is not, so a 2026 clock still warns.
		if err := svc.SeedCalendar(ctx, 2025, 2026); err != nil {
			t.Fatal(err)
		}
		if err := svc.CheckCalendar(ctx); err != nil {
			t.Fatal(err)
		}
		if c := waitForCheck(t, db, "calendar"); c.OK || c.Detail == "" {
			t.Fatalf("2027 is missing, the check must say so: %+v", c)
		}
	})
}

func waitForCheck(t *testing.T, db *store.DB, name string) store.SystemCheck {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		checks, err := db.SystemChecks(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range checks {
			if c.Name == name {
				return c
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("check %q never ran", name)
	return store.SystemCheck{}
}
