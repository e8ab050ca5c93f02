// Package demo builds a deterministic, realistic demo data set: the product
// catalogue, about 200 customers, about 500 policies and one staff account
// per role. It only generates values; loading them is done elsewhere.
//
// Everything is derived from a seed and the demo's "today", so a demo reset
// with the same seed and date shows the same people, numbers and links, and
// statuses (expired, lapsed, in a waiting period) are correct relative to
// that day.
//
// Policy.Premium is the amount collected per payment: the annual premium for
// annual payment, one month's for monthly, the whole premium for single
// payment.
package demo

import (
	"math/rand/v2"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
)

// Password is the password of every demo staff account.
const Password = "anxin-demo"

// Dataset is one generated demo data set.
type Dataset struct {
	Products  []*anxin.Product
	Customers []*anxin.Customer // IDs pre-assigned, UUIDv7 like anxin.NewID(now) but seeded
	Policies  []*anxin.Policy   // PolicyholderID/InsuredID refer to Customers' IDs; IDs pre-assigned
	Staff     []StaffAccount
}

// StaffAccount is a demo sign-in; every account's password is Password.
type StaffAccount struct {
	Username, DisplayName string
	Role                  anxin.Role
	Email                 string
}

// Stream selectors for the PCG generator: the data and the IDs draw from
// separate streams, so a change in how IDs are made does not reshuffle the
// people, and the other way round.
const (
	dataStream = 0x616e78696e2d6461 // "anxin-da"
	idStream   = 0x616e78696e2d6964 // "anxin-id"
)

// Generate builds the data set as of now (the demo's "today"),
// deterministically from seed: the same seed and now give an identical data
// set, IDs included.
func Generate(seed uint64, now time.Time) *Dataset {
	g := newGen(seed, now)
	g.makeIndividuals(individualCount)
	g.makeVisitors()
	g.makeEnterprises(enterpriseCount)
	g.makePolicies()
	ds := &Dataset{Products: g.catalogue, Staff: staffAccounts()}
	ds.Customers, ds.Policies = g.finish()
	return ds
}

// Population of the demo: individuals with a resident ID, plus the visitors
// table and the enterprises, about 200 customers in all.
const (
	individualCount = 181
	enterpriseCount = 10
)

type gen struct {
	r     *rand.Rand
	ids   *idSource
	now   time.Time
	today anxin.Date

	areas     []string // idcheck.AreaCodes, sorted, so draws from it repeat
	catalogue []*anxin.Product
	products  map[string]*anxin.Product

	customers  []*person
	identities map[string]bool // id type + number, customers and relatives alike
	mobiles    map[string]bool
	emails     map[string]bool
	numbers    map[string]bool // policy numbers
	companies  map[string]bool
	agents     map[string][]string // city code → agent codes working there

	drafts []*draft
	decks  map[string]*deck
}

// deck deals outcomes in fixed proportions, reshuffled after each round.
// Shares that a demo must show (so many lapsed policies, so many new health
// policies still in their waiting period) then hold for every seed, where
// independent draws would leave some seeds with none.
type deck struct {
	cards []int
	next  int
}

func newGen(seed uint64, now time.Time) *gen {
	g := &gen{
		r:          rand.New(rand.NewPCG(seed, seed^dataStream)),
		ids:        newIDSource(rand.New(rand.NewPCG(seed, seed^idStream)), now),
		now:        now,
		today:      anxin.DateOf(now),
		areas:      idcheck.AreaCodes(),
		catalogue:  Products(),
		products:   map[string]*anxin.Product{},
		identities: map[string]bool{},
		mobiles:    map[string]bool{},
		emails:     map[string]bool{},
		numbers:    map[string]bool{},
		companies:  map[string]bool{},
		agents:     map[string][]string{},
		decks:      map[string]*deck{},
	}
	for _, p := range g.catalogue {
		g.products[p.Code] = p
	}
	return g
}

// chance reports true pct times in a hundred.
func (g *gen) chance(pct int) bool { return g.r.IntN(100) < pct }

// between returns an integer in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// weighted returns an index into weights, each chosen in proportion to its
// weight.
func (g *gen) weighted(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// deal returns the next outcome, an index into weights, from the deck called
// name; the deck is made from weights on first use, so one name must always
// come with the same weights.
func (g *gen) deal(name string, weights ...int) int {
	d := g.decks[name]
	if d == nil {
		d = &deck{}
		for i, w := range weights {
			for range w {
				d.cards = append(d.cards, i)
			}
		}
		d.next = len(d.cards)
		g.decks[name] = d
	}
	if d.next == len(d.cards) {
		g.r.Shuffle(len(d.cards), func(i, j int) { d.cards[i], d.cards[j] = d.cards[j], d.cards[i] })
		d.next = 0
	}
	d.next++
	return d.cards[d.next-1]
}

// quota is deal for a yes-or-no share: true pct times in every hundred.
func (g *gen) quota(name string, pct int) bool { return g.deal(name, 100-pct, pct) == 1 }

// dayIn returns a day in [from, to]; to before from gives from.
func (g *gen) dayIn(from, to anxin.Date) anxin.Date {
	n := from.DaysUntil(to)
	if n <= 0 {
		return from
	}
	return from.AddDays(g.r.IntN(n + 1))
}

// instant returns a moment during office hours on day d in the demo's time
// zone, never after now: records made "today" must not be in the future.
func (g *gen) instant(d anxin.Date) time.Time {
	t := d.In(g.now.Location()).Add(time.Duration(g.between(9*60, 17*60+59))*time.Minute + time.Duration(g.r.IntN(60))*time.Second)
	if t.After(g.now) {
		return g.now
	}
	return t
}

// ageOn returns the age in whole years on day d of someone born on birth.
func ageOn(birth, d anxin.Date) int {
	age := d.Year - birth.Year
	if d.Month < birth.Month || d.Month == birth.Month && d.Day < birth.Day {
		age--
	}
	return age
}

// addMonths adds n months, clamping to the end of a shorter month the way
// insurers set monthly due dates (a policy effective on 31 January is next
// due on 28 or 29 February, not 3 March).
func addMonths(d anxin.Date, n int) anxin.Date {
	m := int(d.Month) - 1 + n
	y := d.Year + m/12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	last := time.Date(y, time.Month(m+2), 0, 0, 0, 0, 0, time.UTC).Day()
	return anxin.Date{Year: y, Month: time.Month(m + 1), Day: min(d.Day, last)}
}
