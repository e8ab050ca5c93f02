package mailin

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// lockedBuffer collects log output written from the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type testServer struct {
	*Server
	addr   string
	got    chan *Inbound
	log    *lockedBuffer
	served chan error
}

// startServer runs a Server on a loopback port whose handler passes each
// message to got and then answers with verdict's error.
func startServer(t *testing.T, verdict func(*Inbound) error) *testServer {
	t.Helper()
	return startServerWith(t, func(_ context.Context, in *Inbound) error { return verdict(in) })
}

func startServerWith(t *testing.T, verdict func(context.Context, *Inbound) error) *testServer {
	t.Helper()
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	ts := &testServer{got: make(chan *Inbound, 10), log: &lockedBuffer{}, served: make(chan error, 1)}
	ts.Server = &Server{
		Domain:   "intake.anxin.test",
		MaxBytes: 64 << 10,
		Handle: func(ctx context.Context, in *Inbound) error {
			ts.got <- in
			return verdict(ctx, in)
		},
		Log: slog.New(slog.NewJSONHandler(ts.log, nil)),
		Now: func() time.Time { return at },
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	go func() { ts.served <- ts.Serve(l) }()
	t.Cleanup(func() {
		ts.Close()
		if err := <-ts.served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return ts
}

// send delivers one message as the mail gateway would.
func (ts *testServer) send(t *testing.T, from string, to []string, msg string) error {
	t.Helper()
	c, err := smtp.Dial(ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(msg)); err != nil {
		return err
	}
	// The message is acknowledged; a server closing meanwhile may not
	// answer QUIT.
	c.Quit()
	return nil
}

func (ts *testServer) received(t *testing.T) *Inbound {
	t.Helper()
	select {
	case in := <-ts.got:
		return in
	case <-time.After(5 * time.Second):
		t.Fatal("the handler got no message")
		return nil
	}
}

func accept(*Inbound) error { return nil }

func TestServerDelivers(t *testing.T) {
	ts := startServer(t, accept)

	gbkMail := "From: =?GBK?B?" + b64(mustGBK("王伟")) + "?= <wang.wei@example.com.cn>\r\n" +
		"To: claims@anxin.example\r\n" +
		"Subject: =?GBK?B?" + b64(mustGBK("理赔进度查询")) + "?=\r\n" +
		"Message-ID: <gbk.1@example.com.cn>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=GBK\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" +
		b64(mustGBK("您好，请问我的理赔到哪一步了？\r\n王伟")) + "\r\n"
	if err := ts.send(t, "bounce@example.com.cn", []string{"claims@anxin.example", "service@anxin.example"}, gbkMail); err != nil {
		t.Fatal(err)
	}
	in := ts.received(t)
	for _, c := range []struct{ field, got, want string }{
		{"From", in.From, "wang.wei@example.com.cn"},
		{"FromName", in.FromName, "王伟"},
		{"Subject", in.Subject, "理赔进度查询"},
		{"Text", in.Text, "您好，请问我的理赔到哪一步了？\n王伟"},
		{"To", strings.Join(in.To, ","), "claims@anxin.example,service@anxin.example"},
		{"Received", in.Received.Format(time.RFC3339), "2026-11-25T02:00:00Z"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if TicketNumber(in) != "" {
		t.Errorf("a new mail belongs to ticket %s", TicketNumber(in))
	}

	reply := "From: li.na@example.cn\r\n" +
		"To: service@anxin.example\r\n" +
		"Subject: =?UTF-8?B?" + b64([]byte("回复：您的咨询")) + "?=\r\n" +
		"In-Reply-To: <x@example.cn>\r\n" +
		"References: <GD20261125000123.0123456789abcdef@anxin.local>\r\n <x@example.cn>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n好的，谢谢。\r\n"
	// An empty envelope sender: From comes from the header all the same.
	if err := ts.send(t, "", []string{"service@anxin.example"}, reply); err != nil {
		t.Fatal(err)
	}
	in = ts.received(t)
	if got := TicketNumber(in); got != "GD20261125000123" {
		t.Errorf("reply belongs to %q, want GD20261125000123", got)
	}
	if in.From != "li.na@example.cn" || in.Text != "好的，谢谢。\n" || !in.Auto {
		t.Errorf("reply: From %q, Text %q, Auto %v", in.From, in.Text, in.Auto)
	}

	// The log says how much arrived and what became of it, and nothing of
	// who wrote what.
	log := ts.log.String()
	if strings.Count(log, `"inbound mail accepted"`) != 2 || !strings.Contains(log, `"bytes":`) {
		t.Errorf("log lacks the outcomes:\n%s", log)
	}
	for _, secret := range []string{"@", "王伟", "理赔", "谢谢", "GD2026"} {
		if strings.Contains(log, secret) {
			t.Errorf("log holds %q:\n%s", secret, log)
		}
	}
}

func TestServerReplies(t *testing.T) {
	plain := "From: a@example.cn\r\nSubject: hi\r\n\r\nhello\r\n"
	for _, tc := range []struct {
		name    string
		verdict func(*Inbound) error
		msg     string
		code    int
		text    string // part of the reply text, if any
		handled bool   // whether the handler should have been called
		forbid  string // not in the reply: internal detail
	}{
		{"accepted", accept, plain, 0, "", true, ""},
		{"handler failure is temporary", func(*Inbound) error { return errors.New("database is locked") }, plain, 451, "", true, "database"},
		{"permanent rejection", func(*Inbound) error {
			return &PermanentError{Reply: "Ticket GD20261125000123 is closed; please write to service@anxin.example", Err: errors.New("ticket closed")}
		}, plain, 550, "is closed", true, ""},
		{"permanent rejection, wrapped, no text", func(*Inbound) error {
			return errors.Join(errors.New("x"), &PermanentError{Err: errors.New("mailbox unknown")})
		}, plain, 550, "refused", true, "mailbox"},
		{"unparsable", accept, "Content-Type: multipart/mixed\r\n\r\nx\r\n", 554, "parsed", false, ""},
		{"too large", accept, "Subject: big\r\n\r\n" + strings.Repeat("0123456789\r\n", 7000), 552, "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, tc.verdict)
			err := ts.send(t, "a@example.cn", []string{"service@anxin.example"}, tc.msg)
			var se *smtp.SMTPError
			switch {
			case tc.code == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.code != 0 && !errors.As(err, &se):
				t.Fatalf("error %v, want an SMTP %d", err, tc.code)
			case tc.code != 0:
				if se.Code != tc.code {
					t.Errorf("reply %d %q, want %d", se.Code, se.Message, tc.code)
				}
				if tc.code/100 == 4 && !se.Temporary() {
					t.Errorf("reply %d is not temporary", se.Code)
				}
				if !strings.Contains(se.Message, tc.text) || tc.forbid != "" && strings.Contains(se.Message, tc.forbid) {
					t.Errorf("reply text %q: want %q in it, not %q", se.Message, tc.text, tc.forbid)
				}
			}
			select {
			case <-ts.got:
				if !tc.handled {
					t.Error("the handler got a message it should not have")
				}
			default:
				if tc.handled {
					t.Error("the handler got nothing")
				}
			}
		})
	}
}

// Close while a handler runs cancels its context; the gateway, having no
// answer, sends the message again later.
func TestServerClose(t *testing.T) {
	started := make(chan struct{})
	ts := startServerWith(t, func(ctx context.Context, in *Inbound) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	errc := make(chan error, 1)
	go func() {
		errc <- ts.send(t, "a@example.cn", []string{"service@anxin.example"}, "Subject: x\r\n\r\ny\r\n")
	}()
	<-started
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Error("the message was acknowledged although its handler was canceled")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Close: %v", err)
	}
	if _, err := l.Accept(); err == nil {
		t.Error("Serve after Close left the listener open")
	}
}

// Shutdown lets a running handler finish and acknowledge its message.
func TestServerShutdown(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	ts := startServerWith(t, func(ctx context.Context, in *Inbound) error {
		close(started)
		<-release
		return ctx.Err()
	})
	errc := make(chan error, 1)
	go func() {
		errc <- ts.send(t, "a@example.cn", []string{"service@anxin.example"}, "Subject: x\r\n\r\ny\r\n")
	}()
	<-started
	shut := make(chan error, 1)
	go func() { shut <- ts.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a handler ran", err)
	case <-time.After(50 * time.Millisecond):
	}
	if c, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		c.Close()
		t.Error("still accepting connections while shutting down")
	}
	close(release)
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-errc; err != nil {
		t.Errorf("the message in flight was refused: %v", err)
	}
}
