package mailin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Server defaults.
const (
	// DefaultMaxRecipients bounds RCPT TO per message when MaxRecipients is
	// not set: an intake mailbox has a handful of addresses, and a message
	// to hundreds of them is a spam run.
	DefaultMaxRecipients = 50
	// HandleTimeout bounds one Handle call. SMTP clients wait 10 minutes
	// for the reply to the final dot (RFC 5321 4.5.3.2.6); answering 451
	// well before that lets the gateway retry instead of guessing.
	HandleTimeout = 5 * time.Minute
	// ioTimeout bounds each read and write on a connection, so that an
	// idle or stalled peer cannot hold one forever.
	ioTimeout = 60 * time.Second
)

// ErrServerClosed is what Serve and ListenAndServe return after Close or
// Shutdown.
var ErrServerClosed = errors.New("mailin: server closed")

// PermanentError is a handler's verdict that a message will never be
// accepted (an unknown mailbox, a closed ticket that takes no replies): the
// server answers 550 and the sender gets a bounce instead of retrying for
// days. Any other handler error answers 451 and the gateway retries.
type PermanentError struct {
	// Reply is the text of the 550 reply, which ends up in the bounce the
	// sender reads: say what to do, reveal nothing internal. "" sends a
	// generic text.
	Reply string
	// Err is the cause, for the log; may be nil.
	Err error
}

func (e *PermanentError) Error() string {
	switch {
	case e.Err != nil:
		return "permanently rejected: " + e.Err.Error()
	case e.Reply != "":
		return "permanently rejected: " + e.Reply
	}
	return "permanently rejected"
}

func (e *PermanentError) Unwrap() error { return e.Err }

// Server receives mail over SMTP and hands each message to Handle. It is
// the intake MX behind the insurer's mail gateway, which does the
// filtering and authentication of the outside world: there is no AUTH and
// every recipient is accepted.
//
// Replies: 250 once Handle returned nil; 451 when it failed (the gateway
// retries); 550 for a *PermanentError; 552 for a message over MaxBytes; 554
// for one Parse rejects.
type Server struct {
	Addr          string // listen address for ListenAndServe; "" is ":25"
	Domain        string // the name in the greeting; "" is "localhost"
	MaxBytes      int64  // message size limit; 0 is DefaultMaxBytes
	MaxRecipients int    // RCPT TO limit per message; 0 is DefaultMaxRecipients
	// Handle stores a message. in.To holds the envelope recipients, in.From
	// falls back to the envelope sender, in.Received is set. Its error is
	// logged, so it must not quote the message.
	Handle func(ctx context.Context, in *Inbound) error
	// Log gets one line per message (size and outcome) and connection
	// errors; nil discards.
	Log *slog.Logger
	// Now stamps Received; nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	srv       *smtp.Server
	listeners []net.Listener
	ctx       context.Context // canceled by Close: handlers stop
	cancel    context.CancelFunc
	closed    bool
	handling  sync.WaitGroup // running Handle calls
}

// ListenAndServe listens on Addr and serves until Close or Shutdown.
func (s *Server) ListenAndServe() error {
	addr := s.Addr
	if addr == "" {
		addr = ":25"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("mailin: %w", err)
	}
	return s.Serve(l)
}

// Serve accepts connections on l until Close or Shutdown, then returns
// ErrServerClosed. It closes l.
func (s *Server) Serve(l net.Listener) error {
	srv, err := s.start(l)
	if err != nil {
		l.Close()
		return err
	}
	err = srv.Serve(l)
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrServerClosed
	}
	return fmt.Errorf("mailin: %w", err)
}

// start builds the go-smtp server on first use and records l, so that
// Close closes it even if it is not accepting yet.
func (s *Server) start(l net.Listener) (*smtp.Server, error) {
	if s.Handle == nil {
		return nil, errors.New("mailin: Server.Handle is nil")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrServerClosed
	}
	s.listeners = append(s.listeners, l)
	if s.srv != nil {
		return s.srv, nil
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = s.Domain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	srv.MaxMessageBytes = s.maxBytes()
	srv.MaxRecipients = s.MaxRecipients
	if srv.MaxRecipients <= 0 {
		srv.MaxRecipients = DefaultMaxRecipients
	}
	srv.ReadTimeout = ioTimeout
	srv.WriteTimeout = ioTimeout
	// Addresses in UTF-8 (RFC 6531) reach Parse like any other header.
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slog.NewLogLogger(s.logger().Handler(), slog.LevelWarn)
	s.srv = srv
	return srv, nil
}

// Close stops listening, drops open connections and cancels running
// handlers. A message whose handler had not returned was not acknowledged,
// so the gateway sends it again: handlers should store idempotently (by
// MessageID).
func (s *Server) Close() error {
	err := s.stopListening()
	s.mu.Lock()
	srv := s.srv
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	if srv != nil {
		// Its only errors come from closing the listeners again.
		srv.Close()
	}
	return err
}

// Shutdown stops listening and waits for running handlers to return and
// their replies to go out, or for ctx to end; then it closes the rest as
// Close does. Connections
// between messages are dropped without waiting: the gateway reconnects.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.stopListening()
	done := make(chan struct{})
	go func() {
		s.handling.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		err = errors.Join(err, fmt.Errorf("mailin: shutdown: %w", ctx.Err()))
	}
	return errors.Join(err, s.Close())
}

// stopListening marks the server closed, so that no new handler starts,
// and closes the listeners.
func (s *Server) stopListening() error {
	s.mu.Lock()
	s.closed = true
	ls := s.listeners
	s.listeners = nil
	s.mu.Unlock()
	var errs []error
	for _, l := range ls {
		if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("mailin: %w", err))
		}
	}
	return errors.Join(errs...)
}

// begin registers a handler about to run and returns its context, which
// Close cancels; false once the server is closing.
func (s *Server) begin() (context.Context, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, false
	}
	s.handling.Add(1)
	return s.ctx, true
}

func (s *Server) maxBytes() int64 {
	if s.MaxBytes > 0 {
		return s.MaxBytes
	}
	return DefaultMaxBytes
}

func (s *Server) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

type backend struct{ s *Server }

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s}, nil
}

// session is one SMTP transaction's envelope.
type session struct {
	s     *Server
	from  string
	rcpts []string

	mu   sync.Mutex
	done func() // ends the message's count in Server.handling, once
}

// release ends the current message's count in Server.handling. go-smtp
// calls Reset after it has written the reply to DATA, and Logout when the
// connection closes, so Shutdown waits for the reply, not just the
// handler.
func (ss *session) release() {
	ss.mu.Lock()
	done := ss.done
	ss.done = nil
	ss.mu.Unlock()
	if done != nil {
		done()
	}
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

func (ss *session) Reset() {
	ss.release()
	ss.from, ss.rcpts = "", nil
}

func (ss *session) Logout() error {
	ss.release()
	return nil
}

// Replies. Their texts are fixed: an error's text could quote the message.
var (
	replyTemporary   = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, please try again later"}
	replyClosing     = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, please try again later"}
	replyReadError   = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Error reading the message, please try again"}
	replyUnparsable  = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message could not be parsed"}
	replyAttachments = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
		Message: fmt.Sprintf("Too many attachments: at most %d, please send them in several messages", MaxAttachments)}
)

// Data parses the message, hands it over and maps the outcome to a reply.
func (ss *session) Data(r io.Reader) error {
	s := ss.s
	log := s.logger()
	cr := &countingReader{r: r}
	in, err := Parse(cr, s.maxBytes())
	if err != nil {
		var reply *smtp.SMTPError
		outcome := "unparsable"
		switch {
		case errors.Is(err, smtp.ErrDataTooLarge), errors.Is(err, ErrTooLarge):
			reply, outcome = smtp.ErrDataTooLarge, "too large"
		case errors.Is(err, ErrTooManyAttachments):
			reply, outcome = replyAttachments, "too many attachments"
		case errors.Is(err, ErrMalformed):
			reply = replyUnparsable
		default:
			reply, outcome = replyReadError, "read error"
		}
		log.Warn("inbound mail rejected", "bytes", cr.n, "outcome", outcome, "reply", reply.Code)
		return reply
	}
	if in.From == "" {
		in.From = ss.from
	}
	if ss.from == "" {
		// MAIL FROM:<> is a bounce or another automatic notice.
		in.Auto = true
	}
	in.To = append([]string(nil), ss.rcpts...)
	in.Received = s.now()

	base, ok := s.begin()
	if !ok {
		log.Info("inbound mail deferred", "bytes", cr.n, "outcome", "shutting down", "reply", 421)
		return replyClosing
	}
	ss.mu.Lock()
	ss.done = s.handling.Done
	ss.mu.Unlock()
	ctx, cancel := context.WithTimeout(base, HandleTimeout)
	defer cancel()
	err = s.Handle(ctx, in)
	var perm *PermanentError
	switch {
	case err == nil:
		log.Info("inbound mail accepted", "bytes", cr.n, "attachments", len(in.Attachments))
		return nil
	case errors.As(err, &perm):
		log.Info("inbound mail rejected", "bytes", cr.n, "outcome", "refused by handler", "reply", 550, "err", err)
		msg := cleanLine(perm.Reply)
		if msg == "" {
			msg = "Message refused"
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: msg}
	}
	log.Error("inbound mail deferred", "bytes", cr.n, "outcome", "handler failed", "reply", 451, "err", err)
	return replyTemporary
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
