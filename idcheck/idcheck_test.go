package idcheck

import (
	"errors"
	"testing"
	"unicode"
)

// reasonOf returns the Reason of an *Error, "" for nil and "<not *Error>" for
// anything else, so table tests can compare a single string.
func reasonOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return "<not *Error>"
	}
	checkMessages(t, e)
	return e.Reason
}

// checkMessages asserts that an error carries a Chinese and an English text,
// so no validator can ship a reason that shows users an empty string.
func checkMessages(t *testing.T, e *Error) {
	t.Helper()
	zh, en := e.Message("zh"), e.Message("en")
	hasHan := false
	for _, r := range zh {
		if unicode.Is(unicode.Han, r) {
			hasHan = true
			break
		}
	}
	if !hasHan {
		t.Errorf("reason %q: Chinese message %q has no Chinese text", e.Reason, zh)
	}
	if en == "" || en == zh {
		t.Errorf("reason %q: English message %q missing or same as Chinese", e.Reason, en)
	}
	for _, r := range en {
		if r > unicode.MaxASCII {
			t.Errorf("reason %q: English message %q contains non-ASCII %q", e.Reason, en, r)
			break
		}
	}
}

func TestErrorMessage(t *testing.T) {
	_, err := Mobile("12345")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Mobile(12345) error = %v, want *Error", err)
	}
	tests := []struct {
		lang, want string
	}{
		{"zh", "手机号码应为11位数字"},
		{"zh-CN", "手机号码应为11位数字"},
		{"en", "mobile number must have 11 digits"},
		{"", "mobile number must have 11 digits"},
		{"fr", "mobile number must have 11 digits"},
	}
	for _, tt := range tests {
		if got := e.Message(tt.lang); got != tt.want {
			t.Errorf("Message(%q) = %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got, want := e.Error(), "idcheck: mobile number must have 11 digits"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
