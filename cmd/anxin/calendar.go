package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
)

func runCalendar(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f dbFlags
	fs := newFlagSet("calendar", stderr)
	f.register(fs)
	if len(args) == 0 {
		return errors.New("usage: anxin calendar show YEAR | load FILE | deadline FROM N")
	}
	sub := args[0]
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	svc, err := openService(ctx, &f, newLogger(stderr))
	if err != nil {
		return err
	}
	defer svc.DB.Close()
	if err := svc.SeedCalendar(ctx, builtinCalendarYears...); err != nil {
		return err
	}
	switch sub {
	case "show":
		if len(pos) != 1 {
			return errors.New("usage: anxin calendar show YEAR")
		}
		year, err := strconv.Atoi(pos[0])
		if err != nil {
			return fmt.Errorf("year %q is not a number", pos[0])
		}
		return showCalendar(ctx, svc, year, stdout)
	case "load":
		if len(pos) != 1 {
			return errors.New("usage: anxin calendar load FILE")
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		sch, err := service.ParseCalendar(data)
		if err != nil {
			return err
		}
		if err := svc.LoadCalendar(ctx, anxin.SystemActor("cli"), sch, "file:"+pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded %d days for %v\n", len(sch.Days), sch.Years)
		return nil
	case "deadline":
		if len(pos) != 2 {
			return errors.New("usage: anxin calendar deadline FROM N   (FROM as RFC 3339, e.g. 2026-09-30T10:00:00+08:00)")
		}
		from, err := time.Parse(time.RFC3339, pos[0])
		if err != nil {
			return fmt.Errorf("FROM must be RFC 3339, e.g. 2026-09-30T10:00:00+08:00: %w", err)
		}
		n, err := strconv.Atoi(pos[1])
		if err != nil {
			return fmt.Errorf("N %q is not a number", pos[1])
		}
		d, err := svc.DeadlineWorkingDays(ctx, from, n)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, d.DueAt.In(svc.Calendar.Location()).Format(time.RFC3339))
		if d.Provisional {
			fmt.Fprint(stdout, "  (provisional: no holiday schedule loaded for that year)")
		}
		fmt.Fprintln(stdout)
		return nil
	}
	return fmt.Errorf("unknown calendar command %q", sub)
}

// showCalendar prints the year's exceptions and a count of working days.
func showCalendar(ctx context.Context, svc *service.Service, year int, out io.Writer) error {
	cal, err := svc.Calendar.Get(ctx)
	if err != nil {
		return err
	}
	working := 0
	fmt.Fprintf(out, "%d", year)
	if !cal.HasYear(year) {
		fmt.Fprint(out, "  (not loaded: Monday–Friday guess; load the State Council's schedule with `anxin calendar load FILE`)")
	}
	fmt.Fprintln(out)
	for m := time.January; m <= time.December; m++ {
		for _, d := range cal.Month(year, m) {
			if d.Working {
				working++
			}
			if d.Kind == "" {
				continue
			}
			label := "休 off "
			if d.Working {
				label = "班 work"
			}
			fmt.Fprintf(out, "  %s %s  %s %s\n", d.Date, weekdayZH[d.Weekday], label, d.Name)
		}
	}
	fmt.Fprintf(out, "%d working days\n", working)
	return nil
}

var weekdayZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
