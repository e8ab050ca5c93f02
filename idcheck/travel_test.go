package idcheck

import "testing"

func TestPassport(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		reason string
	}{
		{name: "Chinese E passport", in: "E12345678", want: "E12345678"},
		{name: "Chinese G passport", in: "G12345678", want: "G12345678"},
		{name: "lower case", in: "e12345678", want: "E12345678"},
		{name: "foreign, 5 chars", in: "AB123", want: "AB123"},
		{name: "foreign, 17 chars", in: "A1234567890123456", want: "A1234567890123456"},
		{name: "trimmed", in: " C01X00T47 ", want: "C01X00T47"},

		{name: "empty", in: "", reason: ReasonEmpty},
		{name: "4 chars", in: "E123", reason: ReasonLength},
		{name: "18 chars", in: "A12345678901234567", reason: ReasonLength},
		{name: "hyphen", in: "E1234-5678", reason: ReasonFormat},
		{name: "inner space", in: "E 12345678", reason: ReasonFormat},
		{name: "Chinese", in: "护照12345678", reason: ReasonFormat},
		{name: "long s is not S", in: "ſ12345678", reason: ReasonFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Passport(tt.in)
			if r := reasonOf(t, err); r != tt.reason {
				t.Fatalf("Passport(%q) reason = %q (%v), want %q", tt.in, r, err, tt.reason)
			}
			if got != tt.want {
				t.Errorf("Passport(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHKMacauPermit(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		reason string
	}{
		{name: "Hong Kong", in: "H12345678", want: "H12345678"},
		{name: "Macau", in: "M12345678", want: "M12345678"},
		{name: "with issue count", in: "H1234567801", want: "H1234567801"},
		{name: "lower case", in: " m1234567802 ", want: "M1234567802"},

		{name: "empty", in: "", reason: ReasonEmpty},
		{name: "7 digits", in: "H1234567", reason: ReasonLength},
		{name: "9 digits", in: "H123456789", reason: ReasonLength},
		{name: "wrong letter", in: "E12345678", reason: ReasonFormat},
		{name: "no letter", in: "123456789", reason: ReasonFormat},
		{name: "letter inside", in: "H1234567A", reason: ReasonFormat},
		{name: "hyphen", in: "H-12345678", reason: ReasonFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HKMacauPermit(tt.in)
			if r := reasonOf(t, err); r != tt.reason {
				t.Fatalf("HKMacauPermit(%q) reason = %q (%v), want %q", tt.in, r, err, tt.reason)
			}
			if got != tt.want {
				t.Errorf("HKMacauPermit(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTaiwanPermit(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		reason string
	}{
		{name: "8 digits", in: "12345678", want: "12345678"},
		{name: "10 digits", in: "1234567801", want: "1234567801"},
		{name: "trimmed", in: " 12345678 ", want: "12345678"},

		{name: "empty", in: "", reason: ReasonEmpty},
		{name: "7 digits", in: "1234567", reason: ReasonLength},
		{name: "9 digits", in: "123456789", reason: ReasonLength},
		{name: "11 digits", in: "12345678901", reason: ReasonLength},
		{name: "letter", in: "T12345678", reason: ReasonFormat},
		{name: "space", in: "1234 5678", reason: ReasonFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TaiwanPermit(tt.in)
			if r := reasonOf(t, err); r != tt.reason {
				t.Fatalf("TaiwanPermit(%q) reason = %q (%v), want %q", tt.in, r, err, tt.reason)
			}
			if got != tt.want {
				t.Errorf("TaiwanPermit(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
