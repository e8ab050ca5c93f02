package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/web"
)

// The years the calendar pages accept, as the calendar API does.
const (
	consoleFirstYear = 1990
	consoleLastYear  = 2200
)

type consoleCalendarPage struct {
	Year     int
	Loaded   bool
	PrevYear int // 0 when out of range
	NextYear int
	Weekdays []time.Weekday
	Months   []consoleMonth
	Holidays []consoleHoliday
	Makeups  []consoleHoliday
	Deadline consoleDeadline
}

type consoleMonth struct {
	Month time.Month
	Weeks [][]consoleDay // Monday first; a zero Day is a blank cell
}

type consoleDay struct {
	Day   int
	Date  string
	Class string
	Tag   string
	Title string
}

// consoleHoliday is a run of days off under one name (国庆节 10-01 to
// 10-07), or one makeup working day.
type consoleHoliday struct {
	Name  string
	Dates string
	Days  int
	first string
	last  string
}

// consoleDeadline is the calculator's form and answer.
type consoleDeadline struct {
	From        string // as the datetime-local input holds it
	Days        string
	Error       string
	Done        bool
	Summary     string
	Due         string
	Span        string
	Provisional bool
}

// consoleWeek is the order of the grid's columns: Chinese calendars start
// the week on Monday.
var consoleWeek = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func (s *Server) consoleCalendarNow(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	year := s.svc.Now().In(s.svc.Calendar.Location()).Year()
	http.Redirect(w, r, "/calendar/"+strconv.Itoa(year), http.StatusSeeOther)
	return nil
}

func (s *Server) consoleCalendar(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	cal, err := s.svc.Calendar.Get(r.Context())
	if err != nil {
		return err
	}
	lang := language(r)
	now := s.svc.Now().In(cal.Location())
	page := consoleCalendarPage{Year: year, Loaded: cal.HasYear(year), Weekdays: consoleWeek}
	if year > consoleFirstYear {
		page.PrevYear = year - 1
	}
	if year < consoleLastYear {
		page.NextYear = year + 1
	}
	today := now.Format(time.DateOnly)
	for m := time.January; m <= time.December; m++ {
		days := cal.Month(year, m)
		month := consoleMonth{Month: m}
		week := make([]consoleDay, (int(days[0].Weekday)+6)%7, 7)
		for _, d := range days {
			week = append(week, consoleCalendarDay(lang, d, today))
			if len(week) == 7 {
				month.Weeks = append(month.Weeks, week)
				week = make([]consoleDay, 0, 7)
			}
		}
		if len(week) > 0 {
			month.Weeks = append(month.Weeks, append(week, make([]consoleDay, 7-len(week))...))
		}
		page.Months = append(page.Months, month)
		page.Holidays, page.Makeups = consoleHolidays(lang, days, page.Holidays, page.Makeups)
	}
	for i := range page.Holidays {
		h := &page.Holidays[i]
		h.Dates = consoleDateText(lang, h.first)
		if h.last != h.first {
			h.Dates = web.T(lang, "period.range", h.Dates, consoleDateText(lang, h.last))
		}
	}
	page.Deadline = s.consoleDeadline(r, lang, now)
	return s.consoleRender(w, r, http.StatusOK, "calendar", "layout", s.newConsoleView(r, p, "calendar", web.T(lang, "calendar.title", year), page))
}

func consoleCalendarDay(lang string, d calendar.DayView, today string) consoleDay {
	day, _ := strconv.Atoi(d.Date[8:])
	out := consoleDay{Day: day, Date: d.Date}
	var what string
	switch {
	case d.Kind == calendar.Off:
		out.Class, out.Tag = "day-off", web.T(lang, "calendar.tag.off")
		what = web.T(lang, "calendar.day.off", consoleHolidayName(lang, d.Name))
	case d.Kind == calendar.Work:
		out.Class, out.Tag = "day-makeup", web.T(lang, "calendar.tag.makeup")
		what = web.T(lang, "calendar.day.makeup", consoleHolidayName(lang, d.Name))
	case !d.Working:
		out.Class, what = "day-weekend", web.T(lang, "calendar.day.weekend")
	default:
		out.Class, what = "day-work", web.T(lang, "calendar.day.work")
	}
	if d.Provisional {
		what += " · " + web.T(lang, "calendar.day.guess")
	}
	if d.Date == today {
		out.Class += " day-today"
	}
	out.Title = d.Date + " " + web.WeekdayLong(lang, d.Weekday) + " " + what
	return out
}

// consoleHolidayName is a holiday's name; schedules may leave it empty.
func consoleHolidayName(lang, name string) string {
	if name == "" {
		return web.T(lang, "calendar.legend.off")
	}
	return name
}

// consoleHolidays appends a month's days off to runs of consecutive days
// under one name, and its makeup working days one by one.
func consoleHolidays(lang string, days []calendar.DayView, off, makeup []consoleHoliday) ([]consoleHoliday, []consoleHoliday) {
	for _, d := range days {
		name := consoleHolidayName(lang, d.Name)
		switch d.Kind {
		case calendar.Off:
			if n := len(off); n > 0 && off[n-1].Name == name && consoleNextDate(off[n-1].last) == d.Date {
				off[n-1].last = d.Date
				off[n-1].Days++
				continue
			}
			off = append(off, consoleHoliday{Name: name, Days: 1, first: d.Date, last: d.Date})
		case calendar.Work:
			wd := web.WeekdayLong(lang, d.Weekday)
			makeup = append(makeup, consoleHoliday{Name: name, Days: 1, first: d.Date, last: d.Date,
				Dates: consoleDateText(lang, d.Date) + " " + wd})
		}
	}
	return off, makeup
}

func consoleNextDate(date string) string {
	d, err := anxin.ParseDate(date)
	if err != nil {
		return ""
	}
	return d.AddDays(1).String()
}

// consoleDateText is a date of the year view: 10月1日, or Oct 1.
func consoleDateText(lang, date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	if lang == "en" {
		return t.Format("Jan 2")
	}
	return strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

// consoleDeadlineLayouts are what a datetime-local input sends (with or
// without seconds) and what a person types where the browser has no picker.
var consoleDeadlineLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05", time.DateOnly}

// consoleDeadline runs the calculator when the form was submitted; times
// are read and shown in the calendar's location.
func (s *Server) consoleDeadline(r *http.Request, lang string, now time.Time) consoleDeadline {
	q := r.URL.Query()
	d := consoleDeadline{From: strings.TrimSpace(q.Get("from")), Days: strings.TrimSpace(q.Get("days"))}
	submitted := q.Has("from") || q.Has("days")
	if d.From == "" {
		d.From = now.Format("2006-01-02T15:04")
	}
	if d.Days == "" {
		d.Days = "3"
	}
	if !submitted {
		return d
	}
	loc := now.Location()
	var from time.Time
	var err error
	for _, layout := range consoleDeadlineLayouts {
		if from, err = time.ParseInLocation(layout, d.From, loc); err == nil {
			break
		}
	}
	if err != nil {
		d.Error = web.T(lang, "deadline.bad.from")
		return d
	}
	n, err := strconv.Atoi(d.Days)
	if err != nil {
		d.Error = web.T(lang, "deadline.bad.days")
		return d
	}
	res, err := s.svc.DeadlineWorkingDays(r.Context(), from, n)
	if err != nil {
		if anxin.ErrorCode(err) == anxin.EInvalid {
			d.Error = web.T(lang, "deadline.bad.days")
		} else {
			d.Error = web.T(lang, "error.internal")
			s.log.ErrorContext(r.Context(), "deadline", "err", err, "request_id", requestID(r.Context()))
		}
		return d
	}
	due := res.DueAt.In(loc)
	d.Done, d.Provisional = true, res.Provisional
	d.Summary = web.T(lang, "deadline.summary", from.Format("2006-01-02 15:04"), n)
	d.Due = due.Format("2006-01-02 15:04:05") + " " + web.WeekdayLong(lang, due.Weekday())
	d.Span = web.T(lang, "deadline.span", anxin.DateOf(from).DaysUntil(anxin.DateOf(due)))
	return d
}
