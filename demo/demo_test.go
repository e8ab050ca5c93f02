package demo

import (
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/idcheck"
)

// demoNow is a fixed "today" in the zone the platform runs its calendar in.
var demoNow = time.Date(2026, 3, 18, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))

// seeds covers the seed "anxin demo" uses (20261125) and a few others,
// because the minimum counts must hold for any seed, not just the one tuned.
var seeds = []uint64{1, 2, 42, 20261125, 0xdeadbeef}

func TestProductsValidate(t *testing.T) {
	ps := Products()
	want := []string{"AUTO-CTPL", "AUTO-COMM", "LIFE-TERM20", "LIFE-WHOLE", "LIFE-ENDOW10", "HLTH-MED", "HLTH-CI", "HLTH-LTC"}
	if len(ps) != len(want) {
		t.Fatalf("got %d products, want %d", len(ps), len(want))
	}
	kinds := map[string]bool{}
	for i, p := range ps {
		if p.Code != want[i] {
			t.Errorf("product %d: code %s, want %s", i, p.Code, want[i])
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", p.Code, err)
		}
		if p.Name == "" || p.NameEN == "" || !p.Active {
			t.Errorf("%s: names %q/%q, active %v", p.Code, p.Name, p.NameEN, p.Active)
		}
		switch {
		case p.Line == anxin.LineAuto && (p.CoolingOffDays != 0 || p.TermYears != 1):
			t.Errorf("%s: auto has cooling-off %d, term %d", p.Code, p.CoolingOffDays, p.TermYears)
		case p.Line != anxin.LineAuto && (p.TermYears == 0 || p.TermYears > 1) && p.CoolingOffDays != 15:
			t.Errorf("%s: a long-term policy needs a 15-day cooling-off period, has %d", p.Code, p.CoolingOffDays)
		}
		for _, c := range p.Coverages {
			kinds[c.Kind] = true
		}
	}
	for _, k := range anxin.CoverageKinds {
		if !kinds[k.Kind] {
			t.Errorf("no product offers %s", k.Kind)
		}
	}
	// Each call returns fresh values: editing one catalogue must not change
	// the next.
	ps[0].Coverages[0].SumInsured = 1
	if Products()[0].Coverages[0].SumInsured == 1 {
		t.Error("Products shares its coverages between calls")
	}
}

func TestStatutoryTerms(t *testing.T) {
	byCode := map[string]*anxin.Product{}
	for _, p := range Products() {
		byCode[p.Code] = p
	}
	ctpl := byCode["AUTO-CTPL"].Coverages
	if len(ctpl) != 3 || ctpl[0].SumInsured != 18_000_000 || ctpl[1].SumInsured != 1_800_000 || ctpl[2].SumInsured != 200_000 {
		t.Errorf("compulsory traffic limits: %+v", ctpl)
	}
	med := byCode["HLTH-MED"].Coverages
	if len(med) != 2 || med[0].Deductible != 1_000_000 || med[0].ReimbursementRatio != 10000 || med[1].ReimbursementRatio != 6000 ||
		med[0].WaitingPeriodDays != 30 || med[0].AnnualLimit == 0 {
		t.Errorf("medical terms: %+v", med)
	}
	if w := byCode["HLTH-CI"].Coverages[0].WaitingPeriodDays; w != 90 {
		t.Errorf("critical illness waiting period %d, want 90", w)
	}
	if w := byCode["HLTH-LTC"].Coverages[0].WaitingPeriodDays; w != 180 {
		t.Errorf("long-term care waiting period %d, want 180", w)
	}
	if byCode["LIFE-TERM20"].TermYears != 20 || byCode["LIFE-WHOLE"].TermYears != 0 || byCode["LIFE-ENDOW10"].TermYears != 10 {
		t.Error("life terms are wrong")
	}
}

func TestCustomersValidate(t *testing.T) {
	for _, seed := range seeds {
		ds := Generate(seed, demoNow)
		for _, c := range ds.Customers {
			before, _ := json.Marshal(c)
			c.Normalize(demoNow)
			if err := c.Validate(demoNow); err != nil {
				t.Errorf("seed %d: customer %s (%s): %v", seed, c.Name, c.IDNumber, err)
			}
			// Generated data is already in normal form, so loading it
			// changes nothing.
			if after, _ := json.Marshal(c); string(after) != string(before) {
				t.Errorf("seed %d: Normalize changed %s:\n%s\n%s", seed, c.Name, before, after)
			}
		}
	}
}

func TestPoliciesValidate(t *testing.T) {
	for _, seed := range seeds {
		ds := Generate(seed, demoNow)
		products := map[string]*anxin.Product{}
		for _, p := range ds.Products {
			products[p.Code] = p
		}
		for _, p := range ds.Policies {
			before, _ := json.Marshal(p)
			p.Normalize()
			warnings, err := p.Validate(products[p.ProductCode], demoNow)
			if err != nil {
				t.Errorf("seed %d: policy %s: %v", seed, p.Number, err)
			}
			if len(warnings) > 0 {
				t.Errorf("seed %d: policy %s: warnings %v", seed, p.Number, warnings)
			}
			if after, _ := json.Marshal(p); string(after) != string(before) {
				t.Errorf("seed %d: Normalize changed policy %s", seed, p.Number)
			}
		}
	}
}

var policyNumber = regexp.MustCompile(`^P[ALH](20\d\d)\d{8}$`)

// TestConsistency checks what validation alone cannot: links between
// records, uniqueness the store enforces, and facts that must agree with
// the demo's today.
func TestConsistency(t *testing.T) {
	for _, seed := range seeds {
		ds := Generate(seed, demoNow)
		today := anxin.DateOf(demoNow)
		products := map[string]*anxin.Product{}
		for _, p := range ds.Products {
			products[p.Code] = p
		}
		customers := map[string]*anxin.Customer{}
		ids := map[string]bool{}
		docs := map[string]bool{}
		mobiles := map[string]bool{}
		emails := map[string]bool{}
		uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
		for _, c := range ds.Customers {
			if !uuid.MatchString(c.ID) || ids[c.ID] {
				t.Errorf("seed %d: customer ID %q is malformed or repeated", seed, c.ID)
			}
			ids[c.ID] = true
			customers[c.ID] = c
			doc := string(c.IDType) + ":" + c.IDNumber
			if docs[doc] {
				t.Errorf("seed %d: identity document %s repeated", seed, doc)
			}
			docs[doc] = true
			for _, m := range c.Mobiles {
				if mobiles[m] {
					t.Errorf("seed %d: mobile %s repeated", seed, m)
				}
				mobiles[m] = true
			}
			if c.Email != "" {
				if emails[c.Email] {
					t.Errorf("seed %d: email %s repeated", seed, c.Email)
				}
				emails[c.Email] = true
			}
			if c.Kind == anxin.Individual && c.IDType == anxin.ResidentID {
				if y := c.BirthDate.Year; y < today.Year-81 || y > today.Year-21 {
					t.Errorf("seed %d: %s born %d", seed, c.Name, y)
				}
				if idcheck.AreaName(c.IDNumber[:6]) == "" {
					t.Errorf("seed %d: %s has an ID from an unknown area", seed, c.Name)
				}
			}
			for _, cs := range c.Consents {
				if cs.At.After(demoNow) || cs.Channel != "counter" && cs.Channel != "app" && cs.Channel != "agent" {
					t.Errorf("seed %d: %s: consent %+v", seed, c.Name, cs)
				}
			}
			if c.VIP && c.Tier != anxin.TierDiamond && c.Tier != anxin.TierGold {
				t.Errorf("seed %d: VIP %s is %s", seed, c.Name, c.Tier)
			}
		}
		numbers := map[string]bool{}
		involved := map[string]bool{}
		for _, p := range ds.Policies {
			if !uuid.MatchString(p.ID) || ids[p.ID] {
				t.Errorf("seed %d: policy ID %q is malformed or repeated", seed, p.ID)
			}
			ids[p.ID] = true
			m := policyNumber.FindStringSubmatch(p.Number)
			if m == nil || numbers[p.Number] {
				t.Errorf("seed %d: policy number %q is malformed or repeated", seed, p.Number)
			} else if line := map[byte]anxin.Line{'A': anxin.LineAuto, 'L': anxin.LineLife, 'H': anxin.LineHealth}[p.Number[1]]; line != products[p.ProductCode].Line {
				t.Errorf("seed %d: %s is a %s policy", seed, p.Number, products[p.ProductCode].Line)
			} else if m[1] != p.UnderwritingDate.String()[:4] {
				t.Errorf("seed %d: %s underwritten %s", seed, p.Number, p.UnderwritingDate)
			}
			numbers[p.Number] = true
			holder, insured := customers[p.PolicyholderID], customers[p.InsuredID]
			if holder == nil || insured == nil {
				t.Fatalf("seed %d: %s refers to unknown customers", seed, p.Number)
			}
			involved[holder.ID], involved[insured.ID] = true, true
			if insured.Kind == anxin.Enterprise && products[p.ProductCode].Line != anxin.LineAuto {
				t.Errorf("seed %d: %s insures a company's life", seed, p.Number)
			}
			if p.UnderwritingDate.After(p.EffectiveDate) || p.EffectiveDate.After(today) {
				t.Errorf("seed %d: %s underwritten %s, effective %s", seed, p.Number, p.UnderwritingDate, p.EffectiveDate)
			}
			expired := !p.ExpiryDate.IsZero() && !p.ExpiryDate.After(today)
			if expired != (p.Status == anxin.PolicyExpired) {
				t.Errorf("seed %d: %s expires %s but is %s", seed, p.Number, p.ExpiryDate, p.Status)
			}
			if p.Status == anxin.PolicyInForce && p.PaymentFrequency != anxin.PaySingle && p.NextPaymentDate.Before(today) {
				t.Errorf("seed %d: %s in force but next due %s", seed, p.Number, p.NextPaymentDate)
			}
			if p.Status == anxin.PolicyLapsed && !p.NextPaymentDate.Before(today.AddDays(-60)) {
				t.Errorf("seed %d: %s lapsed within the grace period (due %s)", seed, p.Number, p.NextPaymentDate)
			}
			if p.Premium <= 0 {
				t.Errorf("seed %d: %s has premium %s", seed, p.Number, p.Premium)
			}
			if (p.SalesChannel == "agent") != (p.AgentCode != "") {
				t.Errorf("seed %d: %s sold by %s with agent code %q", seed, p.Number, p.SalesChannel, p.AgentCode)
			}
			if p.PaymentMethod == anxin.PayBankDebit && p.BankName == "" {
				t.Errorf("seed %d: %s debits an account with no bank", seed, p.Number)
			}
			if products[p.ProductCode].Line == anxin.LineAuto && p.ExpiryDate != p.EffectiveDate.AddYears(1) {
				t.Errorf("seed %d: auto policy %s runs %s–%s", seed, p.Number, p.EffectiveDate, p.ExpiryDate)
			}
			var total anxin.BasisPoints
			for _, b := range p.Beneficiaries {
				total += b.Share
			}
			if len(p.Beneficiaries) > 0 && total != 10000 {
				t.Errorf("seed %d: %s beneficiary shares sum to %d", seed, p.Number, total)
			}
		}
		for _, c := range ds.Customers {
			if !involved[c.ID] {
				t.Errorf("seed %d: customer %s has no policy", seed, c.Name)
			}
		}
	}
}

// counts sorts a data set into the categories a demo needs to show.
type counts struct {
	customers, individuals, enterprises, foreignDocs    int
	diamond, gold, silver, ordinary, vip                int
	policies, auto, life, health                        int
	inForce, expired, lapsed, terminated, waiting       int
	multiBeneficiary, namedBeneficiary, statutoryHeirs  int
	enterpriseHeld, insuredNotHolder, bankDebit, agents int
}

func count(ds *Dataset) counts {
	var n counts
	today := anxin.DateOf(demoNow)
	lines := map[string]anxin.Line{}
	for _, p := range ds.Products {
		lines[p.Code] = p.Line
	}
	kind := map[string]anxin.CustomerKind{}
	n.customers = len(ds.Customers)
	for _, c := range ds.Customers {
		kind[c.ID] = c.Kind
		switch {
		case c.Kind == anxin.Enterprise:
			n.enterprises++
		case c.IDType != anxin.ResidentID:
			n.foreignDocs++
			n.individuals++
		default:
			n.individuals++
		}
		switch c.Tier {
		case anxin.TierDiamond:
			n.diamond++
		case anxin.TierGold:
			n.gold++
		case anxin.TierSilver:
			n.silver++
		default:
			n.ordinary++
		}
		if c.VIP {
			n.vip++
		}
	}
	n.policies = len(ds.Policies)
	for _, p := range ds.Policies {
		switch lines[p.ProductCode] {
		case anxin.LineAuto:
			n.auto++
		case anxin.LineLife:
			n.life++
		default:
			n.health++
		}
		switch p.Status {
		case anxin.PolicyInForce:
			n.inForce++
			for _, c := range p.Coverages {
				if p.InWaitingPeriod(c, today) {
					n.waiting++
					break
				}
			}
		case anxin.PolicyExpired:
			n.expired++
		case anxin.PolicyLapsed:
			n.lapsed++
		case anxin.PolicyTerminated:
			n.terminated++
		}
		if len(p.Beneficiaries) > 1 {
			n.multiBeneficiary++
		}
		if len(p.Beneficiaries) > 0 {
			n.namedBeneficiary++
		}
		if p.StatutoryHeirs {
			n.statutoryHeirs++
		}
		if kind[p.PolicyholderID] == anxin.Enterprise {
			n.enterpriseHeld++
		}
		if p.PolicyholderID != p.InsuredID {
			n.insuredNotHolder++
		}
		if p.PaymentMethod == anxin.PayBankDebit {
			n.bankDebit++
		}
		if p.AgentCode != "" {
			n.agents++
		}
	}
	return n
}

func TestCounts(t *testing.T) {
	for _, seed := range seeds {
		n := count(Generate(seed, demoNow))
		t.Logf("seed %d: %+v", seed, n)
		checks := []struct {
			name     string
			got, min int
		}{
			{"enterprises", n.enterprises, 8},
			{"passport and permit holders", n.foreignDocs, 5},
			{"diamond", n.diamond, 3},
			{"gold", n.gold, 10},
			{"silver", n.silver, 20},
			{"vip", n.vip, 8},
			{"auto", n.auto, 150},
			{"life", n.life, 40},
			{"health", n.health, 100},
			{"expired", n.expired, 60},
			{"lapsed", n.lapsed, 4},
			{"terminated", n.terminated, 3},
			{"in waiting period", n.waiting, 15},
			{"multi-beneficiary", n.multiBeneficiary, 15},
			{"statutory heirs", n.statutoryHeirs, 100},
			{"enterprise-held", n.enterpriseHeld, 30},
			{"insured not the holder", n.insuredNotHolder, 20},
		}
		for _, c := range checks {
			if c.got < c.min {
				t.Errorf("seed %d: %d %s policies/customers, want at least %d", seed, c.got, c.name, c.min)
			}
		}
		if n.customers < 190 || n.customers > 210 {
			t.Errorf("seed %d: %d customers, want about 200", seed, n.customers)
		}
		if n.policies < 440 || n.policies > 570 {
			t.Errorf("seed %d: %d policies, want about 500", seed, n.policies)
		}
		if n.ordinary <= n.silver || n.silver <= n.gold || n.gold <= n.diamond {
			t.Errorf("seed %d: tiers are not a pyramid: %+v", seed, n)
		}
		if n.bankDebit*2 < n.policies {
			t.Errorf("seed %d: only %d of %d policies paid by bank debit", seed, n.bankDebit, n.policies)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, b := Generate(7, demoNow), Generate(7, demoNow)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed and day gave different data sets")
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("the same seed and day gave different JSON")
	}
	c := Generate(8, demoNow)
	if c.Customers[0].ID == a.Customers[0].ID || c.Customers[0].IDNumber == a.Customers[0].IDNumber {
		t.Error("different seeds gave the same customers")
	}
	// The same instant in another zone is another "today" only if the date
	// differs; IDs carry the instant, not the zone.
	d := Generate(7, demoNow.UTC())
	if d.Customers[0].ID != a.Customers[0].ID {
		t.Error("IDs depend on the zone of now")
	}
}

// TestOtherToday checks that statuses and ages follow the demo's today, not
// the date the code was written.
func TestOtherToday(t *testing.T) {
	now := time.Date(2031, 12, 31, 23, 0, 0, 0, time.UTC)
	ds := Generate(3, now)
	products := map[string]*anxin.Product{}
	for _, p := range ds.Products {
		products[p.Code] = p
	}
	for _, c := range ds.Customers {
		c.Normalize(now)
		if err := c.Validate(now); err != nil {
			t.Errorf("customer %s: %v", c.Name, err)
		}
	}
	for _, p := range ds.Policies {
		p.Normalize()
		if _, err := p.Validate(products[p.ProductCode], now); err != nil {
			t.Errorf("policy %s: %v", p.Number, err)
		}
		if p.EffectiveDate.After(anxin.DateOf(now)) {
			t.Errorf("policy %s effective %s, after today", p.Number, p.EffectiveDate)
		}
	}
}

func TestStaff(t *testing.T) {
	ds := Generate(1, demoNow)
	roles := map[anxin.Role]int{}
	users := map[string]bool{}
	for _, s := range ds.Staff {
		if users[s.Username] {
			t.Errorf("username %s repeated", s.Username)
		}
		users[s.Username] = true
		roles[s.Role]++
		if !anxin.ValidRole(s.Role) || s.DisplayName == "" || s.Email != s.Username+"@demo.anxin.local" {
			t.Errorf("bad account %+v", s)
		}
	}
	for _, r := range anxin.Roles {
		if roles[r.Role] == 0 {
			t.Errorf("no account for %s", r.Role)
		}
	}
	if roles[anxin.RoleCSR] != 2 || !users["csr2"] {
		t.Error("want two customer service accounts, csr and csr2")
	}
	if !users["admin"] {
		t.Fatal("no admin account")
	}
	for _, s := range ds.Staff {
		if s.Username == "admin" && s.Role != anxin.RoleAdmin {
			t.Errorf("admin has role %s", s.Role)
		}
	}
}

func TestAddMonths(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2026-03-15", 12, "2027-03-15"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-05-31", -3, "2026-02-28"},
	} {
		if got := addMonths(anxin.MustDate(c.from), c.n); got.String() != c.want {
			t.Errorf("addMonths(%s, %d) = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		Generate(1, demoNow)
	}
}
