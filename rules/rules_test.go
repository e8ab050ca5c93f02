package rules

import (
	"testing"
)

func TestCompileRefusesBadRules(t *testing.T) {
	for _, when := range []string{
		"",
		"ticket.typ == \"claim\"",      // misspelt field
		"ticket.urgency > 3",           // string compared with a number
		"ticket.type",                  // not boolean
		"customer.tier == \"gold\" &&", // syntax
	} {
		if _, err := Compile(when); err == nil {
			t.Errorf("Compile(%q) accepted a bad rule", when)
		}
	}
}

func TestRouteFirstMatchWins(t *testing.T) {
	r, err := NewRouter(DefaultRules)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		facts TicketFacts
		rule  string
		team  string
	}{
		{"emergency beats type", TicketFacts{Ticket: TicketView{Type: "complaint", Urgency: "urgent"}}, "emergency", "supervisors"},
		{"claim", TicketFacts{Ticket: TicketView{Type: "claim_assistance", Urgency: "normal"}}, "claims", "claims"},
		{"complaint", TicketFacts{Ticket: TicketView{Type: "complaint", Urgency: "high"}}, "complaint", "complaints"},
		{"english enquiry", TicketFacts{Ticket: TicketView{Type: "enquiry", Language: "en"}}, "english", "service"},
		{"auto policy", TicketFacts{Ticket: TicketView{Type: "enquiry", Language: "zh"}, Policy: PolicyView{Known: true, ProductLine: "auto"}}, "auto_enquiry", "service"},
		{"anything else", TicketFacts{Ticket: TicketView{Type: "other", Language: "zh"}}, "default", "service"},
	}
	for _, c := range cases {
		rule, ok, skipped := r.Route(c.facts)
		if !ok || rule.Code != c.rule || rule.Team != c.team || len(skipped) > 0 {
			t.Errorf("%s: got %q/%q ok=%v skipped=%v, want %q/%q", c.name, rule.Code, rule.Team, ok, skipped, c.rule, c.team)
		}
	}
}

func TestInactiveRulesAndNoMatch(t *testing.T) {
	r, err := NewRouter([]Rule{
		{Code: "off", When: "true", Team: "x", Active: false},
		{Code: "gold", When: `customer.tier in ["diamond", "gold"]`, Team: "vip", Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := r.Route(TicketFacts{Customer: CustomerView{Tier: "silver"}}); ok {
		t.Error("a silver customer matched a gold rule, or an inactive rule ran")
	}
	if rule, ok, _ := r.Route(TicketFacts{Customer: CustomerView{Tier: "gold"}}); !ok || rule.Team != "vip" {
		t.Errorf("gold customer routed to %+v", rule)
	}
}

func TestNewRouterNamesTheBrokenRule(t *testing.T) {
	_, err := NewRouter([]Rule{{Code: "ok", When: "true", Active: true}, {Code: "bad", When: "nope(", Active: true}})
	ce, ok := err.(*CompileError)
	if !ok || ce.Index != 1 || ce.Code != "bad" {
		t.Fatalf("err = %v", err)
	}
}

func FuzzCompile(f *testing.F) {
	for _, r := range DefaultRules {
		f.Add(r.When)
	}
	f.Add(`customer.open_tickets > 3 and policy.known`)
	f.Fuzz(func(t *testing.T, when string) {
		prog, err := Compile(when)
		if err != nil {
			return
		}
		r := &Router{rules: []Compiled{{Rule: Rule{Code: "f"}, program: prog}}}
		r.Route(TicketFacts{})
	})
}
