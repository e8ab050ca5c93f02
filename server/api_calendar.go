package server

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/service"
)

func (s *Server) deadline(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	from, err := time.Parse(time.RFC3339, q.Get("from"))
	if err != nil {
		return fieldErr("from", "format", "must be an RFC 3339 instant, e.g. 2026-09-30T10:00:00+08:00", "须为 RFC 3339 时间，例如 2026-09-30T10:00:00+08:00")
	}
	wd, hasWD := q.Get("working_days"), q.Has("working_days")
	h, hasH := q.Get("hours"), q.Has("hours")
	if hasWD == hasH {
		return fieldErr("working_days", "required", "give exactly one of working_days or hours", "working_days 与 hours 须且只能提供一个")
	}
	var d service.Deadline
	if hasWD {
		n, err := strconv.Atoi(wd)
		if err != nil {
			return fieldErr("working_days", "type", "must be a whole number", "须为整数")
		}
		d, err = s.svc.DeadlineWorkingDays(r.Context(), from, n)
		if err != nil {
			return err
		}
	} else {
		n, err := strconv.Atoi(h)
		if err != nil {
			return fieldErr("hours", "type", "must be a whole number", "须为整数")
		}
		d, err = s.svc.DeadlineHours(r.Context(), from, n)
		if err != nil {
			return err
		}
	}
	d.DueAt = d.DueAt.In(s.svc.Calendar.Location())
	return writeJSON(w, http.StatusOK, d)
}

// calendarDay is one day of the year view.
type calendarDay struct {
	Date        string        `json:"date"`
	Weekday     int           `json:"weekday"`
	Working     bool          `json:"working"`
	Kind        calendar.Kind `json:"kind,omitempty"`
	Name        string        `json:"name,omitempty"`
	Provisional bool          `json:"provisional,omitempty"`
}

func (s *Server) calendarYear(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	cal, err := s.svc.Calendar.Get(r.Context())
	if err != nil {
		return err
	}
	days := make([]calendarDay, 0, 366)
	for m := time.January; m <= time.December; m++ {
		for _, d := range cal.Month(year, m) {
			days = append(days, calendarDay{Date: d.Date, Weekday: int(d.Weekday), Working: d.Working, Kind: d.Kind, Name: d.Name, Provisional: d.Provisional})
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"year": year, "loaded": cal.HasYear(year), "days": days})
}

func (s *Server) putCalendarYear(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	year, err := yearParam(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	sch, err := service.ParseCalendar(body)
	if err != nil {
		return err
	}
	if len(sch.Years) != 1 || sch.Years[0] != year {
		return fieldErr("years", "mismatch", "the schedule must declare exactly the year in the URL", "节假日文件声明的年份须与 URL 中的年份一致")
	}
	if err := s.svc.LoadCalendar(r.Context(), p.Actor, sch, "api:"+p.Actor.Name); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"year": year, "days": len(sch.Days)})
}

func yearParam(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 1990 || y > 2200 {
		return 0, fieldErr("year", "range", "must be a year from 1990 to 2200", "须为 1990 到 2200 之间的年份")
	}
	return y, nil
}
