package mailtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const msg = "From: service@anxin.example\r\nTo: li.na@example.cn\r\n" +
	"Subject: =?UTF-8?B?5bel5Y2V5bey5Y+X55CG?=\r\n\r\nhello\r\n"

func TestSinkStores(t *testing.T) {
	sink := Start(t)
	if len(sink.Messages()) != 0 {
		t.Fatal("a new sink holds messages")
	}
	for i := range 3 {
		to := fmt.Sprintf("c%d@example.cn", i)
		c, err := smtp.Dial(sink.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendMail("service@anxin.example", []string{to}, strings.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
		c.Quit()
	}
	m := sink.WaitFor(t, 5*time.Second, func(m Message) bool { return m.To[0] == "c1@example.cn" })
	if m.From != "service@anxin.example" || string(m.Data) != msg || m.TLS || m.User != "" {
		t.Errorf("message %+v", m)
	}
	if m.Parsed == nil || m.Parsed.Subject != "工单已受理" || m.Parsed.Text != "hello\n" {
		t.Errorf("parsed %+v (%v)", m.Parsed, m.ParseErr)
	}
	if got := len(sink.Messages()); got != 3 {
		t.Errorf("%d messages, want 3", got)
	}
}

// WaitFor waits for a message that arrives later.
func TestSinkWaitFor(t *testing.T) {
	sink := Start(t)
	go func() {
		time.Sleep(20 * time.Millisecond)
		c, err := smtp.Dial(sink.Addr())
		if err != nil {
			return
		}
		defer c.Close()
		c.SendMail("service@anxin.example", []string{"late@example.cn"}, strings.NewReader(msg))
	}()
	m := sink.WaitFor(t, 5*time.Second, nil)
	if m.To[0] != "late@example.cn" {
		t.Errorf("got %+v", m)
	}

	ft := &fakeT{TB: t}
	sink.WaitFor(ft, 10*time.Millisecond, func(Message) bool { return false })
	if !strings.Contains(ft.failure, "no matching message") {
		t.Errorf("WaitFor without a match: failure %q", ft.failure)
	}
}

// fakeT records a failure instead of failing the test.
type fakeT struct {
	testing.TB
	failure string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) { f.failure = fmt.Sprintf(format, args...) }

func TestSinkTLSAndAuth(t *testing.T) {
	for _, opts := range []Options{{STARTTLS: true}, {ImplicitTLS: true}} {
		sink := StartWith(t, opts)
		var (
			c   *smtp.Client
			err error
		)
		if opts.ImplicitTLS {
			c, err = smtp.DialTLS(sink.Addr(), sink.ClientTLS())
		} else {
			c, err = smtp.DialStartTLS(sink.Addr(), sink.ClientTLS())
		}
		if err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		if err := c.Auth(sasl.NewPlainClient("", "relay-user", "pw")); err != nil {
			t.Fatal(err)
		}
		if err := c.SendMail("service@anxin.example", []string{"x@example.cn"}, strings.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
		c.Quit()
		m := sink.WaitFor(t, 5*time.Second, nil)
		if !m.TLS || m.User != "relay-user" {
			t.Errorf("%+v: TLS %v, user %q", opts, m.TLS, m.User)
		}
	}
}

func TestSinkReject(t *testing.T) {
	sink := StartWith(t, Options{Reject: func(m Message) int {
		if m.To[0] == "full@example.cn" {
			return 452
		}
		return 0
	}})
	c, err := smtp.Dial(sink.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.SendMail("service@anxin.example", []string{"full@example.cn"}, strings.NewReader(msg))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 452 {
		t.Errorf("error %v, want a 452", err)
	}
	if err := c.SendMail("service@anxin.example", []string{"ok@example.cn"}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	if msgs := sink.Messages(); len(msgs) != 1 || msgs[0].To[0] != "ok@example.cn" {
		t.Errorf("stored %+v, want only the accepted message", msgs)
	}
}
