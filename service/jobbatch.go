package service

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/anxin-insure/anxin/store"
)

// jobBatch collects the jobs a transaction schedules so that they reach
// River in one insert at its end instead of one insert each. River inserts
// any number of jobs with one statement, and that statement was the
// costliest of opening a ticket (a third of its CPU time on SQLite, for
// two notices and a timer). The jobs still commit with the transaction.
type jobBatch struct {
	params []river.InsertManyParams
}

type jobBatchKey struct{}

// withJobBatch makes insertJob collect into the returned batch; the caller
// inserts it with flushJobs before its transaction ends.
func withJobBatch(ctx context.Context) (context.Context, *jobBatch) {
	b := &jobBatch{}
	return context.WithValue(ctx, jobBatchKey{}, b), b
}

func jobBatchFrom(ctx context.Context) *jobBatch {
	b, _ := ctx.Value(jobBatchKey{}).(*jobBatch)
	return b
}

// manyInserter is the part of River's client that inserts a batch.
type manyInserter interface {
	InsertManyFastTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) (int, error)
}

// flushJobs inserts the batch's jobs in tx.
func (s *Service) flushJobs(ctx context.Context, tx *store.Tx, b *jobBatch) error {
	params := b.params
	b.params = nil
	if len(params) == 0 {
		return nil
	}
	if s.Jobs == nil {
		return fmt.Errorf("no job inserter configured")
	}
	if m, ok := s.Jobs.(manyInserter); ok {
		// The fast insert returns no rows; it treats a unique conflict as
		// an error rather than a skip, which jobs of a row the
		// transaction has just created cannot meet.
		if _, err := m.InsertManyFastTx(context.WithoutCancel(ctx), tx.Tx, params); err != nil {
			return fmt.Errorf("schedule %d jobs: %w", len(params), err)
		}
		return nil
	}
	for _, p := range params {
		if _, err := s.Jobs.InsertTx(context.WithoutCancel(ctx), tx.Tx, p.Args, p.InsertOpts); err != nil {
			return fmt.Errorf("schedule %s job: %w", p.Args.Kind(), err)
		}
	}
	return nil
}
