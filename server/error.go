package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/anxin-insure/anxin"
)

// statusOf maps error codes to HTTP statuses: the one place that does.
var statusOf = map[string]int{
	anxin.EInvalid:        http.StatusUnprocessableEntity,
	anxin.ENotFound:       http.StatusNotFound,
	anxin.EConflict:       http.StatusConflict,
	anxin.EPrecondition:   http.StatusPreconditionFailed,
	anxin.EUnauthorized:   http.StatusUnauthorized,
	anxin.EForbidden:      http.StatusForbidden,
	anxin.ETooLarge:       http.StatusRequestEntityTooLarge,
	anxin.ERateLimited:    http.StatusTooManyRequests,
	anxin.EUnavailable:    http.StatusServiceUnavailable,
	anxin.EIdempotency:    http.StatusUnprocessableEntity,
	anxin.EInternal:       http.StatusInternalServerError,
	ePreconditionRequired: http.StatusPreconditionRequired,
	eBadRequest:           http.StatusBadRequest,
	eMethod:               http.StatusMethodNotAllowed,
	eUnsupported:          http.StatusUnsupportedMediaType,
}

// Codes only the HTTP layer produces.
const (
	ePreconditionRequired = "precondition_required"
	eBadRequest           = "bad_request"
	eMethod               = "method_not_allowed"
	eUnsupported          = "unsupported_media_type"
)

// Problem is an RFC 9457 problem document with anxin's extensions.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Code      string         `json:"code"`
	Errors    []ProblemField `json:"errors,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
}

// ProblemField is one field error, in the caller's language.
type ProblemField struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Warning bool   `json:"warning,omitempty"`
}

// asAppError returns err as an application error; anything else is internal.
func asAppError(err error) *anxin.Error {
	var e *anxin.Error
	if !errors.As(err, &e) {
		e = &anxin.Error{Code: anxin.EInternal}
	}
	return e
}

// resolve is what every error answer (JSON, console page, self-service page)
// shares: the application error, its status from the one table, and its
// field errors in lang. An internal error is logged here, once.
func (s *Server) resolve(r *http.Request, err error, lang string) (*anxin.Error, int, []ProblemField) {
	e := asAppError(err)
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "internal error", "err", err, "route", r.Pattern, slog.String("request_id", requestID(r.Context())))
	}
	var fields []ProblemField
	for _, f := range e.Fields {
		msg := f.Message
		if isZH(lang) {
			msg = f.MessageZH
		}
		fields = append(fields, ProblemField{Field: f.Field, Reason: f.Reason, Message: msg, Warning: f.Warning})
	}
	return e, status, fields
}

// writeError answers err as problem+json in the request's language.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	lang := language(r)
	e, status, fields := s.resolve(r, err, lang)
	p := Problem{Type: "https://anxin.dev/problems/" + e.Code, Title: http.StatusText(status), Status: status, Code: e.Code,
		Errors: fields, RequestID: requestID(r.Context())}
	if status == http.StatusInternalServerError {
		p.Detail = tr(lang, "An internal error occurred; it has been logged.", "服务器内部错误，已记录日志。")
	} else {
		p.Detail = e.Localized(lang)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

func tr(lang, en, zh string) string {
	if isZH(lang) {
		return zh
	}
	return en
}
