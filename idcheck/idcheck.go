// Package idcheck validates the identifiers Chinese customers and companies
// give us: resident ID numbers, unified social credit codes, mobile numbers,
// bank card numbers, passports and the Hong Kong/Macau and Taiwan permits.
//
// Every validator trims surrounding white space, normalises the value to the
// one form we store and compare (upper-case letters, no separators, no country
// prefix) and returns an *Error whose Reason is a stable machine code. The
// package is pure: it reads no clock (callers pass now) and uses only the
// standard library, so the domain package can call it without dependencies.
//
// Reasons are decided in a fixed order so that users see the most useful
// problem first: "empty"; then "format" for characters that can never occur in
// the identifier; then "length"; then "format" for characters in the wrong
// place; then the semantic checks ("area", "birth_date") and finally
// "checksum". A typo in the birth date therefore reports the date, not the
// check character that it also invalidates.
//
// The generators produce valid values for demo data and tests. They are
// deterministic for a given *rand.Rand so that fixtures are reproducible.
package idcheck

import "strings"

// Reason codes carried by *Error. They are part of the API: the HTTP layer and
// the front end key on them, so they must never change.
const (
	ReasonEmpty     = "empty"
	ReasonLength    = "length"
	ReasonFormat    = "format"
	ReasonChecksum  = "checksum"
	ReasonBirthDate = "birth_date"
	ReasonArea      = "area"
)

// Error is returned by every validator; Reason is a stable machine code.
// The messages are unexported so that the only way to show one to a user is
// through Message, which forces the caller to choose a language.
type Error struct {
	Reason string
	zh, en string
}

func newError(reason, zh, en string) *Error {
	return &Error{Reason: reason, zh: zh, en: en}
}

// Error returns the English message prefixed with the package name, as Go
// errors conventionally are; use Message for text shown to users.
func (e *Error) Error() string { return "idcheck: " + e.en }

// Message returns the message in lang: Chinese for "zh" and, as elsewhere in
// the project, for any tag starting with "zh" ("zh-CN", "zh-Hans"); English
// for anything else.
func (e *Error) Message(lang string) string {
	if strings.HasPrefix(lang, "zh") {
		return e.zh
	}
	return e.en
}

// isDigits reports whether s is non-empty and made of ASCII digits only.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// asciiUpper upper-cases a–z only. strings.ToUpper would also map letters
// such as 'ſ' (U+017F) to 'S' and 'ı' to 'I', silently turning non-ASCII input
// into a valid-looking identifier.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
