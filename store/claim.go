package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
)

// claimDetails is the sealed part of a claim: the description and the loss
// may say what illness the insured has.
type claimDetails struct {
	Description string          `json:"description"`
	Loss        anxin.ClaimLoss `json:"loss"`
}

const claimColumns = `c.id, c.number, c.ticket_id, t.number, c.policy_id, p.number, p.product_code, c.claimant_id, c.insured_name, c.type, c.channel,
	c.incident_date, c.incident_place, c.details, c.claimed, c.payee_name, c.bank_name, c.account, c.stage, c.complexity,
	c.coverage, c.risk_flags, c.fast_track, c.fast_track_check, c.fast_track_version, c.review_due, c.statutory_due,
	c.documents_at, c.decided_at, c.decided_by, c.payment_due, c.paid, c.closed_at, c.disputed, c.survey_score, c.survey_nps, c.survey_comment, c.survey_at, c.version, c.created_at, c.updated_at`

const claimFrom = ` FROM claims c JOIN tickets t ON t.id = c.ticket_id JOIN policies p ON p.id = c.policy_id`

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own plain structs go here
	}
	return string(b)
}

// CreateClaim inserts a new claim; its ticket is already in tx.
func (tx *Tx) CreateClaim(ctx context.Context, c *anxin.Claim) error {
	db := tx.db
	c.ID = anxin.NewID(tx.Now)
	c.Version, c.CreatedAt, c.UpdatedAt = 1, tx.Now, tx.Now
	details := mustJSON(claimDetails{Description: c.Description, Loss: c.Loss})
	_, err := tx.ExecContext(ctx, `INSERT INTO claims (id, number, ticket_id, policy_id, claimant_id, insured_name, type, channel,
		incident_date, incident_place, details, claimed, payee_name, bank_name, account, stage, complexity, coverage, risk_flags, flagged,
		fast_track, fast_track_check, fast_track_version, review_due, statutory_due, documents_at, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, 1, $27, $27)`,
		c.ID, c.Number, c.TicketID, c.PolicyID, c.ClaimantID, db.seal(c.InsuredName), c.Type, c.Channel,
		c.IncidentDate.String(), c.IncidentPlace, db.seal(details), c.Claimed, db.seal(c.Payout.PayeeName), c.Payout.BankName, db.seal(c.Payout.Account),
		c.Stage, c.Complexity, mustJSON(c.Coverage), mustJSON(c.RiskFlags), flagged(c.RiskFlags),
		c.FastTrack, mustJSON(c.FastTrackCheck), c.FastTrackRules, c.ReviewDue.UTC(), c.StatutoryDue.UTC(), nullTime(c.DocumentsAt), tx.Now)
	return translate(err)
}

func flagged(rs []anxin.RuleResult) bool {
	for _, r := range rs {
		if r.Passed {
			return true
		}
	}
	return false
}

// SaveClaim writes the mutable fields if the stored version is still
// c.Version, and bumps it.
func (tx *Tx) SaveClaim(ctx context.Context, c *anxin.Claim) error {
	db := tx.db
	details := mustJSON(claimDetails{Description: c.Description, Loss: c.Loss})
	res, err := tx.ExecContext(ctx, `UPDATE claims SET details = $1, claimed = $2, payee_name = $3, bank_name = $4, account = $5,
		stage = $6, complexity = $7, coverage = $8, risk_flags = $9, flagged = $10, fast_track = $11, fast_track_check = $12, fast_track_version = $13,
		review_due = $14, statutory_due = $15, documents_at = $16, decided_at = $17, decided_by = $18, payment_due = $19, paid = $20,
		closed_at = $21, disputed = $22, updated_at = $23, version = version + 1
		WHERE id = $24 AND version = $25`,
		db.seal(details), c.Claimed, db.seal(c.Payout.PayeeName), c.Payout.BankName, db.seal(c.Payout.Account),
		c.Stage, c.Complexity, mustJSON(c.Coverage), mustJSON(c.RiskFlags), flagged(c.RiskFlags), c.FastTrack, mustJSON(c.FastTrackCheck), c.FastTrackRules,
		c.ReviewDue.UTC(), c.StatutoryDue.UTC(), nullTime(c.DocumentsAt), nullTime(c.DecidedAt), c.DecidedBy, nullTime(c.PaymentDue), c.Paid,
		nullTime(c.ClosedAt), c.Disputed, tx.Now, c.ID, c.Version)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.Errorz(anxin.EPrecondition, "the claim was changed by someone else; reload and try again", "理赔案件已被他人修改，请刷新后重试")
	}
	c.Version++
	c.UpdatedAt = tx.Now
	return nil
}

// ClaimForUpdate reads a claim by number, id or ticket number inside tx,
// locking it on PostgreSQL.
func (tx *Tx) ClaimForUpdate(ctx context.Context, key string) (*anxin.Claim, error) {
	suffix := ""
	if tx.db.Engine == Postgres {
		suffix = " FOR UPDATE OF c"
	}
	return tx.db.getClaim(ctx, tx, key, suffix)
}

// GetClaim reads a claim by its number, its id or its ticket's number.
func (db *DB) GetClaim(ctx context.Context, tx *Tx, key string) (*anxin.Claim, error) {
	return db.getClaim(ctx, tx, key, "")
}

func (db *DB) getClaim(ctx context.Context, tx *Tx, key, suffix string) (*anxin.Claim, error) {
	where := "c.id = $1"
	switch {
	case strings.HasPrefix(key, "LP"):
		where = "c.number = $1"
	case anxin.TicketNumberPattern.MatchString(key):
		where = "t.number = $1"
	}
	c, err := db.scanClaim(db.q(tx).QueryRowContext(ctx, `SELECT `+claimColumns+claimFrom+` WHERE `+where+suffix, key))
	if err != nil {
		if err = translate(err); isNotFound(err) {
			return nil, anxin.Errorz(anxin.ENotFound, "claim not found", "未找到该理赔案件")
		}
		return nil, err
	}
	return c, nil
}

func (db *DB) scanClaim(s scanner) (*anxin.Claim, error) {
	var c anxin.Claim
	var incident, details, insured, payee, account, coverage, flags, ftCheck string
	var docs, decided, payDue, closed, surveyAt sql.NullTime
	var score, nps sql.NullInt64
	var surveyComment string
	err := s.Scan(&c.ID, &c.Number, &c.TicketID, &c.TicketNumber, &c.PolicyID, &c.PolicyNumber, &c.ProductCode, &c.ClaimantID, &insured, &c.Type, &c.Channel,
		&incident, &c.IncidentPlace, &details, &c.Claimed, &payee, &c.Payout.BankName, &account, &c.Stage, &c.Complexity,
		&coverage, &flags, &c.FastTrack, &ftCheck, &c.FastTrackRules, &c.ReviewDue, &c.StatutoryDue,
		&docs, &decided, &c.DecidedBy, &payDue, &c.Paid, &closed, &c.Disputed, &score, &nps, &surveyComment, &surveyAt, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if c.IncidentDate, err = anxin.ParseDate(incident); err != nil {
		return nil, fmt.Errorf("claim %s incident date: %w", c.ID, err)
	}
	var d claimDetails
	for _, f := range []struct {
		sealed string
		plain  *string
	}{{insured, &c.InsuredName}, {payee, &c.Payout.PayeeName}, {account, &c.Payout.Account}, {details, &details}} {
		if *f.plain, err = db.open(f.sealed); err != nil {
			return nil, fmt.Errorf("claim %s: %w", c.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(details), &d); err != nil {
		return nil, fmt.Errorf("claim %s details: %w", c.ID, err)
	}
	c.Description, c.Loss = d.Description, d.Loss
	for _, j := range []struct {
		src string
		dst any
	}{{coverage, &c.Coverage}, {flags, &c.RiskFlags}, {ftCheck, &c.FastTrackCheck}} {
		if err := json.Unmarshal([]byte(j.src), j.dst); err != nil {
			return nil, fmt.Errorf("claim %s: %w", c.ID, err)
		}
	}
	c.DocumentsAt, c.DecidedAt, c.PaymentDue, c.ClosedAt = docs.Time, decided.Time, payDue.Time, closed.Time
	if score.Valid {
		c.Survey = &anxin.ClaimSurvey{Score: int(score.Int64), NPS: int(nps.Int64), Comment: surveyComment, At: surveyAt.Time.UTC()}
	}
	for _, p := range []*time.Time{&c.ReviewDue, &c.StatutoryDue, &c.DocumentsAt, &c.DecidedAt, &c.PaymentDue, &c.ClosedAt, &c.CreatedAt, &c.UpdatedAt} {
		if !p.IsZero() {
			*p = p.UTC()
		}
	}
	return &c, nil
}

// ClaimFilter selects claims for the workbench and the self-service page.
type ClaimFilter struct {
	Stage      anxin.ClaimStage
	Open       bool // not closed
	Flagged    bool
	Disputed   bool
	ClaimantID string
	PolicyID   string
	Limit      int
}

// FindClaims lists claims, the nearest review deadline first for open
// ones, newest first otherwise.
func (db *DB) FindClaims(ctx context.Context, f ClaimFilter) ([]*anxin.Claim, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Stage != "" {
		where = append(where, "c.stage = "+arg(f.Stage))
	}
	if f.Open {
		where = append(where, "c.stage <> 'closed'")
	}
	if f.Flagged {
		where = append(where, "c.flagged")
	}
	if f.Disputed {
		where = append(where, "c.disputed")
	}
	if f.ClaimantID != "" {
		where = append(where, "c.claimant_id = "+arg(f.ClaimantID))
	}
	if f.PolicyID != "" {
		where = append(where, "c.policy_id = "+arg(f.PolicyID))
	}
	q := `SELECT ` + claimColumns + claimFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Open || (f.Stage != "" && f.Stage != anxin.ClaimClosed) {
		q += " ORDER BY c.review_due, c.id"
	} else {
		q += " ORDER BY c.created_at DESC, c.id"
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q += fmt.Sprintf(" LIMIT %d", f.Limit)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*anxin.Claim
	for rows.Next() {
		c, err := db.scanClaim(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// OtherClaimsSince counts the claimant's other claims reported since.
func (db *DB) OtherClaimsSince(ctx context.Context, tx *Tx, claimantID, exceptID string, since time.Time) (int, error) {
	var n int
	err := db.q(tx).QueryRowContext(ctx, `SELECT COUNT(*) FROM claims WHERE claimant_id = $1 AND id <> $2 AND created_at >= $3`,
		claimantID, exceptID, since.UTC()).Scan(&n)
	return n, translate(err)
}

// MedicalUsage sums what approved, current decisions on other medical
// claims of the policy used in the policy year [from, to).
func (db *DB) MedicalUsage(ctx context.Context, tx *Tx, policyID, exceptClaimID string, from, to anxin.Date) (anxin.MedicalUsage, error) {
	var u anxin.MedicalUsage
	err := db.q(tx).QueryRowContext(ctx, `SELECT COALESCE(SUM(d.deductible), 0), COALESCE(SUM(d.payable), 0)
		FROM claim_decisions d JOIN claims c ON c.id = d.claim_id
		WHERE c.policy_id = $1 AND c.id <> $2 AND c.type = $3 AND d.status = 'approved' AND c.incident_date >= $4 AND c.incident_date < $5`,
		policyID, exceptClaimID, anxin.ClaimMedical, from.String(), to.String()).Scan(&u.DeductibleUsed, &u.PaidThisYear)
	return u, translate(err)
}

// PaidBefore reports whether an approved decision on another claim of the
// policy paid a benefit of this type (once-only benefits).
func (db *DB) PaidBefore(ctx context.Context, tx *Tx, policyID, exceptClaimID string, t anxin.ClaimType) (bool, error) {
	var n int
	err := db.q(tx).QueryRowContext(ctx, `SELECT COUNT(*) FROM claim_decisions d JOIN claims c ON c.id = d.claim_id
		WHERE c.policy_id = $1 AND c.id <> $2 AND c.type = $3 AND d.status = 'approved' AND d.payable > 0`,
		policyID, exceptClaimID, t).Scan(&n)
	return n > 0, translate(err)
}

// ReusedDocuments counts the documents of a claim's ticket whose content
// was also sent with another claim.
func (db *DB) ReusedDocuments(ctx context.Context, tx *Tx, ticketID string) (int, error) {
	var n int
	err := db.q(tx).QueryRowContext(ctx, `SELECT COUNT(DISTINCT a.sha256) FROM ticket_attachments a
		WHERE a.ticket_id = $1 AND EXISTS (SELECT 1 FROM ticket_attachments o JOIN claims c ON c.ticket_id = o.ticket_id
			WHERE o.sha256 = a.sha256 AND o.ticket_id <> a.ticket_id)`, ticketID).Scan(&n)
	return n, translate(err)
}

// CustomerHighRisk reports whether the claims department marked a customer
// high-risk.
func (db *DB) CustomerHighRisk(ctx context.Context, tx *Tx, customerID string) (bool, error) {
	var high bool
	err := db.q(tx).QueryRowContext(ctx, `SELECT high_risk FROM customer_risk WHERE customer_id = $1`, customerID).Scan(&high)
	if err = translate(err); isNotFound(err) {
		return false, nil
	}
	return high, err
}

// SetCustomerRisk marks or clears a customer as high-risk.
func (tx *Tx) SetCustomerRisk(ctx context.Context, customerID string, high bool, reason, by string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_risk (customer_id, high_risk, reason, set_by, set_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (customer_id) DO UPDATE SET high_risk = excluded.high_risk, reason = excluded.reason, set_by = excluded.set_by, set_at = excluded.set_at`,
		customerID, high, reason, by, tx.Now)
	return translate(err)
}

// Decisions.

const decisionColumns = `id, claim_id, seq, outcome, calculation, payable, reasons, automated, review, decided_by, decider_name, decided_at,
	status, needs_role, approved_by, approver_name, approved_at, letter_number`

// AddClaimDecision inserts a decision with the next sequence number.
// deductible is what a medical decision used of the annual deductible.
func (tx *Tx) AddClaimDecision(ctx context.Context, d *anxin.ClaimDecision, deductible anxin.Fen) error {
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM claim_decisions WHERE claim_id = $1`, d.ClaimID).Scan(&seq); err != nil {
		return translate(err)
	}
	d.ID, d.Seq, d.DecidedAt = anxin.NewID(tx.Now), seq, tx.Now
	d.LetterNumber = fmt.Sprintf("%s-%d", d.LetterNumber, seq)
	_, err := tx.ExecContext(ctx, `INSERT INTO claim_decisions (id, claim_id, seq, outcome, calculation, payable, deductible, reasons, automated, review,
		decided_by, decider_name, decided_at, status, needs_role, approved_by, approver_name, approved_at, letter_number)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		d.ID, d.ClaimID, d.Seq, d.Outcome, mustJSON(d.Calculation), d.Payable, deductible, mustJSON(d.Reasons), d.Automated, d.Review,
		d.DecidedBy, d.DeciderName, tx.Now, d.Status, string(d.NeedsRole), d.ApprovedBy, d.ApproverName, nullTime(d.ApprovedAt), d.LetterNumber)
	return translate(err)
}

// SetDecisionStatus moves a decision from one status to another; false
// when it was no longer in from (someone else acted first).
func (tx *Tx) SetDecisionStatus(ctx context.Context, id, from, to, approverID, approverName string) (bool, error) {
	var approvedAt any
	if to == anxin.DecisionApproved {
		approvedAt = tx.Now
	}
	res, err := tx.ExecContext(ctx, `UPDATE claim_decisions SET status = $1, approved_by = CASE WHEN $2 = '' THEN approved_by ELSE $2 END,
		approver_name = CASE WHEN $3 = '' THEN approver_name ELSE $3 END, approved_at = COALESCE($4, approved_at)
		WHERE id = $5 AND status = $6`, to, approverID, approverName, approvedAt, id, from)
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ClaimDecisions lists a claim's decisions, oldest first.
func (db *DB) ClaimDecisions(ctx context.Context, tx *Tx, claimID string) ([]anxin.ClaimDecision, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT `+decisionColumns+` FROM claim_decisions WHERE claim_id = $1 ORDER BY seq`, claimID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []anxin.ClaimDecision
	for rows.Next() {
		d, err := scanDecision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, translate(rows.Err())
}

func scanDecision(s scanner) (*anxin.ClaimDecision, error) {
	var d anxin.ClaimDecision
	var calc, reasons, role string
	var approved sql.NullTime
	if err := s.Scan(&d.ID, &d.ClaimID, &d.Seq, &d.Outcome, &calc, &d.Payable, &reasons, &d.Automated, &d.Review, &d.DecidedBy, &d.DeciderName, &d.DecidedAt,
		&d.Status, &role, &d.ApprovedBy, &d.ApproverName, &approved, &d.LetterNumber); err != nil {
		return nil, translate(err)
	}
	d.NeedsRole, d.ApprovedAt, d.DecidedAt = anxin.Role(role), approved.Time.UTC(), d.DecidedAt.UTC()
	if approved.Time.IsZero() {
		d.ApprovedAt = time.Time{}
	}
	if err := json.Unmarshal([]byte(calc), &d.Calculation); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(reasons), &d.Reasons); err != nil {
		return nil, err
	}
	return &d, nil
}

// PendingDecision is a decision waiting for approval, with its claim's number.
type PendingDecision struct {
	anxin.ClaimDecision
	ClaimNumber string `json:"claim_number"`
}

// PendingApprovals lists decisions waiting for a second approver, oldest
// first.
func (db *DB) PendingApprovals(ctx context.Context, limit int) ([]PendingDecision, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT c.number, `+prefixed("d.", decisionColumns)+` FROM claim_decisions d JOIN claims c ON c.id = d.claim_id
		WHERE d.status = 'pending' ORDER BY d.decided_at LIMIT $1`, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []PendingDecision
	for rows.Next() {
		var num string
		var p PendingDecision
		d, err := scanDecision(prefixScanner{rows, &num})
		if err != nil {
			return nil, err
		}
		p.ClaimDecision, p.ClaimNumber = *d, num
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// prefixScanner scans one extra leading column into first.
type prefixScanner struct {
	s     scanner
	first any
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.s.Scan(append([]any{p.first}, dest...)...)
}

// Tasks.

// AddClaimTask inserts a task.
func (tx *Tx) AddClaimTask(ctx context.Context, k *anxin.ClaimTask) error {
	k.ID, k.CreatedAt, k.Status = anxin.NewID(tx.Now), tx.Now, "open"
	_, err := tx.ExecContext(ctx, `INSERT INTO claim_tasks (id, claim_id, kind, assignee_id, instructions, due_at, status, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8)`, k.ID, k.ClaimID, k.Kind, k.AssigneeID, k.Instructions, k.Due.UTC(), k.CreatedBy, tx.Now)
	return translate(err)
}

// CompleteClaimTask records the report of an open task; ENotFound when
// there is no such open task on the claim.
func (tx *Tx) CompleteClaimTask(ctx context.Context, claimID, taskID, report, conclusion string) error {
	res, err := tx.ExecContext(ctx, `UPDATE claim_tasks SET status = 'done', report = $1, conclusion = $2, done_at = $3
		WHERE id = $4 AND claim_id = $5 AND status = 'open'`, tx.db.seal(report), conclusion, tx.Now, taskID, claimID)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.Errorz(anxin.ENotFound, "no such open task on this claim", "该案件没有此待办任务")
	}
	return nil
}

// ClaimTasks lists a claim's tasks, oldest first.
func (db *DB) ClaimTasks(ctx context.Context, tx *Tx, claimID string) ([]anxin.ClaimTask, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT k.id, k.claim_id, k.kind, k.assignee_id, COALESCE(s.display_name, ''), k.instructions, k.due_at, k.status,
		k.report, k.conclusion, k.created_by, k.created_at, k.done_at
		FROM claim_tasks k LEFT JOIN staff s ON s.id = k.assignee_id WHERE k.claim_id = $1 ORDER BY k.created_at, k.id`, claimID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []anxin.ClaimTask
	for rows.Next() {
		var k anxin.ClaimTask
		var report string
		var done sql.NullTime
		if err := rows.Scan(&k.ID, &k.ClaimID, &k.Kind, &k.AssigneeID, &k.AssigneeName, &k.Instructions, &k.Due, &k.Status,
			&report, &k.Conclusion, &k.CreatedBy, &k.CreatedAt, &done); err != nil {
			return nil, translate(err)
		}
		var err error
		if k.Report, err = db.open(report); err != nil {
			return nil, err
		}
		k.Due, k.CreatedAt, k.DoneAt = k.Due.UTC(), k.CreatedAt.UTC(), done.Time
		out = append(out, k)
	}
	return out, translate(rows.Err())
}

// Payments.

// AddClaimPayments inserts the instructions of a decision; an instruction
// already there (the same decision and position) is left as it is, so the
// instructions exist once whoever gets there first.
func (tx *Tx) AddClaimPayments(ctx context.Context, ps []anxin.ClaimPayment) ([]anxin.ClaimPayment, error) {
	var added []anxin.ClaimPayment
	for _, p := range ps {
		p.ID, p.CreatedAt, p.Status = anxin.NewID(tx.Now), tx.Now, anxin.PaymentInstructed
		res, err := tx.ExecContext(ctx, `INSERT INTO claim_payments (id, claim_id, decision_id, position, payee_name, bank_name, account, amount, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'instructed', $9) ON CONFLICT (decision_id, position) DO NOTHING`,
			p.ID, p.ClaimID, p.DecisionID, p.Position, tx.db.seal(p.PayeeName), p.BankName, tx.db.seal(p.Account), p.Amount, tx.Now)
		if err != nil {
			return nil, translate(err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			added = append(added, p)
		}
	}
	return added, nil
}

const paymentColumns = `id, claim_id, decision_id, position, payee_name, bank_name, account, amount, status, reference, error, attempts, created_at, paid_at`

func (db *DB) scanPayment(s scanner) (*anxin.ClaimPayment, error) {
	var p anxin.ClaimPayment
	var payee, account string
	var paid sql.NullTime
	if err := s.Scan(&p.ID, &p.ClaimID, &p.DecisionID, &p.Position, &payee, &p.BankName, &account, &p.Amount, &p.Status, &p.Reference, &p.Error,
		&p.Attempts, &p.CreatedAt, &paid); err != nil {
		return nil, translate(err)
	}
	var err error
	if p.PayeeName, err = db.open(payee); err != nil {
		return nil, err
	}
	if p.Account, err = db.open(account); err != nil {
		return nil, err
	}
	p.CreatedAt, p.PaidAt = p.CreatedAt.UTC(), paid.Time
	return &p, nil
}

// ClaimPayments lists a claim's payment instructions.
func (db *DB) ClaimPayments(ctx context.Context, tx *Tx, claimID string) ([]anxin.ClaimPayment, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT `+paymentColumns+` FROM claim_payments WHERE claim_id = $1 ORDER BY created_at, position`, claimID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []anxin.ClaimPayment
	for rows.Next() {
		p, err := db.scanPayment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, translate(rows.Err())
}

// PaymentForUpdate reads one instruction, locked on PostgreSQL.
func (tx *Tx) PaymentForUpdate(ctx context.Context, id string) (*anxin.ClaimPayment, error) {
	suffix := ""
	if tx.db.Engine == Postgres {
		suffix = " FOR UPDATE"
	}
	p, err := tx.db.scanPayment(tx.QueryRowContext(ctx, `SELECT `+paymentColumns+` FROM claim_payments WHERE id = $1`+suffix, id))
	if isNotFound(err) {
		return nil, anxin.Errorz(anxin.ENotFound, "payment not found", "未找到该支付指令")
	}
	return p, err
}

// SavePayment records the outcome of a send.
func (tx *Tx) SavePayment(ctx context.Context, p *anxin.ClaimPayment) error {
	_, err := tx.ExecContext(ctx, `UPDATE claim_payments SET status = $1, reference = $2, error = $3, attempts = $4, paid_at = $5 WHERE id = $6`,
		p.Status, p.Reference, p.Error, p.Attempts, nullTime(p.PaidAt), p.ID)
	return translate(err)
}

// Disputes.

// AddClaimDispute inserts a dispute.
func (tx *Tx) AddClaimDispute(ctx context.Context, d *anxin.ClaimDispute) error {
	d.ID, d.RaisedAt, d.Status = anxin.NewID(tx.Now), tx.Now, "open"
	_, err := tx.ExecContext(ctx, `INSERT INTO claim_disputes (id, claim_id, decision_id, reason, raised_by, raised_at, human_review, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'open')`, d.ID, d.ClaimID, d.DecisionID, tx.db.seal(d.Reason), d.RaisedBy, tx.Now, d.HumanReview)
	return translate(err)
}

// ResolveDisputes marks a claim's open disputes decided by a decision.
func (tx *Tx) ResolveDisputes(ctx context.Context, claimID, decisionID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE claim_disputes SET status = 'decided', resolved_by = $1 WHERE claim_id = $2 AND status = 'open'`, decisionID, claimID)
	return translate(err)
}

// ClaimDisputes lists a claim's disputes.
func (db *DB) ClaimDisputes(ctx context.Context, tx *Tx, claimID string) ([]anxin.ClaimDispute, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT id, claim_id, decision_id, reason, raised_by, raised_at, human_review, status, resolved_by
		FROM claim_disputes WHERE claim_id = $1 ORDER BY raised_at`, claimID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []anxin.ClaimDispute
	for rows.Next() {
		var d anxin.ClaimDispute
		var reason string
		if err := rows.Scan(&d.ID, &d.ClaimID, &d.DecisionID, &reason, &d.RaisedBy, &d.RaisedAt, &d.HumanReview, &d.Status, &d.ResolvedByID); err != nil {
			return nil, translate(err)
		}
		var err error
		if d.Reason, err = db.open(reason); err != nil {
			return nil, err
		}
		d.RaisedAt = d.RaisedAt.UTC()
		out = append(out, d)
	}
	return out, translate(rows.Err())
}

// Statutory deadlines.

// ClaimDeadline is one statutory clock of a claim.
type ClaimDeadline struct {
	Kind     string    `json:"kind"`
	Due      time.Time `json:"due"`
	WarnAt   time.Time `json:"warn_at"`
	WarnedAt time.Time `json:"warned_at,omitzero"`
	Breached time.Time `json:"breached_at,omitzero"`
	DoneAt   time.Time `json:"done_at,omitzero"`
	ClaimID  string    `json:"-"`
}

// SetClaimDeadline starts (or restarts) a clock.
func (tx *Tx) SetClaimDeadline(ctx context.Context, claimID, kind string, due, warn time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO claim_deadlines (claim_id, kind, due_at, warn_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (claim_id, kind) DO UPDATE SET due_at = excluded.due_at, warn_at = excluded.warn_at, warned_at = NULL, breached_at = NULL, done_at = NULL`,
		claimID, kind, due.UTC(), warn.UTC())
	return translate(err)
}

// MeetClaimDeadline stops a clock (the act it waited for was done).
func (tx *Tx) MeetClaimDeadline(ctx context.Context, claimID, kind string) error {
	_, err := tx.ExecContext(ctx, `UPDATE claim_deadlines SET done_at = $1 WHERE claim_id = $2 AND kind = $3 AND done_at IS NULL`, tx.Now, claimID, kind)
	return translate(err)
}

// MarkClaimDeadline sets warned_at or breached_at once: true for the one
// caller that set it, so a warning goes out once however many nodes look.
func (tx *Tx) MarkClaimDeadline(ctx context.Context, claimID, kind string, breach bool) (bool, error) {
	col := "warned_at"
	if breach {
		col = "breached_at"
	}
	res, err := tx.ExecContext(ctx, `UPDATE claim_deadlines SET `+col+` = $1 WHERE claim_id = $2 AND kind = $3 AND done_at IS NULL AND `+col+` IS NULL`,
		tx.Now, claimID, kind)
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ClaimDeadlines lists a claim's clocks.
func (db *DB) ClaimDeadlines(ctx context.Context, tx *Tx, claimID string) ([]ClaimDeadline, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT kind, due_at, warn_at, warned_at, breached_at, done_at FROM claim_deadlines WHERE claim_id = $1 ORDER BY due_at`, claimID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []ClaimDeadline
	for rows.Next() {
		var d ClaimDeadline
		var warned, breached, done sql.NullTime
		if err := rows.Scan(&d.Kind, &d.Due, &d.WarnAt, &warned, &breached, &done); err != nil {
			return nil, translate(err)
		}
		d.Due, d.WarnAt, d.WarnedAt, d.Breached, d.DoneAt, d.ClaimID = d.Due.UTC(), d.WarnAt.UTC(), warned.Time, breached.Time, done.Time, claimID
		out = append(out, d)
	}
	return out, translate(rows.Err())
}

// HashesOnClaims counts how many of the given document hashes were already
// sent with some claim.
func (db *DB) HashesOnClaims(ctx context.Context, hashes []string) (int, error) {
	if len(hashes) == 0 {
		return 0, nil
	}
	args := make([]any, len(hashes))
	marks := make([]string, len(hashes))
	for i, h := range hashes {
		args[i], marks[i] = h, fmt.Sprintf("$%d", i+1)
	}
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(DISTINCT a.sha256) FROM ticket_attachments a JOIN claims c ON c.ticket_id = a.ticket_id
		WHERE a.sha256 IN (`+strings.Join(marks, ", ")+`)`, args...).Scan(&n)
	return n, translate(err)
}

// SetClaimSurvey records the claimant's survey answer once: false when it
// was already answered.
func (tx *Tx) SetClaimSurvey(ctx context.Context, claimID string, sv anxin.ClaimSurvey) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE claims SET survey_score = $1, survey_nps = $2, survey_comment = $3, survey_at = $4
		WHERE id = $5 AND survey_score IS NULL`, sv.Score, sv.NPS, sv.Comment, tx.Now, claimID)
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
