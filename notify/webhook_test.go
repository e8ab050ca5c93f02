package notify

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// partner is what a partner's endpoint saw of one delivery.
type partner struct {
	header http.Header
	body   []byte
}

func startPartner(t *testing.T, status int) (*httptest.Server, <-chan partner) {
	t.Helper()
	got := make(chan partner, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost {
			t.Errorf("method %s, want POST", r.Method)
		}
		got <- partner{r.Header.Clone(), body}
		w.WriteHeader(status)
		io.WriteString(w, `{"echo":"13800138000"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestWebhookPost(t *testing.T) {
	at := time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)
	srv, got := startPartner(t, http.StatusNoContent)
	w := &Webhook{Now: func() time.Time { return at }}
	body := []byte(`{"ticket":"GD20261125000123","status":"resolved"}`)
	if err := w.Post(context.Background(), srv.URL+"/hooks?token=tok", "s3cret", "ticket.resolved", "dlv-1", body); err != nil {
		t.Fatal(err)
	}
	p := <-got
	for k, want := range map[string]string{
		"Content-Type":  "application/json",
		HeaderEvent:     "ticket.resolved",
		HeaderDelivery:  "dlv-1",
		HeaderSignature: Sign("s3cret", at, body),
	} {
		if v := p.header.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
	if !strings.HasPrefix(p.header.Get(HeaderSignature), "t=1795595400,v1=") {
		t.Errorf("signature %q does not start with the unix time", p.header.Get(HeaderSignature))
	}
	if string(p.body) != string(body) {
		t.Errorf("body %s, want %s", p.body, body)
	}
	sig := p.header.Get(HeaderSignature)
	for _, tc := range []struct {
		name    string
		secret  string
		header  string
		body    string
		now     time.Time
		wantErr error // nil: verifies
	}{
		{"valid", "s3cret", sig, string(body), at, nil},
		{"valid within tolerance", "s3cret", sig, string(body), at.Add(4 * time.Minute), nil},
		{"clock behind the sender", "s3cret", sig, string(body), at.Add(-4 * time.Minute), nil},
		{"tampered body", "s3cret", sig, strings.Replace(string(body), "resolved", "closed", 1), at, ErrSignatureMismatch},
		{"other secret", "other", sig, string(body), at, ErrSignatureMismatch},
		{"old timestamp", "s3cret", sig, string(body), at.Add(6 * time.Minute), ErrSignatureExpired},
		{"future timestamp", "s3cret", sig, string(body), at.Add(-6 * time.Minute), ErrSignatureExpired},
		{"timestamp moved", "s3cret", strings.Replace(sig, "t=1795595400", "t=1795595700", 1), string(body), at, ErrSignatureMismatch},
		{"timestamp padded", "s3cret", strings.Replace(sig, "t=", "t=0", 1), string(body), at, ErrSignatureMismatch},
		{"rotated secret: second v1 matches", "s3cret", "t=1795595400,v1=" + strings.Repeat("00", 32) + "," + sig[len("t=1795595400,"):], string(body), at, nil},
		{"unknown scheme ignored", "s3cret", sig + ",v2=xyz", string(body), at, nil},
		{"empty", "s3cret", "", string(body), at, ErrSignatureMalformed},
		{"no v1", "s3cret", "t=1795595400", string(body), at, ErrSignatureMalformed},
		{"no t", "s3cret", sig[len("t=1795595400,"):], string(body), at, ErrSignatureMalformed},
		{"v1 not hex", "s3cret", "t=1795595400,v1=zz", string(body), at, ErrSignatureMalformed},
		{"v1 short", "s3cret", "t=1795595400,v1=abcd", string(body), at, ErrSignatureMalformed},
		{"t not a number", "s3cret", "t=yesterday," + sig[len("t=1795595400,"):], string(body), at, ErrSignatureMalformed},
		{"two t", "s3cret", "t=1795595400," + sig, string(body), at, ErrSignatureMalformed},
	} {
		err := VerifySignature(tc.secret, tc.header, []byte(tc.body), tc.now, 5*time.Minute)
		if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.wantErr)
		}
	}
}

// A partner's error is an error naming the status, but neither its answer
// nor the URL's token.
func TestWebhookPostFailure(t *testing.T) {
	srv, got := startPartner(t, http.StatusInternalServerError)
	var w Webhook
	err := w.Post(context.Background(), srv.URL+"/hooks?token=tok", "s3cret", "ticket.created", "dlv-2", []byte(`{}`))
	<-got
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("error %v, want one naming the 500", err)
	}
	for _, secret := range []string{"tok", "13800138000"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %q", err, secret)
		}
	}
	if err := w.Post(context.Background(), srv.URL, "", "ticket.created", "dlv-3", []byte(`{}`)); err == nil {
		t.Error("posting without a secret succeeded")
	}
}

// The default client does not follow a redirect with the signed body.
func TestWebhookRedirect(t *testing.T) {
	var followed atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Store(true) }))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer srv.Close()
	var w Webhook
	err := w.Post(context.Background(), srv.URL, "s3cret", "ticket.created", "dlv-4", []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "307") {
		t.Errorf("error %v, want one naming the 307", err)
	}
	if followed.Load() {
		t.Error("the redirect was followed")
	}
}

// A partner that does not answer in time is an error, not a stuck worker.
func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	w := &Webhook{Client: &http.Client{Timeout: 50 * time.Millisecond}}
	err := w.Post(context.Background(), srv.URL, "s3cret", "ticket.created", "dlv-5", []byte(`{}`))
	if err == nil {
		t.Fatal("no error from a partner that never answers")
	}
}

// The header comes from outside: whatever it holds, verifying never
// panics, and succeeds only with the real MAC.
func FuzzVerifySignature(f *testing.F) {
	at := time.Unix(1795595400, 0)
	body := []byte(`{"ticket":"GD20261125000123"}`)
	f.Add(Sign("k", at, body), body)
	f.Add("t=1795595400,v1=", body)
	f.Add("t=,v1=,", []byte{})
	f.Add("t=-1,v1=00", []byte("x"))
	f.Add("t=99999999999999999999,v1="+strings.Repeat("a", 64), body)
	f.Add(",,,==,t=1", body)
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := VerifySignature("k", header, body, at, time.Minute)
		// hex digits may come in either case
		if err == nil && !strings.Contains(strings.ToLower(header), Sign("k", at, body)[len("t=1795595400,"):]) {
			t.Errorf("verified %q without the MAC", header)
		}
	})
}
