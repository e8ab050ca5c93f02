package anxin_test

import (
	"testing"

	"github.com/anxin-insure/anxin"
)

func TestMask(t *testing.T) {
	for _, tt := range []struct {
		f    anxin.PersonalField
		in   string
		want string
	}{
		{anxin.FieldIDNumber, "11010519491231002X", "110105********002X"},
		{anxin.FieldMobile, "13812341234", "138****1234"},
		{anxin.FieldBankAccount, "6225880137001234", "************1234"},
		{anxin.FieldName, "李建伟", "李*伟"},
		{anxin.FieldName, "欧阳小锋", "欧**锋"},
		{anxin.FieldName, "王芳", "王*"},
		{anxin.FieldEmail, "wang.fang@example.com", "w********@example.com"},
		{anxin.FieldAddress, "北京市朝阳区建国路88号", "北京市朝阳区******"},
		{anxin.FieldMobile, "", ""},
		{anxin.FieldIDNumber, "E1", "*1"},
	} {
		if got := anxin.Mask(tt.f, tt.in); got != tt.want {
			t.Errorf("Mask(%s, %q) = %q, want %q", tt.f, tt.in, got, tt.want)
		}
	}
}

// The table is the policy: these rows are what the README documents.
func TestVisibilityTable(t *testing.T) {
	for _, tt := range []struct {
		role   anxin.Role
		field  anxin.PersonalField
		full   bool
		unmask bool
	}{
		{anxin.RoleCSR, anxin.FieldIDNumber, false, true},
		{anxin.RoleCSR, anxin.FieldBankAccount, false, false},
		{anxin.RoleClaims, anxin.FieldBankAccount, true, true},
		{anxin.RolePolicyChange, anxin.FieldAddress, true, true},
		{anxin.RoleAuditor, anxin.FieldName, false, false},
		{anxin.RoleAdmin, anxin.FieldMobile, false, false},
		{anxin.RoleAgent, anxin.FieldMobile, false, true},
		{anxin.RoleDirector, anxin.FieldIDNumber, false, false},
	} {
		if got := tt.role.SeesFull(tt.field); got != tt.full {
			t.Errorf("%s sees %s in full = %v", tt.role, tt.field, got)
		}
		if got := tt.role.MayUnmask(tt.field); got != tt.unmask {
			t.Errorf("%s may unmask %s = %v", tt.role, tt.field, got)
		}
	}
	for _, r := range anxin.Roles {
		if anxin.VisibilityOf(r.Role).Purpose == "" {
			t.Errorf("role %s has no row in the visibility table", r.Role)
		}
	}
	if !anxin.RolePolicyChange.SeesAllFull() || anxin.RoleAdmin.SeesAllFull() {
		t.Error("SeesAllFull")
	}
}

func TestMaskCustomerLeavesOriginalSlices(t *testing.T) {
	c := anxin.Customer{Name: "李建伟", IDNumber: "11010519491231002X", Mobiles: []string{"13812341234"}}
	orig := c.Mobiles
	anxin.MaskCustomer(&c, anxin.RoleAuditor)
	if c.Name != "李*伟" || c.Mobiles[0] != "138****1234" || orig[0] != "13812341234" {
		t.Fatalf("%+v %v", c, orig)
	}
}
