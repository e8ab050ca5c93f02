package anxin

// Line is a line of business; it decides which claim rules apply.
type Line string

const (
	LineAuto   Line = "auto"   // 车险
	LineLife   Line = "life"   // 人寿
	LineHealth Line = "health" // 健康险
)

// Product is an insurance product in the catalogue. Its coverage terms are
// data, so a new product needs no release.
type Product struct {
	Code           string     `json:"code"`
	Line           Line       `json:"line"`
	Name           string     `json:"name"`
	NameEN         string     `json:"name_en"`
	CoolingOffDays int        `json:"cooling_off_days"` // 犹豫期, from receipt of the policy
	TermYears      int        `json:"term_years"`       // 0 = whole life
	Coverages      []Coverage `json:"coverages"`
	Active         bool       `json:"active"`
}

// Coverage kinds, from the seed's product knowledge.
const (
	CovCompulsoryTraffic = "compulsory_traffic" // 交强险
	CovVehicleDamage     = "vehicle_damage"     // 车损
	CovThirdParty        = "third_party"        // 三责
	CovTheft             = "theft"              // 盗抢
	CovGlass             = "glass"              // 玻璃单独破碎
	CovSelfIgnition      = "self_ignition"      // 自燃
	CovTermLife          = "term_life"          // 定期寿险
	CovWholeLife         = "whole_life"         // 终身寿险
	CovEndowment         = "endowment"          // 两全保险
	CovMedical           = "medical"            // 医疗费用报销
	CovCriticalIllness   = "critical_illness"   // 重大疾病确诊给付
	CovLongTermCare      = "long_term_care"     // 长期护理 / 失能给付
)

// CoverageKinds lists every coverage kind with its line and names.
var CoverageKinds = []struct {
	Kind, Name, NameEN string
	Line               Line
}{
	{CovCompulsoryTraffic, "机动车交通事故责任强制保险", "Compulsory traffic accident liability", LineAuto},
	{CovVehicleDamage, "机动车损失保险", "Vehicle damage", LineAuto},
	{CovThirdParty, "第三者责任保险", "Third-party liability", LineAuto},
	{CovTheft, "全车盗抢保险", "Theft", LineAuto},
	{CovGlass, "玻璃单独破碎险", "Glass breakage", LineAuto},
	{CovSelfIgnition, "自燃损失险", "Spontaneous combustion", LineAuto},
	{CovTermLife, "定期寿险", "Term life", LineLife},
	{CovWholeLife, "终身寿险", "Whole life", LineLife},
	{CovEndowment, "两全保险", "Endowment", LineLife},
	{CovMedical, "医疗费用报销", "Medical reimbursement", LineHealth},
	{CovCriticalIllness, "重大疾病保险", "Critical illness", LineHealth},
	{CovLongTermCare, "长期护理保险", "Long-term care", LineHealth},
}

// CoverageLine returns the line a coverage kind belongs to, or "" if unknown.
func CoverageLine(kind string) Line {
	for _, k := range CoverageKinds {
		if k.Kind == kind {
			return k.Line
		}
	}
	return ""
}

// Coverage is one benefit of a product, or of a policy (where it may carry
// amounts chosen at sale). Amounts are fen; ratios basis points.
type Coverage struct {
	Kind               string      `json:"kind"`
	SumInsured         Fen         `json:"sum_insured"`         // 保额
	Deductible         Fen         `json:"deductible"`          // 免赔额
	ReimbursementRatio BasisPoints `json:"reimbursement_ratio"` // 赔付比例, 10000 = 100%
	AnnualLimit        Fen         `json:"annual_limit"`        // 年度限额, 0 = none
	WaitingPeriodDays  int         `json:"waiting_period_days"` // 等待期
}

// Validate checks the product's own fields and its coverages.
func (p *Product) Validate() error {
	var pr Problems
	if p.Code == "" {
		pr.Required("code")
	}
	if p.Name == "" {
		pr.Required("name")
	}
	switch p.Line {
	case LineAuto, LineLife, LineHealth:
	default:
		pr.Add("line", "enum", "must be auto, life or health", "须为 auto（车险）、life（人寿）或 health（健康险）")
	}
	if p.CoolingOffDays < 0 {
		pr.Add("cooling_off_days", "range", "cannot be negative", "不能为负数")
	}
	if len(p.Coverages) == 0 {
		pr.Add("coverages", "required", "a product needs at least one coverage", "产品至少需要一项保障")
	}
	for i, c := range p.Coverages {
		c.validate(&pr, "coverages["+itoa(i)+"]", p.Line)
	}
	return pr.Err()
}

func (c Coverage) validate(p *Problems, prefix string, line Line) {
	l := CoverageLine(c.Kind)
	switch {
	case l == "":
		p.Add(prefix+".kind", "enum", "is not a known coverage kind", "不是已知的保障类型")
	case line != "" && l != line:
		p.Add(prefix+".kind", "line", "does not belong to the product's line", "与产品险种大类不符")
	}
	if c.SumInsured < 0 {
		p.Add(prefix+".sum_insured", "range", "cannot be negative", "不能为负数")
	}
	if c.Deductible < 0 {
		p.Add(prefix+".deductible", "range", "cannot be negative", "不能为负数")
	}
	if c.ReimbursementRatio < 0 || c.ReimbursementRatio > 10000 {
		p.Add(prefix+".reimbursement_ratio", "range", "must be between 0 and 10000 basis points", "须在 0 到 10000 个基点之间")
	}
	if c.AnnualLimit < 0 {
		p.Add(prefix+".annual_limit", "range", "cannot be negative", "不能为负数")
	}
	if c.WaitingPeriodDays < 0 || c.WaitingPeriodDays > 730 {
		p.Add(prefix+".waiting_period_days", "range", "must be between 0 and 730", "须在 0 到 730 天之间")
	}
}
