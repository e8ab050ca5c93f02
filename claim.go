package anxin

import (
	"fmt"
	"strings"
	"time"
)

// ClaimType is what a claim is for; each belongs to one coverage kind.
type ClaimType string

const (
	ClaimMedical           ClaimType = "medical_expense"    // 医疗费用
	ClaimCriticalIllness   ClaimType = "critical_illness"   // 重大疾病确诊
	ClaimLongTermCare      ClaimType = "long_term_care"     // 长期护理 / 失能
	ClaimDeath             ClaimType = "death"              // 身故
	ClaimVehicleDamage     ClaimType = "vehicle_damage"     // 车辆损失
	ClaimThirdParty        ClaimType = "third_party"        // 第三者责任
	ClaimTheft             ClaimType = "theft"              // 全车盗抢
	ClaimGlass             ClaimType = "glass"              // 玻璃单独破碎
	ClaimSelfIgnition      ClaimType = "self_ignition"      // 自燃
	ClaimCompulsoryTraffic ClaimType = "compulsory_traffic" // 交强险
)

// ClaimTypes lists every claim type: the coverage it draws on, its names,
// and whether it pays once in the policy's life.
var ClaimTypes = []struct {
	Type         ClaimType
	CoverageKind string
	Name, NameEN string
	OnceOnly     bool
}{
	{ClaimMedical, CovMedical, "医疗费用报销", "Medical expenses", false},
	{ClaimCriticalIllness, CovCriticalIllness, "重大疾病确诊给付", "Critical illness diagnosis", true},
	{ClaimLongTermCare, CovLongTermCare, "长期护理给付", "Long-term care benefit", false},
	{ClaimDeath, "", "身故保险金", "Death benefit", true},
	{ClaimVehicleDamage, CovVehicleDamage, "车辆损失", "Vehicle damage", false},
	{ClaimThirdParty, CovThirdParty, "第三者责任", "Third-party liability", false},
	{ClaimTheft, CovTheft, "全车盗抢", "Theft", true},
	{ClaimGlass, CovGlass, "玻璃单独破碎", "Glass breakage", false},
	{ClaimSelfIgnition, CovSelfIgnition, "自燃损失", "Spontaneous combustion", false},
	{ClaimCompulsoryTraffic, CovCompulsoryTraffic, "交强险赔偿", "Compulsory traffic insurance", false},
}

// deathCoverages are the life coverages a death claim draws on.
var deathCoverages = []string{CovTermLife, CovWholeLife, CovEndowment}

// ClaimCoverage finds the coverage of a policy that a claim type draws on.
func ClaimCoverage(p *Policy, t ClaimType) (Coverage, bool) {
	want := ""
	for _, ct := range ClaimTypes {
		if ct.Type == t {
			want = ct.CoverageKind
		}
	}
	for _, c := range p.Coverages {
		if c.Kind == want || (t == ClaimDeath && contains(deathCoverages, c.Kind)) {
			return c, true
		}
	}
	return Coverage{}, false
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// OnceOnly reports whether a claim type pays at most once per policy.
func (t ClaimType) OnceOnly() bool {
	for _, ct := range ClaimTypes {
		if ct.Type == t {
			return ct.OnceOnly
		}
	}
	return false
}

// CoverageFacts are what the intake check needs beyond the policy.
type CoverageFacts struct {
	Type         ClaimType
	IncidentDate Date
	ReportedDate Date
	// AlreadyPaid says a once-only benefit of this type was paid on the
	// policy before.
	AlreadyPaid bool
}

// CoverageCheck is one condition of cover and whether it holds, with the
// reason shown to staff and the claimant.
type CoverageCheck struct {
	Code     string `json:"code"`
	Passed   bool   `json:"passed"`
	Reason   string `json:"reason"`
	ReasonEN string `json:"reason_en"`
}

// LimitationYears is the time to claim (art. 26): 5 years for life
// insurance, 2 for the rest, from the day the insured event became known.
func LimitationYears(l Line) int {
	if l == LineLife {
		return 5
	}
	return 2
}

// CheckCoverage runs the intake checks of a claim against a policy and its
// product: in force on the incident date, the product covers the claim
// type, the waiting period has passed, the claim is within the limitation
// period, and a once-only benefit was not paid before. Every check is
// reported, passed or not, so the reason can be shown.
func CheckCoverage(p *Policy, prod *Product, f CoverageFacts) []CoverageCheck {
	var out []CoverageCheck
	add := func(code string, ok bool, zh, en string) {
		out = append(out, CoverageCheck{Code: code, Passed: ok, Reason: zh, ReasonEN: en})
	}
	d := f.IncidentDate
	inForce := !d.Before(p.EffectiveDate) && (p.ExpiryDate.IsZero() || d.Before(p.ExpiryDate))
	add("in_force", inForce,
		fmt.Sprintf("出险日 %s %s保险期间（%s 至 %s）内", d, map[bool]string{true: "在", false: "不在"}[inForce], p.EffectiveDate, orOpen(p.ExpiryDate, "终身")),
		fmt.Sprintf("incident date %s is %swithin the period of cover (%s to %s)", d, map[bool]string{true: "", false: "not "}[inForce], p.EffectiveDate, orOpen(p.ExpiryDate, "lifetime")))
	cov, covered := ClaimCoverage(p, f.Type)
	add("coverage", covered,
		map[bool]string{true: "保单包含该项保障", false: "保单不包含该理赔类型对应的保障"}[covered],
		map[bool]string{true: "the policy includes this cover", false: "the policy has no cover for this kind of claim"}[covered])
	if covered && cov.WaitingPeriodDays > 0 {
		end := p.EffectiveDate.AddDays(cov.WaitingPeriodDays)
		ok := !d.Before(end)
		add("waiting_period", ok,
			fmt.Sprintf("等待期 %d 天，至 %s 止；出险日 %s", cov.WaitingPeriodDays, end.AddDays(-1), d),
			fmt.Sprintf("waiting period of %d days ends %s; incident on %s", cov.WaitingPeriodDays, end.AddDays(-1), d))
	}
	if prod != nil && !f.ReportedDate.IsZero() {
		years := LimitationYears(prod.Line)
		last := DateOf(d.In(time.UTC).AddDate(years, 0, 0))
		ok := f.ReportedDate.Before(last)
		add("limitation", ok,
			fmt.Sprintf("索赔时效 %d 年，至 %s 止", years, last.AddDays(-1)),
			fmt.Sprintf("limitation period of %d years, until %s", years, last.AddDays(-1)))
	}
	if f.Type.OnceOnly() {
		add("not_paid_before", !f.AlreadyPaid,
			map[bool]string{true: "该项保险金此前已给付，仅给付一次", false: "该项保险金此前未给付"}[f.AlreadyPaid],
			map[bool]string{true: "this benefit was already paid and pays only once", false: "this benefit has not been paid before"}[f.AlreadyPaid])
	}
	return out
}

func orOpen(d Date, open string) string {
	if d.IsZero() {
		return open
	}
	return d.AddDays(-1).String()
}

// Covered reports whether every check passed.
func Covered(cs []CoverageCheck) bool {
	for _, c := range cs {
		if !c.Passed {
			return false
		}
	}
	return true
}

// CalcLine is one step of a payout calculation, shown on the decision
// letter exactly as computed.
type CalcLine struct {
	Label   string `json:"label"`
	LabelEN string `json:"label_en"`
	Amount  Fen    `json:"amount"`
}

// Payee is who receives a share of a payout.
type Payee struct {
	Name     string      `json:"name"`
	Relation string      `json:"relation,omitempty"`
	Share    BasisPoints `json:"share"`
	Amount   Fen         `json:"amount"`
}

// Calculation is a payout and how it was reached.
type Calculation struct {
	Lines   []CalcLine `json:"lines"`
	Payable Fen        `json:"payable"`
	Payees  []Payee    `json:"payees,omitempty"`
	// Capped says a limit cut the amount (the letter explains it).
	Capped bool `json:"capped,omitempty"`
}

func (c *Calculation) line(zh, en string, amount Fen) {
	c.Lines = append(c.Lines, CalcLine{Label: zh, LabelEN: en, Amount: amount})
}

// MedicalUsage is what the policy year has already used.
type MedicalUsage struct {
	DeductibleUsed Fen // of the annual deductible, by earlier claims
	PaidThisYear   Fen // paid under the annual limit by earlier claims
}

// CalcMedical reimburses expenses: (eligible − remaining deductible) × the
// ratio, capped by the remaining annual limit (the sum insured when the
// coverage has no separate annual limit).
func CalcMedical(cov Coverage, eligible Fen, used MedicalUsage) Calculation {
	var c Calculation
	c.line("合理且必要的医疗费用", "Eligible expenses", eligible)
	remainingDed := max(0, cov.Deductible-used.DeductibleUsed)
	ded := min(remainingDed, max(0, eligible))
	c.line(fmt.Sprintf("扣除剩余免赔额（年免赔额 %s，已抵扣 %s）", cov.Deductible, used.DeductibleUsed),
		fmt.Sprintf("Less remaining deductible (annual %s, already used %s)", cov.Deductible, used.DeductibleUsed), -ded)
	base := max(0, eligible-ded)
	ratio := cov.ReimbursementRatio
	paid := ratio.Of(base)
	c.line(fmt.Sprintf("按赔付比例 %s 计算", ratioText(ratio)), fmt.Sprintf("At the reimbursement ratio of %s", ratioText(ratio)), paid)
	limit := cov.AnnualLimit
	if limit == 0 {
		limit = cov.SumInsured
	}
	remaining := max(0, limit-used.PaidThisYear)
	if paid > remaining {
		c.line(fmt.Sprintf("受剩余年度限额限制（限额 %s，已赔付 %s）", limit, used.PaidThisYear),
			fmt.Sprintf("Capped by the remaining annual limit (limit %s, already paid %s)", limit, used.PaidThisYear), remaining)
		paid, c.Capped = remaining, true
	}
	c.Payable = paid
	return c
}

func ratioText(b BasisPoints) string {
	s := fmt.Sprintf("%d.%02d", b/100, b%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// CalcCriticalIllness pays the sum insured once on diagnosis.
func CalcCriticalIllness(cov Coverage, alreadyPaid bool) Calculation {
	var c Calculation
	if alreadyPaid {
		c.line("重大疾病保险金已给付，本次不再给付", "The critical-illness benefit was already paid; nothing more is due", 0)
		return c
	}
	c.line("确诊给付重大疾病保险金（保额）", "Critical-illness benefit on diagnosis (sum insured)", cov.SumInsured)
	c.Payable = cov.SumInsured
	return c
}

// CalcLongTermCare pays the periodic benefit (the coverage's sum insured is
// the monthly amount) for the months of care claimed.
func CalcLongTermCare(cov Coverage, months int) Calculation {
	var c Calculation
	months = max(0, months)
	c.line(fmt.Sprintf("护理保险金 %s / 月", cov.SumInsured), fmt.Sprintf("Care benefit of %s a month", cov.SumInsured), cov.SumInsured)
	total := cov.SumInsured * Fen(months)
	c.line(fmt.Sprintf("× %d 个月", months), fmt.Sprintf("× %d months", months), total)
	c.Payable = total
	return c
}

// CalcDeath pays the sum insured to the named beneficiaries by their
// shares, or to the statutory heirs (法定继承人) when none is named. Shares
// are rounded to the fen and any remainder goes to the first beneficiary,
// so the parts always add up to the whole.
func CalcDeath(cov Coverage, bens []Beneficiary) Calculation {
	var c Calculation
	c.line("身故保险金（保额）", "Death benefit (sum insured)", cov.SumInsured)
	c.Payable = cov.SumInsured
	if len(bens) == 0 {
		c.Payees = []Payee{{Name: "法定继承人", Relation: "statutory_heirs", Share: 10000, Amount: cov.SumInsured}}
		c.line("未指定受益人，由法定继承人领取", "No beneficiary named: paid to the statutory heirs", cov.SumInsured)
		return c
	}
	var total Fen
	for _, b := range bens {
		amt := Fen(int64(cov.SumInsured) * int64(b.Share) / 10000)
		c.Payees = append(c.Payees, Payee{Name: b.Name, Relation: b.Relation, Share: b.Share, Amount: amt})
		total += amt
	}
	c.Payees[0].Amount += cov.SumInsured - total
	for _, p := range c.Payees {
		c.line(fmt.Sprintf("受益人 %s（%s）", p.Name, ratioText(p.Share)), fmt.Sprintf("Beneficiary %s (%s)", p.Name, ratioText(p.Share)), p.Amount)
	}
	return c
}

// CalcAuto pays the assessed loss less the deductible, capped by the
// coverage's sum insured.
func CalcAuto(cov Coverage, assessedLoss Fen) Calculation {
	var c Calculation
	c.line("定损金额", "Assessed loss", assessedLoss)
	ded := min(cov.Deductible, max(0, assessedLoss))
	c.line("扣除免赔额", "Less the deductible", -ded)
	paid := max(0, assessedLoss-ded)
	if paid > cov.SumInsured {
		c.line(fmt.Sprintf("以保险金额 %s 为限", cov.SumInsured), fmt.Sprintf("Capped by the sum insured of %s", cov.SumInsured), cov.SumInsured)
		paid, c.Capped = cov.SumInsured, true
	}
	c.Payable = paid
	return c
}

// TrafficLimits are the compulsory traffic insurance's limits per person or
// property loss, as data: they change by regulation.
type TrafficLimits struct {
	DeathDisability Fen `json:"death_disability"`
	Medical         Fen `json:"medical"`
	Property        Fen `json:"property"`
}

// The limits since the 2020 reform (银保监发〔2020〕41号): with fault, and
// without fault.
var (
	TrafficLimitsAtFault = TrafficLimits{DeathDisability: 180_000_00, Medical: 18_000_00, Property: 2_000_00}
	TrafficLimitsNoFault = TrafficLimits{DeathDisability: 18_000_00, Medical: 1_800_00, Property: 100_00}
)

// TrafficLoss is one third party's losses under compulsory insurance.
type TrafficLoss struct {
	Name            string `json:"name"`
	DeathDisability Fen    `json:"death_disability,omitempty"`
	Medical         Fen    `json:"medical,omitempty"`
	Property        Fen    `json:"property,omitempty"`
}

// CalcCompulsoryTraffic pays each third party's losses up to the limit of
// each heading, with fault or without.
func CalcCompulsoryTraffic(limits TrafficLimits, losses []TrafficLoss) Calculation {
	var c Calculation
	for _, l := range losses {
		for _, h := range []struct {
			zh, en      string
			loss, limit Fen
		}{
			{"死亡伤残", "death and disability", l.DeathDisability, limits.DeathDisability},
			{"医疗费用", "medical expenses", l.Medical, limits.Medical},
			{"财产损失", "property", l.Property, limits.Property},
		} {
			if h.loss <= 0 {
				continue
			}
			paid := min(h.loss, h.limit)
			if paid < h.loss {
				c.Capped = true
			}
			c.line(fmt.Sprintf("%s：%s损失 %s，限额 %s", l.Name, h.zh, h.loss, h.limit),
				fmt.Sprintf("%s: %s loss %s, limit %s", l.Name, h.en, h.loss, h.limit), paid)
			c.Payable += paid
		}
	}
	return c
}
