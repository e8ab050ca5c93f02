package store

import (
	"context"
	"fmt"
	"strings"
)

// Sealer encrypts personal data and computes blind indexes (package vault).
// The store is the only layer that sees ciphertext: values are sealed on the
// way in and opened on the way out, so nothing above needs the keys.
type Sealer interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
	Index(kind, normalized string) string
	NeedsRotation(sealed string) bool
}

// Blind index kinds.
const (
	idxIDNumber = "id_number"
	idxMobile   = "mobile"
)

func (db *DB) seal(s string) string { return db.Vault.Seal(s) }

func (db *DB) open(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	v, err := db.Vault.Open(s)
	if err != nil {
		return "", fmt.Errorf("open sealed value: %w", err)
	}
	return v, nil
}

func (db *DB) idIndex(number string) string {
	return db.Vault.Index(idxIDNumber, strings.ToUpper(strings.TrimSpace(number)))
}

func (db *DB) mobileIndex(m string) string { return db.Vault.Index(idxMobile, normalizeMobile(m)) }

// isSealed tells a sealed value from plaintext written before encryption.
func isSealed(s string) bool { return strings.HasPrefix(s, "enc:") }

// ResealProgress reports how far a reseal pass has come.
type ResealProgress struct {
	Table string
	Done  int
}

// Reseal re-encrypts, in batches of one transaction each, every value that
// is plaintext (written before encryption) or sealed under a key that is not
// the active one, and fills missing blind indexes. It is resumable: stopped
// anywhere, the next run continues with what is left. It returns how many
// rows it changed.
func (db *DB) Reseal(ctx context.Context, progress func(ResealProgress)) (int, error) {
	total := 0
	steps := []struct {
		table string
		fn    func(context.Context, string) (int, string, error)
	}{
		{"customers", db.resealCustomers},
		{"customer_mobiles", db.resealMobiles},
		{"policies", db.resealPolicies},
		{"policy_versions", db.resealVersions},
	}
	for _, sc := range sealedColumns {
		steps = append(steps, struct {
			table string
			fn    func(context.Context, string) (int, string, error)
		}{sc.table, func(ctx context.Context, after string) (int, string, error) { return db.resealColumns(ctx, sc, after) }})
	}
	steps = append(steps, []struct {
		table string
		fn    func(context.Context, string) (int, string, error)
	}{
		{"vault_canary", func(ctx context.Context, _ string) (int, string, error) { return 0, "", db.resealCanary(ctx) }},
	}...)
	for _, step := range steps {
		after := ""
		done := 0
		for {
			n, last, err := step.fn(ctx, after)
			if err != nil {
				return total, fmt.Errorf("reseal %s: %w", step.table, err)
			}
			done += n
			total += n
			if progress != nil {
				progress(ResealProgress{Table: step.table, Done: done})
			}
			if last == "" {
				break
			}
			after = last
		}
	}
	return total, nil
}

const resealBatch = 500

// sealedColumn names a table's sealed columns that need nothing but
// re-encryption (no blind index to fill), keyed by a text id.
type sealedColumn struct {
	table string
	cols  []string
}

// sealedColumns lists every such column; a new sealed column must be added
// here, or rotating the keys would leave it under a key that is dropped.
var sealedColumns = []sealedColumn{
	{"staff", []string{"totp_secret"}},
	{"tickets", []string{"description", "contact_email", "contact_mobile"}},
	{"ticket_events", []string{"body"}},
	{"notices", []string{"recipient", "body"}},
	{"webhooks", []string{"secret"}},
	{"claims", []string{"insured_name", "details", "payee_name", "account"}},
	{"claim_tasks", []string{"report"}},
	{"claim_payments", []string{"payee_name", "account"}},
	{"claim_disputes", []string{"reason"}},
}

// resealColumns handles one batch of a table's rows after id `after`.
func (db *DB) resealColumns(ctx context.Context, sc sealedColumn, after string) (int, string, error) {
	changed, last := 0, ""
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, `+strings.Join(sc.cols, ", ")+` FROM `+sc.table+` WHERE id > $1 ORDER BY id LIMIT `+itoa(resealBatch), after)
		if err != nil {
			return err
		}
		type row struct {
			id   string
			vals []string
		}
		var batch []row
		for rows.Next() {
			r := row{vals: make([]string, len(sc.cols))}
			dest := []any{&r.id}
			for i := range r.vals {
				dest = append(dest, &r.vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == resealBatch {
			last = batch[len(batch)-1].id
		}
		sets := make([]string, len(sc.cols))
		for i, c := range sc.cols {
			sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
		}
		update := `UPDATE ` + sc.table + ` SET ` + strings.Join(sets, ", ") + fmt.Sprintf(` WHERE id = $%d`, len(sc.cols)+1)
		for _, r := range batch {
			args := make([]any, 0, len(sc.cols)+1)
			same := true
			for _, v := range r.vals {
				nv, err := db.resealValue(v)
				if err != nil {
					return fmt.Errorf("%s %s: %w", sc.table, r.id, err)
				}
				same = same && nv == v
				args = append(args, nv)
			}
			if same {
				continue
			}
			if _, err := tx.ExecContext(ctx, update, append(args, r.id)...); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, last, err
}

// resealCustomers handles one batch of customers after key `after`; it
// returns the last key read ("" at the end).
func (db *DB) resealCustomers(ctx context.Context, after string) (int, string, error) {
	changed, last := 0, ""
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, id_number, email, address, COALESCE(id_number_idx, '') FROM customers WHERE id > $1 ORDER BY id LIMIT `+itoa(resealBatch), after)
		if err != nil {
			return err
		}
		type row struct{ id, num, email, addr, idx string }
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.num, &r.email, &r.addr, &r.idx); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == resealBatch {
			last = batch[len(batch)-1].id
		}
		for _, r := range batch {
			num, err1 := db.resealValue(r.num)
			email, err2 := db.resealValue(r.email)
			addr, err3 := db.resealValue(r.addr)
			if err := firstErr(err1, err2, err3); err != nil {
				return fmt.Errorf("customer %s: %w", r.id, err)
			}
			idx := r.idx
			if idx == "" {
				plain, err := db.plainOf(r.num)
				if err != nil {
					return err
				}
				idx = db.idIndex(plain)
			}
			if num == r.num && email == r.email && addr == r.addr && idx == r.idx {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET id_number = $1, email = $2, address = $3, id_number_idx = $4 WHERE id = $5`, num, email, addr, idx, r.id); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, last, err
}

func (db *DB) resealMobiles(ctx context.Context, after string) (int, string, error) {
	changed, last := 0, ""
	err := db.InTx(ctx, func(tx *Tx) error {
		afterID, afterPos := "", -1
		if after != "" {
			id, pos, _ := strings.Cut(after, " ")
			afterID = id
			fmt.Sscan(pos, &afterPos)
		}
		rows, err := tx.QueryContext(ctx, `SELECT customer_id, position, mobile, COALESCE(mobile_idx, '') FROM customer_mobiles
			WHERE customer_id > $1 OR (customer_id = $1 AND position > $2) ORDER BY customer_id, position LIMIT `+itoa(resealBatch), afterID, afterPos)
		if err != nil {
			return err
		}
		type row struct {
			id     string
			pos    int
			m, idx string
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.pos, &r.m, &r.idx); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == resealBatch {
			last = batch[len(batch)-1].id + " " + itoa(batch[len(batch)-1].pos)
		}
		for _, r := range batch {
			m, err := db.resealValue(r.m)
			if err != nil {
				return err
			}
			idx := r.idx
			if idx == "" {
				plain, err := db.plainOf(r.m)
				if err != nil {
					return err
				}
				idx = db.mobileIndex(plain)
			}
			if m == r.m && idx == r.idx {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customer_mobiles SET mobile = $1, mobile_idx = $2 WHERE customer_id = $3 AND position = $4`, m, idx, r.id, r.pos); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, last, err
}

// resealVersions reseals the documents of policy_versions, paging by its
// (policy_id, version) key; after is "policy_id version".
func (db *DB) resealVersions(ctx context.Context, after string) (int, string, error) {
	afterID, afterVer := "", -1
	if after != "" {
		id, ver, _ := strings.Cut(after, " ")
		afterID = id
		fmt.Sscan(ver, &afterVer)
	}
	changed, last := 0, ""
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT policy_id, version, document FROM policy_versions
			WHERE policy_id > $1 OR (policy_id = $1 AND version > $2) ORDER BY policy_id, version LIMIT `+itoa(resealBatch), afterID, afterVer)
		if err != nil {
			return err
		}
		type row struct {
			id  string
			ver int
			doc string
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.ver, &r.doc); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == resealBatch {
			last = batch[len(batch)-1].id + " " + itoa(batch[len(batch)-1].ver)
		}
		for _, r := range batch {
			doc, err := db.resealValue(r.doc)
			if err != nil {
				return err
			}
			if doc == r.doc {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE policy_versions SET document = $1 WHERE policy_id = $2 AND version = $3`, doc, r.id, r.ver); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, last, err
}

// resealPolicies reseals the current policy documents.
func (db *DB) resealPolicies(ctx context.Context, after string) (int, string, error) {
	changed, last := 0, ""
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, document FROM policies WHERE id > $1 ORDER BY id LIMIT `+itoa(resealBatch), after)
		if err != nil {
			return err
		}
		type row struct{ id, doc string }
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.doc); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == resealBatch {
			last = batch[len(batch)-1].id
		}
		for _, r := range batch {
			doc, err := db.resealValue(r.doc)
			if err != nil {
				return err
			}
			if doc == r.doc {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE policies SET document = $1 WHERE id = $2`, doc, r.id); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	return changed, last, err
}

// resealValue returns v sealed under the active key: plaintext is sealed,
// a value under an old key is re-encrypted, a current one is returned as is.
func (db *DB) resealValue(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if !isSealed(v) {
		return db.seal(v), nil
	}
	if !db.Vault.NeedsRotation(v) {
		return v, nil
	}
	plain, err := db.open(v)
	if err != nil {
		return "", err
	}
	return db.seal(plain), nil
}

func (db *DB) plainOf(v string) (string, error) {
	if !isSealed(v) {
		return v, nil
	}
	return db.open(v)
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// SealValue, OpenValue, IDNumberIndex and MobileIndex let bulk writers
// (package sheet) store rows exactly as the store's own methods do.
func (db *DB) SealValue(s string) string          { return db.seal(s) }
func (db *DB) OpenValue(s string) (string, error) { return db.open(s) }
func (db *DB) IDNumberIndex(number string) string { return db.idIndex(number) }
func (db *DB) MobileIndex(mobile string) string   { return db.mobileIndex(mobile) }

const canaryText = "anxin vault canary"

// CheckKeys makes sure the key ring is the one this database was written
// with: the first node to start seals a known value, every later start must
// open it and compute the same blind index. first is true when this call
// sealed the value, i.e. the database had never been opened with keys: rows
// from before encryption may need sealing (see Reseal).
func (db *DB) CheckKeys(ctx context.Context) (first bool, err error) {
	if db.Vault == nil {
		return false, fmt.Errorf("no key ring configured")
	}
	var sealed, idx string
	err = db.w.QueryRowContext(ctx, `SELECT sealed, idx FROM vault_canary WHERE id = 1`).Scan(&sealed, &idx)
	if isNotFound(translate(err)) {
		res, err := db.w.ExecContext(ctx, `INSERT INTO vault_canary (id, sealed, idx) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING`,
			db.seal(canaryText), db.Vault.Index("canary", canaryText))
		if err != nil {
			return false, err
		}
		n, _ := res.RowsAffected()
		_, err = db.CheckKeys(ctx)
		return n == 1, err
	}
	if err != nil {
		return false, err
	}
	plain, err := db.Vault.Open(sealed)
	if err != nil || plain != canaryText {
		return false, fmt.Errorf("the encryption keys do not match this database (cannot open its data): check ANXIN_KEYS / ANXIN_KEYS_FILE or the key file")
	}
	if db.Vault.Index("canary", canaryText) != idx {
		return false, fmt.Errorf("the blind-index key does not match this database: check ANXIN_KEYS / ANXIN_KEYS_FILE or the key file")
	}
	return false, nil
}

// resealCanary moves the canary to the active key, as part of a rotation.
func (db *DB) resealCanary(ctx context.Context) error {
	var sealed string
	if err := db.w.QueryRowContext(ctx, `SELECT sealed FROM vault_canary WHERE id = 1`).Scan(&sealed); err != nil {
		return translate(err)
	}
	v, err := db.resealValue(sealed)
	if err != nil || v == sealed {
		return err
	}
	_, err = db.w.ExecContext(ctx, `UPDATE vault_canary SET sealed = $1 WHERE id = 1`, v)
	return err
}
