// Package anxin holds the domain of an insurer's after-sales service platform:
// customers, products, policies, staff and the rules that apply to them.
// It imports only the standard library; storage, HTTP and jobs live in their
// own packages and depend on this one, never the other way round.
package anxin

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. The HTTP layer maps each to a status in one table
// (server/error.go); nothing else decides statuses.
const (
	EInvalid      = "invalid"      // the request is malformed or fails validation
	ENotFound     = "not_found"    // the object does not exist (or the caller may not know it does)
	EConflict     = "conflict"     // the object already exists or the state forbids the change
	EPrecondition = "precondition" // If-Match did not match the current version
	EUnauthorized = "unauthorized" // no valid credentials
	EForbidden    = "forbidden"    // credentials valid, permission missing
	ETooLarge     = "too_large"    // the body exceeds its limit
	ERateLimited  = "rate_limited" // too many attempts
	EUnavailable  = "unavailable"  // a dependency is down; retry later
	EInternal     = "internal"     // a bug or an unexpected failure; logged
	EIdempotency  = "idempotency"  // the same Idempotency-Key was reused with a different request
)

// Error is the one error type of the application. Message is English and
// MessageZH Chinese; Fields lists per-field problems of a validation error.
type Error struct {
	Code      string
	Message   string
	MessageZH string
	Fields    []FieldError
}

// FieldError names one field that failed validation and why, in both languages.
type FieldError struct {
	Field     string `json:"field"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
	MessageZH string `json:"message_zh"`
	Warning   bool   `json:"warning,omitempty"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("anxin: %s: %s", e.Code, e.Message)
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return fmt.Sprintf("anxin: %s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Localized returns the message in lang ("zh…" for Chinese, anything else English).
func (e *Error) Localized(lang string) string {
	if strings.HasPrefix(lang, "zh") && e.MessageZH != "" {
		return e.MessageZH
	}
	return e.Message
}

// Errorf returns an *Error with an English message; the Chinese one is set
// with Errorz where a user can see it.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errorz returns an *Error with messages in both languages.
func Errorz(code, en, zh string) *Error {
	return &Error{Code: code, Message: en, MessageZH: zh}
}

// ErrorCode returns the code of an application error, EInternal for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Problems collects field errors while validating one object.
type Problems struct {
	fields []FieldError
}

// Add records a field error.
func (p *Problems) Add(field, reason, en, zh string) {
	p.fields = append(p.fields, FieldError{Field: field, Reason: reason, Message: en, MessageZH: zh})
}

// Warn records a field warning: it is reported but does not fail validation.
func (p *Problems) Warn(field, reason, en, zh string) {
	p.fields = append(p.fields, FieldError{Field: field, Reason: reason, Message: en, MessageZH: zh, Warning: true})
}

// Required records a missing required field.
func (p *Problems) Required(field string) {
	p.Add(field, "required", "is required", "必填")
}

// Warnings returns only the warnings.
func (p *Problems) Warnings() []FieldError {
	var w []FieldError
	for _, f := range p.fields {
		if f.Warning {
			w = append(w, f)
		}
	}
	return w
}

// Err returns an EInvalid *Error listing every error (warnings included, so
// the caller sees everything at once), or nil when only warnings were found.
func (p *Problems) Err() error {
	for _, f := range p.fields {
		if !f.Warning {
			return &Error{Code: EInvalid, Message: "validation failed", MessageZH: "数据校验未通过", Fields: p.fields}
		}
	}
	return nil
}
