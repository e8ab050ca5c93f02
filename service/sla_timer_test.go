package service

import (
	"testing"
	"time"
)

func TestTimerMillisNeverBeforeThePoint(t *testing.T) {
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		want int64
	}{
		{base, base.UnixMilli()},
		{base.Add(time.Microsecond), base.UnixMilli() + 1},
		{base.Add(999 * time.Microsecond), base.UnixMilli() + 1},
		{base.Add(time.Millisecond), base.UnixMilli() + 1},
		{base.Add(1001 * time.Microsecond), base.UnixMilli() + 2},
		{base.Add(-time.Microsecond), base.UnixMilli()},
	} {
		got := timerMillis(tc.at)
		if got != tc.want {
			t.Errorf("timerMillis(%v) = %d, want %d", tc.at, got, tc.want)
		}
		if time.UnixMilli(got).Before(tc.at) {
			t.Errorf("timerMillis(%v) wakes before the point", tc.at)
		}
	}
}
