package anxin_test

import (
	"testing"

	"github.com/anxin-insure/anxin"
)

func TestParseYuan(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want anxin.Fen
		bad  bool
	}{
		{"1234.5", 123450, false},
		{"¥1,234.50", 123450, false},
		{"0.01", 1, false},
		{"-12", -1200, false},
		{"12.345", 0, true},
		{"", 0, true},
		{"abc", 0, true},
		{"1e5", 0, true},
	} {
		got, err := anxin.ParseYuan(tt.in)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ParseYuan(%q) = %d, %v", tt.in, got, err)
		}
	}
	if s := anxin.Fen(-5).String(); s != "-0.05" {
		t.Errorf("String: %s", s)
	}
	if got := anxin.BasisPoints(6000).Of(12345); got != 7407 {
		t.Errorf("60%% of 123.45 = %d fen", got)
	}
}
