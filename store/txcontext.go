package store

import (
	"context"
	"database/sql"
)

// A transaction's statements: in a SQLite transaction that may be shared
// with other changes (see groupCommit) each runs to its end even if ctx is
// cancelled, because SQLite answers an interrupted write by rolling back
// the whole transaction.

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(tx.statementContext(ctx), query, args...)
}

// QueryRowContext reads one row in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(tx.statementContext(ctx), query, args...)
}

// QueryContext reads rows in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(tx.statementContext(ctx), query, args...)
}

func (tx *Tx) statementContext(ctx context.Context) context.Context {
	if tx.grouped && ctx.Done() != nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}
