package anxin

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// A claim (理赔案件) is a ticket of type claim with its own record: the
// ticket carries the owner, the timeline, the document checklist and the
// SLA clock; the claim carries what is insured, what happened, the checks,
// the decisions and the payments.

// TypeClaim is the ticket type of a claim.
const TypeClaim TicketType = "claim"

// ClaimStage is where a claim stands in the seed's four recorded stages
// (受理 → 审核 → 核算与决定 → 支付与回访), with approval split out because
// a payout above the decider's limit waits for a second person.
type ClaimStage string

const (
	ClaimIntake   ClaimStage = "intake"   // 受理: reported, documents being gathered
	ClaimReview   ClaimStage = "review"   // 审核: documents checked, surveys, assessments
	ClaimApproval ClaimStage = "approval" // 核算与决定: decided, waiting for a second approver
	ClaimPaying   ClaimStage = "payment"  // 支付: payment instructions out
	ClaimClosed   ClaimStage = "closed"   // 结案: paid or rejected; follow-up and survey follow
)

// ClaimStages in order.
var ClaimStages = []ClaimStage{ClaimIntake, ClaimReview, ClaimApproval, ClaimPaying, ClaimClosed}

// Name is the stage's Chinese name.
func (s ClaimStage) Name() string {
	return map[ClaimStage]string{ClaimIntake: "受理", ClaimReview: "审核", ClaimApproval: "待审批", ClaimPaying: "支付", ClaimClosed: "结案"}[s]
}

// Complexity decides the review deadline: 3 working days for a standard
// claim, 15 for a complex one (the seed's figures).
type Complexity string

const (
	ClaimStandard Complexity = "standard"
	ClaimComplex  Complexity = "complex"
)

// ReviewWorkingDays is the seed's deadline for a claim of this complexity.
func (c Complexity) ReviewWorkingDays() int {
	if c == ClaimComplex {
		return 15
	}
	return 3
}

// Outcome is what a decision does.
type Outcome string

const (
	OutcomePay     Outcome = "pay"     // 赔付: in full
	OutcomePartial Outcome = "partial" // 部分赔付: with reasons for the part not paid
	OutcomeReject  Outcome = "reject"  // 拒赔: with reasons (art. 24)
	OutcomeAdvance Outcome = "advance" // 先行赔付: the part that can be fixed now (art. 25)
)

// Outcomes lists them for validation.
var Outcomes = []Outcome{OutcomePay, OutcomePartial, OutcomeReject, OutcomeAdvance}

// Name is the outcome's Chinese name.
func (o Outcome) Name() string {
	return map[Outcome]string{OutcomePay: "赔付", OutcomePartial: "部分赔付", OutcomeReject: "拒赔", OutcomeAdvance: "先行赔付"}[o]
}

// Care settings of a medical claim: the fast track takes outpatient ones.
const (
	SettingOutpatient = "outpatient" // 门诊
	SettingInpatient  = "inpatient"  // 住院
)

// Payout is where the money goes.
type Payout struct {
	PayeeName string `json:"payee_name"`
	BankName  string `json:"bank_name"`
	Account   string `json:"account"` // sealed at rest, masked for roles that do not pay
}

// ClaimLoss is what the product terms need to calculate a payout; which
// fields matter depends on the claim type.
type ClaimLoss struct {
	// Medical: the expenses the invoices show, and how much of them is
	// eligible (合理且必要); eligible defaults to the invoiced total.
	Expenses Fen `json:"expenses,omitempty"`
	Eligible Fen `json:"eligible,omitempty"`
	// Setting: outpatient or inpatient (medical).
	Setting string `json:"setting,omitempty"`
	// Months of long-term-care benefit due.
	CareMonths int `json:"care_months,omitempty"`
	// AssessedLoss from the damage assessment (定损), auto claims.
	AssessedLoss Fen `json:"assessed_loss,omitempty"`
	// TrafficLosses of a compulsory traffic insurance claim, and whether
	// the insured driver was at fault (the limits differ).
	TrafficLosses []TrafficLoss `json:"traffic_losses,omitempty"`
	NoFault       bool          `json:"no_fault,omitempty"`
}

// Claim is a claim's own record beside its ticket.
type Claim struct {
	ID            string          `json:"id"`
	Number        string          `json:"number"` // LP + Beijing date + sequence
	TicketID      string          `json:"ticket_id"`
	TicketNumber  string          `json:"ticket_number"`
	PolicyID      string          `json:"policy_id"`
	PolicyNumber  string          `json:"policy_number,omitempty"`
	ProductCode   string          `json:"product_code,omitempty"`
	ClaimantID    string          `json:"claimant_id"` // the customer who claims
	ClaimantName  string          `json:"claimant_name,omitempty"`
	InsuredName   string          `json:"insured_name"`
	Type          ClaimType       `json:"type"`
	Channel       Channel         `json:"channel"`
	IncidentDate  Date            `json:"incident_date"`
	IncidentPlace string          `json:"incident_place"`
	Description   string          `json:"description"` // sealed: may hold health details
	Claimed       Fen             `json:"claimed"`     // 0 when not known
	Loss          ClaimLoss       `json:"loss"`        // sealed with Description
	Payout        Payout          `json:"payout"`
	Stage         ClaimStage      `json:"stage"`
	Complexity    Complexity      `json:"complexity"`
	Coverage      []CoverageCheck `json:"coverage"`
	RiskFlags     []RuleResult    `json:"risk_flags"` // the rules that fired
	FastTrack     bool            `json:"fast_track"`
	// FastTrackCheck is every fast-track rule and its result, kept so the
	// automated decision can be explained (PIPL art. 24).
	FastTrackCheck []RuleResult `json:"fast_track_check,omitempty"`
	FastTrackRules int          `json:"fast_track_rules_version,omitempty"`
	ReviewDue      time.Time    `json:"review_due"`    // 3 or 15 working days
	StatutoryDue   time.Time    `json:"statutory_due"` // 30 days to decide (art. 23)
	DocumentsAt    time.Time    `json:"documents_at,omitzero"`
	DecidedAt      time.Time    `json:"decided_at,omitzero"`
	PaymentDue     time.Time    `json:"payment_due,omitzero"` // 10 days from agreement (art. 23)
	Paid           Fen          `json:"paid"`                 // paid so far on every decision
	ClosedAt       time.Time    `json:"closed_at,omitzero"`
	Disputed       bool         `json:"disputed"`
	// DecidedBy is the staff id of the last decision's maker; a dispute's
	// re-review goes to someone else.
	DecidedBy string `json:"decided_by,omitempty"`
	// Survey is the claimant's answer to the satisfaction survey sent at
	// closing; nil until they answer.
	Survey    *ClaimSurvey `json:"survey,omitempty"`
	Version   int          `json:"version"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// ClaimSurvey is a claimant's satisfaction after closing: a score of 1–5,
// how likely they are to recommend us (NPS, 0–10), and a comment.
type ClaimSurvey struct {
	Score   int       `json:"score"`
	NPS     int       `json:"nps"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// ClaimNumber formats a claim number from the Beijing date and a daily
// sequence.
func ClaimNumber(day time.Time, n int64) string {
	return fmt.Sprintf("LP%s%06d", day.Format("20060102"), n)
}

// Info returns the claim type's names; ok is false for an unknown one.
func (t ClaimType) Info() (zh, en string, ok bool) {
	for _, ct := range ClaimTypes {
		if ct.Type == t {
			return ct.Name, ct.NameEN, true
		}
	}
	return "", "", false
}

// Validate checks what a reporter gives at intake. today is the Beijing
// date: an incident cannot be in the future.
func (c *Claim) Validate(today Date) error {
	var pr Problems
	if c.PolicyID == "" {
		pr.Required("policy_id")
	}
	if _, _, ok := c.Type.Info(); !ok {
		pr.Add("type", "enum", "is not a claim type", "不是有效的理赔类型")
	}
	if c.IncidentDate.IsZero() {
		pr.Required("incident_date")
	} else if today.Before(c.IncidentDate) {
		pr.Add("incident_date", "future", "cannot be in the future", "出险日期不能晚于今天")
	}
	c.IncidentPlace = strings.TrimSpace(c.IncidentPlace)
	if utf8.RuneCountInString(c.IncidentPlace) > 200 {
		pr.Add("incident_place", "too_long", "at most 200 characters", "不超过 200 个字")
	}
	c.Description = strings.TrimSpace(c.Description)
	if c.Description == "" {
		pr.Required("description")
	} else if utf8.RuneCountInString(c.Description) > 5000 {
		pr.Add("description", "too_long", "at most 5,000 characters", "不超过 5000 个字")
	}
	if c.Claimed < 0 {
		pr.Add("claimed", "range", "cannot be negative", "金额不能为负")
	}
	if c.Claimed > 1_000_000_000_00 {
		pr.Add("claimed", "range", "is beyond any sum insured", "超出合理范围")
	}
	if c.Loss.Setting != "" && c.Loss.Setting != SettingOutpatient && c.Loss.Setting != SettingInpatient {
		pr.Add("loss.setting", "enum", "is outpatient or inpatient", "应为门诊或住院")
	}
	if c.Loss.Expenses < 0 || c.Loss.Eligible < 0 || c.Loss.AssessedLoss < 0 || c.Loss.CareMonths < 0 || c.Loss.CareMonths > 600 {
		pr.Add("loss", "range", "amounts and months cannot be negative", "金额和月数不能为负")
	}
	if c.Loss.Eligible > c.Loss.Expenses && c.Loss.Expenses > 0 {
		pr.Add("loss.eligible", "range", "cannot exceed the expenses", "合理费用不能超过发生费用")
	}
	for i, l := range c.Loss.TrafficLosses {
		if l.DeathDisability < 0 || l.Medical < 0 || l.Property < 0 {
			pr.Add(fmt.Sprintf("loss.traffic_losses[%d].amount", i), "range", "cannot be negative", "金额不能为负")
		}
	}
	c.Payout.PayeeName = strings.TrimSpace(c.Payout.PayeeName)
	c.Payout.BankName = strings.TrimSpace(c.Payout.BankName)
	c.Payout.Account = strings.ReplaceAll(strings.TrimSpace(c.Payout.Account), " ", "")
	if c.Payout.Account != "" && !digits(c.Payout.Account, 8, 30) {
		pr.Add("payout.account", "format", "is 8 to 30 digits", "应为 8 至 30 位数字")
	}
	if utf8.RuneCountInString(c.Payout.PayeeName) > 100 || utf8.RuneCountInString(c.Payout.BankName) > 100 {
		pr.Add("payout", "too_long", "names are at most 100 characters", "名称不超过 100 个字")
	}
	return pr.Err()
}

func digits(s string, fewest, most int) bool {
	if len(s) < fewest || len(s) > most {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// HasPayout reports whether the claim says where to pay.
func (c *Claim) HasPayout() bool {
	return c.Payout.PayeeName != "" && c.Payout.Account != ""
}

// RuleResult is one rule's verdict on a claim, kept for the explanation.
type RuleResult struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"` // kept with the result: a rule renamed later does not rewrite old explanations
	Passed bool   `json:"passed"`
	// Error: the rule could not be evaluated; it counts as not passed.
	Error string `json:"error,omitempty"`
}

// ClaimDecision is one decision on a claim. A re-review after a dispute
// adds a new decision; the earlier one stays, superseded.
type ClaimDecision struct {
	ID          string      `json:"id"`
	ClaimID     string      `json:"claim_id"`
	Seq         int         `json:"seq"`
	Outcome     Outcome     `json:"outcome"`
	Calculation Calculation `json:"calculation"`
	Payable     Fen         `json:"payable"` // what this decision pays in total
	Reasons     []string    `json:"reasons,omitempty"`
	Automated   bool        `json:"automated"`
	Review      bool        `json:"review"` // a re-review (复核) after a dispute
	DecidedBy   string      `json:"decided_by"`
	DeciderName string      `json:"decider_name"`
	DecidedAt   time.Time   `json:"decided_at"`
	// Status: pending (waiting for a second approver), approved, returned
	// (sent back to review), superseded (by a re-review).
	Status       string    `json:"status"`
	NeedsRole    Role      `json:"needs_role,omitempty"` // the lowest role whose limit covers the amount
	ApprovedBy   string    `json:"approved_by,omitempty"`
	ApproverName string    `json:"approver_name,omitempty"`
	ApprovedAt   time.Time `json:"approved_at,omitzero"`
	LetterNumber string    `json:"letter_number"`
}

// Decision statuses.
const (
	DecisionPending    = "pending"
	DecisionApproved   = "approved"
	DecisionReturned   = "returned"
	DecisionSuperseded = "superseded"
)

// ClaimTask is a survey (查勘), an investigation or an assessment assigned
// to someone with a due date and a report.
type ClaimTask struct {
	ID           string    `json:"id"`
	ClaimID      string    `json:"claim_id"`
	Kind         string    `json:"kind"`
	AssigneeID   string    `json:"assignee_id"`
	AssigneeName string    `json:"assignee_name,omitempty"`
	Instructions string    `json:"instructions"`
	Due          time.Time `json:"due"`
	Status       string    `json:"status"` // open, done
	Report       string    `json:"report,omitempty"`
	Conclusion   string    `json:"conclusion,omitempty"` // confirmed, doubtful, not_covered
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	DoneAt       time.Time `json:"done_at,omitzero"`
}

// Task kinds.
var ClaimTaskKinds = []struct{ Code, Name, NameEN string }{
	{"survey", "现场查勘", "On-site survey"},
	{"investigation", "调查", "Investigation"},
	{"medical_assessment", "医疗审核", "Medical assessment"},
	{"technical_assessment", "技术鉴定", "Technical assessment"},
	{"third_party_assessment", "第三方公估", "Third-party assessor"},
}

// Task conclusions.
var ClaimTaskConclusions = []string{"confirmed", "doubtful", "not_covered"}

// ClaimPayment is one payment instruction: one per payee of an approved
// amount, created once, sent until the gateway confirms.
type ClaimPayment struct {
	ID         string    `json:"id"`
	ClaimID    string    `json:"claim_id"`
	DecisionID string    `json:"decision_id"`
	Position   int       `json:"position"`
	PayeeName  string    `json:"payee_name"`
	BankName   string    `json:"bank_name"`
	Account    string    `json:"account"`
	Amount     Fen       `json:"amount"`
	Status     string    `json:"status"` // instructed, paid, failed
	Reference  string    `json:"reference,omitempty"`
	Error      string    `json:"error,omitempty"`
	Attempts   int       `json:"attempts"`
	CreatedAt  time.Time `json:"created_at"`
	PaidAt     time.Time `json:"paid_at,omitzero"`
}

// Payment statuses.
const (
	PaymentInstructed = "instructed"
	PaymentPaid       = "paid"
	PaymentFailed     = "failed"
)

// ClaimDispute is a claimant's objection to a decision; a person other than
// the decider re-reviews it (复核).
type ClaimDispute struct {
	ID           string    `json:"id"`
	ClaimID      string    `json:"claim_id"`
	DecisionID   string    `json:"decision_id"`
	Reason       string    `json:"reason"`
	RaisedBy     string    `json:"raised_by"`
	RaisedAt     time.Time `json:"raised_at"`
	HumanReview  bool      `json:"human_review"` // asks a person to review an automated decision (PIPL art. 24)
	Status       string    `json:"status"`       // open, decided
	ResolvedByID string    `json:"resolved_by_decision,omitempty"`
}

// ApprovalLimit is how much a role may approve alone; 0 means no limit.
type ApprovalLimit struct {
	Role  Role `json:"role"`
	Limit Fen  `json:"limit"`
}

// DefaultApprovalLimits are the shipped defaults: a claims specialist up to
// ¥10,000, a supervisor up to ¥100,000, a director above.
var DefaultApprovalLimits = []ApprovalLimit{
	{RoleClaims, 10_000_00},
	{RoleSupervisor, 100_000_00},
	{RoleDirector, 0},
	{RoleGeneralManager, 0},
}

// LimitOf is a role's limit; ok is false when the role may not approve.
func LimitOf(limits []ApprovalLimit, r Role) (limit Fen, unlimited, ok bool) {
	for _, l := range limits {
		if l.Role == r {
			return l.Limit, l.Limit == 0, true
		}
	}
	return 0, false, false
}

// Covers reports whether a role may approve amount alone.
func Covers(limits []ApprovalLimit, r Role, amount Fen) bool {
	limit, unlimited, ok := LimitOf(limits, r)
	return ok && (unlimited || amount <= limit)
}

// LowestRoleFor names the role with the smallest limit that covers amount,
// for the approval queue.
func LowestRoleFor(limits []ApprovalLimit, amount Fen) Role {
	var best Role
	var bestLimit Fen = -1
	for _, l := range limits {
		if l.Limit != 0 && amount > l.Limit {
			continue
		}
		if bestLimit == -1 || (l.Limit != 0 && (bestLimit == 0 || l.Limit < bestLimit)) {
			best, bestLimit = l.Role, l.Limit
		}
	}
	return best
}

// ValidateApprovalLimits checks a limits document.
func ValidateApprovalLimits(ls []ApprovalLimit) error {
	var pr Problems
	seen := map[Role]bool{}
	unlimited := false
	for i, l := range ls {
		f := fmt.Sprintf("limits[%d]", i)
		if _, ok := rolePermissions[l.Role]; !ok {
			pr.Add(f+".role", "enum", "is not a role", "不是有效的角色")
		}
		if seen[l.Role] {
			pr.Add(f+".role", "duplicate", "appears twice", "重复")
		}
		seen[l.Role] = true
		if l.Limit < 0 {
			pr.Add(f+".limit", "range", "cannot be negative (0 means no limit)", "不能为负（0 表示不设上限）")
		}
		if l.Limit == 0 {
			unlimited = true
		}
	}
	if len(ls) > 0 && !unlimited {
		pr.Add("limits", "no_top", "some role must approve any amount (limit 0)", "须有一个角色可审批任意金额（限额为 0）")
	}
	if len(ls) == 0 {
		pr.Required("limits")
	}
	return pr.Err()
}

// DefaultClaimChecklists are the documents each claim type needs, from
// the list; every payout also needs the bank account.
var DefaultClaimChecklists = map[ClaimType][]ChecklistItem{
	ClaimMedical: {
		{Code: "invoices", Name: "医疗费用发票", NameEN: "Medical invoices"},
		{Code: "expense_list", Name: "费用清单", NameEN: "Itemised expense list"},
		{Code: "diagnosis", Name: "诊断证明", NameEN: "Diagnosis certificate"},
		{Code: "discharge_summary", Name: "出院小结（住院时）", NameEN: "Discharge summary (inpatient)"},
	},
	ClaimCriticalIllness: {
		{Code: "diagnosis_report", Name: "病理或确诊报告", NameEN: "Pathology or diagnosis report"},
		{Code: "medical_records", Name: "病历资料", NameEN: "Medical records"},
	},
	ClaimLongTermCare: {
		{Code: "disability_assessment", Name: "失能鉴定报告", NameEN: "Disability assessment"},
		{Code: "medical_records", Name: "病历资料", NameEN: "Medical records"},
	},
	ClaimDeath: {
		{Code: "death_certificate", Name: "死亡证明", NameEN: "Death certificate"},
		{Code: "beneficiary_ids", Name: "受益人身份证明", NameEN: "Beneficiaries' ID documents"},
		{Code: "relationship_proof", Name: "关系证明", NameEN: "Proof of relationship"},
	},
	ClaimVehicleDamage: {
		{Code: "accident_determination", Name: "事故认定书", NameEN: "Accident determination"},
		{Code: "damage_assessment", Name: "定损单或维修发票", NameEN: "Damage assessment or repair invoice"},
		{Code: "licences", Name: "行驶证和驾驶证", NameEN: "Vehicle and driving licences"},
	},
	ClaimThirdParty: {
		{Code: "accident_determination", Name: "事故认定书", NameEN: "Accident determination"},
		{Code: "damage_assessment", Name: "定损单或维修发票", NameEN: "Damage assessment or repair invoice"},
		{Code: "licences", Name: "行驶证和驾驶证", NameEN: "Vehicle and driving licences"},
		{Code: "settlement", Name: "赔偿协议或调解书", NameEN: "Settlement or mediation agreement"},
	},
	ClaimTheft: {
		{Code: "police_report", Name: "公安立案证明", NameEN: "Police report"},
		{Code: "licences", Name: "行驶证和驾驶证", NameEN: "Vehicle and driving licences"},
		{Code: "keys", Name: "车辆钥匙交回", NameEN: "Vehicle keys handed over"},
	},
	ClaimGlass: {
		{Code: "damage_photos", Name: "损坏照片", NameEN: "Photos of the damage"},
		{Code: "repair_invoice", Name: "维修发票", NameEN: "Repair invoice"},
	},
	ClaimSelfIgnition: {
		{Code: "fire_report", Name: "消防部门证明", NameEN: "Fire department report"},
		{Code: "damage_assessment", Name: "定损单或维修发票", NameEN: "Damage assessment or repair invoice"},
		{Code: "licences", Name: "行驶证和驾驶证", NameEN: "Vehicle and driving licences"},
	},
	ClaimCompulsoryTraffic: {
		{Code: "accident_determination", Name: "事故认定书", NameEN: "Accident determination"},
		{Code: "loss_proof", Name: "损失证明（医疗发票、定损单等）", NameEN: "Proof of loss (medical invoices, damage assessment)"},
		{Code: "licences", Name: "行驶证和驾驶证", NameEN: "Vehicle and driving licences"},
	},
}

// BankAccountItem is on every claim's checklist: nothing is paid without it.
var BankAccountItem = ChecklistItem{Code: "bank_account", Name: "收款银行账户", NameEN: "Bank account for the payout"}

// ClaimChecklist is the list for a claim: the type's documents, minus the
// discharge summary for an outpatient medical claim, plus the bank account.
func ClaimChecklist(lists map[ClaimType][]ChecklistItem, t ClaimType, setting string) []ChecklistItem {
	var out []ChecklistItem
	for _, it := range lists[t] {
		if it.Code == "discharge_summary" && setting == SettingOutpatient {
			continue
		}
		it.Status = ItemMissing
		out = append(out, it)
	}
	b := BankAccountItem
	b.Status = ItemMissing
	return append(out, b)
}

// PayoutFacts are what a payout depends on beyond the claim and policy.
type PayoutFacts struct {
	Usage       MedicalUsage // medical: used this policy year by earlier claims
	AlreadyPaid bool         // a once-only benefit was paid before
	Traffic     TrafficLimits
}

// CalculatePayout applies the product terms for the claim's type. ok is
// false when the policy has no coverage for it.
func CalculatePayout(c *Claim, p *Policy, f PayoutFacts) (Calculation, bool) {
	cov, ok := ClaimCoverage(p, c.Type)
	if !ok {
		return Calculation{}, false
	}
	switch c.Type {
	case ClaimMedical:
		eligible := c.Loss.Eligible
		if eligible == 0 {
			eligible = c.Loss.Expenses
		}
		if eligible == 0 {
			eligible = c.Claimed
		}
		return CalcMedical(cov, eligible, f.Usage), true
	case ClaimCriticalIllness:
		return CalcCriticalIllness(cov, f.AlreadyPaid), true
	case ClaimLongTermCare:
		return CalcLongTermCare(cov, max(1, c.Loss.CareMonths)), true
	case ClaimDeath:
		if f.AlreadyPaid {
			var calc Calculation
			calc.line("身故保险金此前已给付", "The death benefit was already paid", 0)
			return calc, true
		}
		bens := p.Beneficiaries
		if p.StatutoryHeirs {
			bens = nil
		}
		return CalcDeath(cov, bens), true
	case ClaimCompulsoryTraffic:
		return CalcCompulsoryTraffic(f.Traffic, c.Loss.TrafficLosses), true
	default: // vehicle damage, third party, theft, glass, self-ignition
		loss := c.Loss.AssessedLoss
		if loss == 0 {
			loss = c.Claimed
		}
		return CalcAuto(cov, loss), true
	}
}
