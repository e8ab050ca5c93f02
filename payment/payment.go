// Package payment hands approved claim payouts (理赔支付) to whatever moves
// the money: today a bank-transfer batch file (银行代付批量文件) that
// operations send to the bank, and an in-memory gateway for tests. Each
// driver is one technology behind the single-method Gateway interface, so
// the claim service never knows which one it talks to; cmd/anxin picks the
// driver with Open.
//
// The one property every driver must have is idempotency by instruction ID.
// The claim service records an instruction before paying it and retries
// after a crash, a timeout or a restart without knowing whether the first
// attempt went through; only the gateway can tell, so the gateway, not the
// caller, is what stops a claim from being paid twice.
//
// Drivers never log: an instruction holds a payee's name and full account
// number, and the caller (which knows what may be written down) decides
// what to log, masked. Instruction's String and LogValue mask both, so an
// instruction that ends up in a log line by accident does not leak them.
package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/anxin-insure/anxin"
)

// Instruction is one payout to one payee. ID is the idempotency key: the
// claim service creates exactly one instruction per approved amount and may
// call Pay with the same ID again after a crash or retry; a gateway must
// never pay the same ID twice and must return the same Result for it.
type Instruction struct {
	ID          string    // e.g. "pay_..." unique
	ClaimNumber string    // e.g. "LP20261125000001"
	PayeeName   string    // the account holder's name, as the bank knows it
	BankName    string    // 开户行
	Account     string    // full bank card / account number (digits), plaintext only in memory
	Amount      anxin.Fen // must be > 0
	Memo        string    // e.g. "理赔款 LP2026..."
	CreatedAt   time.Time
}

// String masks the payee and the account: fmt's %v and %+v of an
// instruction end up in error messages and logs more often than anyone
// intends, and neither needs more than the last four digits.
func (in Instruction) String() string {
	return fmt.Sprintf("{ID:%s ClaimNumber:%s PayeeName:%s BankName:%s Account:%s Amount:%s Memo:%s CreatedAt:%s}",
		in.ID, in.ClaimNumber, anxin.MaskName(in.PayeeName), in.BankName,
		anxin.Mask(anxin.FieldBankAccount, in.Account), in.Amount, in.Memo, in.CreatedAt.Format(time.RFC3339))
}

// GoString makes %#v mask too, for the same reason as String.
func (in Instruction) GoString() string { return "payment.Instruction" + in.String() }

// LogValue masks for log/slog, whose JSON handler would otherwise write
// every exported field in full.
func (in Instruction) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", in.ID),
		slog.String("claim_number", in.ClaimNumber),
		slog.String("payee", anxin.MaskName(in.PayeeName)),
		slog.String("account", anxin.Mask(anxin.FieldBankAccount, in.Account)),
		slog.String("amount", in.Amount.String()),
	)
}

// Result is the gateway's receipt for an instruction. A gateway returns the
// identical Result (== compares equal) every time it is asked about the same
// ID, so the caller can store whichever copy it received.
type Result struct {
	Reference string    // the gateway's reference for the payment
	At        time.Time // when the gateway accepted it
}

// Gateway pays instructions. Pay returns a Result once the gateway has
// durably accepted the instruction (it will be paid, or already has been).
// An error wrapped by Permanent will recur on every retry; any other error
// leaves the instruction unpaid-or-unknown, and the caller retries with the
// same ID until it gets a Result or a permanent error.
type Gateway interface {
	Pay(ctx context.Context, in Instruction) (Result, error)
}

// permanentError marks an error retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps an error the gateway will never accept on retry (bad
// account, amount <= 0): the caller stops retrying and a person looks at it.
// Retrying such an instruction forever would hide it from the people who
// can fix it. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or any error it wraps, came from
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Validate checks what every driver needs of an instruction; an error is
// permanent. Messages never quote the account number or the payee, because
// callers log errors.
func Validate(in Instruction) error {
	bad := func(format string, args ...any) error {
		id := in.ID
		if id == "" {
			id = "(no id)"
		}
		return Permanent(fmt.Errorf("payment %s: "+format, append([]any{id}, args...)...))
	}
	switch {
	case in.ID == "":
		return bad("instruction has no ID")
	case len(in.ID) > maxIDLen:
		return bad("ID is longer than %d bytes", maxIDLen)
	case strings.ContainsFunc(in.ID, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return bad("ID contains spaces or control characters")
	case strings.TrimSpace(in.PayeeName) == "":
		return bad("no payee name")
	case !accountRE.MatchString(in.Account):
		return bad("account must be 8 to 30 digits (got %d characters)", len([]rune(in.Account)))
	case in.Amount <= 0:
		return bad("amount %s is not positive", in.Amount)
	}
	for _, f := range []struct{ name, v string }{
		{"payee name", in.PayeeName}, {"bank name", in.BankName}, {"memo", in.Memo}, {"claim number", in.ClaimNumber},
	} {
		// A line break would split the batch file's row in two, and a
		// leading = + - @ is a formula to the spreadsheet an operator opens
		// the file with; no real name, bank or memo needs either.
		if strings.ContainsFunc(f.v, unicode.IsControl) {
			return bad("%s contains control characters or line breaks", f.name)
		}
		if f.v != "" && strings.ContainsRune("=+-@", rune(f.v[0])) {
			return bad("%s starts with %q, which spreadsheets run as a formula", f.name, f.v[:1])
		}
	}
	return nil
}

// maxIDLen bounds IDs so a malformed one cannot bloat the index.
const maxIDLen = 128

var accountRE = regexp.MustCompile(`^[0-9]{8,30}$`)

// beijing is the zone banks cut their days in. Without tzdata on the host
// a fixed +08:00 is exact: China has had no daylight saving since 1991.
var beijing = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// schemeRE is RFC 3986's scheme followed by ':'; anything without one is a
// directory path.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// Open chooses a driver by URL: "batch:///abs/dir" or a plain directory
// path selects BatchFile in that directory; "test://" a new TestGateway,
// with "test://?fail=N" failing the first N calls for each ID with a
// temporary error. Open does not touch the disk: the directory is created
// at the first payment.
//
// Unknown schemes are an error rather than a path, so a typo such as
// "bacth:///srv/payouts" cannot quietly create a directory named after it.
func Open(rawURL string) (Gateway, error) {
	if strings.TrimSpace(rawURL) == "" {
		return nil, errors.New("payment gateway: empty URL; use batch:///abs/dir, a directory path, or test://")
	}
	if !schemeRE.MatchString(rawURL) {
		return &BatchFile{Dir: rawURL}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("payment gateway %q: not a valid URL", redact(rawURL))
	}
	bad := func(why string) error { return fmt.Errorf("payment gateway %q: %s", redact(rawURL), why) }
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("malformed query")
	}
	switch strings.ToLower(u.Scheme) {
	case "batch":
		switch {
		case u.Opaque != "" || u.Host != "":
			return nil, bad("write batch:///abs/dir (three slashes and an absolute path)")
		case u.Path == "" || u.Path == "/":
			return nil, bad("needs a directory, as in batch:///srv/anxin/payouts")
		case len(q) > 0 || u.Fragment != "":
			return nil, bad("batch takes no parameters")
		}
		return &BatchFile{Dir: u.Path}, nil
	case "test":
		if u.Opaque != "" || u.Host != "" || (u.Path != "" && u.Path != "/") {
			return nil, bad("write test:// or test://?fail=N")
		}
		fail := 0
		for k, v := range q {
			if k != "fail" {
				return nil, bad(fmt.Sprintf("unknown parameter %q (test takes fail=N)", k))
			}
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 0 || len(v) > 1 {
				return nil, bad("fail= takes one whole number >= 0")
			}
			fail = n
		}
		return NewTestGateway(fail), nil
	}
	return nil, fmt.Errorf("payment gateway %q: unknown scheme %q; use batch:///abs/dir, a directory path (start it with ./ if its name has a colon), or test://",
		redact(rawURL), u.Scheme)
}

// redact keeps a URL's scheme, host and path: a future gateway will take
// its credentials in the user info or the query, and Open's errors are
// logged.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
