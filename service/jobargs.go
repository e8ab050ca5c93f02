package service

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/anxin-insure/anxin/store"
)

// JobInserter puts River jobs into the caller's transaction, so a job
// exists exactly when the change that needs it committed.
type JobInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// newInserter builds an insert-only River client: the service schedules
// jobs whether or not this process also works them.
func newInserter(db *store.DB) (JobInserter, error) {
	cfg := &river.Config{}
	if db.Engine == store.Postgres {
		return river.NewClient(riverdatabasesql.New(db.Writer()), cfg)
	}
	return river.NewClient(riversqlite.New(db.Writer()), cfg)
}

// SLATimerLead is how long before an SLA point its job is scheduled. River
// moves scheduled jobs to "available" only every few seconds; a timer that
// starts early and sleeps to its instant fires on time instead of up to
// five seconds late.
const SLATimerLead = 6 * time.Second

// SLATimerArgs wakes a ticket's deadline timer at one instant. A ticket has
// at most one pending timer job per instant and ticket version; when its
// deadlines move, a job for the new instant is added and the old one finds
// nothing to do. The version is in the key so that a change committed while
// a timer for the same instant is already running still gets its own job.
type SLATimerArgs struct {
	TicketID string `json:"ticket_id"`
	At       int64  `json:"at"` // unix milliseconds of the point
	Version  int    `json:"version"`
}

// pendingStates makes a unique job unique among jobs still to run only, so
// that a finished job never blocks the same work from being scheduled again.
var pendingStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}

func (SLATimerArgs) Kind() string { return "sla_timer" }

func (SLATimerArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSLA, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// NoticeArgs sends one queued notice.
type NoticeArgs struct {
	NoticeID string `json:"notice_id"`
}

func (NoticeArgs) Kind() string { return "notice" }

func (NoticeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueNotices, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// The queues the ticket jobs run on, apart from River's default, so that a
// flood of notices never delays a deadline warning.
const (
	QueueSLA      = "sla"
	QueueNotices  = "notices"
	QueuePayments = "payments"
)

func (s *Service) insertJob(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if b := jobBatchFrom(ctx); b != nil {
		b.params = append(b.params, river.InsertManyParams{Args: args, InsertOpts: opts})
		return nil
	}
	if s.Jobs == nil {
		return fmt.Errorf("no job inserter configured")
	}
	// The insert is a statement of tx and, like tx's own, is not
	// interrupted half-way (see store.Tx.ExecContext).
	_, err := s.Jobs.InsertTx(context.WithoutCancel(ctx), tx.Tx, args, opts)
	if err != nil {
		return fmt.Errorf("schedule %s job: %w", args.Kind(), err)
	}
	return nil
}
