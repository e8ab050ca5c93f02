package calendar

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind says how a listed date departs from the Monday–Friday week.
type Kind string

const (
	Off  Kind = "off"  // a day off: public holiday or a weekday given as holiday
	Work Kind = "work" // a makeup working day (调休), usually a Saturday or Sunday
)

// Day is one exception in a holiday schedule.
type Day struct {
	Date string `json:"date"` // civil date "2006-01-02"
	Kind Kind   `json:"kind"`
	Name string `json:"name"` // e.g. 国庆节; free text, may be empty
}

// Schedule is what a file or a seed holds: the years it fully describes and
// the exceptions within them. A year listed in Years with no Days is a year
// whose every Monday–Friday is a working day; that is different from a year
// that is not listed, whose days are only guessed.
type Schedule struct {
	Years []int `json:"years"`
	Days  []Day `json:"days"`
}

const (
	minYear = 1
	maxYear = 9999 // dates are written with four-digit years
)

// Validate reports the first problem that would make s unusable: a year
// outside 1–9999 or listed twice, a malformed date, an unknown kind, a date
// outside the declared years, the same date given both kinds, or a name with
// control characters (they cannot survive a CSV round trip).
// The same date listed twice with the same kind is accepted.
func (s Schedule) Validate() error {
	years, err := yearSet(s.Years)
	if err != nil {
		return err
	}
	kinds := make(map[int]Kind, len(s.Days))
	for i, d := range s.Days {
		key, err := checkDay(d, years)
		if err != nil {
			return fmt.Errorf("days[%d]: %w", i, err)
		}
		if k, ok := kinds[key]; ok && k != d.Kind {
			return fmt.Errorf("days[%d]: %s is listed as both %q and %q", i, d.Date, k, d.Kind)
		}
		kinds[key] = d.Kind
	}
	return nil
}

// Merge returns a schedule holding s's years and o's years, where a year
// declared by o replaces that year of s wholesale. That is how a corrected
// or newly published file overrides a seeded year without leaving the old
// year's exceptions behind.
func (s Schedule) Merge(o Schedule) Schedule {
	var out Schedule
	for _, y := range s.Years {
		if !slices.Contains(o.Years, y) {
			out.Years = append(out.Years, y)
		}
	}
	for _, d := range s.Days {
		if y, _, _, err := parseDate(d.Date); err == nil && slices.Contains(o.Years, y) {
			continue
		}
		out.Days = append(out.Days, d)
	}
	out.Years = append(out.Years, o.Years...)
	out.Days = append(out.Days, o.Days...)
	return out
}

// normalize returns the canonical form of a valid schedule: years ascending,
// days ascending by date, names trimmed, same-kind duplicates merged (the
// first non-empty name wins). Parse and Seed return this form, so equal data
// compares equal whatever order it was written in.
func (s Schedule) normalize() Schedule {
	out := Schedule{Years: slices.Clone(s.Years)}
	slices.Sort(out.Years)
	out.Years = slices.Compact(out.Years)
	if len(out.Years) == 0 {
		out.Years = nil
	}
	days := make([]Day, 0, len(s.Days))
	for _, d := range s.Days {
		d.Name = strings.TrimSpace(d.Name)
		days = append(days, d)
	}
	slices.SortStableFunc(days, func(a, b Day) int { return strings.Compare(a.Date, b.Date) })
	for _, d := range days {
		if n := len(out.Days); n > 0 && out.Days[n-1].Date == d.Date {
			if out.Days[n-1].Name == "" {
				out.Days[n-1].Name = d.Name
			}
			continue
		}
		out.Days = append(out.Days, d)
	}
	return out
}

func yearSet(years []int) (map[int]bool, error) {
	set := make(map[int]bool, len(years))
	for _, y := range years {
		if y < minYear || y > maxYear {
			return nil, fmt.Errorf("year %d is outside %d–%d", y, minYear, maxYear)
		}
		if set[y] {
			return nil, fmt.Errorf("year %d is listed twice", y)
		}
		set[y] = true
	}
	return set, nil
}

// fieldError carries the name of the offending field so that Parse can say
// "line 7, field kind" without re-deriving which check failed.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// checkDay validates one exception against the declared years and returns
// its compact date key.
func checkDay(d Day, years map[int]bool) (int, error) {
	y, m, dd, err := parseDate(d.Date)
	if err != nil {
		return 0, &fieldError{"date", err}
	}
	if !years[y] {
		return 0, &fieldError{"date", fmt.Errorf("%s is outside the declared years %s", d.Date, formatYears(sortedKeys(years)))}
	}
	if d.Kind != Off && d.Kind != Work {
		return 0, &fieldError{"kind", fmt.Errorf("unknown kind %q (want %q or %q)", d.Kind, Off, Work)}
	}
	if err := checkName(d.Name); err != nil {
		return 0, &fieldError{"name", err}
	}
	return dateKey(y, m, dd), nil
}

func checkName(name string) error {
	if !utf8.ValidString(name) {
		return errors.New("name is not valid UTF-8")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("name %q contains a control character", name)
		}
	}
	return nil
}

// parseDate accepts exactly "YYYY-MM-DD". It is hand-written rather than
// time.Parse so that the rules are plain: four-digit year, two-digit month
// and day, and a day that exists in that month.
func parseDate(s string) (y int, m time.Month, d int, err error) {
	bad := func(why string) (int, time.Month, int, error) {
		return 0, 0, 0, fmt.Errorf("malformed date %q: %s", s, why)
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return bad("want YYYY-MM-DD")
	}
	num := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, false
			}
			n = n*10 + int(p[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	mm, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return bad("want YYYY-MM-DD")
	}
	if mm < 1 || mm > 12 {
		return bad("no such month")
	}
	m = time.Month(mm)
	if d < 1 || d > daysInMonth(y, m) {
		return bad("no such day in that month")
	}
	return y, m, d, nil
}

func dateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

func daysInMonth(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func sortedKeys(set map[int]bool) []int {
	out := make([]int, 0, len(set))
	for y := range set {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

func formatYears(years []int) string {
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, ", ")
}
