package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewSMS(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		url     string
		want    string // the driver's Describe, or "" for an error
		wantErr string
	}{
		{"", "outbox file " + filepath.Join(dir, "outbox", "sms.jsonl"), ""},
		{"file:", "outbox file " + filepath.Join(dir, "outbox", "sms.jsonl"), ""},
		{"file:/tmp/x.jsonl", "outbox file /tmp/x.jsonl", ""},
		{"https://user:secret@sms.example.cn/send?key=k123", "http gateway https://sms.example.cn/send", ""},
		{"http://127.0.0.1:9000/sms", "http gateway http://127.0.0.1:9000/sms", ""},
		{"ftp://sms.example.cn", "", "use an http(s):// URL"},
		{"https://", "", "not a valid URL"},
	} {
		s, err := NewSMS(tc.url, dir)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NewSMS(%q): error %v, want one containing %q", tc.url, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewSMS(%q): %v", tc.url, err)
			continue
		}
		if got := Describe(s); got != tc.want {
			t.Errorf("NewSMS(%q) is %q, want %q", tc.url, got, tc.want)
		}
		if strings.Contains(Describe(s), "secret") || strings.Contains(Describe(s), "k123") {
			t.Errorf("Describe leaks a credential: %q", Describe(s))
		}
	}
}

// The outbox holds one JSON line per message, in order, from concurrent
// senders, and is readable by its owner only.
func TestOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox", "sms.jsonl")
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	o := &Outbox{Path: path, Now: func() time.Time { return at }}
	if msgs, err := ReadOutbox(path); err != nil || len(msgs) != 0 {
		t.Fatalf("missing outbox: %v %v", msgs, err)
	}
	if err := o.Send(context.Background(), "13800138000", "【安心】您的登录验证码为 123456，5分钟内有效。请勿泄露给他人。"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := o.Send(context.Background(), "13900000000", strings.Repeat("长", 300)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs, err := ReadOutbox(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 21 {
		t.Fatalf("%d messages, want 21", len(msgs))
	}
	if m := msgs[0]; m.Mobile != "13800138000" || !strings.Contains(m.Text, "123456") || !m.At.Equal(at) {
		t.Errorf("first message: %+v", m)
	}
	raw, _ := os.ReadFile(path)
	if n := strings.Count(string(raw), "\n"); n != 21 {
		t.Errorf("%d lines", n)
	}
	var first map[string]any
	json.Unmarshal([]byte(strings.SplitN(string(raw), "\n", 2)[0]), &first)
	for _, k := range []string{"at", "mobile", "text"} {
		if _, ok := first[k]; !ok {
			t.Errorf("line lacks %q: %v", k, first)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("outbox mode: %v %v", fi.Mode(), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Send(ctx, "13800138000", "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled send: %v", err)
	}
}

func TestHTTP(t *testing.T) {
	var mu sync.Mutex
	var got []httpMessage
	status := http.StatusOK
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		var m httpMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, m)
		code := status
		mu.Unlock()
		w.WriteHeader(code)
		w.Write([]byte(`{"echo":"` + m.Text + `"}`))
	}))
	defer gw.Close()

	s, err := NewSMS(gw.URL+"/send?key=secret-key", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Send(ctx, "13800138000", "验证码 654321"); err != nil {
		t.Fatalf("2xx: %v", err)
	}
	if len(got) != 1 || got[0].Mobile != "13800138000" || got[0].Text != "验证码 654321" {
		t.Fatalf("gateway received %+v", got)
	}

	mu.Lock()
	status = http.StatusServiceUnavailable
	mu.Unlock()
	err = s.Send(ctx, "13800138000", "验证码 654321")
	if err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("non-2xx: %v", err)
	}
	for _, leak := range []string{"654321", "13800138000", "secret-key"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error leaks %q: %v", leak, err)
		}
	}

	// A gateway that does not answer in time is an error, not a hang.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The server notices a client hanging up only once the body is read.
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer slow.Close()
	h := &HTTP{URL: slow.URL + "?key=secret-key", Client: &http.Client{Timeout: 100 * time.Millisecond}}
	start := time.Now()
	err = h.Send(ctx, "13800138000", "x")
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("slow gateway: %v after %v", err, time.Since(start))
	}
	if strings.Contains(err.Error(), "secret-key") {
		t.Errorf("error leaks the key: %v", err)
	}

	// Nothing listens: a transport error.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	if err := (&HTTP{URL: gone.URL}).Send(ctx, "13800138000", "x"); err == nil {
		t.Fatal("closed gateway: no error")
	}
}
