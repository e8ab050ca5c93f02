package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/anxin-insure/anxin"
)

// Formats accepted by the import functions.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// source yields the rows of a file that have at least one non-blank cell.
type source interface {
	// next returns the next row and its 1-based number in the file, or
	// io.EOF after the last one. A non-EOF error ends the import: the rest of
	// the file cannot be trusted.
	next() (row int, cells []string, err error)
	// estimate is the number of rows the file appears to hold, or -1.
	estimate() int
	xlsx() (ok, date1904 bool)
	close() error
}

func openSource(r io.Reader, format string) (source, error) {
	switch strings.ToLower(strings.TrimPrefix(format, ".")) {
	case CSV:
		return newCSVSource(r)
	case XLSX:
		return newXLSXSource(r)
	}
	return nil, anxin.Errorz(anxin.EInvalid, fmt.Sprintf("unknown file format %q; use csv or xlsx", format),
		fmt.Sprintf("不支持的文件格式“%s”，请使用 csv 或 xlsx", format))
}

// fileError is a problem with the file as a whole, reported in both
// languages with the row where it was found.
func fileError(row int, en, zh string) *anxin.Error {
	if row > 0 {
		en = fmt.Sprintf("row %d: %s", row, en)
		zh = fmt.Sprintf("第 %d 行：%s", row, zh)
	}
	return anxin.Errorz(anxin.EInvalid, en, zh)
}

type csvSource struct {
	r *csv.Reader
}

func newCSVSource(r io.Reader) (*csvSource, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		// Excel's "CSV UTF-8" starts with a byte-order mark.
		br.Discard(3)
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return nil, fileError(0, "the file is UTF-16 (Excel's “Unicode Text”); save it as “CSV UTF-8 (Comma delimited)” and import again",
			"文件是 UTF-16 编码（Excel 的“Unicode 文本”），请另存为“CSV UTF-8（逗号分隔）”后重新导入")
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	return &csvSource{r: cr}, nil
}

func (s *csvSource) next() (int, []string, error) {
	for {
		rec, err := s.r.Read()
		if err == io.EOF {
			return 0, nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return 0, nil, fileError(pe.StartLine, "the CSV is malformed ("+pe.Err.Error()+"); check the quotes around this line",
					"CSV 格式错误（"+pe.Err.Error()+"），请检查该行附近的引号")
			}
			return 0, nil, err
		}
		// Rows are numbered by the line they start on, which is the row a
		// spreadsheet shows unless a quoted cell spans lines; csv.Reader
		// skips blank lines, so a running count would drift.
		line, _ := s.r.FieldPos(0)
		blank := true
		for _, c := range rec {
			if !utf8.ValidString(c) {
				return 0, nil, encodingError(line, c)
			}
			if blank && strings.TrimSpace(c) != "" {
				blank = false
			}
		}
		if !blank {
			return line, rec, nil
		}
	}
}

// encodingError explains a cell that is not UTF-8. Excel on Chinese Windows
// saves "CSV (Comma delimited)" in GBK, which is by far the commonest cause,
// so the message says how to save the file properly.
func encodingError(line int, cell string) *anxin.Error {
	if looksGBK(cell) {
		return fileError(line, "the file is not UTF-8: it looks GBK-encoded (Excel's “CSV (Comma delimited)” on Chinese Windows); save it as “CSV UTF-8 (Comma delimited)” or as .xlsx and import again",
			"文件不是 UTF-8 编码，看起来是 GBK 编码（中文版 Excel 的“CSV（逗号分隔）”）。请另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重新导入")
	}
	return fileError(line, "the file is not UTF-8 text; save it as “CSV UTF-8 (Comma delimited)” and import again",
		"文件不是 UTF-8 编码的文本，请另存为“CSV UTF-8（逗号分隔）”后重新导入")
}

// looksGBK reports whether every non-ASCII byte of s pairs up as a GBK
// double-byte character (lead 0x81–0xFE, trail 0x40–0xFE except 0x7F).
func looksGBK(s string) bool {
	seen := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			continue
		}
		if c == 0x80 || c == 0xFF || i+1 >= len(s) {
			return false
		}
		t := s[i+1]
		if t < 0x40 || t == 0x7F || t == 0xFF {
			return false
		}
		seen = true
		i++
	}
	return seen
}

func (s *csvSource) estimate() int             { return -1 }
func (s *csvSource) xlsx() (ok, date1904 bool) { return false, false }
func (s *csvSource) close() error              { return nil }
