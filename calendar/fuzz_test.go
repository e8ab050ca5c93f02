package calendar

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that every error it returns is
// a *ParseError, and that whatever it accepts is a fixed point: written as
// CSV and parsed again it comes back equal, and New accepts it.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse returned an invalid schedule: %v", err)
		}
		var buf bytes.Buffer
		if err := s.WriteCSV(&buf); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		again, err := Parse(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(s, again) {
			t.Fatalf("round trip changed the schedule:\n got %#v\nwant %#v", again, s)
		}
		c := New(time.UTC, s)
		from := time.Date(s.Years[0], time.January, 1, 0, 0, 0, 0, time.UTC)
		due, _ := c.AddWorkingDays(from, 10)
		if n, _ := c.WorkingDaysBetween(from, due); n != 10 {
			t.Fatalf("WorkingDaysBetween after AddWorkingDays(10) = %d", n)
		}
	})
}
