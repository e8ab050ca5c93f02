package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
)

// Team is a group of agents that routing sends tickets to.
type Team struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	NameEN       string `json:"name_en"`
	SupervisorID string `json:"supervisor_id,omitempty"`
}

// Agent is a staff member who takes tickets, with what routing needs.
type Agent struct {
	StaffID        string    `json:"staff_id"`
	DisplayName    string    `json:"display_name"`
	Role           string    `json:"role"`
	Team           string    `json:"team"`
	Skills         []string  `json:"skills"`
	Capacity       int       `json:"capacity"`
	Availability   string    `json:"availability"` // available, away, off
	ShiftDays      string    `json:"shift_days"`   // working_days, every_day
	ShiftStart     string    `json:"shift_start"`  // "09:00", Beijing time
	ShiftEnd       string    `json:"shift_end"`    // "18:00"; before start means overnight
	OpenTickets    int       `json:"open_tickets"`
	LastAssignedAt time.Time `json:"last_assigned_at,omitzero"`
}

// PutTeam creates or replaces a team.
func (tx *Tx) PutTeam(ctx context.Context, t Team) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO teams (code, name, name_en, supervisor_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, supervisor_id = excluded.supervisor_id`,
		t.Code, t.Name, t.NameEN, t.SupervisorID)
	return translate(err)
}

// Teams lists every team.
func (db *DB) Teams(ctx context.Context, tx *Tx) ([]Team, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT code, name, name_en, supervisor_id FROM teams ORDER BY code`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.Code, &t.Name, &t.NameEN, &t.SupervisorID); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Team returns one team, or ENotFound.
func (db *DB) Team(ctx context.Context, tx *Tx, code string) (Team, error) {
	var t Team
	err := db.q(tx).QueryRowContext(ctx, `SELECT code, name, name_en, supervisor_id FROM teams WHERE code = $1`, code).
		Scan(&t.Code, &t.Name, &t.NameEN, &t.SupervisorID)
	if err != nil {
		err = translate(err)
		if isNotFound(err) {
			return t, &anxin.Error{Code: anxin.ENotFound, Message: "no such team", MessageZH: "没有该团队",
				Fields: []anxin.FieldError{{Field: "team", Reason: "unknown", Message: "is not a team", MessageZH: "不是已有的团队"}}}
		}
	}
	return t, err
}

// PutAgent creates or updates an agent's team, skills, capacity, shift and
// availability; their open-ticket count is kept.
func (tx *Tx) PutAgent(ctx context.Context, a Agent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO agents (staff_id, team, skills, capacity, availability, shift_days, shift_start, shift_end, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (staff_id) DO UPDATE SET team = excluded.team, skills = excluded.skills, capacity = excluded.capacity,
		availability = excluded.availability, shift_days = excluded.shift_days, shift_start = excluded.shift_start,
		shift_end = excluded.shift_end, updated_at = excluded.updated_at`,
		a.StaffID, a.Team, strings.Join(a.Skills, ","), a.Capacity, a.Availability, a.ShiftDays, a.ShiftStart, a.ShiftEnd, tx.Now)
	return translate(err)
}

const agentSelect = `SELECT a.staff_id, s.display_name, s.role, a.team, a.skills, a.capacity, a.availability, a.shift_days, a.shift_start, a.shift_end,
	a.open_tickets, a.last_assigned_at FROM agents a JOIN staff s ON s.id = a.staff_id`

// Agents lists the agents of a team ("" for all), least loaded first.
func (db *DB) Agents(ctx context.Context, tx *Tx, team string) ([]Agent, error) {
	q := agentSelect + ` WHERE s.active = $1`
	args := []any{true}
	if team != "" {
		q += ` AND a.team = $2`
		args = append(args, team)
	}
	q += ` ORDER BY a.open_tickets, a.last_assigned_at, a.staff_id`
	rows, err := db.q(tx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// GetAgent returns one agent, or ENotFound.
func (db *DB) GetAgent(ctx context.Context, tx *Tx, staffID string) (Agent, error) {
	a, err := scanAgent(db.q(tx).QueryRowContext(ctx, agentSelect+` WHERE a.staff_id = $1`, staffID))
	if err != nil {
		err = translate(err)
		if isNotFound(err) {
			return a, anxin.Errorz(anxin.ENotFound, "this staff member is not set up as an agent", "该员工尚未设置为坐席")
		}
	}
	return a, err
}

func scanAgent(s scanner) (Agent, error) {
	var a Agent
	var skills string
	var last sql.NullTime
	err := s.Scan(&a.StaffID, &a.DisplayName, &a.Role, &a.Team, &skills, &a.Capacity, &a.Availability, &a.ShiftDays, &a.ShiftStart, &a.ShiftEnd, &a.OpenTickets, &last)
	if skills != "" {
		a.Skills = strings.Split(skills, ",")
	}
	if last.Valid {
		a.LastAssignedAt = last.Time.UTC()
	}
	return a, err
}

// AdjustAgentLoad moves an agent's open-ticket count by delta; assigned
// marks the moment for round-robin among equally loaded agents. A staff
// member who is not an agent has no count to keep.
func (tx *Tx) AdjustAgentLoad(ctx context.Context, staffID string, delta int, assigned bool) error {
	if staffID == "" || delta == 0 && !assigned {
		return nil
	}
	q := `UPDATE agents SET open_tickets = CASE WHEN open_tickets + $1 < 0 THEN 0 ELSE open_tickets + $1 END`
	if assigned {
		q += `, last_assigned_at = $3`
	}
	q += ` WHERE staff_id = $2`
	args := []any{delta, staffID}
	if assigned {
		args = append(args, tx.Now)
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return translate(err)
}

// SetAvailability changes an agent's availability.
func (tx *Tx) SetAvailability(ctx context.Context, staffID, availability string) error {
	res, err := tx.ExecContext(ctx, `UPDATE agents SET availability = $1, updated_at = $2 WHERE staff_id = $3`, availability, tx.Now, staffID)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.Errorz(anxin.ENotFound, "this staff member is not set up as an agent", "该员工尚未设置为坐席")
	}
	return nil
}

// QueuedRef is a queued ticket as assignment first needs it.
type QueuedRef struct {
	ID     string
	Skills []string
}

// QueuedRefs lists a team's unassigned open tickets in the order they are
// taken (most urgent, then longest waiting), reading only what choosing
// the next one needs; the one chosen is then read whole.
func (db *DB) QueuedRefs(ctx context.Context, tx *Tx, team string, limit int) ([]QueuedRef, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT id, skills FROM tickets
		WHERE team = $1 AND is_open = $2 AND owner_id IS NULL ORDER BY urgency_rank DESC, queued_at, id LIMIT $3`, team, true, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []QueuedRef
	for rows.Next() {
		var r QueuedRef
		var skills string
		if err := rows.Scan(&r.ID, &skills); err != nil {
			return nil, translate(err)
		}
		if skills != "" {
			r.Skills = strings.Split(skills, ",")
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// QueuedTeams lists the teams with unassigned open tickets.
func (db *DB) QueuedTeams(ctx context.Context) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT DISTINCT team FROM tickets WHERE is_open = $1 AND owner_id IS NULL AND team <> ''`, true)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetAdvisor names a customer's dedicated advisor ("" removes it).
func (tx *Tx) SetAdvisor(ctx context.Context, customerID, staffID string) error {
	if staffID == "" {
		_, err := tx.ExecContext(ctx, `DELETE FROM customer_advisors WHERE customer_id = $1`, customerID)
		return translate(err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_advisors (customer_id, staff_id, assigned_at) VALUES ($1, $2, $3)
		ON CONFLICT (customer_id) DO UPDATE SET staff_id = excluded.staff_id, assigned_at = excluded.assigned_at`, customerID, staffID, tx.Now)
	return translate(err)
}

// AdvisorOf returns a customer's dedicated advisor, or "".
func (db *DB) AdvisorOf(ctx context.Context, tx *Tx, customerID string) (string, error) {
	var id string
	err := db.q(tx).QueryRowContext(ctx, `SELECT staff_id FROM customer_advisors WHERE customer_id = $1`, customerID).Scan(&id)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return id, translate(err)
}

// ConfigDoc is one stored configuration document.
type ConfigDoc struct {
	Kind, Code string
	Position   int
	Doc        string
	UpdatedAt  time.Time
	UpdatedBy  string
}

// ReplaceConfig replaces every document of a kind in one go, so a set of
// rules that only makes sense together (an order, a catch-all) is never
// half-written.
func (tx *Tx) ReplaceConfig(ctx context.Context, kind string, docs []ConfigDoc, by string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM config_documents WHERE kind = $1`, kind); err != nil {
		return translate(err)
	}
	for _, d := range docs {
		if err := tx.PutConfig(ctx, kind, d.Code, d.Position, d.Doc, by); err != nil {
			return err
		}
	}
	return nil
}

// PutConfig creates or replaces one document.
func (tx *Tx) PutConfig(ctx context.Context, kind, code string, position int, doc, by string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO config_documents (kind, code, position, doc, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (kind, code) DO UPDATE SET position = excluded.position, doc = excluded.doc, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		kind, code, position, doc, tx.Now, by)
	return translate(err)
}

// ConfigDocs lists the documents of a kind in position order.
func (db *DB) ConfigDocs(ctx context.Context, tx *Tx, kind string) ([]ConfigDoc, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT kind, code, position, doc, updated_at, updated_by FROM config_documents WHERE kind = $1 ORDER BY position, code`, kind)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []ConfigDoc
	for rows.Next() {
		var d ConfigDoc
		if err := rows.Scan(&d.Kind, &d.Code, &d.Position, &d.Doc, &d.UpdatedAt, &d.UpdatedBy); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClaimSLAEvent records that a point of a ticket's deadline has been acted
// on. It reports false when some node already did: the caller must then do
// nothing, which is how a warning is never sent twice.
func (tx *Tx) ClaimSLAEvent(ctx context.Context, ticketID, target, point string, due time.Time, lateness time.Duration) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO sla_events (ticket_id, target, point, due_at, fired_at, lateness_ms) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT DO NOTHING`, ticketID, target, point, due.UTC(), tx.Now, lateness.Milliseconds())
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SLAEventDone reports whether a point has been acted on.
func (db *DB) SLAEventDone(ctx context.Context, tx *Tx, ticketID, target, point string, due time.Time) (bool, error) {
	var n int
	err := db.q(tx).QueryRowContext(ctx, `SELECT COUNT(*) FROM sla_events WHERE ticket_id = $1 AND target = $2 AND point = $3 AND due_at = $4`,
		ticketID, target, point, due.UTC()).Scan(&n)
	return n > 0, translate(err)
}

// SLAEvent is one acted-on point, for reports and tests.
type SLAEvent struct {
	TicketID, Target, Point string
	Due, FiredAt            time.Time
	Lateness                time.Duration
}

// SLAEvents lists the points acted on for a ticket.
func (db *DB) SLAEvents(ctx context.Context, ticketID string) ([]SLAEvent, error) {
	return db.slaEvents(ctx, nil, ticketID)
}

// SLAEventsTx is SLAEvents read inside tx.
func (tx *Tx) SLAEvents(ctx context.Context, ticketID string) ([]SLAEvent, error) {
	return tx.db.slaEvents(ctx, tx, ticketID)
}

func (db *DB) slaEvents(ctx context.Context, tx *Tx, ticketID string) ([]SLAEvent, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT ticket_id, target, point, due_at, fired_at, lateness_ms FROM sla_events WHERE ticket_id = $1 ORDER BY fired_at, point`, ticketID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []SLAEvent
	for rows.Next() {
		var e SLAEvent
		var ms int64
		if err := rows.Scan(&e.TicketID, &e.Target, &e.Point, &e.Due, &e.FiredAt, &ms); err != nil {
			return nil, err
		}
		e.Lateness = time.Duration(ms) * time.Millisecond
		out = append(out, e)
	}
	return out, rows.Err()
}

// StaffNotification is a message to one staff member in the console.
type StaffNotification struct {
	ID        string    `json:"id"`
	StaffID   string    `json:"staff_id"`
	TicketID  string    `json:"ticket_id,omitempty"`
	Number    string    `json:"ticket_number,omitempty"`
	Kind      string    `json:"kind"`
	Message   string    `json:"message"`
	MessageEN string    `json:"message_en"`
	At        time.Time `json:"at"`
	Read      bool      `json:"read"`
}

// AddStaffNotification stores a message for a staff member.
func (tx *Tx) AddStaffNotification(ctx context.Context, n *StaffNotification) error {
	if n.ID == "" {
		n.ID = anxin.NewID(tx.Now)
	}
	n.At = tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO staff_notifications (id, staff_id, ticket_id, kind, message, message_en, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		n.ID, n.StaffID, n.TicketID, n.Kind, n.Message, n.MessageEN, n.At)
	return translate(err)
}

// StaffNotifications lists a staff member's newest messages.
func (db *DB) StaffNotifications(ctx context.Context, staffID string, unreadOnly bool, limit int) ([]StaffNotification, error) {
	q := `SELECT n.id, n.staff_id, n.ticket_id, COALESCE(t.number, ''), n.kind, n.message, n.message_en, n.at, n.read_at IS NOT NULL
		FROM staff_notifications n LEFT JOIN tickets t ON t.id = n.ticket_id WHERE n.staff_id = $1`
	if unreadOnly {
		q += ` AND n.read_at IS NULL`
	}
	q += ` ORDER BY n.at DESC, n.id DESC LIMIT $2`
	rows, err := db.r.QueryContext(ctx, q, staffID, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []StaffNotification
	for rows.Next() {
		var n StaffNotification
		if err := rows.Scan(&n.ID, &n.StaffID, &n.TicketID, &n.Number, &n.Kind, &n.Message, &n.MessageEN, &n.At, &n.Read); err != nil {
			return nil, err
		}
		n.At = n.At.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkNotificationsRead marks all of a staff member's messages read.
func (tx *Tx) MarkNotificationsRead(ctx context.Context, staffID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE staff_notifications SET read_at = $1 WHERE staff_id = $2 AND read_at IS NULL`, tx.Now, staffID)
	return translate(err)
}

// Notice is one message in the outbox.
type Notice struct {
	ID        string    `json:"id"`
	TicketID  string    `json:"ticket_id,omitempty"`
	Channel   string    `json:"channel"` // email, sms, webhook
	Template  string    `json:"template"`
	Recipient string    `json:"recipient"`
	Subject   string    `json:"subject,omitempty"`
	Body      string    `json:"body"`
	MessageID string    `json:"message_id,omitempty"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
}

// AddNotice queues a notice; the caller inserts the job that sends it in
// the same transaction.
func (tx *Tx) AddNotice(ctx context.Context, n *Notice) error {
	if n.ID == "" {
		n.ID = anxin.NewID(tx.Now)
	}
	n.Status, n.CreatedAt = "queued", tx.Now
	db := tx.db
	_, err := tx.ExecContext(ctx, `INSERT INTO notices (id, ticket_id, channel, template, recipient, subject, body, message_id, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		n.ID, n.TicketID, n.Channel, n.Template, db.seal(n.Recipient), n.Subject, db.seal(n.Body), n.MessageID, n.Status, n.CreatedAt)
	return translate(err)
}

const noticeColumns = `id, ticket_id, channel, template, recipient, subject, body, message_id, status, attempts, last_error, created_at, sent_at`

// GetNotice reads one notice.
func (db *DB) GetNotice(ctx context.Context, tx *Tx, id string) (*Notice, error) {
	n, err := db.scanNotice(db.q(tx).QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE id = $1`, id))
	return n, translate(err)
}

// TicketNotices lists the notices of a ticket, oldest first.
func (db *DB) TicketNotices(ctx context.Context, ticketID string) ([]*Notice, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices WHERE ticket_id = $1 ORDER BY created_at, id`, ticketID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*Notice
	for rows.Next() {
		n, err := db.scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (db *DB) scanNotice(s scanner) (*Notice, error) {
	var n Notice
	var sent sql.NullTime
	var rcpt, body string
	if err := s.Scan(&n.ID, &n.TicketID, &n.Channel, &n.Template, &rcpt, &n.Subject, &body, &n.MessageID, &n.Status, &n.Attempts, &n.LastError, &n.CreatedAt, &sent); err != nil {
		return nil, err
	}
	var err error
	if n.Recipient, err = db.open(rcpt); err != nil {
		return nil, err
	}
	if n.Body, err = db.open(body); err != nil {
		return nil, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	if sent.Valid {
		n.SentAt = sent.Time.UTC()
	}
	return &n, nil
}

// MarkNotice records the outcome of one send attempt.
func (tx *Tx) MarkNotice(ctx context.Context, id, status, lastError string) error {
	var sent any
	if status == "sent" {
		sent = tx.Now
	}
	_, err := tx.ExecContext(ctx, `UPDATE notices SET status = $1, last_error = $2, attempts = attempts + 1, sent_at = $3 WHERE id = $4`,
		status, lastError, sent, id)
	return translate(err)
}

// Webhook is a partner's subscription to ticket events.
type Webhook struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"`
	Events    []string  `json:"events"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// AddWebhook stores a subscription; the secret is sealed.
func (tx *Tx) AddWebhook(ctx context.Context, w *Webhook) error {
	if w.ID == "" {
		w.ID = anxin.NewID(tx.Now)
	}
	w.CreatedAt = tx.Now
	_, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, name, url, secret, events, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		w.ID, w.Name, w.URL, tx.db.seal(w.Secret), strings.Join(w.Events, ","), w.Active, w.CreatedAt)
	return translate(err)
}

// Webhooks lists subscriptions; event "" lists all, else the active ones
// that take the event.
func (db *DB) Webhooks(ctx context.Context, tx *Tx, event string) ([]Webhook, error) {
	rows, err := db.q(tx).QueryContext(ctx, `SELECT id, name, url, secret, events, active, created_at FROM webhooks ORDER BY created_at, id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var w Webhook
		var secret, events string
		if err := rows.Scan(&w.ID, &w.Name, &w.URL, &secret, &events, &w.Active, &w.CreatedAt); err != nil {
			return nil, err
		}
		if w.Secret, err = db.open(secret); err != nil {
			return nil, err
		}
		w.Events = strings.Split(events, ",")
		if event != "" && (!w.Active || !contains(w.Events, event)) {
			continue
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x || v == "*" {
			return true
		}
	}
	return false
}

// TakeCapacity counts one more open ticket against an agent if they are
// under capacity, and reports whether they were. The condition lives in
// the UPDATE so that concurrent requests cannot both take the last slot.
func (tx *Tx) TakeCapacity(ctx context.Context, staffID string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE agents SET open_tickets = open_tickets + 1, last_assigned_at = $1
		WHERE staff_id = $2 AND open_tickets < capacity`, tx.Now, staffID)
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
