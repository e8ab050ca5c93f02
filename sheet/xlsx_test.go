package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anxin-insure/anxin"
)

// readSource returns every non-blank row of a workbook as this package's
// reader sees it.
func readSource(t *testing.T, data []byte) map[int][]string {
	t.Helper()
	src, err := newXLSXSource(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	out := map[int][]string{}
	for {
		n, cells, err := src.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[n] = cells
	}
}

// readExcelize returns the same through excelize's streaming reader with
// RawCellValue, the reference this package's reader must agree with.
func readExcelize(t *testing.T, data []byte) map[int][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][]string{}
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(cells, func(c string) bool { return strings.TrimSpace(c) != "" }) {
			// excelize drops trailing empty cells; so must the comparison.
			for len(cells) > 0 && cells[len(cells)-1] == "" {
				cells = cells[:len(cells)-1]
			}
			out[n] = cells
		}
	}
	return out
}

func trimRows(m map[int][]string) map[int][]string {
	for k, cells := range m {
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		m[k] = cells
	}
	return m
}

func sameRows(a, b map[int][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestXLSXReaderAgreesWithExcelize(t *testing.T) {
	day := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	workbooks := map[string]func(f *excelize.File) error{
		"shared strings, numbers, dates, gaps": func(f *excelize.File) error {
			for r, row := range [][]any{
				{"姓名", "证件号码", "出生日期", "保费", "VIP"},
				{"王建国 & 李<四>", "110105196605151793", day, 1234.56, true},
				nil,
				{"", "  ", nil, nil, nil},
				{"\"quoted\" 'single'", 13812341234, 46027.5, -0.5, false},
			} {
				if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", r+1), &row); err != nil {
					return err
				}
			}
			if err := f.SetCellValue("Sheet1", "H9", "far away"); err != nil {
				return err
			}
			return f.SetCellFormula("Sheet1", "F2", "=1+2")
		},
		"rich text and formulas": func(f *excelize.File) error {
			if err := f.SetCellRichText("Sheet1", "A1", []excelize.RichTextRun{{Text: "加粗", Font: &excelize.Font{Bold: true}}, {Text: " plain"}}); err != nil {
				return err
			}
			if err := f.SetCellStr("Sheet1", "B1", "line1\nline2\ttab"); err != nil {
				return err
			}
			return f.SetCellFormula("Sheet1", "C1", `="a"&"b"`)
		},
		"stream writer (inline strings)": func(f *excelize.File) error {
			sw, err := f.NewStreamWriter("Sheet1")
			if err != nil {
				return err
			}
			for r := 1; r <= 50; r++ {
				if err := sw.SetRow(fmt.Sprintf("B%d", r*2), []any{"行" + fmt.Sprint(r), r, 1.5, nil, "<tag>&amp;"}); err != nil {
					return err
				}
			}
			return sw.Flush()
		},
	}
	for name, build := range workbooks {
		t.Run(name, func(t *testing.T) {
			f := excelize.NewFile()
			defer f.Close()
			if err := build(f); err != nil {
				t.Fatal(err)
			}
			buf, err := f.WriteToBuffer()
			if err != nil {
				t.Fatal(err)
			}
			got, want := trimRows(readSource(t, buf.Bytes())), readExcelize(t, buf.Bytes())
			if !sameRows(got, want) {
				t.Errorf("readers disagree:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func TestXLSXReaderOnGeneratedFiles(t *testing.T) {
	cust, pol, err := GenerateBenchmarkFiles(t.TempDir(), 300, 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{cust, pol} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, want := trimRows(readSource(t, data)), readExcelize(t, data)
		if !sameRows(got, want) || len(got) != 301 {
			t.Errorf("%s: readers disagree (%d rows vs %d)", path, len(got), len(want))
		}
	}
}

// handmade builds a workbook from raw parts, for the forms excelize never
// writes: prefixed elements, 1904 dates, rows without numbers, phonetic runs.
func handmade(t *testing.T, workbook, sheet, sst string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	parts := map[string]string{
		"xl/workbook.xml": workbook,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/>` +
			`<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>`,
		"xl/worksheets/data.xml": sheet,
		"xl/strings.xml":         sst,
	}
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXReaderHandmade(t *testing.T) {
	wb := `<?xml version="1.0"?><x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<x:workbookPr date1904="1"/><x:sheets><x:sheet name="保单" sheetId="3" r:id="rId7"/></x:sheets></x:workbook>`
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t xml:space="preserve"> 姓名 </t></si>` +
		`<si><r><t>王</t></r><r><rPr><b/></rPr><t>建国</t></r><rPh sb="0" eb="1"><t>おう</t></rPh></si><si><t/></si></sst>`
	sheet := `<?xml version="1.0"?><!-- made by hand > for tests --><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<x:dimension ref="A1:C3"/><x:sheetData>` +
		`<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c><x:v>44561</x:v></x:c></x:row>` +
		`<x:row r="3" spans="1:3"><x:c r="A3" t="s"><x:v>1</x:v></x:c><x:c r="C3" t="inlineStr"><x:is><x:t><![CDATA[a<b]]>&#x4E2D;&#25991;</x:t></x:is></x:c></x:row>` +
		`<x:row r="4"><x:c r="B4" t="b"><x:v>1</x:v></x:c><x:c r="C4" t="d"><x:v>2026-01-05T00:00:00</x:v></x:c><x:c r="D4" t="str"><x:f>A1</x:f><x:v>cached</x:v></x:c></x:row>` +
		`</x:sheetData></x:worksheet>`
	data := handmade(t, wb, sheet, sst)
	src, err := newXLSXSource(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	if ok, d1904 := src.xlsx(); !ok || !d1904 || src.estimate() != 2 {
		t.Errorf("date1904 %v, estimate %d", d1904, src.estimate())
	}
	want := []struct {
		row   int
		cells []string
	}{
		{1, []string{" 姓名 ", "44561"}},
		{3, []string{"王建国", "", "a<b中文"}},
		{4, []string{"", "1", "2026-01-05", "cached"}},
	}
	for _, w := range want {
		n, cells, err := src.next()
		if err != nil || n != w.row || !slices.Equal(cells, w.cells) {
			t.Errorf("got row %d %q %v, want row %d %q", n, cells, err, w.row, w.cells)
		}
	}
	if _, _, err := src.next(); err != io.EOF {
		t.Errorf("after the last row: %v", err)
	}
	if d, ok := parseDate("44561", true, true); !ok || d != anxin.MustDate("2026-01-01") {
		t.Errorf("1904 serial: %v", d)
	}
}

func TestXLSXReaderRejects(t *testing.T) {
	wb := `<workbook><sheets><sheet r:id="rId7" xmlns:r="r"/></sheets></workbook>`
	for name, sheet := range map[string]string{
		"rows out of order":    `<worksheet><sheetData><row r="5"/><row r="2"/></sheetData></worksheet>`,
		"column beyond XFD":    `<worksheet><sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData></worksheet>`,
		"missing shared":       `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>`,
		"truncated":            `<worksheet><sheetData><row r="1"><c r="A1"><v>1`,
		"bad entity":           `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&bogus;</t></is></c></row></sheetData></worksheet>`,
		"cells out of order":   `<worksheet><sheetData><row r="1"><c r="C1"><v>1</v></c><c r="A1"><v>1</v></c></row></sheetData></worksheet>`,
		"row beyond the limit": `<worksheet><sheetData><row r="1048577"><c><v>1</v></c></row></sheetData></worksheet>`,
	} {
		src, err := newXLSXSource(bytes.NewReader(handmade(t, wb, sheet, `<sst/>`)))
		if err == nil {
			for err == nil {
				_, _, err = src.next()
			}
			src.close()
		}
		var e *anxin.Error
		if err == io.EOF || !errors.As(err, &e) || e.MessageZH == "" {
			t.Errorf("%s: got %v, want a bilingual error", name, err)
		}
	}
	for name, data := range map[string][]byte{
		"not a zip": []byte("姓名,证件号码\n"),
		"no workbook": func() []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			zw.Create("hello.txt")
			zw.Close()
			return buf.Bytes()
		}(),
	} {
		if _, err := newXLSXSource(bytes.NewReader(data)); anxin.ErrorCode(err) != anxin.EInvalid || !strings.Contains(err.Error(), "xlsx") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
