package anxin

import (
	"testing"
)

func yuan(y int64) Fen { return Fen(y * 100) }

func TestCalcMedical(t *testing.T) {
	cov := Coverage{Kind: CovMedical, SumInsured: yuan(3_000_000), Deductible: yuan(10_000), ReimbursementRatio: 10000, AnnualLimit: yuan(3_000_000)}
	half := cov
	half.ReimbursementRatio = 8000
	half.AnnualLimit = 0
	half.SumInsured = yuan(50_000)
	cases := []struct {
		name     string
		cov      Coverage
		eligible Fen
		used     MedicalUsage
		want     Fen
		capped   bool
	}{
		{"below the deductible pays nothing", cov, yuan(8_000), MedicalUsage{}, 0, false},
		{"exactly the deductible pays nothing", cov, yuan(10_000), MedicalUsage{}, 0, false},
		{"one fen over the deductible", cov, yuan(10_000) + 1, MedicalUsage{}, 1, false},
		{"deductible partly used by an earlier claim", cov, yuan(12_000), MedicalUsage{DeductibleUsed: yuan(7_000)}, yuan(9_000), false},
		{"deductible fully used", cov, yuan(500), MedicalUsage{DeductibleUsed: yuan(10_000)}, yuan(500), false},
		{"deductible over-used stays at zero", cov, yuan(500), MedicalUsage{DeductibleUsed: yuan(20_000)}, yuan(500), false},
		{"ratio rounds half up to the fen", half, 1_001, MedicalUsage{DeductibleUsed: yuan(10_000)}, 801, false}, // 1001 × 80% = 800.8
		{"limit almost used", half, yuan(40_000), MedicalUsage{DeductibleUsed: yuan(10_000), PaidThisYear: yuan(49_000)}, yuan(1_000), true},
		{"limit fully used", half, yuan(40_000), MedicalUsage{DeductibleUsed: yuan(10_000), PaidThisYear: yuan(50_000)}, 0, true},
		{"no expenses", cov, 0, MedicalUsage{}, 0, false},
	}
	for _, c := range cases {
		got := CalcMedical(c.cov, c.eligible, c.used)
		if got.Payable != c.want || got.Capped != c.capped {
			t.Errorf("%s: payable %d capped %v, want %d %v (%+v)", c.name, got.Payable, got.Capped, c.want, c.capped, got.Lines)
		}
		if len(got.Lines) < 3 {
			t.Errorf("%s: the calculation shows %d steps", c.name, len(got.Lines))
		}
	}
}

func TestCalcDeathSharesAddUp(t *testing.T) {
	cov := Coverage{Kind: CovTermLife, SumInsured: 1_000_001} // an odd fen to split
	cases := []struct {
		name  string
		bens  []Beneficiary
		wants []Fen
	}{
		{"statutory heirs when none named", nil, []Fen{1_000_001}},
		{"one beneficiary", []Beneficiary{{Name: "甲", Share: 10000}}, []Fen{1_000_001}},
		{"thirds give the remainder to the first", []Beneficiary{{Name: "甲", Share: 3334}, {Name: "乙", Share: 3333}, {Name: "丙", Share: 3333}},
			[]Fen{333_401, 333_300, 333_300}}, // 333400.33 → 333400 and 333300.33 → 333300 twice; the 1 fen left goes to the first
		{"60/40", []Beneficiary{{Name: "甲", Share: 6000}, {Name: "乙", Share: 4000}}, []Fen{600_001, 400_000}},
	}
	for _, c := range cases {
		got := CalcDeath(cov, c.bens)
		var sum Fen
		for i, p := range got.Payees {
			sum += p.Amount
			if i < len(c.wants) && p.Amount != c.wants[i] {
				t.Errorf("%s: payee %d gets %d, want %d", c.name, i, p.Amount, c.wants[i])
			}
		}
		if sum != cov.SumInsured || got.Payable != cov.SumInsured || len(got.Payees) != len(c.wants) {
			t.Errorf("%s: shares add up to %d of %d (%d payees)", c.name, sum, cov.SumInsured, len(got.Payees))
		}
	}
}

func TestCalcOtherBenefits(t *testing.T) {
	ci := Coverage{Kind: CovCriticalIllness, SumInsured: yuan(500_000)}
	if got := CalcCriticalIllness(ci, false); got.Payable != yuan(500_000) {
		t.Errorf("critical illness: %d", got.Payable)
	}
	if got := CalcCriticalIllness(ci, true); got.Payable != 0 {
		t.Errorf("critical illness paid twice: %d", got.Payable)
	}
	ltc := Coverage{Kind: CovLongTermCare, SumInsured: yuan(3_000)}
	if got := CalcLongTermCare(ltc, 4); got.Payable != yuan(12_000) {
		t.Errorf("long-term care: %d", got.Payable)
	}
	auto := Coverage{Kind: CovVehicleDamage, SumInsured: yuan(100_000), Deductible: yuan(1_000)}
	for _, c := range []struct {
		loss, want Fen
		capped     bool
	}{
		{yuan(800), 0, false}, {yuan(1_000), 0, false}, {yuan(8_500), yuan(7_500), false},
		{yuan(101_000), yuan(100_000), false}, {yuan(150_000), yuan(100_000), true},
	} {
		got := CalcAuto(auto, c.loss)
		if got.Payable != c.want || got.Capped != c.capped {
			t.Errorf("auto loss %d: %d capped %v, want %d %v", c.loss, got.Payable, got.Capped, c.want, c.capped)
		}
	}
}

func TestCalcCompulsoryTraffic(t *testing.T) {
	losses := []TrafficLoss{
		{Name: "行人甲", Medical: yuan(25_000), Property: yuan(1_500)},
		{Name: "车主乙", Property: yuan(3_000)},
	}
	at := CalcCompulsoryTraffic(TrafficLimitsAtFault, losses)
	// medical capped at 18,000; property 1,500 and 2,000 (capped from 3,000)
	if at.Payable != yuan(18_000+1_500+2_000) || !at.Capped || len(at.Lines) != 3 {
		t.Errorf("at fault: %d %v %+v", at.Payable, at.Capped, at.Lines)
	}
	no := CalcCompulsoryTraffic(TrafficLimitsNoFault, losses)
	if no.Payable != yuan(1_800+100+100) {
		t.Errorf("no fault: %d", no.Payable)
	}
}

func TestCheckCoverage(t *testing.T) {
	prod := &Product{Code: "H", Line: LineHealth}
	pol := &Policy{Status: PolicyInForce, EffectiveDate: MustDate("2026-01-01"), ExpiryDate: MustDate("2027-01-01"),
		Coverages: []Coverage{{Kind: CovMedical, SumInsured: yuan(10_000), WaitingPeriodDays: 30}, {Kind: CovCriticalIllness, SumInsured: yuan(1), WaitingPeriodDays: 90}}}
	cases := []struct {
		name   string
		facts  CoverageFacts
		failed string // the code of the check that fails, "" for covered
	}{
		{"covered", CoverageFacts{Type: ClaimMedical, IncidentDate: MustDate("2026-03-01"), ReportedDate: MustDate("2026-03-05")}, ""},
		{"last day of the waiting period", CoverageFacts{Type: ClaimMedical, IncidentDate: MustDate("2026-01-30"), ReportedDate: MustDate("2026-02-01")}, "waiting_period"},
		{"first day after the waiting period", CoverageFacts{Type: ClaimMedical, IncidentDate: MustDate("2026-01-31"), ReportedDate: MustDate("2026-02-01")}, ""},
		{"before the policy started", CoverageFacts{Type: ClaimMedical, IncidentDate: MustDate("2025-12-31"), ReportedDate: MustDate("2026-02-01")}, "in_force"},
		{"on the expiry date (cover ends the day before)", CoverageFacts{Type: ClaimMedical, IncidentDate: MustDate("2027-01-01"), ReportedDate: MustDate("2027-01-02")}, "in_force"},
		{"not a cover of the policy", CoverageFacts{Type: ClaimLongTermCare, IncidentDate: MustDate("2026-06-01"), ReportedDate: MustDate("2026-06-02")}, "coverage"},
		{"two years later for health (non-life)", CoverageFacts{Type: ClaimMedical, IncidentDate: MustDate("2026-03-01"), ReportedDate: MustDate("2028-03-01")}, "limitation"},
		{"a day inside the two years", CoverageFacts{Type: ClaimMedical, IncidentDate: MustDate("2026-03-01"), ReportedDate: MustDate("2028-02-29")}, ""},
		{"once-only already paid", CoverageFacts{Type: ClaimCriticalIllness, IncidentDate: MustDate("2026-06-01"), ReportedDate: MustDate("2026-06-02"), AlreadyPaid: true}, "not_paid_before"},
	}
	for _, c := range cases {
		checks := CheckCoverage(pol, prod, c.facts)
		failed := ""
		for _, ch := range checks {
			if !ch.Passed && failed == "" {
				failed = ch.Code
			}
			if ch.Reason == "" || ch.ReasonEN == "" {
				t.Errorf("%s: check %s has no reason", c.name, ch.Code)
			}
		}
		if failed != c.failed || Covered(checks) != (c.failed == "") {
			t.Errorf("%s: failed %q, want %q (%+v)", c.name, failed, c.failed, checks)
		}
	}
	life := &Product{Code: "L", Line: LineLife}
	lp := &Policy{EffectiveDate: MustDate("2020-01-01"), Coverages: []Coverage{{Kind: CovWholeLife, SumInsured: yuan(100)}}}
	if cs := CheckCoverage(lp, life, CoverageFacts{Type: ClaimDeath, IncidentDate: MustDate("2026-01-01"), ReportedDate: MustDate("2030-12-31")}); !Covered(cs) {
		t.Errorf("a life claim within 5 years was refused: %+v", cs)
	}
}
