package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// groupCommit lets transactions that queue for SQLite's one writer share a
// commit. A commit writes every page its transaction touched to the WAL,
// and opening a ticket touches about fifty (the ticket table and its nine
// indexes, the timeline, the audit log, the outbox, River's job table), most
// of them the same right-hand index pages the next ticket touches; writing
// them once for several changes is where SQLite's throughput under
// concurrent load comes from.
//
// A transaction that finds others waiting behind it leaves its work in the
// open SQLite transaction and waits; the last of the queue commits for all.
// Each change stays all-or-nothing: the second and later members of a group
// run under a savepoint, and a failure rolls back to it without touching
// the others. No caller returns before the commit that makes its change
// durable, and if that commit fails every member gets the error. A lone
// transaction commits at once, as without grouping. At most groupCommitMax
// changes share a commit, so River's own transactions, which wait for the
// same connection, get it between groups.
//
// A member's answer waits for the members that joined after it: a long
// transaction (an all-or-nothing import) that joins a group delays the few
// changes ahead of it by its own length, as without grouping it delays the
// changes queued behind it.
type groupCommit struct {
	mu      sync.Mutex   // held while a member runs in the open transaction
	waiting atomic.Int32 // InTx callers queued on mu
	open    *commitGroup // the transaction members join, nil when none
}

type commitGroup struct {
	tx      *sql.Tx
	members int
	done    chan struct{} // closed when the group committed or failed
	err     error         // why, when it failed
}

const groupCommitMax = 16

// inGroupTx is InTx on SQLite.
//
// Statements run without ctx's cancellation (see Tx.ExecContext): SQLite
// rolls back the whole transaction when an INSERT, UPDATE or DELETE in it
// is interrupted, which would take the other members' changes with it. A
// change that has begun runs to its end.
func (db *DB) inGroupTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	g := &db.group
	g.waiting.Add(1)
	g.mu.Lock()
	g.waiting.Add(-1)
	locked := true
	defer func() {
		if locked {
			g.mu.Unlock()
		}
	}()
	if g.open == nil {
		sqlTx, err := db.w.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			return translate(err)
		}
		g.open = &commitGroup{tx: sqlTx, done: make(chan struct{})}
	}
	grp := g.open
	grp.members++
	tx := &Tx{Tx: grp.tx, db: db, Now: db.Now().UTC().Truncate(time.Microsecond), grouped: true}
	// The first member needs no savepoint: if it fails, the transaction
	// holds nothing else and is rolled back whole.
	savepoint := grp.members > 1
	if savepoint {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT anxin_change`); err != nil {
			g.fail(grp, err)
			return translate(err)
		}
	}
	failed := true
	defer func() {
		if failed { // fn panicked: nobody's change survives
			g.fail(grp, fmt.Errorf("a change in the same commit panicked"))
		}
	}()
	claim, err := tx.claim(ctx)
	if err == nil {
		err = tx.run(ctx, fn)
	}
	failed = false
	if err != nil {
		if !savepoint { // alone in the transaction
			g.fail(grp, err)
			return err
		}
		if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO anxin_change`); rerr != nil {
			g.fail(grp, rerr)
			return err
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE anxin_change`); rerr != nil {
			g.fail(grp, rerr)
			return err
		}
		if g.waiting.Load() == 0 || grp.members >= groupCommitMax {
			g.commit(grp)
		}
		return err
	}
	if savepoint {
		if _, err := tx.ExecContext(ctx, `RELEASE anxin_change`); err != nil {
			g.fail(grp, err)
			return translate(err)
		}
	}
	if g.waiting.Load() > 0 && grp.members < groupCommitMax {
		// Someone is queued: they join this transaction, and the last
		// member commits it.
		g.mu.Unlock()
		locked = false
		<-grp.done
	} else {
		g.commit(grp)
	}
	if grp.err != nil {
		return grp.err
	}
	if claim != nil {
		claim.claimed = true
	}
	return nil
}

// commit ends the group with a commit; g.mu is held.
func (g *groupCommit) commit(grp *commitGroup) {
	g.open = nil
	if err := grp.tx.Commit(); err != nil {
		grp.err = translate(err)
	}
	close(grp.done)
}

// fail ends the group with a rollback; every member still waiting gets
// err. g.mu is held.
func (g *groupCommit) fail(grp *commitGroup, err error) {
	if g.open != grp {
		return
	}
	g.open = nil
	grp.tx.Rollback()
	grp.err = fmt.Errorf("transaction not committed: %w", err)
	close(grp.done)
}
