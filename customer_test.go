package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
)

func TestCustomerValidation(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		c      anxin.Customer
		fields []string
	}{
		{"valid individual", anxin.Customer{Name: "李建国", IDNumber: "11010519491231002x", Mobiles: []string{"+8613812345678"}}, nil},
		{"valid enterprise", anxin.Customer{Kind: anxin.Enterprise, Name: "华信", IDNumber: "91350100M000100Y43"}, nil},
		{"bad check digit", anxin.Customer{Name: "李", IDNumber: "110105194912310021", Mobiles: []string{"13812345678"}}, []string{"id_number"}},
		{"gender contradicts ID", anxin.Customer{Name: "李", Gender: anxin.Male, IDNumber: "11010519491231002X", Mobiles: []string{"13812345678"}}, []string{"gender"}},
		{"birth date contradicts ID", anxin.Customer{Name: "李", BirthDate: anxin.MustDate("1950-01-01"), IDNumber: "11010519491231002X", Mobiles: []string{"13812345678"}}, []string{"birth_date"}},
		{"enterprise with resident ID", anxin.Customer{Kind: anxin.Enterprise, Name: "华信", IDType: anxin.ResidentID, IDNumber: "11010519491231002X"}, []string{"id_type"}},
		{"passport", anxin.Customer{Name: "John Smith", IDType: anxin.Passport, IDNumber: "E12345678", Mobiles: []string{"13812345678"}}, nil},
		{"duplicate mobile", anxin.Customer{Name: "李", IDNumber: "11010519491231002X", Mobiles: []string{"13812345678", "+86 138 1234 5678"}}, []string{"mobiles[1]"}},
		{"no mobile", anxin.Customer{Name: "李", IDNumber: "11010519491231002X"}, []string{"mobiles"}},
		{"bad email", anxin.Customer{Name: "李", IDNumber: "11010519491231002X", Mobiles: []string{"13812345678"}, Email: "li@"}, []string{"email"}},
		{"unknown consent", anxin.Customer{Name: "李", IDNumber: "11010519491231002X", Mobiles: []string{"13812345678"}, Consents: []anxin.Consent{{Purpose: "spam", Channel: "app"}}}, []string{"consents[0].purpose"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Normalize(now)
			err := c.Validate(now)
			got := map[string]bool{}
			if err != nil {
				for _, f := range err.(*anxin.Error).Fields {
					got[f.Field] = true
				}
			}
			if len(got) != len(tt.fields) {
				t.Fatalf("fields %v, want %v: %v", got, tt.fields, err)
			}
			for _, f := range tt.fields {
				if !got[f] {
					t.Fatalf("%s not reported: %v", f, err)
				}
			}
		})
	}
}
