package service

import (
	"encoding/base32"
	"testing"
	"time"
)

// RFC 6238 appendix B, SHA-1, truncated to 6 digits.
func TestTOTPVectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for _, tt := range []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		got, err := totpCode(secret, tt.unix/30)
		if err != nil || got != tt.want {
			t.Errorf("T=%d: %s %v, want %s", tt.unix, got, err, tt.want)
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := NewTOTPSecret()
	now := time.Unix(1_800_000_000, 0)
	code, _ := totpCode(secret, now.Unix()/30)
	prev, _ := totpCode(secret, now.Unix()/30-1)
	old, _ := totpCode(secret, now.Unix()/30-3)
	step, ok := checkTOTP(secret, code, now, 0)
	if !ok {
		t.Fatal("current code refused")
	}
	if _, ok := checkTOTP(secret, code, now, step); ok {
		t.Fatal("a code was accepted twice")
	}
	if _, ok := checkTOTP(secret, prev, now, 0); !ok {
		t.Fatal("one step of drift refused")
	}
	if _, ok := checkTOTP(secret, old, now, 0); ok {
		t.Fatal("a 90-second-old code accepted")
	}
	if _, ok := checkTOTP(secret, "12345", now, 0); ok {
		t.Fatal("short code accepted")
	}
}
