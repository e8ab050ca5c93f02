package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Mail is one plain-text email. Addresses are "addr@domain" or
// "名字 <addr@domain>"; message ids keep their angle brackets.
type Mail struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	Text    string   `json:"text"`
	// MessageID identifies the mail; "" gets a random one at Send. Mail
	// about a ticket uses mailin.MessageIDFor(number), so that replies can
	// be matched to the ticket.
	MessageID  string   `json:"message_id"`
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
}

// Mailer sends email. Errors never quote an address, the subject or the
// text, so callers may log them.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// NewMailer returns the driver rawURL names:
//
//	"" or "file:"   append to <dataDir>/outbox/mail.jsonl (development, demos, tests)
//	"file:PATH"     append to PATH
//	"smtp://[user:pass@]host:port[?from=addr][&starttls=auto|off|require]"
//	                SMTP, upgraded with STARTTLS when the server offers it (auto),
//	                never (off, e.g. a relay on localhost) or else failing (require)
//	"smtps://[user:pass@]host:port[?from=addr]"
//	                SMTP over TLS from the first byte (port 465)
//
// from is the sender for mail whose From is empty.
func NewMailer(rawURL, dataDir string) (Mailer, error) {
	switch {
	case rawURL == "" || rawURL == "file:":
		return &MailOutbox{Path: filepath.Join(dataDir, "outbox", "mail.jsonl")}, nil
	case strings.HasPrefix(rawURL, "file:"):
		return &MailOutbox{Path: strings.TrimPrefix(rawURL, "file:")}, nil
	case strings.HasPrefix(rawURL, "smtp://"), strings.HasPrefix(rawURL, "smtps://"):
		return newSMTP(rawURL)
	}
	return nil, fmt.Errorf("mail server %q: use an smtp:// or smtps:// URL, or file: for the outbox file", Redact(rawURL))
}

func newSMTP(rawURL string) (*SMTP, error) {
	bad := func(why string) error {
		return fmt.Errorf("mail server %q: %s", Redact(rawURL), why)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("mail server URL is not a valid URL")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" || port == "" {
		return nil, bad("needs host:port")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, bad("takes no path")
	}
	s := &SMTP{Addr: u.Host, ImplicitTLS: u.Scheme == "smtps"}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("malformed query")
	}
	for k, v := range q {
		switch k {
		case "from":
			a, err := mail.ParseAddress(v[0])
			if err != nil {
				return nil, bad("from= is not an email address")
			}
			s.From = a.String()
		case "starttls":
			if s.ImplicitTLS {
				return nil, bad("starttls= is for smtp://; smtps:// is TLS throughout")
			}
			switch v[0] {
			case "", "auto":
				s.StartTLS = StartTLSAuto
			case "off":
				s.StartTLS = StartTLSOff
			case "require":
				s.StartTLS = StartTLSRequire
			default:
				return nil, bad("starttls= takes auto, off or require")
			}
		default:
			// A misspelt from= would otherwise surface only at the first send.
			return nil, bad(fmt.Sprintf("unknown parameter %q (from, starttls)", k))
		}
	}
	return s, nil
}

// DescribeMailer names a driver for start-up logs without anything secret.
func DescribeMailer(m Mailer) string {
	switch d := m.(type) {
	case *MailOutbox:
		return "outbox file " + d.Path
	case *SMTP:
		return d.describe()
	}
	return fmt.Sprintf("%T", m)
}

// newMessageID returns "<32 hex digits@anxin.local>": random, so that ids
// from several nodes never collide.
func newMessageID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails; it panics if the system has no randomness
	return "<" + hex.EncodeToString(b[:]) + "@anxin.local>"
}

var msgIDPattern = regexp.MustCompile(`^<[!-;=?-~]+@[!-;=?-~]+>$`) // printable ASCII without < > or space

// check rejects mail that would be sent wrongly or not at all. Its errors
// name the field, not the value.
func (m Mail) check() error {
	if m.From == "" {
		return errors.New("mail has no sender")
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return errors.New("mail sender is not an email address")
	}
	if len(m.To) == 0 {
		return errors.New("mail has no recipient")
	}
	for i, to := range m.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return fmt.Errorf("mail recipient %d is not an email address", i+1)
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return errors.New("mail subject holds a line break")
	}
	if !utf8.ValidString(m.Subject) || !utf8.ValidString(m.Text) {
		return errors.New("mail subject or text is not UTF-8")
	}
	ids := append([]string{m.MessageID}, m.References...)
	if m.InReplyTo != "" {
		ids = append(ids, m.InReplyTo)
	}
	for _, id := range ids {
		if !msgIDPattern.MatchString(id) {
			return errors.New("mail has a malformed message id (want <local@domain>)")
		}
	}
	return nil
}

// Bytes returns the message as sent (RFC 5322, CRLF line ends), dated now:
// UTF-8 text in base64, so that neither Chinese nor long lines meet a
// relay that mangles 8-bit data, and a subject in RFC 2047 encoded words
// when it is not plain ASCII. Header values lose any line break, so a
// value cannot add a header.
func (m Mail) Bytes(now time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) {
		b.WriteString(k)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteString("\r\n")
	}
	header("From", address(m.From))
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = address(a)
	}
	header("To", strings.Join(to, ",\r\n "))
	header("Subject", subject(m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	id := m.MessageID
	if id == "" {
		id = newMessageID()
	}
	header("Message-ID", oneLine(id))
	if m.InReplyTo != "" {
		header("In-Reply-To", oneLine(m.InReplyTo))
	}
	if len(m.References) > 0 {
		refs := make([]string, len(m.References))
		for i, r := range m.References {
			refs[i] = oneLine(r)
		}
		header("References", strings.Join(refs, "\r\n "))
	}
	// Our mail is sent by a program: RFC 3834 asks responders not to
	// answer it automatically, which keeps out-of-office replies from
	// coming back as customer mail.
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	body := base64.StdEncoding.EncodeToString([]byte(crlf(m.Text)))
	for len(body) > 76 {
		b.WriteString(body[:76])
		b.WriteString("\r\n")
		body = body[76:]
	}
	if body != "" {
		b.WriteString(body)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// address formats one address for a header. A display name that is not
// plain ASCII becomes encoded words; the address goes on a line of its own
// when the name leaves no room for it. A value that does not parse is
// written as it is, on one line (check refuses it before sending).
func address(v string) string {
	a, err := mail.ParseAddress(v)
	if err != nil {
		return oneLine(v)
	}
	if isPlain(a.Name) {
		return a.String()
	}
	name := encodeWords(a.Name)
	last := name[strings.LastIndex(name, "\n")+1:]
	if len(last)+len(a.Address)+3 > 76 {
		return name + "\r\n <" + a.Address + ">"
	}
	return name + " <" + a.Address + ">"
}

// subject encodes s in encoded words when it is not printable ASCII, and
// folds it so that no line grows long.
func subject(s string) string {
	s = oneLine(s)
	if isPlain(s) {
		return fold(s, 78-len("Subject: "))
	}
	return encodeWords(s)
}

// encodeWords writes s as RFC 2047 B-encoded words of at most 64
// characters, one per line: with "Subject: " in front the first line still
// stays within 78, and readers join adjacent encoded words without a
// space (RFC 2047 6.2). Words split between characters, never inside one.
func encodeWords(s string) string {
	const chunk = 39 // bytes of UTF-8: 52 of base64 plus 12 of framing
	var words []string
	for s != "" {
		n := min(len(s), chunk)
		for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		if n == 0 { // not UTF-8: split anywhere rather than loop
			n = min(len(s), chunk)
		}
		words = append(words, mime.BEncoding.Encode("UTF-8", s[:n]))
		s = s[n:]
	}
	return strings.Join(words, "\r\n ")
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// fold breaks s at spaces so that lines stay near width; unfolding (RFC
// 5322 2.2.3) gives s back.
func fold(s string, width int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Split(s, " ") {
		if i > 0 {
			if line+1+len(word) > width && line > 0 {
				b.WriteString("\r\n")
				line = 0
			}
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}

func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// OutboxMail is one line of the mail outbox file.
type OutboxMail struct {
	At time.Time `json:"at"`
	Mail
}

// MailOutbox appends each mail as one JSON line to a file instead of
// sending it, like Outbox does for SMS: for development, demos and tests
// that read what would have been sent. The file holds addresses and
// texts, so it is readable by its owner only.
type MailOutbox struct {
	Path string
	// Now stamps mail; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex // orders this process's appends
}

// Send checks the mail as the SMTP driver would, gives it a MessageID if it
// has none, and appends it. An empty From is allowed: the outbox has no
// configured sender to fall back on.
func (o *MailOutbox) Send(ctx context.Context, m Mail) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.MessageID == "" {
		m.MessageID = newMessageID()
	}
	probe := m
	if probe.From == "" {
		probe.From = "sender@anxin.local"
	}
	if err := probe.check(); err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	line, err := json.Marshal(OutboxMail{At: now().UTC(), Mail: m})
	if err != nil {
		return err
	}
	line = append(line, '\n')
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	f, err := os.OpenFile(o.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("mail outbox: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("mail outbox: %w", err)
	}
	return f.Close()
}

// ReadMailOutbox returns every mail in an outbox file, oldest first; a
// missing file holds none.
func ReadMailOutbox(path string) ([]OutboxMail, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []OutboxMail
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var m OutboxMail
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("mail outbox %s: %w", path, err)
		}
		out = append(out, m)
	}
}

// StartTLS says when a smtp:// connection is upgraded to TLS.
type StartTLS int

const (
	StartTLSAuto    StartTLS = iota // when the server offers it
	StartTLSOff                     // never: a relay on localhost without TLS
	StartTLSRequire                 // or fail, rather than send in the clear
)

// SMTPTimeout bounds one Send when the caller's context allows longer.
const SMTPTimeout = 60 * time.Second

// SMTP sends each mail over its own connection to a relay. Notices are
// few and a connection per mail keeps no state to go stale between them.
type SMTP struct {
	Addr               string // host:port
	Username, Password string // for AUTH PLAIN, only ever over TLS or to localhost
	From               string // the sender for mail without one
	ImplicitTLS        bool   // smtps: TLS from the first byte
	StartTLS           StartTLS
	// TLSConfig verifies the server; nil means the system's roots for the
	// host in Addr. Tests set one that trusts their own certificate.
	TLSConfig *tls.Config
	// Now dates mail; nil means time.Now.
	Now func() time.Time
}

func (s *SMTP) describe() string {
	d := "smtp server " + s.Addr
	switch {
	case s.ImplicitTLS:
		d = "smtps server " + s.Addr
	case s.StartTLS == StartTLSOff:
		d += " without TLS"
	case s.StartTLS == StartTLSRequire:
		d += " with STARTTLS required"
	default:
		d += " with STARTTLS when offered"
	}
	if s.Username != "" {
		d += ", authenticated"
	}
	return d
}

// SMTPError is a refusal from the mail server. It keeps the reply codes
// but not the server's text, which often repeats the address.
type SMTPError struct {
	Step     string // the command refused: "MAIL", "RCPT", "DATA"…
	Code     int    // e.g. 550
	Enhanced string // e.g. "5.1.1"; "" if the server sent none
}

func (e *SMTPError) Error() string {
	s := fmt.Sprintf("%s refused: %d", e.Step, e.Code)
	if e.Enhanced != "" {
		s += " " + e.Enhanced
	}
	return s
}

// Temporary reports a 4xx refusal: the same mail may go through later.
func (e *SMTPError) Temporary() bool { return e.Code/100 == 4 }

var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// Send delivers m. It fills in From from the driver and a MessageID if
// missing; errors wrap *SMTPError when the server refused.
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	if m.From == "" {
		m.From = s.From
	}
	if m.MessageID == "" {
		m.MessageID = newMessageID()
	}
	if err := m.check(); err != nil {
		return err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if err := s.send(ctx, m, m.Bytes(now())); err != nil {
		return fmt.Errorf("mail server %s: %w", s.Addr, err)
	}
	return nil
}

func (s *SMTP) send(ctx context.Context, m Mail, msg []byte) (err error) {
	host, _, _ := net.SplitHostPort(s.Addr)
	ctx, cancel := context.WithTimeout(ctx, SMTPTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	// net/smtp knows no context: when ctx ends (SMTPTimeout at the
	// latest), the connection is closed under whatever step is waiting.
	raw := conn
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = ctx.Err() // the real reason the step failed
		}
	}()
	cfg := s.tlsConfig(host)
	if s.ImplicitTLS {
		conn = tls.Client(conn, cfg)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return refusal("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(helloName(m.From)); err != nil {
		return refusal("EHLO", err)
	}
	if !s.ImplicitTLS && s.StartTLS != StartTLSOff {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(cfg); err != nil {
				return refusal("STARTTLS", err)
			}
		} else if s.StartTLS == StartTLSRequire {
			return errors.New("server does not offer STARTTLS (starttls=require)")
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("server does not offer AUTH")
		}
		// PlainAuth refuses to send the password in the clear to any host
		// but localhost.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return refusal("AUTH", err)
		}
	}
	from, _ := mail.ParseAddress(m.From)
	if err := c.Mail(from.Address); err != nil {
		return refusal("MAIL", err)
	}
	for _, to := range m.To {
		a, _ := mail.ParseAddress(to)
		if err := c.Rcpt(a.Address); err != nil {
			return refusal("RCPT", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return refusal("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return refusal("DATA", err)
	}
	if err := w.Close(); err != nil {
		return refusal("DATA", err)
	}
	// The mail is accepted; a failed QUIT changes nothing.
	c.Quit()
	return nil
}

func (s *SMTP) tlsConfig(host string) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return cfg
}

// refusal turns a server's reply into an *SMTPError without its text.
// Other errors (network, TLS) pass as they are.
func refusal(step string, err error) error {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return fmt.Errorf("%s: %w", step, err)
	}
	return &SMTPError{Step: step, Code: te.Code, Enhanced: enhancedCode.FindString(te.Msg)}
}

// helloName is the name we greet the server with: the sender's domain,
// which a relay can match against its DNS, or "localhost".
func helloName(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "localhost"
	}
	_, domain, ok := strings.Cut(a.Address, "@")
	if !ok || domain == "" || !isHostname(domain) {
		return "localhost"
	}
	return domain
}

func isHostname(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
