package calendar

import (
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // so the zone exists on hosts and containers without tzdata
)

// Calendar answers working-day questions for the years of one schedule in
// one location. It is immutable once built and safe for concurrent use.
type Calendar struct {
	loc *time.Location
	// years maps each loaded year to a bitmap of its working days indexed by
	// day of year (0-based), so that walking a deadline is a bit test per
	// day and a map lookup only when the walk crosses into another year.
	years map[int]*yearBits
	// exceptions serves DayInfo's kind and name, keyed by dateKey.
	exceptions map[int]exception
	sorted     []int
}

type yearBits [6]uint64 // 384 bits ≥ 366 days

func (b *yearBits) get(yd int) bool { return b[yd>>6]&(1<<(yd&63)) != 0 }
func (b *yearBits) set(yd int, v bool) {
	if v {
		b[yd>>6] |= 1 << (yd & 63)
	} else {
		b[yd>>6] &^= 1 << (yd & 63)
	}
}

type exception struct {
	kind Kind
	name string
}

// DayView is one date of Month's output.
type DayView struct {
	Date        string // "2006-01-02"
	Weekday     time.Weekday
	Working     bool
	Kind        Kind   // "" for an ordinary weekday or weekend day
	Name        string // holiday name for an exception
	Provisional bool   // the year is not loaded; Working is a Monday–Friday guess
}

// New builds a calendar for loc (nil means Asia/Shanghai) from s.
// It panics if s.Validate fails: Parse, Seed and SeedYears only return
// valid schedules, so a failure here is a programming error in code that
// assembled a Schedule by hand, and it should surface at start-up rather
// than as wrong deadlines.
func New(loc *time.Location, s Schedule) *Calendar {
	if loc == nil {
		loc = MustLoadLocation("Asia/Shanghai")
	}
	if err := s.Validate(); err != nil {
		panic(fmt.Sprintf("calendar.New: invalid schedule: %v", err))
	}
	s = s.normalize()
	c := &Calendar{
		loc:        loc,
		years:      make(map[int]*yearBits, len(s.Years)),
		exceptions: make(map[int]exception, len(s.Days)),
		sorted:     s.Years,
	}
	for _, y := range s.Years {
		b := new(yearBits)
		wd := int(time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC).Weekday())
		for yd := range daysInYear(y) {
			b.set(yd, weekdayWorking((wd+yd)%7))
		}
		c.years[y] = b
	}
	for _, d := range s.Days {
		y, m, dd, _ := parseDate(d.Date) // validated above
		yd := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).YearDay() - 1
		c.years[y].set(yd, d.Kind == Work)
		c.exceptions[dateKey(y, m, dd)] = exception{d.Kind, d.Name}
	}
	return c
}

func weekdayWorking(wd int) bool { return wd != int(time.Saturday) && wd != int(time.Sunday) }

// Location returns the location whose calendar dates the calendar uses.
func (c *Calendar) Location() *time.Location { return c.loc }

// HasYear reports whether y's schedule is loaded.
func (c *Calendar) HasYear(y int) bool { return c.years[y] != nil }

// Years returns the loaded years in ascending order.
func (c *Calendar) Years() []int { return slices.Clone(c.sorted) }

// IsWorkingDay reports whether the date of t in the calendar's location is
// a working day (guessed Monday–Friday in a year that is not loaded).
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	w, _, _, _ := c.DayInfo(t)
	return w
}

// DayInfo describes the date of date in the calendar's location. kind and
// name are set only for a listed exception; provisional is true when the
// year is not loaded and working is a Monday–Friday guess.
func (c *Calendar) DayInfo(date time.Time) (working bool, kind Kind, name string, provisional bool) {
	y, m, d := date.In(c.loc).Date()
	b := c.years[y]
	if b == nil {
		return weekdayWorking(int(civilWeekday(y, m, d))), "", "", true
	}
	e := c.exceptions[dateKey(y, m, d)]
	return b.get(yearDay(y, m, d)), e.kind, e.name, false
}

// Month lists every date of the month with its status, for the console's
// year view. It returns nil for a month outside January–December.
func (c *Calendar) Month(year int, month time.Month) []DayView {
	if month < time.January || month > time.December {
		return nil
	}
	out := make([]DayView, daysInMonth(year, month))
	for i := range out {
		day := time.Date(year, month, i+1, 12, 0, 0, 0, c.loc)
		working, kind, name, prov := c.DayInfo(day)
		out[i] = DayView{
			Date:        fmt.Sprintf("%04d-%02d-%02d", year, int(month), i+1),
			Weekday:     civilWeekday(year, month, i+1),
			Working:     working,
			Kind:        kind,
			Name:        name,
			Provisional: prov,
		}
	}
	return out
}

// AddWorkingDays returns the deadline "n working days from receipt": the
// receipt date (from's date in the calendar's location) does not count, and
// the deadline is 23:59:59 on the nth working day after it. n = 0 gives
// 23:59:59 of the receipt date itself, whatever kind of day that is;
// n < 0 gives the end of the |n|th working day before the receipt date.
//
// provisional is true when any date examined — those after the receipt date
// up to the deadline — lies in a year that is not loaded, so the result
// rests on the Monday–Friday guess. The cost is linear in the span walked
// and allocation-free.
func (c *Calendar) AddWorkingDays(from time.Time, n int) (due time.Time, provisional bool) {
	cur := c.cursorAt(from)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		cur.move(step)
		if cur.working() {
			n--
		}
	}
	return time.Date(cur.y, time.January, 1+cur.yd, 23, 59, 59, 0, c.loc), cur.provisional
}

// WorkingDaysBetween counts the working days after from's date up to and
// including to's date, both dates taken in the calendar's location; it is
// the inverse of AddWorkingDays for n ≥ 0 and is 0 when to's date is not
// after from's. provisional is as for AddWorkingDays over the dates counted.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) (n int, provisional bool) {
	cur := c.cursorAt(from)
	ty, tm, td := to.In(c.loc).Date()
	tyd := yearDay(ty, tm, td)
	for cur.y < ty || (cur.y == ty && cur.yd < tyd) {
		cur.move(1)
		if cur.working() {
			n++
		}
	}
	return n, cur.provisional
}

// AddDuration is for clock-hour targets (2 h, 24 h, 7×24 h), which run
// through nights, weekends and holidays alike. It exists so that callers
// ask the calendar for both kinds of deadline; the result is in the
// calendar's location so both print alike.
func (c *Calendar) AddDuration(from time.Time, d time.Duration) time.Time {
	return from.Add(d).In(c.loc)
}

// cursor walks civil dates one at a time without building time.Time
// values, which is what keeps AddWorkingDays free of allocations and cheap
// per day.
type cursor struct {
	c           *Calendar
	y, yd, size int // year, 0-based day of year, days in year
	wd          int // time.Weekday of the current date
	bits        *yearBits
	provisional bool
}

func (c *Calendar) cursorAt(t time.Time) cursor {
	y, m, d := t.In(c.loc).Date()
	return cursor{
		c:    c,
		y:    y,
		yd:   yearDay(y, m, d),
		size: daysInYear(y),
		wd:   int(civilWeekday(y, m, d)),
		bits: c.years[y],
	}
}

func (k *cursor) move(step int) {
	k.yd += step
	k.wd = (k.wd + step + 7) % 7
	switch {
	case k.yd >= k.size:
		k.y++
		k.yd = 0
		k.size = daysInYear(k.y)
		k.bits = k.c.years[k.y]
	case k.yd < 0:
		k.y--
		k.size = daysInYear(k.y)
		k.yd = k.size - 1
		k.bits = k.c.years[k.y]
	}
}

func (k *cursor) working() bool {
	if k.bits == nil {
		k.provisional = true
		return weekdayWorking(k.wd)
	}
	return k.bits.get(k.yd)
}

// yearDay is the 0-based day of the year of a valid civil date.
func yearDay(y int, m time.Month, d int) int {
	yd := d - 1
	for mm := time.January; mm < m; mm++ {
		yd += daysInMonth(y, mm)
	}
	return yd
}

// civilWeekday works in UTC because a date's weekday does not depend on
// any zone, and UTC has no transitions for time.Date to resolve.
func civilWeekday(y int, m time.Month, d int) time.Weekday {
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
}

// MustLoadLocation loads a zone by its IANA name. The zone database is
// embedded (time/tzdata), so this cannot fail for a real name; should it
// still fail for Asia/Shanghai, a fixed +08:00 zone of that name is
// returned, which is exact since China has not observed daylight saving
// time since 1991. Any other failure panics: it is a configuration error.
func MustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err == nil {
		return loc
	}
	if name == "Asia/Shanghai" {
		return time.FixedZone("Asia/Shanghai", 8*60*60)
	}
	panic(fmt.Sprintf("calendar: load location %q: %v", name, err))
}
