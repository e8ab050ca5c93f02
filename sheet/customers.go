package sheet

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

type customerImport struct {
	*job
	b       *binding
	seen    map[identity]int // document → first row holding it
	creates []*anxin.Customer
	updates []customerUpdate
	pp      parser // the parse stage's own
}

type customerUpdate struct {
	row     int
	c       *anxin.Customer
	version int
}

type customerDraft struct {
	row  int
	c    anxin.Customer
	errs []fieldProblem
}

func (ci *customerImport) bind(row int, header []string) []RowError {
	var errs []RowError
	ci.b, errs = customerLayout.bind(row, header)
	ci.seen = map[identity]int{}
	ci.p.xlsx, ci.p.date1904 = ci.xlsx, ci.date1904
	ci.pp = ci.p
	return errs
}

func (ci *customerImport) queued() int { return len(ci.creates) + len(ci.updates) }

// parseCustomer reads one row into c and normalises it; the problems found
// are left in p.
func parseCustomer(p *parser, b *binding, cells []string, c *anxin.Customer, now time.Time) {
	customerLayout.parse(p, b, cells, c)
	// A credit code only identifies an enterprise; without this a sheet of
	// companies would need a customer-type column to say the obvious.
	if c.Kind == "" && c.IDType == anxin.CreditCode {
		c.Kind = anxin.Enterprise
	}
	c.Normalize(now)
}

// customerDrafts is a chunk of parsed rows.
type customerDrafts []customerDraft

func (d customerDrafts) len() int { return len(d) }

// parse reads a chunk of rows into drafts. It runs on the reading
// goroutine, so it touches nothing but its own parser.
func (ci *customerImport) parse(rows []rawRow) parsed {
	drafts := make(customerDrafts, len(rows))
	p := &ci.pp
	for i, r := range rows {
		d := &drafts[i]
		d.row = r.n
		p.reset(r.n)
		parseCustomer(p, ci.b, r.cells, &d.c, ci.opt.Now)
		if len(p.errs) > 0 {
			d.errs = slices.Clone(p.errs)
		}
	}
	return drafts
}

func (ci *customerImport) check(ctx context.Context, chunk parsed) error {
	now := ci.opt.Now
	drafts := chunk.(customerDrafts)
	keys := make([]identity, len(drafts))
	for i := range drafts {
		keys[i] = identity{drafts[i].c.IDType, drafts[i].c.IDNumber}
	}
	stored, err := ci.rd.lookupCustomers(ctx, keys)
	if err != nil {
		return err
	}
	for i := range drafts {
		d := &drafts[i]
		ci.p.reset(d.row)
		ci.p.errs = append(ci.p.errs, d.errs...)
		key := identity{d.c.IDType, d.c.IDNumber}
		if first, dup := ci.seen[key]; dup && key.number != "" {
			ci.p.fail("id_number", "duplicate",
				fmt.Sprintf("the same document is already on row %d; a customer may appear only once per file", first),
				fmt.Sprintf("与第 %d 行的证件相同，同一客户在一个文件中只能出现一次", first))
		} else if key.number != "" {
			ci.seen[key] = d.row
		}
		old := stored[key]
		if old != nil {
			customerLayout.keepAbsent(ci.b, &d.c, old)
			d.c.Normalize(now)
		}
		addValidation(&ci.p, customerLayout, d.c.Validate(now), nil)
		if !ci.finish(customerLayout) {
			continue
		}
		switch {
		case old != nil && sameCustomer(&d.c, old):
			ci.rep.Unchanged++
		case !ci.keepWrites():
		case old != nil:
			c := d.c
			c.ID = old.ID
			ci.updates = append(ci.updates, customerUpdate{d.row, &c, old.Version})
		default:
			c := d.c
			ci.creates = append(ci.creates, &c)
		}
	}
	return nil
}

// sameCustomer compares what a sheet carries; ids, versions, timestamps and
// consents are not in a sheet and do not count.
func sameCustomer(a, b *anxin.Customer) bool {
	return a.Kind == b.Kind && a.Name == b.Name && a.Gender == b.Gender && a.BirthDate == b.BirthDate &&
		a.IDType == b.IDType && a.IDNumber == b.IDNumber && a.Email == b.Email && a.Address == b.Address &&
		a.Tier == b.Tier && a.VIP == b.VIP && slices.Equal(a.Mobiles, b.Mobiles)
}

var (
	customerInsertColumns = []string{"id", "kind", "name", "gender", "birth_date", "id_type", "id_number", "email", "address", "tier", "vip", "version", "created_at", "updated_at", "id_number_idx"}
	mobileInsertColumns   = []string{"customer_id", "position", "mobile", "mobile_idx"}
)

// write creates customers with the same rows store.Tx.CreateCustomer
// writes, many per statement, and updates through store.Tx.UpdateCustomer so
// that the version check and the mobiles stay the store's business.
func (ci *customerImport) write(ctx context.Context, tx *store.Tx, from, to int, tick func()) (created, updated int, err error) {
	nc := len(ci.creates)
	if from < nc {
		cust := newInserter(tx, "customers", customerInsertColumns, nil)
		defer cust.close()
		mob := newInserter(tx, "customer_mobiles", mobileInsertColumns, cust)
		defer mob.close()
		ids := newIDs(tx.Now, min(to, nc)-from)
		for i, c := range ci.creates[from:min(to, nc)] {
			c.ID = ids[i]
			c.Version = 1
			c.CreatedAt, c.UpdatedAt = tx.Now, tx.Now
			db := tx.DB()
			err := cust.add(ctx, c.ID, string(c.Kind), c.Name, string(c.Gender), c.BirthDate.String(), string(c.IDType), db.SealValue(c.IDNumber),
				db.SealValue(c.Email), db.SealValue(c.Address), string(c.Tier), c.VIP, int64(c.Version), c.CreatedAt, c.UpdatedAt, db.IDNumberIndex(c.IDNumber))
			if err != nil {
				return 0, 0, err
			}
			for i, m := range c.Mobiles {
				if err := mob.add(ctx, c.ID, int64(i), db.SealValue(m), db.MobileIndex(m)); err != nil {
					return 0, 0, err
				}
			}
			created++
			tick()
		}
		if err := cust.flush(ctx); err != nil {
			return 0, 0, err
		}
		if err := mob.flush(ctx); err != nil {
			return 0, 0, err
		}
	}
	for _, u := range ci.updates[max(from, nc)-nc : max(to, nc)-nc] {
		if err := tx.UpdateCustomer(ctx, u.c, u.version); err != nil {
			return 0, 0, fmt.Errorf("update the customer of row %d: %w", u.row, err)
		}
		updated++
		tick()
	}
	return created, updated, nil
}
