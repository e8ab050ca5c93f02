package mailin

import (
	"html"
	"strings"
)

// htmlText reduces an HTML mail body to the text a reader would see: tags
// dropped, entities decoded, scripts, styles and the head skipped, and
// block elements turned into line breaks. It is for reading a reply, not
// for rendering; nothing of the markup survives, so nothing of it can run
// in the console.
func htmlText(src string) string {
	lower := asciiLower(src)
	var b strings.Builder
	for i := 0; i < len(src); {
		if src[i] != '<' {
			j := strings.IndexByte(src[i:], '<')
			if j < 0 {
				j = len(src) - i
			}
			// Line breaks in HTML source are just spaces.
			b.WriteString(strings.Map(func(r rune) rune {
				if r == '\n' || r == '\r' || r == '\t' {
					return ' '
				}
				return r
			}, html.UnescapeString(src[i:i+j])))
			i += j
			continue
		}
		if strings.HasPrefix(src[i:], "<!--") {
			end := strings.Index(src[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		if i+1 == len(src) || !isTagStart(src[i+1]) {
			// "a < b" is text, as browsers read it.
			b.WriteByte('<')
			i++
			continue
		}
		end := tagEnd(src, i)
		name, closing := tagName(lower[i+1 : end])
		i = end
		switch name {
		case "script", "style", "head", "title", "template", "noscript":
			if closing {
				continue
			}
			// Skip the element's content up to its end tag.
			j := strings.Index(lower[i:], "</"+name)
			if j < 0 {
				i = len(src)
			} else {
				i = tagEnd(src, i+j)
			}
		case "br":
			b.WriteByte('\n')
		case "p", "div", "tr", "li", "ul", "ol", "table", "blockquote", "hr",
			"h1", "h2", "h3", "h4", "h5", "h6", "pre", "section", "article", "header", "footer":
			// A block starts on its own line; </p><p> is one break, not two.
			if str := b.String(); str != "" && str[len(str)-1] != '\n' {
				b.WriteByte('\n')
			}
		case "td", "th":
			b.WriteByte(' ')
		}
	}
	return tidyLines(b.String())
}

func isTagStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// tagEnd returns the index just past the '>' closing the tag that starts
// at i, skipping quoted attribute values; len(s) if it never closes.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j + 1
		}
	}
	return len(s)
}

// tagName reads the element name at the start of a tag's inside (already
// lower case), and whether it is an end tag.
func tagName(s string) (name string, closing bool) {
	if strings.HasPrefix(s, "/") {
		s, closing = s[1:], true
	}
	n := 0
	for n < len(s) && ('a' <= s[n] && s[n] <= 'z' || '0' <= s[n] && s[n] <= '9') {
		n++
	}
	return s[:n], closing
}

// asciiLower lowers ASCII letters only, so that indexes into the result
// are indexes into s (strings.ToLower may change lengths).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// tidyLines collapses blanks within lines, trims them, and keeps at most
// one empty line between paragraphs.
func tidyLines(s string) string {
	var out []string
	blank := true // drops leading empty lines
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, line)
		blank = false
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}
