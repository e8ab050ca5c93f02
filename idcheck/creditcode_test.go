package idcheck

import (
	"strings"
	"testing"
)

func TestCreditCode(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		reason string
	}{
		{name: "valid, letters in body", in: "91350100M000100Y43", want: "91350100M000100Y43"},
		{name: "valid, letter check", in: "91110000802100433B", want: "91110000802100433B"},
		{name: "lower case normalised", in: "91350100m000100y43", want: "91350100M000100Y43"},
		{name: "spaces trimmed", in: " 91110000802100433b ", want: "91110000802100433B"},

		{name: "empty", in: "", reason: ReasonEmpty},
		{name: "blank", in: " \t", reason: ReasonEmpty},
		{name: "too short", in: "91110000802100433", reason: ReasonLength},
		{name: "too long", in: "91110000802100433B0", reason: ReasonLength},
		{name: "altered body", in: "91110000802100434B", reason: ReasonChecksum},
		{name: "altered check", in: "91350100M000100Y44", reason: ReasonChecksum},
		{name: "altered letter", in: "91350100N000100Y43", reason: ReasonChecksum},
		{name: "letter I", in: "91110000802100I33B", reason: ReasonFormat},
		{name: "letter O", in: "91110000802100O33B", reason: ReasonFormat},
		{name: "letter Z", in: "91110000802100Z33B", reason: ReasonFormat},
		{name: "letter S", in: "91110000802100S33B", reason: ReasonFormat},
		{name: "letter V", in: "91110000802100V33B", reason: ReasonFormat},
		{name: "lower-case o", in: "91110000802100o33b", reason: ReasonFormat},
		{name: "hyphen", in: "911100008-2100433B", reason: ReasonFormat},
		{name: "dotless i is not I", in: "91110000802100ı33B", reason: ReasonFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CreditCode(tt.in)
			if r := reasonOf(t, err); r != tt.reason {
				t.Fatalf("CreditCode(%q) reason = %q (%v), want %q", tt.in, r, err, tt.reason)
			}
			if got != tt.want {
				t.Errorf("CreditCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Every single-character substitution of a valid code must be caught: that is
// the property the mod-31 check is designed to guarantee.
func TestCreditCodeDetectsEverySubstitution(t *testing.T) {
	const valid = "91350100M000100Y43"
	for i := range len(valid) {
		for _, c := range []byte(creditAlphabet) {
			if c == valid[i] {
				continue
			}
			altered := valid[:i] + string(c) + valid[i+1:]
			if _, err := CreditCode(altered); reasonOf(t, err) != ReasonChecksum {
				t.Errorf("CreditCode(%q) error = %v, want checksum", altered, err)
			}
		}
	}
	if strings.ContainsAny(creditAlphabet, "IOZSV") || len(creditAlphabet) != 31 {
		t.Errorf("creditAlphabet = %q, want 31 characters without I, O, Z, S, V", creditAlphabet)
	}
}
