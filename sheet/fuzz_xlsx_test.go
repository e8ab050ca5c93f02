package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
)

// xlsxTemplate is a real workbook whose worksheet and shared strings the
// fuzzer replaces.
func xlsxTemplate(f *testing.F) map[string][]byte {
	wb := excelize.NewFile()
	wb.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "证件号码", "手机号码"})
	wb.SetSheetRow("Sheet1", "A2", &[]any{"王建国", "110105196605151793", 15226273162})
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		f.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		f.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		parts[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return parts
}

// FuzzReadXLSX feeds arbitrary worksheet and shared-string XML, inside an
// otherwise valid workbook, to the streaming XLSX reader: it is our own
// parser of untrusted files, so it must never panic, loop or fail with
// anything but a bilingual file error.
func FuzzReadXLSX(f *testing.F) {
	parts := xlsxTemplate(f)
	sheetName, sstName := "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"
	f.Add(string(parts[sheetName]), string(parts[sstName]))
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row><row r="2"><c r="A2" t="b"><v>1</v></c><c r="C2" t="str"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>`, `<sst><si><r><t>a</t></r><r><t>b</t></r></si></sst>`)
	f.Add(`<worksheet><sheetData><row r="99999999999"><c r="ZZZZZZ1" t="s"><v>7</v></c></row>`, `<sst><si><t>x`)
	f.Fuzz(func(t *testing.T, sheetXML, sstXML string) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range parts {
			switch name {
			case sheetName:
				data = []byte(sheetXML)
			case sstName:
				data = []byte(sstXML)
			}
			w, _ := zw.Create(name)
			w.Write(data)
		}
		zw.Close()
		src, err := newXLSXSource(bytes.NewReader(buf.Bytes()))
		if err != nil {
			checkFileError(t, err)
			return
		}
		last := 0
		for range 10_000 {
			row, _, err := src.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				checkFileError(t, err)
				return
			}
			if row <= last {
				t.Fatalf("row %d after row %d", row, last)
			}
			last = row
		}
	})
}
