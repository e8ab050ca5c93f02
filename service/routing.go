package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/rules"
	"github.com/anxin-insure/anxin/store"
)

// Assignment routes: how a ticket found its owner.
const (
	viaFirstContact = "first_contact" // the staff member who took the request owns it (首问负责制)
	viaAdvisor      = "advisor"       // the customer's dedicated advisor
	viaLeastLoaded  = "least_loaded"
	viaQueue        = "queue" // taken from the team queue when capacity freed
	viaTransfer     = "transfer"
)

// routeFacts builds what routing rules see.
func (s *Service) routeFacts(ctx context.Context, tx *store.Tx, t *anxin.Ticket, c *anxin.Customer, p *anxin.Policy, advisor string) rules.TicketFacts {
	f := rules.TicketFacts{Ticket: rules.TicketView{Type: string(t.Type), Urgency: string(t.Urgency), Channel: string(t.Channel), Language: t.Language, Subject: t.Subject}}
	if c != nil {
		f.Customer = rules.CustomerView{Known: true, Kind: string(c.Kind), Tier: string(c.Tier), VIP: c.VIP, HasAdvisor: advisor != ""}
	}
	if p != nil {
		f.Policy = rules.PolicyView{Known: true, ProductCode: p.ProductCode, Status: string(p.Status)}
		if prod, err := s.DB.GetProduct(ctx, tx, p.ProductCode); err == nil {
			f.Policy.ProductLine = string(prod.Line)
		}
	}
	return f
}

// route chooses the team and skills by the rules, then an owner: the
// advisor, else the least-loaded eligible agent of the team, else nobody
// (the ticket waits in the team queue).
func (s *Service) route(ctx context.Context, tx *store.Tx, cfg *ticketConfig, cal *calendar.Calendar, t *anxin.Ticket, c *anxin.Customer, p *anxin.Policy) (via string, err error) {
	advisor := ""
	if c != nil {
		if advisor, err = s.DB.AdvisorOf(ctx, tx, c.ID); err != nil {
			return "", err
		}
	}
	rule, ok, skipped := cfg.router.Route(s.routeFacts(ctx, tx, t, c, p, advisor))
	for _, e := range skipped {
		s.Log.Warn("routing rule failed", "err", e)
	}
	if ok {
		t.Team, t.Skills, t.RoutingRule = rule.Team, slices.Clone(rule.Skills), rule.Code
	} else {
		t.Team, t.RoutingRule = "service", ""
	}
	if t.OwnerID != "" {
		return viaFirstContact, nil
	}
	if advisor != "" {
		if a, err := s.DB.GetAgent(ctx, tx, advisor); err == nil && eligible(cal, a, tx.Now, nil) {
			if took, err := tx.TakeCapacity(ctx, a.StaffID); err != nil {
				return "", err
			} else if took {
				t.OwnerID, t.OwnerName = a.StaffID, a.DisplayName
				return viaAdvisor, nil
			}
		}
	}
	owner, err := s.pickAgent(ctx, tx, cal, t.Team, t.Skills)
	if err != nil || owner == nil {
		return viaQueue, err
	}
	t.OwnerID, t.OwnerName = owner.StaffID, owner.DisplayName
	return viaLeastLoaded, nil
}

// pickAgent takes capacity from the least-loaded eligible agent of a team.
// The conditional increment is what makes two concurrent requests on
// different nodes unable to push one agent over capacity.
func (s *Service) pickAgent(ctx context.Context, tx *store.Tx, cal *calendar.Calendar, team string, skills []string) (*store.Agent, error) {
	agents, err := s.DB.Agents(ctx, tx, team)
	if err != nil {
		return nil, err
	}
	for i, a := range agents {
		if !eligible(cal, a, tx.Now, skills) {
			continue
		}
		took, err := tx.TakeCapacity(ctx, a.StaffID)
		if err != nil {
			return nil, err
		}
		if took {
			return &agents[i], nil
		}
	}
	return nil, nil
}

// eligible: available, on shift now, under capacity, and holding every
// required skill.
func eligible(cal *calendar.Calendar, a store.Agent, now time.Time, skills []string) bool {
	if a.Availability != "available" || a.OpenTickets >= a.Capacity || !onShift(cal, a, now) {
		return false
	}
	for _, sk := range skills {
		if !slices.Contains(a.Skills, sk) {
			return false
		}
	}
	return true
}

// onShift reads the agent's shift in the calendar's time zone. A shift
// that ends before it starts runs overnight; "working_days" shifts follow
// the holiday calendar, so nobody is routed work on National Day.
func onShift(cal *calendar.Calendar, a store.Agent, now time.Time) bool {
	local := now.In(cal.Location())
	start, err1 := clockMinutes(a.ShiftStart)
	end, err2 := clockMinutes(a.ShiftEnd)
	if err1 != nil || err2 != nil {
		return false
	}
	m := local.Hour()*60 + local.Minute()
	day := local
	var in bool
	switch {
	case start == end:
		in = true
	case start < end:
		in = m >= start && m < end
	default: // overnight
		in = m >= start || m < end
		if m < end {
			day = local.AddDate(0, 0, -1) // the shift began yesterday
		}
	}
	if !in {
		return false
	}
	return a.ShiftDays == "every_day" || cal.IsWorkingDay(day)
}

func clockMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, fmt.Errorf("not HH:MM")
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh == 24 && mm != 0 {
		return 0, fmt.Errorf("not HH:MM")
	}
	return hh*60 + mm, nil
}

// fillCapacity gives an agent queued tickets of their team while they are
// eligible and have room: the moment capacity frees, waiting work moves.
func (s *Service) fillCapacity(ctx context.Context, tx *store.Tx, cal *calendar.Calendar, staffID string) (int, error) {
	if staffID == "" {
		return 0, nil
	}
	a, err := s.DB.GetAgent(ctx, tx, staffID)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	assigned := 0
	for eligible(cal, a, tx.Now, nil) {
		queued, err := s.DB.QueuedRefs(ctx, tx, a.Team, 50)
		if err != nil {
			return assigned, err
		}
		nextID := ""
		for _, q := range queued {
			if eligible(cal, a, tx.Now, q.Skills) {
				nextID = q.ID
				break
			}
		}
		if nextID == "" {
			return assigned, nil
		}
		next, _, err := tx.TicketForUpdate(ctx, nextID)
		if err != nil {
			return assigned, err
		}
		took, err := tx.TakeCapacity(ctx, a.StaffID)
		if err != nil || !took {
			return assigned, err
		}
		next.OwnerID = a.StaffID
		if err := tx.SaveTicket(ctx, next); err != nil {
			return assigned, err
		}
		if err := s.noteAssignment(ctx, tx, next, anxin.SystemActor("job"), viaQueue, ""); err != nil {
			return assigned, err
		}
		assigned++
		a.OpenTickets++
	}
	return assigned, nil
}

// noteAssignment writes the timeline entry and tells the new owner.
func (s *Service) noteAssignment(ctx context.Context, tx *store.Tx, t *anxin.Ticket, actor anxin.Actor, via, reason string) error {
	data := map[string]any{"owner_id": t.OwnerID, "via": via, "team": t.Team}
	if t.RoutingRule != "" {
		data["rule"] = t.RoutingRule
	}
	if reason != "" {
		data["reason"] = reason
	}
	kind := anxin.EventAssigned
	if via == viaTransfer {
		kind = anxin.EventTransferred
	}
	if err := tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: kind,
		ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: reason, Data: data}); err != nil {
		return err
	}
	if t.OwnerID == "" || t.OwnerID == actor.ID {
		return nil
	}
	return tx.AddStaffNotification(ctx, &store.StaffNotification{StaffID: t.OwnerID, TicketID: t.ID, Kind: "assigned",
		Message: fmt.Sprintf("工单 %s 已分派给您：%s", t.Number, t.Subject), MessageEN: fmt.Sprintf("Ticket %s is now yours: %s", t.Number, t.Subject)})
}

// DrainQueues assigns queued tickets to agents who have become eligible
// without an action of theirs (a shift starting). Changes of availability
// and freed capacity assign at once, in their own transactions.
func (s *Service) DrainQueues(ctx context.Context) (int, error) {
	teams, err := s.DB.QueuedTeams(ctx)
	if err != nil || len(teams) == 0 {
		return 0, err
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, team := range teams {
		agents, err := s.DB.Agents(ctx, nil, team)
		if err != nil {
			return total, err
		}
		for _, a := range agents {
			if !eligible(cal, a, s.Now(), nil) {
				continue
			}
			err := s.DB.InTx(ctx, func(tx *store.Tx) error {
				n, err := s.fillCapacity(ctx, tx, cal, a.StaffID)
				total += n
				return err
			})
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}
