package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/rules"
	"github.com/anxin-insure/anxin/store"
)

// ClaimReport is a claim as reported from any channel: the claim's fields,
// the documents that came with it, and how the reporter was verified.
type ClaimReport struct {
	Claim        anxin.Claim
	Documents    []ClaimDocument
	Verification anxin.Verification
	Contact      anxin.Contact
	Language     string
	AssignToMe   bool
}

// ClaimDocument is one file sent with a report, for a checklist item.
type ClaimDocument struct {
	ItemCode string
	Filename string
	Data     []byte
}

// Claim deadline kinds, beside the ticket's own review SLA.
const (
	DeadlineStatutory = "statutory_decision" // art. 23: decide within 30 days
	DeadlinePayment   = "payment"            // art. 23: pay within 10 days of agreement
	DeadlineRejection = "rejection_notice"   // art. 24: written notice within 3 days
	DeadlineAdvance   = "advance_payment"    // art. 25: at 60 days, pay what can be fixed
	DeadlineFollowUp  = "follow_up"          // the follow-up call within 3 days of closing
)

// claimSLA is the ticket SLA of a claim: acknowledged within a working
// day, reviewed and decided within 3 working days (standard) or 15
// (complex), warned at 80% and a day before, paused while waiting for the
// claimant's documents.
func claimSLA(cx anxin.Complexity) *anxin.SLAPolicy {
	name := map[anxin.Complexity]string{anxin.ClaimStandard: "标准理赔", anxin.ClaimComplex: "复杂理赔"}[cx]
	return &anxin.SLAPolicy{Code: "claim_" + string(cx), Name: name, NameEN: string(cx) + " claim",
		FirstResponse: anxin.SLATarget{WorkingDays: 1}, Resolution: anxin.SLATarget{WorkingDays: cx.ReviewWorkingDays()},
		PauseWhileWaiting: true, WarnAtPercent: []int{80}, WarnBeforeMinutes: []int{24 * 60}}
}

// claimEval is what the rules said about a claim.
type claimEval struct {
	coverage   []anxin.CoverageCheck
	flags      []anxin.RuleResult
	complexity anxin.Complexity
	fastTrack  []anxin.RuleResult
	ftVersion  int
	fastOK     bool
	systemCap  anxin.Fen
}

// evaluateClaim runs the coverage checks, the risk rules, the complexity
// rules and the fast-track rules on a claim. docsComplete and reused are
// the checklist's state and the count of documents seen on other claims.
func (s *Service) evaluateClaim(ctx context.Context, tx *store.Tx, c *anxin.Claim, pol *anxin.Policy, docsComplete bool, reused int) (*claimEval, error) {
	cfg, err := s.claimConfigCurrent(ctx)
	if err != nil {
		return nil, err
	}
	prod, err := s.DB.GetProduct(ctx, tx, pol.ProductCode)
	if err != nil && anxin.ErrorCode(err) != anxin.ENotFound {
		return nil, err
	}
	loc := s.Calendar.Location()
	now := s.Now()
	if tx != nil {
		now = tx.Now
	}
	today := anxin.DateOf(now.In(loc))
	paidBefore := false
	if c.Type.OnceOnly() {
		if paidBefore, err = s.DB.PaidBefore(ctx, tx, pol.ID, c.ID, c.Type); err != nil {
			return nil, err
		}
	}
	ev := &claimEval{coverage: anxin.CheckCoverage(pol, prod, anxin.CoverageFacts{Type: c.Type, IncidentDate: c.IncidentDate, ReportedDate: today, AlreadyPaid: paidBefore})}
	others, err := s.DB.OtherClaimsSince(ctx, tx, c.ClaimantID, c.ID, now.Add(-90*24*time.Hour))
	if err != nil {
		return nil, err
	}
	high, err := s.DB.CustomerHighRisk(ctx, tx, c.ClaimantID)
	if err != nil {
		return nil, err
	}
	cust, err := s.DB.CustomerContact(ctx, tx, c.ClaimantID)
	if err != nil {
		return nil, err
	}
	cov, _ := anxin.ClaimCoverage(pol, c.Type)
	line := ""
	if prod != nil {
		line = string(prod.Line)
	}
	facts := rules.ClaimFacts{
		Claim: rules.ClaimView{Type: string(c.Type), Channel: string(c.Channel), Setting: c.Loss.Setting, Claimed: int64(c.Claimed),
			CoveragePassed: anxin.Covered(ev.coverage), DocumentsComplete: docsComplete, HasPayout: c.HasPayout(), ReusedDocuments: reused,
			DaysSincePolicyStart: pol.EffectiveDate.DaysUntil(c.IncidentDate), DaysSinceIncident: c.IncidentDate.DaysUntil(today),
			OtherClaimsIn90Days: others},
		Customer: rules.ClaimCustomerView{Tier: string(cust.Tier), VIP: cust.VIP, HighRisk: high},
		Policy:   rules.ClaimPolicyView{ProductCode: pol.ProductCode, Line: line, SumInsured: int64(cov.SumInsured)},
	}
	for _, v := range cfg.risk.Evaluate(facts) {
		if v.Passed {
			ev.flags = append(ev.flags, verdict(v))
			facts.Claim.RiskFlags++
		}
	}
	ev.complexity = anxin.ClaimStandard
	for _, v := range cfg.complexity.Evaluate(facts) {
		if v.Passed {
			ev.complexity = anxin.ClaimComplex
		}
	}
	ev.fastOK = len(cfg.fastTrack.Set.Rules) > 0
	for _, v := range cfg.fastTrack.Evaluate(facts) {
		ev.fastTrack = append(ev.fastTrack, verdict(v))
		ev.fastOK = ev.fastOK && v.Passed && v.Err == nil
	}
	ev.ftVersion, ev.systemCap = cfg.fastTrack.Set.Version, anxin.Fen(cfg.fastTrack.Set.SystemLimit)
	return ev, nil
}

func verdict(v rules.Verdict) anxin.RuleResult {
	r := anxin.RuleResult{Code: v.Code, Name: v.Name, NameEN: v.NameEN, Passed: v.Passed}
	if v.Err != nil {
		r.Error = v.Err.Error()
	}
	return r
}

// ReportClaim opens a claim (受理): the coverage checks, the document
// checklist for the claim type, the documents sent with it, the risk
// flags and the standard/complex class, all in the transaction that opens
// the claim's ticket. A claim that passes every fast-track rule is decided,
// approved and given its payment instruction in the same transaction, by
// the system, with no person in between; its explanation is kept.
func (s *Service) ReportClaim(ctx context.Context, actor anxin.Actor, r *ClaimReport) (*anxin.Claim, error) {
	c := &r.Claim
	// What the system sets is never taken from the reporter.
	*c = anxin.Claim{PolicyID: c.PolicyID, ClaimantID: c.ClaimantID, InsuredName: strings.TrimSpace(c.InsuredName), Type: c.Type, Channel: c.Channel,
		IncidentDate: c.IncidentDate, IncidentPlace: c.IncidentPlace, Description: c.Description, Claimed: c.Claimed, Loss: c.Loss, Payout: c.Payout}
	if actor.Kind == "customer" {
		c.ClaimantID = actor.ID
		r.AssignToMe = false
	} else if err := authorize(actor, anxin.PermClaimWrite); err != nil {
		return nil, err
	}
	loc := s.Calendar.Location()
	today := anxin.DateOf(s.Now().In(loc))
	if c.Channel == "" {
		c.Channel = anxin.ChannelAPI
	}
	if err := c.Validate(today); err != nil {
		return nil, err
	}
	pol, err := s.DB.GetPolicy(ctx, nil, c.PolicyID)
	if err != nil {
		if anxin.ErrorCode(err) == anxin.ENotFound {
			return nil, fieldError("policy_id", "unknown", "no such policy", "没有该保单")
		}
		return nil, err
	}
	if c.ClaimantID == "" {
		c.ClaimantID = pol.PolicyholderID
	} else if _, err := s.DB.CustomerContact(ctx, nil, c.ClaimantID); anxin.ErrorCode(err) == anxin.ENotFound {
		return nil, fieldError("claimant_id", "unknown", "no such customer", "没有该客户")
	} else if err != nil {
		return nil, err
	}
	if c.ClaimantID != pol.PolicyholderID && c.ClaimantID != pol.InsuredID {
		if actor.Kind == "customer" {
			return nil, anxin.Errorz(anxin.ENotFound, "policy not found", "未找到该保单")
		}
		// A beneficiary may claim a death benefit; anyone else claims
		// through the policyholder or the insured.
		if c.Type != anxin.ClaimDeath {
			return nil, fieldError("claimant_id", "mismatch", "the claimant must be the policyholder or the insured", "申请人须为投保人或被保险人")
		}
	}
	if c.InsuredName == "" {
		ins, err := s.DB.CustomerContact(ctx, nil, pol.InsuredID)
		if err != nil {
			return nil, err
		}
		c.InsuredName = ins.Name
	}
	cfg, err := s.claimConfig(ctx)
	if err != nil {
		return nil, err
	}
	checklist := anxin.ClaimChecklist(cfg.checklists, c.Type, c.Loss.Setting)
	if c.HasPayout() {
		// The account given with the report is the bank-account item.
		for i := range checklist {
			if checklist[i].Code == anxin.BankAccountItem.Code {
				checklist[i].Status = anxin.ItemReceived
			}
		}
	}
	type stored struct {
		doc  ClaimDocument
		hash string
		ct   string
	}
	var docs []stored
	var hashes []string
	for i, d := range r.Documents {
		f := fmt.Sprintf("documents[%d]", i)
		ct, err := checkDocument(f, d.Filename, d.Data)
		if err != nil {
			return nil, err
		}
		found := false
		for j := range checklist {
			if checklist[j].Code == d.ItemCode {
				checklist[j].Status, found = anxin.ItemReceived, true
			}
		}
		if d.ItemCode != "" && !found {
			return nil, fieldError(f+".item_code", "unknown", "is not on this claim's checklist", "不在该理赔类型的材料清单中")
		}
		sum := sha256.Sum256(d.Data)
		h := hex.EncodeToString(sum[:])
		docs = append(docs, stored{d, h, ct})
		hashes = append(hashes, h)
	}
	complete := true
	for _, it := range checklist {
		complete = complete && it.Status == anxin.ItemReceived
	}
	reused, err := s.DB.HashesOnClaims(ctx, hashes)
	if err != nil {
		return nil, err
	}
	ev, err := s.evaluateClaim(ctx, nil, c, pol, complete, reused)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		if err := s.storeFile(d.hash, d.doc.Data); err != nil {
			return nil, err
		}
	}
	zh, en, _ := c.Type.Info()
	t := &anxin.Ticket{Type: anxin.TypeClaim, Channel: c.Channel, Urgency: anxin.UrgencyNormal, CustomerID: c.ClaimantID, PolicyID: pol.ID,
		Subject: zh + "理赔：" + c.IncidentDate.String(), Description: c.Description, Language: r.Language, Contact: r.Contact, Verification: r.Verification}
	if r.Language == "en" {
		t.Subject = en + " claim: " + c.IncidentDate.String()
	}
	if t.Verification.Method == "" {
		t.Verification = anxin.Verification{Method: "none", Result: "not_verified"}
	}
	c.Coverage, c.RiskFlags, c.Complexity = ev.coverage, ev.flags, ev.complexity
	c.FastTrackCheck, c.FastTrackRules = ev.fastTrack, ev.ftVersion
	c.Stage = anxin.ClaimIntake
	err = s.CreateTicket(ctx, actor, t, CreateOptions{AssignToMe: r.AssignToMe, Checklist: checklist, SLA: claimSLA(ev.complexity),
		Then: func(ctx context.Context, tx *store.Tx, t *anxin.Ticket) error {
			day := tx.Now.In(loc)
			n, err := tx.NextNumber(ctx, "LP"+day.Format("20060102"))
			if err != nil {
				return err
			}
			c.Number, c.TicketID, c.TicketNumber, c.PolicyNumber, c.ProductCode = anxin.ClaimNumber(day, n), t.ID, t.Number, pol.Number, pol.ProductCode
			c.ReviewDue = t.ResolutionDue
			c.StatutoryDue = tx.Now.Add(30 * 24 * time.Hour)
			if complete {
				c.Stage, c.DocumentsAt = anxin.ClaimReview, tx.Now
			}
			if err := tx.CreateClaim(ctx, c); err != nil {
				return err
			}
			for _, d := range docs {
				a := &anxin.Attachment{TicketID: t.ID, SHA256: d.hash, Filename: d.doc.Filename, ContentType: d.ct, Size: int64(len(d.doc.Data)),
					ItemCode: d.doc.ItemCode, UploadedBy: actorLabel(actor)}
				if err := tx.AddAttachment(ctx, a); err != nil {
					return err
				}
			}
			if err := tx.SetClaimDeadline(ctx, c.ID, DeadlineStatutory, c.StatutoryDue, c.StatutoryDue.Add(-5*24*time.Hour)); err != nil {
				return err
			}
			if err := s.scheduleClaimDeadline(ctx, tx, c.ID, DeadlineStatutory, c.StatutoryDue.Add(-5*24*time.Hour)); err != nil {
				return err
			}
			// Art. 25: an amount still open at 60 days means paying the
			// part that can be fixed; warned five days ahead.
			advanceDue := tx.Now.Add(60 * 24 * time.Hour)
			if err := tx.SetClaimDeadline(ctx, c.ID, DeadlineAdvance, advanceDue, advanceDue.Add(-5*24*time.Hour)); err != nil {
				return err
			}
			if err := s.scheduleClaimDeadline(ctx, tx, c.ID, DeadlineAdvance, advanceDue.Add(-5*24*time.Hour)); err != nil {
				return err
			}
			if err := tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventNote,
				ActorKind: "system", ActorName: "system", Body: claimSummary(c),
				Data: map[string]any{"claim": c.Number, "covered": anxin.Covered(c.Coverage), "flags": len(c.RiskFlags), "complexity": c.Complexity, "fast_track": ev.fastOK}}); err != nil {
				return err
			}
			if ev.fastOK {
				return s.fastTrack(ctx, tx, actor, c, pol, t, ev)
			}
			return nil
		}})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkDocument applies the attachment limits to a file sent with a claim.
func checkDocument(field, filename string, data []byte) (string, error) {
	if strings.TrimSpace(filename) == "" || utf8.RuneCountInString(filename) > 200 || !utf8.ValidString(filename) {
		return "", fieldError(field+".filename", "format", "give the file a name (at most 200 characters)", "请提供文件名（不超过 200 个字）")
	}
	if len(data) == 0 {
		return "", fieldError(field+".content", "required", "the file is empty", "文件为空")
	}
	if len(data) > MaxAttachmentBytes {
		return "", fieldError(field+".content", "too_large", "at most 10 MB", "不超过 10 MB")
	}
	ct := http.DetectContentType(data)
	if !slices.Contains(attachmentTypes, ct) {
		return "", fieldError(field+".content", "type", "only JPEG, PNG, GIF, WebP, PDF or plain text files are accepted (this one is "+ct+")", "仅接受 JPEG、PNG、GIF、WebP、PDF 或纯文本文件")
	}
	return ct, nil
}

func claimSummary(c *anxin.Claim) string {
	var b strings.Builder
	fmt.Fprintf(&b, "理赔案件 %s 已受理（%s）。保障核验：", c.Number, map[anxin.Complexity]string{anxin.ClaimStandard: "标准案件", anxin.ClaimComplex: "复杂案件"}[c.Complexity])
	for i, ch := range c.Coverage {
		if i > 0 {
			b.WriteString("；")
		}
		mark := "✓"
		if !ch.Passed {
			mark = "✗"
		}
		b.WriteString(mark + ch.Reason)
	}
	if len(c.RiskFlags) > 0 {
		b.WriteString("。风险提示：")
		for i, f := range c.RiskFlags {
			if i > 0 {
				b.WriteString("、")
			}
			b.WriteString(f.Name)
		}
	}
	return b.String()
}

// fastTrack decides, approves and instructs payment of a claim that passed
// every fast-track rule, as the system, within the system's limit.
func (s *Service) fastTrack(ctx context.Context, tx *store.Tx, actor anxin.Actor, c *anxin.Claim, pol *anxin.Policy, t *anxin.Ticket, ev *claimEval) error {
	calc, err := s.calculate(ctx, tx, c, pol)
	if err != nil {
		return err
	}
	if calc.Payable <= 0 || calc.Payable > ev.systemCap {
		// Nothing to pay, or more than the system may pay alone: a person
		// decides. The explanation says why.
		c.FastTrackCheck = append(c.FastTrackCheck, anxin.RuleResult{Code: "system_limit", Name: fmt.Sprintf("应付金额在系统限额 %s 以内且大于零", ev.systemCap),
			NameEN: fmt.Sprintf("Payable more than zero and within the system limit of %s", ev.systemCap), Passed: false})
		return tx.SaveClaim(ctx, c)
	}
	c.FastTrack = true
	system := anxin.Actor{Kind: "system", ID: "system", Name: "快速理赔", Role: anxin.RoleAdmin, Channel: "fast_track"}
	d := &anxin.ClaimDecision{ClaimID: c.ID, Outcome: anxin.OutcomePay, Calculation: calc, Payable: calc.Payable, Automated: true,
		DecidedBy: "system", DeciderName: "系统自动审核", Status: anxin.DecisionApproved, ApprovedBy: "system", ApproverName: "系统自动审核",
		ApprovedAt: tx.Now, LetterNumber: c.Number}
	return s.recordDecision(ctx, tx, system, c, t, d)
}

// calculate applies the product terms with what earlier claims used.
func (s *Service) calculate(ctx context.Context, tx *store.Tx, c *anxin.Claim, pol *anxin.Policy) (anxin.Calculation, error) {
	var f anxin.PayoutFacts
	var err error
	if c.Type == anxin.ClaimMedical {
		from, to := policyYear(pol.EffectiveDate, c.IncidentDate)
		if f.Usage, err = s.DB.MedicalUsage(ctx, tx, pol.ID, c.ID, from, to); err != nil {
			return anxin.Calculation{}, err
		}
	}
	if c.Type.OnceOnly() {
		if f.AlreadyPaid, err = s.DB.PaidBefore(ctx, tx, pol.ID, c.ID, c.Type); err != nil {
			return anxin.Calculation{}, err
		}
	}
	cfg, err := s.claimConfigCurrent(ctx)
	if err != nil {
		return anxin.Calculation{}, err
	}
	f.Traffic = cfg.trafficAtFault
	if c.Loss.NoFault {
		f.Traffic = cfg.trafficNoFault
	}
	calc, ok := anxin.CalculatePayout(c, pol, f)
	if !ok {
		var none anxin.Calculation
		none.Lines = []anxin.CalcLine{{Label: "保单不包含该理赔类型对应的保障", LabelEN: "The policy has no cover for this kind of claim", Amount: 0}}
		return none, nil
	}
	return calc, nil
}

// policyYear is the policy year [from, to) containing day d.
func policyYear(start, d anxin.Date) (anxin.Date, anxin.Date) {
	from := start
	for years := 1; !from.AddYears(1).After(d) && years < 200; years++ {
		from = start.AddYears(years)
	}
	return from, from.AddYears(1)
}

// deductibleUsed reads from a medical calculation how much deductible it
// took (its second line, negative).
func deductibleUsed(c *anxin.Claim, calc anxin.Calculation) anxin.Fen {
	if c.Type != anxin.ClaimMedical || len(calc.Lines) < 2 {
		return 0
	}
	return -calc.Lines[1].Amount
}
