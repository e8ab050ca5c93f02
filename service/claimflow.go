package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/rules"
	"github.com/anxin-insure/anxin/store"
)

// Claim configuration lives in config_documents under this kind, one
// document per code.
const configClaims = "claim_config"

// claimConfigSet is one consistent snapshot of the claim rules.
type claimConfigSet struct {
	risk, complexity, fastTrack    *rules.ClaimRules
	limits                         []anxin.ApprovalLimit
	checklists                     map[anxin.ClaimType][]anxin.ChecklistItem
	trafficAtFault, trafficNoFault anxin.TrafficLimits
	loaded                         time.Time
}

// ClaimSettings is the editable claim configuration, as the API shows it.
type ClaimSettings struct {
	RiskRules       rules.ClaimRuleSet                             `json:"risk_rules"`
	ComplexityRules rules.ClaimRuleSet                             `json:"complexity_rules"`
	FastTrack       rules.ClaimRuleSet                             `json:"fast_track"`
	ApprovalLimits  []anxin.ApprovalLimit                          `json:"approval_limits"`
	Checklists      map[anxin.ClaimType][]anxin.ChecklistItem      `json:"checklists"`
	Traffic         struct{ AtFault, NoFault anxin.TrafficLimits } `json:"traffic_limits"`
}

// DefaultClaimSettings are the shipped defaults.
func DefaultClaimSettings() ClaimSettings {
	s := ClaimSettings{RiskRules: rules.DefaultRiskRules, ComplexityRules: rules.DefaultComplexityRules, FastTrack: rules.DefaultFastTrack,
		ApprovalLimits: anxin.DefaultApprovalLimits, Checklists: anxin.DefaultClaimChecklists}
	s.Traffic.AtFault, s.Traffic.NoFault = anxin.TrafficLimitsAtFault, anxin.TrafficLimitsNoFault
	return s
}

type claimConfigCache struct {
	mu         sync.Mutex
	cur        *claimConfigSet
	refreshing bool
	gen        int // bumped when the settings are replaced
}

func (s *Service) claimCache() *claimConfigCache { return s.claimCfg }

// claimConfig returns the compiled claim settings; like the ticket
// configuration, never holding the lock across the database read.
func (s *Service) claimConfig(ctx context.Context) (*claimConfigSet, error) {
	cc := s.claimCache()
	cc.mu.Lock()
	cur, gen := cc.cur, cc.gen
	if cur != nil && (time.Since(cur.loaded) < configTTL || cc.refreshing) {
		cc.mu.Unlock()
		return cur, nil
	}
	cc.refreshing = true
	cc.mu.Unlock()
	cfg, err := s.loadClaimConfig(ctx)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.refreshing = false
	if err != nil {
		return nil, err
	}
	if gen == cc.gen {
		cc.cur = cfg
	}
	return cfg, nil
}

// claimConfigCurrent is the claim settings for use inside a transaction:
// the cached ones, however old (see configCache.current).
func (s *Service) claimConfigCurrent(ctx context.Context) (*claimConfigSet, error) {
	cc := s.claimCache()
	cc.mu.Lock()
	cur := cc.cur
	cc.mu.Unlock()
	if cur != nil {
		return cur, nil
	}
	return s.claimConfig(ctx)
}

func (s *Service) loadClaimConfig(ctx context.Context) (*claimConfigSet, error) {
	set, err := s.ClaimSettings(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := compileClaimSettings(set)
	if err != nil {
		return nil, fmt.Errorf("stored claim settings: %w", err)
	}
	return cfg, nil
}

func compileClaimSettings(set ClaimSettings) (*claimConfigSet, error) {
	cfg := &claimConfigSet{limits: set.ApprovalLimits, checklists: set.Checklists, loaded: time.Now(),
		trafficAtFault: set.Traffic.AtFault, trafficNoFault: set.Traffic.NoFault}
	var err error
	if cfg.risk, err = rules.NewClaimRules(set.RiskRules); err != nil {
		return nil, err
	}
	if cfg.complexity, err = rules.NewClaimRules(set.ComplexityRules); err != nil {
		return nil, err
	}
	if cfg.fastTrack, err = rules.NewClaimRules(set.FastTrack); err != nil {
		return nil, err
	}
	return cfg, nil
}

// ClaimSettings returns the claim configuration: what is stored, the
// shipped defaults for the rest.
func (s *Service) ClaimSettings(ctx context.Context) (ClaimSettings, error) {
	set := DefaultClaimSettings()
	docs, err := s.DB.ConfigDocs(ctx, nil, configClaims)
	if err != nil {
		return set, err
	}
	for _, d := range docs {
		var target any
		switch d.Code {
		case "risk_rules":
			target = &set.RiskRules
		case "complexity_rules":
			target = &set.ComplexityRules
		case "fast_track":
			target = &set.FastTrack
		case "approval_limits":
			target = &set.ApprovalLimits
		case "checklists":
			target = &set.Checklists
		case "traffic_limits":
			target = &set.Traffic
		default:
			continue
		}
		if err := json.Unmarshal([]byte(d.Doc), target); err != nil {
			return set, fmt.Errorf("claim setting %s: %w", d.Code, err)
		}
	}
	return set, nil
}

// PutClaimSettings replaces the claim configuration after compiling every
// rule and checking the limits. A rule set whose rules changed gets the
// next version, so decisions say which rules they were made under.
func (s *Service) PutClaimSettings(ctx context.Context, actor anxin.Actor, set ClaimSettings) (ClaimSettings, error) {
	if err := authorize(actor, anxin.PermClaimConfig); err != nil {
		return set, err
	}
	var pr anxin.Problems
	for _, rs := range []struct {
		field string
		set   rules.ClaimRuleSet
	}{{"risk_rules", set.RiskRules}, {"complexity_rules", set.ComplexityRules}, {"fast_track", set.FastTrack}} {
		if _, err := rules.NewClaimRules(rs.set); err != nil {
			var ce *rules.CompileError
			if errors.As(err, &ce) {
				pr.Add(fmt.Sprintf("%s.rules[%d].when", rs.field, ce.Index), "syntax", "does not compile: "+firstLine(ce.Err.Error()), "条件表达式无法编译："+firstLine(ce.Err.Error()))
			} else {
				pr.Add(rs.field, "invalid", err.Error(), err.Error())
			}
		}
	}
	if set.FastTrack.SystemLimit < 0 {
		pr.Add("fast_track.system_limit", "range", "cannot be negative", "不能为负")
	}
	if err := anxin.ValidateApprovalLimits(set.ApprovalLimits); err != nil {
		var e *anxin.Error
		if errors.As(err, &e) {
			for _, f := range e.Fields {
				pr.Add("approval_limits."+f.Field, f.Reason, f.Message, f.MessageZH)
			}
		}
	}
	for t, items := range set.Checklists {
		if _, _, ok := t.Info(); !ok {
			pr.Add("checklists."+string(t), "enum", "is not a claim type", "不是有效的理赔类型")
		}
		for i, it := range items {
			if it.Code == "" || it.Name == "" {
				pr.Required(fmt.Sprintf("checklists.%s[%d].code", t, i))
			}
		}
	}
	if err := pr.Err(); err != nil {
		return set, err
	}
	old, err := s.ClaimSettings(ctx)
	if err != nil {
		return set, err
	}
	bump := func(now *rules.ClaimRuleSet, before rules.ClaimRuleSet) {
		a, _ := json.Marshal(now.Rules)
		b, _ := json.Marshal(before.Rules)
		now.Version = before.Version
		if string(a) != string(b) || now.SystemLimit != before.SystemLimit {
			now.Version = before.Version + 1
		}
	}
	bump(&set.RiskRules, old.RiskRules)
	bump(&set.ComplexityRules, old.ComplexityRules)
	bump(&set.FastTrack, old.FastTrack)
	var docs []store.ConfigDoc
	for i, d := range []struct {
		code string
		v    any
	}{{"risk_rules", set.RiskRules}, {"complexity_rules", set.ComplexityRules}, {"fast_track", set.FastTrack},
		{"approval_limits", set.ApprovalLimits}, {"checklists", set.Checklists}, {"traffic_limits", set.Traffic}} {
		b, err := json.Marshal(d.v)
		if err != nil {
			return set, err
		}
		docs = append(docs, store.ConfigDoc{Kind: configClaims, Code: d.code, Position: i, Doc: string(b)})
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceConfig(ctx, configClaims, docs, actorLabel(actor)); err != nil {
			return err
		}
		r := AuditFor(actor, "config", configClaims, "replace")
		r.Changes = map[string][2]any{"fast_track_version": Change(old.FastTrack.Version, set.FastTrack.Version),
			"risk_rules_version": Change(old.RiskRules.Version, set.RiskRules.Version)}
		return record(ctx, tx, r)
	})
	cc := s.claimCache()
	cc.mu.Lock()
	cc.cur = nil
	cc.gen++
	cc.mu.Unlock()
	return set, err
}

// ClaimFile is everything about one claim, for its page.
type ClaimFile struct {
	Claim       *anxin.Claim          `json:"claim"`
	Ticket      *anxin.Ticket         `json:"ticket"`
	Checklist   []anxin.ChecklistItem `json:"checklist"`
	Attachments []anxin.Attachment    `json:"attachments"`
	Decisions   []anxin.ClaimDecision `json:"decisions"`
	Tasks       []anxin.ClaimTask     `json:"tasks,omitempty"`
	Payments    []anxin.ClaimPayment  `json:"payments"`
	Disputes    []anxin.ClaimDispute  `json:"disputes"`
	Deadlines   []store.ClaimDeadline `json:"deadlines"`
}

// ClaimFileOf returns a claim with its decisions, tasks, payments, disputes
// and clocks. Customers see their own claims only, without the risk flags
// and the internal tasks; bank accounts are masked for anyone who does
// not approve payments.
func (s *Service) ClaimFileOf(ctx context.Context, actor anxin.Actor, key string) (*ClaimFile, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermClaimRead); err != nil {
			return nil, err
		}
	}
	c, err := s.DB.GetClaim(ctx, nil, key)
	if err != nil {
		return nil, err
	}
	if actor.Kind == "customer" && c.ClaimantID != actor.ID {
		return nil, anxin.Errorz(anxin.ENotFound, "claim not found", "未找到该理赔案件")
	}
	f := &ClaimFile{Claim: c}
	if f.Ticket, err = s.DB.GetTicket(ctx, nil, c.TicketID); err != nil {
		return nil, err
	}
	maskTicket(f.Ticket, actor)
	if f.Checklist, err = s.DB.Checklist(ctx, nil, c.TicketID); err != nil {
		return nil, err
	}
	if f.Attachments, err = s.DB.Attachments(ctx, c.TicketID); err != nil {
		return nil, err
	}
	if f.Decisions, err = s.DB.ClaimDecisions(ctx, nil, c.ID); err != nil {
		return nil, err
	}
	if f.Payments, err = s.DB.ClaimPayments(ctx, nil, c.ID); err != nil {
		return nil, err
	}
	if f.Disputes, err = s.DB.ClaimDisputes(ctx, nil, c.ID); err != nil {
		return nil, err
	}
	if f.Deadlines, err = s.DB.ClaimDeadlines(ctx, nil, c.ID); err != nil {
		return nil, err
	}
	if actor.Kind == "customer" {
		c.RiskFlags = nil
	} else if f.Tasks, err = s.DB.ClaimTasks(ctx, nil, c.ID); err != nil {
		return nil, err
	}
	if actor.Kind == "customer" || !actor.Role.SeesFull(anxin.FieldBankAccount) {
		c.Payout.Account = anxin.Mask(anxin.FieldBankAccount, c.Payout.Account)
		for i := range f.Payments {
			f.Payments[i].Account = anxin.Mask(anxin.FieldBankAccount, f.Payments[i].Account)
		}
	}
	return f, nil
}

// FindClaims lists claims for the workbench, or a customer's own.
func (s *Service) FindClaims(ctx context.Context, actor anxin.Actor, f store.ClaimFilter) ([]*anxin.Claim, error) {
	if actor.Kind == "customer" {
		f = store.ClaimFilter{ClaimantID: actor.ID, Limit: f.Limit}
	} else if err := authorize(actor, anxin.PermClaimRead); err != nil {
		return nil, err
	}
	cs, err := s.DB.FindClaims(ctx, f)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		c.Payout.Account = anxin.Mask(anxin.FieldBankAccount, c.Payout.Account)
		if actor.Kind == "customer" {
			c.RiskFlags = nil
		}
	}
	return cs, nil
}

// PendingApprovals lists decisions waiting for a second person, oldest
// first; each names the lowest role whose limit covers it.
func (s *Service) PendingApprovals(ctx context.Context, actor anxin.Actor) ([]store.PendingDecision, error) {
	if err := authorize(actor, anxin.PermClaimRead); err != nil {
		return nil, err
	}
	return s.DB.PendingApprovals(ctx, 200)
}

// OwnClaim answers ENotFound unless a customer actor is the claim's
// claimant, so that someone else's claim looks like no claim at all
// before anything about the request is checked. Staff pass.
func (s *Service) OwnClaim(ctx context.Context, actor anxin.Actor, key string) error {
	if actor.Kind != "customer" {
		return nil
	}
	c, err := s.DB.GetClaim(ctx, nil, key)
	if err != nil {
		return err
	}
	if c.ClaimantID != actor.ID {
		return anxin.Errorz(anxin.ENotFound, "claim not found", "未找到该理赔案件")
	}
	return nil
}

// lockClaim locks a claim's ticket, then the claim: the order every change
// takes them in, whether it starts from the claim or from its ticket, so
// that two of them never wait for each other on PostgreSQL.
func lockClaim(ctx context.Context, tx *store.Tx, key string) (*anxin.Claim, error) {
	c, err := tx.DB().GetClaim(ctx, tx, key)
	if err != nil {
		return nil, err
	}
	if _, _, err := tx.TicketForUpdate(ctx, c.TicketID); err != nil {
		return nil, err
	}
	return tx.ClaimForUpdate(ctx, c.ID)
}

// claimChange carries a claim and its ticket through one state change.
type claimChange struct {
	*change
	claim *anxin.Claim
	pol   *anxin.Policy
}

// changeClaim locks a claim and its ticket, runs fn, and saves both in one
// transaction with the ticket's audit and timeline.
func (s *Service) changeClaim(ctx context.Context, actor anxin.Actor, key string, version int, fn func(cc *claimChange) error) (*anxin.Claim, error) {
	cfg, err := s.config.get(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return nil, err
	}
	var out *anxin.Claim
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := lockClaim(ctx, tx, key)
		if err != nil {
			return err
		}
		if actor.Kind == "customer" && c.ClaimantID != actor.ID {
			return anxin.Errorz(anxin.ENotFound, "claim not found", "未找到该理赔案件")
		}
		if version != 0 && version != c.Version {
			return anxin.Errorz(anxin.EPrecondition, "the claim was changed by someone else; reload and try again", "理赔案件已被他人修改，请刷新后重试")
		}
		pol, err := s.DB.GetPolicy(ctx, tx, c.PolicyID)
		if err != nil {
			return err
		}
		before := *c
		_, err = s.changeTicketTx(ctx, tx, cfg, cal, actor, c.TicketID, 0, func(ch *change) error {
			if err := fn(&claimChange{change: ch, claim: c, pol: pol}); err != nil {
				return err
			}
			// The ticket follows the claim: the first act of staff on it
			// is the response (响应: the claimant learns the owner and the
			// expected date); a claim that closes without a payment to
			// wait for (a rejection) resolves it.
			if actor.Kind == "staff" && ch.t.Stage == anxin.StageReceived && c.Stage != anxin.ClaimClosed {
				return s.move(ctx, ch, anxin.StageAcknowledged, "")
			}
			if c.Stage == anxin.ClaimClosed && before.Stage != anxin.ClaimClosed && ch.t.Stage.Open() {
				return s.move(ctx, ch, anxin.StageResolved, fmt.Sprintf("理赔案件 %s 已结案。", c.Number))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if c.Version == before.Version {
			// fn did not save the claim itself.
			if err := tx.SaveClaim(ctx, c); err != nil {
				return err
			}
		}
		out = c
		return nil
	})
	return out, err
}

// event writes a claim step on its ticket's timeline.
func (cc *claimChange) event(ctx context.Context, kind anxin.EventKind, body string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	data["claim"] = cc.claim.Number
	return cc.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: cc.t.ID, CustomerID: cc.t.CustomerID, Kind: kind,
		ActorKind: cc.actor.Kind, ActorID: cc.actor.ID, ActorName: cc.actor.Name, Body: body, Data: data})
}

// ReviewClaimDocument accepts or rejects one document of the checklist
// (rejected needs a reason, which the claimant is told with the rest).
func (s *Service) ReviewClaimDocument(ctx context.Context, actor anxin.Actor, key, code, status, reason string) (*anxin.Claim, error) {
	if err := authorize(actor, anxin.PermClaimWrite); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch status {
	case anxin.ItemReceived, anxin.ItemMissing:
		reason = ""
	case anxin.ItemRejected:
		if utf8.RuneCountInString(reason) < 2 {
			return nil, fieldError("reason", "required", "say why the document is rejected; the claimant is told", "请说明退回原因，将告知申请人")
		}
	default:
		return nil, fieldError("status", "enum", "must be received, missing or rejected", "须为 received、missing 或 rejected")
	}
	return s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		if err := cc.tx.SetChecklistItem(ctx, cc.t.ID, code, status, reason); anxin.ErrorCode(err) == anxin.ENotFound {
			return fieldError("code", "unknown", "is not on the claim's checklist", "不在该案件的材料清单中")
		} else if err != nil {
			return err
		}
		cc.audit = "checklist"
		if err := cc.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: cc.t.ID, CustomerID: cc.t.CustomerID, Kind: anxin.EventChecklist,
			ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: reason, Data: map[string]any{"code": code, "status": status}}); err != nil {
			return err
		}
		return s.documentsChanged(ctx, cc)
	})
}

// AddClaimDocument stores a document for a checklist item of a claim; the
// claimant may send their own from the self-service page.
func (s *Service) AddClaimDocument(ctx context.Context, actor anxin.Actor, key, itemCode, filename string, data []byte) (*anxin.Claim, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermClaimWrite); err != nil {
			return nil, err
		}
	} else if err := s.OwnClaim(ctx, actor, key); err != nil {
		return nil, err
	}
	ct, err := checkDocument("file", filename, data)
	if err != nil {
		return nil, err
	}
	if _, err := s.ClaimFileOf(ctx, actor, key); err != nil {
		return nil, err // not theirs: nothing is written
	}
	a := &anxin.Attachment{Filename: filename, ContentType: ct, Size: int64(len(data)), ItemCode: itemCode, UploadedBy: actorLabel(actor)}
	a.SHA256 = sha256Hex(data)
	if err := s.storeFile(a.SHA256, data); err != nil {
		return nil, err
	}
	return s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		if err := s.attach(ctx, cc.change, a); err != nil {
			return err
		}
		return s.documentsChanged(ctx, cc)
	})
}

// claimDocumentsChanged runs the claim's document step when a claim's
// ticket got a document or a checklist change through the ticket pages.
func (s *Service) claimDocumentsChanged(ctx context.Context, c *change) error {
	if c.t.Type != anxin.TypeClaim {
		return nil
	}
	cl, err := c.tx.ClaimForUpdate(ctx, c.t.Number)
	if err != nil {
		return err
	}
	pol, err := s.DB.GetPolicy(ctx, c.tx, cl.PolicyID)
	if err != nil {
		return err
	}
	v := cl.Version
	if err := s.documentsChanged(ctx, &claimChange{change: c, claim: cl, pol: pol}); err != nil {
		return err
	}
	if cl.Version == v {
		return c.tx.SaveClaim(ctx, cl)
	}
	return nil
}

// documentsChanged moves a claim whose checklist became complete from
// intake to review, re-runs the rules (a reused document raises a flag),
// and lets the fast track take a claim that now passes every rule.
func (s *Service) documentsChanged(ctx context.Context, cc *claimChange) error {
	c := cc.claim
	items, err := s.DB.Checklist(ctx, cc.tx, cc.t.ID)
	if err != nil {
		return err
	}
	complete := true
	for _, it := range items {
		complete = complete && it.Status == anxin.ItemReceived
	}
	if c.Stage != anxin.ClaimIntake && c.Stage != anxin.ClaimReview {
		return nil
	}
	reused, err := s.DB.ReusedDocuments(ctx, cc.tx, cc.t.ID)
	if err != nil {
		return err
	}
	ev, err := s.evaluateClaim(ctx, cc.tx, c, cc.pol, complete, reused)
	if err != nil {
		return err
	}
	c.RiskFlags, c.FastTrackCheck, c.FastTrackRules = ev.flags, ev.fastTrack, ev.ftVersion
	if ev.complexity == anxin.ClaimComplex && c.Complexity == anxin.ClaimStandard {
		// Reclassified: the review deadline becomes 15 working days.
		c.Complexity = ev.complexity
		due, prov := cc.cal.AddWorkingDays(cc.t.CreatedAt, c.Complexity.ReviewWorkingDays())
		cc.t.ResolutionDue, cc.t.Provisional = due.UTC(), cc.t.Provisional || prov
		c.ReviewDue = cc.t.ResolutionDue
		cc.retime = true
	}
	if complete && c.Stage == anxin.ClaimIntake {
		c.Stage, c.DocumentsAt = anxin.ClaimReview, cc.tx.Now
		if err := cc.event(ctx, anxin.EventNote, "材料已齐全，案件进入审核", map[string]any{"stage": c.Stage}); err != nil {
			return err
		}
	}
	decided := !c.DecidedAt.IsZero()
	if ev.fastOK && !decided {
		return s.fastTrack(ctx, cc.tx, cc.actor, c, cc.pol, cc.t, ev)
	}
	return nil
}

// ClaimTaskInput assigns a survey, investigation or assessment.
type ClaimTaskInput struct {
	Kind         string    `json:"kind"`
	AssigneeID   string    `json:"assignee_id"`
	Instructions string    `json:"instructions"`
	Due          time.Time `json:"due,omitzero"` // default: 3 working days
}

// AddClaimTask assigns a task on a claim under review.
func (s *Service) AddClaimTask(ctx context.Context, actor anxin.Actor, key string, in ClaimTaskInput) (*anxin.ClaimTask, error) {
	if err := authorize(actor, anxin.PermClaimWrite); err != nil {
		return nil, err
	}
	known := false
	for _, k := range anxin.ClaimTaskKinds {
		known = known || k.Code == in.Kind
	}
	if !known {
		return nil, fieldError("kind", "enum", "is not a task kind (survey, investigation, medical_assessment, technical_assessment, third_party_assessment)", "不是有效的任务类型")
	}
	if utf8.RuneCountInString(in.Instructions) > 2000 {
		return nil, fieldError("instructions", "too_long", "at most 2,000 characters", "不超过 2000 个字")
	}
	staff, err := s.DB.GetStaff(ctx, nil, in.AssigneeID)
	if err != nil || !staff.Active {
		return nil, fieldError("assignee_id", "unknown", "is not an active staff member", "不是在职员工")
	}
	task := &anxin.ClaimTask{Kind: in.Kind, AssigneeID: in.AssigneeID, AssigneeName: staff.DisplayName, Instructions: strings.TrimSpace(in.Instructions), CreatedBy: actor.ID}
	_, err = s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		if cc.claim.Stage == anxin.ClaimClosed {
			return anxin.Errorz(anxin.EConflict, "the claim is closed", "案件已结案")
		}
		task.ClaimID, task.Due = cc.claim.ID, in.Due
		if task.Due.IsZero() {
			due, _ := cc.cal.AddWorkingDays(cc.tx.Now, 3)
			task.Due = due.UTC()
		} else if task.Due.Before(cc.tx.Now) {
			return fieldError("due", "past", "is in the past", "截止时间已过")
		}
		if err := cc.tx.AddClaimTask(ctx, task); err != nil {
			return err
		}
		if err := cc.tx.AddStaffNotification(ctx, &store.StaffNotification{StaffID: task.AssigneeID, TicketID: cc.t.ID, Kind: "claim_task",
			Message: fmt.Sprintf("理赔案件 %s 有新任务：%s", cc.claim.Number, taskName(task.Kind)), MessageEN: fmt.Sprintf("Claim %s: new task (%s)", cc.claim.Number, task.Kind)}); err != nil {
			return err
		}
		cc.audit = "claim_task"
		return cc.event(ctx, anxin.EventNote, "指派任务："+taskName(task.Kind)+" → "+staff.DisplayName, map[string]any{"task": task.ID, "kind": task.Kind, "assignee": task.AssigneeID})
	})
	if err != nil {
		return nil, err
	}
	return task, nil
}

func taskName(kind string) string {
	for _, k := range anxin.ClaimTaskKinds {
		if k.Code == kind {
			return k.Name
		}
	}
	if kind == "follow_up" {
		return "结案回访"
	}
	return kind
}

// CompleteClaimTask records a task's report; the assignee or anyone who
// decides claims may.
func (s *Service) CompleteClaimTask(ctx context.Context, actor anxin.Actor, key, taskID, report, conclusion string) (*anxin.Claim, error) {
	if err := authorize(actor, anxin.PermClaimWrite); err != nil {
		return nil, err
	}
	report = strings.TrimSpace(report)
	if utf8.RuneCountInString(report) < 2 {
		return nil, fieldError("report", "required", "write the report", "请填写报告")
	}
	if utf8.RuneCountInString(report) > 10000 {
		return nil, fieldError("report", "too_long", "at most 10,000 characters", "不超过 10000 个字")
	}
	if conclusion != "" && !slices.Contains(anxin.ClaimTaskConclusions, conclusion) {
		return nil, fieldError("conclusion", "enum", "is confirmed, doubtful or not_covered", "应为 confirmed、doubtful 或 not_covered")
	}
	return s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		tasks, err := s.DB.ClaimTasks(ctx, cc.tx, cc.claim.ID)
		if err != nil {
			return err
		}
		var task *anxin.ClaimTask
		for i := range tasks {
			if tasks[i].ID == taskID {
				task = &tasks[i]
			}
		}
		if task == nil {
			return anxin.Errorz(anxin.ENotFound, "no such task on this claim", "该案件没有此任务")
		}
		if task.AssigneeID != actor.ID && !actor.Can(anxin.PermClaimDecide) {
			return anxin.Errorz(anxin.EForbidden, "only the assignee or a claims decider can report on this task", "仅任务负责人或理赔核定人员可提交报告")
		}
		if err := cc.tx.CompleteClaimTask(ctx, cc.claim.ID, taskID, report, conclusion); err != nil {
			return err
		}
		if task.Kind == "follow_up" {
			if err := cc.tx.MeetClaimDeadline(ctx, cc.claim.ID, DeadlineFollowUp); err != nil {
				return err
			}
		}
		cc.audit = "claim_task_done"
		return cc.event(ctx, anxin.EventNote, taskName(task.Kind)+"报告："+report, map[string]any{"task": taskID, "conclusion": conclusion})
	})
}

// DecisionInput is a decider's decision.
type DecisionInput struct {
	Outcome anxin.Outcome `json:"outcome"`
	// Payable for a partial or advance payment; pay takes the calculated
	// amount, reject pays nothing.
	Payable anxin.Fen `json:"payable,omitempty"`
	Reasons []string  `json:"reasons,omitempty"`
	// Loss, when given, replaces the claim's loss figures with the
	// assessed ones (eligible expenses, assessed loss) before calculating.
	Loss    *anxin.ClaimLoss `json:"loss,omitempty"`
	Version int              `json:"version,omitempty"`
}

// DecideClaim calculates the payout by the product terms and records the
// decision (核算与决定). Within the decider's approval limit it is approved
// at once and payment instructed; above it, it waits for a second person.
// A re-review after a dispute must be decided by someone other than the
// original decider.
func (s *Service) DecideClaim(ctx context.Context, actor anxin.Actor, key string, in DecisionInput) (*anxin.ClaimDecision, error) {
	if err := authorize(actor, anxin.PermClaimDecide); err != nil {
		return nil, err
	}
	if !slices.Contains(anxin.Outcomes, in.Outcome) {
		return nil, fieldError("outcome", "enum", "is pay, partial, reject or advance", "应为 pay、partial、reject 或 advance")
	}
	var reasons []string
	for _, r := range in.Reasons {
		if r = strings.TrimSpace(r); r != "" {
			if utf8.RuneCountInString(r) > 1000 {
				return nil, fieldError("reasons", "too_long", "each reason at most 1,000 characters", "每条理由不超过 1000 个字")
			}
			reasons = append(reasons, r)
		}
	}
	if (in.Outcome == anxin.OutcomeReject || in.Outcome == anxin.OutcomePartial) && len(reasons) == 0 {
		return nil, fieldError("reasons", "required", "give the reasons; the claimant is told them in writing", "请写明理由，将书面告知申请人")
	}
	if in.Loss != nil {
		probe := anxin.Claim{Loss: *in.Loss, PolicyID: "x", Type: anxin.ClaimMedical, IncidentDate: anxin.MustDate("2000-01-01"), Description: "x"}
		if err := probe.Validate(anxin.MustDate("2000-01-01")); err != nil {
			return nil, err
		}
	}
	cfg, err := s.claimConfig(ctx)
	if err != nil {
		return nil, err
	}
	var out *anxin.ClaimDecision
	_, err = s.changeClaim(ctx, actor, key, in.Version, func(cc *claimChange) error {
		c := cc.claim
		if c.Stage != anxin.ClaimReview {
			return anxin.Errorz(anxin.EConflict, "only a claim under review can be decided (this one is at "+string(c.Stage)+")", "仅审核中的案件可以作出决定（当前阶段："+c.Stage.Name()+"）")
		}
		if c.Disputed && c.DecidedBy == actor.ID {
			return anxin.Errorz(anxin.EForbidden, "a disputed claim is re-reviewed by someone other than its first decider", "争议案件须由原决定人以外的人员复核")
		}
		tasks, err := s.DB.ClaimTasks(ctx, cc.tx, c.ID)
		if err != nil {
			return err
		}
		for _, k := range tasks {
			if k.Status == "open" && k.Kind != "follow_up" {
				return anxin.Errorz(anxin.EConflict, "a task is still open: "+k.Kind, "尚有未完成的任务："+taskName(k.Kind))
			}
		}
		if in.Loss != nil {
			c.Loss = *in.Loss
		}
		calc, err := s.calculate(ctx, cc.tx, c, cc.pol)
		if err != nil {
			return err
		}
		payable := calc.Payable
		switch in.Outcome {
		case anxin.OutcomeReject:
			payable = 0
		case anxin.OutcomePartial, anxin.OutcomeAdvance:
			if in.Payable <= 0 || in.Payable > calc.Payable || (in.Outcome == anxin.OutcomePartial && in.Payable == calc.Payable) {
				return fieldError("payable", "range", fmt.Sprintf("must be more than 0 and less than the calculated %s", calc.Payable), fmt.Sprintf("须大于 0 且小于核算金额 %s", calc.Payable))
			}
			payable = in.Payable
			calc.Lines = append(calc.Lines, anxin.CalcLine{Label: in.Outcome.Name() + "金额", LabelEN: string(in.Outcome) + " amount", Amount: payable})
		case anxin.OutcomePay:
			if payable == 0 {
				return fieldError("outcome", "nothing_due", "the calculation gives nothing to pay; reject with reasons instead", "核算应付金额为零，请改为拒赔并说明理由")
			}
		}
		if payable > 0 && !c.HasPayout() {
			return fieldError("payout.account", "required", "the claim has no bank account to pay to", "案件尚无收款银行账户")
		}
		if payable > 0 && !anxin.Covered(c.Coverage) && len(reasons) == 0 {
			return fieldError("reasons", "required", "an intake check failed; say why it is paid anyway", "保障核验未全部通过，请说明赔付理由")
		}
		name := s.staffName(ctx, cc.tx, actor)
		d := &anxin.ClaimDecision{ClaimID: c.ID, Outcome: in.Outcome, Calculation: calc, Payable: payable, Reasons: reasons,
			Review: c.Disputed, DecidedBy: actor.ID, DeciderName: name, LetterNumber: c.Number}
		if payable == 0 || anxin.Covers(cfg.limits, actor.Role, payable-c.Paid) {
			d.Status, d.ApprovedBy, d.ApproverName, d.ApprovedAt = anxin.DecisionApproved, actor.ID, name, cc.tx.Now
		} else {
			d.Status, d.NeedsRole = anxin.DecisionPending, anxin.LowestRoleFor(cfg.limits, payable-c.Paid)
		}
		cc.audit = "claim_decision"
		out = d
		return s.recordDecision(ctx, cc.tx, actor, c, cc.t, d)
	})
	return out, err
}

// recordDecision stores a decision and what follows from it: approved, the
// payment instruction (or, for a rejection, the written notice); pending,
// the claim waits for approval.
func (s *Service) recordDecision(ctx context.Context, tx *store.Tx, actor anxin.Actor, c *anxin.Claim, t *anxin.Ticket, d *anxin.ClaimDecision) error {
	if err := tx.AddClaimDecision(ctx, d, deductibleUsed(c, d.Calculation)); err != nil {
		return err
	}
	c.DecidedAt, c.DecidedBy = tx.Now, d.DecidedBy
	if d.Outcome != anxin.OutcomeAdvance {
		if err := tx.MeetClaimDeadline(ctx, c.ID, DeadlineStatutory); err != nil {
			return err
		}
	}
	// Any decision fixes at least part of the amount (art. 25).
	if err := tx.MeetClaimDeadline(ctx, c.ID, DeadlineAdvance); err != nil {
		return err
	}
	body := fmt.Sprintf("理赔决定（%s）：%s，应付 %s", d.LetterNumber, d.Outcome.Name(), d.Payable)
	if d.Automated {
		body = "快速理赔自动决定：" + body
	}
	if err := tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventNote,
		ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: body,
		Data: map[string]any{"claim": c.Number, "decision": d.ID, "outcome": d.Outcome, "payable": d.Payable, "status": d.Status}}); err != nil {
		return err
	}
	r := AuditFor(actor, "claim", c.ID, "decide")
	r.Changes = map[string][2]any{"outcome": Change(nil, string(d.Outcome)), "payable": Change(nil, int64(d.Payable)), "status": Change(nil, d.Status)}
	if err := record(ctx, tx, r); err != nil {
		return err
	}
	if d.Status == anxin.DecisionPending {
		c.Stage = anxin.ClaimApproval
		return tx.SaveClaim(ctx, c)
	}
	return s.afterApproval(ctx, tx, c, t, d)
}

// afterApproval acts on an approved decision: earlier decisions give way
// to it, what it pays beyond what was already paid gets exactly one
// payment instruction, the claimant is told, and the clocks move on.
func (s *Service) afterApproval(ctx context.Context, tx *store.Tx, c *anxin.Claim, t *anxin.Ticket, d *anxin.ClaimDecision) error {
	prior, err := s.DB.ClaimDecisions(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, p := range prior {
		if p.ID != d.ID && p.Status == anxin.DecisionApproved && p.Outcome != anxin.OutcomeAdvance {
			if _, err := tx.SetDecisionStatus(ctx, p.ID, anxin.DecisionApproved, anxin.DecisionSuperseded, "", ""); err != nil {
				return err
			}
		}
	}
	if c.Disputed {
		if err := tx.ResolveDisputes(ctx, c.ID, d.ID); err != nil {
			return err
		}
		c.Disputed = false
	}
	loc := s.Calendar.Location()
	due := d.Payable - c.Paid
	// The notice speaks the claimant's language; the reasons are as the
	// decider wrote them.
	en := t.Language == "en"
	msg := fmt.Sprintf("理赔案件 %s 的决定：%s。", c.Number, d.Outcome.Name())
	if en {
		msg = fmt.Sprintf("The decision on claim %s: %s. ", c.Number, outcomeEN[d.Outcome])
	}
	switch {
	case d.Outcome == anxin.OutcomeReject:
		if en {
			msg += "Reasons: " + strings.Join(d.Reasons, "; ") + ". If you disagree, you can ask for a re-review on the self-service page."
		} else {
			msg += "拒赔理由：" + strings.Join(d.Reasons, "；") + "。如有异议，可在自助服务页面申请复核。"
		}
		// The written rejection goes out now (art. 24: within 3 days).
		if err := tx.SetClaimDeadline(ctx, c.ID, DeadlineRejection, tx.Now.Add(72*time.Hour), tx.Now.Add(48*time.Hour)); err != nil {
			return err
		}
		if err := tx.MeetClaimDeadline(ctx, c.ID, DeadlineRejection); err != nil {
			return err
		}
	case due > 0:
		if err := s.instructPayment(ctx, tx, c, d, due); err != nil {
			return err
		}
		if en {
			msg += fmt.Sprintf("¥%s is payable and will be paid by %s to the account ending %s.", d.Payable, c.PaymentDue.In(loc).Format("2006-01-02"), last4(c.Payout.Account))
		} else {
			msg += fmt.Sprintf("应付 %s，将于 %s 前支付至尾号 %s 的账户。", d.Payable, c.PaymentDue.In(loc).Format("2006-01-02"), last4(c.Payout.Account))
		}
	}
	if d.Outcome == anxin.OutcomeAdvance {
		// The rest is still to decide: the claim stays in review.
		c.Stage = anxin.ClaimReview
		if en {
			msg += " We will write again once the rest is decided."
		} else {
			msg += "其余部分核定后另行通知。"
		}
	} else if due > 0 {
		c.Stage = anxin.ClaimPaying
	} else {
		if err := s.closeClaim(ctx, tx, c, t); err != nil {
			return err
		}
	}
	if err := tx.SaveClaim(ctx, c); err != nil {
		return err
	}
	cfg, err := s.config.current(ctx)
	if err != nil {
		return err
	}
	nd := s.noticeData(t, "")
	nd.Message = msg
	_, err = s.notifyCustomer(ctx, tx, cfg, t, "claim_decided", nd)
	return err
}

var outcomeEN = map[anxin.Outcome]string{anxin.OutcomePay: "paid", anxin.OutcomePartial: "paid in part", anxin.OutcomeReject: "rejected", anxin.OutcomeAdvance: "paid in advance in part"}

func last4(s string) string {
	if len(s) <= 4 {
		return s
	}
	return s[len(s)-4:]
}

// instructPayment creates the one instruction for amount and its job.
func (s *Service) instructPayment(ctx context.Context, tx *store.Tx, c *anxin.Claim, d *anxin.ClaimDecision, amount anxin.Fen) error {
	added, err := tx.AddClaimPayments(ctx, []anxin.ClaimPayment{{ClaimID: c.ID, DecisionID: d.ID, Position: 1,
		PayeeName: c.Payout.PayeeName, BankName: c.Payout.BankName, Account: c.Payout.Account, Amount: amount}})
	if err != nil {
		return err
	}
	for _, p := range added {
		if err := s.insertJob(ctx, tx, PaymentArgs{PaymentID: p.ID}, nil); err != nil {
			return err
		}
	}
	c.Paid += amount
	c.PaymentDue = tx.Now.Add(10 * 24 * time.Hour)
	if err := tx.SetClaimDeadline(ctx, c.ID, DeadlinePayment, c.PaymentDue, c.PaymentDue.Add(-2*24*time.Hour)); err != nil {
		return err
	}
	return s.scheduleClaimDeadline(ctx, tx, c.ID, DeadlinePayment, c.PaymentDue.Add(-2*24*time.Hour))
}

// closeClaim ends a claim: the ticket is resolved (asking for satisfaction),
// and the follow-up call is due within 3 days.
func (s *Service) closeClaim(ctx context.Context, tx *store.Tx, c *anxin.Claim, t *anxin.Ticket) error {
	c.Stage, c.ClosedAt = anxin.ClaimClosed, tx.Now
	owner := t.OwnerID
	if owner == "" {
		if team, err := s.DB.Team(ctx, tx, t.Team); err == nil {
			owner = team.SupervisorID
		}
	}
	due := tx.Now.Add(72 * time.Hour)
	tasks, err := s.DB.ClaimTasks(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, k := range tasks {
		if k.Kind == "follow_up" && k.Status == "open" {
			// Closed again after a re-review: the call still to make
			// covers both decisions.
			return nil
		}
	}
	if owner != "" {
		task := &anxin.ClaimTask{ClaimID: c.ID, Kind: "follow_up", AssigneeID: owner, Instructions: "结案后 3 日内电话回访：确认赔款到账、解释结果、询问满意度", Due: due, CreatedBy: "system"}
		if err := tx.AddClaimTask(ctx, task); err != nil {
			return err
		}
	}
	if err := tx.SetClaimDeadline(ctx, c.ID, DeadlineFollowUp, due, due.Add(-24*time.Hour)); err != nil {
		return err
	}
	return s.scheduleClaimDeadline(ctx, tx, c.ID, DeadlineFollowUp, due.Add(-24*time.Hour))
}

// ApproveDecision is the second person's act on a decision above the
// decider's limit: approve within their own limit, or return it to review
// with a note. Nobody approves their own decision.
func (s *Service) ApproveDecision(ctx context.Context, actor anxin.Actor, key, decisionID string, approve bool, note string) (*anxin.Claim, error) {
	if err := authorize(actor, anxin.PermClaimApprove); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if !approve && utf8.RuneCountInString(note) < 2 {
		return nil, fieldError("note", "required", "say why the decision goes back", "请说明退回原因")
	}
	cfg, err := s.claimConfig(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		c := cc.claim
		ds, err := s.DB.ClaimDecisions(ctx, cc.tx, c.ID)
		if err != nil {
			return err
		}
		var d *anxin.ClaimDecision
		for i := range ds {
			if ds[i].ID == decisionID {
				d = &ds[i]
			}
		}
		if d == nil {
			return anxin.Errorz(anxin.ENotFound, "no such decision on this claim", "该案件没有此决定")
		}
		if d.Status != anxin.DecisionPending {
			return anxin.Errorz(anxin.EConflict, "the decision is not waiting for approval ("+d.Status+")", "该决定不在待审批状态")
		}
		if d.DecidedBy == actor.ID {
			return anxin.Errorz(anxin.EForbidden, "nobody approves their own decision", "不得审批本人作出的决定")
		}
		cc.audit = "claim_approval"
		if !approve {
			if _, err := cc.tx.SetDecisionStatus(ctx, d.ID, anxin.DecisionPending, anxin.DecisionReturned, actor.ID, actor.Name); err != nil {
				return err
			}
			c.Stage = anxin.ClaimReview
			if err := cc.tx.AddStaffNotification(ctx, &store.StaffNotification{StaffID: d.DecidedBy, TicketID: cc.t.ID, Kind: "claim_returned",
				Message: fmt.Sprintf("理赔案件 %s 的决定被退回：%s", c.Number, note), MessageEN: fmt.Sprintf("Claim %s: decision returned: %s", c.Number, note)}); err != nil {
				return err
			}
			return cc.event(ctx, anxin.EventNote, "审批退回："+note, map[string]any{"decision": d.ID})
		}
		if !anxin.Covers(cfg.limits, actor.Role, d.Payable-c.Paid) {
			return anxin.Errorz(anxin.EForbidden, fmt.Sprintf("%s is above your approval limit; it needs a %s", d.Payable-c.Paid, anxin.LowestRoleFor(cfg.limits, d.Payable-c.Paid)),
				fmt.Sprintf("金额 %s 超出您的审批权限，需由 %s 审批", d.Payable-c.Paid, anxin.LowestRoleFor(cfg.limits, d.Payable-c.Paid)))
		}
		name := s.staffName(ctx, cc.tx, actor)
		ok, err := cc.tx.SetDecisionStatus(ctx, d.ID, anxin.DecisionPending, anxin.DecisionApproved, actor.ID, name)
		if err != nil {
			return err
		}
		if !ok {
			return anxin.Errorz(anxin.EConflict, "the decision was acted on by someone else", "该决定已被他人处理")
		}
		d.Status, d.ApprovedBy, d.ApproverName = anxin.DecisionApproved, actor.ID, name
		if err := cc.event(ctx, anxin.EventNote, "审批通过："+d.Payable.String()+noteSuffix(note), map[string]any{"decision": d.ID}); err != nil {
			return err
		}
		return s.afterApproval(ctx, cc.tx, c, cc.t, d)
	})
}

// staffName is how letters and pages name a staff member: their display
// name, else what the actor carries.
func (s *Service) staffName(ctx context.Context, tx *store.Tx, actor anxin.Actor) string {
	if actor.Kind == "staff" {
		if st, err := s.DB.GetStaff(ctx, tx, actor.ID); err == nil && st.DisplayName != "" {
			return st.DisplayName
		}
	}
	return actor.Name
}

func noteSuffix(n string) string {
	if n == "" {
		return ""
	}
	return "（" + n + "）"
}

// DisputeClaim records a claimant's objection (理赔争议) to the current
// decision, or their request that a person review an automated one (PIPL
// art. 24); the claim goes back to review, for someone other than its
// decider.
func (s *Service) DisputeClaim(ctx context.Context, actor anxin.Actor, key, reason string, humanReview bool) (*anxin.Claim, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermClaimWrite); err != nil {
			return nil, err
		}
	} else if err := s.OwnClaim(ctx, actor, key); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 2 {
		return nil, fieldError("reason", "required", "say what you disagree with", "请说明异议内容")
	}
	if utf8.RuneCountInString(reason) > 5000 {
		return nil, fieldError("reason", "too_long", "at most 5,000 characters", "不超过 5000 个字")
	}
	return s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		c := cc.claim
		ds, err := s.DB.ClaimDecisions(ctx, cc.tx, c.ID)
		if err != nil {
			return err
		}
		var current *anxin.ClaimDecision
		for i := range ds {
			if ds[i].Status == anxin.DecisionApproved {
				current = &ds[i]
			}
		}
		if current == nil {
			return anxin.Errorz(anxin.EConflict, "there is no decision to dispute yet", "案件尚未作出决定，无法申请复核")
		}
		if c.Disputed {
			return anxin.Errorz(anxin.EConflict, "a re-review is already under way", "复核正在进行中")
		}
		d := &anxin.ClaimDispute{ClaimID: c.ID, DecisionID: current.ID, Reason: reason, RaisedBy: actorLabel(actor), HumanReview: humanReview}
		if err := cc.tx.AddClaimDispute(ctx, d); err != nil {
			return err
		}
		c.Disputed, c.Stage = true, anxin.ClaimReview
		// The re-review has the claim's own review time again, from now.
		due, prov := cc.cal.AddWorkingDays(cc.tx.Now, c.Complexity.ReviewWorkingDays())
		c.ReviewDue = due.UTC()
		if current.Automated {
			// The fast track decided: the review is by a person, and no
			// rule-based decider stands in their way.
			c.DecidedBy = "system"
		}
		cc.audit = "claim_dispute"
		kind := "申请复核"
		if humanReview {
			kind = "申请人工复核自动决定"
		}
		if err := cc.event(ctx, anxin.EventMessageIn, kind+"："+reason, map[string]any{"dispute": d.ID, "decision": current.ID}); err != nil {
			return err
		}
		if !cc.t.Stage.Open() && anxin.CanMove(cc.t.Stage, anxin.StageReopened) {
			if err := s.move(ctx, cc.change, anxin.StageReopened, kind+"："+reason); err != nil {
				return err
			}
		}
		cc.t.ResolutionDue, cc.t.Provisional = c.ReviewDue, cc.t.Provisional || prov
		cc.retime = true
		return nil
	})
}

// PaymentArgs sends one payment instruction.
type PaymentArgs struct {
	PaymentID string `json:"payment_id"`
}

func (PaymentArgs) Kind() string { return "claim_payment" }

func (PaymentArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePayments, MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SendPayment sends one instruction through the gateway and records the
// result. The instruction's id is the gateway's idempotency key: a retry
// after a crash, or a second node, gets the gateway's first answer, never
// a second payment. A permanent refusal (a closed account) stops the
// retries and tells the claim's owner.
func (s *Service) SendPayment(ctx context.Context, paymentID string) error {
	if s.Payments == nil {
		return fmt.Errorf("no payment gateway configured")
	}
	p, err := s.paymentByID(ctx, paymentID)
	if err != nil {
		if anxin.ErrorCode(err) == anxin.ENotFound {
			return nil
		}
		return err
	}
	if p.Status != anxin.PaymentInstructed {
		return nil
	}
	c, err := s.DB.GetClaim(ctx, nil, p.ClaimID)
	if err != nil {
		return err
	}
	res, payErr := s.Payments.Pay(ctx, payment.Instruction{ID: p.ID, ClaimNumber: c.Number, PayeeName: p.PayeeName, BankName: p.BankName,
		Account: p.Account, Amount: p.Amount, Memo: "理赔款 " + c.Number, CreatedAt: p.CreatedAt})
	permanent := payErr != nil && payment.IsPermanent(payErr)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := tx.PaymentForUpdate(ctx, paymentID)
		if err != nil {
			return err
		}
		if p.Status != anxin.PaymentInstructed {
			return nil
		}
		p.Attempts++
		switch {
		case payErr == nil:
			p.Status, p.Reference, p.PaidAt, p.Error = anxin.PaymentPaid, res.Reference, tx.Now, ""
		case permanent:
			p.Status, p.Error = anxin.PaymentFailed, payErr.Error()
		default:
			p.Error = payErr.Error()
		}
		if err := tx.SavePayment(ctx, p); err != nil {
			return err
		}
		if payErr != nil && !permanent {
			return nil
		}
		return s.paymentSettled(ctx, tx, p)
	})
	if err != nil {
		return err
	}
	if payErr != nil && !permanent {
		return payErr // River retries with back-off
	}
	return nil
}

func (s *Service) paymentByID(ctx context.Context, id string) (*anxin.ClaimPayment, error) {
	var p *anxin.ClaimPayment
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.PaymentForUpdate(ctx, id)
		return err
	})
	return p, err
}

// paymentSettled records a paid or failed instruction on the claim: paid
// in full closes it (unless the rest of an advance is still open); a
// failure goes to the claim's owner.
func (s *Service) paymentSettled(ctx context.Context, tx *store.Tx, p *anxin.ClaimPayment) error {
	c, err := lockClaim(ctx, tx, p.ClaimID)
	if err != nil {
		return err
	}
	t, _, err := tx.TicketForUpdate(ctx, c.TicketID)
	if err != nil {
		return err
	}
	event := func(body string, data map[string]any) error {
		return tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventNote,
			ActorKind: "system", ActorName: "system", Body: body, Data: data})
	}
	if p.Status == anxin.PaymentFailed {
		recipient := t.OwnerID
		if recipient == "" {
			if team, err := s.DB.Team(ctx, tx, t.Team); err == nil {
				recipient = team.SupervisorID
			}
		}
		if recipient != "" {
			if err := tx.AddStaffNotification(ctx, &store.StaffNotification{StaffID: recipient, TicketID: t.ID, Kind: "payment_failed",
				Message: fmt.Sprintf("理赔案件 %s 的付款被银行拒绝：%s", c.Number, p.Error), MessageEN: fmt.Sprintf("Claim %s: payment refused: %s", c.Number, p.Error)}); err != nil {
				return err
			}
		}
		return event("付款失败："+p.Error, map[string]any{"payment": p.ID})
	}
	if err := event(fmt.Sprintf("已付款 %s（银行流水 %s）", p.Amount, p.Reference), map[string]any{"payment": p.ID, "reference": p.Reference}); err != nil {
		return err
	}
	ps, err := s.DB.ClaimPayments(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, o := range ps {
		replaced := o.Status == anxin.PaymentFailed && slices.ContainsFunc(ps, func(n anxin.ClaimPayment) bool {
			return n.DecisionID == o.DecisionID && n.Position > o.Position
		})
		if o.Status != anxin.PaymentPaid && !replaced {
			return nil
		}
	}
	if err := tx.MeetClaimDeadline(ctx, c.ID, DeadlinePayment); err != nil {
		return err
	}
	if c.Stage != anxin.ClaimPaying {
		return nil // an advance: the claim is still in review
	}
	if err := s.closeClaim(ctx, tx, c, t); err != nil {
		return err
	}
	if err := tx.SaveClaim(ctx, c); err != nil {
		return err
	}
	// The ticket is resolved with the result, which asks the customer for
	// their satisfaction.
	cfg, err := s.config.current(ctx)
	if err != nil {
		return err
	}
	cal, err := s.Calendar.Current(ctx)
	if err != nil {
		return err
	}
	system := anxin.Actor{Kind: "system", ID: "system", Name: "system", Role: anxin.RoleAdmin, Channel: "job"}
	_, err = s.changeTicketTx(ctx, tx, cfg, cal, system, t.ID, 0, func(ch *change) error {
		if !ch.t.Stage.Open() {
			return nil
		}
		return s.move(ctx, ch, anxin.StageResolved, fmt.Sprintf("理赔案件 %s 已结案，赔款 %s 已支付至尾号 %s 的账户。", c.Number, c.Paid, last4(p.Account)))
	})
	return err
}

// ClaimDeadlineArgs wakes one statutory clock of a claim.
type ClaimDeadlineArgs struct {
	ClaimID  string `json:"claim_id"`
	Deadline string `json:"deadline"`
	At       int64  `json:"at"`
}

func (ClaimDeadlineArgs) Kind() string { return "claim_deadline" }

func (ClaimDeadlineArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSLA, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

func (s *Service) scheduleClaimDeadline(ctx context.Context, tx *store.Tx, claimID, kind string, at time.Time) error {
	return s.insertJob(ctx, tx, ClaimDeadlineArgs{ClaimID: claimID, Deadline: kind, At: at.UnixMilli()}, &river.InsertOpts{ScheduledAt: at})
}

var deadlineNames = map[string][2]string{
	DeadlineStatutory: {"30 日内作出核定（保险法第二十三条）", "decision within 30 days (Insurance Law art. 23)"},
	DeadlinePayment:   {"达成协议后 10 日内支付（保险法第二十三条）", "payment within 10 days of agreement (art. 23)"},
	DeadlineRejection: {"拒赔后 3 日内书面通知（保险法第二十四条）", "written rejection within 3 days (art. 24)"},
	DeadlineAdvance:   {"60 日先行赔付（保险法第二十五条）", "advance payment at 60 days (art. 25)"},
	DeadlineFollowUp:  {"结案后 3 日内回访", "follow-up call within 3 days of closing"},
}

// ProcessClaimDeadline warns the claim's owner as a statutory deadline
// nears and escalates to the supervisor when it passes; each once, however
// many nodes run the job.
func (s *Service) ProcessClaimDeadline(ctx context.Context, claimID, kind string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		ds, err := s.DB.ClaimDeadlines(ctx, tx, claimID)
		if err != nil {
			return err
		}
		var d *store.ClaimDeadline
		for i := range ds {
			if ds[i].Kind == kind {
				d = &ds[i]
			}
		}
		if d == nil || !d.DoneAt.IsZero() {
			return nil
		}
		// A second's tolerance: a job woken a hair before its instant by a
		// clock that differs from the database's must not schedule itself
		// again with the same arguments, which its own uniqueness would
		// drop while it runs.
		now := tx.Now.Add(time.Second)
		breach := !now.Before(d.Due)
		if !breach && now.Before(d.WarnAt) {
			return s.scheduleClaimDeadline(ctx, tx, claimID, kind, d.WarnAt)
		}
		ok, err := tx.MarkClaimDeadline(ctx, claimID, kind, breach)
		if err != nil {
			return err
		}
		if !breach {
			if err := s.scheduleClaimDeadline(ctx, tx, claimID, kind, d.Due); err != nil {
				return err
			}
		}
		if !ok {
			return nil
		}
		c, err := s.DB.GetClaim(ctx, tx, claimID)
		if err != nil {
			return err
		}
		t, err := s.DB.GetTicket(ctx, tx, c.TicketID)
		if err != nil {
			return err
		}
		loc := s.Calendar.Location()
		names := deadlineNames[kind]
		msg := fmt.Sprintf("理赔案件 %s：%s 将于 %s 到期", c.Number, names[0], d.Due.In(loc).Format("2006-01-02 15:04"))
		msgEN := fmt.Sprintf("Claim %s: %s is due %s", c.Number, names[1], d.Due.In(loc).Format("2006-01-02 15:04"))
		evKind := anxin.EventSLAWarning
		if breach {
			msg = fmt.Sprintf("理赔案件 %s 已超过法定时限：%s", c.Number, names[0])
			msgEN = fmt.Sprintf("Claim %s missed a statutory deadline: %s", c.Number, names[1])
			evKind = anxin.EventSLABreach
		}
		recipients := []string{}
		if t.OwnerID != "" {
			recipients = append(recipients, t.OwnerID)
		}
		if breach || t.OwnerID == "" {
			if team, err := s.DB.Team(ctx, tx, t.Team); err == nil && team.SupervisorID != "" && team.SupervisorID != t.OwnerID {
				recipients = append(recipients, team.SupervisorID)
			}
		}
		for _, r := range recipients {
			if err := tx.AddStaffNotification(ctx, &store.StaffNotification{StaffID: r, TicketID: t.ID, Kind: "claim_" + kind, Message: msg, MessageEN: msgEN}); err != nil {
				return err
			}
		}
		return tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: evKind,
			ActorKind: "system", ActorName: "system", Body: msg, Data: map[string]any{"claim": c.Number, "deadline": kind}})
	})
}

// SetCustomerRisk marks a customer high-risk for the claims rules, or
// clears the mark; the reason is kept.
func (s *Service) SetCustomerRisk(ctx context.Context, actor anxin.Actor, customerID string, high bool, reason string) error {
	if err := authorize(actor, anxin.PermClaimDecide); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 2 {
		return fieldError("reason", "required", "say why", "请说明原因")
	}
	if _, err := s.DB.CustomerContact(ctx, nil, customerID); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetCustomerRisk(ctx, customerID, high, reason, actor.ID); err != nil {
			return err
		}
		r := AuditFor(actor, "customer", customerID, "risk")
		r.Changes = map[string][2]any{"high_risk": Change(nil, high)}
		return record(ctx, tx, r)
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// AnswerClaimSurvey records the claimant's satisfaction with a closed
// claim — a score of 1–5, NPS 0–10 and a comment — once. The score is also
// the claim ticket's satisfaction, so it counts wherever tickets' do.
func (s *Service) AnswerClaimSurvey(ctx context.Context, actor anxin.Actor, key string, score, nps int, comment string) (*anxin.Claim, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermClaimWrite); err != nil {
			return nil, err
		}
	} else if err := s.OwnClaim(ctx, actor, key); err != nil {
		return nil, err
	}
	var pr anxin.Problems
	if score < 1 || score > 5 {
		pr.Add("score", "range", "must be 1 to 5", "须为 1 到 5 分")
	}
	if nps < 0 || nps > 10 {
		pr.Add("nps", "range", "must be 0 to 10", "须为 0 到 10 分")
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 2000 {
		pr.Add("comment", "too_long", "at most 2,000 characters", "不超过 2000 个字")
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	return s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		if cc.claim.Stage != anxin.ClaimClosed {
			return anxin.Errorz(anxin.EConflict, "the survey opens once the claim is closed", "案件结案后才能评价")
		}
		ok, err := cc.tx.SetClaimSurvey(ctx, cc.claim.ID, anxin.ClaimSurvey{Score: score, NPS: nps, Comment: comment})
		if err != nil {
			return err
		}
		if !ok {
			return anxin.Errorz(anxin.EConflict, "this claim's survey has already been answered", "该案件已评价")
		}
		cc.claim.Survey = &anxin.ClaimSurvey{Score: score, NPS: nps, Comment: comment, At: cc.tx.Now}
		if cc.t.Satisfaction == 0 {
			cc.t.Satisfaction = score
		}
		cc.audit = "claim_survey"
		if err := cc.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: cc.t.ID, CustomerID: cc.t.CustomerID, Kind: anxin.EventSatisfaction,
			ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: comment,
			Data: map[string]any{"score": score, "nps": nps, "claim": cc.claim.Number}}); err != nil {
			return err
		}
		if cc.t.Stage == anxin.StageResolved {
			return s.move(ctx, cc.change, anxin.StageClosed, "")
		}
		return nil
	})
}

// UpdateClaimPayout changes where a claim is paid — the claimant's own
// correction or staff's — and instructs again, to the new account, any
// payment the bank refused. The refused instruction stays in the history.
func (s *Service) UpdateClaimPayout(ctx context.Context, actor anxin.Actor, key string, p anxin.Payout) (*anxin.Claim, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermClaimWrite); err != nil {
			return nil, err
		}
	} else if err := s.OwnClaim(ctx, actor, key); err != nil {
		return nil, err
	}
	probe := anxin.Claim{PolicyID: "x", Type: anxin.ClaimMedical, IncidentDate: anxin.MustDate("2000-01-01"), Description: "x", Payout: p}
	if err := probe.Validate(anxin.MustDate("2000-01-01")); err != nil {
		return nil, err
	}
	p = probe.Payout
	var pr anxin.Problems
	if p.PayeeName == "" {
		pr.Required("payout.payee_name")
	}
	if p.Account == "" {
		pr.Required("payout.account")
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	return s.changeClaim(ctx, actor, key, 0, func(cc *claimChange) error {
		c := cc.claim
		payments, err := s.DB.ClaimPayments(ctx, cc.tx, c.ID)
		if err != nil {
			return err
		}
		var failed []anxin.ClaimPayment
		for _, pay := range payments {
			if pay.Status == anxin.PaymentFailed && !slices.ContainsFunc(payments, func(o anxin.ClaimPayment) bool {
				return o.DecisionID == pay.DecisionID && o.Position > pay.Position
			}) {
				failed = append(failed, pay)
			}
		}
		if c.Stage == anxin.ClaimClosed && len(failed) == 0 {
			return anxin.Errorz(anxin.EConflict, "the claim is closed and nothing is waiting to be paid", "案件已结案，没有待支付的款项")
		}
		c.Payout = p
		if err := cc.tx.SetChecklistItem(ctx, cc.t.ID, anxin.BankAccountItem.Code, anxin.ItemReceived, ""); err != nil && anxin.ErrorCode(err) != anxin.ENotFound {
			return err
		}
		cc.audit = "claim_payout"
		if err := cc.event(ctx, anxin.EventNote, "收款账户变更为尾号 "+last4(p.Account), nil); err != nil {
			return err
		}
		for _, f := range failed {
			added, err := cc.tx.AddClaimPayments(ctx, []anxin.ClaimPayment{{ClaimID: c.ID, DecisionID: f.DecisionID, Position: f.Position + 1,
				PayeeName: p.PayeeName, BankName: p.BankName, Account: p.Account, Amount: f.Amount}})
			if err != nil {
				return err
			}
			for _, a := range added {
				if err := s.insertJob(ctx, cc.tx, PaymentArgs{PaymentID: a.ID}, nil); err != nil {
					return err
				}
			}
		}
		return s.documentsChanged(ctx, cc)
	})
}
