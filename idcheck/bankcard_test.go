package idcheck

import "testing"

func TestBankCard(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		luhnOK bool
		reason string
	}{
		{name: "Visa test number", in: "4111111111111111", want: "4111111111111111", luhnOK: true},
		{name: "grouped", in: "4111 1111 1111 1111", want: "4111111111111111", luhnOK: true},
		{name: "UnionPay 19 digits", in: "6222020200112345679", want: "6222020200112345679", luhnOK: true},
		{name: "12 digits", in: "123456789015", want: "123456789015", luhnOK: true},
		{name: "Luhn failure is only a warning", in: "4111111111111112", want: "4111111111111112", luhnOK: false},
		{name: "surrounding spaces", in: " 4111111111111111 ", want: "4111111111111111", luhnOK: true},

		{name: "empty", in: "", reason: ReasonEmpty},
		{name: "spaces only", in: "    ", reason: ReasonEmpty},
		{name: "11 digits", in: "12345678901", reason: ReasonLength},
		{name: "20 digits", in: "12345678901234567890", reason: ReasonLength},
		{name: "12345", in: "12345", reason: ReasonLength},
		{name: "hyphens", in: "4111-1111-1111-1111", reason: ReasonFormat},
		{name: "letter", in: "411111111111111a", reason: ReasonFormat},
		{name: "full-width digits", in: "４１１１１１１１１１１１１１１１", reason: ReasonFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := BankCard(tt.in)
			if r := reasonOf(t, err); r != tt.reason {
				t.Fatalf("BankCard(%q) reason = %q (%v), want %q", tt.in, r, err, tt.reason)
			}
			if got != tt.want || ok != tt.luhnOK {
				t.Errorf("BankCard(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.luhnOK)
			}
		})
	}
}

func TestLuhn(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4111111111111111", true},
		{"4111111111111112", false},
		{"79927398713", true},
		{"79927398710", false},
		{"0", true},
		{"18", true},
		{"", false},
		{"4111 1111 1111 1111", false},
		{"41111111111111x1", false},
	}
	for _, tt := range tests {
		if got := Luhn(tt.in); got != tt.want {
			t.Errorf("Luhn(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
