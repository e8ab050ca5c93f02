// Package store keeps anxin's data in SQLite (embedded, the default) or
// PostgreSQL. One set of SQL serves both engines: modernc's SQLite driver
// binds $1-style parameters like PostgreSQL does, and the schema keeps to the
// portable subset. Business rules live above this package; it only reads and
// writes rows and translates driver errors into anxin errors.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite"

	"github.com/anxin-insure/anxin"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Engine names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DB is a handle on the database. Writes go through one connection on SQLite
// (SQLite has one writer; a pool of writers only adds lock contention) and
// reads through a small pool; on PostgreSQL both share one pool.
type DB struct {
	Engine string
	DSN    string
	w      *sql.DB
	r      *sql.DB
	pool   *pgxpool.Pool // PostgreSQL only: River's LISTEN connection comes from here

	// Now is the clock. Tests replace it; every transaction reads it once.
	Now func() time.Time
	// Vault seals personal data; it must be set before any customer or
	// policy is read or written.
	Vault Sealer

	group groupCommit // SQLite: transactions sharing a commit
}

// Open connects to dsn: a postgres:// URL selects PostgreSQL, anything else
// is a SQLite file path. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{DSN: dsn, Now: time.Now}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return db, db.openPostgres(ctx, dsn)
	}
	return db, db.openSQLite(ctx, dsn)
}

func (db *DB) openSQLite(ctx context.Context, path string) error {
	db.Engine = SQLite
	path = strings.TrimPrefix(path, "sqlite://")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	// busy_timeout comes first so that the pragmas after it wait for a lock
	// instead of failing. WAL lets readers run while the writer writes;
	// synchronous=NORMAL is durable across process crashes in WAL mode and
	// ~5x faster than FULL. _txlock=immediate takes the write lock at BEGIN, so
	// two transactions never deadlock upgrading read locks. _time_format=sqlite
	// stores times as sortable text.
	params := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_time_format=sqlite"
	// temp_store=MEMORY keeps the writer's statement and savepoint journals
	// in memory: transactions that share a commit (groupCommit) each run
	// under a savepoint, and a journal file cost a write per page touched.
	// (wal_autocheckpoint stays at 1,000 pages: at 8,000 tickets opened
	// 15% faster, but each checkpoint, run inside the commit that triggers
	// it, stalled the writer long enough to triple the p99 latency.)
	w, err := openSQLiteDB("file:" + path + "?" + params + "&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := openSQLiteDB("file:" + path + "?" + params + "&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return err
	}
	r.SetMaxOpenConns(4)
	// All four stay open: a connection keeps its prepared statements, and
	// reopening one (the default keeps two idle) costs more than a query.
	r.SetMaxIdleConns(4)
	db.w, db.r = w, r
	if err := w.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return nil
}

func (db *DB) openPostgres(ctx context.Context, dsn string) error {
	db.Engine = Postgres
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("postgres url: %w", err)
	}
	// Instants are stored in TIMESTAMP columns as UTC; a session in another
	// zone would shift them on the way in.
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("connect to postgres: %w", err)
	}
	db.pool = pool
	db.w = stdlib.OpenDBFromPool(pool)
	db.r = db.w
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	var errs []error
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return errors.Join(errs...)
}

// Writer is the pool that writes (and that River uses).
func (db *DB) Writer() *sql.DB { return db.w }

// Reader is the pool for reads outside transactions.
func (db *DB) Reader() *sql.DB { return db.r }

// PgxPool is the PostgreSQL pool, nil on SQLite.
func (db *DB) PgxPool() *pgxpool.Pool { return db.pool }

// Migrate brings the schema up to date. Each migration runs in its own
// transaction and is recorded in goose_db_version.
func (db *DB) Migrate(ctx context.Context) error {
	dialect := goose.DialectSQLite3
	if db.Engine == Postgres {
		dialect = goose.DialectPostgres
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, db.w, sub)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// River's tables are part of our schema: jobs are inserted in the same
	// transactions as our rows, so they must exist before anything runs.
	var res *rivermigrate.MigrateResult
	if db.Engine == Postgres {
		m, err := rivermigrate.New(riverdatabasesql.New(db.w), nil)
		if err != nil {
			return err
		}
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return fmt.Errorf("migrate river: %w", err)
		}
	} else {
		m, err := rivermigrate.New(riversqlite.New(db.w), nil)
		if err != nil {
			return err
		}
		res, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		if err != nil {
			return fmt.Errorf("migrate river: %w", err)
		}
	}
	_ = res
	return nil
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.w.PingContext(ctx) }

// Tx is one transaction. Now is fixed when it begins, so every row it writes
// carries the same instant.
type Tx struct {
	*sql.Tx
	db  *DB
	Now time.Time
	// events counts timeline entries written, so that several in one
	// transaction keep their order (each is a microsecond after the last).
	events int
	// grouped: the SQLite transaction may be shared with other changes
	// (see groupCommit).
	grouped bool
	// audits are queued by QueueAudit and appended at the end.
	audits []*AuditRecord
}

// DB returns the handle the transaction belongs to.
func (tx *Tx) DB() *DB { return tx.db }

// run is fn followed by the audit records it queued.
func (tx *Tx) run(ctx context.Context, fn func(tx *Tx) error) error {
	if err := fn(tx); err != nil {
		return err
	}
	audits := tx.audits
	tx.audits = nil
	return tx.AppendAudits(ctx, audits)
}

// QueueAudit adds r to the audit records appended when the transaction's
// work is done, all in one call. Appending locks the head of each record's
// chain until the commit; a change that audits several objects (a claim
// and its ticket) queues its records so that the chains are locked last,
// briefly, and always in ascending order — two transactions locking two
// chains in opposite orders would deadlock on PostgreSQL.
func (tx *Tx) QueueAudit(r *AuditRecord) { tx.audits = append(tx.audits, r) }

// InTx runs fn in one transaction and commits if fn returns nil. On SQLite
// the commit may be shared with concurrent transactions (see groupCommit);
// either way fn's changes commit together or not at all, and InTx returns
// after they are committed.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.Engine == SQLite {
		return db.inGroupTx(ctx, fn)
	}
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	tx := &Tx{Tx: sqlTx, db: db, Now: db.Now().UTC().Truncate(time.Microsecond)}
	claim, err := tx.claim(ctx)
	if err == nil {
		err = tx.run(ctx, fn)
	}
	if err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return translate(err)
	}
	if claim != nil {
		claim.claimed = true
	}
	return nil
}

// queryer is what both a *sql.DB and a transaction can do, so that reads run
// inside a transaction or on the read pool with the same code.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// q returns the transaction when there is one, else the read pool.
func (db *DB) q(tx *Tx) queryer {
	if tx != nil {
		return tx
	}
	return db.r
}

// translate maps driver errors to anxin errors where a caller can act on them.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return anxin.Errorz(anxin.ENotFound, "not found", "未找到")
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "SQLSTATE 23505"):
		return &anxin.Error{Code: anxin.EConflict, Message: "already exists", MessageZH: "已存在"}
	case strings.Contains(msg, "FOREIGN KEY constraint failed"), strings.Contains(msg, "SQLSTATE 23503"):
		return &anxin.Error{Code: anxin.EInvalid, Message: "refers to a record that does not exist", MessageZH: "引用的记录不存在"}
	case strings.Contains(msg, "CHECK constraint failed"), strings.Contains(msg, "SQLSTATE 23514"):
		return &anxin.Error{Code: anxin.EInvalid, Message: "a value is out of range", MessageZH: "数值超出允许范围"}
	case strings.Contains(msg, "SQLSTATE 22021"), strings.Contains(msg, "SQLSTATE 22P05"):
		// PostgreSQL refuses a NUL byte or invalid UTF-8 that SQLite would
		// store: it is the client's input, not a fault of ours.
		return &anxin.Error{Code: anxin.EInvalid, Message: "the text contains characters that cannot be stored", MessageZH: "文本中含有无法保存的字符"}
	}
	return err
}

// RedactDSN hides a password in a database URL for logs.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func isNotFound(err error) bool { return anxin.ErrorCode(err) == anxin.ENotFound }
