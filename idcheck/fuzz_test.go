package idcheck

import (
	"regexp"
	"testing"
	"time"
)

// The fuzz targets check two properties for arbitrary input: no panic, and
// normalisation is idempotent — a normalised value validates again to itself.
// Storage and de-duplication rely on the second.

var knownReasons = map[string]bool{
	ReasonEmpty: true, ReasonLength: true, ReasonFormat: true,
	ReasonChecksum: true, ReasonBirthDate: true, ReasonArea: true,
}

func checkReason(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v (%T) is not *Error", err, err)
	}
	if !knownReasons[e.Reason] {
		t.Fatalf("unknown reason %q", e.Reason)
	}
	if e.Message("zh") == "" || e.Message("en") == "" {
		t.Fatalf("reason %q has an empty message", e.Reason)
	}
}

func FuzzParseResidentID(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "11010519491231002x", "440524188001010014",
		" 110105199902290020", "110105491231002", "",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseResidentID(s, now)
		checkReason(t, err)
		if err != nil {
			return
		}
		again, err := ParseResidentID(got.Number, now)
		if err != nil || again != got {
			t.Fatalf("ParseResidentID(%q) = %+v, but its Number re-parses to %+v, %v", s, got, again, err)
		}
	})
}

func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "91110000802100433b", "91110000802100I33B", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CreditCode(s)
		checkReason(t, err)
		if err != nil {
			return
		}
		again, err := CreditCode(got)
		if err != nil || again != got {
			t.Fatalf("CreditCode(%q) = %q, which re-validates to %q, %v", s, got, again, err)
		}
	})
}

// nationalMobile is the domain rule restricted to the normalised form.
var nationalMobile = regexp.MustCompile(`^1[3-9]\d{9}$`)

func FuzzMobile(f *testing.F) {
	for _, s := range []string{"+86 138-0013-8000", "8613800138000", "12345", "-13800138000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Mobile(s)
		checkReason(t, err)
		if err != nil {
			return
		}
		if !nationalMobile.MatchString(got) {
			t.Fatalf("Mobile(%q) = %q, not an 11-digit mobile number", s, got)
		}
		again, err := Mobile(got)
		if err != nil || again != got {
			t.Fatalf("Mobile(%q) = %q, which re-validates to %q, %v", s, got, again, err)
		}
	})
}

func FuzzBankCard(f *testing.F) {
	for _, s := range []string{"4111 1111 1111 1111", "4111111111111112", "6222020200112345679", "12345", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok, err := BankCard(s)
		checkReason(t, err)
		if err != nil {
			if got != "" || ok {
				t.Fatalf("BankCard(%q) = %q, %v with error %v", s, got, ok, err)
			}
			return
		}
		again, ok2, err := BankCard(got)
		if err != nil || again != got || ok2 != ok || ok != Luhn(got) {
			t.Fatalf("BankCard(%q) = %q, %v; re-validates to %q, %v, %v", s, got, ok, again, ok2, err)
		}
	})
}

func FuzzPassport(f *testing.F) {
	for _, s := range []string{"E12345678", " g12345678 ", "AB12", "ſ12345678", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Passport(s)
		checkReason(t, err)
		if err != nil {
			return
		}
		again, err := Passport(got)
		if err != nil || again != got {
			t.Fatalf("Passport(%q) = %q, which re-validates to %q, %v", s, got, again, err)
		}
	})
}
