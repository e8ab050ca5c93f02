package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/anxin-insure/anxin/service"
)

// SLATimerWorker acts on a ticket's deadline points. Its job is scheduled
// service.SLATimerLead ahead of the point and sleeps the rest of the way,
// so the warning lands on its instant rather than when River's scheduler
// next looks (every five seconds).
type SLATimerWorker struct {
	river.WorkerDefaults[service.SLATimerArgs]
	svc *service.Service
}

func (w *SLATimerWorker) Work(ctx context.Context, job *river.Job[service.SLATimerArgs]) error {
	at := time.UnixMilli(job.Args.At)
	wait := at.Sub(w.svc.Now())
	if wait > 2*service.SLATimerLead {
		// Started far too early (a clock stepped back): run this job again
		// later rather than let it reschedule itself, which its own
		// uniqueness would refuse while it runs.
		return river.JobSnooze(wait - service.SLATimerLead)
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return w.svc.ProcessSLA(ctx, job.Args.TicketID)
}

func (w *SLATimerWorker) Timeout(*river.Job[service.SLATimerArgs]) time.Duration {
	return time.Minute
}

// NoticeWorker sends one notice from the outbox; River retries with
// back-off while the mail server or gateway is down.
type NoticeWorker struct {
	river.WorkerDefaults[service.NoticeArgs]
	svc *service.Service
}

func (w *NoticeWorker) Work(ctx context.Context, job *river.Job[service.NoticeArgs]) error {
	return w.svc.SendNotice(ctx, job.Args.NoticeID, job.Attempt >= job.MaxAttempts)
}

// QueueDrainArgs assigns queued tickets to agents whose shift has begun.
type QueueDrainArgs struct{}

func (QueueDrainArgs) Kind() string { return "queue_drain" }

func (QueueDrainArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 30 * time.Second}}
}

// QueueDrainWorker runs the service's queue drain.
type QueueDrainWorker struct {
	river.WorkerDefaults[QueueDrainArgs]
	svc *service.Service
}

func (w *QueueDrainWorker) Work(ctx context.Context, job *river.Job[QueueDrainArgs]) error {
	_, err := w.svc.DrainQueues(ctx)
	return err
}

// PaymentWorker sends one claim payment instruction; River retries a
// temporary failure with back-off, and the gateway's idempotency key
// makes every retry safe.
type PaymentWorker struct {
	river.WorkerDefaults[service.PaymentArgs]
	svc *service.Service
}

func (w *PaymentWorker) Work(ctx context.Context, job *river.Job[service.PaymentArgs]) error {
	return w.svc.SendPayment(ctx, job.Args.PaymentID)
}

// ClaimDeadlineWorker warns and escalates a claim's statutory clocks.
type ClaimDeadlineWorker struct {
	river.WorkerDefaults[service.ClaimDeadlineArgs]
	svc *service.Service
}

func (w *ClaimDeadlineWorker) Work(ctx context.Context, job *river.Job[service.ClaimDeadlineArgs]) error {
	return w.svc.ProcessClaimDeadline(ctx, job.Args.ClaimID, job.Args.Deadline)
}
