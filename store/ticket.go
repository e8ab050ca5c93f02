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

// NextNumber returns the next value of a named counter, starting at 1. The
// upsert takes the row's lock until the transaction ends, so two nodes
// never hand out one number; a rolled-back transaction leaves a gap, which
// a human-readable number may have.
func (tx *Tx) NextNumber(ctx context.Context, name string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO number_sequences (name, value) VALUES ($1, 1)
		ON CONFLICT (name) DO UPDATE SET value = number_sequences.value + 1 RETURNING value`, name).Scan(&n)
	return n, translate(err)
}

// TakeNumber is NextNumber in a transaction of its own, so that the
// counter's row is locked only for that moment. On PostgreSQL that commit
// does not wait for its WAL to reach the disk: nothing refers to the number
// until the transaction using it commits, and that commit, durable and
// later in the same WAL, makes this one durable too. A number lost in a
// crash before then was never given to anything.
func (db *DB) TakeNumber(ctx context.Context, name string) (int64, error) {
	var n int64
	err := db.InTx(ctx, func(tx *Tx) (err error) {
		if db.Engine == Postgres {
			if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO OFF`); err != nil {
				return translate(err)
			}
		}
		n, err = tx.NextNumber(ctx, name)
		return err
	})
	return n, err
}

const ticketColumns = `id, number, type, channel, urgency, stage, subject, description, language, customer_id, policy_id,
	contact_name, contact_email, contact_mobile, verify_method, verify_result, verify_by, verify_at,
	owner_id, team, skills, routing_rule, received_by, sla_policy, response_due, resolution_due, provisional,
	responded_at, resolved_at, closed_at, paused_at, paused_seconds, response_breached, resolution_breached,
	satisfaction, source_ref, version, created_at, updated_at`

// ticketRow is a ticket with the columns the domain type does not carry.
type ticketRow struct {
	anxin.Ticket
	SLADoc string
}

// CreateTicket inserts t (validated, numbered, routed and timed by the
// service) with its checklist. ID, Version and timestamps are set here.
func (tx *Tx) CreateTicket(ctx context.Context, t *anxin.Ticket, slaDoc string, checklist []anxin.ChecklistItem) error {
	if t.ID == "" {
		t.ID = anxin.NewID(tx.Now)
	}
	t.Version = 1
	t.CreatedAt, t.UpdatedAt = tx.Now, tx.Now
	db := tx.db
	var queued any
	if t.OwnerID == "" && t.Stage.Open() {
		queued = tx.Now
	}
	// customer_tier denormalises the customer's tier onto the ticket so
	// that queues filter by it without a join; $10 is customer_id.
	_, err := tx.ExecContext(ctx, `INSERT INTO tickets (`+ticketColumns+`, urgency_rank, is_open, customer_tier, contact_email_idx, sla_doc, queued_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39,
		$40, $41, COALESCE((SELECT tier FROM customers WHERE id = $10), ''), $42, $43, $44)`,
		append(tx.ticketValues(t), t.Urgency.Rank(), t.Stage.Open(), db.emailIndex(t.Contact.Email), slaDoc, queued)...)
	if err != nil {
		return translate(err)
	}
	if len(checklist) == 0 {
		return nil
	}
	// The whole list in one statement.
	var q strings.Builder
	q.WriteString(`INSERT INTO ticket_checklist (ticket_id, position, code, name, name_en, status, reason, updated_at) VALUES `)
	args := make([]any, 0, 8*len(checklist))
	for i, it := range checklist {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
		args = append(args, t.ID, i, it.Code, it.Name, it.NameEN, it.Status, it.Reason, tx.Now)
	}
	_, err = tx.ExecContext(ctx, q.String(), args...)
	return translate(err)
}

// CustomerContact reads what intake needs of a customer, in one query:
// kind, tier and VIP for the SLA policy and routing, and name, email and
// first mobile for the receipt notice. The rest of the customer (identity
// document, address, consents) is neither read nor decrypted. ENotFound
// when there is no such customer.
func (db *DB) CustomerContact(ctx context.Context, tx *Tx, id string) (*anxin.Customer, error) {
	var c anxin.Customer
	var email, mobile string
	err := db.q(tx).QueryRowContext(ctx, `SELECT c.id, c.kind, c.name, c.email, c.tier, c.vip,
		COALESCE((SELECT m.mobile FROM customer_mobiles m WHERE m.customer_id = c.id ORDER BY m.position LIMIT 1), '')
		FROM customers c WHERE c.id = $1`, id).Scan(&c.ID, &c.Kind, &c.Name, &email, &c.Tier, &c.VIP, &mobile)
	if err != nil {
		if err = translate(err); isNotFound(err) {
			return nil, anxin.Errorz(anxin.ENotFound, "customer not found", "未找到该客户")
		}
		return nil, err
	}
	if c.Email, err = db.open(email); err != nil {
		return nil, fmt.Errorf("customer %s: %w", c.ID, err)
	}
	if mobile != "" {
		m, err := db.open(mobile)
		if err != nil {
			return nil, fmt.Errorf("customer %s: %w", c.ID, err)
		}
		c.Mobiles = []string{m}
	}
	return &c, nil
}

func (db *DB) emailIndex(email string) string {
	if email == "" {
		return ""
	}
	return db.Vault.Index("email", strings.ToLower(strings.TrimSpace(email)))
}

// EmailIndex is the blind index of an email address, for finding the
// tickets and customers that wrote from it.
func (db *DB) EmailIndex(email string) string { return db.emailIndex(email) }

func (tx *Tx) ticketValues(t *anxin.Ticket) []any {
	db := tx.db
	return []any{t.ID, t.Number, t.Type, t.Channel, t.Urgency, t.Stage, t.Subject, db.seal(t.Description), t.Language,
		nullString(t.CustomerID), nullString(t.PolicyID),
		t.Contact.Name, db.seal(t.Contact.Email), db.seal(t.Contact.Mobile),
		t.Verification.Method, t.Verification.Result, t.Verification.By, nullTime(t.Verification.At),
		nullString(t.OwnerID), t.Team, strings.Join(t.Skills, ","), t.RoutingRule, t.ReceivedBy, t.SLAPolicy,
		t.ResponseDue.UTC(), t.ResolutionDue.UTC(), t.Provisional,
		nullTime(t.RespondedAt), nullTime(t.ResolvedAt), nullTime(t.ClosedAt), nullTime(t.PausedAt), t.PausedSeconds,
		t.ResponseBreach, t.ResolveBreach, t.Satisfaction, t.SourceRef, t.Version, t.CreatedAt.UTC(), t.UpdatedAt.UTC()}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// SaveTicket writes every mutable field of t if its stored version is
// still t.Version, and bumps the version. A stale version is EPrecondition:
// someone else changed the ticket since it was read.
func (tx *Tx) SaveTicket(ctx context.Context, t *anxin.Ticket) error {
	db := tx.db
	var queuedSQL string
	switch {
	case t.OwnerID != "" || !t.Stage.Open():
		queuedSQL = "NULL"
	default:
		queuedSQL = "COALESCE(queued_at, $30)"
	}
	res, err := tx.ExecContext(ctx, `UPDATE tickets SET type = $1, channel = $2, urgency = $3, urgency_rank = $4, stage = $5, is_open = $6,
		subject = $7, description = $8, language = $9, customer_id = $10, policy_id = $11,
		contact_name = $12, contact_email = $13, contact_email_idx = $14, contact_mobile = $15,
		owner_id = $16, team = $17, skills = $18, response_due = $19, resolution_due = $20, provisional = $21,
		responded_at = $22, resolved_at = $23, closed_at = $24, paused_at = $25, paused_seconds = $26,
		response_breached = $27, resolution_breached = $28, satisfaction = $29, updated_at = $30, queued_at = `+queuedSQL+`,
		verify_method = $33, verify_result = $34, verify_by = $35, verify_at = $36, routing_rule = $37,
		version = version + 1
		WHERE id = $31 AND version = $32`,
		t.Type, t.Channel, t.Urgency, t.Urgency.Rank(), t.Stage, t.Stage.Open(),
		t.Subject, db.seal(t.Description), t.Language, nullString(t.CustomerID), nullString(t.PolicyID),
		t.Contact.Name, db.seal(t.Contact.Email), db.emailIndex(t.Contact.Email), db.seal(t.Contact.Mobile),
		nullString(t.OwnerID), t.Team, strings.Join(t.Skills, ","), t.ResponseDue.UTC(), t.ResolutionDue.UTC(), t.Provisional,
		nullTime(t.RespondedAt), nullTime(t.ResolvedAt), nullTime(t.ClosedAt), nullTime(t.PausedAt), t.PausedSeconds,
		t.ResponseBreach, t.ResolveBreach, t.Satisfaction, tx.Now, t.ID, t.Version,
		t.Verification.Method, t.Verification.Result, t.Verification.By, nullTime(t.Verification.At), t.RoutingRule)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.Errorz(anxin.EPrecondition, "the ticket was changed by someone else; reload and try again", "工单已被他人修改，请刷新后重试")
	}
	t.Version++
	t.UpdatedAt = tx.Now
	return nil
}

// TicketForUpdate reads a ticket by number or id inside tx, locking its row
// on PostgreSQL (SQLite's single writer already serialises).
func (tx *Tx) TicketForUpdate(ctx context.Context, numberOrID string) (*anxin.Ticket, string, error) {
	suffix := ""
	if tx.db.Engine == Postgres {
		suffix = " FOR UPDATE"
	}
	return tx.db.getTicket(ctx, tx, numberOrID, suffix)
}

// GetTicket reads a ticket by number or id, with its collaborators.
func (db *DB) GetTicket(ctx context.Context, tx *Tx, numberOrID string) (*anxin.Ticket, error) {
	t, _, err := db.getTicket(ctx, tx, numberOrID, "")
	return t, err
}

func (db *DB) getTicket(ctx context.Context, tx *Tx, numberOrID, suffix string) (*anxin.Ticket, string, error) {
	col := "id"
	if anxin.TicketNumberPattern.MatchString(numberOrID) {
		col = "number"
	}
	q := db.q(tx)
	row := q.QueryRowContext(ctx, `SELECT `+ticketColumns+`, sla_doc FROM tickets WHERE `+col+` = $1`+suffix, numberOrID)
	r, err := db.scanTicket(row, true)
	if err != nil {
		err = translate(err)
		if isNotFound(err) {
			return nil, "", anxin.Errorz(anxin.ENotFound, "ticket not found", "未找到该工单")
		}
		return nil, "", err
	}
	rows, err := q.QueryContext(ctx, `SELECT staff_id FROM ticket_collaborators WHERE ticket_id = $1 ORDER BY added_at`, r.ID)
	if err != nil {
		return nil, "", translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, "", err
		}
		r.Collaborators = append(r.Collaborators, s)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if err := db.fillOwnerNames(ctx, q, []*anxin.Ticket{&r.Ticket}); err != nil {
		return nil, "", err
	}
	return &r.Ticket, r.SLADoc, nil
}

func (db *DB) scanTicket(s scanner, withDoc bool) (*ticketRow, error) {
	var r ticketRow
	t := &r.Ticket
	var customerID, policyID, ownerID sql.NullString
	var verifyAt, responded, resolved, closed, paused sql.NullTime
	var desc, email, mobile, skills string
	dest := []any{&t.ID, &t.Number, &t.Type, &t.Channel, &t.Urgency, &t.Stage, &t.Subject, &desc, &t.Language, &customerID, &policyID,
		&t.Contact.Name, &email, &mobile, &t.Verification.Method, &t.Verification.Result, &t.Verification.By, &verifyAt,
		&ownerID, &t.Team, &skills, &t.RoutingRule, &t.ReceivedBy, &t.SLAPolicy, &t.ResponseDue, &t.ResolutionDue, &t.Provisional,
		&responded, &resolved, &closed, &paused, &t.PausedSeconds, &t.ResponseBreach, &t.ResolveBreach,
		&t.Satisfaction, &t.SourceRef, &t.Version, &t.CreatedAt, &t.UpdatedAt}
	if withDoc {
		dest = append(dest, &r.SLADoc)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	t.CustomerID, t.PolicyID, t.OwnerID = customerID.String, policyID.String, ownerID.String
	t.Verification.At, t.RespondedAt, t.ResolvedAt, t.ClosedAt, t.PausedAt = verifyAt.Time, responded.Time, resolved.Time, closed.Time, paused.Time
	if skills != "" {
		t.Skills = strings.Split(skills, ",")
	}
	var err error
	if t.Description, err = db.open(desc); err != nil {
		return nil, err
	}
	if t.Contact.Email, err = db.open(email); err != nil {
		return nil, err
	}
	if t.Contact.Mobile, err = db.open(mobile); err != nil {
		return nil, err
	}
	for _, p := range []*time.Time{&t.ResponseDue, &t.ResolutionDue, &t.CreatedAt, &t.UpdatedAt, &t.Verification.At, &t.RespondedAt, &t.ResolvedAt, &t.ClosedAt, &t.PausedAt} {
		if !p.IsZero() {
			*p = p.UTC()
		}
	}
	return &r, nil
}

// fillOwnerNames sets OwnerName from the staff table.
func (db *DB) fillOwnerNames(ctx context.Context, q queryer, ts []*anxin.Ticket) error {
	ids := map[string]string{}
	for _, t := range ts {
		if t.OwnerID != "" {
			ids[t.OwnerID] = ""
		}
	}
	for id := range ids {
		var name string
		if err := q.QueryRowContext(ctx, `SELECT display_name FROM staff WHERE id = $1`, id).Scan(&name); err != nil && err != sql.ErrNoRows {
			return translate(err)
		}
		ids[id] = name
	}
	for _, t := range ts {
		t.OwnerName = ids[t.OwnerID]
	}
	return nil
}

// FindTickets lists tickets for a queue or search, newest first for
// searches and soonest due first for the deadline queues; Limit+1 rows are
// never read, so a page costs one index range.
func (db *DB) FindTickets(ctx context.Context, f anxin.TicketFilter) ([]*anxin.Ticket, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	order := "created_at DESC, id DESC"
	byDue := false
	switch f.Queue {
	case "mine":
		where = append(where, "owner_id = "+arg(f.StaffID), "is_open = "+arg(true))
		byDue = true
	case "team":
		where = append(where, "team = "+arg(f.Team), "is_open = "+arg(true))
		byDue = true
	case "due_soon":
		where = append(where, "is_open = "+arg(true), "resolution_due <= "+arg(f.DueBefore.UTC()), "resolution_due > "+arg(f.Now.UTC()))
		byDue = true
	case "breached":
		where = append(where, "is_open = "+arg(true), "(resolution_due <= "+arg(f.Now.UTC())+" OR response_breached = "+arg(true)+")")
		byDue = true
	case "unassigned":
		where = append(where, "owner_id IS NULL", "is_open = "+arg(true))
		if f.Team != "" {
			where = append(where, "team = "+arg(f.Team))
		}
		byDue = true
	case "":
	default:
		return nil, anxin.Errorz(anxin.EInvalid, "unknown queue (mine, team, due_soon, breached, unassigned)", "未知的队列")
	}
	if byDue {
		order = "resolution_due, id"
	}
	if f.CustomerID != "" {
		where = append(where, "customer_id = "+arg(f.CustomerID))
	}
	if f.Type != "" {
		where = append(where, "type = "+arg(f.Type))
	}
	if f.Channel != "" {
		where = append(where, "channel = "+arg(f.Channel))
	}
	if f.Urgency != "" {
		where = append(where, "urgency = "+arg(f.Urgency))
	}
	if f.Tier != "" {
		where = append(where, "customer_tier = "+arg(f.Tier))
	}
	if f.Stage != "" {
		where = append(where, "stage = "+arg(f.Stage))
	}
	if f.Open && f.Queue == "" {
		where = append(where, "is_open = "+arg(true))
	}
	if f.After != "" {
		at, id, ok := strings.Cut(f.After, "|")
		ts, err := time.Parse(time.RFC3339Nano, at)
		if !ok || err != nil {
			return nil, anxin.Errorz(anxin.EInvalid, "the cursor is not one this server gave", "分页游标无效")
		}
		if byDue {
			where = append(where, "(resolution_due > "+arg(ts.UTC())+" OR (resolution_due = "+arg(ts.UTC())+" AND id > "+arg(id)+"))")
		} else {
			where = append(where, "(created_at < "+arg(ts.UTC())+" OR (created_at = "+arg(ts.UTC())+" AND id < "+arg(id)+"))")
		}
	}
	q := `SELECT ` + ticketColumns + ` FROM tickets`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q += " ORDER BY " + order + " LIMIT " + arg(limit)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*anxin.Ticket
	for rows.Next() {
		r, err := db.scanTicket(rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, &r.Ticket)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.fillOwnerNames(ctx, db.r, out)
}

// TicketCursor is the cursor that continues a listing after t.
func TicketCursor(t *anxin.Ticket, byDue bool) string {
	at := t.CreatedAt
	if byDue {
		at = t.ResolutionDue
	}
	return at.UTC().Format(time.RFC3339Nano) + "|" + t.ID
}

// FindTicketBySource returns the ticket an inbound message already made,
// so a redelivered email does not open a second ticket.
func (db *DB) FindTicketBySource(ctx context.Context, tx *Tx, ref string) (*anxin.Ticket, error) {
	var id string
	err := db.q(tx).QueryRowContext(ctx, `SELECT id FROM tickets WHERE source_ref = $1`, ref).Scan(&id)
	if err != nil {
		return nil, translate(err)
	}
	return db.GetTicket(ctx, tx, id)
}

// AddTicketEvent appends to the timeline.
func (tx *Tx) AddTicketEvent(ctx context.Context, e *anxin.TicketEvent) error {
	if e.ID == "" {
		e.ID = anxin.NewID(tx.Now)
	}
	if e.At.IsZero() {
		e.At = tx.Now.Add(time.Duration(tx.events) * time.Microsecond)
		tx.events++
	}
	var data string
	if len(e.Data) > 0 {
		b, err := json.Marshal(e.Data)
		if err != nil {
			return err
		}
		data = string(b)
	}
	source, _ := e.Data["message_id"].(string)
	_, err := tx.ExecContext(ctx, `INSERT INTO ticket_events (id, ticket_id, customer_id, at, kind, channel, actor_kind, actor_id, actor_name, body, data, source_ref)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		e.ID, e.TicketID, e.CustomerID, e.At.UTC(), e.Kind, e.Channel, e.ActorKind, e.ActorID, e.ActorName, tx.db.seal(e.Body), data, source)
	return translate(err)
}

// TicketEvents returns a ticket's timeline, oldest first.
func (db *DB) TicketEvents(ctx context.Context, ticketID string) ([]anxin.TicketEvent, error) {
	return db.events(ctx, `SELECT e.id, e.ticket_id, t.number, e.customer_id, e.at, e.kind, e.channel, e.actor_kind, e.actor_id, e.actor_name, e.body, e.data
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.ticket_id = $1 ORDER BY e.at, e.id LIMIT 2000`, ticketID)
}

// CustomerEvents returns the newest events of every ticket of a customer:
// the one timeline across channels the 360° view shows.
func (db *DB) CustomerEvents(ctx context.Context, customerID string, limit int) ([]anxin.TicketEvent, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return db.events(ctx, `SELECT e.id, e.ticket_id, t.number, e.customer_id, e.at, e.kind, e.channel, e.actor_kind, e.actor_id, e.actor_name, e.body, e.data
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.customer_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT $2`, customerID, limit)
}

func (db *DB) events(ctx context.Context, q string, args ...any) ([]anxin.TicketEvent, error) {
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []anxin.TicketEvent
	for rows.Next() {
		var e anxin.TicketEvent
		var body, data string
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Number, &e.CustomerID, &e.At, &e.Kind, &e.Channel, &e.ActorKind, &e.ActorID, &e.ActorName, &body, &data); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if e.Body, err = db.open(body); err != nil {
			return nil, err
		}
		if data != "" {
			if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
				return nil, fmt.Errorf("event %s data: %w", e.ID, err)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddCollaborator adds a staff member to a ticket; adding twice is a no-op
// reported as false.
func (tx *Tx) AddCollaborator(ctx context.Context, ticketID, staffID string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO ticket_collaborators (ticket_id, staff_id, added_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, ticketID, staffID, tx.Now)
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Checklist returns a ticket's document checklist in order.
func (db *DB) Checklist(ctx context.Context, tx *Tx, ticketID string) ([]anxin.ChecklistItem, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT code, name, name_en, status, reason, updated_at FROM ticket_checklist WHERE ticket_id = $1 ORDER BY position`, ticketID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []anxin.ChecklistItem
	for rows.Next() {
		var it anxin.ChecklistItem
		if err := rows.Scan(&it.Code, &it.Name, &it.NameEN, &it.Status, &it.Reason, &it.UpdatedAt); err != nil {
			return nil, err
		}
		it.UpdatedAt = it.UpdatedAt.UTC()
		out = append(out, it)
	}
	return out, rows.Err()
}

// SetChecklistItem records an item's status; an unknown code is ENotFound.
func (tx *Tx) SetChecklistItem(ctx context.Context, ticketID, code, status, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE ticket_checklist SET status = $1, reason = $2, updated_at = $3 WHERE ticket_id = $4 AND code = $5`,
		status, reason, tx.Now, ticketID, code)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &anxin.Error{Code: anxin.ENotFound, Message: "the ticket's checklist has no such item", MessageZH: "该工单的材料清单中没有此项",
			Fields: []anxin.FieldError{{Field: "code", Reason: "unknown", Message: "is not on the checklist", MessageZH: "不在材料清单中"}}}
	}
	return nil
}

// AddAttachment records a stored document.
func (tx *Tx) AddAttachment(ctx context.Context, a *anxin.Attachment) error {
	if a.ID == "" {
		a.ID = anxin.NewID(tx.Now)
	}
	a.At = tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO ticket_attachments (id, ticket_id, sha256, filename, content_type, size, item_code, uploaded_by, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, a.ID, a.TicketID, a.SHA256, a.Filename, a.ContentType, a.Size, a.ItemCode, a.UploadedBy, a.At)
	return translate(err)
}

// Attachments lists a ticket's documents, oldest first.
func (db *DB) Attachments(ctx context.Context, ticketID string) ([]anxin.Attachment, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, ticket_id, sha256, filename, content_type, size, item_code, uploaded_by, at
		FROM ticket_attachments WHERE ticket_id = $1 ORDER BY at, id`, ticketID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []anxin.Attachment
	for rows.Next() {
		var a anxin.Attachment
		if err := rows.Scan(&a.ID, &a.TicketID, &a.SHA256, &a.Filename, &a.ContentType, &a.Size, &a.ItemCode, &a.UploadedBy, &a.At); err != nil {
			return nil, err
		}
		a.At = a.At.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// FillOwnerName sets t.OwnerName from the staff table.
func (db *DB) FillOwnerName(ctx context.Context, tx *Tx, t *anxin.Ticket) error {
	return db.fillOwnerNames(ctx, db.q(tx), []*anxin.Ticket{t})
}

// SetTicketSLA records the policy a ticket is now timed by.
func (tx *Tx) SetTicketSLA(ctx context.Context, ticketID, code, doc string) error {
	_, err := tx.ExecContext(ctx, `UPDATE tickets SET sla_policy = $1, sla_doc = $2 WHERE id = $3`, code, doc, ticketID)
	return translate(err)
}

// EventWithSource returns the ticket id of the event that recorded an
// inbound message, or "": a redelivered reply is not recorded twice.
func (db *DB) EventWithSource(ctx context.Context, messageID string) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, `SELECT ticket_id FROM ticket_events WHERE source_ref = $1 LIMIT 1`, messageID).Scan(&id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return id, translate(err)
}
