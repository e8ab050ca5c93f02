package notify

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-insure/anxin/mailin"
	"github.com/anxin-insure/anxin/mailin/mailtest"
)

var mailAt = time.Date(2026, 11, 25, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))

// notice is a ticket notice as the service sends it.
func notice() Mail {
	return Mail{
		From:       "安心保险客服 <service@anxin.example>",
		To:         []string{"李娜 <li.na@example.cn>", "agent@example.cn"},
		Subject:    "[GD20261125000123] 您的咨询已受理：关于保单 P2026000123 的退保申请，我们将在三个工作日内答复",
		Text:       "李女士您好：\n\n您的咨询已受理，工单号 GD20261125000123。\r\n如有疑问请直接回复本邮件。\n\n" + strings.Repeat("安心保险，安心生活。", 20),
		MessageID:  mailin.MessageIDFor("GD20261125000123"),
		InReplyTo:  "<20261125091500.1234@example.cn>",
		References: []string{"<20261125091500.1234@example.cn>"},
	}
}

func TestNewMailer(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		url     string
		want    string // DescribeMailer, or "" for an error
		wantErr string
	}{
		{"", "outbox file " + filepath.Join(dir, "outbox", "mail.jsonl"), ""},
		{"file:", "outbox file " + filepath.Join(dir, "outbox", "mail.jsonl"), ""},
		{"file:/tmp/m.jsonl", "outbox file /tmp/m.jsonl", ""},
		{"smtp://relay.anxin.example:587?from=service@anxin.example", "smtp server relay.anxin.example:587 with STARTTLS when offered", ""},
		{"smtp://user:s3cret@relay.anxin.example:587?starttls=require", "smtp server relay.anxin.example:587 with STARTTLS required, authenticated", ""},
		{"smtp://127.0.0.1:25?starttls=off", "smtp server 127.0.0.1:25 without TLS", ""},
		{"smtps://user:s3cret@smtp.exmail.qq.com:465?from=%E5%AE%89%E5%BF%83%20%3Cservice@anxin.example%3E", "smtps server smtp.exmail.qq.com:465, authenticated", ""},
		{"smtp://relay.anxin.example", "", "host:port"},
		{"smtp://relay.anxin.example:587?form=x@y.cn", "", "unknown parameter"},
		{"smtp://relay.anxin.example:587?from=nobody", "", "not an email address"},
		{"smtp://relay.anxin.example:587?starttls=maybe", "", "auto, off or require"},
		{"smtps://relay.anxin.example:465?starttls=off", "", "smtps"},
		{"smtp://u:s3cret@relay.anxin.example:587/x", "", "no path"},
		{"mailto:service@anxin.example", "", "smtp://"},
	} {
		m, err := NewMailer(tc.url, dir)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NewMailer(%q): error %v, want one containing %q", tc.url, err, tc.wantErr)
			} else if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("NewMailer(%q): error %q leaks the password", tc.url, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewMailer(%q): %v", tc.url, err)
			continue
		}
		if got := DescribeMailer(m); got != tc.want {
			t.Errorf("NewMailer(%q) is %q, want %q", tc.url, got, tc.want)
		}
	}
}

// The wire form: headers a mail client needs, a subject in encoded words,
// the text in base64 lines of 76, CRLF everywhere.
func TestMailBytes(t *testing.T) {
	m := notice()
	raw := m.Bytes(mailAt)
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a bare LF in the message")
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d is %d long: %q", i+1, len(line), line)
		}
		for _, r := range line {
			if r >= 0x80 {
				t.Errorf("line %d is not ASCII: %q", i+1, line)
				break
			}
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", subject, err, m.Subject)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "安心保险客服" || from[0].Address != "service@anxin.example" {
		t.Errorf("From %q: %v %v", h.Get("From"), from, err)
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "李娜" || to[1].Address != "agent@example.cn" {
		t.Errorf("To %q: %v %v", h.Get("To"), to, err)
	}
	for k, want := range map[string]string{
		"Date":                      "Wed, 25 Nov 2026 10:30:00 +0800",
		"Message-Id":                m.MessageID,
		"In-Reply-To":               m.InReplyTo,
		"References":                m.References[0],
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=UTF-8",
		"Content-Transfer-Encoding": "base64",
		"Auto-Submitted":            "auto-generated",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(mailAt) {
		t.Errorf("Date %v %v", d, err)
	}

	// A header value cannot smuggle in a header.
	evil := Mail{From: "a@example.cn", To: []string{"b@example.cn"}, Subject: "hi\r\nBcc: c@example.cn", MessageID: "<x@y>\r\nBcc: c@example.cn"}
	if raw := string(evil.Bytes(mailAt)); strings.Contains(raw, "\r\nBcc:") {
		t.Errorf("header injection:\n%s", raw)
	}
	// No MessageID: a random one.
	id := regexp.MustCompile(`(?m)^Message-ID: <[0-9a-f]{32}@anxin\.local>\r$`)
	if raw := (Mail{From: "a@example.cn", To: []string{"b@example.cn"}}).Bytes(mailAt); !id.Match(raw) {
		t.Errorf("no generated Message-ID in\n%s", raw)
	}
}

// The real path: NewMailer("smtp://…") to an SMTP server, then what
// arrived, read back by mailin.
func TestSMTPSend(t *testing.T) {
	sink := mailtest.Start(t)
	mailer, err := NewMailer("smtp://"+sink.Addr()+"?from=service@anxin.example", "")
	if err != nil {
		t.Fatal(err)
	}
	mailer.(*SMTP).Now = func() time.Time { return mailAt }
	m := notice()
	if err := mailer.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := sink.WaitFor(t, 5*time.Second, nil)
	if got.From != "service@anxin.example" || !slices.Equal(got.To, []string{"li.na@example.cn", "agent@example.cn"}) {
		t.Errorf("envelope %q → %q", got.From, got.To)
	}
	if got.TLS || got.User != "" {
		t.Errorf("TLS %v, user %q on a plain sink", got.TLS, got.User)
	}
	in := got.Parsed
	if in == nil {
		t.Fatalf("unparsable: %v\n%s", got.ParseErr, got.Data)
	}
	want := strings.ReplaceAll(m.Text, "\r\n", "\n")
	for _, c := range []struct{ field, got, want string }{
		{"Subject", in.Subject, m.Subject},
		{"Text", in.Text, want},
		{"From", in.From, "service@anxin.example"},
		{"FromName", in.FromName, "安心保险客服"},
		{"MessageID", in.MessageID, m.MessageID},
		{"InReplyTo", in.InReplyTo, m.InReplyTo},
		{"References", strings.Join(in.References, " "), m.References[0]},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if mailin.TicketNumber(in) != "GD20261125000123" {
		t.Errorf("the notice belongs to ticket %q", mailin.TicketNumber(in))
	}
	// A customer's reply to the notice finds its way back to the ticket,
	// whatever they do to the subject.
	reply := &mailin.Inbound{Subject: "Re: 谢谢", InReplyTo: in.MessageID}
	if mailin.TicketNumber(reply) != "GD20261125000123" {
		t.Errorf("the reply belongs to ticket %q", mailin.TicketNumber(reply))
	}

	// The default sender applies only when the mail has none.
	m2 := Mail{To: []string{"x@example.cn"}, Subject: "test", Text: "x"}
	if err := mailer.Send(context.Background(), m2); err != nil {
		t.Fatal(err)
	}
	got = sink.WaitFor(t, 5*time.Second, func(m mailtest.Message) bool { return m.To[0] == "x@example.cn" })
	if got.From != "service@anxin.example" || got.Parsed == nil || !strings.HasSuffix(got.Parsed.MessageID, "@anxin.local>") {
		t.Errorf("default sender %q, parsed %+v", got.From, got.Parsed)
	}
}

func TestSMTPTLS(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    mailtest.Options
		url     string
		wantTLS bool
		wantErr string
	}{
		{"STARTTLS offered", mailtest.Options{STARTTLS: true}, "smtp://relay:pw@ADDR", true, ""},
		{"STARTTLS not offered, auto", mailtest.Options{}, "smtp://ADDR", false, ""},
		{"STARTTLS not offered, required", mailtest.Options{}, "smtp://ADDR?starttls=require", false, "does not offer STARTTLS"},
		{"STARTTLS off although offered", mailtest.Options{STARTTLS: true}, "smtp://relay:pw@ADDR?starttls=off", false, ""},
		{"implicit TLS", mailtest.Options{ImplicitTLS: true}, "smtps://relay:pw@ADDR", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := mailtest.StartWith(t, tc.opts)
			mailer, err := NewMailer(strings.Replace(tc.url, "ADDR", sink.Addr(), 1), "")
			if err != nil {
				t.Fatal(err)
			}
			mailer.(*SMTP).TLSConfig = sink.ClientTLS()
			err = mailer.Send(context.Background(), Mail{From: "service@anxin.example", To: []string{"x@example.cn"}, Subject: "tls", Text: "x"})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := sink.WaitFor(t, 5*time.Second, nil)
			if got.TLS != tc.wantTLS {
				t.Errorf("TLS %v, want %v", got.TLS, tc.wantTLS)
			}
			if strings.Contains(tc.url, "relay:pw") && got.User != "relay" {
				t.Errorf("user %q, want relay", got.User)
			}
		})
	}
	// A certificate the client does not trust stops the mail.
	sink := mailtest.StartWith(t, mailtest.Options{STARTTLS: true})
	mailer, _ := NewMailer("smtp://"+sink.Addr(), "")
	if err := mailer.Send(context.Background(), Mail{From: "service@anxin.example", To: []string{"x@example.cn"}}); err == nil {
		t.Error("sent over TLS to an untrusted certificate")
	}
}

// Refusals keep their codes, lose the server's text (which names the
// address), and say whether a retry may help.
func TestSMTPRefused(t *testing.T) {
	for _, code := range []int{451, 554} {
		sink := mailtest.StartWith(t, mailtest.Options{Reject: func(mailtest.Message) int { return code }})
		mailer, _ := NewMailer("smtp://"+sink.Addr(), "")
		err := mailer.Send(context.Background(), Mail{From: "service@anxin.example", To: []string{"li.na@example.cn"}, Subject: "x"})
		var se *SMTPError
		if !errors.As(err, &se) || se.Code != code || se.Step != "DATA" || se.Temporary() != (code == 451) {
			t.Errorf("code %d: error %v (%#v)", code, err, se)
		}
		if err != nil && strings.Contains(err.Error(), "li.na") {
			t.Errorf("error %q names the recipient", err)
		}
	}
}

func TestSMTPCheck(t *testing.T) {
	sink := mailtest.Start(t)
	mailer, _ := NewMailer("smtp://"+sink.Addr(), "")
	ok := Mail{From: "service@anxin.example", To: []string{"li.na@example.cn"}, Subject: "x", Text: "y"}
	for _, tc := range []struct {
		name string
		edit func(*Mail)
	}{
		{"no sender", func(m *Mail) { m.From = "" }},
		{"bad sender", func(m *Mail) { m.From = "service" }},
		{"no recipient", func(m *Mail) { m.To = nil }},
		{"bad recipient", func(m *Mail) { m.To = append(m.To, "li.na@example.cn>, evil@example.cn") }},
		{"subject with a line break", func(m *Mail) { m.Subject = "x\r\nBcc: evil@example.cn" }},
		{"bad message id", func(m *Mail) { m.MessageID = "GD20261125000123" }},
		{"bad reference", func(m *Mail) { m.References = []string{"<a@b> <c@d>"} }},
		{"text not UTF-8", func(m *Mail) { m.Text = "\xff" }},
	} {
		m := ok
		m.To = slices.Clone(ok.To)
		tc.edit(&m)
		err := mailer.Send(context.Background(), m)
		if err == nil {
			t.Errorf("%s: sent", tc.name)
		} else if strings.Contains(err.Error(), "li.na") || strings.Contains(err.Error(), "evil") {
			t.Errorf("%s: error %q quotes the mail", tc.name, err)
		}
	}
	if n := len(sink.Messages()); n != 0 {
		t.Errorf("%d messages arrived", n)
	}
}

// A canceled context stops a send that hangs on a silent server.
func TestSMTPContext(t *testing.T) {
	l := listenSilent(t)
	mailer, _ := NewMailer("smtp://"+l, "")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := mailer.Send(ctx, Mail{From: "service@anxin.example", To: []string{"x@example.cn"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the deadline", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

// The outbox holds one JSON line per mail, in order, from concurrent
// senders, readable by its owner only.
func TestMailOutbox(t *testing.T) {
	dir := t.TempDir()
	mailer, err := NewMailer("", dir)
	if err != nil {
		t.Fatal(err)
	}
	o := mailer.(*MailOutbox)
	o.Now = func() time.Time { return mailAt }
	if msgs, err := ReadMailOutbox(o.Path); err != nil || len(msgs) != 0 {
		t.Fatalf("missing outbox: %v %v", msgs, err)
	}
	n := notice()
	if err := o.Send(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := o.Send(context.Background(), Mail{To: []string{"x@example.cn"}, Subject: "并发", Text: strings.Repeat("长", 3000)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs, err := ReadMailOutbox(o.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 21 {
		t.Fatalf("%d mails, want 21", len(msgs))
	}
	first := msgs[0]
	if !first.At.Equal(mailAt) || first.From != n.From || !slices.Equal(first.To, n.To) || first.Subject != n.Subject || first.Text != n.Text {
		t.Errorf("first mail %+v", first)
	}
	if first.MessageID != n.MessageID || first.InReplyTo != n.InReplyTo || !slices.Equal(first.References, n.References) {
		t.Errorf("threading lost: %+v", first)
	}
	for _, m := range msgs[1:] {
		if !strings.HasSuffix(m.MessageID, "@anxin.local>") || len(m.Text) != 3*3000 {
			t.Errorf("mail %q, %d bytes of text", m.MessageID, len(m.Text))
		}
	}
	for path, want := range map[string]os.FileMode{o.Path: 0o600, filepath.Dir(o.Path): 0o700} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", path, fi.Mode().Perm(), err, want)
		}
	}
	if err := o.Send(context.Background(), Mail{}); err == nil {
		t.Error("the outbox took a mail without recipients")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Send(ctx, notice()); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled send: %v", err)
	}
}

// listenSilent accepts connections and never says a word, like a
// firewall that swallows packets after the handshake.
func listenSilent(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return l.Addr().String()
}
