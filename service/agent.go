package service

import (
	"context"
	"slices"
	"strings"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// Teams lists the teams.
func (s *Service) Teams(ctx context.Context, actor anxin.Actor) ([]store.Team, error) {
	if err := authorize(actor, anxin.PermTicketRead); err != nil {
		return nil, err
	}
	return s.DB.Teams(ctx, nil)
}

// PutTeam creates or changes a team.
func (s *Service) PutTeam(ctx context.Context, actor anxin.Actor, t store.Team) error {
	if err := authorize(actor, anxin.PermTicketAssign); err != nil {
		return err
	}
	var p anxin.Problems
	if !teamCode(t.Code) {
		p.Add("code", "format", "use lower-case letters, digits and underscores (2–32)", "只能使用小写字母、数字和下划线（2–32 位）")
	}
	if strings.TrimSpace(t.Name) == "" {
		p.Required("name")
	}
	if t.SupervisorID != "" {
		if st, err := s.DB.GetStaff(ctx, nil, t.SupervisorID); err != nil || !st.Active {
			p.Add("supervisor_id", "unknown", "is not an active staff member", "不是在职员工")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutTeam(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, AuditFor(actor, "team", t.Code, "update"))
	})
}

func teamCode(s string) bool {
	if len(s) < 2 || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Agents lists a team's agents ("" for all), least loaded first.
func (s *Service) Agents(ctx context.Context, actor anxin.Actor, team string) ([]store.Agent, error) {
	if err := authorize(actor, anxin.PermTicketRead); err != nil {
		return nil, err
	}
	return s.DB.Agents(ctx, nil, team)
}

// Availabilities an agent can be in.
var Availabilities = []string{"available", "away", "off"}

// PutAgent sets up or changes an agent: team, skills, capacity, shift and
// availability. Becoming available with room takes queued work at once.
func (s *Service) PutAgent(ctx context.Context, actor anxin.Actor, a store.Agent) error {
	if err := authorize(actor, anxin.PermTicketAssign); err != nil {
		return err
	}
	var p anxin.Problems
	st, err := s.DB.GetStaff(ctx, nil, a.StaffID)
	if err != nil || !st.Active {
		p.Add("staff_id", "unknown", "is not an active staff member", "不是在职员工")
	} else if !st.Role.Can(anxin.PermTicketWrite) {
		p.Add("staff_id", "role", "this role does not handle tickets", "该角色不处理工单")
	}
	if _, err := s.DB.Team(ctx, nil, a.Team); err != nil {
		p.Add("team", "unknown", "is not a team", "不是已有的团队")
	}
	if a.Capacity < 0 || a.Capacity > 500 {
		p.Add("capacity", "range", "must be between 0 and 500 open tickets", "须在 0 到 500 之间")
	}
	if !slices.Contains(Availabilities, a.Availability) {
		p.Add("availability", "enum", "must be available, away or off", "须为 available、away 或 off")
	}
	if a.ShiftDays == "" {
		a.ShiftDays = "working_days"
	}
	if a.ShiftDays != "working_days" && a.ShiftDays != "every_day" {
		p.Add("shift_days", "enum", "must be working_days or every_day", "须为 working_days 或 every_day")
	}
	if _, err := clockMinutes(a.ShiftStart); err != nil {
		p.Add("shift_start", "format", "must be HH:MM", "须为 HH:MM 格式")
	}
	if _, err := clockMinutes(a.ShiftEnd); err != nil {
		p.Add("shift_end", "format", "must be HH:MM", "须为 HH:MM 格式")
	}
	for i := range a.Skills {
		a.Skills[i] = strings.ToLower(strings.TrimSpace(a.Skills[i]))
		if !teamCode(a.Skills[i]) {
			p.Add("skills", "format", "each skill is a lower-case code, e.g. english, auto", "技能须为小写代码，如 english、auto")
			break
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutAgent(ctx, a); err != nil {
			return err
		}
		if err := record(ctx, tx, AuditFor(actor, "agent", a.StaffID, "update")); err != nil {
			return err
		}
		_, err := s.fillCapacity(ctx, tx, cal, a.StaffID)
		return err
	})
}

// SetAvailability changes an agent's availability: their own, or anyone's
// with ticket:assign. Becoming available takes queued work at once.
func (s *Service) SetAvailability(ctx context.Context, actor anxin.Actor, staffID, availability string) error {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return err
	}
	if staffID != actor.ID {
		if err := authorize(actor, anxin.PermTicketAssign); err != nil {
			return err
		}
	}
	if !slices.Contains(Availabilities, availability) {
		return fieldError("availability", "enum", "must be available, away or off", "须为 available、away 或 off")
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetAvailability(ctx, staffID, availability); err != nil {
			return err
		}
		r := AuditFor(actor, "agent", staffID, "availability")
		r.Detail = availability
		if err := record(ctx, tx, r); err != nil {
			return err
		}
		_, err := s.fillCapacity(ctx, tx, cal, staffID)
		return err
	})
}

// SetAdvisor names a customer's dedicated advisor ("" to remove).
func (s *Service) SetAdvisor(ctx context.Context, actor anxin.Actor, customerID, staffID string) error {
	if err := authorize(actor, anxin.PermTicketAssign); err != nil {
		return err
	}
	if _, err := s.DB.GetCustomer(ctx, nil, customerID); err != nil {
		return err
	}
	if staffID != "" {
		if _, err := s.DB.GetAgent(ctx, nil, staffID); err != nil {
			return fieldError("staff_id", "unknown", "is not an agent", "不是坐席")
		}
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetAdvisor(ctx, customerID, staffID); err != nil {
			return err
		}
		r := AuditFor(actor, "customer", customerID, "advisor")
		r.Detail = staffID
		return record(ctx, tx, r)
	})
}

// Notifications lists the actor's own console messages.
func (s *Service) Notifications(ctx context.Context, actor anxin.Actor, unreadOnly bool) ([]store.StaffNotification, error) {
	if err := authorize(actor, anxin.PermTicketRead); err != nil {
		return nil, err
	}
	return s.DB.StaffNotifications(ctx, actor.ID, unreadOnly, 50)
}

// MarkNotificationsRead marks the actor's messages read.
func (s *Service) MarkNotificationsRead(ctx context.Context, actor anxin.Actor) error {
	if err := authorize(actor, anxin.PermTicketRead); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.MarkNotificationsRead(ctx, actor.ID) })
}
