package store

import (
	"context"
	"strconv"

	"github.com/anxin-insure/anxin"
)

func itoa(i int) string { return strconv.Itoa(i) }

// PutProduct inserts or replaces a product and its coverages.
func (tx *Tx) PutProduct(ctx context.Context, p *anxin.Product) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO products (code, line, name, name_en, cooling_off_days, term_years, active)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (code) DO UPDATE SET line = excluded.line, name = excluded.name, name_en = excluded.name_en,
			cooling_off_days = excluded.cooling_off_days, term_years = excluded.term_years, active = excluded.active`,
		p.Code, p.Line, p.Name, p.NameEN, p.CoolingOffDays, p.TermYears, p.Active)
	if err != nil {
		return translate(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM product_coverages WHERE product_code = $1`, p.Code); err != nil {
		return err
	}
	for i, c := range p.Coverages {
		_, err := tx.ExecContext(ctx, `INSERT INTO product_coverages (product_code, position, kind, sum_insured, deductible, reimbursement_ratio, annual_limit, waiting_period_days)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, p.Code, i, c.Kind, c.SumInsured, c.Deductible, c.ReimbursementRatio, c.AnnualLimit, c.WaitingPeriodDays)
		if err != nil {
			return translate(err)
		}
	}
	return nil
}

// Products returns the whole catalogue ordered by line and code.
func (db *DB) Products(ctx context.Context, tx *Tx) ([]*anxin.Product, error) {
	q := db.q(tx)
	rows, err := q.QueryContext(ctx, `SELECT code, line, name, name_en, cooling_off_days, term_years, active FROM products ORDER BY line, code`)
	if err != nil {
		return nil, err
	}
	var out []*anxin.Product
	byCode := map[string]*anxin.Product{}
	for rows.Next() {
		var p anxin.Product
		if err := rows.Scan(&p.Code, &p.Line, &p.Name, &p.NameEN, &p.CoolingOffDays, &p.TermYears, &p.Active); err != nil {
			rows.Close()
			return nil, err
		}
		p.Coverages = []anxin.Coverage{}
		out = append(out, &p)
		byCode[p.Code] = &p
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT product_code, kind, sum_insured, deductible, reimbursement_ratio, annual_limit, waiting_period_days FROM product_coverages ORDER BY product_code, position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var c anxin.Coverage
		if err := rows.Scan(&code, &c.Kind, &c.SumInsured, &c.Deductible, &c.ReimbursementRatio, &c.AnnualLimit, &c.WaitingPeriodDays); err != nil {
			return nil, err
		}
		if p := byCode[code]; p != nil {
			p.Coverages = append(p.Coverages, c)
		}
	}
	return out, rows.Err()
}

// GetProduct returns one product or ENotFound.
func (db *DB) GetProduct(ctx context.Context, tx *Tx, code string) (*anxin.Product, error) {
	ps, err := db.Products(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Code == code {
			return p, nil
		}
	}
	return nil, anxin.Errorz(anxin.ENotFound, "product not found", "未找到该产品")
}
