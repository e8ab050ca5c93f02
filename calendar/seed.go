package calendar

import (
	"fmt"
	"slices"
	"strings"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// lunar-go's table starts at 2001-12-29, the makeup day for New Year 2002,
// so 2001 would come back with two makeup days and none of its holidays.
const firstSeedYear = 2002

// Seed returns year's schedule from the holiday table compiled into
// github.com/6tail/lunar-go. It fails for a year the table does not cover
// completely (before 2002, or not yet published when the module was
// released) rather than return a "loaded" year with no holidays, which would
// silently turn the Spring Festival into working days.
//
// lunar-go keeps its table in package variables that HolidayUtil.Fix
// rewrites without locking; nothing in this program calls Fix, and nothing
// should, or Seed would race with it.
func Seed(year int) (Schedule, error) {
	if year < firstSeedYear {
		return Schedule{}, fmt.Errorf("calendar: lunar-go has no complete holiday data for %d (its table starts with New Year %d)", year, firstSeedYear)
	}
	if year > maxYear {
		return Schedule{}, fmt.Errorf("calendar: year %d is outside %d–%d", year, minYear, maxYear)
	}
	prefix := fmt.Sprintf("%04d-", year)
	s := Schedule{Years: []int{year}}
	for e := HolidayUtil.GetHolidaysByYear(year).Front(); e != nil; e = e.Next() {
		h, ok := e.Value.(*HolidayUtil.Holiday)
		if !ok || h == nil {
			continue
		}
		// An entry's day, not its target holiday, decides the year it
		// belongs to: 2023-12-31 is a day off of 2023 even though it
		// belongs to New Year 2024.
		if !strings.HasPrefix(h.GetDay(), prefix) {
			continue
		}
		kind := Off
		if h.IsWork() {
			kind = Work
		}
		s.Days = append(s.Days, Day{Date: h.GetDay(), Kind: kind, Name: h.GetName()})
	}
	if len(s.Days) == 0 {
		return Schedule{}, fmt.Errorf("calendar: lunar-go has no holiday data for %d; load that year's State Council schedule from a file", year)
	}
	if err := s.Validate(); err != nil {
		return Schedule{}, fmt.Errorf("calendar: lunar-go data for %d: %w", year, err)
	}
	if !hasCoreHolidays(s) {
		return Schedule{}, fmt.Errorf("calendar: lunar-go data for %d is incomplete (no Spring Festival or National Day days off); load that year from a file", year)
	}
	return s.normalize(), nil
}

// hasCoreHolidays guards against a year the table covers only in part, as
// 2001 is at its start and as a release that added a year piecemeal would
// be: every complete year has days off around the Spring Festival, which
// falls between 21 January and 20 February, and on 1 October. Dates rather
// than names are checked because HolidayUtil.Fix can rename holidays.
func hasCoreHolidays(s Schedule) bool {
	var spring, national bool
	for _, d := range s.Days {
		if d.Kind != Off {
			continue
		}
		md := d.Date[5:]
		if md >= "01-20" && md <= "02-28" {
			spring = true
		}
		if md == "10-01" {
			national = true
		}
	}
	return spring && national
}

// SeedYears merges Seed for each year; the first failure is returned.
// Repeated years are seeded once.
func SeedYears(years ...int) (Schedule, error) {
	var out Schedule
	for _, y := range years {
		if slices.Contains(out.Years, y) {
			continue
		}
		s, err := Seed(y)
		if err != nil {
			return Schedule{}, err
		}
		out.Years = append(out.Years, s.Years...)
		out.Days = append(out.Days, s.Days...)
	}
	return out.normalize(), nil
}
