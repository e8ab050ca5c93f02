package demo

import "github.com/anxin-insure/anxin"

// Amounts in the catalogue are written in yuan and converted once here, so
// that a reader can check them against the clauses (18万, 1万) at a glance.
const (
	yuan = anxin.Fen(100)
	wan  = 10_000 * yuan // 万元
)

// Product codes of the shipped catalogue. Policies refer to products by code,
// so these strings are part of the data's contract and never change.
const (
	codeAutoCTPL    = "AUTO-CTPL"
	codeAutoComm    = "AUTO-COMM"
	codeLifeTerm20  = "LIFE-TERM20"
	codeLifeWhole   = "LIFE-WHOLE"
	codeLifeEndow10 = "LIFE-ENDOW10"
	codeHealthMed   = "HLTH-MED"
	codeHealthCI    = "HLTH-CI"
	codeHealthLTC   = "HLTH-LTC"
)

// Products returns the shipped product catalogue (also used outside demo mode
// as a starting catalogue). Each call returns new values, so a caller may
// edit them before storing.
//
// Where one coverage kind appears in several rows, the rows are the parts of
// that benefit in the order the clauses list them:
//   - AUTO-CTPL: the statutory per-accident limits when the insured vehicle
//     is at fault, death and disability (18万), medical expenses (1.8万) and
//     property damage (2000 yuan).
//   - HLTH-MED: reimbursement at 100% for expenses settled through social
//     medical insurance first, and at 60% for expenses that were not; both
//     rows draw on the same annual limit. A policy bought without social
//     insurance carries a single 100% row instead (and a higher premium).
//
// In AUTO-COMM a zero sum insured for vehicle damage, theft and spontaneous
// combustion means the vehicle's actual value, fixed on each policy; glass
// breakage pays the replacement cost and has no sum insured. Third-party
// liability shows the smallest limit sold; policies choose 100万 to 300万.
func Products() []*anxin.Product {
	return []*anxin.Product{
		{
			Code:   codeAutoCTPL,
			Line:   anxin.LineAuto,
			Name:   "机动车交通事故责任强制保险",
			NameEN: "Compulsory Traffic Accident Liability Insurance",
			// Auto policies run for one year and have no cooling-off period.
			TermYears: 1,
			Coverages: []anxin.Coverage{
				{Kind: anxin.CovCompulsoryTraffic, SumInsured: 18 * wan, ReimbursementRatio: 10000},
				{Kind: anxin.CovCompulsoryTraffic, SumInsured: 18_000 * yuan, ReimbursementRatio: 10000},
				{Kind: anxin.CovCompulsoryTraffic, SumInsured: 2_000 * yuan, ReimbursementRatio: 10000},
			},
			Active: true,
		},
		{
			Code:      codeAutoComm,
			Line:      anxin.LineAuto,
			Name:      "安心机动车商业保险",
			NameEN:    "Anxin Commercial Motor Insurance",
			TermYears: 1,
			Coverages: []anxin.Coverage{
				{Kind: anxin.CovVehicleDamage, ReimbursementRatio: 10000},
				{Kind: anxin.CovThirdParty, SumInsured: 100 * wan, ReimbursementRatio: 10000},
				{Kind: anxin.CovTheft, ReimbursementRatio: 10000},
				{Kind: anxin.CovGlass, ReimbursementRatio: 10000},
				{Kind: anxin.CovSelfIgnition, ReimbursementRatio: 10000},
			},
			Active: true,
		},
		{
			Code:           codeLifeTerm20,
			Line:           anxin.LineLife,
			Name:           "安心守护定期寿险（20年期）",
			NameEN:         "Anxin Guardian Term Life (20 Years)",
			CoolingOffDays: 15,
			TermYears:      20,
			Coverages: []anxin.Coverage{
				// Death from illness in the first 90 days refunds the premium
				// instead of paying the sum insured.
				{Kind: anxin.CovTermLife, SumInsured: 50 * wan, ReimbursementRatio: 10000, WaitingPeriodDays: 90},
			},
			Active: true,
		},
		{
			Code:           codeLifeWhole,
			Line:           anxin.LineLife,
			Name:           "安心传家终身寿险",
			NameEN:         "Anxin Legacy Whole Life",
			CoolingOffDays: 15,
			Coverages: []anxin.Coverage{
				{Kind: anxin.CovWholeLife, SumInsured: 30 * wan, ReimbursementRatio: 10000, WaitingPeriodDays: 90},
			},
			Active: true,
		},
		{
			Code:           codeLifeEndow10,
			Line:           anxin.LineLife,
			Name:           "安心鑫享两全保险（10年期）",
			NameEN:         "Anxin Prosperity Endowment (10 Years)",
			CoolingOffDays: 15,
			TermYears:      10,
			Coverages: []anxin.Coverage{
				{Kind: anxin.CovEndowment, SumInsured: 10 * wan, ReimbursementRatio: 10000, WaitingPeriodDays: 90},
			},
			Active: true,
		},
		{
			Code:   codeHealthMed,
			Line:   anxin.LineHealth,
			Name:   "安心百万医疗保险",
			NameEN: "Anxin Million Medical Insurance",
			// A one-year policy: the statutory 15-day cooling-off period
			// applies only to contracts longer than one year.
			TermYears: 1,
			Coverages: []anxin.Coverage{
				{Kind: anxin.CovMedical, SumInsured: 300 * wan, Deductible: 1 * wan, ReimbursementRatio: 10000, AnnualLimit: 300 * wan, WaitingPeriodDays: 30},
				{Kind: anxin.CovMedical, SumInsured: 300 * wan, Deductible: 1 * wan, ReimbursementRatio: 6000, AnnualLimit: 300 * wan, WaitingPeriodDays: 30},
			},
			Active: true,
		},
		{
			Code:           codeHealthCI,
			Line:           anxin.LineHealth,
			Name:           "安心康护重大疾病保险",
			NameEN:         "Anxin Critical Illness Insurance",
			CoolingOffDays: 15,
			Coverages: []anxin.Coverage{
				{Kind: anxin.CovCriticalIllness, SumInsured: 30 * wan, ReimbursementRatio: 10000, WaitingPeriodDays: 90},
			},
			Active: true,
		},
		{
			Code:           codeHealthLTC,
			Line:           anxin.LineHealth,
			Name:           "安心颐养长期护理保险",
			NameEN:         "Anxin Long-Term Care Insurance",
			CoolingOffDays: 15,
			Coverages: []anxin.Coverage{
				// A monthly benefit while the insured cannot perform the
				// activities of daily living: the annual limit is twelve
				// months' benefit, the sum insured ten years' worth.
				{Kind: anxin.CovLongTermCare, SumInsured: 36 * wan, ReimbursementRatio: 10000, AnnualLimit: 36_000 * yuan, WaitingPeriodDays: 180},
			},
			Active: true,
		},
	}
}
