package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The worksheet reader.
//
// excelize's streaming Rows decodes every cell with encoding/xml. With
// RawCellValue it still took 56–70 µs per row of the 19-column policies
// layout on this project's 2-core machines, so reading 100,000 policies
// alone took longer than the whole import may. Worksheet XML is regular,
// so this file reads it with a small tokenizer instead (about 9 µs per
// row, inflating included), straight from the zip entry, without holding
// the inflated XML in memory. excelize still writes every workbook the
// package produces, and the tests check that both readers see the same
// cells.

// Excel's own limits; anything beyond them is not a worksheet Excel wrote,
// and honouring it would let a crafted file allocate without bound.
const (
	maxColumns  = 16384
	maxRows     = 1048576
	maxCellText = 32767
	// maxSharedText bounds the shared strings held in memory.
	maxSharedText = 1 << 30
)

type xlsxSource struct {
	entry    io.ReadCloser
	sc       *xmlScanner
	sst      []string
	date1904 bool
	rowCount int
	lastRow  int
	started  bool
	done     bool
	cells    []string
}

func newXLSXSource(r io.Reader) (*xlsxSource, error) {
	ra, size, err := readerAt(r)
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, notWorkbook(err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	s := &xlsxSource{rowCount: -1}
	sheetPath, sstPath, err := s.readWorkbook(files)
	if err != nil {
		return nil, err
	}
	if f := files[strings.ToLower(sstPath)]; f != nil {
		if s.sst, err = readSharedStrings(f); err != nil {
			return nil, err
		}
	}
	f := files[strings.ToLower(sheetPath)]
	if f == nil {
		return nil, notWorkbook(fmt.Errorf("worksheet %s is missing", sheetPath))
	}
	if s.entry, err = f.Open(); err != nil {
		return nil, notWorkbook(err)
	}
	s.sc = newXMLScanner(s.entry)
	if err := s.seekSheetData(); err != nil {
		s.entry.Close()
		return nil, err
	}
	return s, nil
}

// readerAt gives random access to the workbook, which a zip needs because
// its directory is at the end. A file or an in-memory reader that has not
// been read from is used as it is; anything else is read into memory.
func readerAt(r io.Reader) (io.ReaderAt, int64, error) {
	switch v := r.(type) {
	case *os.File:
		if pos, err := v.Seek(0, io.SeekCurrent); err == nil && pos == 0 {
			if st, err := v.Stat(); err == nil && st.Mode().IsRegular() {
				return v, st.Size(), nil
			}
		}
	case *bytes.Reader:
		if v.Len() == int(v.Size()) {
			return v, v.Size(), nil
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, err
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

func notWorkbook(err error) error {
	return fileError(0, "the file is not an .xlsx workbook ("+err.Error()+"); a legacy .xls must be saved as .xlsx first",
		"文件不是 .xlsx 工作簿（"+err.Error()+"）；旧版 .xls 文件请先另存为 .xlsx")
}

// readWorkbook finds the first worksheet and the shared strings through
// the workbook's relationships, and reads the date system.
func (s *xlsxSource) readWorkbook(files map[string]*zip.File) (sheetPath, sstPath string, err error) {
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			ID string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := readXMLPart(files, "xl/workbook.xml", &wb); err != nil {
		return "", "", err
	}
	s.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	if len(wb.Sheets) == 0 {
		return "", "", fileError(0, "the workbook has no worksheet", "工作簿中没有工作表")
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := readXMLPart(files, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", "", err
	}
	resolve := func(target string) string {
		if strings.HasPrefix(target, "/") {
			return strings.TrimPrefix(target, "/")
		}
		return path.Join("xl", target)
	}
	sstPath = "xl/sharedStrings.xml"
	for _, r := range rels.Rel {
		switch {
		case r.ID == wb.Sheets[0].ID:
			sheetPath = resolve(r.Target)
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			sstPath = resolve(r.Target)
		}
	}
	if sheetPath == "" {
		return "", "", notWorkbook(errors.New("the first worksheet has no part"))
	}
	return sheetPath, sstPath, nil
}

func readXMLPart(files map[string]*zip.File, name string, v any) error {
	f := files[name]
	if f == nil {
		return notWorkbook(fmt.Errorf("%s is missing", name))
	}
	rc, err := f.Open()
	if err != nil {
		return notWorkbook(err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, 64<<20)).Decode(v); err != nil {
		return notWorkbook(fmt.Errorf("%s: %w", name, err))
	}
	return nil
}

// readSharedStrings loads the shared string table: one entry per <si>,
// the text of its <t> elements, leaving out phonetic runs (<rPh>).
func readSharedStrings(f *zip.File) ([]string, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, notWorkbook(err)
	}
	defer rc.Close()
	sc := newXMLScanner(rc)
	var out []string
	total := 0
	var text []byte
	inT, phonetic := false, 0
	for {
		tok, err := sc.next(inT, &text)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, notWorkbook(fmt.Errorf("shared strings: %w", err))
		}
		switch {
		case tok.is("si") && tok.kind == tokStart:
			text = text[:0]
		case tok.is("si") && tok.kind == tokEnd:
			if total += len(text); total > maxSharedText {
				return nil, notWorkbook(errors.New("shared strings are larger than 1 GiB"))
			}
			out = append(out, string(text))
		case tok.is("rPh"):
			if tok.kind == tokStart {
				phonetic++
			} else if tok.kind == tokEnd {
				phonetic--
			}
		case tok.is("t"):
			inT = tok.kind == tokStart && phonetic == 0
		}
	}
}

// seekSheetData skips to <sheetData>, reading the dimension on the way.
func (s *xlsxSource) seekSheetData() error {
	for {
		tok, err := s.sc.next(false, nil)
		if err == io.EOF {
			s.done = true
			return nil
		}
		if err != nil {
			return notWorkbook(err)
		}
		switch {
		case tok.is("dimension"):
			ref := tok.attr("ref")
			if _, last, ok := strings.Cut(ref, ":"); ok {
				if _, row, ok := cellRef(last); ok {
					s.rowCount = row
				}
			}
		case tok.is("sheetData"):
			if tok.kind == tokSelfClosing {
				s.done = true
			}
			return nil
		}
	}
}

func (s *xlsxSource) next() (int, []string, error) {
	for !s.done {
		row, cells, err := s.readRow()
		if err != nil {
			return 0, nil, fileError(s.lastRow+1, "cannot read the worksheet: "+err.Error(), "无法读取工作表："+err.Error())
		}
		if cells == nil {
			continue
		}
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				return row, cells, nil
			}
		}
	}
	return 0, nil, io.EOF
}

// readRow reads one <row> element. It returns nil cells for a row without
// any and sets done at the end of the sheet data.
func (s *xlsxSource) readRow() (int, []string, error) {
	var text []byte
	for {
		tok, err := s.sc.next(false, nil)
		if err == io.EOF {
			s.done = true
			return 0, nil, nil
		}
		if err != nil {
			return 0, nil, err
		}
		if tok.is("sheetData") && tok.kind == tokEnd {
			s.done = true
			return 0, nil, nil
		}
		if !tok.is("row") || tok.kind == tokEnd {
			continue
		}
		row := s.lastRow + 1
		if r := tok.attr("r"); r != "" {
			n, err := strconv.Atoi(r)
			if err != nil || n <= s.lastRow || n > maxRows {
				return 0, nil, fmt.Errorf("row number %q is out of order", r)
			}
			row = n
		}
		s.lastRow = row
		if tok.kind == tokSelfClosing {
			return row, nil, nil
		}
		cells := make([]string, 0, max(len(s.cells), 8))
		for {
			tok, err := s.sc.next(false, nil)
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return 0, nil, err
			}
			if tok.is("row") && tok.kind == tokEnd {
				s.cells = cells
				return row, cells, nil
			}
			if !tok.is("c") || tok.kind == tokEnd {
				continue
			}
			col := len(cells)
			if r := tok.attr("r"); r != "" {
				c, _, ok := cellRef(r)
				if !ok || c < len(cells) {
					return 0, nil, fmt.Errorf("cell reference %q is out of order", r)
				}
				col = c
			}
			if col >= maxColumns {
				return 0, nil, fmt.Errorf("cell %q is beyond column XFD", tok.attr("r"))
			}
			typ := tok.attr("t")
			value := ""
			if tok.kind != tokSelfClosing {
				text = text[:0]
				if value, err = s.readCell(typ, &text); err != nil {
					return 0, nil, err
				}
			}
			for len(cells) < col {
				cells = append(cells, "")
			}
			cells = append(cells, value)
		}
	}
}

// readCell reads the content of a <c> element up to its end tag and
// returns its value as a string, as excelize's RawCellValue would.
func (s *xlsxSource) readCell(typ string, text *[]byte) (string, error) {
	var v []byte
	inV, inT := false, false
	depthF := 0
	for {
		tok, err := s.sc.next(inV || inT, text)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		switch {
		case tok.is("c") && tok.kind == tokEnd:
			switch typ {
			case "s":
				i, err := strconv.Atoi(strings.TrimSpace(string(v)))
				if err != nil || i < 0 || i >= len(s.sst) {
					return "", fmt.Errorf("shared string %q does not exist", v)
				}
				return s.sst[i], nil
			case "inlineStr":
				return string(*text), nil
			case "d":
				// An ISO 8601 date cell: the date part is what a sheet means.
				d, _, _ := strings.Cut(string(v), "T")
				return d, nil
			}
			return string(v), nil
		case tok.is("f"):
			// A formula's text is not its value; the cached value is in <v>.
			if tok.kind == tokStart {
				depthF++
			} else if tok.kind == tokEnd {
				depthF--
			}
		case tok.is("v") && depthF == 0:
			if tok.kind == tokStart {
				inV = true
				*text = (*text)[:0]
			} else if tok.kind == tokEnd {
				inV = false
				v = append(v[:0], *text...)
				*text = (*text)[:0]
			}
		case tok.is("t") && typ == "inlineStr":
			inT = tok.kind == tokStart
		case tok.is("rPh") && tok.kind == tokStart:
			if err := s.sc.skip("rPh"); err != nil {
				return "", err
			}
		}
	}
}

// cellRef splits "AB12" into the zero-based column 27 and the row 12.
func cellRef(ref string) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && i < 4 {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	row, err := strconv.Atoi(strings.TrimPrefix(ref[i:], "$"))
	if err != nil || row < 1 {
		return 0, 0, false
	}
	return col - 1, row, true
}

func (s *xlsxSource) estimate() int {
	if s.rowCount > 1 {
		return s.rowCount - 1
	}
	return -1
}

func (s *xlsxSource) xlsx() (ok, date1904 bool) { return true, s.date1904 }

func (s *xlsxSource) close() error {
	if s.entry == nil {
		return nil
	}
	return s.entry.Close()
}

// xmlScanner is a pull tokenizer for the regular XML of spreadsheet parts:
// elements, attributes, text, entity and character references, CDATA,
// comments and processing instructions. It does not check well-formedness
// beyond what reading needs, and ignores namespaces by comparing local
// names, which is how Excel's own readers treat prefixed SpreadsheetML.
type xmlScanner struct {
	r   *bufio.Reader
	tag []byte
	raw []byte
}

type tokKind uint8

const (
	tokStart tokKind = iota + 1
	tokEnd
	tokSelfClosing
	tokOther // comment, processing instruction, declaration
)

type token struct {
	kind  tokKind
	name  []byte // local name
	attrs []byte // raw attribute text of a start tag
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

func (t *token) is(local string) bool { return string(t.name) == local }

// attr returns the decoded value of the attribute with the local name, or "".
func (t *token) attr(local string) string {
	a := t.attrs
	for {
		a = skipSpace(a)
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return ""
		}
		name := a[:eq]
		for len(name) > 0 && isSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		a = skipSpace(a[eq+1:])
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return ""
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return ""
		}
		val := a[1 : 1+end]
		a = a[2+end:]
		if string(name) == local {
			if bytes.IndexByte(val, '&') < 0 {
				return string(val)
			}
			out, _ := appendUnescaped(nil, val)
			return string(out)
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	return b
}

// next returns the next tag. The text before it is appended, unescaped, to
// *text when collect is set, and skipped otherwise.
func (s *xmlScanner) next(collect bool, text *[]byte) (token, error) {
	s.raw = s.raw[:0]
	for {
		chunk, err := s.r.ReadSlice('<')
		if collect {
			if err == nil {
				chunk = chunk[:len(chunk)-1]
			}
			// Text longer than the buffer arrives in pieces, and a piece
			// may end inside an entity, so it is unescaped once complete.
			s.raw = append(s.raw, chunk...)
			if len(s.raw) > 4*maxCellText*utf8.UTFMax {
				return token{}, errors.New("a cell holds more than 32,767 characters")
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return token{}, err
		}
		break
	}
	if collect && len(s.raw) > 0 {
		var err error
		if *text, err = appendUnescaped(*text, s.raw); err != nil {
			return token{}, err
		}
	}
	tag, err := s.readTag()
	if err != nil {
		return token{}, err
	}
	switch {
	case len(tag) == 0:
		return token{}, errors.New("empty tag")
	case tag[0] == '!':
		if bytes.HasPrefix(tag, []byte("![CDATA[")) {
			if collect {
				*text = append(*text, tag[8:len(tag)-2]...)
			}
		}
		return token{kind: tokOther}, nil
	case tag[0] == '?':
		return token{kind: tokOther}, nil
	case tag[0] == '/':
		name := tag[1:]
		for len(name) > 0 && isSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		return token{kind: tokEnd, name: localName(name)}, nil
	}
	kind := tokStart
	if tag[len(tag)-1] == '/' {
		kind, tag = tokSelfClosing, tag[:len(tag)-1]
	}
	end := 0
	for end < len(tag) && !isSpace(tag[end]) {
		end++
	}
	return token{kind: kind, name: localName(tag[:end]), attrs: tag[end:]}, nil
}

// readTag reads up to the '>' that ends the markup after a '<' and returns
// what is between them. The result is only valid until the next read.
func (s *xmlScanner) readTag() ([]byte, error) {
	chunk, err := s.r.ReadSlice('>')
	if err == nil && tagComplete(chunk[:len(chunk)-1]) {
		// The common case: the whole tag is in the buffer, no copy.
		return chunk[:len(chunk)-1], nil
	}
	s.tag = append(s.tag[:0], chunk...)
	for {
		switch {
		case err == bufio.ErrBufferFull:
		case err == io.EOF:
			return nil, io.ErrUnexpectedEOF
		case err != nil:
			return nil, err
		case tagComplete(s.tag[:len(s.tag)-1]):
			return s.tag[:len(s.tag)-1], nil
		}
		if len(s.tag) > 1<<20 {
			return nil, errors.New("a tag is longer than 1 MiB")
		}
		chunk, err = s.r.ReadSlice('>')
		s.tag = append(s.tag, chunk...)
	}
}

// tagComplete reports whether a '>' after t ends the markup: it does not
// inside a quoted attribute value (a="x>y"), an unfinished comment
// ("<!-- a > b -->") or an unfinished CDATA section.
func tagComplete(t []byte) bool {
	switch {
	case bytes.HasPrefix(t, []byte("!--")):
		return len(t) >= 5 && bytes.HasSuffix(t, []byte("--"))
	case bytes.HasPrefix(t, []byte("![CDATA[")):
		return len(t) >= 10 && bytes.HasSuffix(t, []byte("]]"))
	case len(t) > 0 && (t[0] == '!' || t[0] == '?'):
		return true
	}
	quote := byte(0)
	for _, c := range t {
		if quote != 0 {
			if c == quote {
				quote = 0
			}
		} else if c == '"' || c == '\'' {
			quote = c
		}
	}
	return quote == 0
}

// skip reads up to the end tag of the element just started.
func (s *xmlScanner) skip(local string) error {
	depth := 1
	for depth > 0 {
		tok, err := s.next(false, nil)
		if err != nil {
			return err
		}
		if tok.is(local) {
			switch tok.kind {
			case tokStart:
				depth++
			case tokEnd:
				depth--
			}
		}
	}
	return nil
}

func localName(name []byte) []byte {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// appendUnescaped appends b with the five predefined entities and numeric
// character references replaced. Excel also escapes control characters as
// _xHHHH_, which is kept as it is: it never occurs in the values a sheet of
// customers or policies holds.
func appendUnescaped(dst, b []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return append(dst, b...), nil
		}
		dst = append(dst, b[:i]...)
		b = b[i:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			return dst, errors.New("malformed entity reference")
		}
		ent := string(b[1:semi])
		b = b[semi+1:]
		switch ent {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			var n uint64
			var err error
			switch {
			case strings.HasPrefix(ent, "#x"), strings.HasPrefix(ent, "#X"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case strings.HasPrefix(ent, "#"):
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				err = errors.New("unknown entity &" + ent + ";")
			}
			if err != nil || !utf8.ValidRune(rune(n)) {
				return dst, fmt.Errorf("malformed character reference &%s;", ent)
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}
