package service

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// SeedOptions shape a benchmark backlog.
type SeedOptions struct {
	// Count is how many open tickets to write. Their resolution deadlines
	// are spread evenly over the coming three weeks (the nearest two hours
	// from now), so that a few in a thousand are in the due-soon queue.
	Count int
	// Soon of them have a warning due between SoonFrom and
	// SoonFrom+SoonWithin from now, to time how late warnings fire.
	Soon                 int
	SoonFrom, SoonWithin time.Duration
	// CustomerIDs are the customers the tickets are for (cycled).
	CustomerIDs []string
	// Seed fixes the random choices.
	Seed uint64
	// Progress, when set, is told how many tickets are written so far.
	Progress func(done int)
}

// SeedBacklogPolicy is the policy seeded tickets are timed by: three weeks
// to resolve, warnings at 80% and an hour before. Their first response is
// already made.
var SeedBacklogPolicy = anxin.SLAPolicy{Code: "bench_backlog", Name: "压测积压", NameEN: "Benchmark backlog", Position: 9999,
	FirstResponse: anxin.SLATarget{Minutes: 60}, Resolution: anxin.SLATarget{Minutes: 21 * 24 * 60},
	WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{60}}

// seedChunk is how many tickets one transaction writes: small enough that
// a running server's own writes wait at most a fraction of a second.
const seedChunk = 2000

// SeedOpenTickets writes open tickets straight to the store, each with its
// deadline timer, for benchmarks of what a large backlog does to memory,
// queues and timers (`anxin bench tickets --seed-open`). Points already
// behind a ticket are recorded as acted on. It is not an intake: the
// tickets get no timeline, checklist, audit record or notice, and only the
// system actor may call it. Tickets are spread over the existing agents,
// whose open-ticket counts grow accordingly. It returns the ids of the
// Soon tickets.
func (s *Service) SeedOpenTickets(ctx context.Context, actor anxin.Actor, opt SeedOptions) ([]string, error) {
	if actor.Kind != "system" {
		return nil, anxin.Errorz(anxin.EForbidden, "only the system seeds benchmark tickets", "仅系统可生成压测工单")
	}
	if opt.Count < opt.Soon || opt.Soon < 0 {
		return nil, anxin.Errorz(anxin.EInvalid, "the soon count exceeds the seed count", "生成数量无效")
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return nil, err
	}
	agents, err := s.DB.Agents(ctx, nil, "")
	if err != nil {
		return nil, err
	}
	tiers := map[string]anxin.Tier{}
	for _, id := range opt.CustomerIDs {
		c, err := s.DB.CustomerContact(ctx, nil, id)
		if err != nil {
			return nil, fmt.Errorf("customer %s: %w", id, err)
		}
		tiers[id] = c.Tier
	}
	pol := SeedBacklogPolicy
	doc, err := marshal(&pol)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(opt.Seed, uint64(opt.Count)))
	span := time.Duration(pol.Resolution.Minutes) * time.Minute
	warnBefore := time.Duration(pol.WarnBeforeMinutes[0]) * time.Minute
	types := []anxin.TicketType{anxin.TypeEnquiry, anxin.TypeComplaint, anxin.TypeClaimAssistance, anxin.TypePolicyChange, anxin.TypeServicePlan}
	channels := []anxin.Channel{anxin.ChannelPhone, anxin.ChannelWeChat, anxin.ChannelApp, anxin.ChannelEmail, anxin.ChannelCounter}
	var soonIDs []string
	load := map[string]int{}
	for done := 0; done < opt.Count; {
		n := min(seedChunk, opt.Count-done)
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			now := tx.Now
			batch := make([]store.SeedTicket, n)
			perDay := map[string][]*anxin.Ticket{}
			jobs := make([]river.InsertManyParams, 0, n)
			var past []store.SLAEvent
			for i := range batch {
				k := done + i
				due := now.Add(2*time.Hour + time.Duration(r.Int64N(int64(span-2*time.Hour))))
				if k < opt.Soon {
					// The warning an hour before the deadline falls in
					// the window.
					due = now.Add(warnBefore + opt.SoonFrom + time.Duration(k)*opt.SoonWithin/time.Duration(opt.Soon))
				}
				due = due.Truncate(time.Millisecond)
				created := due.Add(-span)
				t := &anxin.Ticket{Type: types[k%len(types)], Channel: channels[(k/len(types))%len(channels)], Urgency: anxin.UrgencyNormal,
					Stage: anxin.StageAcknowledged, Subject: fmt.Sprintf("压测积压工单 %d", k+1), Language: "zh",
					Verification: anxin.Verification{Method: "none", Result: "not_verified"}, Team: "service", RoutingRule: "default",
					ReceivedBy: "system:bench", CreatedAt: created, RespondedAt: created.Add(10 * time.Minute)}
				t.ID = anxin.NewID(created)
				if len(opt.CustomerIDs) > 0 {
					t.CustomerID = opt.CustomerIDs[k%len(opt.CustomerIDs)]
				} else {
					t.Contact.Email = fmt.Sprintf("backlog%d@example.cn", k)
				}
				if len(agents) > 0 {
					a := agents[k%len(agents)]
					t.OwnerID, t.Team = a.StaffID, a.Team
					load[a.StaffID]++
				}
				setDeadlines(cal, t, &pol, created)
				day := created.In(cal.Location()).Format("20060102")
				perDay[day] = append(perDay[day], t)
				batch[i] = store.SeedTicket{Ticket: t, Tier: tiers[t.CustomerID], SLADoc: doc}
				var next time.Time
				for _, p := range slaPoints(t, &pol) {
					if !p.At.After(now) {
						past = append(past, store.SLAEvent{TicketID: t.ID, Target: p.Target, Point: p.Name, Due: p.Due, FiredAt: p.At})
					} else if next.IsZero() || p.At.Before(next) {
						next = p.At
					}
				}
				if !next.IsZero() {
					jobs = append(jobs, river.InsertManyParams{Args: SLATimerArgs{TicketID: t.ID, At: next.UnixMilli()},
						InsertOpts: &river.InsertOpts{ScheduledAt: next.Add(-SLATimerLead)}})
				}
				if k < opt.Soon {
					soonIDs = append(soonIDs, t.ID)
				}
			}
			for day, ts := range perDay {
				first, err := tx.ReserveNumbers(ctx, "GD"+day, int64(len(ts)))
				if err != nil {
					return err
				}
				d, _ := time.ParseInLocation("20060102", day, cal.Location())
				for i, t := range ts {
					t.Number = anxin.TicketNumber(d, first+int64(i))
				}
			}
			if err := tx.SeedTickets(ctx, batch); err != nil {
				return err
			}
			if err := tx.SeedSLAEvents(ctx, past); err != nil {
				return err
			}
			return s.flushJobs(ctx, tx, &jobBatch{params: jobs})
		})
		if err != nil {
			return soonIDs, err
		}
		done += n
		if opt.Progress != nil {
			opt.Progress(done)
		}
	}
	if len(load) > 0 {
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			for id, n := range load {
				if err := tx.AdjustAgentLoad(ctx, id, n, false); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return soonIDs, err
		}
	}
	return soonIDs, nil
}

// SLALateness lists how late (acted on minus due) the SLA points of the
// given tickets acted on since an instant were, for benchmarks.
func (s *Service) SLALateness(ctx context.Context, ticketIDs []string, since time.Time) ([]time.Duration, error) {
	var out []time.Duration
	for _, id := range ticketIDs {
		evs, err := s.DB.SLAEvents(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if !e.FiredAt.Before(since) {
				out = append(out, e.Lateness)
			}
		}
	}
	return out, nil
}
