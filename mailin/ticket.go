package mailin

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
)

// A ticket number is "GD", a yyyymmdd date and a 6-digit sequence:
// GD20261125000123.
const (
	ticketPrefix = "GD"
	ticketLen    = len(ticketPrefix) + 14
	// idDomain ends the message ids of our outgoing mail.
	idDomain = "anxin.local"
)

// MessageIDFor returns a fresh Message-ID for mail about ticket number:
// "<GD20261125000123.1a2b3c4d5e6f7a8b@anxin.local>". A customer's reply
// carries it in In-Reply-To and References, which is how TicketNumber finds
// the ticket even when the customer rewrote the subject. The random part
// keeps ids unique across notices and nodes.
func MessageIDFor(number string) string {
	var b [8]byte
	rand.Read(b[:]) // never fails; it panics if the system has no randomness
	return "<" + number + "." + hex.EncodeToString(b[:]) + "@" + idDomain + ">"
}

// TicketNumber returns the number of the ticket in is a reply to, or "" if
// it names none: first a number in the Subject ("Re: [GD20261125000123]
// 关于保单…"), else one in the message ids of In-Reply-To and then
// References (newest first) that MessageIDFor made.
func TicketNumber(in *Inbound) string {
	if in == nil {
		return ""
	}
	if n := ticketInText(in.Subject); n != "" {
		return n
	}
	if n := ticketInID(in.InReplyTo); n != "" {
		return n
	}
	for i := len(in.References) - 1; i >= 0; i-- {
		if n := ticketInID(in.References[i]); n != "" {
			return n
		}
	}
	return ""
}

// ticketInText finds the first ticket number standing on its own in s: not
// inside a longer run of letters and digits, so "GD202611250001234" (15
// digits) and "XGD20261125000123" are not numbers. Letters around it may be
// Chinese ("工单GD20261125000123已受理").
func ticketInText(s string) string {
	for i := 0; i+ticketLen <= len(s); i++ {
		if !strings.EqualFold(s[i:i+2], ticketPrefix) {
			continue
		}
		if i > 0 && isAlnum(s[i-1]) || i+ticketLen < len(s) && isAlnum(s[i+ticketLen]) {
			continue
		}
		if n := strings.ToUpper(s[i : i+ticketLen]); isTicket(n) {
			return n
		}
	}
	return ""
}

// ticketInID reads the ticket number from an id of MessageIDFor's form:
// "<" + number + "." + anything + "@anxin.local>".
func ticketInID(id string) string {
	id, ok := strings.CutPrefix(id, "<")
	if !ok || !strings.HasSuffix(id, "@"+idDomain+">") || len(id) <= ticketLen || id[ticketLen] != '.' {
		return ""
	}
	if n := strings.ToUpper(id[:ticketLen]); isTicket(n) {
		return n
	}
	return ""
}

// isTicket checks the form, including that the date is a real one, which
// keeps order and policy numbers of the same length from passing.
func isTicket(n string) bool {
	if len(n) != ticketLen || !strings.HasPrefix(n, ticketPrefix) {
		return false
	}
	for i := len(ticketPrefix); i < ticketLen; i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	_, err := time.Parse("20060102", n[2:10])
	return err == nil
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
