package calendar

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func parseFile(t *testing.T, name string) (Schedule, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Parse(f)
}

var example2027 = Schedule{
	Years: []int{2027},
	Days: []Day{
		{"2027-01-01", Off, "元旦"},
		{"2027-02-06", Off, "春节, 除夕"},
		{"2027-02-07", Off, "春节"},
		{"2027-02-13", Work, "春节"},
		{"2027-10-01", Off, "国庆节"},
	},
}

func TestParseExamples(t *testing.T) {
	for _, tt := range []struct {
		file string
		want Schedule
	}{
		// Comments, a blank line, a quoted comma, padded fields and a
		// same-kind duplicate whose empty name loses to the first.
		{"example_2027.csv", example2027},
		// Out of order on input; Parse sorts.
		{"example_2027.json", example2027},
		{"bom_crlf.csv", Schedule{Years: []int{2027}, Days: []Day{{"2027-01-01", Off, "元旦"}}}},
		{"no_days.csv", Schedule{Years: []int{2027, 2028}}},
	} {
		got, err := parseFile(t, tt.file)
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.file, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		file  string
		line  int
		field string
		msg   string
	}{
		{"bad_date.csv", 4, "date", "2027-02-30"},
		{"bad_kind.csv", 3, "kind", `"holiday"`},
		{"bad_conflict.csv", 5, "kind", "line 3"},
		{"bad_outside.csv", 4, "date", "outside the declared years 2027"},
		{"bad_no_years.csv", 1, "years", "# years:"},
		{"bad_header.csv", 2, "header", "date,kind,name"},
		{"bad_fields.csv", 3, "", "want 3 fields"},
		{"bad_years.csv", 2, "years", `"20x7"`},
		{"bad_quote.csv", 3, "", "column"},
		{"bad_gbk.csv", 3, "", "UTF-8"},
		{"bad_kind.json", 5, "days[1].kind", `"holiday"`},
		{"bad_outside.json", 6, "days[1].date", "outside"},
		{"bad_conflict.json", 3, "days[1].kind", "line 2"},
		{"bad_unknown.json", 2, "", `unknown field "year"`},
		{"bad_syntax.json", 4, "days[0]", "invalid character"},
		{"bad_no_years.json", 1, "years", "missing"},
	} {
		s, err := parseFile(t, tt.file)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Parse = %+v, %v; want a *ParseError", tt.file, s, err)
			continue
		}
		if pe.Line != tt.line || pe.Field != tt.field || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: line %d field %q %q; want line %d field %q containing %q",
				tt.file, pe.Line, pe.Field, err, tt.line, tt.field, tt.msg)
		}
		if tt.line > 0 && !strings.Contains(err.Error(), "line ") {
			t.Errorf("%s: message %q does not give the line", tt.file, err)
		}
	}
}

func TestParseErrorsInline(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		line     int
		field    string
	}{
		{"empty", "", 0, ""},
		{"blank", " \n\r\n\t", 0, ""},
		{"comments only", "# a\n# b\n", 0, "years"},
		{"no header", "# years: 2027\n", 0, "header"},
		{"year twice", "# years: 2027, 2027\ndate,kind,name\n", 1, "years"},
		{"no years listed", "# years:\ndate,kind,name\n", 1, "years"},
		{"year out of range", "# years: 0\ndate,kind,name\n", 1, "years"},
		{"second directive", "# years: 2027\n# years: 2028\ndate,kind,name\n", 2, "years"},
		{"directive after header", "date,kind,name\n# years: 2027\n", 1, "years"},
		{"one-digit month", "# years: 2027\ndate,kind,name\n2027-1-01,off,x\n", 3, "date"},
		{"slashes", "# years: 2027\ndate,kind,name\n2027/01/01,off,x\n", 3, "date"},
		{"Feb 29 not leap", "# years: 2027\ndate,kind,name\n2027-02-29,off,x\n", 3, "date"},
		{"upper-case kind", "# years: 2027\ndate,kind,name\n2027-01-01,OFF,x\n", 3, "kind"},
		{"tab in name", "# years: 2027\ndate,kind,name\n2027-01-01,off,\"a\tb\"\n", 3, "name"},
		{"json empty years", `{"years": [], "days": []}`, 1, "years"},
		{"json year twice", "{\n\"years\": [2027, 2027]}", 2, "years"},
		{"json key twice", "{\"years\": [2027],\n\"years\": [2028]}", 2, "years"},
		{"json trailing data", "{\"years\": [2027]}\n{}", 2, ""},
		{"json not an object", "[1]", 1, ""},
		{"json unknown day field", "{\"years\": [2027], \"days\": [\n{\"date\": \"2027-01-01\", \"kind\": \"off\", \"note\": 1}]}", 2, "days[0]"},
		{"json control char", `{"years": [2027], "days": [{"date": "2027-01-01", "kind": "off", "name": "a\u0000"}]}`, 1, "days[0].name"},
	} {
		s, err := Parse(strings.NewReader(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Parse = %+v, %v; want a *ParseError", tt.name, s, err)
			continue
		}
		if pe.Line != tt.line || pe.Field != tt.field {
			t.Errorf("%s: %q: line %d field %q; want line %d field %q", tt.name, err, pe.Line, pe.Field, tt.line, tt.field)
		}
	}
}

func TestParseReadFailureAndSize(t *testing.T) {
	boom := errors.New("disk gone")
	if _, err := Parse(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("read error = %v", err)
	}
	big := strings.Repeat("# padding\n", maxInput/10+1)
	if _, err := Parse(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("oversized input error = %v", err)
	}
}

func TestRoundTripCSV(t *testing.T) {
	seed := mustSeed(t, 2025, 2026)
	for name, s := range map[string]Schedule{"seed": seed, "example": example2027, "no days": {Years: []int{2030}}} {
		var buf bytes.Buffer
		if err := s.WriteCSV(&buf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := Parse(&buf)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, buf.String())
		}
		if !reflect.DeepEqual(got, s) {
			t.Errorf("%s: round trip changed the schedule:\n got %+v\nwant %+v", name, got, s)
		}
	}
}

func TestWriteCSVFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := example2027.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	want := "# years: 2027\n" +
		"date,kind,name\n" +
		"2027-01-01,off,元旦\n" +
		"2027-02-06,off,\"春节, 除夕\"\n" +
		"2027-02-07,off,春节\n" +
		"2027-02-13,work,春节\n" +
		"2027-10-01,off,国庆节\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestWriteCSVRejectsInvalid(t *testing.T) {
	for name, s := range map[string]Schedule{
		"no years":   {},
		"bad kind":   {Years: []int{2027}, Days: []Day{{"2027-01-01", "holiday", ""}}},
		"newline":    {Years: []int{2027}, Days: []Day{{"2027-01-01", Off, "a\nb"}}},
		"outside":    {Years: []int{2027}, Days: []Day{{"2026-01-01", Off, ""}}},
		"year twice": {Years: []int{2027, 2027}},
	} {
		if err := s.WriteCSV(&bytes.Buffer{}); err == nil {
			t.Errorf("%s: WriteCSV accepted %+v", name, s)
		}
	}
	if err := example2027.WriteCSV(failWriter{}); err == nil {
		t.Error("write error not reported")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("full") }

func TestRoundTripJSON(t *testing.T) {
	s := mustSeed(t, 2025, 2026)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("JSON round trip changed the schedule")
	}
}

func TestValidate(t *testing.T) {
	ok := []Schedule{
		{},
		{Years: []int{2027}},
		{Years: []int{2028, 2027}, Days: []Day{{"2028-02-29", Work, ""}, {"2027-01-01", Off, "元旦"}, {"2027-01-01", Off, "again"}}},
		{Years: []int{2027}, Days: []Day{{"2027-03-03", Work, "a weekday listed work is allowed"}}},
	}
	for _, s := range ok {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", s, err)
		}
	}
	bad := map[string]Schedule{
		"year 0":          {Years: []int{0}},
		"year 10000":      {Years: []int{10000}},
		"year twice":      {Years: []int{2027, 2027}},
		"undeclared year": {Days: []Day{{"2027-01-01", Off, ""}}},
		"conflict":        {Years: []int{2027}, Days: []Day{{"2027-01-01", Off, ""}, {"2027-01-01", Work, ""}}},
		"empty kind":      {Years: []int{2027}, Days: []Day{{"2027-01-01", "", ""}}},
		"bad date":        {Years: []int{2027}, Days: []Day{{"2027-13-01", Off, ""}}},
		"invalid utf8":    {Years: []int{2027}, Days: []Day{{"2027-01-01", Off, "\xff"}}},
	}
	for name, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, s)
		}
	}
}

func TestMerge(t *testing.T) {
	seed := mustSeed(t, 2025, 2026)
	// A corrected 2026 replaces the seeded one entirely; 2025 is kept.
	fix := Schedule{Years: []int{2026, 2027}, Days: []Day{{"2026-10-09", Off, "test"}}}
	m := seed.Merge(fix)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	c := New(shanghai, m)
	if !slices.Equal(c.Years(), []int{2025, 2026, 2027}) {
		t.Errorf("Years = %v", c.Years())
	}
	if c.IsWorkingDay(at(t, "2026-10-09")) {
		t.Error("override not applied")
	}
	if !c.IsWorkingDay(at(t, "2026-10-07")) {
		t.Error("seeded 2026 holiday survived the override")
	}
	if c.IsWorkingDay(at(t, "2025-10-08")) {
		t.Error("2025 lost")
	}
}

// csvRecord skips encoding/csv for lines without quotes; both paths must
// split alike.
func TestCSVRecordFastPath(t *testing.T) {
	for _, line := range []string{"a,b,c", "a,,c", ",", " a , b ", "a\rb,c", "国庆节,off,", "a;b", "x"} {
		fast, err := csvRecord(line)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(fast, slow) {
			t.Errorf("%q: split %q, csv %q", line, fast, slow)
		}
	}
}
