package mailin

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// lookupCharset returns the decoder for a MIME charset label, nil for
// UTF-8 and its subset US-ASCII, and ok false for a label nobody knows.
//
// Every GB label decodes as GB18030: it is a superset of GBK, which is a
// superset of GB2312, and mailers routinely label GBK text "gb2312".
func lookupCharset(label string) (enc encoding.Encoding, ok bool) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	// RFC 2231 allows a language after the charset in encoded words:
	// =?gb2312*zh?B?…?=.
	label, _, _ = strings.Cut(label, "*")
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968":
		return nil, true
	case "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "windows-936", "ms936",
		"euc-cn", "x-euc-cn", "csgb2312", "gb_2312-80", "chinese":
		return simplifiedchinese.GB18030, true
	case "hz-gb-2312":
		return simplifiedchinese.HZGB2312, true
	case "big5", "big5-hkscs", "x-big5", "cn-big5", "csbig5", "cp950", "windows-950":
		return traditionalchinese.Big5, true
	}
	// The WHATWG table knows the rest (ISO-8859-*, windows-125*, Shift_JIS,
	// EUC-KR…) under the labels mail clients use too.
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, false
	}
	return enc, true
}

// decodeText turns a part's bytes into valid UTF-8. A missing or unknown
// charset on bytes that are not UTF-8 is read as GB18030: that is what
// mainland mailers that forget the label send. Invalid sequences become
// U+FFFD rather than an error, because rejecting a customer's mail over one
// bad byte loses more than it protects.
func decodeText(b []byte, charset string) string {
	enc, known := lookupCharset(charset)
	if enc == nil && utf8.Valid(b) {
		return string(b)
	}
	if enc == nil {
		label := strings.ToLower(strings.TrimSpace(charset))
		if known && strings.HasPrefix(label, "utf") {
			// Declared UTF-8 but broken: guessing another charset would
			// garble the good parts.
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		enc = simplifiedchinese.GB18030
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// charsetReader serves mime.WordDecoder. An unknown charset passes its
// bytes through (to be made valid UTF-8 later) instead of failing the
// whole header.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	enc, _ := lookupCharset(label)
	if enc == nil {
		return r, nil
	}
	return enc.NewDecoder().Reader(r), nil
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeHeader decodes RFC 2047 encoded words and, for raw 8-bit headers
// that are not UTF-8 (common from older Chinese clients), GB18030. The
// result is valid UTF-8 without control characters, since header values
// end up in subjects, names and file names shown to staff.
func decodeHeader(v string) string {
	if !utf8.ValidString(v) {
		v = decodeText([]byte(v), "")
	}
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		v = d
	}
	return cleanLine(v)
}

// cleanLine makes s valid UTF-8 on one line: control characters become
// spaces, runs of spaces become one, and the ends are trimmed.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// normalizeText gives text "\n" line ends and no byte-order mark or NULs.
func normalizeText(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\x00", "")
}

// decodeQP decodes quoted-printable leniently: a malformed escape stays as
// written instead of failing the part (mime/quotedprintable gives up on
// the first one, and such parts are common enough).
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		line, rest, eol := bytes.Cut(b, []byte{'\n'})
		b = rest
		// Blanks at a line's end were added in transit (RFC 2045 6.7).
		line = bytes.TrimRight(line, " \t\r")
		soft := false
		for i := 0; i < len(line); i++ {
			switch {
			case line[i] != '=':
				out = append(out, line[i])
			case i == len(line)-1:
				soft = true // a final "=" joins the next line
			case i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]):
				out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
				i += 2
			default:
				out = append(out, '=')
			}
		}
		if eol && !soft {
			out = append(out, '\r', '\n')
		}
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// decodeBase64 decodes base64 leniently: line breaks, stray characters and
// missing or early padding are ignored, and a trailing partial group is
// dropped.
func decodeBase64(b []byte) []byte {
	clean := make([]byte, 0, len(b))
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out := make([]byte, len(clean)*3/4)
	n, _ := base64.RawStdEncoding.Decode(out, clean)
	return out[:n]
}
