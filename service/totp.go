package service

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP (RFC 6238) with the parameters every authenticator app supports:
// SHA-1, 6 digits, 30-second steps. One step either side is accepted for
// clock drift, and a step is accepted once (no replay within its window).
const (
	totpDigits = 6
	totpStep   = 30
	totpSkew   = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret in base32.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return b32.EncodeToString(b)
}

// TOTPURL is the otpauth:// URL an authenticator app scans as a QR code.
func TOTPURL(secret, account string) string {
	v := url.Values{"secret": {secret}, "issuer": {"anxin"}, "digits": {"6"}, "period": {"30"}, "algorithm": {"SHA1"}}
	return "otpauth://totp/" + url.PathEscape("anxin:"+account) + "?" + v.Encode()
}

// totpCode is the code for one time step.
func totpCode(secret string, step int64) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimSpace(secret)))
	if err != nil {
		return "", err
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, bin%1_000_000), nil
}

// checkTOTP returns the step a code matches (within the skew), and whether
// it is newer than lastStep.
func checkTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != totpDigits {
		return 0, false
	}
	cur := now.Unix() / totpStep
	for d := -totpSkew; d <= totpSkew; d++ {
		step := cur + int64(d)
		want, err := totpCode(secret, step)
		if err != nil {
			return 0, false
		}
		if hmac.Equal([]byte(want), []byte(code)) && step > lastStep {
			return step, true
		}
	}
	return 0, false
}

// TOTPCode is the code an authenticator shows at instant t (for tests and
// tools).
func TOTPCode(secret string, t time.Time) (string, error) { return totpCode(secret, t.Unix()/totpStep) }
