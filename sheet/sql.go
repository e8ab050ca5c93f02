package sheet

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// maxParams bounds the parameters of one statement, well under SQLite's
// 32766 and PostgreSQL's 65535, so that a statement stays cheap to prepare.
const maxParams = 2000

// marks writes statement parameters. The store's SQL uses $1 on both
// engines, but SQLite treats $N as a named parameter and the driver looks up
// every parameter's name with a linear scan, so binding a statement with
// two thousand of them is quadratic: it took a fifth of the import's time.
// Anonymous ? parameters have no names to scan; PostgreSQL needs $N.
type marks struct{ anon bool }

func marksFor(db *store.DB) marks { return marks{anon: db.Engine == store.SQLite} }

// list returns the parameters from..from+n-1, comma separated.
func (m marks) list(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		m.write(&b, from+i)
	}
	return b.String()
}

func (m marks) write(b *strings.Builder, i int) {
	if m.anon {
		b.WriteByte('?')
		return
	}
	b.WriteByte('$')
	b.WriteString(strconv.Itoa(i))
}

// inserter writes rows with multi-row INSERT statements. One statement per
// row costs a round trip through database/sql and the driver each time;
// with a hundred rows per prepared statement the import spends its time in
// the database instead.
type inserter struct {
	tx     *store.Tx
	m      marks
	table  string
	cols   string
	width  int
	rows   int // rows per full statement
	full   *sql.Stmt
	args   []any
	parent *inserter // flushed first, so that foreign keys find their rows
}

func newInserter(tx *store.Tx, table string, cols []string, parent *inserter) *inserter {
	rows := maxParams / len(cols)
	return &inserter{tx: tx, m: marksFor(tx.DB()), table: table, cols: strings.Join(cols, ", "), width: len(cols), rows: rows,
		args: make([]any, 0, rows*len(cols)), parent: parent}
}

func (in *inserter) statement(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(in.table)
	b.WriteString(" (")
	b.WriteString(in.cols)
	b.WriteString(") VALUES ")
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		b.WriteString(in.m.list(r*in.width+1, in.width))
		b.WriteByte(')')
	}
	return b.String()
}

func (in *inserter) add(ctx context.Context, vals ...any) error {
	in.args = append(in.args, vals...)
	if len(in.args) == in.width*in.rows {
		return in.flush(ctx)
	}
	return nil
}

func (in *inserter) flush(ctx context.Context) error {
	if len(in.args) == 0 {
		return nil
	}
	if in.parent != nil {
		if err := in.parent.flush(ctx); err != nil {
			return err
		}
	}
	n := len(in.args) / in.width
	var err error
	if n == in.rows {
		if in.full == nil {
			if in.full, err = in.tx.PrepareContext(ctx, in.statement(n)); err != nil {
				return err
			}
		}
		_, err = in.full.ExecContext(ctx, in.args...)
	} else {
		_, err = in.tx.ExecContext(ctx, in.statement(n), in.args...)
	}
	clear(in.args)
	in.args = in.args[:0]
	return writeError(err)
}

func (in *inserter) close() {
	if in.full != nil {
		in.full.Close()
	}
}

// writeError explains the one write error a validated import can still
// meet: someone else created the same customer or policy between the
// validation pass and the write.
func writeError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505") {
		return anxin.Errorz(anxin.EConflict,
			"a record in the file was created by someone else while the import ran; import the file again",
			"导入过程中文件中的某条记录已被他人创建，请重新导入该文件")
	}
	return err
}

// newIDs returns n fresh ids in ascending order. Ids made within one
// millisecond differ only in their random part; sorting them and handing
// them out in file order makes the id order, and so every listing and
// export, follow the order of the imported file.
func newIDs(now time.Time, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = anxin.NewID(now)
	}
	slices.Sort(ids)
	return ids
}

// identity is the document a customer is known by.
type identity struct {
	typ    anxin.IDType
	number string
}

// byType groups documents by type, without repeats, so that each lookup
// query has the form "id_type = $1 AND id_number IN (...)", which both
// engines answer from the (id_type, id_number) unique index.
func byType(keys []identity) map[anxin.IDType][]string {
	out := map[anxin.IDType][]string{}
	seen := make(map[identity]bool, len(keys))
	for _, k := range keys {
		if k.number == "" || seen[k] {
			continue
		}
		seen[k] = true
		out[k.typ] = append(out[k.typ], k.number)
	}
	return out
}

// inChunks calls fn with slices of at most maxParams-1 values.
func inChunks(values []string, fn func(part []string) error) error {
	for len(values) > 0 {
		n := min(len(values), maxParams-1)
		if err := fn(values[:n]); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

func anys(first any, rest []string) []any {
	out := make([]any, 0, len(rest)+1)
	if first != nil {
		out = append(out, first)
	}
	for _, s := range rest {
		out = append(out, s)
	}
	return out
}

// reader runs the bulk lookups of an import or export.
type reader struct {
	q interface {
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	}
	m  marks
	db *store.DB
}

func readerFor(db *store.DB) reader { return reader{q: db.Reader(), m: marksFor(db), db: db} }

// openAll replaces each sealed value with its plaintext.
func (rd reader) openAll(values ...*string) error {
	for _, v := range values {
		plain, err := rd.db.OpenValue(*v)
		if err != nil {
			return err
		}
		*v = plain
	}
	return nil
}

// indexes returns the blind indexes of numbers and the number behind each:
// ID numbers are stored sealed and found through their index.
func (rd reader) indexes(numbers []string) ([]string, map[string]string) {
	idx := make([]string, len(numbers))
	back := make(map[string]string, len(numbers))
	for i, n := range numbers {
		idx[i] = rd.db.IDNumberIndex(n)
		back[idx[i]] = n
	}
	return idx, back
}

// lookupCustomerIDs returns the id of each customer holding one of the
// documents.
func (rd reader) lookupCustomerIDs(ctx context.Context, keys []identity) (map[identity]string, error) {
	out := make(map[identity]string, len(keys))
	for typ, numbers := range byType(keys) {
		idx, back := rd.indexes(numbers)
		err := inChunks(idx, func(part []string) error {
			rows, err := rd.q.QueryContext(ctx, `SELECT id, id_number_idx FROM customers WHERE id_type = `+rd.m.list(1, 1)+` AND id_number_idx IN (`+rd.m.list(2, len(part))+`)`, anys(string(typ), part)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, ix string
				if err := rows.Scan(&id, &ix); err != nil {
					return err
				}
				out[identity{typ, back[ix]}] = id
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lookupCustomers returns the stored customers holding the documents, with
// their mobiles (consents are not part of a sheet and are not loaded).
func (rd reader) lookupCustomers(ctx context.Context, keys []identity) (map[identity]*anxin.Customer, error) {
	out := make(map[identity]*anxin.Customer, len(keys))
	byID := map[string]*anxin.Customer{}
	for typ, numbers := range byType(keys) {
		idx, _ := rd.indexes(numbers)
		err := inChunks(idx, func(part []string) error {
			rows, err := rd.q.QueryContext(ctx, `SELECT id, kind, name, gender, birth_date, id_type, id_number, email, address, tier, vip, version
				FROM customers WHERE id_type = `+rd.m.list(1, 1)+` AND id_number_idx IN (`+rd.m.list(2, len(part))+`)`, anys(string(typ), part)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				c := &anxin.Customer{}
				var birth string
				if err := rows.Scan(&c.ID, &c.Kind, &c.Name, &c.Gender, &birth, &c.IDType, &c.IDNumber, &c.Email, &c.Address, &c.Tier, &c.VIP, &c.Version); err != nil {
					return err
				}
				if birth != "" {
					c.BirthDate, _ = anxin.ParseDate(birth)
				}
				if err := rd.openAll(&c.IDNumber, &c.Email, &c.Address); err != nil {
					return err
				}
				out[identity{c.IDType, c.IDNumber}] = c
				byID[c.ID] = c
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	err := inChunks(ids, func(part []string) error {
		rows, err := rd.q.QueryContext(ctx, `SELECT customer_id, mobile FROM customer_mobiles WHERE customer_id IN (`+rd.m.list(1, len(part))+`) ORDER BY customer_id, position`, anys(nil, part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, m string
			if err := rows.Scan(&id, &m); err != nil {
				return err
			}
			if err := rd.openAll(&m); err != nil {
				return err
			}
			byID[id].Mobiles = append(byID[id].Mobiles, m)
		}
		return rows.Err()
	})
	return out, err
}

// lookupPolicies returns the current version of each stored policy with one
// of the numbers.
func (rd reader) lookupPolicies(ctx context.Context, numbers []string) (map[string]*anxin.Policy, error) {
	out := make(map[string]*anxin.Policy)
	err := inChunks(numbers, func(part []string) error {
		rows, err := rd.q.QueryContext(ctx, `SELECT document FROM policies WHERE number IN (`+rd.m.list(1, len(part))+`)`, anys(nil, part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var doc string
			if err := rows.Scan(&doc); err != nil {
				return err
			}
			if err := rd.openAll(&doc); err != nil {
				return err
			}
			p := &anxin.Policy{}
			if err := json.Unmarshal([]byte(doc), p); err != nil {
				return err
			}
			out[p.Number] = p
		}
		return rows.Err()
	})
	return out, err
}

// lookupIdentities returns the document of each customer id.
func (rd reader) lookupIdentities(ctx context.Context, ids []string) (map[string]identity, error) {
	out := make(map[string]identity, len(ids))
	err := inChunks(ids, func(part []string) error {
		rows, err := rd.q.QueryContext(ctx, `SELECT id, id_type, id_number FROM customers WHERE id IN (`+rd.m.list(1, len(part))+`)`, anys(nil, part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var k identity
			if err := rows.Scan(&id, &k.typ, &k.number); err != nil {
				return err
			}
			if err := rd.openAll(&k.number); err != nil {
				return err
			}
			out[id] = k
		}
		return rows.Err()
	})
	return out, err
}
