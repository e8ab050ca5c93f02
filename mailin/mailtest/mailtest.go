// Package mailtest runs a real SMTP server inside a test: the sink that
// anxin's notification tests send to and then read back, so that what is
// checked is the mail on the wire rather than a mock's idea of it.
//
//	sink := mailtest.Start(t)
//	mailer, _ := notify.NewMailer("smtp://"+sink.Addr()+"?from=service@anxin.cn", "")
//	… code under test sends …
//	m := sink.WaitFor(t, 5*time.Second, func(m mailtest.Message) bool { return m.Parsed != nil && m.Parsed.Subject == "…" })
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anxin-insure/anxin/mailin"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the sink accepted.
type Message struct {
	From string   // the envelope sender (MAIL FROM)
	To   []string // the envelope recipients (RCPT TO)
	Data []byte   // the message as received, headers and body
	// Parsed is Data read by mailin.Parse; nil if that failed, and then
	// ParseErr says why.
	Parsed   *mailin.Inbound
	ParseErr error
	User     string // the AUTH PLAIN user name; "" if the client did not authenticate
	TLS      bool   // whether the message came over TLS (implicit or STARTTLS)
}

// Options choose how the sink behaves; the zero value is Start's plain
// server.
type Options struct {
	// STARTTLS offers STARTTLS with a certificate for 127.0.0.1 and
	// localhost that ClientTLS trusts.
	STARTTLS bool
	// ImplicitTLS speaks TLS from the first byte (smtps), with the same
	// certificate.
	ImplicitTLS bool
	// Reject, if set, may refuse a message: it returns an SMTP reply code
	// (4xx or 5xx) to answer the final dot with, or 0 to accept. A refused
	// message is not stored.
	Reject func(Message) int
}

// Sink is a running SMTP server that stores what it receives. It accepts
// any sender and recipient, and AUTH PLAIN with any credentials (over
// plain connections too).
type Sink struct {
	opts   Options
	srv    *smtp.Server
	addr   string
	client *tls.Config

	mu      sync.Mutex
	msgs    []Message
	changed chan struct{} // closed and replaced on every new message
}

// Start runs a plain SMTP sink on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith runs a sink with options until the test ends.
func StartWith(t testing.TB, opts Options) *Sink {
	t.Helper()
	s := &Sink{opts: opts, changed: make(chan struct{})}
	srv := smtp.NewServer(s)
	srv.Domain = "mailtest.local"
	srv.AllowInsecureAuth = true
	srv.EnableSMTPUTF8 = true
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	// Connection errors are the client's business; t.Log could run after
	// the test ended, which panics.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	if opts.STARTTLS || opts.ImplicitTLS {
		server, client, err := certificate()
		if err != nil {
			l.Close()
			t.Fatalf("mailtest: %v", err)
		}
		s.client = client
		if opts.STARTTLS {
			srv.TLSConfig = server
		}
		if opts.ImplicitTLS {
			l = tls.NewListener(l, server)
		}
	}
	s.srv, s.addr = srv, l.Addr().String()
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		// go-smtp's Close misses a listener that Serve has not registered
		// yet; closing it here ends that Serve too.
		l.Close()
		<-served
	})
	return s
}

// Addr is the sink's host:port.
func (s *Sink) Addr() string { return s.addr }

// ClientTLS is a client configuration that trusts the sink's certificate;
// nil for a plain sink.
func (s *Sink) ClientTLS() *tls.Config {
	if s.client == nil {
		return nil
	}
	return s.client.Clone()
}

// Messages returns what the sink has accepted so far, oldest first.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// WaitFor returns the first accepted message match accepts (any message
// when match is nil), waiting up to timeout for it to arrive; on timeout it
// fails the test. Call it from the test's goroutine.
func (s *Sink) WaitFor(t testing.TB, timeout time.Duration, match func(Message) bool) Message {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		s.mu.Lock()
		msgs, changed := s.msgs, s.changed
		s.mu.Unlock()
		for _, m := range msgs[seen:] {
			if match == nil || match(m) {
				return m
			}
		}
		seen = len(msgs)
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: no matching message within %v (%d received)", timeout, seen)
			return Message{}
		}
	}
}

func (s *Sink) store(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{sink: s, conn: c}, nil
}

type session struct {
	sink *Sink
	conn *smtp.Conn
	user string
	msg  Message
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, _ string) error {
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.msg = Message{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := ss.msg
	m.Data = data
	m.User = ss.user
	_, m.TLS = ss.conn.TLSConnectionState()
	m.Parsed, m.ParseErr = mailin.Parse(bytes.NewReader(data), int64(len(data)))
	if ss.sink.opts.Reject != nil {
		if code := ss.sink.opts.Reject(m); code != 0 {
			return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: "Rejected by the test"}
		}
	}
	ss.sink.store(m)
	return nil
}

func (ss *session) Reset() { ss.msg = Message{} }

func (ss *session) Logout() error { return nil }

// certificate makes a throwaway self-signed certificate for the loopback
// addresses, and a client configuration that trusts only it.
func certificate() (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client, nil
}

var _ smtp.AuthSession = (*session)(nil)
