package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
)

// person is a customer (individual or enterprise) or a relative who appears
// only as a beneficiary. Relatives are made on first need and remembered, so
// a man who names his wife on two policies names the same woman twice.
type person struct {
	c   *anxin.Customer // nil for a relative who is not a customer
	org bool

	name     string
	surname  hanzi
	given    hanzi
	male     bool
	birth    anxin.Date
	idType   anxin.IDType
	idNumber string
	hukou    string // area code of household registration: the ID's area
	area     string // area code where they live

	spouse                                   *person
	children, parents                        []*person
	spouseKnown, childrenKnown, parentsKnown bool

	bank, card string // premium collection account, made on first need
	agent      string // the agent who serves them, once one has sold to them
	policies   int    // as policyholder or insured
}

func (p *person) age(d anxin.Date) int { return ageOn(p.birth, d) }

// makeIndividuals creates n resident-ID customers, in households: some
// couples are both customers, and some older parents have a grown-up child
// who is a customer too, so that family policies and beneficiaries link
// real records.
func (g *gen) makeIndividuals(n int) {
	made := 0
	for made < n {
		area := g.area()
		hukou := area
		if g.chance(25) {
			// People move for work; the ID keeps the birthplace's code.
			hukou = g.area()
		}
		address := g.homeAddress(area)
		head := g.newIndividual(g.chance(50), g.birthForAge(g.adultAge()), hukou, area, g.surname())
		g.addCustomer(head, address)
		made++

		if made < n && head.age(g.today) >= 26 && g.chance(30) {
			offset := g.between(-2, 6) // husbands are usually a little older
			if !head.male {
				offset = -offset
			}
			age := min(max(head.age(g.today)-offset, minAdultAge), maxAdultAge)
			spouse := g.newIndividual(!head.male, g.birthForAge(age), g.spouseHukou(hukou), area, g.surname())
			head.spouse, spouse.spouse = spouse, head
			head.spouseKnown, spouse.spouseKnown = true, true
			g.addCustomer(spouse, address)
			made++
		}
		if made < n && head.age(g.today) >= 45 && g.chance(35) {
			birth := head.birth.AddYears(g.between(24, 34)).AddDays(g.r.IntN(365))
			if ageOn(birth, g.today) < minAdultAge {
				continue
			}
			// Children take their father's surname.
			sn := head.surname
			if !head.male && head.spouse != nil {
				sn = head.spouse.surname
			}
			child := g.newIndividual(g.chance(50), birth, hukou, area, sn)
			child.parents = []*person{head}
			if head.spouse != nil {
				child.parents = append(child.parents, head.spouse)
				head.spouse.children = append(head.spouse.children, child)
				head.spouse.childrenKnown = true
			}
			head.children = append(head.children, child)
			head.childrenKnown, child.parentsKnown = true, true
			// Grown children often live elsewhere in the same city.
			g.addCustomer(child, g.homeAddress(area))
			made++
		}
	}
}

// Adult customers are 21 to 80 years old on the demo's today (born 1945–2005
// for a demo dated 2026).
const (
	minAdultAge = 21
	maxAdultAge = 80
)

func (g *gen) adultAge() int {
	switch g.weighted(25, 28, 22, 15, 10) {
	case 0:
		return g.between(minAdultAge+4, 34)
	case 1:
		return g.between(35, 44)
	case 2:
		return g.between(45, 54)
	case 3:
		return g.between(55, 64)
	default:
		return g.between(65, maxAdultAge)
	}
}

// birthForAge returns a birth date on which someone is exactly age today.
func (g *gen) birthForAge(age int) anxin.Date {
	return g.today.AddYears(-age).AddDays(-g.r.IntN(365))
}

func (g *gen) area() string { return g.areas[g.r.IntN(len(g.areas))] }

// spouseHukou: most couples registered in the same province.
func (g *gen) spouseHukou(hukou string) string {
	if g.chance(70) {
		return hukou
	}
	return g.area()
}

func (g *gen) surname() hanzi { return surnames[g.weighted(surnameWeights...)].hanzi }

func (g *gen) givenName(male bool, birth anxin.Date) hanzi {
	e := eraYoung
	switch {
	case birth.Year < 1965:
		e = eraOld
	case birth.Year < 1985:
		e = eraMid
	}
	sex := 0
	if male {
		sex = 1
	}
	names := givenNames[e][sex]
	return names[g.r.IntN(len(names))]
}

// newIndividual makes a person with a unique, valid resident ID.
func (g *gen) newIndividual(male bool, birth anxin.Date, hukou, area string, sn hanzi) *person {
	given := g.givenName(male, birth)
	p := &person{
		name: sn.zh + given.zh, surname: sn, given: given,
		male: male, birth: birth, idType: anxin.ResidentID, hukou: hukou, area: area,
	}
	for {
		p.idNumber = idcheck.GenerateResidentID(g.r, hukou, birth.In(time.UTC), male)
		if g.claimIdentity(p.idType, p.idNumber) {
			return p
		}
	}
}

// claimIdentity records a document number, reporting false if someone
// already holds it: the store rejects a second customer with the same
// document, and a beneficiary must not share a customer's number either.
func (g *gen) claimIdentity(t anxin.IDType, number string) bool {
	key := string(t) + ":" + number
	if g.identities[key] {
		return false
	}
	g.identities[key] = true
	return true
}

// addCustomer turns p into a customer record; tier, VIP flag and consents
// follow in finish, once the policies show what the customer is worth.
func (g *gen) addCustomer(p *person, address string) {
	c := &anxin.Customer{
		Kind:     anxin.Individual,
		Name:     p.name,
		IDType:   p.idType,
		IDNumber: p.idNumber,
		Address:  address,
		Tier:     anxin.TierOrdinary,
		Consents: []anxin.Consent{},
		Version:  1,
	}
	if p.org {
		c.Kind = anxin.Enterprise
		c.Mobiles = []string{g.mobile()}
	} else {
		c.Gender = anxin.Female
		if p.male {
			c.Gender = anxin.Male
		}
		c.BirthDate = p.birth
		c.Mobiles = []string{g.mobile()}
		if g.chance(20) {
			// A second number: a work phone, or a second SIM.
			c.Mobiles = append(c.Mobiles, g.mobile())
		}
		pct := 50
		if p.age(g.today) >= 60 {
			pct = 15
		}
		if p.idType == anxin.ResidentID && g.chance(pct) {
			c.Email = g.personalEmail(p, c.Mobiles[0])
		}
	}
	p.c = c
	g.customers = append(g.customers, p)
}

func (g *gen) mobile() string {
	for {
		m := idcheck.GenerateMobile(g.r)
		if !g.mobiles[m] {
			g.mobiles[m] = true
			return m
		}
	}
}

// personalEmail picks an address the way people do: a QQ number, the mobile
// number at China Mobile's 139.com, or pinyin with a birth year or a few
// digits.
func (g *gen) personalEmail(p *person, mobile string) string {
	domain := mailDomains[g.weighted(mailWeights...)].domain
	var local string
	switch {
	case domain == "qq.com" && g.chance(70):
		local = fmt.Sprint(g.between(10_000, 3_999_999_999))
	case domain == "139.com":
		local = mobile
	default:
		sn, gv := p.surname.py, p.given.py
		switch g.r.IntN(5) {
		case 0:
			local = sn + gv
		case 1:
			local = sn + "." + gv
		case 2:
			local = gv + "." + sn
		case 3:
			local = sn + gv + fmt.Sprint(p.birth.Year)
		default:
			local = sn[:1] + gv + fmt.Sprintf("%02d", p.birth.Year%100)
		}
	}
	addr := local + "@" + domain
	for g.emails[addr] {
		addr = local + fmt.Sprint(g.between(1, 999)) + "@" + domain
	}
	g.emails[addr] = true
	return addr
}

// homeAddress returns a full residential address in the area: district,
// street and number, compound, building, unit and flat.
func (g *gen) homeAddress(area string) string {
	var b strings.Builder
	b.WriteString(idcheck.AreaName(area))
	b.WriteString(streets[g.r.IntN(len(streets))])
	fmt.Fprintf(&b, "%d号", g.between(1, 399))
	floor, flat := g.between(1, 32), g.between(1, 4)
	if g.chance(60) {
		b.WriteString(residences[g.r.IntN(len(residences))])
		fmt.Fprintf(&b, "%d栋%d单元%d%02d室", g.between(1, 24), g.between(1, 4), floor, flat)
	} else {
		fmt.Fprintf(&b, "%d号楼%d%02d室", g.between(1, 12), floor, flat)
	}
	return b.String()
}

func (g *gen) officeAddress(area string) string {
	var b strings.Builder
	b.WriteString(idcheck.AreaName(area))
	b.WriteString(streets[g.r.IntN(len(streets))])
	fmt.Fprintf(&b, "%d号", g.between(1, 999))
	b.WriteString(officeBuildings[g.r.IntN(len(officeBuildings))])
	if g.chance(50) {
		fmt.Fprintf(&b, "%d号楼", g.between(1, 9))
	} else {
		floor := g.between(3, 45)
		fmt.Fprintf(&b, "%d层%d%02d室", floor, floor, g.between(1, 20))
	}
	return b.String()
}

// makeVisitors adds the customers known by a passport or a travel permit.
func (g *gen) makeVisitors() {
	for _, v := range visitors {
		p := &person{name: v.name, male: v.male, birth: g.birthForAge(g.between(28, 66)), area: v.city, hukou: v.city}
		for {
			var b strings.Builder
			b.WriteString(v.prefix)
			for range v.digits {
				b.WriteByte(byte('0' + g.r.IntN(10)))
			}
			p.idNumber = b.String()
			switch v.docType {
			case "passport":
				p.idType = anxin.Passport
			case "tw":
				p.idType = anxin.TaiwanPermit
			default:
				p.idType = anxin.HKMacauPermit
			}
			if g.claimIdentity(p.idType, p.idNumber) {
				break
			}
		}
		// Their families are not on file, so their policies leave death
		// benefits to the statutory heirs.
		p.spouseKnown, p.childrenKnown, p.parentsKnown = true, true, true
		g.addCustomer(p, g.homeAddress(v.city))
		if v.email != "" && !g.emails[v.email] {
			g.emails[v.email] = true
			p.c.Email = v.email
		}
	}
}

// makeEnterprises adds companies with a unified social credit code, a
// contact mobile and an office address.
func (g *gen) makeEnterprises(n int) {
	for range n {
		// The credit code carries the county where the company registered;
		// its name and office follow from it.
		var code string
		for {
			code = idcheck.GenerateCreditCode(g.r)
			if g.claimIdentity(anxin.CreditCode, code) {
				break
			}
		}
		area := code[2:8]
		var name, domain string
		for {
			trade := tradeNames[g.r.IntN(len(tradeNames))]
			ind := industries[g.r.IntN(len(industries))]
			suffix := "有限公司"
			if g.chance(20) {
				suffix = "股份有限公司"
			}
			name = cityPrefix(idcheck.AreaName(area)) + trade.zh + ind.zh + suffix
			domain = trade.py + ind.py + ".com"
			if !g.companies[name] {
				g.companies[name] = true
				break
			}
		}
		p := &person{org: true, name: name, idType: anxin.CreditCode, idNumber: code, area: area, hukou: area}
		p.spouseKnown, p.childrenKnown, p.parentsKnown = true, true, true
		g.addCustomer(p, g.officeAddress(area))
		if g.chance(70) && !g.emails["hr@"+domain] {
			g.emails["hr@"+domain] = true
			p.c.Email = "hr@" + domain
		}
	}
}

// cityPrefix returns the city part of a county's full name, the way company
// names begin: "上海" for a Shanghai district, "苏州市" for 江苏省苏州市虎丘区.
func cityPrefix(full string) string {
	for _, m := range []string{"北京", "天津", "上海", "重庆"} {
		if strings.HasPrefix(full, m+"市") {
			return m
		}
	}
	rest := full
	for _, p := range []string{"省", "自治区"} {
		if i := strings.Index(rest, p); i >= 0 {
			rest = rest[i+len(p):]
			break
		}
	}
	if i := strings.Index(rest, "市"); i >= 0 {
		return rest[:i+len("市")]
	}
	return rest
}

// relatives fills in the spouse, children and parents of p on first need,
// consistently with what is already known (a customer spouse, a customer
// child).
func (g *gen) relatives(p *person) {
	age := p.age(g.today)
	if !p.spouseKnown {
		p.spouseKnown = true
		if age >= 25 && g.chance(82) {
			offset := g.between(-2, 6)
			if !p.male {
				offset = -offset
			}
			p.spouse = g.newIndividual(!p.male, g.birthForAge(max(age-offset, 20)), g.spouseHukou(p.hukou), p.area, g.surname())
			p.spouse.spouseKnown, p.spouse.spouse = true, p
		}
	}
	if !p.childrenKnown {
		p.childrenKnown = true
		if p.spouse != nil && p.spouse.childrenKnown {
			p.children = p.spouse.children
		} else if age >= 27 {
			n := g.weighted(15, 55, 30)
			sn := p.surname
			if !p.male && p.spouse != nil {
				sn = p.spouse.surname
			}
			for range n {
				birth := p.birth.AddYears(g.between(23, 36)).AddDays(g.r.IntN(365))
				if birth.After(g.today.AddDays(-30)) {
					break
				}
				child := g.newIndividual(g.chance(50), birth, p.hukou, p.area, sn)
				child.parentsKnown = true
				p.children = append(p.children, child)
			}
			if p.spouse != nil {
				p.spouse.children, p.spouse.childrenKnown = p.children, true
			}
		}
	}
	if !p.parentsKnown {
		p.parentsKnown = true
		if age <= 58 {
			father := g.newIndividual(true, p.birth.AddYears(-g.between(24, 34)).AddDays(-g.r.IntN(365)), p.hukou, p.hukou, p.surname)
			mother := g.newIndividual(false, father.birth.AddYears(g.between(-1, 4)).AddDays(g.r.IntN(365)), g.spouseHukou(p.hukou), p.hukou, g.surname())
			p.parents = []*person{father, mother}
		}
	}
}
