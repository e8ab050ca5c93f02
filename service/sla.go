package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/store"
)

// deadlineFor applies one target from start: clock minutes straight
// through, working days by the calendar (the end of the nth working day).
func deadlineFor(cal *calendar.Calendar, start time.Time, t anxin.SLATarget) (time.Time, bool) {
	if t.WorkingDays > 0 {
		due, prov := cal.AddWorkingDays(start, t.WorkingDays)
		return due.UTC(), prov
	}
	return start.Add(time.Duration(t.Minutes) * time.Minute).UTC(), false
}

// setDeadlines gives a new ticket its two deadlines from its policy.
func setDeadlines(cal *calendar.Calendar, t *anxin.Ticket, pol *anxin.SLAPolicy, start time.Time) {
	var p1, p2 bool
	t.SLAPolicy = pol.Code
	t.ResponseDue, p1 = deadlineFor(cal, start, pol.FirstResponse)
	t.ResolutionDue, p2 = deadlineFor(cal, start, pol.Resolution)
	t.Provisional = p1 || p2
}

// shiftDeadline moves a deadline on by a pause: clock targets by the time
// paused, working-day targets by the working days the pause covered, so
// that waiting on the customer over a weekend costs the insurer nothing
// and gives it nothing either.
func shiftDeadline(cal *calendar.Calendar, due time.Time, t anxin.SLATarget, from, to time.Time) time.Time {
	if t.WorkingDays > 0 {
		n, _ := cal.WorkingDaysBetween(from, to)
		if n == 0 {
			return due
		}
		shifted, _ := cal.AddWorkingDays(due, n)
		return shifted.UTC()
	}
	return due.Add(to.Sub(from)).UTC()
}

// pauseClock stops a ticket's clocks if its policy pauses while waiting.
func pauseClock(t *anxin.Ticket, pol *anxin.SLAPolicy, now time.Time) {
	if pol.PauseWhileWaiting && t.PausedAt.IsZero() {
		t.PausedAt = now
	}
}

// resumeClock restarts paused clocks, pushing the open deadlines back.
func resumeClock(cal *calendar.Calendar, t *anxin.Ticket, pol *anxin.SLAPolicy, now time.Time) {
	if t.PausedAt.IsZero() {
		return
	}
	if t.RespondedAt.IsZero() {
		t.ResponseDue = shiftDeadline(cal, t.ResponseDue, pol.FirstResponse, t.PausedAt, now)
	}
	t.ResolutionDue = shiftDeadline(cal, t.ResolutionDue, pol.Resolution, t.PausedAt, now)
	t.PausedSeconds += int64(now.Sub(t.PausedAt) / time.Second)
	t.PausedAt = time.Time{}
}

// slaPoints lists the points still ahead of an open, running ticket.
func slaPoints(t *anxin.Ticket, pol *anxin.SLAPolicy) []anxin.SLAPoint {
	if !t.Stage.Open() || !t.PausedAt.IsZero() {
		return nil
	}
	var pts []anxin.SLAPoint
	if t.RespondedAt.IsZero() {
		pts = append(pts, pol.SLAPoints(anxin.TargetResponse, t.CreatedAt, t.ResponseDue)...)
	}
	start := t.CreatedAt
	if t.PausedSeconds > 0 {
		// The percentage warnings measure the time the ticket has had, so
		// a pause moves them along with the deadline.
		start = start.Add(time.Duration(t.PausedSeconds) * time.Second)
	}
	return append(pts, pol.SLAPoints(anxin.TargetResolution, start, t.ResolutionDue)...)
}

// scheduleTimer inserts the job for the ticket's next SLA point that has
// not been acted on. Points already due fire at once.
func (s *Service) scheduleTimer(ctx context.Context, tx *store.Tx, t *anxin.Ticket, pol *anxin.SLAPolicy, done map[string]bool) error {
	var next time.Time
	for _, p := range slaPoints(t, pol) {
		if done[pointKey(p)] {
			continue
		}
		if next.IsZero() || p.At.Before(next) {
			next = p.At
		}
	}
	if next.IsZero() {
		return nil
	}
	runAt := next.Add(-SLATimerLead)
	return s.insertJob(ctx, tx, SLATimerArgs{TicketID: t.ID, At: timerMillis(next), Version: t.Version}, &river.InsertOpts{ScheduledAt: runAt})
}

// timerMillis rounds a point's instant up to the millisecond the job
// carries. Rounding down would let the timer wake a fraction of a
// millisecond before the point, find nothing due, and try to schedule
// itself again — which River's uniqueness drops while the job is still
// running, so the warning would be lost.
func timerMillis(at time.Time) int64 {
	ms := at.UnixMilli()
	if time.UnixMilli(ms).Before(at) {
		ms++
	}
	return ms
}

func pointKey(p anxin.SLAPoint) string {
	return p.Target + "/" + p.Name + "/" + p.Due.UTC().Format(time.RFC3339Nano)
}

func ticketPolicy(doc string) (*anxin.SLAPolicy, error) {
	var pol anxin.SLAPolicy
	if err := json.Unmarshal([]byte(doc), &pol); err != nil {
		return nil, fmt.Errorf("ticket SLA document: %w", err)
	}
	return &pol, nil
}

// ProcessSLA acts on every point of a ticket's deadlines that is due and
// not yet acted on — a warning to the owner, at the last warning the
// supervisor too, at the deadline a breach record and escalation — and
// schedules the next point. The sla_events row claimed for each point is
// the guard that keeps two nodes (or a retried job) from acting twice.
func (s *Service) ProcessSLA(ctx context.Context, ticketID string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		t, doc, err := tx.TicketForUpdate(ctx, ticketID)
		if err != nil {
			if anxin.ErrorCode(err) == anxin.ENotFound {
				return nil
			}
			return err
		}
		pol, err := ticketPolicy(doc)
		if err != nil {
			return err
		}
		evs, err := tx.SLAEvents(ctx, t.ID)
		if err != nil {
			return err
		}
		done := map[string]bool{}
		for _, e := range evs {
			done[e.Target+"/"+e.Point+"/"+e.Due.UTC().Format(time.RFC3339Nano)] = true
		}
		now := tx.Now
		changed := false
		for _, p := range slaPoints(t, pol) {
			if done[pointKey(p)] || p.At.After(now) {
				continue
			}
			ok, err := tx.ClaimSLAEvent(ctx, t.ID, p.Target, p.Name, p.Due, now.Sub(p.At))
			if err != nil {
				return err
			}
			done[pointKey(p)] = true
			if !ok {
				continue
			}
			if p.Name == "breach" {
				if p.Target == anxin.TargetResponse {
					t.ResponseBreach = true
				} else {
					t.ResolveBreach = true
				}
				changed = true
			}
			if err := s.actOnPoint(ctx, tx, t, p); err != nil {
				return err
			}
		}
		if changed {
			if err := tx.SaveTicket(ctx, t); err != nil {
				return err
			}
		}
		return s.scheduleTimer(ctx, tx, t, pol, done)
	})
}

// actOnPoint tells the people a point concerns and writes it on the
// timeline.
func (s *Service) actOnPoint(ctx context.Context, tx *store.Tx, t *anxin.Ticket, p anxin.SLAPoint) error {
	loc := s.Calendar.Location()
	due := p.Due.In(loc).Format("2006-01-02 15:04")
	targetZH, targetEN := "办结", "resolution"
	if p.Target == anxin.TargetResponse {
		targetZH, targetEN = "首次响应", "first response"
	}
	kind := anxin.EventSLAWarning
	msg := fmt.Sprintf("工单 %s 的%s时限（%s）即将到期", t.Number, targetZH, due)
	msgEN := fmt.Sprintf("Ticket %s: the %s deadline (%s) is near", t.Number, targetEN, due)
	if p.Name == "breach" {
		kind = anxin.EventSLABreach
		msg = fmt.Sprintf("工单 %s 已超过%s时限（%s），已升级至主管", t.Number, targetZH, due)
		msgEN = fmt.Sprintf("Ticket %s missed its %s deadline (%s) and was escalated to the supervisor", t.Number, targetEN, due)
	}
	recipients := []string{}
	if t.OwnerID != "" {
		recipients = append(recipients, t.OwnerID)
	}
	var supervisor string
	if p.Escalate || t.OwnerID == "" {
		if team, err := s.DB.Team(ctx, tx, t.Team); err == nil && team.SupervisorID != "" {
			supervisor = team.SupervisorID
			if supervisor != t.OwnerID {
				recipients = append(recipients, supervisor)
			}
		}
	}
	for _, r := range recipients {
		if err := tx.AddStaffNotification(ctx, &store.StaffNotification{StaffID: r, TicketID: t.ID, Kind: string(kind), Message: msg, MessageEN: msgEN}); err != nil {
			return err
		}
	}
	if p.Name == "breach" && supervisor != "" && supervisor != t.OwnerID {
		// Escalation makes the supervisor part of the ticket, without
		// taking it from its first-contact owner.
		if _, err := tx.AddCollaborator(ctx, t.ID, supervisor); err != nil {
			return err
		}
	}
	return tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: kind, ActorKind: "system", ActorName: "system",
		Body: msg, Data: map[string]any{"target": p.Target, "point": p.Name, "due": p.Due, "lateness_ms": tx.Now.Sub(p.At).Milliseconds(), "escalated_to": supervisor}})
}
