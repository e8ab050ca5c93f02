package idcheck

import (
	"testing"
	"time"
)

// withCheck appends the correct check character, so a fixture can fail on
// exactly one rule other than the checksum.
func withCheck(first17 string) string {
	return first17 + string(residentCheck(first17))
}

func TestParseResidentID(t *testing.T) {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

	tests := []struct {
		name   string
		in     string
		want   ResidentID
		reason string
	}{
		{
			name: "standard example, female, X check",
			in:   "11010519491231002X",
			want: ResidentID{Number: "11010519491231002X", Birth: date(1949, 12, 31), Male: false, Area: "110105"},
		},
		{
			name: "lower-case x is normalised",
			in:   "11010519491231002x",
			want: ResidentID{Number: "11010519491231002X", Birth: date(1949, 12, 31), Male: false, Area: "110105"},
		},
		{
			name: "surrounding spaces trimmed",
			in:   "  11010519491231002X\t",
			want: ResidentID{Number: "11010519491231002X", Birth: date(1949, 12, 31), Male: false, Area: "110105"},
		},
		{
			name: "male, digit check",
			in:   withCheck("44030519900307001"),
			want: ResidentID{Number: withCheck("44030519900307001"), Birth: date(1990, 3, 7), Male: true, Area: "440305"},
		},
		{
			name: "leap day in a leap year",
			in:   withCheck("31011520000229002"),
			want: ResidentID{Number: withCheck("31011520000229002"), Birth: date(2000, 2, 29), Male: false, Area: "310115"},
		},
		{
			name: "born today",
			in:   withCheck("11010520260315003"),
			want: ResidentID{Number: withCheck("11010520260315003"), Birth: date(2026, 3, 15), Male: true, Area: "110105"},
		},
		{
			name: "born 1900-01-01",
			in:   withCheck("11010519000101003"),
			want: ResidentID{Number: withCheck("11010519000101003"), Birth: date(1900, 1, 1), Male: true, Area: "110105"},
		},
		{
			name: "Hong Kong residence permit area",
			in:   withCheck("81000019800101001"),
			want: ResidentID{Number: withCheck("81000019800101001"), Birth: date(1980, 1, 1), Male: true, Area: "810000"},
		},

		{name: "empty", in: "", reason: ReasonEmpty},
		{name: "blank", in: "   ", reason: ReasonEmpty},
		{name: "too short", in: "11010519491231002", reason: ReasonLength},
		{name: "too long", in: "11010519491231002X0", reason: ReasonLength},
		{name: "old 15-digit ID", in: "110105491231002", reason: ReasonLength},
		{name: "letter", in: "11010519491231002A", reason: ReasonFormat},
		{name: "inner space", in: "110105 19491231002X", reason: ReasonFormat},
		{name: "full-width digits", in: "１１０１０５１９４９１２３１００２Ｘ", reason: ReasonFormat},
		{name: "X not last", in: "1101051949123100X2", reason: ReasonFormat},
		{name: "wrong check digit", in: "110105194912310021", reason: ReasonChecksum},
		{name: "wrong check X", in: "44052419800101001X", reason: ReasonChecksum},
		{name: "transposed digits", in: "11010519491231020X", reason: ReasonChecksum},
		{name: "19990229 does not exist", in: withCheck("11010519990229002"), reason: ReasonBirthDate},
		{name: "month 13", in: withCheck("11010519991301002"), reason: ReasonBirthDate},
		{name: "day 00", in: withCheck("11010519990100002"), reason: ReasonBirthDate},
		{name: "April 31", in: withCheck("11010519990431002"), reason: ReasonBirthDate},
		{name: "born tomorrow", in: withCheck("11010520260316002"), reason: ReasonBirthDate},
		{name: "born next century", in: withCheck("11010521000101002"), reason: ReasonBirthDate},
		{name: "born 1899", in: withCheck("11010518991231002"), reason: ReasonBirthDate},
		// The GB 11643 worked example: its check digit is right (see
		// TestResidentCheckStandardExample) but 1880 is before our floor.
		{name: "GB 11643 example born 1880", in: "440524188001010014", reason: ReasonBirthDate},
		{name: "province 00", in: withCheck("00010519491231002"), reason: ReasonArea},
		{name: "province 16", in: withCheck("16010519491231002"), reason: ReasonArea},
		{name: "province 84", in: withCheck("84000019800101001"), reason: ReasonArea},
		{name: "province 99", in: withCheck("99010519491231002"), reason: ReasonArea},
		{name: "area checked before date", in: withCheck("99010519990229002"), reason: ReasonArea},
		{name: "date checked before checksum", in: "110105199902290020", reason: ReasonBirthDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResidentID(tt.in, now)
			if r := reasonOf(t, err); r != tt.reason {
				t.Fatalf("ParseResidentID(%q) reason = %q (%v), want %q", tt.in, r, err, tt.reason)
			}
			if tt.reason != "" {
				if got != (ResidentID{}) {
					t.Errorf("ParseResidentID(%q) = %+v with error, want zero value", tt.in, got)
				}
				return
			}
			if got != tt.want {
				t.Errorf("ParseResidentID(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestResidentCheckStandardExample(t *testing.T) {
	if got := residentCheck("44052418800101001"); got != '4' {
		t.Errorf("residentCheck(44052418800101001) = %q, want '4'", got)
	}
}

// "Today" is the caller's calendar date: just after midnight in Beijing a baby
// born that day is valid although it is still the previous day in UTC.
func TestParseResidentIDTodayInCallerZone(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	now := time.Date(2026, 3, 16, 0, 30, 0, 0, shanghai) // 2026-03-15 16:30 UTC
	id := withCheck("11010520260316002")
	got, err := ParseResidentID(id, now)
	if err != nil {
		t.Fatalf("ParseResidentID(%q, %v) error = %v", id, now, err)
	}
	if want := time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC); !got.Birth.Equal(want) || got.Birth.Location() != time.UTC {
		t.Errorf("Birth = %v, want %v", got.Birth, want)
	}
	if _, err := ParseResidentID(id, now.UTC()); reasonOf(t, err) != ReasonBirthDate {
		t.Errorf("with now in UTC (still 15 March) error = %v, want birth_date", err)
	}
}

func TestValidProvince(t *testing.T) {
	valid := map[int]bool{71: true, 81: true, 82: true, 83: true, 91: true}
	for _, r := range [][2]int{{11, 15}, {21, 23}, {31, 37}, {41, 46}, {50, 54}, {61, 65}} {
		for n := r[0]; n <= r[1]; n++ {
			valid[n] = true
		}
	}
	for n := 0; n <= 99; n++ {
		code := string([]byte{byte('0' + n/10), byte('0' + n%10)})
		if got := validProvince(code); got != valid[n] {
			t.Errorf("validProvince(%q) = %v, want %v", code, got, valid[n])
		}
	}
}
