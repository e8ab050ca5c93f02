package demo

import (
	"fmt"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
)

// draft is a policy while the data set is being built: the parties are still
// people, because customer IDs are assigned only at the end.
type draft struct {
	p       *anxin.Policy
	holder  *person
	insured *person
	changed anxin.Date // day of the last status change (lapse, surrender, expiry)
}

// makePolicies gives every customer the policies a person of their age and
// situation plausibly holds, then makes sure nobody is left without one: a
// customer record exists because of a policy.
func (g *gen) makePolicies() {
	var individuals, orgs []*person
	for _, p := range g.customers {
		if p.org {
			orgs = append(orgs, p)
		} else {
			individuals = append(individuals, p)
		}
	}
	for _, p := range individuals {
		g.portfolio(p)
	}
	for _, o := range orgs {
		for range 1 + g.deal("fleet", 4, 4, 2) {
			g.car(o)
		}
		if g.quota("staff cover", 60) {
			g.staffCover(o, individuals)
		}
	}
	for _, p := range individuals {
		if p.policies == 0 {
			g.fallback(p)
		}
	}
}

// portfolio decides, line by line, what p is insured for. The chances are
// tuned so the whole data set has about 500 policies with auto the largest
// line, as at a composite insurer's service centre.
func (g *gen) portfolio(p *person) {
	age := p.age(g.today)
	if age >= 23 && age <= 72 && g.quota("car", 26) {
		g.car(p)
	}
	if age <= 70 && g.quota("medical", 30) {
		g.medical(g.holderFor(p), p)
	}
	if g.quota("critical illness", 20) {
		g.longTerm(codeHealthCI, g.holderFor(p), p)
	}
	if age >= 42 && g.quota("long-term care", 10) {
		g.longTerm(codeHealthLTC, g.holderFor(p), p)
	}
	if g.quota("term life", 22) {
		g.longTerm(codeLifeTerm20, g.holderFor(p), p)
	}
	if g.quota("whole life", 14) {
		g.longTerm(codeLifeWhole, g.holderFor(p), p)
	}
	if g.quota("endowment", 12) {
		g.longTerm(codeLifeEndow10, g.holderFor(p), p)
	}
}

// holderFor picks who pays for insured's cover: usually the insured, but a
// customer spouse or parent sometimes, which is how the same family shows up
// on both sides of a policy.
func (g *gen) holderFor(insured *person) *person {
	if s := insured.spouse; s != nil && s.c != nil && g.chance(30) {
		return s
	}
	for _, par := range insured.parents {
		if par.c != nil && g.chance(60) {
			return par
		}
	}
	return insured
}

// staffCover has an enterprise insure one to three employees, as companies
// do for key staff.
func (g *gen) staffCover(org *person, individuals []*person) {
	var local, other []*person
	for _, p := range individuals {
		if p.idType != anxin.ResidentID || p.age(g.today) < 25 || p.age(g.today) > 55 {
			continue
		}
		if p.area[:2] == org.area[:2] {
			local = append(local, p)
		} else {
			other = append(other, p)
		}
	}
	// Colleagues from the company's province first, as they work there.
	for _, list := range [][]*person{local, other} {
		g.r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	pool := append(local, other...)
	for _, emp := range pool[:min(g.between(1, 3), len(pool))] {
		if g.chance(50) {
			g.longTerm(codeHealthCI, org, emp)
		} else {
			g.medical(org, emp)
		}
	}
}

// fallback gives a customer who drew nothing a policy that fits any age:
// medical cover, or for the old a single-premium whole life bought at 55–65.
func (g *gen) fallback(p *person) {
	if p.age(g.today) <= 65 {
		g.medical(p, p)
		return
	}
	prod := g.products[codeLifeWhole]
	eff := p.birth.AddYears(g.between(55, 65)).AddDays(g.r.IntN(300))
	if eff.After(g.today.AddDays(-120)) {
		eff = g.today.AddDays(-120)
	}
	d := g.newPolicy(prod, p, p, eff, g.underwriting(eff, false), g.channel(anxin.LineLife, p))
	g.priceLongTerm(d, anxin.PaySingle)
	g.payment(d, anxin.PaySingle, g.method(d.p.SalesChannel, p, 60))
	g.designate(d)
	g.settle(d, 0, 0)
}

// underwriting returns the day a policy effective on eff was accepted: the
// day before (cover starts at 0:00 the day after acceptance) or the same day,
// or for a renewal up to three weeks ahead.
func (g *gen) underwriting(eff anxin.Date, renewal bool) anxin.Date {
	if renewal {
		return eff.AddDays(-g.between(1, 20))
	}
	return eff.AddDays(-g.weighted(15, 85))
}

// newPolicy starts a policy on prod, in force, with its number, term and
// sales channel; the caller adds coverages, premium and payment.
func (g *gen) newPolicy(prod *anxin.Product, holder, insured *person, eff, uw anxin.Date, channel string) *draft {
	p := &anxin.Policy{
		Number:           g.number(prod.Line, uw),
		ProductCode:      prod.Code,
		EffectiveDate:    eff,
		UnderwritingDate: uw,
		Status:           anxin.PolicyInForce,
		SalesChannel:     channel,
		Version:          1,
	}
	if prod.TermYears > 0 {
		p.ExpiryDate = eff.AddYears(prod.TermYears)
	}
	if channel == "agent" {
		if holder.agent == "" {
			holder.agent = g.agentFor(holder.area)
		}
		p.AgentCode = holder.agent
	}
	d := &draft{p: p, holder: holder, insured: insured}
	g.drafts = append(g.drafts, d)
	holder.policies++
	if insured != holder {
		insured.policies++
	}
	return d
}

// number makes a policy number: P, the line's letter, the underwriting year
// and eight digits, unique in the data set.
func (g *gen) number(line anxin.Line, uw anxin.Date) string {
	letter := lineLetters[line]
	for {
		n := fmt.Sprintf("P%s%04d%08d", letter, uw.Year, g.r.IntN(100_000_000))
		if !g.numbers[n] {
			g.numbers[n] = true
			return n
		}
	}
}

var lineLetters = map[anxin.Line]string{anxin.LineAuto: "A", anxin.LineLife: "L", anxin.LineHealth: "H"}

// agentFor returns the code of an agent working in the area's city; each
// city has a few agents, so one agent serves many customers there.
func (g *gen) agentFor(area string) string {
	city := area[:4]
	if list := g.agents[city]; len(list) >= 3 || len(list) > 0 && g.chance(50) {
		return list[g.r.IntN(len(list))]
	}
	code := fmt.Sprintf("AX%s%04d", city, g.between(1, 9999))
	g.agents[city] = append(g.agents[city], code)
	return code
}

// channel picks how a policy was sold, with each line's usual mix:
// dealers and online for cars, agents and banks for life, agents and online
// platforms for health; companies buy through brokers and agents.
func (g *gen) channel(line anxin.Line, holder *person) string {
	switch {
	case holder.org && line == anxin.LineAuto:
		return []string{"broker", "agent", "counter", "car_dealer"}[g.weighted(35, 30, 20, 15)]
	case holder.org:
		return []string{"broker", "agent"}[g.weighted(60, 40)]
	case line == anxin.LineAuto:
		return []string{"car_dealer", "online", "telesales", "agent", "counter", "broker"}[g.weighted(30, 25, 15, 20, 5, 5)]
	case line == anxin.LineLife:
		return []string{"agent", "bancassurance", "broker", "counter"}[g.weighted(62, 25, 5, 8)]
	default:
		return []string{"agent", "online", "bancassurance", "telesales", "broker", "counter"}[g.weighted(35, 32, 10, 15, 3, 5)]
	}
}

// method picks how the premium is collected. A policy sold at a bank branch
// is debited from that bank's card; cash is taken only at a counter.
func (g *gen) method(channel string, holder *person, bankPct int) anxin.PaymentMethod {
	switch {
	case channel == "bancassurance":
		return anxin.PayBankDebit
	case channel == "counter" && !holder.org && g.chance(40):
		return anxin.PayCash
	case g.chance(bankPct):
		return anxin.PayBankDebit
	default:
		return anxin.PayOnline
	}
}

// payment sets frequency and method; a bank debit uses the holder's card
// (for a company, its UnionPay corporate settlement card).
func (g *gen) payment(d *draft, freq anxin.PaymentFrequency, m anxin.PaymentMethod) {
	d.p.PaymentFrequency, d.p.PaymentMethod = freq, m
	if m != anxin.PayBankDebit {
		return
	}
	h := d.holder
	if h.card == "" {
		h.bank = banks[g.weighted(bankWeights...)].name
		h.card = idcheck.GenerateBankCard(g.r)
	}
	d.p.BankName, d.p.BankAccount = h.bank, h.card
}

// due returns the k-th premium due date after the effective date.
func due(p *anxin.Policy, k int) anxin.Date {
	switch p.PaymentFrequency {
	case anxin.PayMonthly:
		return addMonths(p.EffectiveDate, k)
	case anxin.PayQuarterly:
		return addMonths(p.EffectiveDate, 3*k)
	default:
		return p.EffectiveDate.AddYears(k)
	}
}

// Grace period (宽限期) after a missed premium before the policy lapses, and
// the reinstatement window (复效期) within which a lapsed policy is still on
// the books rather than terminated.
const (
	graceDays          = 60
	reinstatementYears = 2
)

// settle sets the status as of today, and the next payment date that goes
// with it: policies past their expiry are expired; a few long-term ones
// lapsed over a missed premium (their next payment date is the one missed)
// or were surrendered; the rest are in force and next due on the first due
// date from today on.
func (g *gen) settle(d *draft, lapsePct, surrenderPct int) {
	p := d.p
	if !p.ExpiryDate.IsZero() && !p.ExpiryDate.After(g.today) {
		p.Status, d.changed = anxin.PolicyExpired, p.ExpiryDate
		return
	}
	periodic := p.PaymentFrequency != anxin.PaySingle
	outcome := 0
	if lapsePct+surrenderPct > 0 {
		outcome = g.deal("status", 100-lapsePct-surrenderPct, lapsePct, surrenderPct)
	}
	switch {
	case outcome == 1 && periodic:
		var missed []anxin.Date
		floor := g.today.AddYears(-reinstatementYears)
		for k := 1; ; k++ {
			dd := due(p, k)
			if dd.After(g.today.AddDays(-graceDays - 1)) {
				break
			}
			if !dd.Before(floor) {
				missed = append(missed, dd)
			}
		}
		if len(missed) > 0 {
			dd := missed[g.r.IntN(len(missed))]
			p.Status, p.NextPaymentDate, d.changed = anxin.PolicyLapsed, dd, dd.AddDays(graceDays)
			return
		}
	case outcome == 2 && p.EffectiveDate.Before(g.today.AddDays(-60)):
		p.Status, d.changed = anxin.PolicyTerminated, g.dayIn(p.EffectiveDate.AddDays(60), g.today)
		return
	}
	p.Status = anxin.PolicyInForce
	if periodic {
		for k := 1; ; k++ {
			if dd := due(p, k); !dd.Before(g.today) {
				p.NextPaymentDate = dd
				break
			}
		}
	}
}

// installment converts an annual premium to the amount collected per
// payment; paying monthly or quarterly costs a little more over the year.
func installment(annual anxin.Fen, f anxin.PaymentFrequency) anxin.Fen {
	switch f {
	case anxin.PayMonthly:
		return anxin.BasisPoints(900).Of(annual)
	case anxin.PayQuarterly:
		return anxin.BasisPoints(2650).Of(annual)
	default:
		return annual
	}
}

// annualised is the premium volume a policy brings in a year, the measure
// the tiers are drawn by.
func annualised(p *anxin.Policy) anxin.Fen {
	switch p.PaymentFrequency {
	case anxin.PayMonthly:
		return 12 * p.Premium
	case anxin.PayQuarterly:
		return 4 * p.Premium
	default:
		return p.Premium
	}
}

func toYuan(f anxin.Fen) anxin.Fen { return (f + yuan/2) / yuan * yuan }
