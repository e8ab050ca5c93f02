package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/anxin-insure/anxin/jobs"
	"github.com/anxin-insure/anxin/mailin"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/server"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// Main is one running node: configuration, then Run, then Close. Tests start
// the same Main on port 0.
type Main struct {
	Addr    string
	DB      dbFlags
	Demo    bool
	TLSCert string
	TLSKey  string
	SMSURL  string // the SMS gateway for customers' codes (notify.NewSMS); "" is the outbox file under --data
	// MailURL is where customer email goes (notify.NewMailer); "" is the
	// outbox file under --data.
	MailURL  string
	MailFrom string
	// SMTPAddr, when set, listens for inbound email and turns it into
	// tickets.
	SMTPAddr string
	// PublicURL is the address customers use, for links in notices.
	PublicURL string
	// PaymentsURL is the claim payment gateway (payment.Open); "" is the
	// bank-transfer batch file under <data>/payouts.
	PaymentsURL string
	Stdout      io.Writer
	Stderr      io.Writer
	// JobOptions tune the job runner (tests shorten intervals).
	JobOptions jobs.Options

	Log     *slog.Logger
	Service *service.Service
	Server  *server.Server
	Jobs    *jobs.Runner

	ln         net.Listener
	smtp       *mailin.Server
	smtpDone   chan error
	httpServer *http.Server
	served     chan error
	closeOnce  sync.Once
	closeErr   error
}

// NewMain returns a node with default settings.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{Addr: "127.0.0.1:8080", Stdout: stdout, Stderr: stderr}
}

// ParseFlags reads the serve/demo flags.
func (m *Main) ParseFlags(name string, args []string) error {
	fs := newFlagSet(name, m.Stderr)
	fs.StringVar(&m.Addr, "addr", m.Addr, "listen address")
	m.DB.register(fs)
	if m.Demo {
		fs.Lookup("data").DefValue = "./anxin-demo"
		m.DB.data = "./anxin-demo"
	}
	fs.StringVar(&m.TLSCert, "tls-cert", "", "TLS certificate file (serve HTTPS)")
	fs.StringVar(&m.TLSKey, "tls-key", "", "TLS key file")
	// The environment is read after parsing, not as the flag's default:
	// a gateway URL often carries a key, and --help prints defaults.
	fs.StringVar(&m.SMSURL, "sms-url", "",
		"SMS gateway for customers' sign-in codes: an http(s):// URL taking POST {mobile, text}, or file: for <data>/outbox/sms.jsonl (default $ANXIN_SMS_URL, else file:)")
	fs.StringVar(&m.MailURL, "mail-url", "",
		"mail server for customer notices: smtp://[user:pass@]host:port?from=addr, smtps://…, or file: for <data>/outbox/mail.jsonl (default $ANXIN_MAIL_URL, else file:)")
	fs.StringVar(&m.MailFrom, "mail-from", "service@anxin.local", "From address of customer notices")
	fs.StringVar(&m.SMTPAddr, "smtp-addr", "", "listen for inbound email on this address (e.g. :2525) and turn it into tickets; off when empty")
	fs.StringVar(&m.PaymentsURL, "payments", "", "claim payment gateway: batch:///dir for daily bank-transfer batch files (default <data>/payouts)")
	fs.StringVar(&m.PublicURL, "public-url", "", "the address customers reach this service at, for links in notices (default: the listen address)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if (m.TLSCert == "") != (m.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if m.SMSURL == "" {
		m.SMSURL = os.Getenv("ANXIN_SMS_URL")
	}
	if _, err := notify.NewSMS(m.SMSURL, m.DB.data); err != nil {
		return fmt.Errorf("--sms-url: %w", err)
	}
	if m.MailURL == "" {
		m.MailURL = os.Getenv("ANXIN_MAIL_URL")
	}
	if _, err := notify.NewMailer(m.MailURL, m.DB.data); err != nil {
		return fmt.Errorf("--mail-url: %w", err)
	}
	return nil
}

// Run opens the database, prepares data, starts the jobs and begins
// listening. It returns once the node accepts connections.
func (m *Main) Run(ctx context.Context) error {
	if m.Log == nil {
		m.Log = newLogger(m.Stderr)
	}
	if m.Demo {
		if err := prepareDemoDir(&m.DB); err != nil {
			return err
		}
	}
	svc, err := openService(ctx, &m.DB, m.Log)
	if err != nil {
		return err
	}
	m.Service = svc
	if err := m.wireNotices(svc); err != nil {
		return err
	}
	if err := svc.SeedCalendar(ctx, builtinCalendarYears...); err != nil {
		return fmt.Errorf("seed calendar: %w", err)
	}
	if m.Demo {
		if err := loadDemo(ctx, svc, m.Stdout); err != nil {
			return fmt.Errorf("load demo data: %w", err)
		}
	}
	m.Jobs, err = jobs.New(svc, m.Log, m.JobOptions)
	if err != nil {
		return err
	}
	if err := m.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	m.Server = server.New(svc, m.Log)
	m.Server.SecureCookies = m.TLSCert != ""
	sms, err := notify.NewSMS(m.SMSURL, m.DB.data)
	if err != nil {
		return fmt.Errorf("--sms-url: %w", err)
	}
	m.Server.Self = service.NewSelfService(svc, sms)
	m.Log.Info("sms gateway", "driver", notify.Describe(sms))
	m.Server.JobsHealthy = func() bool {
		select {
		case <-m.Jobs.Client.Stopped():
			return false
		default:
			return true
		}
	}
	m.ln, err = net.Listen("tcp", m.Addr)
	if err != nil {
		return err
	}
	m.httpServer = &http.Server{
		Handler:           m.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() {
		var err error
		if m.TLSCert != "" {
			err = m.httpServer.ServeTLS(m.ln, m.TLSCert, m.TLSKey)
		} else {
			err = m.httpServer.Serve(m.ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		m.served <- err
	}()
	if m.PublicURL == "" {
		svc.PublicURL = m.URL()
	}
	if m.SMTPAddr != "" {
		if err := m.startSMTP(); err != nil {
			return err
		}
	}
	m.Log.Info("serving", "url", m.URL(), "database", svc.DB.Engine)
	return nil
}

// wireNotices gives the service its mail, SMS and webhook drivers and the
// attachment directory.
func (m *Main) wireNotices(svc *service.Service) error {
	mailer, err := notify.NewMailer(m.MailURL, m.DB.data)
	if err != nil {
		return fmt.Errorf("--mail-url: %w", err)
	}
	sms, err := notify.NewSMS(m.SMSURL, m.DB.data)
	if err != nil {
		return fmt.Errorf("--sms-url: %w", err)
	}
	svc.Notify = service.Notifiers{Mail: mailer, MailFrom: m.MailFrom, SMS: sms, Webhook: &notify.Webhook{}}
	svc.Files = filepath.Join(m.DB.data, "attachments")
	svc.PublicURL = m.PublicURL
	payURL := m.PaymentsURL
	if payURL == "" {
		payURL = filepath.Join(m.DB.data, "payouts")
	}
	if svc.Payments, err = payment.Open(payURL); err != nil {
		return fmt.Errorf("--payments: %w", err)
	}
	m.Log.Info("notices", "mail", notify.DescribeMailer(mailer), "sms", notify.Describe(sms))
	return nil
}

// startSMTP listens for inbound email; each message becomes a ticket or a
// reply on one.
func (m *Main) startSMTP() error {
	ln, err := net.Listen("tcp", m.SMTPAddr)
	if err != nil {
		return fmt.Errorf("--smtp-addr: %w", err)
	}
	svc := m.Service
	m.smtp = &mailin.Server{Addr: ln.Addr().String(), Domain: "anxin.local", MaxBytes: 25 << 20, MaxRecipients: 50, Log: m.Log,
		Handle: func(ctx context.Context, in *mailin.Inbound) error {
			_, err := svc.InboundEmail(ctx, in)
			return err
		}}
	m.smtpDone = make(chan error, 1)
	go func() { m.smtpDone <- m.smtp.Serve(ln) }()
	m.Log.Info("email intake", "addr", ln.Addr().String())
	return nil
}

// SMTPAddress is where the email intake listens, or "".
func (m *Main) SMTPAddress() string {
	if m.smtp == nil {
		return ""
	}
	return m.smtp.Addr
}

// URL is where the node listens.
func (m *Main) URL() string {
	scheme := "http"
	if m.TLSCert != "" {
		scheme = "https"
	}
	return scheme + "://" + m.ln.Addr().String()
}

// Close shuts down gracefully: in-flight requests finish, then running jobs,
// then the database closes.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if m.httpServer != nil {
		errs = append(errs, m.httpServer.Shutdown(ctx))
		errs = append(errs, <-m.served)
	}
	if m.smtp != nil {
		m.smtp.Close()
		<-m.smtpDone
	}
	if m.Server != nil && m.Server.Self != nil {
		// Codes already promised to customers still go out.
		m.Server.Self.Wait()
	}
	if m.Jobs != nil {
		errs = append(errs, m.Jobs.Stop(ctx))
	}
	if m.Service != nil {
		errs = append(errs, m.Service.DB.Close())
	}
	return errors.Join(errs...)
}

// builtinCalendarYears are the years whose holiday schedule ships with the
// binary; later years are loaded with `anxin calendar load`.
var builtinCalendarYears = []int{2025, 2026}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, demo bool) error {
	m := NewMain(stdout, stderr)
	m.Demo = demo
	name := "serve"
	if demo {
		name = "demo"
	}
	if err := m.ParseFlags(name, args); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		if m.Service != nil {
			m.Close()
		}
		return err
	}
	fmt.Fprintf(stdout, "anxin is serving at %s (database: %s). Press Ctrl+C to stop.\n", m.URL(), store.RedactDSN(m.DB.dsn()))
	select {
	case <-ctx.Done():
	case err := <-m.served:
		m.served <- err
	}
	fmt.Fprintln(stdout, "shutting down…")
	return m.Close()
}

// prepareDemoDir makes the demo's data directory fresh. It deletes only a
// directory that a demo created (it carries a marker file), so pointing
// --data at real data cannot destroy it.
func prepareDemoDir(f *dbFlags) error {
	if f.db != "" {
		return errors.New("the demo runs on the embedded database; drop --db / ANXIN_DB")
	}
	marker := filepath.Join(f.data, ".anxin-demo")
	if _, err := os.Stat(filepath.Join(f.data, "anxin.db")); err == nil {
		if _, err := os.Stat(marker); err != nil {
			return fmt.Errorf("%s holds data that is not a demo's; choose another --data for the demo", f.data)
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(filepath.Join(f.data, "anxin.db"+suffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return err
	}
	return os.WriteFile(marker, []byte("created by anxin demo; the demo recreates this directory's database at every start\n"), 0o600)
}
