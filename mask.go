package anxin

import (
	"strings"
	"unicode/utf8"
)

// PersonalField is a kind of personal data that responses mask unless the
// caller's role needs it in full (PIPL art. 6, minimum necessary).
type PersonalField string

const (
	FieldName        PersonalField = "name"
	FieldIDNumber    PersonalField = "id_number"
	FieldMobile      PersonalField = "mobile"
	FieldEmail       PersonalField = "email"
	FieldAddress     PersonalField = "address"
	FieldBankAccount PersonalField = "bank_account"
)

// PersonalFields lists every maskable field.
var PersonalFields = []PersonalField{FieldName, FieldIDNumber, FieldMobile, FieldEmail, FieldAddress, FieldBankAccount}

// Visibility says, for one role, which fields it sees in full and which it
// may unmask one at a time (with a reason, audited).
type Visibility struct {
	Full    []PersonalField
	Unmask  []PersonalField
	Purpose string // why the role needs what it sees, for the docs
}

// visibility is the one table that decides who sees what. A field neither in
// Full nor in Unmask is always masked for that role.
var visibility = map[Role]Visibility{
	RoleCSR: {Full: []PersonalField{FieldName}, Unmask: []PersonalField{FieldIDNumber, FieldMobile, FieldEmail, FieldAddress},
		Purpose: "speaks to customers and verifies identity against the masked number; unmasks to call back or correct contact details"},
	RoleClaims: {Full: []PersonalField{FieldName, FieldIDNumber, FieldMobile, FieldBankAccount}, Unmask: []PersonalField{FieldEmail, FieldAddress},
		Purpose: "checks the claimant's identity and pays claims into the bank account"},
	RolePolicyChange: {Full: []PersonalField{FieldName, FieldIDNumber, FieldMobile, FieldEmail, FieldAddress, FieldBankAccount},
		Purpose: "changes exactly these fields (基本信息变更, 缴费方式变更)"},
	RoleComplaints: {Full: []PersonalField{FieldName, FieldMobile}, Unmask: []PersonalField{FieldIDNumber, FieldEmail, FieldAddress},
		Purpose: "calls complainants back"},
	RoleSupervisor: {Full: []PersonalField{FieldName}, Unmask: []PersonalField{FieldIDNumber, FieldMobile, FieldEmail, FieldAddress, FieldBankAccount},
		Purpose: "reviews cases; unmasks when a case needs it"},
	RoleDirector:       {Full: []PersonalField{FieldName}, Purpose: "reads cases and figures, never contacts customers directly"},
	RoleGeneralManager: {Full: []PersonalField{FieldName}, Purpose: "reads cases and figures, never contacts customers directly"},
	RoleAgent:          {Full: []PersonalField{FieldName}, Unmask: []PersonalField{FieldMobile}, Purpose: "serves their own customers; unmasks a phone number to call"},
	RoleAuditor:        {Purpose: "checks what was done, not to whom: every personal field masked"},
	RoleAdmin:          {Purpose: "runs the system, not customer service: every personal field masked"},
}

// VisibilityOf returns a copy of role r's row of the table.
func VisibilityOf(r Role) Visibility { return visibility[r] }

// SeesFull reports whether role r sees field f unmasked.
func (r Role) SeesFull(f PersonalField) bool {
	for _, x := range visibility[r].Full {
		if x == f {
			return true
		}
	}
	return false
}

// MayUnmask reports whether role r may unmask f on request.
func (r Role) MayUnmask(f PersonalField) bool {
	if r.SeesFull(f) {
		return true
	}
	for _, x := range visibility[r].Unmask {
		if x == f {
			return true
		}
	}
	return false
}

// SeesAllFull reports whether role r sees every personal field in full
// (the bar for an unmasked export).
func (r Role) SeesAllFull() bool {
	for _, f := range PersonalFields {
		if !r.SeesFull(f) {
			return false
		}
	}
	return true
}

// Mask returns value masked as field f is shown to those who may not see it.
func Mask(f PersonalField, value string) string {
	if value == "" {
		return ""
	}
	switch f {
	case FieldName:
		return MaskName(value)
	case FieldIDNumber:
		return keepEnds(value, 6, 4)
	case FieldMobile:
		return keepEnds(value, 3, 4)
	case FieldBankAccount:
		return keepEnds(value, 0, 4)
	case FieldEmail:
		local, domain, ok := strings.Cut(value, "@")
		if !ok {
			return keepEnds(value, 1, 0)
		}
		return keepEnds(local, 1, 0) + "@" + domain
	case FieldAddress:
		// Keep the province and city (the first 6 characters), the rest is
		// where the person lives.
		return keepEnds(value, 6, 0)
	}
	return strings.Repeat("*", utf8.RuneCountInString(value))
}

// MaskName keeps the surname and the last character: 李*伟, 欧阳**锋, 王*.
func MaskName(name string) string {
	r := []rune(name)
	switch {
	case len(r) <= 1:
		return name
	case len(r) == 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// keepEnds keeps head and tail characters and stars the middle; a value too
// short to keep both is fully starred but for its last character.
func keepEnds(s string, head, tail int) string {
	r := []rune(s)
	if len(r) <= head+tail {
		if len(r) <= 1 {
			return "*"
		}
		return strings.Repeat("*", len(r)-1) + string(r[len(r)-1])
	}
	return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
}

// MaskCustomer masks, in place, every field role r may not see in full.
func MaskCustomer(c *Customer, r Role) { MaskCustomerFor(c, Actor{Role: r}) }

// MaskCustomerFor masks, in place, every field the actor may not see in full.
// An enterprise's name is public (it is on its business licence).
func MaskCustomerFor(c *Customer, a Actor) {
	if !a.SeesFull(FieldName) && c.Kind != Enterprise {
		c.Name = MaskName(c.Name)
	}
	if !a.SeesFull(FieldIDNumber) {
		c.IDNumber = Mask(FieldIDNumber, c.IDNumber)
	}
	if !a.SeesFull(FieldMobile) {
		m := make([]string, len(c.Mobiles))
		for i, v := range c.Mobiles {
			m[i] = Mask(FieldMobile, v)
		}
		c.Mobiles = m
	}
	if !a.SeesFull(FieldEmail) {
		c.Email = Mask(FieldEmail, c.Email)
	}
	if !a.SeesFull(FieldAddress) {
		c.Address = Mask(FieldAddress, c.Address)
	}
}

// MaskPolicy masks the policy's personal fields: the bank account and the
// beneficiaries' names and document numbers.
func MaskPolicy(p *Policy, r Role) { MaskPolicyFor(p, Actor{Role: r}) }

// MaskPolicyFor masks the policy's personal fields for the actor.
func MaskPolicyFor(p *Policy, a Actor) {
	if !a.SeesFull(FieldBankAccount) {
		p.BankAccount = Mask(FieldBankAccount, p.BankAccount)
	}
	if len(p.Beneficiaries) > 0 {
		b := make([]Beneficiary, len(p.Beneficiaries))
		copy(b, p.Beneficiaries)
		for i := range b {
			if !a.SeesFull(FieldName) {
				b[i].Name = MaskName(b[i].Name)
			}
			if !a.SeesFull(FieldIDNumber) {
				b[i].IDNumber = Mask(FieldIDNumber, b[i].IDNumber)
			}
		}
		p.Beneficiaries = b
	}
}

// CustomerField returns the customer's value of a personal field; mobiles
// are joined with ", ".
func CustomerField(c *Customer, f PersonalField) (string, bool) {
	switch f {
	case FieldName:
		return c.Name, true
	case FieldIDNumber:
		return c.IDNumber, true
	case FieldMobile:
		return strings.Join(c.Mobiles, ", "), true
	case FieldEmail:
		return c.Email, true
	case FieldAddress:
		return c.Address, true
	}
	return "", false
}

// KeepUnchangedMasked undoes masking in an update: a client that read a
// masked customer and sends it back unchanged must not overwrite the stored
// values with stars. Any field whose new value equals the masked form of the
// stored one keeps the stored value.
func KeepUnchangedMasked(update, stored *Customer) {
	keep := func(f PersonalField, newV *string, old string) {
		if *newV != old && *newV == Mask(f, old) {
			*newV = old
		}
	}
	keep(FieldName, &update.Name, stored.Name)
	keep(FieldIDNumber, &update.IDNumber, stored.IDNumber)
	keep(FieldEmail, &update.Email, stored.Email)
	keep(FieldAddress, &update.Address, stored.Address)
	for i := range update.Mobiles {
		for _, old := range stored.Mobiles {
			keep(FieldMobile, &update.Mobiles[i], old)
		}
	}
}
