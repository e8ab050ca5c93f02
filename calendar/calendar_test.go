package calendar

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var shanghai = MustLoadLocation("Asia/Shanghai")

func seeded(t testing.TB) *Calendar {
	t.Helper()
	s, err := SeedYears(2025, 2026)
	if err != nil {
		t.Fatal(err)
	}
	return New(shanghai, s)
}

// at parses an RFC 3339 instant, or a bare date as noon in Shanghai.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	if len(s) == 10 {
		s += "T12:00:00+08:00"
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func endOf(t testing.TB, date string, loc *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation(time.DateTime, date+" 23:59:59", loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The State Council's 2026 schedule as given in the project brief; Seed(2026)
// must agree with it exactly, day for day.
var want2026 = map[string]Kind{
	"2026-01-01": Off, "2026-01-02": Off, "2026-01-03": Off,
	"2026-02-15": Off, "2026-02-16": Off, "2026-02-17": Off, "2026-02-18": Off, "2026-02-19": Off,
	"2026-02-20": Off, "2026-02-21": Off, "2026-02-22": Off, "2026-02-23": Off,
	"2026-04-04": Off, "2026-04-05": Off, "2026-04-06": Off,
	"2026-05-01": Off, "2026-05-02": Off, "2026-05-03": Off, "2026-05-04": Off, "2026-05-05": Off,
	"2026-06-19": Off, "2026-06-20": Off, "2026-06-21": Off,
	"2026-09-25": Off, "2026-09-26": Off, "2026-09-27": Off,
	"2026-10-01": Off, "2026-10-02": Off, "2026-10-03": Off, "2026-10-04": Off,
	"2026-10-05": Off, "2026-10-06": Off, "2026-10-07": Off,
	"2026-01-04": Work, "2026-02-14": Work, "2026-02-28": Work,
	"2026-05-09": Work, "2026-09-20": Work, "2026-10-10": Work,
}

// The 2025 schedule (国办发明电〔2024〕12号), including 国庆中秋 as one
// eight-day holiday.
var want2025 = map[string]Kind{
	"2025-01-01": Off,
	"2025-01-28": Off, "2025-01-29": Off, "2025-01-30": Off, "2025-01-31": Off,
	"2025-02-01": Off, "2025-02-02": Off, "2025-02-03": Off, "2025-02-04": Off,
	"2025-04-04": Off, "2025-04-05": Off, "2025-04-06": Off,
	"2025-05-01": Off, "2025-05-02": Off, "2025-05-03": Off, "2025-05-04": Off, "2025-05-05": Off,
	"2025-05-31": Off, "2025-06-01": Off, "2025-06-02": Off,
	"2025-10-01": Off, "2025-10-02": Off, "2025-10-03": Off, "2025-10-04": Off,
	"2025-10-05": Off, "2025-10-06": Off, "2025-10-07": Off, "2025-10-08": Off,
	"2025-01-26": Work, "2025-02-08": Work, "2025-04-27": Work, "2025-09-28": Work, "2025-10-11": Work,
}

func TestSeedMatchesPublishedSchedule(t *testing.T) {
	for year, want := range map[int]map[string]Kind{2025: want2025, 2026: want2026} {
		t.Run(fmt.Sprint(year), func(t *testing.T) {
			s, err := Seed(year)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Years, []int{year}) {
				t.Errorf("Years = %v, want [%d]", s.Years, year)
			}
			got := map[string]Kind{}
			for _, d := range s.Days {
				if d.Name == "" {
					t.Errorf("%s has no name", d.Date)
				}
				got[d.Date] = d.Kind
			}
			for date, k := range want {
				if got[date] != k {
					t.Errorf("%s: kind %q, want %q", date, got[date], k)
				}
			}
			for date, k := range got {
				if _, ok := want[date]; !ok {
					t.Errorf("%s: unexpected %q day", date, k)
				}
			}
		})
	}
}

func TestSeedErrors(t *testing.T) {
	for _, year := range []int{2027, 2100, 2001, 1999, 0, -1, 10000} {
		s, err := Seed(year)
		if err == nil {
			t.Errorf("Seed(%d) = %+v, want an error", year, s)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprint(year)) {
			t.Errorf("Seed(%d) error %q does not name the year", year, err)
		}
	}
	_, err := Seed(2027)
	if err == nil || !strings.Contains(err.Error(), "no holiday data for 2027") {
		t.Errorf("Seed(2027) error = %v, want one saying lunar-go has no data for 2027", err)
	}
	if _, err := SeedYears(2026, 2027); err == nil {
		t.Error("SeedYears(2026, 2027) succeeded; a missing year must fail the whole seed")
	}
}

// Every year lunar-go covers must seed cleanly and hold only its own dates:
// its table files late-December makeup days under the following New Year.
func TestSeedEveryCoveredYear(t *testing.T) {
	for y := 2002; y <= 2026; y++ {
		s, err := Seed(y)
		if err != nil {
			t.Errorf("Seed(%d): %v", y, err)
			continue
		}
		for _, d := range s.Days {
			if !strings.HasPrefix(d.Date, fmt.Sprintf("%d-", y)) {
				t.Errorf("Seed(%d) holds %s", y, d.Date)
			}
		}
	}
	s, err := Seed(2023)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(s.Days, Day{"2023-12-31", Off, "元旦节"}) {
		t.Error("Seed(2023) lacks 2023-12-31, a day off for New Year 2024")
	}
}

func TestSeedYears(t *testing.T) {
	s, err := SeedYears(2026, 2025, 2026)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Years, []int{2025, 2026}) {
		t.Errorf("Years = %v", s.Years)
	}
	if len(s.Days) != len(want2025)+len(want2026) {
		t.Errorf("%d days, want %d", len(s.Days), len(want2025)+len(want2026))
	}
	if !slices.IsSortedFunc(s.Days, func(a, b Day) int { return strings.Compare(a.Date, b.Date) }) {
		t.Error("days not in date order")
	}
	empty, err := SeedYears()
	if err != nil || len(empty.Years) != 0 || len(empty.Days) != 0 {
		t.Errorf("SeedYears() = %+v, %v", empty, err)
	}
}

func TestDayInfo(t *testing.T) {
	c := seeded(t)
	tests := []struct {
		date        string
		working     bool
		kind        Kind
		name        string
		provisional bool
	}{
		{"2026-10-10", true, Work, "国庆节", false}, // makeup Saturday
		{"2026-10-08", true, "", "", false},      // Thursday after Golden Week
		{"2026-10-07", false, Off, "国庆节", false},
		{"2026-10-04", false, Off, "国庆节", false}, // a Sunday inside the holiday
		{"2026-02-14", true, Work, "春节", false},  // makeup Saturday
		{"2026-02-21", false, Off, "春节", false},  // Saturday inside the holiday
		{"2026-02-23", false, Off, "春节", false},  // Monday, last day off
		{"2026-02-24", true, "", "", false},
		{"2026-02-28", true, Work, "春节", false},
		{"2026-01-04", true, Work, "元旦节", false}, // makeup Sunday
		{"2026-05-09", true, Work, "劳动节", false},
		{"2026-09-20", true, Work, "国庆节", false}, // lunar-go files it under National Day
		{"2026-09-25", false, Off, "中秋节", false},
		{"2026-06-19", false, Off, "端午节", false},
		{"2026-03-07", false, "", "", false}, // ordinary Saturday
		{"2026-03-09", true, "", "", false},  // ordinary Monday
		{"2025-10-08", false, Off, "国庆中秋", false},
		{"2025-10-11", true, Work, "国庆中秋", false},
		{"2027-01-01", true, "", "", true}, // not loaded: a Friday, guessed working
		{"2027-01-02", false, "", "", true},
		{"2024-10-01", true, "", "", true}, // not loaded: the guess is wrong, hence the alarm
	}
	for _, tt := range tests {
		working, kind, name, prov := c.DayInfo(at(t, tt.date))
		if working != tt.working || kind != tt.kind || name != tt.name || prov != tt.provisional {
			t.Errorf("DayInfo(%s) = %v, %q, %q, %v; want %v, %q, %q, %v",
				tt.date, working, kind, name, prov, tt.working, tt.kind, tt.name, tt.provisional)
		}
		if got := c.IsWorkingDay(at(t, tt.date)); got != tt.working {
			t.Errorf("IsWorkingDay(%s) = %v", tt.date, got)
		}
	}
}

// The date, not the instant, decides: 2026-10-07 16:30 UTC is already the
// working day 10-08 in Shanghai.
func TestDayInfoUsesCalendarLocation(t *testing.T) {
	c := seeded(t)
	instant := at(t, "2026-10-07T16:30:00Z")
	if !c.IsWorkingDay(instant) {
		t.Error("2026-10-08 00:30 Shanghai reported as a day off")
	}
	utc := New(time.UTC, mustSeed(t, 2026))
	if utc.IsWorkingDay(instant) {
		t.Error("2026-10-07 in a UTC calendar reported as working")
	}
}

func mustSeed(t testing.TB, years ...int) Schedule {
	t.Helper()
	s, err := SeedYears(years...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAddWorkingDays(t *testing.T) {
	c := seeded(t)
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"Golden Week ends on a makeup Saturday", "2026-09-30T10:00:00+08:00", 3, "2026-10-10"},
		{"Spring Festival eve, early", "2026-02-13T00:00:00+08:00", 3, "2026-02-25"},
		{"Spring Festival eve, noon", "2026-02-13T12:00:00+08:00", 3, "2026-02-25"},
		{"Spring Festival eve, last second", "2026-02-13T23:59:59+08:00", 3, "2026-02-25"},
		{"received on a holiday", "2026-10-03T09:00:00+08:00", 1, "2026-10-08"},
		{"received on the last holiday day", "2026-10-07T22:00:00+08:00", 2, "2026-10-09"},
		{"received on an ordinary Saturday", "2026-03-07T09:00:00+08:00", 1, "2026-03-09"},
		{"received on a makeup Saturday", "2026-10-10T09:00:00+08:00", 1, "2026-10-12"},
		// Thursday 23:30 UTC is Friday 07:30 in Shanghai: Friday is the
		// receipt date and does not count.
		{"UTC evening is next Shanghai day", "2026-03-05T23:30:00Z", 1, "2026-03-09"},
		{"UTC evening, same Shanghai day", "2026-03-05T15:59:59Z", 1, "2026-03-06"},
		{"N=1 over a weekend", "2026-03-13T17:00:00+08:00", 1, "2026-03-16"},
		{"N=15 across Spring Festival", "2026-02-10T09:00:00+08:00", 15, "2026-03-09"},
		{"N=15 from 2025 into 2026", "2025-12-25T09:00:00+08:00", 15, "2026-01-16"},
		{"N=0 is the receipt date", "2026-05-06T08:00:00+08:00", 0, "2026-05-06"},
		{"N=0 on a holiday is still the receipt date", "2026-10-01T08:00:00+08:00", 0, "2026-10-01"},
		{"N=0 with UTC input", "2026-03-05T23:30:00Z", 0, "2026-03-06"},
		{"N=-1 steps back over the holiday", "2026-10-08T09:00:00+08:00", -1, "2026-09-30"},
		{"N=-3 steps back onto a makeup day", "2026-10-13T09:00:00+08:00", -3, "2026-10-09"},
		{"N=-1 onto a makeup Sunday", "2026-01-05T09:00:00+08:00", -1, "2026-01-04"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, prov := c.AddWorkingDays(at(t, tt.from), tt.n)
			want := endOf(t, tt.want, shanghai)
			if !due.Equal(want) || prov {
				t.Errorf("AddWorkingDays(%s, %d) = %s, %v; want %s, false", tt.from, tt.n, due, prov, want)
			}
			if due.Location() != shanghai {
				t.Errorf("due in %v, want the calendar's location", due.Location())
			}
		})
	}
}

func TestAddWorkingDaysExactInstant(t *testing.T) {
	c := seeded(t)
	due, _ := c.AddWorkingDays(at(t, "2026-09-30T10:00:00+08:00"), 3)
	if got := due.Format(time.RFC3339Nano); got != "2026-10-10T23:59:59+08:00" {
		t.Errorf("due = %s", got)
	}
}

func TestAddWorkingDaysOtherLocation(t *testing.T) {
	utc := New(time.UTC, mustSeed(t, 2026))
	if utc.Location() != time.UTC {
		t.Fatal("Location() is not the configured one")
	}
	// 2026-09-30 10:00 +08:00 is 02:00 UTC on the same date.
	due, prov := utc.AddWorkingDays(at(t, "2026-09-30T10:00:00+08:00"), 3)
	if want := endOf(t, "2026-10-10", time.UTC); !due.Equal(want) || prov {
		t.Errorf("= %s, %v; want %s", due, prov, want)
	}
	// 2026-10-01 07:00 +08:00 is still 09-30 in UTC, so the receipt date
	// there is 09-30 rather than the holiday.
	due, _ = utc.AddWorkingDays(at(t, "2026-10-01T07:00:00+08:00"), 0)
	if want := endOf(t, "2026-09-30", time.UTC); !due.Equal(want) {
		t.Errorf("N=0 = %s, want %s", due, want)
	}
}

func TestProvisional(t *testing.T) {
	c := seeded(t)
	tests := []struct {
		from string
		n    int
		want string
		prov bool
	}{
		{"2026-12-30", 1, "2026-12-31", false},
		{"2026-12-30", 2, "2027-01-01", true}, // guessed: a Friday
		{"2026-12-31", 3, "2027-01-05", true},
		{"2027-05-01", 1, "2027-05-03", true},
		{"2027-05-01", 0, "2027-05-01", false}, // nothing was guessed
		{"2024-12-31", 1, "2025-01-02", false}, // the receipt date is not examined
		{"2025-01-02", -1, "2024-12-31", true},
		{"2026-12-31", -1, "2026-12-30", false},
	}
	for _, tt := range tests {
		due, prov := c.AddWorkingDays(at(t, tt.from), tt.n)
		if want := endOf(t, tt.want, shanghai); !due.Equal(want) || prov != tt.prov {
			t.Errorf("AddWorkingDays(%s, %d) = %s, %v; want %s, %v", tt.from, tt.n, due, prov, want, tt.prov)
		}
	}

	// Loading 2027 from a file lifts the mark, even for a year with no
	// exceptions at all: loaded is tracked apart from the days listed.
	c = New(shanghai, mustSeed(t, 2026).Merge(Schedule{Years: []int{2027}}))
	if !c.HasYear(2027) {
		t.Fatal("2027 not loaded")
	}
	if due, prov := c.AddWorkingDays(at(t, "2026-12-30"), 2); prov || !due.Equal(endOf(t, "2027-01-01", shanghai)) {
		t.Errorf("with 2027 loaded = %s, %v", due, prov)
	}
	if _, _, _, prov := c.DayInfo(at(t, "2027-06-01")); prov {
		t.Error("DayInfo provisional in a loaded year")
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := seeded(t)
	tests := []struct {
		from, to string
		n        int
		prov     bool
	}{
		{"2026-09-30T10:00:00+08:00", "2026-10-10T23:59:59+08:00", 3, false},
		{"2026-09-30T10:00:00+08:00", "2026-10-10T00:00:00+08:00", 3, false},
		{"2026-09-30T10:00:00+08:00", "2026-10-09T23:00:00+08:00", 2, false},
		{"2026-10-01", "2026-10-07", 0, false},
		{"2026-10-08", "2026-10-08", 0, false},
		{"2026-10-09", "2026-10-08", 0, false},
		{"2026-03-05T23:30:00Z", "2026-03-09", 1, false}, // receipt date is 03-06 in Shanghai
		{"2026-12-30", "2027-01-04", 3, true},
		{"2025-12-31", "2026-01-05", 2, false}, // 01-04 makeup Sunday and 01-05
	}
	for _, tt := range tests {
		n, prov := c.WorkingDaysBetween(at(t, tt.from), at(t, tt.to))
		if n != tt.n || prov != tt.prov {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, %v; want %d, %v", tt.from, tt.to, n, prov, tt.n, tt.prov)
		}
	}
}

// WorkingDaysBetween must invert AddWorkingDays for every receipt date in
// the loaded years and every small N.
func TestWorkingDaysBetweenInvertsAdd(t *testing.T) {
	c := seeded(t)
	for d := at(t, "2025-01-01"); d.Year() < 2027; d = d.AddDate(0, 0, 1) {
		for n := 0; n <= 20; n++ {
			due, prov := c.AddWorkingDays(d, n)
			got, prov2 := c.WorkingDaysBetween(d, due)
			if got != n || prov != prov2 {
				t.Fatalf("from %s: AddWorkingDays(%d) = %s (%v) but WorkingDaysBetween = %d (%v)",
					d.Format(time.DateOnly), n, due, prov, got, prov2)
			}
			if n > 0 && !c.IsWorkingDay(due) {
				t.Fatalf("from %s: due %s is not a working day", d.Format(time.DateOnly), due)
			}
		}
	}
}

func TestAddDuration(t *testing.T) {
	c := seeded(t)
	from := at(t, "2026-09-30T22:00:00Z")
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{2 * time.Hour, "2026-10-01T08:00:00+08:00"},
		{24 * time.Hour, "2026-10-02T06:00:00+08:00"},
		{7 * 24 * time.Hour, "2026-10-08T06:00:00+08:00"},
	} {
		got := c.AddDuration(from, tt.d)
		if got.Format(time.RFC3339) != tt.want {
			t.Errorf("AddDuration(%s) = %s, want %s", tt.d, got.Format(time.RFC3339), tt.want)
		}
	}
}

func TestMonth(t *testing.T) {
	c := seeded(t)
	oct := c.Month(2026, time.October)
	if len(oct) != 31 {
		t.Fatalf("%d days", len(oct))
	}
	want := map[int]DayView{
		1:  {"2026-10-01", time.Thursday, false, Off, "国庆节", false},
		8:  {"2026-10-08", time.Thursday, true, "", "", false},
		10: {"2026-10-10", time.Saturday, true, Work, "国庆节", false},
		11: {"2026-10-11", time.Sunday, false, "", "", false},
	}
	for d, w := range want {
		if oct[d-1] != w {
			t.Errorf("Oct %d = %+v, want %+v", d, oct[d-1], w)
		}
	}
	if feb := c.Month(2028, time.February); len(feb) != 29 || !feb[0].Provisional || feb[28].Date != "2028-02-29" {
		t.Errorf("Feb 2028 = %d days, first %+v", len(feb), feb[0])
	}
	if c.Month(2026, 0) != nil || c.Month(2026, 13) != nil {
		t.Error("invalid month returned days")
	}
}

func TestYears(t *testing.T) {
	c := seeded(t)
	ys := c.Years()
	if !slices.Equal(ys, []int{2025, 2026}) {
		t.Fatalf("Years = %v", ys)
	}
	ys[0] = 1999
	if c.Years()[0] != 2025 {
		t.Error("Years exposes internal state")
	}
	if !c.HasYear(2025) || !c.HasYear(2026) || c.HasYear(2027) || c.HasYear(2024) {
		t.Error("HasYear wrong")
	}
}

func TestNew(t *testing.T) {
	c := New(nil, Schedule{})
	if c.Location().String() != "Asia/Shanghai" {
		t.Errorf("default location %v", c.Location())
	}
	if len(c.Years()) != 0 {
		t.Error("empty schedule loaded years")
	}
	defer func() {
		if recover() == nil {
			t.Error("New accepted an invalid schedule")
		}
	}()
	New(shanghai, Schedule{Years: []int{2027}, Days: []Day{{"2028-01-01", Off, ""}}})
}

func TestMustLoadLocation(t *testing.T) {
	loc := MustLoadLocation("Asia/Shanghai")
	if _, off := time.Date(2026, 7, 1, 0, 0, 0, 0, loc).Zone(); off != 8*3600 {
		t.Errorf("offset %d", off)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for an unknown zone")
		}
	}()
	MustLoadLocation("Nowhere/Atlantis")
}

func TestConcurrentUse(t *testing.T) {
	c := seeded(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			from := at(t, "2026-02-10").AddDate(0, 0, i)
			for range 200 {
				c.AddWorkingDays(from, 15)
				c.WorkingDaysBetween(from, from.AddDate(0, 1, 0))
				c.DayInfo(from)
				c.Month(2026, time.February)
			}
		})
	}
	wg.Wait()
}

func TestAddWorkingDaysDoesNotAllocate(t *testing.T) {
	c := seeded(t)
	from := at(t, "2026-02-10T09:00:00+08:00")
	if a := testing.AllocsPerRun(100, func() { c.AddWorkingDays(from, 15) }); a != 0 {
		t.Errorf("%v allocations per call", a)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := seeded(b)
	from := at(b, "2026-02-10T09:00:00+08:00")
	want := endOf(b, "2026-03-09", shanghai)
	b.ReportAllocs()
	for b.Loop() {
		if due, _ := c.AddWorkingDays(from, 15); !due.Equal(want) {
			b.Fatal(due)
		}
	}
}
