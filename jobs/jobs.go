// Package jobs runs anxin's background work on River: durable jobs stored in
// the same database as everything else, inserted in the same transaction as
// the change that schedules them, and shared by every node on PostgreSQL.
// Workers call the service; they never write SQL themselves.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// Runner owns the River client of one node.
type Runner struct {
	Client *river.Client[*sql.Tx]
	svc    *service.Service
}

// Options tune the runner; zero values are the production defaults.
type Options struct {
	// CheckInterval is how often periodic checks run.
	CheckInterval time.Duration
	// PollInterval is how often a node looks for new jobs when it cannot be
	// notified (always on SQLite).
	PollInterval time.Duration
}

// New builds a runner with every worker and periodic job registered.
func New(svc *service.Service, log *slog.Logger, opt Options) (*Runner, error) {
	if opt.CheckInterval == 0 {
		opt.CheckInterval = time.Hour
	}
	if opt.PollInterval == 0 {
		opt.PollInterval = time.Second
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &CalendarCheckWorker{svc: svc})
	river.AddWorker(workers, &CleanupWorker{svc: svc})
	river.AddWorker(workers, &SLATimerWorker{svc: svc})
	river.AddWorker(workers, &NoticeWorker{svc: svc})
	river.AddWorker(workers, &QueueDrainWorker{svc: svc})
	river.AddWorker(workers, &PaymentWorker{svc: svc})
	river.AddWorker(workers, &ClaimDeadlineWorker{svc: svc})
	cfg := &river.Config{
		Logger:            log.With("component", "river"),
		FetchPollInterval: opt.PollInterval,
		Queues: map[string]river.QueueConfig{
			river.QueueDefault:   {MaxWorkers: 10},
			service.QueueSLA:     {MaxWorkers: 50},
			service.QueueNotices: {MaxWorkers: 10},
			// Payments have a queue of their own so that a slow bank never
			// holds up notices or deadline warnings.
			service.QueuePayments: {MaxWorkers: 10},
		},
		Workers: workers,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opt.CheckInterval),
				func() (river.JobArgs, *river.InsertOpts) { return CalendarCheckArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "calendar_check"}),
			river.NewPeriodicJob(river.PeriodicInterval(opt.CheckInterval),
				func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "cleanup"}),
			river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
				func() (river.JobArgs, *river.InsertOpts) { return QueueDrainArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "queue_drain"}),
		},
	}
	var client *river.Client[*sql.Tx]
	var err error
	db := svc.DB
	if db.Engine == store.Postgres {
		client, err = river.NewClient(riverdatabasesql.NewWithPgxListener(db.Writer(), db.PgxPool()), cfg)
	} else {
		client, err = river.NewClient(riversqlite.New(db.Writer()), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("river: %w", err)
	}
	return &Runner{Client: client, svc: svc}, nil
}

// Start begins working jobs until Stop.
func (r *Runner) Start(ctx context.Context) error { return r.Client.Start(ctx) }

// Stop lets running jobs finish (up to ctx's deadline) and stops.
func (r *Runner) Stop(ctx context.Context) error { return r.Client.Stop(ctx) }
