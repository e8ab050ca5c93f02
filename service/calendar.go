package service

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/calendar"
	"github.com/anxin-insure/anxin/store"
)

// CalendarCache holds the calendar built from the database. Several nodes
// may load a new schedule, so it asks the database at most once a second
// whether the loaded years changed, and rebuilds when they did.
type CalendarCache struct {
	db  *store.DB
	loc *time.Location

	mu         sync.Mutex
	cal        *calendar.Calendar
	stamp      string
	checkedAt  time.Time
	refreshing bool
	gen        int // bumped by invalidate
}

func newCalendarCache(db *store.DB, loc *time.Location) *CalendarCache {
	if loc == nil {
		loc = calendar.MustLoadLocation("Asia/Shanghai")
	}
	return &CalendarCache{db: db, loc: loc}
}

// Location is where working days are counted.
func (c *CalendarCache) Location() *time.Location { return c.loc }

// Get returns the current calendar. The lock is never held across a
// database read: callers often hold a transaction (a connection of the
// pool), and a refresh waiting for a connection while they wait for the
// lock would deadlock a busy PostgreSQL pool. While one caller refreshes,
// the others get the calendar they had.
func (c *CalendarCache) Get(ctx context.Context) (*calendar.Calendar, error) {
	now := time.Now()
	c.mu.Lock()
	cur, curStamp, gen := c.cal, c.stamp, c.gen
	if cur != nil && (now.Sub(c.checkedAt) < time.Second || c.refreshing) {
		c.mu.Unlock()
		return cur, nil
	}
	c.refreshing = true
	c.mu.Unlock()
	cal, stamp, err := c.load(ctx, cur, curStamp)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		if cur != nil {
			return cur, nil
		}
		return nil, err
	}
	if gen == c.gen {
		// Not invalidated while loading: what was read is current.
		c.cal, c.stamp, c.checkedAt = cal, stamp, now
	}
	return cal, nil
}

// load reads the calendar if its stamp moved from cur's.
func (c *CalendarCache) load(ctx context.Context, cur *calendar.Calendar, curStamp string) (*calendar.Calendar, string, error) {
	stamp, err := c.db.CalendarStamp(ctx)
	if err != nil {
		return nil, "", err
	}
	if cur != nil && stamp == curStamp {
		return cur, stamp, nil
	}
	s, err := c.db.CalendarSchedule(ctx, nil)
	if err != nil {
		return nil, "", err
	}
	return calendar.New(c.loc, s), stamp, nil
}

// Current is the calendar for use inside a transaction: the cached one,
// however old (see configCache.current).
func (c *CalendarCache) Current(ctx context.Context) (*calendar.Calendar, error) {
	c.mu.Lock()
	cur := c.cal
	c.mu.Unlock()
	if cur != nil {
		return cur, nil
	}
	return c.Get(ctx)
}

// invalidate forces the next Get to reload, after this node changed the data.
func (c *CalendarCache) invalidate() {
	c.mu.Lock()
	c.checkedAt = time.Time{}
	c.gen++
	c.mu.Unlock()
}

// MissingCalendarYears returns this year and next if their schedule is not
// loaded: deadlines in them would be a Mon–Fri guess.
func MissingCalendarYears(cal *calendar.Calendar, now time.Time) []int {
	var missing []int
	y := now.In(cal.Location()).Year()
	for _, year := range []int{y, y + 1} {
		if !cal.HasYear(year) {
			missing = append(missing, year)
		}
	}
	return missing
}

// Deadline is the answer to "when is this due".
type Deadline struct {
	DueAt       time.Time `json:"due_at"`
	Provisional bool      `json:"provisional"`
}

// DeadlineWorkingDays returns the deadline n working days after from. A
// provisional deadline (a year without loaded data) is logged as a warning.
func (s *Service) DeadlineWorkingDays(ctx context.Context, from time.Time, n int) (Deadline, error) {
	if n < 0 || n > 3650 {
		return Deadline{}, fieldError("working_days", "range", "must be between 0 and 3650", "须在 0 到 3650 之间")
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return Deadline{}, err
	}
	due, prov := cal.AddWorkingDays(from, n)
	if prov {
		s.Log.Warn("deadline is provisional: the calendar has no data for its year", "from", from, "working_days", n, "due_at", due)
	}
	return Deadline{DueAt: due, Provisional: prov}, nil
}

// DeadlineHours returns a clock-time deadline (7×24).
func (s *Service) DeadlineHours(ctx context.Context, from time.Time, hours int) (Deadline, error) {
	if hours < 0 || hours > 24*3650 {
		return Deadline{}, fieldError("hours", "range", "must be between 0 and 87600", "须在 0 到 87600 之间")
	}
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return Deadline{}, err
	}
	return Deadline{DueAt: cal.AddDuration(from, time.Duration(hours)*time.Hour)}, nil
}

// LoadCalendar stores a schedule (from a file or the API) for the years it
// declares, replacing what those years had.
func (s *Service) LoadCalendar(ctx context.Context, actor anxin.Actor, sch calendar.Schedule, source string) error {
	if err := authorize(actor, anxin.PermCalendarWrite); err != nil {
		return err
	}
	if err := sch.Validate(); err != nil {
		return fieldError("schedule", "invalid", err.Error(), "节假日安排无效："+err.Error())
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ReplaceCalendarYears(ctx, sch, source); err != nil {
			return err
		}
		r := AuditFor(actor, "calendar", fmt.Sprint(sch.Years), "load")
		r.Detail = fmt.Sprintf("%d days from %s", len(sch.Days), source)
		return record(ctx, tx, r)
	})
	if err != nil {
		return err
	}
	s.Calendar.invalidate()
	return nil
}

// ParseCalendar parses a schedule file (CSV or JSON) into a validation error
// a person can act on.
func ParseCalendar(data []byte) (calendar.Schedule, error) {
	sch, err := calendar.Parse(bytes.NewReader(data))
	if err != nil {
		return sch, fieldError("schedule", "format", err.Error(), "节假日文件格式错误："+err.Error())
	}
	return sch, nil
}

// SeedCalendar loads the built-in schedule for the given years where the
// database has none, so a fresh installation counts working days correctly.
func (s *Service) SeedCalendar(ctx context.Context, years ...int) error {
	cal, err := s.Calendar.Get(ctx)
	if err != nil {
		return err
	}
	var missing []int
	for _, y := range years {
		if !cal.HasYear(y) {
			missing = append(missing, y)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sch, err := calendar.SeedYears(missing...)
	if err != nil {
		return err
	}
	return s.LoadCalendar(ctx, anxin.SystemActor("seed"), sch, "built-in (lunar-go)")
}

func fieldError(field, reason, en, zh string) error {
	var p anxin.Problems
	p.Add(field, reason, en, zh)
	return p.Err()
}
