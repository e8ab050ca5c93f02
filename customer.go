package anxin

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-insure/anxin/idcheck"
)

// CustomerKind tells a person from an organisation.
type CustomerKind string

const (
	Individual CustomerKind = "individual"
	Enterprise CustomerKind = "enterprise"
)

// IDType is the kind of identity document a customer is known by.
type IDType string

const (
	ResidentID    IDType = "resident_id"     // 居民身份证
	Passport      IDType = "passport"        // 护照
	HKMacauPermit IDType = "hk_macau_permit" // 港澳居民来往内地通行证
	TaiwanPermit  IDType = "taiwan_permit"   // 台湾居民来往大陆通行证
	CreditCode    IDType = "credit_code"     // 统一社会信用代码 (enterprises)
)

// Tier is the service tier a customer is placed in by value: differentiated,
// never discriminatory.
type Tier string

const (
	TierDiamond  Tier = "diamond"
	TierGold     Tier = "gold"
	TierSilver   Tier = "silver"
	TierOrdinary Tier = "ordinary"
)

// Gender of an individual; derived from the resident ID where there is one.
type Gender string

const (
	Male   Gender = "male"
	Female Gender = "female"
)

// Customer is a policyholder, insured person or enterprise the insurer serves.
type Customer struct {
	ID        string       `json:"id"`
	Kind      CustomerKind `json:"kind"`
	Name      string       `json:"name"`
	Gender    Gender       `json:"gender,omitempty"`
	BirthDate Date         `json:"birth_date,omitzero"`
	IDType    IDType       `json:"id_type"`
	IDNumber  string       `json:"id_number"`
	Mobiles   []string     `json:"mobiles"`
	Email     string       `json:"email,omitempty"`
	Address   string       `json:"address,omitempty"`
	Tier      Tier         `json:"tier"`
	VIP       bool         `json:"vip"`
	Consents  []Consent    `json:"consents"`
	Version   int          `json:"version"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// Consent records what a customer agreed to (or withdrew), when and through
// which channel, as PIPL asks.
type Consent struct {
	Purpose string    `json:"purpose"`
	Granted bool      `json:"granted"`
	Channel string    `json:"channel"`
	At      time.Time `json:"at"`
}

// Consent purposes the platform asks for.
var ConsentPurposes = []string{"service_contact", "marketing", "health_data", "financial_account", "third_party_sharing"}

// Normalize tidies input the way every entry channel should: trimmed text,
// upper-case check characters, 11-digit mobiles, gender and birth date from
// the resident ID, a default tier. It never fails; Validate reports problems.
func (c *Customer) Normalize(now time.Time) {
	c.Name = strings.TrimSpace(c.Name)
	c.IDNumber = strings.ToUpper(strings.TrimSpace(c.IDNumber))
	c.Email = strings.TrimSpace(c.Email)
	c.Address = strings.TrimSpace(c.Address)
	if c.Kind == "" {
		c.Kind = Individual
	}
	if c.Tier == "" {
		c.Tier = TierOrdinary
	}
	if c.IDType == "" {
		if c.Kind == Enterprise {
			c.IDType = CreditCode
		} else {
			c.IDType = ResidentID
		}
	}
	for i, m := range c.Mobiles {
		if n, err := idcheck.Mobile(m); err == nil {
			c.Mobiles[i] = n
		} else {
			c.Mobiles[i] = strings.TrimSpace(m)
		}
	}
	if c.Kind == Individual && c.IDType == ResidentID {
		if id, err := idcheck.ParseResidentID(c.IDNumber, now); err == nil {
			c.IDNumber = id.Number
			if c.Gender == "" {
				c.Gender = Female
				if id.Male {
					c.Gender = Male
				}
			}
			if c.BirthDate.IsZero() {
				c.BirthDate = DateOf(id.Birth)
			}
		}
	}
}

// Validate checks every field and returns an EInvalid *Error naming each bad one.
func (c *Customer) Validate(now time.Time) error {
	var p Problems
	c.validate(&p, now)
	return p.Err()
}

func (c *Customer) validate(p *Problems, now time.Time) {
	switch c.Kind {
	case Individual, Enterprise:
	default:
		p.Add("kind", "enum", "must be individual or enterprise", "须为 individual（个人）或 enterprise（企业）")
	}
	if c.Name == "" {
		p.Required("name")
	} else if utf8.RuneCountInString(c.Name) > 100 {
		p.Add("name", "length", "is longer than 100 characters", "超过 100 个字符")
	}
	switch c.Tier {
	case TierDiamond, TierGold, TierSilver, TierOrdinary:
	default:
		p.Add("tier", "enum", "must be diamond, gold, silver or ordinary", "须为 diamond、gold、silver 或 ordinary")
	}
	c.validateIdentity(p, now)
	if c.Kind == Individual && len(c.Mobiles) == 0 {
		p.Add("mobiles", "required", "at least one mobile number is required", "至少需要一个手机号码")
	}
	seen := map[string]bool{}
	for i, m := range c.Mobiles {
		field := "mobiles[" + itoa(i) + "]"
		if _, err := idcheck.Mobile(m); err != nil {
			addCheckError(p, field, err)
		} else if seen[m] {
			p.Add(field, "duplicate", "is listed twice", "重复")
		}
		seen[m] = true
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			p.Add("email", "format", "is not a valid email address", "电子邮箱格式不正确")
		}
	}
	if utf8.RuneCountInString(c.Address) > 300 {
		p.Add("address", "length", "is longer than 300 characters", "超过 300 个字符")
	}
	for i, cs := range c.Consents {
		if !validConsentPurpose(cs.Purpose) {
			p.Add("consents["+itoa(i)+"].purpose", "enum", "is not a known consent purpose", "不是已知的授权事项")
		}
		if cs.Channel == "" {
			p.Required("consents[" + itoa(i) + "].channel")
		}
	}
}

func (c *Customer) validateIdentity(p *Problems, now time.Time) {
	if c.IDNumber == "" {
		p.Required("id_number")
		return
	}
	var err error
	switch {
	case c.Kind == Enterprise && c.IDType != CreditCode:
		p.Add("id_type", "enum", "an enterprise is identified by its unified social credit code", "企业须使用统一社会信用代码")
		return
	case c.Kind == Individual && c.IDType == CreditCode:
		p.Add("id_type", "enum", "an individual cannot be identified by a credit code", "个人客户不能使用统一社会信用代码")
		return
	}
	switch c.IDType {
	case ResidentID:
		var id idcheck.ResidentID
		id, err = idcheck.ParseResidentID(c.IDNumber, now)
		if err == nil {
			if !c.BirthDate.IsZero() && c.BirthDate != DateOf(id.Birth) {
				p.Add("birth_date", "mismatch", "does not match the resident ID", "与身份证号码中的出生日期不一致")
			}
			if c.Gender != "" && (c.Gender == Male) != id.Male {
				p.Add("gender", "mismatch", "does not match the resident ID", "与身份证号码中的性别不一致")
			}
		}
	case Passport:
		_, err = idcheck.Passport(c.IDNumber)
	case HKMacauPermit:
		_, err = idcheck.HKMacauPermit(c.IDNumber)
	case TaiwanPermit:
		_, err = idcheck.TaiwanPermit(c.IDNumber)
	case CreditCode:
		_, err = idcheck.CreditCode(c.IDNumber)
	default:
		p.Add("id_type", "enum", "is not a known identity document type", "不是已知的证件类型")
		return
	}
	if err != nil {
		addCheckError(p, "id_number", err)
	}
	if c.Kind == Individual {
		switch c.Gender {
		case "", Male, Female:
		default:
			p.Add("gender", "enum", "must be male or female", "须为 male（男）或 female（女）")
		}
		if !c.BirthDate.IsZero() && c.BirthDate.After(DateOf(now)) {
			p.Add("birth_date", "future", "is in the future", "不能晚于今天")
		}
	}
}

func validConsentPurpose(s string) bool {
	for _, p := range ConsentPurposes {
		if p == s {
			return true
		}
	}
	return false
}

// addCheckError turns an idcheck error into a field error in both languages.
func addCheckError(p *Problems, field string, err error) {
	if e, ok := err.(*idcheck.Error); ok {
		p.Add(field, e.Reason, e.Message("en"), e.Message("zh"))
		return
	}
	p.Add(field, "format", err.Error(), err.Error())
}

// CustomerFilter selects customers; empty fields do not filter. Query matches
// a name fragment, an exact mobile number or an exact ID number.
type CustomerFilter struct {
	Query string
	Kind  CustomerKind
	Tier  Tier
	After string // cursor: the last ID of the previous page
	Limit int
}
