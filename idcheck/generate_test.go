package idcheck

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func TestGenerateResidentIDRoundTrip(t *testing.T) {
	r := newRand(1)
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	earliest := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(now.Sub(earliest).Hours() / 24)
	codes := AreaCodes()
	for i := range 2000 {
		area := ""
		if i%2 == 0 {
			area = codes[r.IntN(len(codes))]
		}
		birth := earliest.AddDate(0, 0, r.IntN(days+1))
		male := r.IntN(2) == 0
		id := GenerateResidentID(r, area, birth, male)
		got, err := ParseResidentID(id, now)
		if err != nil {
			t.Fatalf("GenerateResidentID(%q, %v, %v) = %q, which fails: %v", area, birth, male, id, err)
		}
		if !got.Birth.Equal(birth) || got.Male != male || (area != "" && got.Area != area) {
			t.Fatalf("ParseResidentID(%q) = %+v, want birth %v male %v area %q", id, got, birth, male, area)
		}
		if AreaName(got.Area) == "" {
			t.Fatalf("generated area %q is not in AreaCodes", got.Area)
		}
		if seq := id[14:17]; seq == "000" {
			t.Fatalf("generated sequence 000 in %q", id)
		}
	}
}

// The birth date is taken from the time's own calendar date, not UTC, so a
// fixture written as midnight Beijing time yields that day.
func TestGenerateResidentIDUsesBirthLocation(t *testing.T) {
	birth := time.Date(1990, 3, 7, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	id := GenerateResidentID(newRand(2), "440305", birth, true)
	if !strings.HasPrefix(id, "44030519900307") {
		t.Errorf("GenerateResidentID = %q, want prefix 44030519900307", id)
	}
}

func TestGenerateResidentIDDeterministic(t *testing.T) {
	birth := time.Date(1985, 6, 1, 0, 0, 0, 0, time.UTC)
	a := GenerateResidentID(newRand(7), "", birth, false)
	b := GenerateResidentID(newRand(7), "", birth, false)
	if a != b {
		t.Errorf("same seed gave %q and %q", a, b)
	}
}

func TestGenerateResidentIDPanicsOnBadArea(t *testing.T) {
	for _, area := range []string{"11010", "1101050", "11010x"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("GenerateResidentID(area %q) did not panic", area)
				}
			}()
			GenerateResidentID(newRand(3), area, time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), true)
		}()
	}
}

func TestGenerateCreditCodeRoundTrip(t *testing.T) {
	r := newRand(4)
	sawMA, sawDigits := false, false
	for range 2000 {
		code := GenerateCreditCode(r)
		got, err := CreditCode(code)
		if err != nil || got != code {
			t.Fatalf("GenerateCreditCode = %q; CreditCode = %q, %v", code, got, err)
		}
		if !strings.HasPrefix(code, "91") || AreaName(code[2:8]) == "" {
			t.Fatalf("GenerateCreditCode = %q, want 91 and a known area code", code)
		}
		if orgCodeCheck(code[8:16]) != code[16] {
			t.Fatalf("GenerateCreditCode = %q: organisation code check digit wrong", code)
		}
		sawMA = sawMA || code[8:10] == "MA"
		sawDigits = sawDigits || isDigits(code[8:16])
	}
	if !sawMA || !sawDigits {
		t.Errorf("generated organisation codes lack variety: MA %v, all-digit %v", sawMA, sawDigits)
	}
}

// Known organisation codes anchor the GB 11714 check independently of the
// generator: 80210043-3 is embedded in 91110000802100433B.
func TestOrgCodeCheck(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"80210043", '3'},
		{"M000100Y", '4'},
	}
	for _, tt := range tests {
		if got := orgCodeCheck(tt.body); got != tt.want {
			t.Errorf("orgCodeCheck(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestGenerateMobileRoundTrip(t *testing.T) {
	r := newRand(5)
	for range 2000 {
		m := GenerateMobile(r)
		got, err := Mobile(m)
		if err != nil || got != m {
			t.Fatalf("GenerateMobile = %q; Mobile = %q, %v", m, got, err)
		}
	}
}

func TestGenerateBankCardRoundTrip(t *testing.T) {
	r := newRand(6)
	lengths := map[int]bool{}
	for range 2000 {
		c := GenerateBankCard(r)
		got, ok, err := BankCard(c)
		if err != nil || got != c || !ok {
			t.Fatalf("GenerateBankCard = %q; BankCard = %q, %v, %v", c, got, ok, err)
		}
		if !strings.HasPrefix(c, "62") || (len(c) != 16 && len(c) != 19) {
			t.Fatalf("GenerateBankCard = %q, want 16 or 19 digits starting with 62", c)
		}
		lengths[len(c)] = true
	}
	if !lengths[16] || !lengths[19] {
		t.Errorf("generated lengths %v, want both 16 and 19", lengths)
	}
}
