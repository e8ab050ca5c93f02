package anxin_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
)

var fuzzNow = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// Whatever a client sends as a customer, decoding, normalising and
// validating never panic, and a customer that validates still validates
// after a JSON round trip.
func FuzzCustomerJSON(f *testing.F) {
	f.Add(`{"kind":"individual","name":"李建国","id_type":"resident_id","id_number":"11010519491231002x","mobiles":["+86 138 1234 5678"],"tier":"gold"}`)
	f.Add(`{"kind":"enterprise","name":"华信","id_type":"credit_code","id_number":"91350100M000100Y43","mobiles":[]}`)
	f.Add(`{"birth_date":"1999-02-29","consents":[{"purpose":"marketing"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		var c anxin.Customer
		if json.Unmarshal([]byte(body), &c) != nil {
			return
		}
		c.Normalize(fuzzNow)
		if c.Validate(fuzzNow) != nil {
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var again anxin.Customer
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		if err := again.Validate(fuzzNow); err != nil {
			t.Fatalf("valid customer invalid after round trip: %v", err)
		}
	})
}

// The same for policies against a fixed product.
func FuzzPolicyJSON(f *testing.F) {
	product := &anxin.Product{Code: "LIFE-TERM20", Line: anxin.LineLife, Name: "定期寿险",
		Coverages: []anxin.Coverage{{Kind: anxin.CovTermLife, SumInsured: 50_000_000}}}
	f.Add(`{"number":"P1","policyholder_id":"a","insured_id":"a","premium":100,"payment_method":"bank_debit","bank_account":"6225880137001234","effective_date":"2026-01-01","underwriting_date":"2026-01-01","sales_channel":"agent","beneficiaries":[{"name":"张三","relation":"spouse","share":10000}],"payment_frequency":"single"}`)
	f.Add(`{"statutory_heirs":true,"beneficiaries":[{"share":-1}],"expiry_date":"2020-01-01"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var p anxin.Policy
		if json.Unmarshal([]byte(body), &p) != nil {
			return
		}
		p.Normalize()
		p.Coverages = product.Coverages
		p.Validate(product, fuzzNow)
	})
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1234.5", "¥1,234.50", "-0.01", "99999999999999999999", ".5", "1.234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := anxin.ParseYuan(s)
		if err != nil {
			return
		}
		back, err := anxin.ParseYuan(v.String())
		if err != nil || back != v {
			t.Fatalf("%q → %d → %q → %d %v", s, v, v.String(), back, err)
		}
	})
}
