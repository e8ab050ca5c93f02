package anxin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
)

func TestPolicyValidation(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	life := &anxin.Product{Code: "L", Line: anxin.LineLife, Name: "定期寿险", Coverages: []anxin.Coverage{{Kind: anxin.CovTermLife, SumInsured: 1}}}
	auto := &anxin.Product{Code: "A", Line: anxin.LineAuto, Name: "交强险", Coverages: []anxin.Coverage{{Kind: anxin.CovCompulsoryTraffic}}}
	base := func() anxin.Policy {
		return anxin.Policy{Number: "P1", PolicyholderID: "c", InsuredID: "c", Coverages: life.Coverages, Premium: 100,
			PaymentFrequency: anxin.PaySingle, PaymentMethod: anxin.PayOnline, EffectiveDate: anxin.MustDate("2026-01-02"),
			UnderwritingDate: anxin.MustDate("2026-01-01"), Status: anxin.PolicyInForce, SalesChannel: "agent",
			Beneficiaries: []anxin.Beneficiary{{Name: "甲", Relation: "spouse", Share: 5000}, {Name: "乙", Relation: "child", Share: 5000}}}
	}
	tests := []struct {
		name     string
		product  *anxin.Product
		edit     func(p *anxin.Policy)
		fields   []string // fields that must be reported, empty = valid
		warnings []string
	}{
		{"valid", life, func(p *anxin.Policy) {}, nil, nil},
		{"shares short of 100%", life, func(p *anxin.Policy) { p.Beneficiaries[1].Share = 4999 }, []string{"beneficiaries"}, nil},
		{"statutory heirs alone", life, func(p *anxin.Policy) { p.Beneficiaries = nil; p.StatutoryHeirs = true }, nil, nil},
		{"statutory and named", life, func(p *anxin.Policy) { p.StatutoryHeirs = true }, []string{"beneficiaries"}, nil},
		{"no beneficiary decision", life, func(p *anxin.Policy) { p.Beneficiaries = nil }, []string{"beneficiaries"}, nil},
		{"auto has no beneficiaries", auto, func(p *anxin.Policy) { p.Coverages = auto.Coverages }, []string{"beneficiaries"}, nil},
		{"coverage of another line", life, func(p *anxin.Policy) { p.Coverages = auto.Coverages }, []string{"coverages[0].kind"}, nil},
		{"bank debit needs an account", life, func(p *anxin.Policy) { p.PaymentMethod = anxin.PayBankDebit }, []string{"bank_account"}, nil},
		{"Luhn failure is only a warning", life, func(p *anxin.Policy) { p.PaymentMethod = anxin.PayBankDebit; p.BankAccount = "6225880137001235" }, nil, []string{"bank_account"}},
		{"expiry before effective", life, func(p *anxin.Policy) { p.ExpiryDate = anxin.MustDate("2026-01-01") }, []string{"expiry_date"}, nil},
		{"effective before underwriting", life, func(p *anxin.Policy) { p.EffectiveDate = anxin.MustDate("2025-12-31") }, []string{"effective_date"}, nil},
		{"periodic premium needs next payment", life, func(p *anxin.Policy) { p.PaymentFrequency = anxin.PayAnnual }, []string{"next_payment_date"}, nil},
		{"unknown channel", life, func(p *anxin.Policy) { p.SalesChannel = "door" }, []string{"sales_channel"}, nil},
		{"beneficiary ID checked", life, func(p *anxin.Policy) { p.Beneficiaries[0].IDNumber = "110105194912310021" }, []string{"beneficiaries[0].id_number"}, nil},
		{"unknown product", nil, func(p *anxin.Policy) {}, []string{"product_code"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base()
			tt.edit(&p)
			warnings, err := p.Validate(tt.product, now)
			got := map[string]bool{}
			if err != nil {
				for _, f := range err.(*anxin.Error).Fields {
					if !f.Warning {
						got[f.Field] = true
						if f.MessageZH == "" || f.Message == "" {
							t.Errorf("%s: message missing in a language", f.Field)
						}
					}
				}
			}
			if len(got) != len(tt.fields) {
				t.Errorf("fields %v, want %v (%v)", got, tt.fields, err)
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Errorf("field %s not reported: %v", f, err)
				}
			}
			var w []string
			for _, f := range warnings {
				w = append(w, f.Field)
			}
			if strings.Join(w, ",") != strings.Join(tt.warnings, ",") {
				t.Errorf("warnings %v, want %v", w, tt.warnings)
			}
		})
	}
}

func TestWaitingPeriodAndInForce(t *testing.T) {
	p := anxin.Policy{Status: anxin.PolicyInForce, EffectiveDate: anxin.MustDate("2026-01-01"), ExpiryDate: anxin.MustDate("2027-01-01")}
	c := anxin.Coverage{WaitingPeriodDays: 30}
	for _, tt := range []struct {
		day              string
		waiting, inForce bool
	}{
		{"2025-12-31", true, false},
		{"2026-01-30", true, true},
		{"2026-01-31", false, true},
		{"2026-12-31", false, true},
		{"2027-01-01", false, false},
	} {
		d := anxin.MustDate(tt.day)
		if got := p.InWaitingPeriod(c, d); got != tt.waiting {
			t.Errorf("%s waiting = %v", tt.day, got)
		}
		if got := p.InForceOn(d); got != tt.inForce {
			t.Errorf("%s in force = %v", tt.day, got)
		}
	}
}
