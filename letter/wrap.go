package letter

import (
	"strings"
	"unicode"
)

// Line breaking follows the habits of Chinese typesetting rather than
// gopdf's SplitText, which breaks inside English words and lets a comma
// start a line: CJK text may break between any two characters, Latin text
// and numbers (an amount such as ¥1,234.56) only at spaces, and closing
// punctuation stays with what it closes (避头尾).

// noBreakBefore never starts a line.
const noBreakBefore = "，。、；：？！）》」』】〉〕”’…·%‰,.;:?!)]}"

// noBreakAfter never ends a line: opening brackets and currency signs
// belong to what follows them.
const noBreakAfter = "（《「『【〈〔“‘([{¥￥$"

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK symbols and punctuation
		(r >= 0xFF00 && r <= 0xFFEF) // full-width forms
}

func canBreak(a, b rune) bool {
	sa, sb := unicode.IsSpace(a), unicode.IsSpace(b)
	if sa != sb {
		return true
	}
	if sa {
		return false
	}
	if strings.ContainsRune(noBreakBefore, b) || strings.ContainsRune(noBreakAfter, a) {
		return false
	}
	return isCJK(a) || isCJK(b)
}

// tokens cuts s at every allowed break; a run of spaces is a token of its
// own so that it can be dropped at the end or start of a line.
func tokens(s string) []string {
	var toks []string
	start, prev := 0, rune(-1)
	for i, r := range s {
		if prev >= 0 && canBreak(prev, r) {
			toks = append(toks, s[start:i])
			start = i
		}
		prev = r
	}
	if start < len(s) {
		toks = append(toks, s[start:])
	}
	return toks
}

// clean drops what a PDF text operator cannot show: tabs become spaces and
// other control characters, which would otherwise print as boxes, go.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n"))
}

// wrap breaks s into lines no wider than width at the given size; measure
// returns a string's width at 1 pt.
func wrap(s string, size, width float64, measure func(string) float64) []string {
	var lines []string
	for _, para := range strings.Split(clean(s), "\n") {
		lines = append(lines, wrapLine(para, size, width, measure)...)
	}
	return lines
}

func wrapLine(s string, size, width float64, measure func(string) float64) []string {
	var (
		lines []string
		cur   strings.Builder
		curW  float64
	)
	flush := func() {
		lines = append(lines, strings.TrimRightFunc(cur.String(), unicode.IsSpace))
		cur.Reset()
		curW = 0
	}
	for _, tk := range tokens(s) {
		w := measure(tk) * size
		if strings.TrimSpace(tk) == "" {
			if cur.Len() > 0 {
				cur.WriteString(tk)
				curW += w
			}
			continue
		}
		if curW+w > width && cur.Len() > 0 {
			flush()
		}
		if w > width {
			// A word wider than the line has no good break; cut it by
			// character rather than run off the page.
			for _, r := range tk {
				rw := measure(string(r)) * size
				if curW+rw > width && cur.Len() > 0 {
					flush()
				}
				cur.WriteRune(r)
				curW += rw
			}
			continue
		}
		cur.WriteString(tk)
		curW += w
	}
	if cur.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}
