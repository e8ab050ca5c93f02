package letter

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/signintech/gopdf"
)

// The font travels inside the binary because a decision letter must look
// the same on every server, and no fonts are installed on the production
// hosts. gopdf reads only TrueType outlines, so Noto CJK (CFF in a TTC) is
// out; WenQuanYi Micro Hei has Chinese, Latin, digits and ¥ in one face.
// See fonts/README.md for where the file comes from.
//
//go:embed fonts/wqy-microhei.ttf
var fontTTF []byte

const fontFamily = "WenQuanYiMicroHei"

// Parsing the 4.6 MB font takes far longer than laying out a letter, so it
// is done once per process; each document copies the parsed tables and
// keeps its own glyph subset, which makes concurrent PDF calls safe.
var (
	fontOnce  sync.Once
	fontCache gopdf.FontContainer
	fontErr   error
)

func parsedFont() (*gopdf.FontContainer, error) {
	fontOnce.Do(func() {
		fontErr = fontCache.AddTTFFontData(fontFamily, fontTTF)
	})
	return &fontCache, fontErr
}

// Page geometry in points (A4, margins as in the HTML print CSS).
const (
	pageW, pageH = 595.0, 842.0
	marginX      = 51.0 // 18 mm
	marginTop    = 57.0 // 20 mm
	marginBottom = 62.0 // 22 mm, leaving room for the footer
	contentW     = pageW - 2*marginX
	bottom       = pageH - marginBottom

	sizeTitle   = 18.0
	sizeHeading = 12.0
	sizeBody    = 10.5
	sizeSmall   = 9.0
	sizeFooter  = 8.0
	leading     = 1.55
	cellPadX    = 5.0
	cellPadY    = 2.5
)

type rgb struct{ r, g, b uint8 }

var (
	black   = rgb{26, 26, 26}
	grey    = rgb{85, 85, 85}
	navy    = rgb{31, 58, 95}
	rule    = rgb{153, 153, 153}
	light   = rgb{221, 221, 221}
	headBg  = rgb{238, 241, 245}
	noticeC = navy
)

// op is one drawing step. Layout records ops per page before anything is
// drawn, so the footer can say "page n of m".
type op struct {
	kind       byte // 't' text, 'l' line, 'r' filled rectangle
	text       string
	x, y       float64 // text: baseline; line: start; rectangle: upper left
	x2, y2     float64 // line: end; rectangle: width and height
	size, line float64 // font size; stroke width
	color      rgb
}

type layout struct {
	gp    *gopdf.GoPdf
	em    map[rune]float64 // advance width at 1 pt
	err   error
	pages [][]op
	y     float64
	kvW   float64 // label column, shared so all label–value lists align
	tail  float64 // see flow
}

// measureSize is the size runes are measured at: gopdf keeps glyph widths
// in whole thousandths of an em, so at 1000 pt every width is an exact
// integer and scaling it to any size loses nothing.
const measureSize = 1000.0

// measure returns the width of s at 1 pt, one rune at a time and cached,
// since the font is not kerned and the same few hundred runes recur.
func (l *layout) measure(s string) float64 {
	var w float64
	for _, r := range s {
		rw, ok := l.em[r]
		if !ok {
			m, err := l.gp.MeasureTextWidth(string(r))
			if err != nil && l.err == nil {
				l.err = fmt.Errorf("letter: measure %q: %w", r, err)
			}
			rw = m / measureSize
			l.em[r] = rw
		}
		w += rw
	}
	return w
}

func (l *layout) wrap(s string, size, width float64) []string {
	return wrap(s, size, width, l.measure)
}

func (l *layout) newPage() {
	l.pages = append(l.pages, nil)
	l.y = marginTop
}

// room starts a new page unless h more points fit; never on a fresh page,
// so an oversized block cannot loop forever.
func (l *layout) room(h float64) {
	if l.y+h > bottom && l.y > marginTop {
		l.newPage()
	}
}

func (l *layout) add(o op) {
	l.pages[len(l.pages)-1] = append(l.pages[len(l.pages)-1], o)
}

// text places one line whose box starts at top; CJK glyphs sit on an em
// box from about -0.12 to 0.88 em, which centres them in the line.
func (l *layout) text(s string, x, top, size float64, c rgb) {
	if s == "" {
		return
	}
	lh := size * leading
	l.add(op{kind: 't', text: s, x: x, y: top + lh/2 + 0.38*size, size: size, color: c})
}

func (l *layout) hline(x1, x2, y, width float64, c rgb) {
	l.add(op{kind: 'l', x: x1, y: y, x2: x2, y2: y, line: width, color: c})
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
)

// flow places n lines of height lh, calling line for each at l.y. The
// first two and the last two lines of a block stay together (three-line
// blocks whole), so no page starts or ends on a lone line; the last lines
// also keep l.tail points of what follows on their page.
func (l *layout) flow(n int, lh float64, line func(i int)) {
	keep := min(n, 2)
	if n == 3 {
		keep = 3
	}
	l.room(float64(keep) * lh)
	for i := range n {
		if i == max(n-2, 0) {
			l.room(float64(n-i)*lh + l.tail)
		}
		l.room(lh)
		line(i)
		l.y += lh
	}
}

// bar, when set, draws a rule left of every line: the frame of a notice
// that may run over a page break.
func (l *layout) para(s string, x, width, size float64, c rgb, a align, bar bool) {
	lh := size * leading
	lines := l.wrap(s, size, width)
	l.flow(len(lines), lh, func(i int) {
		ln, xx := lines[i], x
		switch a {
		case alignRight:
			xx = x + width - l.measure(ln)*size
		case alignCenter:
			xx = x + (width-l.measure(ln)*size)/2
		}
		l.text(ln, xx, l.y, size, c)
		if bar {
			l.add(op{kind: 'l', x: marginX, y: l.y, x2: marginX, y2: l.y + lh, line: 2, color: noticeC})
		}
	})
}

func (l *layout) kv(rows []kv, colon string, x, width float64) {
	size := sizeBody
	lh := size * leading
	lw := min(l.kvW, width/2)
	for _, r := range rows {
		lines := l.wrap(r.V, size, width-lw)
		l.flow(len(lines), lh, func(i int) {
			if i == 0 {
				l.text(r.K+colon, x, l.y, size, grey)
			}
			l.text(lines[i], x+lw, l.y, size, black)
		})
	}
}

func (l *layout) table(t *table) {
	size := sizeBody
	lh := size * leading
	cols := make([]float64, len(t.Head))
	for i := range cols {
		cols[i] = contentW / float64(len(cols))
		if i < len(t.Cols) {
			cols[i] = t.Cols[i] * contentW
		}
	}
	cells := func(row []string) ([][]string, float64) {
		out := make([][]string, len(cols))
		n := 1
		for i := range cols {
			if i < len(row) {
				out[i] = l.wrap(row[i], size, cols[i]-2*cellPadX)
			}
			n = max(n, len(out[i]))
		}
		return out, float64(n)*lh + 2*cellPadY
	}
	draw := func(cs [][]string, h float64, fill bool) {
		if fill {
			l.add(op{kind: 'r', x: marginX, y: l.y, x2: contentW, y2: h, color: headBg})
		}
		x := marginX
		for i, lines := range cs {
			for j, ln := range lines {
				xx := x + cellPadX
				if i < len(t.Right) && t.Right[i] {
					xx = x + cols[i] - cellPadX - l.measure(ln)*size
				}
				l.text(ln, xx, l.y+cellPadY+float64(j)*lh, size, black)
			}
			x += cols[i]
		}
		l.y += h
	}
	head, headH := cells(t.Head)
	header := func() {
		draw(head, headH, true)
		l.hline(marginX, marginX+contentW, l.y, 0.8, rule)
	}
	first := headH
	if len(t.Rows) > 0 {
		_, first = cells(t.Rows[0])
	}
	l.room(headH + first)
	header()
	for _, row := range t.Rows {
		cs, h := cells(row)
		if l.y+h > bottom && l.y > marginTop+headH {
			l.newPage()
			header()
		}
		draw(cs, h, false)
		l.hline(marginX, marginX+contentW, l.y, 0.5, light)
	}
	if t.Foot != nil {
		cs, h := cells(t.Foot)
		l.room(h)
		l.hline(marginX, marginX+contentW, l.y, 1.2, grey)
		draw(cs, h, false)
	}
}

// section lays out s; tail is the height its last lines must keep on their
// page (the signature, after the last section).
func (l *layout) section(s section, colon string, tail float64) {
	x, width := marginX, contentW
	if s.Notice {
		x, width = marginX+10, contentW-10
	}
	l.y += 8
	// Keep a heading with at least two lines of what it heads.
	l.room(sizeHeading*leading + 2*sizeBody*leading)
	l.para(s.Heading, x, width, sizeHeading, navy, alignLeft, s.Notice)
	l.y += 2
	if len(s.KV) > 0 {
		l.kv(s.KV, colon, x, width)
		l.y += 3
	}
	for i, p := range s.Paras {
		if i == len(s.Paras)-1 && s.Table == nil && len(s.List) == 0 {
			l.tail = tail
		}
		l.para(p, x, width, sizeBody, black, alignLeft, s.Notice)
		l.tail = 0
		l.y += 3
	}
	if s.Table != nil {
		l.table(s.Table)
		l.y += 3
	}
	indent := l.measure(fmt.Sprintf("%d. ", len(s.List)*10)) * sizeBody
	for i, item := range s.List {
		if i == len(s.List)-1 {
			l.tail = tail
		}
		lines := l.wrap(item, sizeBody, width-indent)
		l.flow(len(lines), sizeBody*leading, func(j int) {
			if j == 0 {
				l.text(fmt.Sprintf("%d.", i+1), x, l.y, sizeBody, black)
			}
			l.text(lines[j], x+indent, l.y, sizeBody, black)
		})
		l.tail = 0
		l.y += 2
	}
}

func (l *layout) letter(v view) {
	l.newPage()
	l.para(v.Title, marginX, contentW, sizeTitle, black, alignCenter, false)
	l.y += 6
	meta := make([]string, len(v.Meta))
	for i, m := range v.Meta {
		meta[i] = m.K + v.Colon + m.V
	}
	l.para(strings.Join(meta, "    "), marginX, contentW, sizeSmall, grey, alignLeft, false)
	l.y += 3
	l.hline(marginX, marginX+contentW, l.y, 0.8, rule)
	l.y += 10
	if v.Review != "" {
		l.para(v.Review, marginX, contentW, sizeBody, navy, alignLeft, false)
		l.y += 3
	}
	l.para(v.Greeting, marginX, contentW, sizeBody, black, alignLeft, false)
	l.y += 3
	l.para(v.Intro, marginX, contentW, sizeBody, black, alignLeft, false)
	for _, s := range v.Sections {
		for _, r := range s.KV {
			l.kvW = max(l.kvW, (l.measure(r.K+v.Colon)+1)*sizeBody)
		}
	}
	lh := sizeBody * leading
	// The signature must not stand on a page of its own: the last lines
	// of the letter come with it.
	sign := float64(len(v.Closing)+2)*lh + 36
	for i, s := range v.Sections {
		tail := 0.0
		if i == len(v.Sections)-1 {
			tail = sign
		}
		l.section(s, v.Colon, tail)
	}
	l.room(sign)
	l.y += 18
	for _, c := range v.Closing {
		l.para(c.K+v.Colon+c.V, marginX, contentW, sizeBody, black, alignLeft, false)
	}
	l.y += 18
	l.para(v.Insurer+v.Seal, marginX, contentW, sizeBody, black, alignRight, false)
	l.para(v.Date, marginX, contentW, sizeBody, black, alignRight, false)
}

// PDF renders the letter as an A4 PDF with the font embedded (subset to
// the glyphs used), so it prints identically wherever it is opened.
func PDF(d Data) ([]byte, error) {
	v, err := build(d)
	if err != nil {
		return nil, err
	}
	fc, err := parsedFont()
	if err != nil {
		return nil, fmt.Errorf("letter: font: %w", err)
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitPT})
	// No CreationDate: the same data gives the same bytes, which keeps
	// archived letters and their hashes reproducible.
	gp.SetInfo(gopdf.PdfInfo{Title: strings.TrimSpace(v.Title + " " + v.Letter), Author: v.Insurer, Creator: "anxin"})
	if err := gp.AddTTFFontFromFontContainer(fontFamily, fc); err != nil {
		return nil, fmt.Errorf("letter: font: %w", err)
	}
	if err := gp.SetFont(fontFamily, "", measureSize); err != nil {
		return nil, fmt.Errorf("letter: font: %w", err)
	}

	l := &layout{gp: gp, em: make(map[rune]float64, 256)}
	l.letter(v)

	// Footers are measured before drawing starts: drawing changes the font
	// size that measure relies on.
	n := len(l.pages)
	for i := range l.pages {
		footer := strings.TrimSpace(fmt.Sprintf(v.FooterFmt, v.Letter, i+1, n))
		fw := l.measure(footer) * sizeFooter
		l.pages[i] = append(l.pages[i], op{kind: 't', text: footer, x: (pageW - fw) / 2, y: pageH - 34, size: sizeFooter, color: grey})
	}
	if l.err != nil {
		return nil, l.err
	}
	for _, ops := range l.pages {
		gp.AddPage()
		for _, o := range ops {
			if err := draw(gp, o); err != nil {
				return nil, err
			}
		}
	}
	var b bytes.Buffer
	if _, err := gp.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("letter: write pdf: %w", err)
	}
	return b.Bytes(), nil
}

func draw(gp *gopdf.GoPdf, o op) error {
	switch o.kind {
	case 't':
		if err := gp.SetFontSize(o.size); err != nil {
			return err
		}
		gp.SetTextColor(o.color.r, o.color.g, o.color.b)
		gp.SetXY(o.x, o.y)
		if err := gp.Text(o.text); err != nil {
			return fmt.Errorf("letter: text %q: %w", o.text, err)
		}
	case 'l':
		gp.SetStrokeColor(o.color.r, o.color.g, o.color.b)
		gp.SetLineWidth(o.line)
		gp.Line(o.x, o.y, o.x2, o.y2)
	case 'r':
		gp.SetFillColor(o.color.r, o.color.g, o.color.b)
		gp.RectFromUpperLeftWithStyle(o.x, o.y, o.x2, o.y2, "F")
	}
	return nil
}
