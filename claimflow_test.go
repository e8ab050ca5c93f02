package anxin

import "testing"

func TestApprovalLimits(t *testing.T) {
	ls := DefaultApprovalLimits
	for _, tc := range []struct {
		role   Role
		amount Fen
		covers bool
	}{
		{RoleClaims, 10_000_00, true},
		{RoleClaims, 10_000_01, false},
		{RoleSupervisor, 100_000_00, true},
		{RoleSupervisor, 100_000_01, false},
		{RoleDirector, 99_999_999_99, true},
		{RoleCSR, 1, false}, // no limit at all: may not approve
	} {
		if got := Covers(ls, tc.role, tc.amount); got != tc.covers {
			t.Errorf("%s approving %s: %v, want %v", tc.role, tc.amount, got, tc.covers)
		}
	}
	for _, tc := range []struct {
		amount Fen
		role   Role
	}{
		{1, RoleClaims}, {10_000_00, RoleClaims}, {10_000_01, RoleSupervisor}, {100_000_00, RoleSupervisor}, {100_000_01, RoleDirector},
	} {
		if got := LowestRoleFor(ls, tc.amount); got != tc.role {
			t.Errorf("LowestRoleFor(%s) = %s, want %s", tc.amount, got, tc.role)
		}
	}
	for _, tc := range []struct {
		name string
		ls   []ApprovalLimit
		ok   bool
	}{
		{"defaults", DefaultApprovalLimits, true},
		{"none", nil, false},
		{"nobody approves the largest", []ApprovalLimit{{RoleClaims, 100}}, false},
		{"a role twice", []ApprovalLimit{{RoleClaims, 100}, {RoleClaims, 0}}, false},
		{"not a role", []ApprovalLimit{{"boss", 0}}, false},
		{"negative", []ApprovalLimit{{RoleClaims, -1}, {RoleDirector, 0}}, false},
	} {
		if err := ValidateApprovalLimits(tc.ls); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestClaimChecklist(t *testing.T) {
	codes := func(items []ChecklistItem) (out []string) {
		for _, it := range items {
			if it.Status != ItemMissing {
				t.Errorf("%s starts %s", it.Code, it.Status)
			}
			out = append(out, it.Code)
		}
		return out
	}
	for _, tc := range []struct {
		typ     ClaimType
		setting string
		want    []string
	}{
		{ClaimMedical, SettingOutpatient, []string{"invoices", "expense_list", "diagnosis", "bank_account"}},
		{ClaimMedical, SettingInpatient, []string{"invoices", "expense_list", "diagnosis", "discharge_summary", "bank_account"}},
		{ClaimDeath, "", []string{"death_certificate", "beneficiary_ids", "relationship_proof", "bank_account"}},
		{ClaimVehicleDamage, "", []string{"accident_determination", "damage_assessment", "licences", "bank_account"}},
		{ClaimCriticalIllness, "", []string{"diagnosis_report", "medical_records", "bank_account"}},
	} {
		got := codes(ClaimChecklist(DefaultClaimChecklists, tc.typ, tc.setting))
		if len(got) != len(tc.want) {
			t.Errorf("%s/%s: %v", tc.typ, tc.setting, got)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s/%s: %v, want %v", tc.typ, tc.setting, got, tc.want)
				break
			}
		}
	}
	for _, ct := range ClaimTypes {
		if len(DefaultClaimChecklists[ct.Type]) == 0 {
			t.Errorf("%s has no shipped checklist", ct.Type)
		}
	}
}

func TestClaimValidate(t *testing.T) {
	today := MustDate("2026-11-25")
	valid := func() Claim {
		return Claim{PolicyID: "p", Type: ClaimMedical, IncidentDate: today, Description: "门诊", Claimed: 100,
			Loss: ClaimLoss{Setting: SettingOutpatient, Expenses: 100}, Payout: Payout{PayeeName: "张三", Account: "6222 0202 0011 2233"}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(c *Claim)
		field string
	}{
		{"valid, today", func(c *Claim) {}, ""},
		{"tomorrow", func(c *Claim) { c.IncidentDate = today.AddDays(1) }, "incident_date"},
		{"no date", func(c *Claim) { c.IncidentDate = Date{} }, "incident_date"},
		{"unknown type", func(c *Claim) { c.Type = "flood" }, "type"},
		{"no policy", func(c *Claim) { c.PolicyID = "" }, "policy_id"},
		{"blank description", func(c *Claim) { c.Description = "  " }, "description"},
		{"negative amount", func(c *Claim) { c.Claimed = -1 }, "claimed"},
		{"eligible over expenses", func(c *Claim) { c.Loss.Eligible = 200 }, "loss.eligible"},
		{"account with letters", func(c *Claim) { c.Payout.Account = "6222abc" }, "payout.account"},
		{"account too short", func(c *Claim) { c.Payout.Account = "1234567" }, "payout.account"},
		{"setting unknown", func(c *Claim) { c.Loss.Setting = "home" }, "loss.setting"},
		{"negative traffic loss", func(c *Claim) { c.Loss.TrafficLosses = []TrafficLoss{{Medical: -1}} }, "loss.traffic_losses[0].amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.edit(&c)
			err := c.Validate(today)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Payout.Account != "6222020200112233" {
					t.Errorf("spaces kept in the account: %q", c.Payout.Account)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("got %v", err)
			}
			for _, f := range e.Fields {
				if f.Field == tc.field {
					return
				}
			}
			t.Fatalf("no error for %s: %+v", tc.field, e.Fields)
		})
	}
}
