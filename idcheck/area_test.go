package idcheck

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func TestAreaCodes(t *testing.T) {
	codes := AreaCodes()
	if len(codes) < 30 {
		t.Errorf("AreaCodes has %d codes, want a few dozen", len(codes))
	}
	if !slices.IsSorted(codes) {
		t.Errorf("AreaCodes not sorted: %v", codes)
	}
	for _, c := range codes {
		if len(c) != 6 || !isDigits(c) || !validProvince(c[:2]) {
			t.Errorf("area code %q is not six digits in a valid province", c)
		}
		if c[2:] == "0000" {
			t.Errorf("area code %q is a province, want a county", c)
		}
		if name := AreaName(c); name == "" || !utf8.ValidString(name) {
			t.Errorf("AreaName(%q) = %q", c, name)
		}
	}
	codes[0] = "mutated"
	if AreaCodes()[0] == "mutated" {
		t.Error("AreaCodes returned shared storage")
	}
}

func TestAreaName(t *testing.T) {
	tests := map[string]string{
		"110105": "北京市朝阳区",
		"310115": "上海市浦东新区",
		"440305": "广东省深圳市南山区",
		"999999": "",
		"":       "",
	}
	for code, want := range tests {
		if got := AreaName(code); got != want {
			t.Errorf("AreaName(%q) = %q, want %q", code, got, want)
		}
	}
}
