package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook headers. Partners verify X-Anxin-Signature with VerifySignature
// (or its recipe: HMAC-SHA256 over "<t>.<body>") and use X-Anxin-Delivery to
// drop a delivery they already processed, since a retry repeats it.
const (
	HeaderEvent     = "X-Anxin-Event"
	HeaderDelivery  = "X-Anxin-Delivery"
	HeaderSignature = "X-Anxin-Signature"
)

// WebhookTimeout bounds one delivery when the Client sets no timeout of its
// own: a partner that has not answered in 10 s is retried later rather than
// holding a worker.
const WebhookTimeout = 10 * time.Second

// DefaultTolerance is how far a signature's timestamp may be from the
// verifier's clock when VerifySignature is given no tolerance: long enough
// for clock skew and a slow network, short enough to make a captured
// request useless for replay soon after.
const DefaultTolerance = 5 * time.Minute

// Errors from VerifySignature; wrapped, so test with errors.Is.
var (
	ErrSignatureMalformed = errors.New("webhook signature header is malformed")
	ErrSignatureMismatch  = errors.New("webhook signature does not match")
	ErrSignatureExpired   = errors.New("webhook signature timestamp is outside the tolerance")
)

// Webhook posts signed JSON events to partners' URLs. The zero value is
// ready to use.
type Webhook struct {
	// Client sends the requests. nil means one with WebhookTimeout that
	// does not follow redirects: a redirect would carry the signed body to
	// an address the partner never registered.
	Client *http.Client
	// Now stamps signatures; nil means time.Now.
	Now func() time.Time
}

// Post delivers body as one event. Any 2xx answer is success; anything
// else, or no answer in time, is an error naming the URL (without its
// query, which may hold a token) and the status, never the body or the
// answer, which may repeat personal data.
func (w *Webhook) Post(ctx context.Context, rawURL, secret, event, deliveryID string, body []byte) error {
	where := Redact(rawURL)
	if secret == "" {
		// An unsigned event would teach partners to skip verification.
		return fmt.Errorf("webhook %s: no secret to sign with", where)
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	client := w.Client
	if client == nil {
		client = &http.Client{
			Timeout:       WebhookTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if client.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, WebhookTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", where, unwrapURLError(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "anxin-webhook/1")
	req.Header.Set(HeaderEvent, event)
	req.Header.Set(HeaderDelivery, deliveryID)
	req.Header.Set(HeaderSignature, Sign(secret, now(), body))
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", where, unwrapURLError(err))
	}
	defer res.Body.Close()
	// Drain a little so the connection can be reused; the content is not
	// needed.
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook %s answered %s", where, res.Status)
	}
	return nil
}

// unwrapURLError drops a *url.Error's copy of the full URL, which may hold
// a token.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Sign returns the X-Anxin-Signature value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". The
// timestamp is inside the MAC so that an old request cannot be replayed
// with a fresh time.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifySignature checks a X-Anxin-Signature header against body: one of
// its v1 values must be the MAC of its timestamp and body under secret, and
// the timestamp must lie within tolerance of now (DefaultTolerance when
// tolerance is not positive). Unknown keys are ignored, so a later scheme
// can be added beside v1. The error wraps ErrSignatureMalformed,
// ErrSignatureMismatch or ErrSignatureExpired.
func VerifySignature(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if secret == "" {
		return errors.New("webhook signature: no secret to verify with")
	}
	var (
		ts    string
		sent  int64
		hasTS bool
		sigs  [][]byte
	)
	for field := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok {
			return fmt.Errorf("%w: field without '='", ErrSignatureMalformed)
		}
		switch k {
		case "t":
			if hasTS {
				return fmt.Errorf("%w: two timestamps", ErrSignatureMalformed)
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 || v[0] == '+' {
				return fmt.Errorf("%w: timestamp is not unix seconds", ErrSignatureMalformed)
			}
			ts, sent, hasTS = v, n, true
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256 MAC", ErrSignatureMalformed)
			}
			sigs = append(sigs, sig)
		}
	}
	if !hasTS || len(sigs) == 0 {
		return fmt.Errorf("%w: needs t= and v1=", ErrSignatureMalformed)
	}
	// The MAC covers the timestamp exactly as sent, so "t=0017…" cannot
	// stand in for "t=17…".
	want := mac(secret, ts, body)
	match := false
	for _, sig := range sigs {
		// hmac.Equal takes the same time wherever the first difference is.
		match = hmac.Equal(sig, want) || match
	}
	if !match {
		return ErrSignatureMismatch
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Sub saturates instead of overflowing for absurd timestamps.
	if d := now.Sub(time.Unix(sent, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: signed %s before now", ErrSignatureExpired, d.Round(time.Second))
	}
	return nil
}
