package sheet

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
	"github.com/anxin-insure/anxin/store"
)

type policyImport struct {
	*job
	b                     *binding
	holderCol, insuredCol int
	products              map[string]*anxin.Product
	seen                  map[string]int // number → first row holding it
	creates               []*anxin.Policy
	updates               []policyUpdate
	pp                    parser // the parse stage's own
	keys                  []identity
	numbers               []string
}

type policyUpdate struct {
	row     int
	p       *anxin.Policy
	version int
}

type policyDraft struct {
	row  int
	r    policyRow
	errs []fieldProblem
}

func (pi *policyImport) bind(row int, header []string) []RowError {
	var errs []RowError
	pi.b, errs = policyLayout.bind(row, header)
	pi.holderCol = policyLayout.index("policyholder_id_number")
	pi.insuredCol = policyLayout.index("insured_id_number")
	pi.seen = map[string]int{}
	pi.p.xlsx, pi.p.date1904 = pi.xlsx, pi.date1904
	pi.pp = pi.p
	return errs
}

func (pi *policyImport) queued() int { return len(pi.creates) + len(pi.updates) }

// parsePolicy reads one row into r and normalises what can be normalised
// before the stored records are known; the problems found are left in p.
func parsePolicy(p *parser, b *binding, cells []string, r *policyRow, now time.Time) {
	policyLayout.parse(p, b, cells, r)
	r.Normalize()
	r.holderType, r.holderNumber = normIdentity(r.holderType, r.holderNumber, now)
	r.insuredType, r.insuredNumber = normIdentity(r.insuredType, r.insuredNumber, now)
}

// normIdentity normalises a document number the way Customer.Normalize
// does, so that it finds the stored customer, and fills in a missing type:
// a valid credit code that is not a resident ID is an enterprise's.
func normIdentity(t anxin.IDType, number string, now time.Time) (anxin.IDType, string) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if t == "" && number != "" {
		t = anxin.ResidentID
		if _, err := idcheck.CreditCode(number); err == nil {
			if _, err := idcheck.ParseResidentID(number, now); err != nil {
				t = anxin.CreditCode
			}
		}
	}
	return t, number
}

// policyDrafts is a chunk of parsed rows.
type policyDrafts []policyDraft

func (d policyDrafts) len() int { return len(d) }

// parse reads a chunk of rows into drafts. It runs on the reading
// goroutine, so it touches nothing but its own parser.
func (pi *policyImport) parse(rows []rawRow) parsed {
	drafts := make(policyDrafts, len(rows))
	p := &pi.pp
	for i, raw := range rows {
		d := &drafts[i]
		d.row = raw.n
		p.reset(raw.n)
		parsePolicy(p, pi.b, raw.cells, &d.r, pi.opt.Now)
		if len(p.errs) > 0 {
			d.errs = slices.Clone(p.errs)
		}
	}
	return drafts
}

func (pi *policyImport) check(ctx context.Context, chunk parsed) error {
	drafts := chunk.(policyDrafts)
	if pi.products == nil {
		ps, err := pi.db.Products(ctx, nil)
		if err != nil {
			return err
		}
		pi.products = make(map[string]*anxin.Product, len(ps))
		for _, p := range ps {
			pi.products[p.Code] = p
		}
	}
	keys, numbers := pi.keys[:0], pi.numbers[:0]
	for i := range drafts {
		r := &drafts[i].r
		keys = append(keys, identity{r.holderType, r.holderNumber}, identity{r.insuredType, r.insuredNumber})
		if r.Number != "" {
			numbers = append(numbers, r.Number)
		}
	}
	pi.keys, pi.numbers = keys, numbers
	ids, err := pi.rd.lookupCustomerIDs(ctx, keys)
	if err != nil {
		return err
	}
	stored, err := pi.rd.lookupPolicies(ctx, numbers)
	if err != nil {
		return err
	}
	for i := range drafts {
		d := &drafts[i]
		pi.p.reset(d.row)
		pi.p.errs = append(pi.p.errs, d.errs...)
		pi.finishDraft(d, ids, stored[d.r.Number], pi.opt.Now)
	}
	return nil
}

func (pi *policyImport) finishDraft(d *policyDraft, ids map[identity]string, old *anxin.Policy, now time.Time) {
	r := &d.r
	if first, dup := pi.seen[r.Number]; dup && r.Number != "" {
		pi.p.fail("number", "duplicate",
			fmt.Sprintf("policy %s is already on row %d; a policy may appear only once per file", r.Number, first),
			fmt.Sprintf("保单 %s 已出现在第 %d 行，同一保单在一个文件中只能出现一次", r.Number, first))
	} else if r.Number != "" {
		pi.seen[r.Number] = d.row
	}
	if old != nil {
		policyLayout.keepAbsent(pi.b, r, &policyRow{Policy: *old})
	}
	if pi.b.present(pi.holderCol) {
		r.PolicyholderID = pi.resolve("policyholder_id_number", "policyholder", "投保人", r.holderType, r.holderNumber, ids)
	}
	if pi.b.present(pi.insuredCol) {
		r.InsuredID = pi.resolve("insured_id_number", "insured", "被保险人", r.insuredType, r.insuredNumber, ids)
	}
	if r.ProductCode == "" {
		pi.p.fail("product_code", "required", "is required", "必填")
	}
	product := pi.products[r.ProductCode]
	switch {
	case old != nil && old.ProductCode == r.ProductCode:
		// Coverages are not in the sheet: amounts chosen at sale survive a
		// re-import.
		r.Coverages = slices.Clone(old.Coverages)
	case product != nil:
		r.Coverages = slices.Clone(product.Coverages)
	}
	r.Normalize()
	warnings, err := r.Validate(product, now)
	addValidation(&pi.p, policyLayout, err, warnings)
	if !pi.finish(policyLayout) {
		return
	}
	switch {
	case old != nil && samePolicy(&r.Policy, old):
		pi.rep.Unchanged++
	case !pi.keepWrites():
	case old != nil:
		p := r.Policy
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
		pi.updates = append(pi.updates, policyUpdate{d.row, &p, old.Version})
	default:
		p := r.Policy
		pi.creates = append(pi.creates, &p)
	}
}

// resolve turns a document into a customer id, reporting a document no
// customer holds.
func (pi *policyImport) resolve(column, who, whoZH string, t anxin.IDType, number string, ids map[identity]string) string {
	if number == "" {
		return ""
	}
	id, ok := ids[identity{t, number}]
	if !ok {
		pi.p.fail(column, "not_found",
			fmt.Sprintf("no customer holds this %s document (%s); import the customers first", who, t),
			fmt.Sprintf("没有持有该%s证件（%s）的客户，请先导入客户", whoZH, idTypes.label(string(t))))
	}
	return id
}

// samePolicy compares what a sheet carries: ids, versions and timestamps do
// not count, and an empty list equals a missing one, since JSON documents
// written by other code may hold either.
func samePolicy(a, b *anxin.Policy) bool {
	x, y := canonicalPolicy(a), canonicalPolicy(b)
	return reflect.DeepEqual(&x, &y)
}

func canonicalPolicy(p *anxin.Policy) anxin.Policy {
	c := *p
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = "", 0, time.Time{}, time.Time{}
	if len(c.Coverages) == 0 {
		c.Coverages = nil
	}
	if len(c.Beneficiaries) == 0 {
		c.Beneficiaries = nil
	}
	return c
}

var (
	policyInsertColumns = []string{"id", "number", "product_code", "policyholder_id", "insured_id", "status", "premium", "effective_date", "expiry_date",
		"sales_channel", "agent_code", "document", "version", "created_at", "updated_at"}
	versionInsertColumns = []string{"policy_id", "version", "document", "changed_at", "changed_by", "reason"}
)

// importReason is recorded in policy history for every version an import
// writes.
const importReason = "import"

// write creates policies with the rows store.Tx.CreatePolicy writes (the
// policy and its version 1 in history, both holding the policy's JSON), many
// per statement, and updates through store.Tx.UpdatePolicy.
func (pi *policyImport) write(ctx context.Context, tx *store.Tx, from, to int, tick func()) (created, updated int, err error) {
	nc := len(pi.creates)
	if from < nc {
		if created, err = pi.writeCreates(ctx, tx, from, min(to, nc), tick); err != nil {
			return 0, 0, err
		}
	}
	for _, u := range pi.updates[max(from, nc)-nc : max(to, nc)-nc] {
		if err := tx.UpdatePolicy(ctx, u.p, u.version, pi.opt.Actor, importReason); err != nil {
			return 0, 0, fmt.Errorf("update the policy of row %d: %w", u.row, err)
		}
		updated++
		tick()
	}
	return created, updated, nil
}

// createRow holds the statement arguments of one new policy.
type createRow struct {
	policy  [15]any
	version [6]any
}

// writeCreates inserts pi.creates[from:to]. A second goroutine turns
// policies into statement arguments (ids, timestamps, the JSON document)
// while this one runs the statements: SQLite writes on one thread, and
// encoding the documents alongside it instead of in turn saves a sixth of
// the write time on two cores.
func (pi *policyImport) writeCreates(ctx context.Context, tx *store.Tx, from, to int, tick func()) (int, error) {
	batches := make(chan []createRow, 4)
	stop := make(chan struct{})
	var encodeErr error
	ids := newIDs(tx.Now, to-from)
	now := tx.Now
	go func() {
		defer close(batches)
		batch := make([]createRow, 0, 256)
		for i := from; i < to; i++ {
			p := pi.creates[i]
			// The queue lets go of each policy once it is encoded, so the
			// heap shrinks as the write proceeds.
			pi.creates[i] = nil
			p.ID, p.Version, p.CreatedAt, p.UpdatedAt = ids[i-from], 1, now, now
			b, err := json.Marshal(p)
			if err != nil {
				encodeErr = err
				return
			}
			// One ciphertext serves the policy row and its first version:
			// the same plaintext under the same key needs sealing once.
			doc := tx.DB().SealValue(string(b))
			batch = append(batch, createRow{
				policy: [15]any{p.ID, p.Number, p.ProductCode, p.PolicyholderID, p.InsuredID, string(p.Status), int64(p.Premium),
					p.EffectiveDate.String(), p.ExpiryDate.String(), p.SalesChannel, p.AgentCode, doc, int64(p.Version), now, now},
				version: [6]any{p.ID, int64(p.Version), doc, now, pi.opt.Actor, importReason},
			})
			if len(batch) == cap(batch) {
				select {
				case batches <- batch:
				case <-stop:
					return
				}
				batch = make([]createRow, 0, 256)
			}
		}
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-stop:
			}
		}
	}()
	defer func() {
		close(stop)
		for range batches {
		}
	}()
	pol := newInserter(tx, "policies", policyInsertColumns, nil)
	defer pol.close()
	ver := newInserter(tx, "policy_versions", versionInsertColumns, pol)
	defer ver.close()
	n := 0
	for batch := range batches {
		for k := range batch {
			if err := pol.add(ctx, batch[k].policy[:]...); err != nil {
				return 0, err
			}
			if err := ver.add(ctx, batch[k].version[:]...); err != nil {
				return 0, err
			}
			n++
			tick()
		}
	}
	if encodeErr != nil {
		return 0, encodeErr
	}
	if err := pol.flush(ctx); err != nil {
		return 0, err
	}
	if err := ver.flush(ctx); err != nil {
		return 0, err
	}
	return n, nil
}
