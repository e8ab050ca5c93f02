// Package notify carries messages out of anxin: today the SMS gateway that
// delivers customers' one-time codes. Each driver is one outside technology
// behind the small interface its callers need; cmd/anxin picks the driver.
//
// Drivers never log: a message holds a mobile number and often a secret
// code, and the caller (which knows what may be written down) decides what
// to log, masked.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// SMS sends a text message to a mainland mobile number (11 digits).
type SMS interface {
	Send(ctx context.Context, mobile, text string) error
}

// NewSMS returns the driver rawURL names: "" or "file:" writes to the outbox
// file <dataDir>/outbox/sms.jsonl ("file:PATH" to another file), for
// development, demos and tests; an http:// or https:// URL posts each
// message to that gateway.
func NewSMS(rawURL, dataDir string) (SMS, error) {
	switch {
	case rawURL == "" || rawURL == "file:":
		return &Outbox{Path: filepath.Join(dataDir, "outbox", "sms.jsonl")}, nil
	case strings.HasPrefix(rawURL, "file:"):
		return &Outbox{Path: strings.TrimPrefix(rawURL, "file:")}, nil
	case strings.HasPrefix(rawURL, "http://"), strings.HasPrefix(rawURL, "https://"):
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("sms gateway URL %q is not a valid URL", Redact(rawURL))
		}
		return &HTTP{URL: rawURL}, nil
	}
	return nil, fmt.Errorf("sms gateway %q: use an http(s):// URL, or file: for the outbox file", Redact(rawURL))
}

// Describe names a driver for start-up logs without anything secret.
func Describe(s SMS) string {
	switch d := s.(type) {
	case *Outbox:
		return "outbox file " + d.Path
	case *HTTP:
		return "http gateway " + Redact(d.URL)
	}
	return fmt.Sprintf("%T", s)
}

// Redact keeps a URL's scheme, host and path: gateways often take their
// API key as a query parameter or in the user info.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// Message is one line of the outbox file.
type Message struct {
	At     time.Time `json:"at"`
	Mobile string    `json:"mobile"`
	Text   string    `json:"text"`
}

// Outbox appends each message as one JSON line to a file instead of sending
// it. Several processes may share the file: each message is one write to a
// file opened for appending, which the kernel does not interleave.
//
// The file holds full numbers and live codes, so it is created readable by
// its owner only; it is a development and test driver, not an archive.
type Outbox struct {
	Path string
	// Now stamps messages; nil means time.Now.
	Now func() time.Time

	mu sync.Mutex // orders this process's appends
}

// Send appends the message.
func (o *Outbox) Send(ctx context.Context, mobile, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	line, err := json.Marshal(Message{At: now().UTC(), Mobile: mobile, Text: text})
	if err != nil {
		return err
	}
	line = append(line, '\n')
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return fmt.Errorf("sms outbox: %w", err)
	}
	f, err := os.OpenFile(o.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sms outbox: %w", err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("sms outbox: %w", err)
	}
	return f.Close()
}

// ReadOutbox returns every message in an outbox file, oldest first; a
// missing file holds none.
func ReadOutbox(path string) ([]Message, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []Message
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var m Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("sms outbox %s: %w", path, err)
		}
		out = append(out, m)
	}
}

// HTTPTimeout bounds one call to the gateway when the caller's context
// allows longer: a code that arrives after half a minute is of no use.
const HTTPTimeout = 10 * time.Second

// HTTP posts {"mobile": …, "text": …} as JSON to URL. Any 2xx answer is
// success; anything else, or no answer within the timeout, is an error.
type HTTP struct {
	URL string
	// Client defaults to one with HTTPTimeout.
	Client *http.Client
}

type httpMessage struct {
	Mobile string `json:"mobile"`
	Text   string `json:"text"`
}

// Send posts the message. Errors name the gateway's status or the
// transport failure, never the number, the text or the gateway's answer
// (which may echo the text).
func (h *HTTP) Send(ctx context.Context, mobile, text string) error {
	body, err := json.Marshal(httpMessage{Mobile: mobile, Text: text})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, HTTPTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms gateway %s: %w", Redact(h.URL), err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: HTTPTimeout}
	}
	res, err := client.Do(req)
	if err != nil {
		// A *url.Error repeats the full URL, which may hold a key.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("sms gateway %s: %w", Redact(h.URL), err)
	}
	defer res.Body.Close()
	// Drain a little so the connection can be reused; the content is not
	// needed and may repeat the message.
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("sms gateway %s answered %s", Redact(h.URL), res.Status)
	}
	return nil
}
