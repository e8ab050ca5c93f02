package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// CalendarCheckArgs asks whether the calendar has this year's and next
// year's holiday schedule. The State Council publishes next year's each
// November; until it is loaded, deadlines that reach into it are guesses.
type CalendarCheckArgs struct{}

func (CalendarCheckArgs) Kind() string { return "calendar_check" }

// InsertOpts make the check unique per interval, so several nodes scheduling
// it at once produce one job.
func (CalendarCheckArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// CalendarCheckWorker records the outcome as the "calendar" system check.
type CalendarCheckWorker struct {
	river.WorkerDefaults[CalendarCheckArgs]
	svc serviceAPI
}

func (w *CalendarCheckWorker) Work(ctx context.Context, job *river.Job[CalendarCheckArgs]) error {
	return w.svc.CheckCalendar(ctx)
}

// CleanupArgs removes expired sessions and old idempotency keys.
type CleanupArgs struct{}

func (CleanupArgs) Kind() string { return "cleanup" }

func (CleanupArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// CleanupWorker runs the service's cleanup.
type CleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	svc serviceAPI
}

func (w *CleanupWorker) Work(ctx context.Context, job *river.Job[CleanupArgs]) error {
	return w.svc.Cleanup(ctx)
}

// serviceAPI is what the workers need from the service.
type serviceAPI interface {
	CheckCalendar(ctx context.Context) error
	Cleanup(ctx context.Context) error
}
