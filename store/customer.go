package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/anxin-insure/anxin"
)

const customerColumns = `id, kind, name, gender, birth_date, id_type, id_number, email, address, tier, vip, version, created_at, updated_at`

// CreateCustomer inserts c (already validated) with its mobiles and consents.
// c.ID, Version and timestamps are set here.
func (tx *Tx) CreateCustomer(ctx context.Context, c *anxin.Customer) error {
	if c.ID == "" {
		c.ID = anxin.NewID(tx.Now)
	}
	c.Version = 1
	c.CreatedAt, c.UpdatedAt = tx.Now, tx.Now
	db := tx.db
	_, err := tx.ExecContext(ctx, `INSERT INTO customers (`+customerColumns+`, id_number_idx)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		c.ID, c.Kind, c.Name, c.Gender, c.BirthDate.String(), c.IDType, db.seal(c.IDNumber), db.seal(c.Email), db.seal(c.Address),
		c.Tier, c.VIP, c.Version, c.CreatedAt, c.UpdatedAt, db.idIndex(c.IDNumber))
	if err != nil {
		err = translate(err)
		if anxin.ErrorCode(err) == anxin.EConflict {
			return &anxin.Error{Code: anxin.EConflict, Message: "a customer with this identity document already exists", MessageZH: "该证件号码的客户已存在",
				Fields: []anxin.FieldError{{Field: "id_number", Reason: "duplicate", Message: "already belongs to another customer", MessageZH: "已属于另一位客户"}}}
		}
		return err
	}
	if err := tx.writeMobiles(ctx, c); err != nil {
		return err
	}
	for i := range c.Consents {
		if err := tx.AddConsent(ctx, c.ID, &c.Consents[i]); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) writeMobiles(ctx context.Context, c *anxin.Customer) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM customer_mobiles WHERE customer_id = $1`, c.ID); err != nil {
		return err
	}
	for i, m := range c.Mobiles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_mobiles (customer_id, position, mobile, mobile_idx) VALUES ($1, $2, $3, $4)`,
			c.ID, i, tx.db.seal(m), tx.db.mobileIndex(m)); err != nil {
			return translate(err)
		}
	}
	return nil
}

// AddConsent appends a consent record; consents are history, never edited.
func (tx *Tx) AddConsent(ctx context.Context, customerID string, cs *anxin.Consent) error {
	if cs.At.IsZero() {
		cs.At = tx.Now
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_consents (id, customer_id, purpose, granted, channel, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		anxin.NewID(tx.Now), customerID, cs.Purpose, cs.Granted, cs.Channel, cs.At.UTC())
	return translate(err)
}

// UpdateCustomer writes c if its stored version is still expectVersion, and
// bumps the version. A stale version is EPrecondition.
func (tx *Tx) UpdateCustomer(ctx context.Context, c *anxin.Customer, expectVersion int) error {
	db := tx.db
	res, err := tx.ExecContext(ctx, `UPDATE customers SET kind = $1, name = $2, gender = $3, birth_date = $4, id_type = $5, id_number = $6,
		email = $7, address = $8, tier = $9, vip = $10, version = version + 1, updated_at = $11, id_number_idx = $14
		WHERE id = $12 AND version = $13`,
		c.Kind, c.Name, c.Gender, c.BirthDate.String(), c.IDType, db.seal(c.IDNumber), db.seal(c.Email), db.seal(c.Address), c.Tier, c.VIP, tx.Now, c.ID, expectVersion,
		db.idIndex(c.IDNumber))
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.DB().GetCustomer(ctx, tx, c.ID); err != nil {
			return err
		}
		return anxin.Errorz(anxin.EPrecondition, "the customer was changed by someone else; reload and try again", "客户资料已被他人修改，请刷新后重试")
	}
	c.Version = expectVersion + 1
	c.UpdatedAt = tx.Now
	return tx.writeMobiles(ctx, c)
}

// GetCustomer returns one customer with mobiles and consents.
func (db *DB) GetCustomer(ctx context.Context, tx *Tx, id string) (*anxin.Customer, error) {
	q := db.q(tx)
	c, err := db.scanCustomer(q.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, id))
	if err != nil {
		err = translate(err)
		if anxin.ErrorCode(err) == anxin.ENotFound {
			return nil, anxin.Errorz(anxin.ENotFound, "customer not found", "未找到该客户")
		}
		return nil, err
	}
	if err := db.loadCustomerDetails(ctx, q, []*anxin.Customer{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCustomerByIdentity returns the customer holding a document, or ENotFound.
func (db *DB) FindCustomerByIdentity(ctx context.Context, tx *Tx, idType anxin.IDType, number string) (*anxin.Customer, error) {
	var id string
	err := db.q(tx).QueryRowContext(ctx, `SELECT id FROM customers WHERE id_type = $1 AND id_number_idx = $2`, idType, db.idIndex(number)).Scan(&id)
	if err != nil {
		return nil, translate(err)
	}
	return db.GetCustomer(ctx, tx, id)
}

// FindCustomers lists customers matching f in id order, one page at a time.
func (db *DB) FindCustomers(ctx context.Context, f anxin.CustomerFilter) ([]*anxin.Customer, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// Numbers are matched exactly through their blind indexes; a query
		// that can only be a number skips the name scan.
		// The two index lookups are one UNION so that PostgreSQL answers
		// both from their indexes.
		byNumber := `id IN (SELECT id FROM customers WHERE id_number_idx = ` + arg(db.idIndex(q)) +
			` UNION SELECT customer_id FROM customer_mobiles WHERE mobile_idx = ` + arg(db.mobileIndex(q)) + `)`
		if looksLikeNumber(q) {
			where = append(where, byNumber)
		} else {
			where = append(where, `(name LIKE `+arg("%"+escapeLike(q)+"%")+` ESCAPE '\' OR `+byNumber+`)`)
		}
	}
	if f.Kind != "" {
		where = append(where, `kind = `+arg(f.Kind))
	}
	if f.Tier != "" {
		where = append(where, `tier = `+arg(f.Tier))
	}
	if f.After != "" {
		where = append(where, `id > `+arg(f.After))
	}
	query := `SELECT ` + customerColumns + ` FROM customers`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY id LIMIT ` + arg(pageLimit(f.Limit))
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*anxin.Customer
	for rows.Next() {
		c, err := db.scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.loadCustomerDetails(ctx, db.r, out)
}

// CountCustomers returns the number of customers.
func (db *DB) CountCustomers(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers`).Scan(&n)
	return n, err
}

// loadCustomerDetails fills mobiles and consents for a page of customers in
// two queries, not two per customer.
func (db *DB) loadCustomerDetails(ctx context.Context, q queryer, cs []*anxin.Customer) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[string]*anxin.Customer, len(cs))
	ids := make([]any, len(cs))
	marks := make([]string, len(cs))
	for i, c := range cs {
		byID[c.ID] = c
		c.Mobiles = []string{}
		c.Consents = []anxin.Consent{}
		ids[i] = c.ID
		marks[i] = "$" + itoa(i+1)
	}
	in := strings.Join(marks, ", ")
	rows, err := q.QueryContext(ctx, `SELECT customer_id, mobile FROM customer_mobiles WHERE customer_id IN (`+in+`) ORDER BY customer_id, position`, ids...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, m string
		if err := rows.Scan(&id, &m); err != nil {
			rows.Close()
			return err
		}
		plain, err := db.open(m)
		if err != nil {
			rows.Close()
			return err
		}
		byID[id].Mobiles = append(byID[id].Mobiles, plain)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT customer_id, purpose, granted, channel, at FROM customer_consents WHERE customer_id IN (`+in+`) ORDER BY customer_id, at, id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var cs anxin.Consent
		if err := rows.Scan(&id, &cs.Purpose, &cs.Granted, &cs.Channel, &cs.At); err != nil {
			return err
		}
		cs.At = cs.At.UTC()
		byID[id].Consents = append(byID[id].Consents, cs)
	}
	return rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func (db *DB) scanCustomer(s scanner) (*anxin.Customer, error) {
	var c anxin.Customer
	var birth, num, email, addr string
	if err := s.Scan(&c.ID, &c.Kind, &c.Name, &c.Gender, &birth, &c.IDType, &num, &email, &addr, &c.Tier, &c.VIP, &c.Version, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	var errs [3]error
	c.IDNumber, errs[0] = db.open(num)
	c.Email, errs[1] = db.open(email)
	c.Address, errs[2] = db.open(addr)
	if err := firstErr(errs[:]...); err != nil {
		return nil, fmt.Errorf("customer %s: %w", c.ID, err)
	}
	if birth != "" {
		c.BirthDate, _ = anxin.ParseDate(birth)
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

func normalizeMobile(s string) string {
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	s = strings.TrimPrefix(s, "+")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	return s
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// pageLimit bounds a page size: default 50, at most 500.
func pageLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

// CustomerIDsByMobile returns the customers holding exactly this mobile
// number (normally one).
func (db *DB) CustomerIDsByMobile(ctx context.Context, tx *Tx, mobile string) ([]string, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT DISTINCT customer_id FROM customer_mobiles WHERE mobile_idx = $1 ORDER BY customer_id`, db.mobileIndex(mobile))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// looksLikeNumber reports whether q can only be a document or phone number
// (digits, spaces, +, -, and a trailing X), never part of a name.
func looksLikeNumber(q string) bool {
	for i, r := range q {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '-', r == '+':
		case (r == 'x' || r == 'X') && i == len(q)-1:
		default:
			return false
		}
	}
	return true
}
