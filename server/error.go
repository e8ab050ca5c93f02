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

// writeError answers err as problem+json in the request's language. Only
// internal errors are logged, once, here.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *anxin.Error
	if !errors.As(err, &e) {
		e = &anxin.Error{Code: anxin.EInternal}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	lang := language(r)
	p := Problem{Type: "https://anxin.dev/problems/" + e.Code, Status: status, Code: e.Code, RequestID: requestID(r.Context())}
	p.Title = http.StatusText(status)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "internal error", "err", err, "route", r.Pattern, slog.String("request_id", p.RequestID))
		p.Detail = tr(lang, "An internal error occurred; it has been logged.", "服务器内部错误，已记录日志。")
	} else {
		p.Detail = e.Localized(lang)
	}
	for _, f := range e.Fields {
		msg := f.Message
		if isZH(lang) {
			msg = f.MessageZH
		}
		p.Errors = append(p.Errors, ProblemField{Field: f.Field, Reason: f.Reason, Message: msg, Warning: f.Warning})
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
