package anxin

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Date is a civil date with no time of day or zone: a birth date, a policy's
// effective date. Stored and sent as "2006-01-02".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02" (also "2006/01/02" and "20060102", as
// spreadsheets hold them).
func ParseDate(s string) (Date, error) {
	for _, layout := range []string{time.DateOnly, "2006/01/02", "20060102", "2006/1/2", "2006-1-2"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, fmt.Errorf("date %q is not in the form 2006-01-02", s)
}

// MustDate parses s or panics; for tests and fixed data.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) IsZero() bool { return d == Date{} }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// In returns midnight of the date in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

func (d Date) Before(o Date) bool { return d.compare(o) < 0 }
func (d Date) After(o Date) bool  { return d.compare(o) > 0 }

func (d Date) compare(o Date) int {
	return (d.Year*10000 + int(d.Month)*100 + d.Day) - (o.Year*10000 + int(o.Month)*100 + o.Day)
}

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

// AddYears returns the same day n years later (Feb 29 rolls to Mar 1).
func (d Date) AddYears(n int) Date { return DateOf(d.In(time.UTC).AddDate(n, 0, 0)) }

// DaysUntil returns the number of days from d to o.
func (d Date) DaysUntil(o Date) int {
	return int(o.In(time.UTC).Sub(d.In(time.UTC)).Hours() / 24)
}

func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`null`), nil
	}
	return []byte(strconv.Quote(d.String())), nil
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string in the form 2006-01-02")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("date %q is not in the form 2006-01-02", s)
	}
	*d = DateOf(v)
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }
