package demo

import (
	"slices"

	"github.com/anxin-insure/anxin"
)

// car insures one vehicle of owner for one to three consecutive years: the
// compulsory policy every year, and a commercial policy for most owners.
// Earlier years are expired; the latest is usually in force, sometimes not
// renewed (the owner moved to another insurer) or surrendered (car sold).
func (g *gen) car(owner *person) {
	ctpl, comm := g.products[codeAutoCTPL], g.products[codeAutoComm]
	price := anxin.Fen(0)
	switch g.weighted(45, 40, 15) {
	case 0:
		price = anxin.Fen(g.between(80, 150)) * 1000 * yuan
	case 1:
		price = anxin.Fen(g.between(150, 300)) * 1000 * yuan
	default:
		price = anxin.Fen(g.between(300, 600)) * 1000 * yuan
	}
	years := 1 + g.deal("car years", 40, 35, 25)
	if owner.org {
		years = 1 + g.deal("fleet years", 50, 50)
	}
	latest := g.dayIn(g.today.AddDays(-364), g.today)
	if !g.quota("car renewed", 88) {
		latest = g.dayIn(g.today.AddDays(-729), g.today.AddDays(-365))
	}
	first := latest.AddYears(-(years - 1))
	carAge := g.between(0, 7)
	sold := g.quota("car sold", 4)

	commercial := g.chance(88)
	thirdParty := []anxin.Fen{100 * wan, 150 * wan, 200 * wan, 300 * wan}[g.weighted(15, 15, 40, 30)]
	damage := g.chance(92)
	deductible := []anxin.Fen{0, 300 * yuan, 500 * yuan, 1000 * yuan, 2000 * yuan}[g.weighted(70, 8, 10, 8, 4)]
	theft, glass, ignition := g.chance(50), g.chance(35), g.chance(15+5*carAge)

	// No-claim discount level: index into the coefficient tables below. A
	// new car starts at 1.0; an older one brings its history.
	ncd := 4
	if carAge > 0 {
		ncd = g.between(0, 4)
	}
	channel := g.channel(anxin.LineAuto, owner)
	if carAge == 0 && !owner.org && g.chance(60) {
		channel = "car_dealer" // a new car is insured where it is bought
	}
	method := g.method(channel, owner, 50)

	for k := range years {
		eff := first.AddYears(k)
		age := carAge + k
		// Actual value: the purchase price less 0.6% a month, as the
		// commercial clauses depreciate, never below a fifth; rounded down
		// to 100 yuan.
		value := price * anxin.Fen(max(1000-72*age, 200)) / 1000 / (100 * yuan) * (100 * yuan)

		uw := g.underwriting(eff, k > 0)
		c := g.newPolicy(ctpl, owner, owner, eff, uw, channel)
		c.p.Coverages = slices.Clone(ctpl.Coverages)
		base := 950 * yuan // family car under six seats
		if owner.org {
			base = 1000 * yuan // company car, non-commercial use
		}
		c.p.Premium = ctplFactor[ncd].Of(base)
		g.payment(c, anxin.PaySingle, method)
		drafts := []*draft{c}

		if commercial {
			m := g.newPolicy(comm, owner, owner, eff, uw, channel) // bought together
			var premium anxin.Fen
			if damage {
				m.p.Coverages = append(m.p.Coverages, anxin.Coverage{Kind: anxin.CovVehicleDamage, SumInsured: value, Deductible: deductible, ReimbursementRatio: 10000})
				vd := 500*yuan + anxin.BasisPoints(110).Of(value)
				premium += deductibleFactor[deductible].Of(vd)
			}
			m.p.Coverages = append(m.p.Coverages, anxin.Coverage{Kind: anxin.CovThirdParty, SumInsured: thirdParty, ReimbursementRatio: 10000})
			tp := thirdPartyPremium[thirdParty]
			if owner.org {
				tp = anxin.BasisPoints(12000).Of(tp)
			}
			premium += tp
			if theft {
				m.p.Coverages = append(m.p.Coverages, anxin.Coverage{Kind: anxin.CovTheft, SumInsured: value, ReimbursementRatio: 10000})
				premium += 100*yuan + anxin.BasisPoints(35).Of(value)
			}
			if glass {
				m.p.Coverages = append(m.p.Coverages, anxin.Coverage{Kind: anxin.CovGlass, ReimbursementRatio: 10000})
				premium += anxin.BasisPoints(20).Of(value)
			}
			if ignition {
				m.p.Coverages = append(m.p.Coverages, anxin.Coverage{Kind: anxin.CovSelfIgnition, SumInsured: value, ReimbursementRatio: 10000})
				premium += anxin.BasisPoints(10).Of(value)
			}
			m.p.Premium = ncdFactor[ncd].Of(premium)
			g.payment(m, anxin.PaySingle, method)
			drafts = append(drafts, m)
		}

		for _, d := range drafts {
			g.settle(d, 0, 0)
			if k == years-1 && sold && d.p.Status == anxin.PolicyInForce && eff.Before(g.today.AddDays(-30)) {
				d.p.Status, d.changed = anxin.PolicyTerminated, g.dayIn(eff.AddDays(30), g.today)
			}
		}
		// Most years pass without a claim and earn a better discount.
		if g.chance(80) {
			ncd = max(ncd-1, 0)
		} else {
			ncd = min(ncd+1, len(ncdFactor)-1)
		}
		if g.chance(15) {
			channel = g.channel(anxin.LineAuto, owner) // renewed through another channel
		}
	}
}

// No-claim discount coefficients by level, for the commercial premium and
// the compulsory premium's floating rate (交强险费率浮动).
var (
	ncdFactor  = []anxin.BasisPoints{5000, 6000, 7000, 8500, 10000, 12500, 15000}
	ctplFactor = []anxin.BasisPoints{7000, 7000, 8000, 9000, 10000, 11000, 13000}
)

var thirdPartyPremium = map[anxin.Fen]anxin.Fen{
	100 * wan: 760 * yuan, 150 * wan: 860 * yuan, 200 * wan: 950 * yuan, 300 * wan: 1100 * yuan,
}

// An absolute deductible on vehicle damage buys a discount.
var deductibleFactor = map[anxin.Fen]anxin.BasisPoints{
	0: 10000, 300 * yuan: 9500, 500 * yuan: 9200, 1000 * yuan: 8800, 2000 * yuan: 8200,
}

// medical insures one person under the million medical product for one to
// four consecutive years. Renewals carry no waiting period, as renewal
// without a gap is guaranteed; a just-bought policy is still in its 30 days.
func (g *gen) medical(holder, insured *person) {
	prod := g.products[codeHealthMed]
	years := 1 + g.deal("medical years", 50, 30, 12, 8)
	var latest anxin.Date
	switch g.deal("medical start", 16, 74, 10) {
	case 0:
		years, latest = 1, g.dayIn(g.today.AddDays(-29), g.today)
	case 1:
		latest = g.dayIn(g.today.AddDays(-364), g.today)
	default:
		latest = g.dayIn(g.today.AddDays(-729), g.today.AddDays(-365))
	}
	first := latest.AddYears(-(years - 1))
	for years > 1 && insured.age(first) > 65 {
		years--
		first = first.AddYears(1)
	}
	if a := insured.age(first); a < 18 || a > 65 {
		return
	}
	social := g.chance(80)
	freq := []anxin.PaymentFrequency{anxin.PayAnnual, anxin.PayMonthly}[g.weighted(70, 30)]
	channel := g.channel(anxin.LineHealth, holder)
	method := g.method(channel, holder, 55)
	for k := range years {
		eff := first.AddYears(k)
		d := g.newPolicy(prod, holder, insured, eff, g.underwriting(eff, k > 0), channel)
		if social {
			d.p.Coverages = slices.Clone(prod.Coverages)
		} else {
			// Bought without social insurance: every claim is paid at
			// 100%, and the premium is higher.
			d.p.Coverages = []anxin.Coverage{prod.Coverages[0]}
		}
		if k > 0 {
			for i := range d.p.Coverages {
				d.p.Coverages[i].WaitingPeriodDays = 0
			}
		}
		annual := medicalPremium(insured.age(eff))
		if !social {
			annual = toYuan(anxin.BasisPoints(17000).Of(annual))
		}
		d.p.Premium = installment(annual, freq)
		g.payment(d, freq, method)
		g.designate(d)
		g.settle(d, 0, 0)
	}
}

// medicalPremium is the annual premium by age band, as million medical
// products price it.
func medicalPremium(age int) anxin.Fen {
	bands := []struct {
		upTo    int
		premium anxin.Fen
	}{{30, 268}, {40, 356}, {45, 568}, {50, 698}, {55, 998}, {60, 1298}, {65, 1698}, {70, 2298}}
	for _, b := range bands {
		if age <= b.upTo {
			return b.premium * yuan
		}
	}
	return 2998 * yuan
}

// longTermSpecs: the insured's age at issue, and how far back an effective
// date may go while the policy still has premiums due (all these pay for at
// least ten years), so that every in-force periodic policy has a next
// payment date.
var longTermSpecs = map[string]struct {
	minAge, maxAge int
	lookbackYears  int
	recentPct      int // share bought within the waiting period
}{
	codeLifeTerm20:  {18, 55, 8, 8},
	codeLifeWhole:   {18, 60, 9, 5},
	codeLifeEndow10: {18, 60, 9, 5},
	codeHealthCI:    {18, 55, 10, 18},
	codeHealthLTC:   {40, 65, 6, 30},
}

// longTerm sells a life, critical illness or long-term care policy. It may
// sell nothing when insured is outside the product's issue ages.
func (g *gen) longTerm(code string, holder, insured *person) {
	prod := g.products[code]
	spec := longTermSpecs[code]
	wait := prod.Coverages[0].WaitingPeriodDays
	var eff anxin.Date
	ok := false
	for range 4 {
		switch {
		case code == codeLifeEndow10 && g.quota("matured", 25):
			// Matured: bought ten to thirteen years ago.
			eff = g.dayIn(g.today.AddYears(-13), g.today.AddYears(-10).AddDays(-1))
		case g.quota("recent "+code, spec.recentPct):
			eff = g.dayIn(g.today.AddDays(-(wait - 1)), g.today)
		default:
			eff = g.dayIn(g.today.AddYears(-spec.lookbackYears), g.today.AddDays(-wait))
		}
		if a := insured.age(eff); a >= spec.minAge && a <= spec.maxAge {
			ok = true
			break
		}
	}
	if !ok {
		return
	}
	var freq anxin.PaymentFrequency
	switch code {
	case codeLifeTerm20:
		freq = []anxin.PaymentFrequency{anxin.PayAnnual, anxin.PayMonthly}[g.weighted(85, 15)]
	case codeLifeWhole:
		freq = []anxin.PaymentFrequency{anxin.PayAnnual, anxin.PaySingle, anxin.PayQuarterly}[g.weighted(60, 25, 15)]
	case codeLifeEndow10:
		freq = []anxin.PaymentFrequency{anxin.PayAnnual, anxin.PaySingle}[g.weighted(75, 25)]
	case codeHealthCI:
		freq = []anxin.PaymentFrequency{anxin.PayAnnual, anxin.PayMonthly}[g.weighted(88, 12)]
	default:
		freq = anxin.PayAnnual
	}
	d := g.newPolicy(prod, holder, insured, eff, g.underwriting(eff, false), g.channel(prod.Line, holder))
	g.priceLongTerm(d, freq)
	bankPct := 88
	if freq == anxin.PaySingle {
		bankPct = 60
	}
	g.payment(d, freq, g.method(d.p.SalesChannel, holder, bankPct))
	g.designate(d)
	g.settle(d, 12, 5)
}

// priceLongTerm chooses the amounts and computes the premium from the
// insured's age and sex at issue, with rates of the order the market
// charges.
func (g *gen) priceLongTerm(d *draft, freq anxin.PaymentFrequency) {
	prod := g.products[d.p.ProductCode]
	cov := prod.Coverages[0]
	a := anxin.Fen(d.insured.age(d.p.EffectiveDate) - 18)
	female := !d.insured.male
	var annual anxin.Fen
	switch prod.Code {
	case codeLifeTerm20:
		cov.SumInsured = []anxin.Fen{50 * wan, 100 * wan, 150 * wan, 200 * wan, 300 * wan}[g.weighted(25, 35, 15, 15, 10)]
		rate := (50 + 35*a*a/100) * yuan // per 10万 a year
		if female {
			rate = rate * 55 / 100
		}
		annual = cov.SumInsured / (10 * wan) * rate
	case codeLifeWhole:
		cov.SumInsured = []anxin.Fen{20 * wan, 30 * wan, 50 * wan, 80 * wan, 100 * wan}[g.weighted(25, 30, 25, 10, 10)]
		if freq == anxin.PaySingle {
			annual = anxin.BasisPoints(3500 + 70*int64(a)).Of(cov.SumInsured)
			break
		}
		rate := (1500 + 55*a) * yuan // per 10万 a year, for 20 years
		if female {
			rate = rate * 90 / 100
		}
		annual = cov.SumInsured / (10 * wan) * rate
	case codeLifeEndow10:
		// Chosen by premium; the sum insured is the maturity benefit.
		if freq == anxin.PaySingle {
			annual = []anxin.Fen{5 * wan, 10 * wan, 20 * wan, 50 * wan}[g.weighted(35, 35, 20, 10)]
			cov.SumInsured = anxin.BasisPoints(12500).Of(annual)
		} else {
			annual = []anxin.Fen{1 * wan, 2 * wan, 3 * wan, 5 * wan, 10 * wan}[g.weighted(30, 25, 20, 15, 10)]
			cov.SumInsured = anxin.BasisPoints(10600).Of(10 * annual)
		}
	case codeHealthCI:
		cov.SumInsured = []anxin.Fen{20 * wan, 30 * wan, 50 * wan}[g.weighted(40, 35, 25)]
		rate := (1000 + 80*a) * yuan // per 10万 a year, for 20 years
		if female {
			rate = rate * 92 / 100
		}
		annual = cov.SumInsured / (10 * wan) * rate
	case codeHealthLTC:
		monthly := []anxin.Fen{2000, 3000, 5000}[g.weighted(40, 40, 20)] * yuan
		cov.AnnualLimit = 12 * monthly
		cov.SumInsured = 120 * monthly
		annual = monthly / (1000 * yuan) * (600 + 40*(a+18-40)) * yuan
	}
	d.p.Coverages = []anxin.Coverage{cov}
	d.p.Premium = installment(toYuan(annual), freq)
}

// Beneficiary shares as policyholders commonly split them, in basis points.
var shareSplits = map[int][][]anxin.BasisPoints{
	1: {{10000}},
	2: {{5000, 5000}, {6000, 4000}, {7000, 3000}},
	3: {{5000, 3000, 2000}, {4000, 3000, 3000}, {3400, 3300, 3300}},
}

// designate names the death beneficiaries, or leaves them to the statutory
// heirs. Life policies usually name family members; health policies pay
// their living benefits to the insured and leave death benefits to the
// heirs. An employer may not name beneficiaries for its staff beyond their
// family (Insurance Law art. 39), so company-paid cover goes to the heirs.
func (g *gen) designate(d *draft) {
	named := 0
	switch g.products[d.p.ProductCode].Line {
	case anxin.LineAuto:
		return
	case anxin.LineLife:
		named = 65
	default:
		if d.p.ProductCode == codeHealthCI {
			named = 15
		}
	}
	if d.holder.org || d.insured.idType != anxin.ResidentID || named == 0 || !g.quota("named "+d.p.ProductCode, named) {
		d.p.StatutoryHeirs = true
		return
	}
	ins := d.insured
	g.relatives(ins)
	type candidate struct {
		p        *person
		relation string
	}
	var cands []candidate
	if ins.spouse != nil {
		cands = append(cands, candidate{ins.spouse, "spouse"})
	}
	for _, c := range ins.children {
		cands = append(cands, candidate{c, "child"})
	}
	for _, p := range ins.parents {
		cands = append(cands, candidate{p, "parent"})
	}
	if len(cands) == 0 {
		d.p.StatutoryHeirs = true
		return
	}
	k := min(1+g.deal("beneficiaries", 45, 38, 17), len(cands))
	var chosen []candidate
	if k == 1 && g.chance(75) {
		chosen = cands[:1] // the closest relative, usually the spouse
	} else {
		idx := g.r.Perm(len(cands))[:k]
		slices.Sort(idx) // spouse before children before parents
		for _, i := range idx {
			chosen = append(chosen, cands[i])
		}
	}
	splits := shareSplits[k]
	shares := splits[g.r.IntN(len(splits))]
	for i, c := range chosen {
		b := anxin.Beneficiary{Name: c.p.name, Relation: c.relation, Share: shares[i]}
		if g.chance(88) {
			b.IDType, b.IDNumber = anxin.ResidentID, c.p.idNumber
		}
		d.p.Beneficiaries = append(d.p.Beneficiaries, b)
	}
}
