package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"reflect"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// openSQLiteDB opens a pool of modernc connections that keep their
// statements prepared. modernc parses every statement it is given afresh,
// and parsing was a third of the CPU time of opening a ticket (about
// twenty-five statements, River's job insert the largest); a connection
// that has run a statement before runs it again from its prepared form.
// This serves every user of the pool, River included, with no change to
// the SQL they send.
func openSQLiteDB(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(&cachingConnector{Connector: c}), nil
}

// stmtCacheSize bounds each connection's prepared statements: the
// application and River run a few hundred distinct texts; queries built
// from search filters may make more, and those beyond the bound are
// prepared for each use as before.
const stmtCacheSize = 256

type cachingConnector struct{ driver.Connector }

func (c *cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// cachingConn is one SQLite connection with its prepared statements.
// database/sql uses a connection from one goroutine at a time; the mutex
// is for Close racing a result set's Close.
type cachingConn struct {
	driver.Conn
	mu    sync.Mutex
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt driver.Stmt
	// busy: a result set of this statement is open. A statement serves
	// one use at a time; a second use meanwhile (the same query run while
	// iterating its own rows) is prepared afresh.
	busy    bool
	evicted bool // close once no longer busy
}

// take returns the statement for query, prepared now if need be, marked
// busy; nil when it is busy or cannot be cached.
func (c *cachingConn) take(ctx context.Context, query string) *cachedStmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[query]; st != nil {
		if st.busy {
			return nil
		}
		st.busy = true
		return st
	}
	if schemaChange(query) {
		return nil // migrations run once
	}
	p, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return nil
	}
	s, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil // the uncached path reports the error
	}
	if _, ok := s.(driver.StmtExecContext); !ok {
		s.Close()
		return nil
	}
	if len(c.stmts) >= stmtCacheSize {
		for q, old := range c.stmts { // evict one at random
			delete(c.stmts, q)
			if old.busy {
				old.evicted = true
			} else {
				old.stmt.Close()
			}
			break
		}
	}
	st := &cachedStmt{stmt: s, busy: true}
	c.stmts[query] = st
	return st
}

// schemaChange reports whether query begins with CREATE, DROP or ALTER.
func schemaChange(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n")
	for _, kw := range []string{"CREATE", "DROP", "ALTER"} {
		if len(q) >= len(kw) && strings.EqualFold(q[:len(kw)], kw) {
			return true
		}
	}
	return false
}

func (c *cachingConn) release(st *cachedStmt) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st.busy = false
	if st.evicted {
		st.stmt.Close()
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if st := c.take(ctx, query); st != nil {
		defer c.release(st)
		return st.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	}
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if st := c.take(ctx, query); st != nil {
		q, ok := st.stmt.(driver.StmtQueryContext)
		if ok {
			rows, err := q.QueryContext(ctx, args)
			if err != nil {
				c.release(st)
				return nil, err
			}
			return &cachedRows{Rows: rows, release: func() { c.release(st) }}, nil
		}
		c.release(st)
	}
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

// Close closes the cached statements and then the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	for q, st := range c.stmts {
		if !st.busy {
			st.stmt.Close()
		}
		delete(c.stmts, q)
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// The rest of what database/sql asks of a connection is the driver's own.

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver's only way then
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// cachedRows gives its statement back when closed.
type cachedRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
