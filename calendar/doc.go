// Package calendar is the Chinese working-day calendar and the deadline
// arithmetic built on it. It is pure: it opens no files and reads no
// clock; schedules come in through readers and every "now" is passed in.
//
// # Working days
//
// A working day is a Monday to Friday that the State Council's holiday
// schedule does not give off, or a Saturday or Sunday that it makes a
// working day (调休, a makeup day). A schedule lists only these exceptions,
// with the years it fully describes. Years are loaded explicitly: a loaded
// year with no exceptions is a plain Monday–Friday year, while in a year
// that is not loaded the Monday–Friday rule is only a guess, and every
// answer resting on such a guess is marked provisional so that the caller
// can raise an alarm. Seed and SeedYears supply past years from the table
// compiled into github.com/6tail/lunar-go (2002 onward; v1.4.6 ends with
// 2026); later years come from a file in the format below, loaded when
// the State Council publishes the next year's schedule late in the year,
// and combined with the seeds by Schedule.Merge.
//
// # Deadlines
//
// In "N working days from receipt" the day of receipt does not count, and the deadline is 23:59:59 on the Nth working
// day after the receipt date. The receipt date is the calendar date of the
// receipt instant in the calendar's location (Asia/Shanghai unless
// configured otherwise), so a ticket received at 23:30 UTC counts from the
// next Shanghai date. N = 0 means the end of the receipt date itself.
// Clock-hour targets (2 h, 24 h, 7×24 h) ignore the calendar entirely; see
// Calendar.AddDuration.
//
// The deadline is exactly 23:59:59.000000000; callers that record
// sub-second times and want all of 23:59:59 to count as on time should
// truncate to the second before comparing.
//
// # File format
//
// The canonical form is UTF-8 CSV, as written by Schedule.WriteCSV:
//
//	# years: 2027
//	# illustrative rows, not the published 2027 schedule
//	date,kind,name
//	2027-01-01,off,元旦
//	2027-09-26,work,国庆节
//
// Lines whose first non-blank character is '#' are comments, and blank
// lines are ignored. The years a file covers are declared, never derived
// from its dates: exactly one "# years: Y1[, Y2…]" comment is required
// before the header, because a year can be complete with no exceptions at
// all and a file must still be able to say it covers that year. The header
// "date,kind,name" comes next, then one row per date: date as YYYY-MM-DD,
// kind "off" (a day off or holiday) or "work" (a makeup working day), and
// a free-text name, which may be empty and is quoted by CSV rules when it
// contains a comma or a quote. Fields are trimmed, the header is matched
// without regard to case, and a leading byte-order mark is ignored, all
// for files kept in a spreadsheet.
//
// The same data is accepted as JSON, recognised by a leading '{':
//
//	{"years": [2027], "days": [{"date": "2027-01-01", "kind": "off", "name": "元旦"}]}
//
// Either form is rejected, with the line number and the field at fault, for
// a malformed date, a kind other than off or work, a date outside the
// declared years, a year listed twice, and a date listed twice with
// different kinds. The same date listed twice with the same kind is merged,
// keeping the first non-empty name.
// Either kind may fall on any day of the week: Saturdays inside a holiday
// week are listed off, and nothing in the rules stops a weekday from being
// listed work.
package calendar
