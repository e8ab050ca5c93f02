package rules

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// ClaimFacts is what claim rules see: risk flags, the standard/complex
// classification and the fast track all read the same facts. Amounts are
// in fen; yuan(n) converts, so a rule reads claim.claimed <= yuan(2000).
type ClaimFacts struct {
	Claim    ClaimView         `expr:"claim"`
	Customer ClaimCustomerView `expr:"customer"`
	Policy   ClaimPolicyView   `expr:"policy"`
}

// ClaimView is the claim as rules see it.
type ClaimView struct {
	Type    string `expr:"type"`
	Channel string `expr:"channel"`
	Setting string `expr:"setting"` // outpatient, inpatient, "" when not medical
	Claimed int64  `expr:"claimed"` // fen
	// CoveragePassed: every intake check passed (in force, covered,
	// waiting period over, in time, not paid before).
	CoveragePassed    bool `expr:"coverage_passed"`
	DocumentsComplete bool `expr:"documents_complete"`
	HasPayout         bool `expr:"has_payout"`
	// ReusedDocuments counts documents whose content was also sent for
	// another claim.
	ReusedDocuments       int `expr:"reused_documents"`
	DaysSincePolicyStart  int `expr:"days_since_policy_start"`
	DaysSinceIncident     int `expr:"days_since_incident"`
	OtherClaimsIn90Days   int `expr:"other_claims_in_90_days"`
	RiskFlags             int `expr:"risk_flags"`
	WaitingPeriodDaysLeft int `expr:"waiting_period_days_left"`
}

// ClaimCustomerView is the claimant as rules see them.
type ClaimCustomerView struct {
	Tier     string `expr:"tier"`
	VIP      bool   `expr:"vip"`
	HighRisk bool   `expr:"high_risk"`
}

// ClaimPolicyView is the policy as rules see it.
type ClaimPolicyView struct {
	ProductCode string `expr:"product_code"`
	Line        string `expr:"line"`
	SumInsured  int64  `expr:"sum_insured"` // of the coverage claimed on, fen
}

// ClaimRule is one named condition.
type ClaimRule struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	When   string `json:"when"`
	Active bool   `json:"active"`
}

// ClaimRuleSet is a versioned list of rules: risk flags, complexity or
// the fast track. Decisions record the version they were made under.
type ClaimRuleSet struct {
	Version int         `json:"version"`
	Rules   []ClaimRule `json:"rules"`
	// SystemLimit bounds what the fast track pays without a person (fen);
	// used by the fast-track set only.
	SystemLimit int64 `json:"system_limit,omitempty"`
}

// Verdict is one rule's result.
type Verdict struct {
	Code   string
	Name   string
	NameEN string
	Passed bool
	Err    error
}

var yuanFn = expr.Function("yuan", func(params ...any) (any, error) {
	switch v := params[0].(type) {
	case int:
		return int64(v) * 100, nil
	case int64:
		return v * 100, nil
	case float64:
		return int64(v*100 + 0.5), nil
	}
	return nil, fmt.Errorf("yuan takes a number")
}, new(func(int) int64), new(func(float64) int64))

// CompileClaimRule checks one expression against ClaimFacts: it must be
// boolean.
func CompileClaimRule(when string) (*vm.Program, error) {
	if strings.TrimSpace(when) == "" {
		return nil, fmt.Errorf("the condition is empty")
	}
	if len(when) > 2000 {
		return nil, fmt.Errorf("the condition is longer than 2000 characters")
	}
	return expr.Compile(when, expr.Env(ClaimFacts{}), yuanFn, expr.AsBool())
}

// ClaimRules is a compiled rule set, safe to share between goroutines.
type ClaimRules struct {
	Set      ClaimRuleSet
	programs []*vm.Program
	active   []ClaimRule
}

// NewClaimRules compiles the active rules of a set; the first failure is
// a *CompileError naming the rule.
func NewClaimRules(set ClaimRuleSet) (*ClaimRules, error) {
	cr := &ClaimRules{Set: set}
	seen := map[string]bool{}
	for i, r := range set.Rules {
		if r.Code == "" || seen[r.Code] {
			return nil, &CompileError{Index: i, Code: r.Code, Err: fmt.Errorf("each rule needs a code of its own")}
		}
		seen[r.Code] = true
		if !r.Active {
			continue
		}
		p, err := CompileClaimRule(r.When)
		if err != nil {
			return nil, &CompileError{Index: i, Code: r.Code, Err: err}
		}
		cr.programs = append(cr.programs, p)
		cr.active = append(cr.active, r)
	}
	return cr, nil
}

// Evaluate runs every active rule; a rule that fails to run is reported
// as not passed, with its error.
func (cr *ClaimRules) Evaluate(f ClaimFacts) []Verdict {
	out := make([]Verdict, len(cr.programs))
	for i, p := range cr.programs {
		v := Verdict{Code: cr.active[i].Code, Name: cr.active[i].Name, NameEN: cr.active[i].NameEN}
		res, err := expr.Run(p, f)
		if err != nil {
			v.Err = err
		} else {
			v.Passed, _ = res.(bool)
		}
		out[i] = v
	}
	return out
}

// DefaultRiskRules raise the flags the issue names; a flagged claim always
// goes to a person.
var DefaultRiskRules = ClaimRuleSet{Version: 1, Rules: []ClaimRule{
	{Code: "early_claim", Name: "保单生效后 90 天内出险", NameEN: "Incident within 90 days of the policy starting", When: "claim.days_since_policy_start < 90", Active: true},
	{Code: "frequent_claims", Name: "90 天内多次理赔", NameEN: "Several claims within 90 days", When: "claim.other_claims_in_90_days >= 2", Active: true},
	{Code: "high_risk_customer", Name: "高风险客户", NameEN: "High-risk customer", When: "customer.high_risk", Active: true},
	{Code: "just_under_limit", Name: "金额略低于审批或快赔限额", NameEN: "Amount just under an approval or fast-track limit",
		When: "(claim.claimed >= yuan(1900) && claim.claimed <= yuan(2000)) || (claim.claimed >= yuan(9500) && claim.claimed <= yuan(10000)) || (claim.claimed >= yuan(95000) && claim.claimed <= yuan(100000))", Active: true},
	{Code: "reused_documents", Name: "材料与其他案件重复", NameEN: "Documents reused from another claim", When: "claim.reused_documents > 0", Active: true},
}}

// DefaultComplexityRules make a claim complex (15 working days instead of
// 3) when any holds.
var DefaultComplexityRules = ClaimRuleSet{Version: 1, Rules: []ClaimRule{
	{Code: "serious_type", Name: "身故、盗抢、失能或第三者责任案件", NameEN: "Death, theft, disability or third-party liability", When: `claim.type in ["death", "theft", "long_term_care", "third_party"]`, Active: true},
	{Code: "large_amount", Name: "索赔金额超过 5 万元", NameEN: "Claimed over ¥50,000", When: "claim.claimed > yuan(50000)", Active: true},
	{Code: "risk_flagged", Name: "存在风险提示", NameEN: "A risk flag was raised", When: "claim.risk_flags > 0", Active: true},
}}

// DefaultFastTrack is what a standard small claim is: every rule must pass
// for the system to decide and pay without a person.
var DefaultFastTrack = ClaimRuleSet{Version: 1, SystemLimit: 2000_00, Rules: []ClaimRule{
	{Code: "outpatient_medical", Name: "门诊医疗费用", NameEN: "Outpatient medical expenses", When: `claim.type == "medical_expense" && claim.setting == "outpatient"`, Active: true},
	{Code: "small_amount", Name: "索赔金额不超过 2,000 元", NameEN: "Claimed ¥2,000 or less", When: "claim.claimed > 0 && claim.claimed <= yuan(2000)", Active: true},
	{Code: "documents_complete", Name: "材料齐全", NameEN: "Every document present", When: "claim.documents_complete && claim.has_payout", Active: true},
	{Code: "covered", Name: "保单有效且已过等待期", NameEN: "Policy in force and past its waiting period", When: "claim.coverage_passed", Active: true},
	{Code: "no_risk_flag", Name: "无风险提示", NameEN: "No risk flag", When: "claim.risk_flags == 0", Active: true},
	{Code: "customer_not_high_risk", Name: "非高风险客户", NameEN: "Customer not high-risk", When: "!customer.high_risk", Active: true},
}}
