package rules

import "testing"

func cleanOutpatient() ClaimFacts {
	return ClaimFacts{
		Claim: ClaimView{Type: "medical_expense", Setting: "outpatient", Claimed: 850_00, CoveragePassed: true,
			DocumentsComplete: true, HasPayout: true, DaysSincePolicyStart: 400, DaysSinceIncident: 3},
		Customer: ClaimCustomerView{Tier: "ordinary"},
		Policy:   ClaimPolicyView{ProductCode: "H1", Line: "health", SumInsured: 20_000_00},
	}
}

func passedAll(vs []Verdict) bool {
	for _, v := range vs {
		if !v.Passed {
			return false
		}
	}
	return true
}

func TestDefaultRuleSetsCompile(t *testing.T) {
	for _, set := range []ClaimRuleSet{DefaultRiskRules, DefaultComplexityRules, DefaultFastTrack} {
		if _, err := NewClaimRules(set); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFastTrack(t *testing.T) {
	ft, _ := NewClaimRules(DefaultFastTrack)
	for _, tc := range []struct {
		name   string
		change func(f *ClaimFacts)
		fails  string // the one rule expected to fail, "" for none
	}{
		{"clean outpatient claim", func(f *ClaimFacts) {}, ""},
		{"exactly ¥2,000", func(f *ClaimFacts) { f.Claim.Claimed = 2000_00 }, ""},
		{"one fen over ¥2,000", func(f *ClaimFacts) { f.Claim.Claimed = 2000_01 }, "small_amount"},
		{"nothing claimed", func(f *ClaimFacts) { f.Claim.Claimed = 0 }, "small_amount"},
		{"inpatient", func(f *ClaimFacts) { f.Claim.Setting = "inpatient" }, "outpatient_medical"},
		{"not medical", func(f *ClaimFacts) { f.Claim.Type = "glass" }, "outpatient_medical"},
		{"a document missing", func(f *ClaimFacts) { f.Claim.DocumentsComplete = false }, "documents_complete"},
		{"no bank account", func(f *ClaimFacts) { f.Claim.HasPayout = false }, "documents_complete"},
		{"in the waiting period", func(f *ClaimFacts) { f.Claim.CoveragePassed = false }, "covered"},
		{"a risk flag", func(f *ClaimFacts) { f.Claim.RiskFlags = 1 }, "no_risk_flag"},
		{"high-risk customer", func(f *ClaimFacts) { f.Customer.HighRisk = true }, "customer_not_high_risk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := cleanOutpatient()
			tc.change(&f)
			vs := ft.Evaluate(f)
			if len(vs) != len(DefaultFastTrack.Rules) {
				t.Fatalf("%d verdicts", len(vs))
			}
			for _, v := range vs {
				if v.Err != nil {
					t.Fatalf("%s: %v", v.Code, v.Err)
				}
				if want := v.Code != tc.fails; v.Passed != want {
					t.Errorf("%s passed=%v, want %v", v.Code, v.Passed, want)
				}
			}
			if passedAll(vs) != (tc.fails == "") {
				t.Errorf("fast track %v", passedAll(vs))
			}
		})
	}
}

func TestRiskFlags(t *testing.T) {
	risk, _ := NewClaimRules(DefaultRiskRules)
	for _, tc := range []struct {
		name   string
		change func(f *ClaimFacts)
		flag   string
	}{
		{"none", func(f *ClaimFacts) {}, ""},
		{"day 89 of the policy", func(f *ClaimFacts) { f.Claim.DaysSincePolicyStart = 89 }, "early_claim"},
		{"day 90 is not early", func(f *ClaimFacts) { f.Claim.DaysSincePolicyStart = 90 }, ""},
		{"two other claims", func(f *ClaimFacts) { f.Claim.OtherClaimsIn90Days = 2 }, "frequent_claims"},
		{"one other claim", func(f *ClaimFacts) { f.Claim.OtherClaimsIn90Days = 1 }, ""},
		{"high-risk customer", func(f *ClaimFacts) { f.Customer.HighRisk = true }, "high_risk_customer"},
		{"¥1,999.99", func(f *ClaimFacts) { f.Claim.Claimed = 1999_99 }, "just_under_limit"},
		{"¥9,990", func(f *ClaimFacts) { f.Claim.Claimed = 9990_00 }, "just_under_limit"},
		{"¥10,000.01", func(f *ClaimFacts) { f.Claim.Claimed = 10000_01 }, ""},
		{"a reused document", func(f *ClaimFacts) { f.Claim.ReusedDocuments = 1 }, "reused_documents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := cleanOutpatient()
			tc.change(&f)
			for _, v := range risk.Evaluate(f) {
				if v.Err != nil {
					t.Fatal(v.Err)
				}
				if v.Passed != (v.Code == tc.flag) {
					t.Errorf("%s fired=%v", v.Code, v.Passed)
				}
			}
		})
	}
}

func TestClaimRuleCompileErrors(t *testing.T) {
	for _, when := range []string{"", "claim.claimed", "claim.nope > 1", `claim.claimed == "x"`, "yuan('a') > 1"} {
		if _, err := CompileClaimRule(when); err == nil {
			t.Errorf("%q compiled", when)
		}
	}
	if _, err := NewClaimRules(ClaimRuleSet{Rules: []ClaimRule{{Code: "a", When: "true", Active: true}, {Code: "a", When: "true"}}}); err == nil {
		t.Error("duplicate codes accepted")
	}
	if _, err := CompileClaimRule("claim.claimed <= yuan(2000.5)"); err != nil {
		t.Errorf("float yuan: %v", err)
	}
}

// Any text a rule editor saves either fails to compile or evaluates
// without taking the process down.
func FuzzCompileClaimRule(f *testing.F) {
	for _, set := range []ClaimRuleSet{DefaultRiskRules, DefaultComplexityRules, DefaultFastTrack} {
		for _, r := range set.Rules {
			f.Add(r.When)
		}
	}
	f.Add(`yuan(1e300) > claim.claimed`)
	f.Fuzz(func(t *testing.T, when string) {
		if _, err := CompileClaimRule(when); err != nil {
			return
		}
		cr, err := NewClaimRules(ClaimRuleSet{Rules: []ClaimRule{{Code: "f", When: when, Active: true}}})
		if err != nil {
			t.Fatalf("compiled alone but not in a set: %v", err)
		}
		cr.Evaluate(cleanOutpatient())
		cr.Evaluate(ClaimFacts{})
	})
}
