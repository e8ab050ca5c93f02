package idcheck

import "testing"

func TestMobile(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   string
		reason string
	}{
		{name: "plain", in: "13800138000", want: "13800138000"},
		{name: "19x segment", in: "19912345678", want: "19912345678"},
		{name: "+86", in: "+8613800138000", want: "13800138000"},
		{name: "86", in: "8613800138000", want: "13800138000"},
		{name: "+86 with space", in: "+86 13800138000", want: "13800138000"},
		{name: "grouped with spaces", in: "138 0013 8000", want: "13800138000"},
		{name: "grouped with hyphens", in: "138-0013-8000", want: "13800138000"},
		{name: "mixed separators", in: "+86 138 - 0013-8000", want: "13800138000"},
		{name: "surrounding spaces", in: "  13800138000 ", want: "13800138000"},

		{name: "empty", in: "", reason: ReasonEmpty},
		{name: "blank", in: "  ", reason: ReasonEmpty},
		{name: "12345", in: "12345", reason: ReasonLength},
		{name: "10 digits", in: "1380013800", reason: ReasonLength},
		{name: "12 digits", in: "138001380001", reason: ReasonLength},
		{name: "+86 and too short", in: "+86138001380", reason: ReasonLength},
		{name: "second digit 2", in: "12800138000", reason: ReasonFormat},
		{name: "second digit 0", in: "10800138000", reason: ReasonFormat},
		{name: "landline", in: "01062345678", reason: ReasonFormat},
		{name: "letter", in: "1380013800a", reason: ReasonFormat},
		{name: "0086 prefix", in: "008613800138000", reason: ReasonLength},
		{name: "+85 prefix", in: "+8513800138000", reason: ReasonFormat},
		{name: "plus in the middle", in: "138+00138000", reason: ReasonFormat},
		{name: "leading hyphen", in: "-13800138000", reason: ReasonFormat},
		{name: "trailing hyphen", in: "13800138000-", reason: ReasonFormat},
		{name: "space after plus", in: "+ 8613800138000", reason: ReasonFormat},
		{name: "parentheses", in: "(+86)13800138000", reason: ReasonFormat},
		{name: "full-width digits", in: "１３８００１３８０００", reason: ReasonFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Mobile(tt.in)
			if r := reasonOf(t, err); r != tt.reason {
				t.Fatalf("Mobile(%q) reason = %q (%v), want %q", tt.in, r, err, tt.reason)
			}
			if got != tt.want {
				t.Errorf("Mobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMobileFormatMessage(t *testing.T) {
	_, err := Mobile("12800138000")
	if got, want := err.(*Error).Message("zh"), "手机号码格式不正确"; got != want {
		t.Errorf("Message(zh) = %q, want %q", got, want)
	}
}
