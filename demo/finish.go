package demo

import (
	"cmp"
	"slices"
	"time"

	"github.com/anxin-insure/anxin"
)

// finish assigns IDs and timestamps, links policies to customer IDs, and
// derives what depends on the policies: tiers, VIP flags and consents.
func (g *gen) finish() ([]*anxin.Customer, []*anxin.Policy) {
	customers := make([]*anxin.Customer, len(g.customers))
	for i, p := range g.customers {
		p.c.ID = g.ids.next()
		customers[i] = p.c
	}

	// Policies in the order they were written, so that IDs and the list
	// order both follow the book's history.
	slices.SortStableFunc(g.drafts, func(a, b *draft) int {
		return cmp.Or(
			cmp.Compare(dateKey(a.p.UnderwritingDate), dateKey(b.p.UnderwritingDate)),
			cmp.Compare(dateKey(a.p.EffectiveDate), dateKey(b.p.EffectiveDate)),
			cmp.Compare(a.p.Number, b.p.Number),
		)
	})
	policies := make([]*anxin.Policy, len(g.drafts))
	written := make(map[*draft]time.Time, len(g.drafts))
	for i, d := range g.drafts {
		p := d.p
		p.ID = g.ids.next()
		p.PolicyholderID, p.InsuredID = d.holder.c.ID, d.insured.c.ID
		at := g.instant(p.UnderwritingDate).UTC()
		written[d] = at
		p.CreatedAt, p.UpdatedAt = at, at
		if !d.changed.IsZero() {
			if t := g.instant(d.changed).UTC(); t.After(at) {
				p.UpdatedAt = t
			}
		}
		policies[i] = p
	}

	g.assignTiers()
	for _, p := range g.customers {
		g.consents(p, written)
	}
	return customers, policies
}

// dateKey orders dates without the time arithmetic of Date.DaysUntil, which
// dominated the sort.
func dateKey(d anxin.Date) int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// Tier shares: the top 3% of customers by premium volume are diamond, the
// next 12% gold and the next 25% silver; VIP service goes to every diamond
// customer and the better half of gold.
const (
	diamondPct = 3
	goldPct    = 12
	silverPct  = 25
)

// assignTiers ranks customers by the annual premium of the policies they pay
// for and keep in force: tiers follow value, as the CRM rules ask.
func (g *gen) assignTiers() {
	volume := map[*person]anxin.Fen{}
	for _, d := range g.drafts {
		if d.p.Status == anxin.PolicyInForce {
			volume[d.holder] += annualised(d.p)
		}
	}
	ranked := slices.Clone(g.customers)
	slices.SortStableFunc(ranked, func(a, b *person) int { return cmp.Compare(volume[b], volume[a]) })
	n := len(ranked)
	diamond, gold, silver := n*diamondPct/100, n*goldPct/100, n*silverPct/100
	for i, p := range ranked {
		if volume[p] == 0 {
			break
		}
		switch {
		case i < diamond:
			p.c.Tier, p.c.VIP = anxin.TierDiamond, true
		case i < diamond+gold:
			p.c.Tier, p.c.VIP = anxin.TierGold, i < diamond+gold/2
		case i < diamond+gold+silver:
			p.c.Tier = anxin.TierSilver
		}
	}
}

// consents records what p agreed to, when and where: contact for service
// when they first became a customer (most agreed, a few later withdrew),
// marketing for about a third, health data when a health policy was
// underwritten, and the debit account when they first paid by bank debit.
// The customer's record dates from that first contact.
func (g *gen) consents(p *person, written map[*draft]time.Time) {
	var first, health, bank *draft
	for _, d := range g.drafts { // in underwriting order, so the first seen is the earliest
		if d.holder != p && d.insured != p {
			continue
		}
		if first == nil {
			first = d
		}
		if health == nil && !p.org && g.products[d.p.ProductCode].Line == anxin.LineHealth {
			health = d
		}
		if bank == nil && !p.org && d.holder == p && d.p.PaymentMethod == anxin.PayBankDebit {
			bank = d
		}
	}
	c := p.c
	if first == nil {
		c.CreatedAt, c.UpdatedAt = g.now.UTC(), g.now.UTC()
		return
	}
	start := written[first]
	channel := consentChannel(first.p.SalesChannel)
	var list []anxin.Consent
	grant := func(purpose string, at time.Time, channel string) {
		list = append(list, anxin.Consent{Purpose: purpose, Granted: true, Channel: channel, At: at})
	}
	withdraw := func(purpose string) {
		at := g.instant(g.dayIn(first.p.UnderwritingDate.AddDays(30), g.today)).UTC()
		list = append(list, anxin.Consent{Purpose: purpose, Granted: false, Channel: "app", At: at})
	}
	switch u := g.r.IntN(100); {
	case u < 93:
		grant("service_contact", start, channel)
	case u < 96:
		grant("service_contact", start, channel)
		withdraw("service_contact")
	}
	if g.chance(35) {
		// Ticked on the same form a moment later.
		at := start.Add(30 * time.Second)
		if at.After(g.now) {
			at = start
		}
		grant("marketing", at, channel)
		if g.chance(15) {
			withdraw("marketing")
		}
	}
	if health != nil {
		grant("health_data", written[health], consentChannel(health.p.SalesChannel))
	}
	if bank != nil {
		grant("financial_account", written[bank], consentChannel(bank.p.SalesChannel))
	}
	slices.SortStableFunc(list, func(a, b anxin.Consent) int { return a.At.Compare(b.At) })
	c.Consents = append([]anxin.Consent{}, list...) // empty, not nil, as the store returns it
	c.CreatedAt, c.UpdatedAt = start, start
	if len(list) > 0 && list[len(list)-1].At.After(start) {
		c.UpdatedAt = list[len(list)-1].At
	}
}

// consentChannel is where a consent was given: on paper with an agent (or a
// broker's adviser), in the app for online and phone sales (confirmed by
// the link the customer receives), and at a counter for the rest (branch,
// bank, car dealer).
func consentChannel(salesChannel string) string {
	switch salesChannel {
	case "agent", "broker":
		return "agent"
	case "online", "telesales":
		return "app"
	default:
		return "counter"
	}
}
