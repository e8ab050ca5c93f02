package calendar

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxInput bounds what Parse reads. A year's schedule is about forty lines;
// a megabyte means the wrong file was picked, and reading on would only
// delay the error.
const maxInput = 1 << 20

// ParseError is returned by Parse for data it rejects. Line is 1-based and
// 0 when the problem belongs to the input as a whole (it is empty, or a
// required line is missing). Field names the part at fault: "years",
// "header", "date", "kind", "name", or for JSON a path such as
// "days[3].kind"; it is empty when the line as a whole is malformed.
type ParseError struct {
	Line  int
	Field string
	Err   error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("calendar: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a schedule in the CSV or the JSON format described in the
// package documentation; input whose first non-blank character is '{' (or
// '[') is JSON. The result is validated and normalized: years ascending, days
// ascending by date, names trimmed, same-kind duplicates merged.
func Parse(r io.Reader) (Schedule, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return Schedule{}, fmt.Errorf("calendar: read schedule: %w", err)
	}
	if len(data) > maxInput {
		return Schedule{}, &ParseError{Err: fmt.Errorf("input is larger than %d bytes; not a holiday schedule", maxInput)}
	}
	// Spreadsheet programs on Windows start UTF-8 CSV with a byte-order mark.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if i := invalidUTF8At(data); i >= 0 {
		return Schedule{}, &ParseError{Line: newLineIndex(data).at(int64(i)), Err: errors.New("not valid UTF-8; save the file as UTF-8, not GBK")}
	}
	body := bytes.TrimLeft(data, " \t\r\n")
	if len(body) == 0 {
		return Schedule{}, &ParseError{Err: errors.New("empty input")}
	}
	var s Schedule
	// '[' is sniffed as JSON too so that a top-level array gets a JSON
	// error rather than a puzzling "missing # years:" one.
	if body[0] == '{' || body[0] == '[' {
		s, err = parseJSON(data)
	} else {
		s, err = parseCSV(data)
	}
	if err != nil {
		return Schedule{}, err
	}
	return s.normalize(), nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// dayAt remembers where a date was first seen so that a conflict can point
// at both lines.
type dayAt struct {
	kind Kind
	line int
}

func parseCSV(data []byte) (Schedule, error) {
	var (
		s         Schedule
		years     map[int]bool
		yearsLine int
		header    bool
		seen      = map[int]dayAt{}
	)
	fail := func(line int, field string, err error) (Schedule, error) {
		return Schedule{}, &ParseError{Line: line, Field: field, Err: err}
	}
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimSuffix(line, "\r")
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "#") {
			ys, ok, err := yearsDirective(t)
			switch {
			case !ok:
				continue
			case err != nil:
				return fail(n, "years", err)
			case yearsLine > 0:
				// The header cannot precede the first directive either:
				// it is rejected until years are declared.
				return fail(n, "years", fmt.Errorf("second \"# years:\" line (the first is line %d)", yearsLine))
			}
			years, yearsLine = ys, n
			s.Years = sortedKeys(ys)
			continue
		}
		rec, err := csvRecord(line)
		if err != nil {
			return fail(n, "", err)
		}
		if !header {
			if years == nil {
				return fail(n, "years", errors.New(`missing "# years: YYYY" line before the header`))
			}
			if len(rec) != 3 || !strings.EqualFold(strings.TrimSpace(rec[0]), "date") ||
				!strings.EqualFold(strings.TrimSpace(rec[1]), "kind") || !strings.EqualFold(strings.TrimSpace(rec[2]), "name") {
				return fail(n, "header", fmt.Errorf("want \"date,kind,name\", got %q", t))
			}
			header = true
			continue
		}
		if len(rec) != 3 {
			return fail(n, "", fmt.Errorf("want 3 fields (date,kind,name), got %d", len(rec)))
		}
		d := Day{Date: strings.TrimSpace(rec[0]), Kind: Kind(strings.TrimSpace(rec[1])), Name: strings.TrimSpace(rec[2])}
		key, err := checkDay(d, years)
		if err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				return fail(n, fe.field, fe.err)
			}
			return fail(n, "", err)
		}
		if prev, ok := seen[key]; ok {
			if prev.kind != d.Kind {
				return fail(n, "kind", fmt.Errorf("%s is %q here but %q on line %d", d.Date, d.Kind, prev.kind, prev.line))
			}
		} else {
			seen[key] = dayAt{d.Kind, n}
		}
		s.Days = append(s.Days, d)
	}
	if years == nil {
		return fail(0, "years", errors.New(`missing "# years: YYYY" line`))
	}
	if !header {
		return fail(0, "header", errors.New(`missing header line "date,kind,name"`))
	}
	return s, nil
}

// yearsDirective recognises "# years: 2027" and "# years: 2027, 2028".
// ok is false for any other comment, so prose comments that merely mention
// years stay comments.
func yearsDirective(comment string) (years map[int]bool, ok bool, err error) {
	body := strings.TrimSpace(strings.TrimPrefix(comment, "#"))
	const word = "years:"
	if len(body) < len(word) || !strings.EqualFold(body[:len(word)], word) {
		return nil, false, nil
	}
	list := strings.FieldsFunc(body[len(word):], func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(list) == 0 {
		return nil, true, errors.New("no years listed")
	}
	ints := make([]int, 0, len(list))
	for _, f := range list {
		y, err := strconv.Atoi(f)
		if err != nil {
			return nil, true, fmt.Errorf("%q is not a year", f)
		}
		ints = append(ints, y)
	}
	set, err := yearSet(ints)
	return set, true, err
}

// csvRecord splits one line with encoding/csv so that quoting follows RFC
// 4180. Records are kept to one line each, which is what makes line numbers
// in errors exact; a name cannot contain a line break anyway.
func csvRecord(line string) ([]string, error) {
	if !strings.Contains(line, `"`) {
		// Without quotes CSV is a plain split; skipping csv.Reader's
		// per-line buffer keeps a large file quick.
		return strings.Split(line, ","), nil
	}
	r := csv.NewReader(strings.NewReader(line))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("column %d: %w", pe.Column, pe.Err)
		}
		return nil, err
	}
	return rec, nil
}

func parseJSON(data []byte) (Schedule, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	lines := newLineIndex(data)
	fail := func(off int64, field string, err error) (Schedule, error) {
		return Schedule{}, &ParseError{Line: lines.at(off), Field: field, Err: err}
	}
	if tok, err := dec.Token(); err != nil {
		return fail(dec.InputOffset(), "", err)
	} else if tok != json.Delim('{') {
		return fail(0, "", errors.New("want a JSON object"))
	}

	type jsonDay struct {
		off int64
		day Day
	}
	var (
		s         Schedule
		yearsOff  int64
		days      []jsonDay
		seenField = map[string]bool{}
	)
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return fail(off, "", err)
		}
		key, _ := tok.(string)
		if seenField[key] {
			return fail(off, key, errors.New("listed twice"))
		}
		seenField[key] = true
		switch key {
		case "years":
			yearsOff = dec.InputOffset()
			if err := dec.Decode(&s.Years); err != nil {
				return fail(yearsOff, "years", err)
			}
		case "days":
			aoff := dec.InputOffset()
			tok, err := dec.Token()
			if err != nil {
				return fail(aoff, "days", err)
			}
			if tok == nil {
				continue // "days": null, a year without exceptions
			}
			if tok != json.Delim('[') {
				return fail(aoff, "days", errors.New("want an array"))
			}
			for i := 0; dec.More(); i++ {
				doff := dec.InputOffset()
				var d Day
				if err := dec.Decode(&d); err != nil {
					return fail(doff, fmt.Sprintf("days[%d]", i), err)
				}
				days = append(days, jsonDay{doff, d})
			}
			if _, err := dec.Token(); err != nil {
				return fail(dec.InputOffset(), "days", err)
			}
		default:
			return fail(off, "", fmt.Errorf("unknown field %q (want \"years\" and \"days\")", key))
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(dec.InputOffset(), "", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(dec.InputOffset(), "", errors.New("unexpected data after the JSON object"))
	}

	if len(s.Years) == 0 {
		return fail(yearsOff, "years", errors.New("missing or empty; list the years the file describes"))
	}
	years, err := yearSet(s.Years)
	if err != nil {
		return fail(yearsOff, "years", err)
	}
	seen := map[int]dayAt{}
	for i, jd := range days {
		line := lines.at(jd.off)
		key, err := checkDay(jd.day, years)
		if err != nil {
			field := fmt.Sprintf("days[%d]", i)
			var fe *fieldError
			if errors.As(err, &fe) {
				field += "." + fe.field
				err = fe.err
			}
			return Schedule{}, &ParseError{Line: line, Field: field, Err: err}
		}
		if prev, ok := seen[key]; ok {
			if prev.kind != jd.day.Kind {
				return Schedule{}, &ParseError{Line: line, Field: fmt.Sprintf("days[%d].kind", i),
					Err: fmt.Errorf("%s is %q here but %q on line %d", jd.day.Date, jd.day.Kind, prev.kind, prev.line)}
			}
		} else {
			seen[key] = dayAt{jd.day.Kind, line}
		}
		s.Days = append(s.Days, jd.day)
	}
	return s, nil
}

// lineIndex maps byte offsets to 1-based line numbers. It is built once
// per input so that numbering every JSON day stays linear in the input.
type lineIndex struct {
	data     []byte
	newlines []int
}

func newLineIndex(data []byte) lineIndex {
	ix := lineIndex{data: data}
	for i, b := range data {
		if b == '\n' {
			ix.newlines = append(ix.newlines, i)
		}
	}
	return ix
}

// at returns the line of the first token at or after byte off. The JSON
// decoder's offsets point just past the previous token, so separators and
// blanks are skipped to land on the value actually at fault.
func (ix lineIndex) at(off int64) int {
	i := int(min(max(off, 0), int64(len(ix.data))))
	for i < len(ix.data) && strings.IndexByte(" \t\r\n,:", ix.data[i]) >= 0 {
		i++
	}
	n, _ := slices.BinarySearch(ix.newlines, i)
	return n + 1
}

// WriteCSV writes s, normalized, in the CSV format Parse reads: the
// "# years:" line, the header, then one row per day in date order.
func (s Schedule) WriteCSV(w io.Writer) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("calendar: write schedule: %w", err)
	}
	n := s.normalize()
	if len(n.Years) == 0 {
		return errors.New("calendar: write schedule: no years to write")
	}
	// A bufio.Writer's errors are sticky, so checking the final Flush is
	// enough to catch a failed write anywhere before it.
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# years: %s\n", formatYears(n.Years))
	cw := csv.NewWriter(bw)
	rows := make([][]string, 0, len(n.Days)+1)
	rows = append(rows, []string{"date", "kind", "name"})
	for _, d := range n.Days {
		rows = append(rows, []string{d.Date, string(d.Kind), d.Name})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("calendar: write schedule: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("calendar: write schedule: %w", err)
	}
	return nil
}
