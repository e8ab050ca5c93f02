package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/store"
)

// CreateOptions are choices made at intake beyond the ticket's fields.
type CreateOptions struct {
	// AssignToMe makes the staff member taking the request its owner
	// (首问负责制): they keep it until it closes. Otherwise routing picks.
	AssignToMe bool
	// The workflows built on tickets (claims) bring their own checklist,
	// SLA policy and rows: Checklist and SLA, when set, replace what the
	// ticket type and the SLA configuration would give, and Then runs in
	// the intake's transaction once the ticket is written.
	Checklist []anxin.ChecklistItem
	SLA       *anxin.SLAPolicy
	Then      func(ctx context.Context, tx *store.Tx, t *anxin.Ticket) error
}

// CreateTicket opens a ticket from any channel. Validation, routing, the
// SLA deadlines, the timeline, the audit record, the receipt notice and the
// deadline timer are one transaction. Errors: EForbidden, EInvalid (per
// field), ENotFound (customer or policy).
func (s *Service) CreateTicket(ctx context.Context, actor anxin.Actor, t *anxin.Ticket, opt CreateOptions) error {
	if actor.Kind == "customer" {
		// A signed-in customer opens tickets for themselves only, and has
		// proved who they are by signing in.
		t.CustomerID = actor.ID
		if t.Channel != anxin.ChannelApp {
			t.Channel = anxin.ChannelWebsite
		}
		t.Verification = anxin.Verification{Method: "signed_in", Result: "passed", By: "self-service"}
		opt.AssignToMe = false
	} else if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return err
	}
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	cfg, err := s.config.get(ctx)
	if err != nil {
		return err
	}
	typ, ok := cfg.ticketType(t.Type)
	if !ok && opt.Then != nil && t.Type == anxin.TypeClaim {
		// A claim needs no configured type: its workflow brings everything.
		typ, ok = anxin.TicketTypeDef{Code: anxin.TypeClaim, Name: "理赔", NameEN: "Claim"}, true
	}
	if !ok {
		return fieldError("type", "enum", "is not a configured ticket type", "不是已配置的工单类型")
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return err
	}
	// What intake needs of the customer (tier, VIP, contact details) is
	// read before the transaction, on SQLite from the read pool, so that
	// the one writer is held only for the writes and the reads routing
	// must make under its lock.
	var cust *anxin.Customer
	var pol *anxin.Policy
	if t.CustomerID != "" {
		if cust, err = s.DB.CustomerContact(ctx, nil, t.CustomerID); err != nil {
			if anxin.ErrorCode(err) == anxin.ENotFound {
				return fieldError("customer_id", "unknown", "no such customer", "没有该客户")
			}
			return err
		}
	}
	if t.PolicyID != "" {
		if pol, err = s.DB.GetPolicy(ctx, nil, t.PolicyID); err != nil {
			if anxin.ErrorCode(err) == anxin.ENotFound {
				return fieldError("policy_id", "unknown", "no such policy", "没有该保单")
			}
			return err
		}
		if cust == nil || (pol.PolicyholderID != cust.ID && pol.InsuredID != cust.ID) {
			return fieldError("policy_id", "mismatch", "the policy is not the customer's (neither policyholder nor insured)", "该保单不属于此客户（既非投保人也非被保险人）")
		}
	}
	now := s.Now()
	if t.Verification.Method != "none" && t.Verification.By == "" {
		t.Verification.By = actorLabel(actor)
	}
	if t.Verification.Method != "none" && t.Verification.At.IsZero() {
		t.Verification.At = now
	}
	if actor.Kind == "staff" {
		t.ReceivedBy = actor.ID
		if opt.AssignToMe {
			t.OwnerID = actor.ID
		}
	} else {
		t.ReceivedBy = actorLabel(actor)
		t.OwnerID = ""
	}
	t.Stage = anxin.StageReceived
	facts := anxin.SLAFacts{Channel: t.Channel, Type: t.Type, Urgency: t.Urgency}
	if cust != nil {
		facts.Tier, facts.VIP = cust.Tier, cust.VIP
	}
	policy := anxin.ChooseSLA(cfg.sla, facts)
	if opt.SLA != nil {
		policy = opt.SLA
	}
	if policy == nil {
		policy = &anxin.DefaultSLAPolicies[len(anxin.DefaultSLAPolicies)-1]
	}
	slaDoc, err := marshal(policy)
	if err != nil {
		return err
	}
	checklist := make([]anxin.ChecklistItem, len(typ.Checklist))
	for i, c := range typ.Checklist {
		checklist[i] = anxin.ChecklistItem{Code: c.Code, Name: c.Name, NameEN: c.NameEN, Status: anxin.ItemMissing}
	}
	if opt.Checklist != nil {
		checklist = opt.Checklist
	}
	// Partners subscribed as the request arrives hear of it; usually there
	// are none and the transaction has nothing to do for them.
	hooks, err := s.DB.Webhooks(ctx, nil, "ticket.created")
	if err != nil {
		return err
	}
	// On PostgreSQL the number is taken in a transaction of its own: its
	// counter row is the one row every new ticket writes, and holding that
	// row's lock for the whole intake made tickets open one at a time. An
	// intake that then fails leaves a gap, which the numbers may have.
	// SQLite has one writer anyway, and one transaction costs it less.
	var day time.Time
	var n int64
	if s.DB.Engine == store.Postgres {
		day = s.Now().In(cal.Location())
		if n, err = s.DB.TakeNumber(ctx, "GD"+day.Format("20060102")); err != nil {
			return err
		}
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		// The receipt's notice jobs and the deadline timer go to River in
		// one insert at the end.
		ctx, jobs := withJobBatch(ctx)
		if n == 0 {
			day = tx.Now.In(cal.Location())
			var err error
			if n, err = tx.NextNumber(ctx, "GD"+day.Format("20060102")); err != nil {
				return err
			}
		}
		t.Number = anxin.TicketNumber(day, n)
		setDeadlines(cal, t, policy, tx.Now)
		t.CreatedAt = tx.Now
		via, err := s.route(ctx, tx, cfg, cal, t, cust, pol)
		if err != nil {
			return err
		}
		if via == viaFirstContact {
			if err := tx.AdjustAgentLoad(ctx, t.OwnerID, 1, true); err != nil {
				return err
			}
		}
		if err := tx.CreateTicket(ctx, t, slaDoc, checklist); err != nil {
			return err
		}
		if via == viaFirstContact {
			// Routing named the agents it chose; the first-contact owner
			// is looked up.
			if err := s.DB.FillOwnerName(ctx, tx, t); err != nil {
				return err
			}
		}
		ev := &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventCreated, Channel: string(t.Channel),
			ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: t.Description,
			Data: map[string]any{"type": t.Type, "urgency": t.Urgency, "sla_policy": t.SLAPolicy, "verification": t.Verification.Method + ":" + t.Verification.Result}}
		if err := tx.AddTicketEvent(ctx, ev); err != nil {
			return err
		}
		if t.OwnerID != "" {
			if err := s.noteAssignment(ctx, tx, t, actor, via, ""); err != nil {
				return err
			}
		} else if err := tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventAssigned,
			ActorKind: "system", ActorName: "system", Data: map[string]any{"via": viaQueue, "team": t.Team, "rule": t.RoutingRule}}); err != nil {
			return err
		}
		if _, err := s.notifyRecipients(ctx, tx, cfg, t, "ticket_received", s.noticeData(t, ""), recipientsFor(t, cust)); err != nil {
			return err
		}
		if err := s.notifyHooks(ctx, tx, t, "ticket.created", hooks); err != nil {
			return err
		}
		if opt.Then != nil {
			if err := opt.Then(ctx, tx, t); err != nil {
				return err
			}
		}
		if err := s.scheduleTimer(ctx, tx, t, policy, nil); err != nil {
			return err
		}
		if err := s.flushJobs(ctx, tx, jobs); err != nil {
			return err
		}
		// The audit record comes last: appending locks the head of its
		// hash chain until the commit.
		r := AuditFor(actor, "ticket", t.ID, "create")
		r.Changes = map[string][2]any{"number": Change(nil, t.Number), "type": Change(nil, string(t.Type)), "owner_id": Change(nil, t.OwnerID), "team": Change(nil, t.Team)}
		return record(ctx, tx, r)
	})
}

// Ticket returns one ticket by number or id. Customers see their own
// tickets only, and no one's internal routing; staff see contacts masked by
// role.
func (s *Service) Ticket(ctx context.Context, actor anxin.Actor, number string) (*anxin.Ticket, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermTicketRead); err != nil {
			return nil, err
		}
	}
	t, err := s.DB.GetTicket(ctx, nil, number)
	if err != nil {
		return nil, err
	}
	if actor.Kind == "customer" && t.CustomerID != actor.ID {
		return nil, anxin.Errorz(anxin.ENotFound, "ticket not found", "未找到该工单")
	}
	maskTicket(t, actor)
	return t, nil
}

func maskTicket(t *anxin.Ticket, actor anxin.Actor) {
	if !actor.SeesFull(anxin.FieldEmail) {
		t.Contact.Email = anxin.Mask(anxin.FieldEmail, t.Contact.Email)
	}
	if !actor.SeesFull(anxin.FieldMobile) {
		t.Contact.Mobile = anxin.Mask(anxin.FieldMobile, t.Contact.Mobile)
	}
	if actor.Kind == "customer" {
		t.Skills, t.RoutingRule, t.Team, t.Collaborators, t.ReceivedBy, t.SLAPolicy = nil, "", "", nil, "", ""
	}
}

// FindTickets lists a queue or a search, masked for the actor.
func (s *Service) FindTickets(ctx context.Context, actor anxin.Actor, f anxin.TicketFilter) ([]*anxin.Ticket, error) {
	if actor.Kind == "customer" {
		f = anxin.TicketFilter{CustomerID: actor.ID, After: f.After, Limit: f.Limit}
	} else if err := authorize(actor, anxin.PermTicketRead); err != nil {
		return nil, err
	}
	f.Now = s.Now()
	if f.Queue == "due_soon" && f.DueBefore.IsZero() {
		f.DueBefore = f.Now.Add(DueSoonWindow)
	}
	if f.Queue == "mine" && f.StaffID == "" {
		f.StaffID = actor.ID
	}
	if f.Queue == "team" && f.Team == "" {
		a, err := s.DB.GetAgent(ctx, nil, actor.ID)
		switch {
		case anxin.ErrorCode(err) == anxin.ENotFound:
			return nil, anxin.Errorz(anxin.EInvalid, "you are not in a team; choose one", "您尚未加入团队，请指定团队")
		case err != nil:
			return nil, err
		}
		f.Team = a.Team
	}
	ts, err := s.DB.FindTickets(ctx, f)
	for _, t := range ts {
		maskTicket(t, actor)
	}
	return ts, err
}

// DueSoonWindow is how far ahead the due-soon queue looks.
const DueSoonWindow = 4 * time.Hour

// TicketTimeline returns a ticket's timeline; customers see only what was
// said to and by them.
func (s *Service) TicketTimeline(ctx context.Context, actor anxin.Actor, number string) ([]anxin.TicketEvent, error) {
	t, err := s.Ticket(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	evs, err := s.DB.TicketEvents(ctx, t.ID)
	if err != nil || actor.Kind != "customer" {
		return evs, err
	}
	out := evs[:0]
	for _, e := range evs {
		if e.Public() {
			e.ForCustomer()
			out = append(out, e)
		}
	}
	return out, nil
}

// CustomerTimeline is the one timeline of a customer across every ticket
// and channel, newest first, for the 360° view.
func (s *Service) CustomerTimeline(ctx context.Context, actor anxin.Actor, customerID string, limit int) ([]anxin.TicketEvent, error) {
	if err := authorize(actor, anxin.PermTicketRead); err != nil {
		return nil, err
	}
	return s.DB.CustomerEvents(ctx, customerID, limit)
}

// MoveOptions go with a stage change.
type MoveOptions struct {
	// Message is told to the customer: the expected completion on
	// acknowledgement, the result on resolution, what is needed when
	// waiting. Required to resolve and to reopen.
	Message string
	// Version, when set, must be the ticket's current version (If-Match).
	Version int
}

// MoveTicket changes a ticket's stage by the state machine, with what each
// stage means: acknowledging names the owner and tells the customer when to
// expect completion; waiting pauses the clock; resolving tells the result
// and asks for satisfaction; reopening restarts the resolution clock.
func (s *Service) MoveTicket(ctx context.Context, actor anxin.Actor, number string, to anxin.Stage, opt MoveOptions) (*anxin.Ticket, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	if !slices.Contains(anxin.Stages, to) {
		return nil, fieldError("stage", "enum", "is not a stage", "不是有效的工单阶段")
	}
	opt.Message = strings.TrimSpace(opt.Message)
	if (to == anxin.StageResolved || to == anxin.StageReopened) && opt.Message == "" {
		if to == anxin.StageResolved {
			return nil, fieldError("message", "required", "say what the result is; the customer is told", "请填写处理结果，将告知客户")
		}
		return nil, fieldError("message", "required", "say why the ticket reopens", "请说明重新打开的原因")
	}
	if utf8.RuneCountInString(opt.Message) > 5000 {
		return nil, fieldError("message", "too_long", "at most 5,000 characters", "不超过 5000 个字")
	}
	return s.changeTicket(ctx, actor, number, opt.Version, func(c *change) error {
		return s.move(ctx, c, to, opt.Message)
	})
}

// change carries one ticket through a state change.
type change struct {
	tx     *store.Tx
	t      *anxin.Ticket
	before anxin.Ticket
	pol    *anxin.SLAPolicy
	cfg    *ticketConfig
	cal    *calendar.Calendar
	actor  anxin.Actor
	// retime says the deadlines or stage moved: schedule a new timer.
	retime bool
	// freed names an agent who lost an open ticket and may take a queued one.
	freed string
	audit string
}

// changeTicket loads and locks a ticket, runs fn, and saves, audits and
// reschedules in the same transaction.
func (s *Service) changeTicket(ctx context.Context, actor anxin.Actor, number string, version int, fn func(c *change) error) (*anxin.Ticket, error) {
	cfg, err := s.config.get(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return nil, err
	}
	var out *anxin.Ticket
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.changeTicketTx(ctx, tx, cfg, cal, actor, number, version, fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	maskTicket(out, actor)
	return out, nil
}

// changeTicketTx is changeTicket inside a transaction the caller holds,
// for workflows (claims) that change their own rows and the ticket's in one.
func (s *Service) changeTicketTx(ctx context.Context, tx *store.Tx, cfg *ticketConfig, cal *calendar.Calendar, actor anxin.Actor, number string, version int, fn func(c *change) error) (*anxin.Ticket, error) {
	t, doc, err := tx.TicketForUpdate(ctx, number)
	if err != nil {
		return nil, err
	}
	if actor.Kind == "customer" && t.CustomerID != actor.ID {
		return nil, anxin.Errorz(anxin.ENotFound, "ticket not found", "未找到该工单")
	}
	if version != 0 && version != t.Version {
		return nil, anxin.Errorz(anxin.EPrecondition, "the ticket was changed by someone else; reload and try again", "工单已被他人修改，请刷新后重试")
	}
	pol, err := ticketPolicy(doc)
	if err != nil {
		return nil, err
	}
	c := &change{tx: tx, t: t, before: *t, pol: pol, cfg: cfg, cal: cal, actor: actor}
	if err := fn(c); err != nil {
		return nil, err
	}
	if err := tx.SaveTicket(ctx, t); err != nil {
		return nil, err
	}
	if t.OwnerID != c.before.OwnerID {
		if err := s.DB.FillOwnerName(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	if c.audit != "" {
		r := AuditFor(actor, "ticket", t.ID, c.audit)
		r.Changes = ticketChanges(&c.before, t)
		if err := record(ctx, tx, r); err != nil {
			return nil, err
		}
	}
	if c.freed != "" {
		if _, err := s.fillCapacity(ctx, tx, cal, c.freed); err != nil {
			return nil, err
		}
	}
	if c.retime {
		if err := s.scheduleTimer(ctx, tx, t, pol, nil); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func ticketChanges(before, after *anxin.Ticket) map[string][2]any {
	ch := map[string][2]any{}
	add := func(f string, b, a any) {
		if b != a {
			ch[f] = Change(b, a)
		}
	}
	add("stage", string(before.Stage), string(after.Stage))
	add("owner_id", before.OwnerID, after.OwnerID)
	add("type", string(before.Type), string(after.Type))
	add("urgency", string(before.Urgency), string(after.Urgency))
	add("customer_id", before.CustomerID, after.CustomerID)
	add("policy_id", before.PolicyID, after.PolicyID)
	add("resolution_due", before.ResolutionDue.Format(time.RFC3339), after.ResolutionDue.Format(time.RFC3339))
	add("satisfaction", before.Satisfaction, after.Satisfaction)
	return ch
}

// move applies one stage change inside a change.
func (s *Service) move(ctx context.Context, c *change, to anxin.Stage, message string) error {
	t, tx, now := c.t, c.tx, c.tx.Now
	from := t.Stage
	if !anxin.CanMove(from, to) {
		return anxin.MoveError(from, to)
	}
	if c.actor.Kind == "staff" && t.OwnerID == "" && to != anxin.StageClosed {
		// Whoever first acts on an unowned ticket owns it (首问负责制).
		if !c.actor.Can(anxin.PermTicketWrite) {
			return authorize(c.actor, anxin.PermTicketWrite)
		}
		t.OwnerID = c.actor.ID
		if err := tx.AdjustAgentLoad(ctx, t.OwnerID, 1, true); err != nil {
			return err
		}
		if err := s.noteAssignment(ctx, tx, t, c.actor, viaFirstContact, ""); err != nil {
			return err
		}
	}
	if from == anxin.StageWaiting {
		resumeClock(c.cal, t, c.pol, now)
		c.retime = true
	}
	notice := ""
	switch to {
	case anxin.StageAcknowledged:
		t.RespondedAt = now
		notice = "ticket_acknowledged"
		c.retime = true
	case anxin.StageWaiting:
		pauseClock(t, c.pol, now)
		if message != "" {
			notice = "ticket_reply"
		}
	case anxin.StageResolved:
		if t.RespondedAt.IsZero() {
			t.RespondedAt = now
		}
		t.ResolvedAt, t.PausedAt = now, time.Time{}
		notice = "ticket_resolved"
		if err := tx.AdjustAgentLoad(ctx, t.OwnerID, -1, false); err != nil {
			return err
		}
		c.freed = t.OwnerID
	case anxin.StageClosed:
		t.ClosedAt = now
	case anxin.StageReopened:
		t.ResolvedAt, t.ClosedAt = time.Time{}, time.Time{}
		due, prov := deadlineFor(c.cal, now, c.pol.Resolution)
		t.ResolutionDue, t.Provisional = due, t.Provisional || prov
		if err := tx.AdjustAgentLoad(ctx, t.OwnerID, 1, false); err != nil {
			return err
		}
		c.retime = true
	}
	t.Stage = to
	c.audit = "stage"
	if err := tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventStage,
		ActorKind: c.actor.Kind, ActorID: c.actor.ID, ActorName: c.actor.Name, Body: message,
		Data: map[string]any{"from": from, "to": to}}); err != nil {
		return err
	}
	if notice != "" {
		if t.OwnerName == "" && t.OwnerID != "" {
			if err := s.DB.FillOwnerName(ctx, tx, t); err != nil {
				return err
			}
		}
		d := s.noticeData(t, "")
		d.Message = message
		if _, err := s.notifyCustomer(ctx, tx, c.cfg, t, notice, d); err != nil {
			return err
		}
	}
	return s.notifyPartners(ctx, tx, t, "ticket.stage")
}

// TransferTicket hands a ticket to another staff member, with a reason
// kept in the history. The owner may hand over their own ticket; anyone
// else needs ticket:assign.
func (s *Service) TransferTicket(ctx context.Context, actor anxin.Actor, number, toStaff, reason string) (*anxin.Ticket, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 2 {
		return nil, fieldError("reason", "required", "say why the ticket changes hands", "请说明转交原因")
	}
	target, err := s.DB.GetStaff(ctx, nil, toStaff)
	if err != nil || !target.Active || !target.Role.Can(anxin.PermTicketWrite) {
		return nil, fieldError("owner_id", "unknown", "is not an active staff member who handles tickets", "不是可处理工单的在职员工")
	}
	return s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		t := c.t
		if t.OwnerID != actor.ID && t.OwnerID != "" && !actor.Can(anxin.PermTicketAssign) {
			return authorize(actor, anxin.PermTicketAssign)
		}
		if !t.Stage.Open() {
			return anxin.Errorz(anxin.EConflict, "a resolved or closed ticket is not handed over; reopen it first", "已办结或已关闭的工单不能转交，请先重新打开")
		}
		if t.OwnerID == toStaff {
			return fieldError("owner_id", "unchanged", "already owns the ticket", "已是该工单的负责人")
		}
		if err := c.tx.AdjustAgentLoad(ctx, t.OwnerID, -1, false); err != nil {
			return err
		}
		if err := c.tx.AdjustAgentLoad(ctx, toStaff, 1, true); err != nil {
			return err
		}
		c.freed = t.OwnerID
		t.OwnerID = toStaff
		c.audit = "transfer"
		return s.noteAssignment(ctx, c.tx, t, actor, viaTransfer, reason)
	})
}

// TakeTicket makes the actor the owner of an unassigned ticket from a
// queue.
func (s *Service) TakeTicket(ctx context.Context, actor anxin.Actor, number string) (*anxin.Ticket, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	return s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		if c.t.OwnerID != "" {
			return anxin.Errorz(anxin.EConflict, "the ticket already has an owner; ask them or a supervisor to hand it over", "该工单已有负责人，请由负责人或主管转交")
		}
		if !c.t.Stage.Open() {
			return anxin.Errorz(anxin.EConflict, "the ticket is not open", "该工单未在处理中")
		}
		c.t.OwnerID = actor.ID
		c.audit = "take"
		if err := c.tx.AdjustAgentLoad(ctx, actor.ID, 1, true); err != nil {
			return err
		}
		return s.noteAssignment(ctx, c.tx, c.t, actor, viaFirstContact, "")
	})
}

// AddCollaborator adds a colleague who works on part of the ticket; the
// owner stays the owner.
func (s *Service) AddCollaborator(ctx context.Context, actor anxin.Actor, number, staffID string) (*anxin.Ticket, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	st, err := s.DB.GetStaff(ctx, nil, staffID)
	if err != nil || !st.Active || !st.Role.Can(anxin.PermTicketRead) {
		return nil, fieldError("staff_id", "unknown", "is not an active staff member who can see tickets", "不是可查看工单的在职员工")
	}
	return s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		added, err := c.tx.AddCollaborator(ctx, c.t.ID, staffID)
		if err != nil || !added {
			return err
		}
		c.t.Collaborators = append(c.t.Collaborators, staffID)
		c.audit = "collaborator"
		if err := c.tx.AddStaffNotification(ctx, &store.StaffNotification{StaffID: staffID, TicketID: c.t.ID, Kind: "collaborator",
			Message: "您已被加入工单 " + c.t.Number + " 协同处理", MessageEN: "You were added to ticket " + c.t.Number}); err != nil {
			return err
		}
		return c.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: c.t.ID, CustomerID: c.t.CustomerID, Kind: anxin.EventCollaborator,
			ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Data: map[string]any{"staff_id": staffID, "name": st.DisplayName}})
	})
}

// Message kinds a person can add to a ticket.
const (
	MessageNote  = "note"  // internal
	MessageReply = "reply" // to the customer, by email and/or SMS
	MessageIn    = "in"    // from the customer, recorded by staff or arriving by a channel
)

// AddMessage adds a note, a reply to the customer, or a message from the
// customer. A reply is the first response if none was given; a message
// from the customer resumes a waiting ticket and reopens a resolved one.
func (s *Service) AddMessage(ctx context.Context, actor anxin.Actor, number, kind, body string, channel anxin.Channel) (*anxin.Ticket, error) {
	if actor.Kind == "customer" {
		kind = MessageIn
	} else if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, fieldError("body", "required", "write the message", "请填写内容")
	}
	if utf8.RuneCountInString(body) > 20000 {
		return nil, fieldError("body", "too_long", "at most 20,000 characters", "不超过 20000 个字")
	}
	if channel != "" && !anxin.ValidChannel(channel) {
		return nil, fieldError("channel", "enum", "is not a known channel", "不是已知的渠道")
	}
	return s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		return s.addMessage(ctx, c, kind, body, channel, nil)
	})
}

func (s *Service) addMessage(ctx context.Context, c *change, kind, body string, channel anxin.Channel, data map[string]any) error {
	t, tx := c.t, c.tx
	var ek anxin.EventKind
	switch kind {
	case MessageNote:
		ek = anxin.EventNote
	case MessageReply:
		ek = anxin.EventMessageOut
	case MessageIn:
		ek = anxin.EventMessageIn
	default:
		return fieldError("kind", "enum", "must be note, reply or in", "须为 note、reply 或 in")
	}
	if err := tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: ek, Channel: string(channel),
		ActorKind: c.actor.Kind, ActorID: c.actor.ID, ActorName: c.actor.Name, Body: body, Data: data}); err != nil {
		return err
	}
	c.audit = "message"
	switch kind {
	case MessageReply:
		if t.RespondedAt.IsZero() {
			t.RespondedAt = tx.Now
			c.retime = true
		}
		if t.Stage == anxin.StageReceived {
			if err := s.move(ctx, c, anxin.StageAcknowledged, ""); err != nil {
				return err
			}
		}
		d := s.noticeData(t, "")
		d.Message = body
		_, err := s.notifyCustomer(ctx, tx, c.cfg, t, "ticket_reply", d)
		return err
	case MessageIn:
		switch t.Stage {
		case anxin.StageWaiting:
			return s.move(ctx, c, anxin.StageInProgress, "")
		case anxin.StageResolved, anxin.StageClosed:
			return s.move(ctx, c, anxin.StageReopened, body)
		}
	}
	return nil
}

// CallLog is a phone call recorded on a ticket.
type CallLog struct {
	Direction       string `json:"direction"` // inbound, outbound
	WaitSeconds     int    `json:"wait_seconds"`
	DurationSeconds int    `json:"duration_seconds"`
	Summary         string `json:"summary"`
}

// LogCall records a call and whether it was answered within the seed's 30
// seconds.
func (s *Service) LogCall(ctx context.Context, actor anxin.Actor, number string, call CallLog) (*anxin.Ticket, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	var p anxin.Problems
	if call.Direction != "inbound" && call.Direction != "outbound" {
		p.Add("direction", "enum", "must be inbound or outbound", "须为 inbound 或 outbound")
	}
	if call.WaitSeconds < 0 || call.WaitSeconds > 86400 {
		p.Add("wait_seconds", "range", "must be between 0 and 86,400", "须在 0 到 86400 之间")
	}
	if call.DurationSeconds < 0 || call.DurationSeconds > 86400 {
		p.Add("duration_seconds", "range", "must be between 0 and 86,400", "须在 0 到 86400 之间")
	}
	if utf8.RuneCountInString(call.Summary) > 5000 {
		p.Add("summary", "too_long", "at most 5,000 characters", "不超过 5000 个字")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		met := call.Direction == "outbound" || time.Duration(call.WaitSeconds)*time.Second <= anxin.PhoneAnswerTarget
		c.audit = "call"
		return c.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: c.t.ID, CustomerID: c.t.CustomerID, Kind: anxin.EventCall, Channel: string(anxin.ChannelPhone),
			ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: call.Summary,
			Data: map[string]any{"direction": call.Direction, "wait_seconds": call.WaitSeconds, "duration_seconds": call.DurationSeconds, "answer_target_met": met}})
	})
}

// TicketPatch changes what a ticket is about. A change of type or urgency
// may choose another SLA policy; the deadlines are then recomputed from
// receipt and the timer rescheduled.
type TicketPatch struct {
	Type         *anxin.TicketType   `json:"type"`
	Urgency      *anxin.Urgency      `json:"urgency"`
	Subject      *string             `json:"subject"`
	CustomerID   *string             `json:"customer_id"`
	PolicyID     *string             `json:"policy_id"`
	Verification *anxin.Verification `json:"verification"`
}

// UpdateTicket applies a patch if version is current.
func (s *Service) UpdateTicket(ctx context.Context, actor anxin.Actor, number string, version int, p TicketPatch) (*anxin.Ticket, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	return s.changeTicket(ctx, actor, number, version, func(c *change) error {
		t := c.t
		if p.Type != nil {
			t.Type = *p.Type
		}
		if p.Urgency != nil {
			t.Urgency = *p.Urgency
		}
		if p.Subject != nil {
			t.Subject = *p.Subject
		}
		if p.CustomerID != nil {
			t.CustomerID = *p.CustomerID
		}
		if p.PolicyID != nil {
			t.PolicyID = *p.PolicyID
		}
		if p.Verification != nil {
			t.Verification = *p.Verification
			t.Verification.By, t.Verification.At = actorLabel(actor), c.tx.Now
		}
		t.Normalize()
		if err := t.Validate(); err != nil {
			return err
		}
		if _, ok := c.cfg.ticketType(t.Type); !ok {
			return fieldError("type", "enum", "is not a configured ticket type", "不是已配置的工单类型")
		}
		if t.CustomerID != c.before.CustomerID && t.CustomerID != "" {
			if _, err := s.DB.GetCustomer(ctx, c.tx, t.CustomerID); err != nil {
				return fieldError("customer_id", "unknown", "no such customer", "没有该客户")
			}
		}
		if t.PolicyID != "" && (t.PolicyID != c.before.PolicyID || t.CustomerID != c.before.CustomerID) {
			pol, err := s.DB.GetPolicy(ctx, c.tx, t.PolicyID)
			if err != nil {
				return fieldError("policy_id", "unknown", "no such policy", "没有该保单")
			}
			if pol.PolicyholderID != t.CustomerID && pol.InsuredID != t.CustomerID {
				return fieldError("policy_id", "mismatch", "the policy is not the customer's (neither policyholder nor insured)", "该保单不属于此客户（既非投保人也非被保险人）")
			}
		}
		c.audit = "update"
		if t.Type != c.before.Type || t.Urgency != c.before.Urgency || t.CustomerID != c.before.CustomerID {
			facts := anxin.SLAFacts{Channel: t.Channel, Type: t.Type, Urgency: t.Urgency}
			if t.CustomerID != "" {
				if cust, err := s.DB.GetCustomer(ctx, c.tx, t.CustomerID); err == nil {
					facts.Tier, facts.VIP = cust.Tier, cust.VIP
				}
			}
			if pol := anxin.ChooseSLA(c.cfg.sla, facts); pol != nil && pol.Code != t.SLAPolicy {
				if err := s.retime(ctx, c, pol); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// retime puts a ticket under another SLA policy, keeping time already
// paused.
func (s *Service) retime(ctx context.Context, c *change, pol *anxin.SLAPolicy) error {
	t := c.t
	start := t.CreatedAt.Add(time.Duration(t.PausedSeconds) * time.Second)
	setDeadlines(c.cal, t, pol, start)
	doc, err := marshal(pol)
	if err != nil {
		return err
	}
	if err := c.tx.SetTicketSLA(ctx, t.ID, pol.Code, doc); err != nil {
		return err
	}
	c.pol, c.retime = pol, true
	return c.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventNote, ActorKind: "system", ActorName: "system",
		Body: "时效策略变更为 " + pol.Name, Data: map[string]any{"sla_policy": pol.Code, "response_due": t.ResponseDue, "resolution_due": t.ResolutionDue}})
}

// RateTicket records the customer's satisfaction (1–5) with a resolved
// ticket, which completes the feedback step and closes it.
func (s *Service) RateTicket(ctx context.Context, actor anxin.Actor, number string, score int, comment string) (*anxin.Ticket, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermTicketWrite); err != nil {
			return nil, err
		}
	}
	if score < 1 || score > 5 {
		return nil, fieldError("score", "range", "must be 1 to 5", "须为 1 到 5 分")
	}
	if utf8.RuneCountInString(comment) > 2000 {
		return nil, fieldError("comment", "too_long", "at most 2,000 characters", "不超过 2000 个字")
	}
	return s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		if c.t.Stage != anxin.StageResolved && c.t.Stage != anxin.StageClosed {
			return anxin.Errorz(anxin.EConflict, "a ticket is rated once it is resolved", "工单办结后才能评价")
		}
		if c.t.Satisfaction != 0 {
			return anxin.Errorz(anxin.EConflict, "this ticket has already been rated", "该工单已评价")
		}
		c.t.Satisfaction = score
		c.audit = "rate"
		if err := c.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: c.t.ID, CustomerID: c.t.CustomerID, Kind: anxin.EventSatisfaction,
			ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: strings.TrimSpace(comment), Data: map[string]any{"score": score}}); err != nil {
			return err
		}
		if c.t.Stage == anxin.StageResolved {
			return s.move(ctx, c, anxin.StageClosed, "")
		}
		return nil
	})
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
