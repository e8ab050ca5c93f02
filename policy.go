package anxin

import (
	"strings"
	"time"

	"github.com/anxin-insure/anxin/idcheck"
)

// PolicyStatus is where a policy stands.
type PolicyStatus string

const (
	PolicyInForce    PolicyStatus = "in_force"   // 有效
	PolicyLapsed     PolicyStatus = "lapsed"     // 失效 (premium unpaid)
	PolicyTerminated PolicyStatus = "terminated" // 终止 (surrendered, cancelled)
	PolicyExpired    PolicyStatus = "expired"    // 满期
)

// PaymentMethod is how the premium is collected.
type PaymentMethod string

const (
	PayBankDebit PaymentMethod = "bank_debit" // 银行代扣
	PayOnline    PaymentMethod = "online"     // 网上支付
	PayCash      PaymentMethod = "cash"       // 柜面现金
)

// PaymentFrequency of the premium.
type PaymentFrequency string

const (
	PaySingle    PaymentFrequency = "single"
	PayAnnual    PaymentFrequency = "annual"
	PayMonthly   PaymentFrequency = "monthly"
	PayQuarterly PaymentFrequency = "quarterly"
)

// SalesChannel through which the policy was sold.
var SalesChannels = []string{"agent", "bancassurance", "car_dealer", "online", "telesales", "counter", "broker"}

// Policy is an insurance contract. Every change is stored as a new version;
// Version counts them and is the ETag of the policy.
type Policy struct {
	ID               string           `json:"id"`
	Number           string           `json:"number"`
	ProductCode      string           `json:"product_code"`
	PolicyholderID   string           `json:"policyholder_id"`
	InsuredID        string           `json:"insured_id"`
	Coverages        []Coverage       `json:"coverages"`
	StatutoryHeirs   bool             `json:"statutory_heirs"` // 法定继承人: no named beneficiaries
	Beneficiaries    []Beneficiary    `json:"beneficiaries"`
	Premium          Fen              `json:"premium"`
	PaymentFrequency PaymentFrequency `json:"payment_frequency"`
	PaymentMethod    PaymentMethod    `json:"payment_method"`
	BankName         string           `json:"bank_name,omitempty"`
	BankAccount      string           `json:"bank_account,omitempty"`
	NextPaymentDate  Date             `json:"next_payment_date,omitzero"`
	EffectiveDate    Date             `json:"effective_date"`
	ExpiryDate       Date             `json:"expiry_date,omitzero"` // zero for whole life
	Status           PolicyStatus     `json:"status"`
	SalesChannel     string           `json:"sales_channel"`
	AgentCode        string           `json:"agent_code,omitempty"`
	UnderwritingDate Date             `json:"underwriting_date"`
	Version          int              `json:"version"`
	CreatedAt        time.Time        `json:"created_at"`
	UpdatedAt        time.Time        `json:"updated_at"`
}

// Beneficiary of a life or health policy. Shares of the named beneficiaries
// sum to exactly 10000 basis points.
type Beneficiary struct {
	Name     string      `json:"name"`
	Relation string      `json:"relation"` // spouse, child, parent, other
	IDType   IDType      `json:"id_type,omitempty"`
	IDNumber string      `json:"id_number,omitempty"`
	Share    BasisPoints `json:"share"`
}

// PolicyVersion is one entry of a policy's history.
type PolicyVersion struct {
	Version   int       `json:"version"`
	Policy    Policy    `json:"policy"`
	ChangedAt time.Time `json:"changed_at"`
	ChangedBy string    `json:"changed_by"`
	Reason    string    `json:"reason"`
}

// Relations a beneficiary may have to the insured.
var BeneficiaryRelations = []string{"spouse", "child", "parent", "sibling", "other"}

// InWaitingPeriod reports whether a coverage's waiting period (等待期) still
// runs on day d.
func (p *Policy) InWaitingPeriod(c Coverage, d Date) bool {
	return c.WaitingPeriodDays > 0 && d.Before(p.EffectiveDate.AddDays(c.WaitingPeriodDays))
}

// InForceOn reports whether the policy covers day d.
func (p *Policy) InForceOn(d Date) bool {
	if p.Status != PolicyInForce || d.Before(p.EffectiveDate) {
		return false
	}
	return p.ExpiryDate.IsZero() || d.Before(p.ExpiryDate)
}

// Normalize tidies input before validation.
func (p *Policy) Normalize() {
	p.Number = strings.ToUpper(strings.TrimSpace(p.Number))
	p.BankAccount = strings.ReplaceAll(strings.TrimSpace(p.BankAccount), " ", "")
	if p.Status == "" {
		p.Status = PolicyInForce
	}
	if p.PaymentFrequency == "" {
		p.PaymentFrequency = PayAnnual
	}
	for i := range p.Beneficiaries {
		p.Beneficiaries[i].Name = strings.TrimSpace(p.Beneficiaries[i].Name)
		p.Beneficiaries[i].IDNumber = strings.ToUpper(strings.TrimSpace(p.Beneficiaries[i].IDNumber))
	}
}

// Validate checks the policy against its product. Warnings (a bank account
// that fails the Luhn check) are returned with the nil error through warn.
func (p *Policy) Validate(product *Product, now time.Time) (warnings []FieldError, err error) {
	var pr Problems
	if p.Number == "" {
		pr.Required("number")
	} else if len(p.Number) > 40 {
		pr.Add("number", "length", "is longer than 40 characters", "超过 40 个字符")
	}
	if p.PolicyholderID == "" {
		pr.Required("policyholder_id")
	}
	if p.InsuredID == "" {
		pr.Required("insured_id")
	}
	if product == nil {
		pr.Add("product_code", "not_found", "is not a product in the catalogue", "产品目录中没有该产品")
	} else {
		for i, c := range p.Coverages {
			c.validate(&pr, "coverages["+itoa(i)+"]", product.Line)
		}
		if len(p.Coverages) == 0 {
			pr.Add("coverages", "required", "a policy needs at least one coverage", "保单至少需要一项保障")
		}
	}
	if p.Premium < 0 {
		pr.Add("premium", "range", "cannot be negative", "不能为负数")
	}
	switch p.Status {
	case PolicyInForce, PolicyLapsed, PolicyTerminated, PolicyExpired:
	default:
		pr.Add("status", "enum", "must be in_force, lapsed, terminated or expired", "须为 in_force、lapsed、terminated 或 expired")
	}
	switch p.PaymentFrequency {
	case PaySingle, PayAnnual, PayMonthly, PayQuarterly:
	default:
		pr.Add("payment_frequency", "enum", "must be single, annual, quarterly or monthly", "须为 single、annual、quarterly 或 monthly")
	}
	switch p.PaymentMethod {
	case PayBankDebit:
		if p.BankAccount == "" {
			pr.Add("bank_account", "required", "is required for bank debit", "银行代扣须填写银行账号")
		}
	case PayOnline, PayCash:
	default:
		pr.Add("payment_method", "enum", "must be bank_debit, online or cash", "须为 bank_debit、online 或 cash")
	}
	if p.BankAccount != "" {
		validateBankAccount(&pr, p.BankAccount)
	}
	if p.EffectiveDate.IsZero() {
		pr.Required("effective_date")
	}
	if p.UnderwritingDate.IsZero() {
		pr.Required("underwriting_date")
	} else if !p.EffectiveDate.IsZero() && p.EffectiveDate.Before(p.UnderwritingDate) {
		pr.Add("effective_date", "order", "is before the underwriting date", "早于承保日期")
	}
	if !p.ExpiryDate.IsZero() && !p.ExpiryDate.After(p.EffectiveDate) {
		pr.Add("expiry_date", "order", "must be after the effective date", "须晚于生效日期")
	}
	if p.Status == PolicyInForce && p.PaymentFrequency != PaySingle && p.NextPaymentDate.IsZero() {
		pr.Add("next_payment_date", "required", "is required for a policy in force with periodic premiums", "有效期内分期缴费的保单须有下次缴费日期")
	}
	if !validSalesChannel(p.SalesChannel) {
		pr.Add("sales_channel", "enum", "must be one of "+strings.Join(SalesChannels, ", "), "须为 "+strings.Join(SalesChannels, "、")+" 之一")
	}
	p.validateBeneficiaries(&pr, product, now)
	return pr.Warnings(), pr.Err()
}

func (p *Policy) validateBeneficiaries(pr *Problems, product *Product, now time.Time) {
	if product != nil && product.Line == LineAuto {
		if len(p.Beneficiaries) > 0 || p.StatutoryHeirs {
			pr.Add("beneficiaries", "line", "auto policies have no beneficiaries", "车险保单不设受益人")
		}
		return
	}
	if p.StatutoryHeirs {
		if len(p.Beneficiaries) > 0 {
			pr.Add("beneficiaries", "conflict", "named beneficiaries and statutory heirs exclude each other", "指定受益人与法定继承人不能同时设置")
		}
		return
	}
	if len(p.Beneficiaries) == 0 {
		pr.Add("beneficiaries", "required", "name beneficiaries or choose statutory heirs", "请指定受益人或选择法定继承人")
		return
	}
	var total BasisPoints
	for i, b := range p.Beneficiaries {
		prefix := "beneficiaries[" + itoa(i) + "]"
		if b.Name == "" {
			pr.Required(prefix + ".name")
		}
		if !validRelation(b.Relation) {
			pr.Add(prefix+".relation", "enum", "must be one of "+strings.Join(BeneficiaryRelations, ", "), "须为 "+strings.Join(BeneficiaryRelations, "、")+" 之一")
		}
		if b.Share <= 0 || b.Share > 10000 {
			pr.Add(prefix+".share", "range", "must be between 1 and 10000 basis points", "须在 1 到 10000 个基点之间")
		}
		if b.IDNumber != "" {
			c := Customer{Kind: Individual, IDType: b.IDType, IDNumber: b.IDNumber}
			if c.IDType == "" {
				c.IDType = ResidentID
			}
			var sub Problems
			c.validateIdentity(&sub, now)
			for _, f := range sub.fields {
				pr.Add(prefix+"."+f.Field, f.Reason, f.Message, f.MessageZH)
			}
		}
		total += b.Share
	}
	if total != 10000 {
		pr.Add("beneficiaries", "shares", "shares must sum to exactly 100% (10000 basis points), got "+itoa(int(total)), "受益份额合计须恰好为 100%（当前为 "+itoa(int(total)/100)+"."+pad2(int(total)%100)+"%）")
	}
}

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

func validSalesChannel(s string) bool {
	for _, c := range SalesChannels {
		if c == s {
			return true
		}
	}
	return false
}

func validRelation(s string) bool {
	for _, r := range BeneficiaryRelations {
		if r == s {
			return true
		}
	}
	return false
}

// PolicyFilter selects policies.
type PolicyFilter struct {
	CustomerID  string // as policyholder or insured
	ProductCode string
	Status      PolicyStatus
	After       string
	Limit       int
}

func validateBankAccount(pr *Problems, account string) {
	_, luhnOK, err := idcheck.BankCard(account)
	if err != nil {
		addCheckError(pr, "bank_account", err)
		return
	}
	if !luhnOK {
		pr.Warn("bank_account", "luhn", "fails the Luhn check; confirm the number with the bank", "未通过 Luhn 校验，请与银行核实账号")
	}
}
