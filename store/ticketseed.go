package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/anxin-insure/anxin"
)

// SeedTicket is one ticket written by SeedTickets.
type SeedTicket struct {
	*anxin.Ticket
	Tier   anxin.Tier // the customer's, denormalised as CreateTicket does
	SLADoc string
}

// seedRows is how many rows one statement inserts. modernc looks each
// bound parameter up by a walk over the statement's list of them, so on
// SQLite binding costs the square of their number: 10 rows (440
// parameters) a statement was the fastest tried (500 rows: 550 tickets/s,
// 25: 4,400/s, 10: 5,600/s). PostgreSQL takes up to 65,535 parameters and
// gains from fewer round trips.
func (db *DB) seedRows(perRow int) int {
	if db.Engine == Postgres {
		return 8000 / perRow
	}
	return 440 / perRow
}

// SeedTickets writes tickets in bulk, several a statement: the
// rows only, with no checklist, timeline, audit record or notice. It exists
// for benchmarks that need a large backlog quickly (`anxin bench tickets
// --seed-open`); nothing else may use it, since a ticket opened this way
// has none of the history an intake gives it. IDs, versions and timestamps
// are set as CreateTicket sets them, except CreatedAt, which is kept.
func (tx *Tx) SeedTickets(ctx context.Context, ts []SeedTicket) error {
	per := tx.db.seedRows(44)
	for start := 0; start < len(ts); start += per {
		chunk := ts[start:min(start+per, len(ts))]
		var q strings.Builder
		q.WriteString(`INSERT INTO tickets (` + ticketColumns + `, urgency_rank, is_open, customer_tier, contact_email_idx, sla_doc, queued_at) VALUES `)
		args := make([]any, 0, 45*len(chunk))
		for i, st := range chunk {
			t := st.Ticket
			if t.ID == "" {
				t.ID = anxin.NewID(t.CreatedAt)
			}
			t.Version = 1
			t.UpdatedAt = tx.Now
			var queued any
			if t.OwnerID == "" && t.Stage.Open() {
				queued = t.CreatedAt.UTC()
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			row := append(tx.ticketValues(t), t.Urgency.Rank(), t.Stage.Open(), string(st.Tier), tx.db.emailIndex(t.Contact.Email), st.SLADoc, queued)
			for j := range row {
				if j > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "$%d", len(args)+j+1)
			}
			q.WriteByte(')')
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return translate(err)
		}
	}
	return nil
}

// ReserveNumbers takes n consecutive values of a named counter at once and
// returns the first.
func (tx *Tx) ReserveNumbers(ctx context.Context, name string, n int64) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `INSERT INTO number_sequences (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = number_sequences.value + $2 RETURNING value`, name, n).Scan(&last)
	return last - n + 1, translate(err)
}

// SeedSLAEvents records SLA points as already acted on, in bulk, for
// SeedTickets' backlog (points that fell before the seeding); benchmarks
// only, like SeedTickets.
func (tx *Tx) SeedSLAEvents(ctx context.Context, evs []SLAEvent) error {
	per := tx.db.seedRows(6)
	for start := 0; start < len(evs); start += per {
		chunk := evs[start:min(start+per, len(evs))]
		var q strings.Builder
		q.WriteString(`INSERT INTO sla_events (ticket_id, target, point, due_at, fired_at, lateness_ms) VALUES `)
		args := make([]any, 0, 6*len(chunk))
		for i, e := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6)
			args = append(args, e.TicketID, e.Target, e.Point, e.Due.UTC(), e.FiredAt.UTC(), e.Lateness.Milliseconds())
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return translate(err)
		}
	}
	return nil
}

// CountOpenTickets counts the tickets not yet resolved or closed.
func (db *DB) CountOpenTickets(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE is_open = $1`, true).Scan(&n)
	return n, translate(err)
}
