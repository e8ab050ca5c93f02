// Package mailin brings email into anxin: Parse turns a raw message into an
// Inbound (text, threading headers, attachments), TicketNumber finds the
// ticket a reply belongs to, and Server is the SMTP listener the insurer's
// mail gateway relays customers' mail to.
//
// Mail is untrusted input from anyone on the internet: parsing never
// panics, is bounded in size, and is lenient where being strict would lose
// a customer's message (unknown charsets, sloppy encodings). Nothing here
// logs an address, a subject or a body.
package mailin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Inbound is one received message.
type Inbound struct {
	From     string // the sender's address, e.g. "li.na@example.cn"
	FromName string // the sender's display name, decoded; may be empty
	// To holds the addresses the message was delivered to: the envelope
	// recipients when Server received it, else the To and Cc headers.
	To      []string
	Subject string
	// Text is the body as plain text with "\n" line ends: the text/plain
	// parts, else the text/html parts with the markup removed.
	Text string
	// MessageID, InReplyTo and References keep their angle brackets, as
	// notify.Mail writes them: "<GD20261125000123.1a2b3c4d5e6f7a8b@anxin.local>".
	MessageID   string
	InReplyTo   string
	References  []string
	Attachments []Attachment
	// Auto is set for mail a machine sent (Auto-Submitted, Precedence:
	// bulk/junk/list/auto_reply, X-Autoreply, an empty return path):
	// answering it automatically risks a mail loop with an out-of-office
	// responder.
	Auto bool
	// Received is when Server accepted the message; Parse leaves it zero.
	Received time.Time
}

// Attachment is one attached file.
type Attachment struct {
	// Filename is a base name without directory parts or control
	// characters; it may be empty. Treat it as a label, not a path.
	Filename    string
	ContentType string // the media type, lower case, without parameters
	Data        []byte
}

// Limits.
const (
	// DefaultMaxBytes is Parse's size limit when it is given none; the
	// largest mail most providers accept is of this order.
	DefaultMaxBytes = 25 << 20
	// MaxAttachments is the most attachments a message may carry.
	MaxAttachments = 10
	// maxDepth and maxParts bound the MIME tree so that a crafted message
	// cannot make the parser recurse or loop without end.
	maxDepth = 10
	maxParts = 100
	// maxRefs keeps the newest References; a thread rarely needs more.
	maxRefs = 100
)

// Errors from Parse; wrapped, so test with errors.Is. Their text never
// quotes the message.
var (
	ErrTooLarge           = errors.New("mailin: message too large")
	ErrTooManyAttachments = fmt.Errorf("mailin: more than %d attachments", MaxAttachments)
	ErrMalformed          = errors.New("mailin: malformed message")
)

// Parse reads one RFC 5322 message of at most maxBytes bytes
// (DefaultMaxBytes when maxBytes is not positive).
func Parse(r io.Reader, maxBytes int64) (*Inbound, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("mailin: read message: %w", err)
	}
	if int64(len(raw)) > maxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, maxBytes)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		// The error would quote the offending header line.
		return nil, fmt.Errorf("%w: unreadable header section", ErrMalformed)
	}
	h := msg.Header
	in := &Inbound{
		Subject:   decodeHeader(h.Get("Subject")),
		MessageID: first(messageIDs(h.Get("Message-Id"))),
		InReplyTo: first(messageIDs(h.Get("In-Reply-To"))),
		Auto:      isAuto(h),
	}
	refs := messageIDs(strings.Join(h["References"], " "))
	if len(refs) > maxRefs {
		refs = refs[len(refs)-maxRefs:]
	}
	in.References = refs
	in.From, in.FromName = sender(h.Get("From"))
	for _, key := range []string{"To", "Cc"} {
		for _, v := range h[key] {
			in.To = append(in.To, addressList(v)...)
		}
	}
	p := &parser{in: in}
	if err := p.walk(textproto.MIMEHeader(h), msg.Body, 0); err != nil {
		return nil, err
	}
	switch {
	case len(p.plain) > 0:
		in.Text = strings.Join(p.plain, "\n\n")
	case len(p.html) > 0:
		in.Text = strings.Join(p.html, "\n\n")
	}
	return in, nil
}

// parser gathers the MIME tree's leaves.
type parser struct {
	in    *Inbound
	parts int
	plain []string
	html  []string
}

func (p *parser) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: multipart nested more than %d deep", ErrMalformed, maxDepth)
	}
	if p.parts++; p.parts > maxParts {
		return fmt.Errorf("%w: more than %d MIME parts", ErrMalformed, maxParts)
	}
	mediaType, params := parseMediaType(headerValue(h, "Content-Type"))
	if mediaType == "" {
		// RFC 2045 5.2: no (usable) Content-Type means plain text.
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		boundary := params["boundary"]
		if boundary == "" {
			return fmt.Errorf("%w: %s without a boundary", ErrMalformed, mediaType)
		}
		mr := multipart.NewReader(body, boundary)
		for {
			// NextRawPart: Content-Transfer-Encoding is decoded below,
			// leniently, for every part alike.
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("%w: broken %s", ErrMalformed, mediaType)
			}
			if err := p.walk(part.Header, part, depth+1); err != nil {
				return err
			}
		}
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%w: unreadable part", ErrMalformed)
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		data = decodeBase64(data)
	case "quoted-printable":
		data = decodeQP(data)
	}
	disposition, dparams := parseMediaType(headerValue(h, "Content-Disposition"))
	name := filename(h, dparams, params)
	if (mediaType == "text/plain" || mediaType == "text/html") && disposition != "attachment" && name == "" {
		text := normalizeText(decodeText(data, params["charset"]))
		if mediaType == "text/html" {
			if text = htmlText(text); text != "" {
				p.html = append(p.html, text)
			}
		} else if strings.TrimSpace(text) != "" {
			p.plain = append(p.plain, text)
		}
		return nil
	}
	if len(p.in.Attachments) == MaxAttachments {
		return ErrTooManyAttachments
	}
	p.in.Attachments = append(p.in.Attachments, Attachment{Filename: name, ContentType: mediaType, Data: data})
	return nil
}

// headerValue is a MIME header's value as UTF-8: raw 8-bit values that are
// not UTF-8 are read as GB18030 (see decodeHeader).
func headerValue(h textproto.MIMEHeader, key string) string {
	return headerUTF8(h.Get(key))
}

// parseMediaType is mime.ParseMediaType that does not give up: on a
// malformed value it keeps what precedes the first ';' and whatever
// parameters read cleanly.
func parseMediaType(v string) (string, map[string]string) {
	mediaType, params, err := mime.ParseMediaType(v)
	if err == nil {
		return mediaType, params
	}
	before, after, _ := strings.Cut(v, ";")
	mediaType = strings.ToLower(strings.TrimSpace(before))
	params = map[string]string{}
	for _, field := range splitParams(after) {
		k, val, ok := strings.Cut(field, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" || strings.Contains(k, "*") {
			continue
		}
		if _, dup := params[k]; !dup {
			params[k] = unquote(strings.TrimSpace(val))
		}
	}
	return mediaType, params
}

// splitParams splits "a=1; b=\"x;y\"" at the semicolons outside quotes.
func splitParams(s string) []string {
	var out []string
	var quoted, escaped bool
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escaped:
			escaped = false
		case c == '\\' && quoted:
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// filename finds an attachment's name: Content-Disposition's filename,
// else Content-Type's name, each in its RFC 2231 form (any charset) or
// plain; RFC 2047 encoded words inside the quotes, though not standard,
// are what many clients send.
func filename(h textproto.MIMEHeader, dparams, ctparams map[string]string) string {
	name := param(headerValue(h, "Content-Disposition"), "filename", dparams)
	if name == "" {
		name = param(headerValue(h, "Content-Type"), "name", ctparams)
	}
	name = decodeHeader(name)
	// Keep the last path element of either kind of separator, so that the
	// name can never point anywhere but at itself.
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	if name = strings.TrimSpace(name); name == "." || name == ".." {
		return ""
	}
	return name
}

// param returns parameter key of header value v, parsed into params. An
// RFC 2231 form is read by rfc2231 first: for charsets other than UTF-8
// mime.ParseMediaType drops it, or keeps only its unencoded pieces.
func param(v, key string, params map[string]string) string {
	if strings.Contains(asciiLower(v), key+"*") {
		if s := rfc2231(v, key); s != "" {
			return s
		}
	}
	return params[key]
}

// rfc2231 reads parameter key in its RFC 2231 extended form (key*=, or
// continued key*0*=, key*1=…) in any charset; mime.ParseMediaType handles
// only UTF-8 and US-ASCII ones and drops the rest.
func rfc2231(v, key string) string {
	pieces := map[int]string{}
	encoded := map[int]bool{}
	for _, field := range splitParams(v) {
		k, val, ok := strings.Cut(field, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		rest, isKey := strings.CutPrefix(k, key+"*")
		if !ok || !isKey {
			continue
		}
		n, enc := 0, false
		switch {
		case rest == "":
			enc = true
		default:
			rest, enc = strings.CutSuffix(rest, "*")
			if len(rest) == 0 || len(rest) > 2 || strings.Trim(rest, "0123456789") != "" {
				continue
			}
			n = int(rest[0] - '0')
			if len(rest) == 2 {
				n = n*10 + int(rest[1]-'0')
			}
		}
		pieces[n] = unquote(strings.TrimSpace(val))
		encoded[n] = enc
	}
	first, ok := pieces[0]
	if !ok {
		return ""
	}
	charset := ""
	if encoded[0] {
		// charset'language'value
		parts := strings.SplitN(first, "'", 3)
		if len(parts) != 3 {
			return ""
		}
		charset, pieces[0] = parts[0], parts[2]
	}
	var b []byte
	for n := 0; ; n++ {
		piece, ok := pieces[n]
		if !ok {
			break
		}
		if encoded[n] {
			b = append(b, percentDecode(piece)...)
		} else {
			b = append(b, piece...)
		}
	}
	return decodeText(b, charset)
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// sender reads the From header: the first address, leniently.
func sender(v string) (addr, name string) {
	parser := mail.AddressParser{WordDecoder: wordDecoder}
	if as, err := parser.ParseList(headerUTF8(v)); err == nil && len(as) > 0 {
		return as[0].Address, cleanLine(as[0].Name)
	}
	if list := addressList(v); len(list) > 0 {
		return list[0], ""
	}
	return "", ""
}

// addressList reads the addresses in an address header. A header net/mail
// rejects still yields the <…> or bare addr@domain tokens in it, since a
// sloppy header should not cost the sender their reply.
func addressList(v string) []string {
	parser := mail.AddressParser{WordDecoder: wordDecoder}
	if as, err := parser.ParseList(headerUTF8(v)); err == nil {
		out := make([]string, 0, len(as))
		for _, a := range as {
			out = append(out, a.Address)
		}
		return out
	}
	var out []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '<' || r == '>' || r == '"'
	}) {
		if at := strings.LastIndexByte(f, '@'); at > 0 && at < len(f)-1 && isASCII(f) && !strings.ContainsAny(f, "()[]\\") {
			out = append(out, f)
		}
	}
	return out
}

// headerUTF8 reads a raw 8-bit header that is not UTF-8 as GB18030 so that
// net/mail, which insists on UTF-8, can parse it.
func headerUTF8(v string) string {
	if isASCII(v) {
		return v
	}
	return decodeText([]byte(v), "")
}

// messageIDs returns the <…> message ids in a header, in order. A value
// without brackets but with an '@' is taken whole, as some clients write
// In-Reply-To that way.
func messageIDs(v string) []string {
	var out []string
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		id := rest[i+1 : i+j]
		rest = rest[i+j+1:]
		if id != "" && isASCII(id) && !strings.ContainsAny(id, " \t\r\n<") {
			out = append(out, "<"+id+">")
		}
	}
	if len(out) == 0 {
		v = strings.TrimSpace(v)
		if strings.Contains(v, "@") && isASCII(v) && !strings.ContainsAny(v, " \t\r\n<>") {
			out = append(out, "<"+v+">")
		}
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// isAuto reports the marks of machine-sent mail (RFC 3834 and custom).
func isAuto(h mail.Header) bool {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return true
	}
	if h.Get("X-Autoreply") != "" || h.Get("X-Autorespond") != "" {
		return true
	}
	// A bounce has an empty return path.
	return strings.TrimSpace(h.Get("Return-Path")) == "<>"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
