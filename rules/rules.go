// Package rules compiles the expressions that route tickets (and, later,
// classify claims and raise risk flags). Rules are data an insurer edits;
// each is an expr-lang expression over a typed environment, so a misspelt
// field or a comparison of a number with a string is refused when the rule
// is saved, not when a customer's request meets it. Compiled programs are
// pure and safe to share between goroutines.
package rules

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// TicketFacts is what a routing rule sees: the ticket, its customer and
// the policy it concerns. Unknown customer or policy leave their fields
// empty and Known false.
type TicketFacts struct {
	Ticket   TicketView   `expr:"ticket"`
	Customer CustomerView `expr:"customer"`
	Policy   PolicyView   `expr:"policy"`
}

// TicketView is the ticket as rules see it.
type TicketView struct {
	Type     string `expr:"type"`
	Urgency  string `expr:"urgency"`
	Channel  string `expr:"channel"`
	Language string `expr:"language"`
	Subject  string `expr:"subject"`
}

// CustomerView is the customer as rules see it.
type CustomerView struct {
	Known       bool   `expr:"known"`
	Kind        string `expr:"kind"`
	Tier        string `expr:"tier"`
	VIP         bool   `expr:"vip"`
	HasAdvisor  bool   `expr:"has_advisor"`
	OpenTickets int    `expr:"open_tickets"`
}

// PolicyView is the policy as rules see it.
type PolicyView struct {
	Known       bool   `expr:"known"`
	ProductCode string `expr:"product_code"`
	ProductLine string `expr:"product_line"`
	Status      string `expr:"status"`
}

// Rule is one routing rule: when When holds, the ticket goes to Team, to
// an agent with every one of Skills.
type Rule struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Position int      `json:"position"`
	When     string   `json:"when"`
	Team     string   `json:"team"`
	Skills   []string `json:"skills,omitempty"`
	Active   bool     `json:"active"`
}

// Compiled is a rule ready to run.
type Compiled struct {
	Rule
	program *vm.Program
}

// CompileError says which rule failed and why, for the field list of a
// validation error.
type CompileError struct {
	Index int
	Code  string
	Err   error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("rule %d (%s): %v", e.Index, e.Code, e.Err)
}

// Compile checks one expression against TicketFacts: it must be boolean.
func Compile(when string) (*vm.Program, error) {
	if strings.TrimSpace(when) == "" {
		return nil, fmt.Errorf("the condition is empty (write true for a catch-all)")
	}
	if len(when) > 2000 {
		return nil, fmt.Errorf("the condition is longer than 2000 characters")
	}
	return expr.Compile(when, expr.Env(TicketFacts{}), expr.AsBool())
}

// Router is an ordered list of compiled rules.
type Router struct {
	rules []Compiled
}

// NewRouter compiles the active rules, in the order given (callers sort by
// position). The first failure is returned as a *CompileError.
func NewRouter(rs []Rule) (*Router, error) {
	r := &Router{}
	for i, rule := range rs {
		if !rule.Active {
			continue
		}
		prog, err := Compile(rule.When)
		if err != nil {
			return nil, &CompileError{Index: i, Code: rule.Code, Err: err}
		}
		r.rules = append(r.rules, Compiled{Rule: rule, program: prog})
	}
	return r, nil
}

// Route returns the first rule whose condition holds. ok is false when no
// rule matched (the caller's default team takes the ticket). A rule whose
// evaluation fails (it cannot, for a compiled boolean over a typed
// environment, short of a runtime panic such as an index out of range) is
// skipped and reported, so one bad rule never stops intake.
func (r *Router) Route(f TicketFacts) (rule Rule, ok bool, skipped []error) {
	for _, c := range r.rules {
		out, err := expr.Run(c.program, f)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("rule %s: %w", c.Code, err))
			continue
		}
		if b, _ := out.(bool); b {
			return c.Rule, true, skipped
		}
	}
	return Rule{}, false, skipped
}

// Len is the number of active rules.
func (r *Router) Len() int { return len(r.rules) }

// DefaultRules send each kind of request to the team that handles it, and
// English-speaking customers to agents who speak English.
var DefaultRules = []Rule{
	{Code: "emergency", Name: "紧急事件 → 服务主管组", Position: 10, When: `ticket.type == "emergency" || ticket.urgency == "urgent"`, Team: "supervisors", Active: true},
	{Code: "claims", Name: "理赔协助 → 理赔组", Position: 20, When: `ticket.type in ["claim_assistance", "claim"]`, Team: "claims", Active: true},
	{Code: "policy_change", Name: "保全变更 → 保全组", Position: 30, When: `ticket.type == "policy_change"`, Team: "policy_change", Active: true},
	{Code: "complaint", Name: "投诉 → 投诉组", Position: 40, When: `ticket.type == "complaint"`, Team: "complaints", Active: true},
	{Code: "english", Name: "英文客户 → 客服组（英语）", Position: 50, When: `ticket.language == "en"`, Team: "service", Skills: []string{"english"}, Active: true},
	{Code: "auto_enquiry", Name: "车险咨询 → 客服组（车险）", Position: 60, When: `policy.product_line == "auto"`, Team: "service", Skills: []string{"auto"}, Active: true},
	{Code: "default", Name: "其他 → 客服组", Position: 1000, When: `true`, Team: "service", Active: true},
}
