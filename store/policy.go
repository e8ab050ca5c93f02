package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/anxin-insure/anxin"
)

// CreatePolicy inserts p as version 1 and records that version in history.
func (tx *Tx) CreatePolicy(ctx context.Context, p *anxin.Policy, by, reason string) error {
	if p.ID == "" {
		p.ID = anxin.NewID(tx.Now)
	}
	p.Version = 1
	p.CreatedAt, p.UpdatedAt = tx.Now, tx.Now
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO policies (id, number, product_code, policyholder_id, insured_id, status, premium, effective_date, expiry_date,
		sales_channel, agent_code, document, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		p.ID, p.Number, p.ProductCode, p.PolicyholderID, p.InsuredID, p.Status, p.Premium, p.EffectiveDate.String(), p.ExpiryDate.String(),
		p.SalesChannel, p.AgentCode, tx.db.seal(string(doc)), p.Version, p.CreatedAt, p.UpdatedAt)
	if err != nil {
		err = translate(err)
		if anxin.ErrorCode(err) == anxin.EConflict {
			return &anxin.Error{Code: anxin.EConflict, Message: "a policy with this number already exists", MessageZH: "该保单号已存在",
				Fields: []anxin.FieldError{{Field: "number", Reason: "duplicate", Message: "is already used", MessageZH: "已被使用"}}}
		}
		return err
	}
	return tx.addPolicyVersion(ctx, p, doc, by, reason)
}

// UpdatePolicy stores p as a new version if the current one is expectVersion.
func (tx *Tx) UpdatePolicy(ctx context.Context, p *anxin.Policy, expectVersion int, by, reason string) error {
	p.Version = expectVersion + 1
	p.UpdatedAt = tx.Now
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE policies SET product_code = $1, policyholder_id = $2, insured_id = $3, status = $4, premium = $5,
		effective_date = $6, expiry_date = $7, sales_channel = $8, agent_code = $9, document = $10, version = $11, updated_at = $12
		WHERE id = $13 AND version = $14`,
		p.ProductCode, p.PolicyholderID, p.InsuredID, p.Status, p.Premium, p.EffectiveDate.String(), p.ExpiryDate.String(),
		p.SalesChannel, p.AgentCode, tx.db.seal(string(doc)), p.Version, p.UpdatedAt, p.ID, expectVersion)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.DB().GetPolicy(ctx, tx, p.ID); err != nil {
			return err
		}
		return anxin.Errorz(anxin.EPrecondition, "the policy was changed by someone else; reload and try again", "保单已被他人修改，请刷新后重试")
	}
	return tx.addPolicyVersion(ctx, p, doc, by, reason)
}

func (tx *Tx) addPolicyVersion(ctx context.Context, p *anxin.Policy, doc []byte, by, reason string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO policy_versions (policy_id, version, document, changed_at, changed_by, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
		p.ID, p.Version, tx.db.seal(string(doc)), tx.Now, by, reason)
	return translate(err)
}

// GetPolicy returns the current version of a policy by id.
func (db *DB) GetPolicy(ctx context.Context, tx *Tx, id string) (*anxin.Policy, error) {
	return db.policyWhere(ctx, tx, `id = $1`, id)
}

// GetPolicyByNumber returns the current version of a policy by its number.
func (db *DB) GetPolicyByNumber(ctx context.Context, tx *Tx, number string) (*anxin.Policy, error) {
	return db.policyWhere(ctx, tx, `number = $1`, strings.ToUpper(strings.TrimSpace(number)))
}

func (db *DB) policyWhere(ctx context.Context, tx *Tx, where string, arg any) (*anxin.Policy, error) {
	var doc string
	err := db.q(tx).QueryRowContext(ctx, `SELECT document FROM policies WHERE `+where, arg).Scan(&doc)
	if err != nil {
		err = translate(err)
		if anxin.ErrorCode(err) == anxin.ENotFound {
			return nil, anxin.Errorz(anxin.ENotFound, "policy not found", "未找到该保单")
		}
		return nil, err
	}
	return db.decodePolicy(doc)
}

// decodePolicy opens and decodes a stored policy document.
func (db *DB) decodePolicy(sealed string) (*anxin.Policy, error) {
	doc, err := db.open(sealed)
	if err != nil {
		return nil, err
	}
	var p anxin.Policy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// FindPolicies lists current policies matching f in id order.
func (db *DB) FindPolicies(ctx context.Context, f anxin.PolicyFilter) ([]*anxin.Policy, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if f.CustomerID != "" {
		a := arg(f.CustomerID)
		where = append(where, `(policyholder_id = `+a+` OR insured_id = `+a+`)`)
	}
	if f.ProductCode != "" {
		where = append(where, `product_code = `+arg(f.ProductCode))
	}
	if f.Status != "" {
		where = append(where, `status = `+arg(f.Status))
	}
	if f.After != "" {
		where = append(where, `id > `+arg(f.After))
	}
	query := `SELECT document FROM policies`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY id LIMIT ` + arg(pageLimit(f.Limit))
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*anxin.Policy
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		p, err := db.decodePolicy(doc)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PolicyHistory returns every version of a policy, oldest first.
func (db *DB) PolicyHistory(ctx context.Context, id string) ([]anxin.PolicyVersion, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT version, document, changed_at, changed_by, reason FROM policy_versions WHERE policy_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.PolicyVersion
	for rows.Next() {
		var v anxin.PolicyVersion
		var doc string
		if err := rows.Scan(&v.Version, &doc, &v.ChangedAt, &v.ChangedBy, &v.Reason); err != nil {
			return nil, err
		}
		p, err := db.decodePolicy(doc)
		if err != nil {
			return nil, err
		}
		v.Policy, v.ChangedAt = *p, v.ChangedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// CountPolicies returns the number of policies.
func (db *DB) CountPolicies(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM policies`).Scan(&n)
	return n, err
}
