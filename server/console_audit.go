package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/web"
)

// consoleAuditPerPage is a page of audit records: an auditor reads a
// stretch of history at a time, so it is longer than a customer page.
const consoleAuditPerPage = 50

// The object types and actions the search form suggests. They are
// suggestions only: the fields take any value, so a kind of record added
// later is searchable before anyone updates these lists.
var (
	consoleAuditObjectTypes = []string{"customer", "policy", "product", "staff", "api_token", "session", "calendar", "keys", "route", "export", "import"}
	consoleAuditActions     = []string{"create", "update", "put", "delete", "sign_in", "sign_in_failed", "sign_out", "revoke_sessions",
		"permission_denied", "unmask", "export", "import", "load", "rotate_keys"}
)

// consoleAuditForm is the search form as typed, echoed back into it.
type consoleAuditForm struct {
	Actor      string
	ObjectType string
	ObjectID   string
	Action     string
	From       string // a date, 2006-01-02, in the calendar's zone
	To         string // a date, inclusive
}

type consoleAuditPage struct {
	Form        consoleAuditForm
	Error       string // a date the search could not use
	Rows        []consoleAuditRow
	NextURL     string
	FirstURL    string
	ObjectTypes []consoleOption
	Actions     []consoleOption
}

type consoleOption struct{ Value, Label string }

type consoleAuditRow struct {
	At         string // in the calendar's zone, to the second
	ActorName  string
	ActorKind  string
	ActorRole  anxin.Role
	Channel    string
	IP         string
	Action     string
	ObjectType string
	ObjectID   string
	Changes    []consoleAuditChange
	Detail     string
	RequestID  string
}

type consoleAuditChange struct{ Field, Before, After string }

// consoleAudit is the audit log search. Like the customer search, htmx
// asks for the results fragment and the same URL without htmx is the whole
// page, so a search can be bookmarked and sent to a colleague.
func (s *Server) consoleAudit(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	lang := language(r)
	q := r.URL.Query()
	form := consoleAuditForm{Actor: strings.TrimSpace(q.Get("actor")), ObjectType: strings.TrimSpace(q.Get("type")),
		ObjectID: strings.TrimSpace(q.Get("object")), Action: strings.TrimSpace(q.Get("action")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	page := consoleAuditPage{Form: form}
	for _, v := range consoleAuditObjectTypes {
		page.ObjectTypes = append(page.ObjectTypes, consoleOption{v, web.Enum(lang, "auditobject", v)})
	}
	for _, v := range consoleAuditActions {
		page.Actions = append(page.Actions, consoleOption{v, web.Enum(lang, "auditaction", v)})
	}
	f := store.AuditFilter{Actor: form.Actor, ObjectType: form.ObjectType, ObjectID: form.ObjectID, Action: form.Action, Limit: consoleAuditPerPage + 1}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return fieldErr("cursor", "format", "is not a cursor this page returned", "不是本页面返回的翻页位置")
		}
		f.Cursor = string(b)
	}
	// Dates are days where staff live (Beijing time by default); the range
	// covers both whole days, so "to" is the start of the day after it.
	loc := s.svc.Calendar.Location()
	var err error
	if f.From, err = consoleAuditDay(form.From, loc); err != nil {
		page.Error = web.T(lang, "audit.bad.from")
	}
	if f.To, err = consoleAuditDay(form.To, loc); err != nil {
		page.Error = web.T(lang, "audit.bad.to")
	} else if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1)
	}
	if page.Error == "" && !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		page.Error = web.T(lang, "audit.bad.range")
	}
	if page.Error == "" {
		// One more than a page tells whether a next page exists.
		recs, err := s.svc.SearchAudit(r.Context(), p.Actor, f)
		if err != nil {
			return err
		}
		if len(recs) > consoleAuditPerPage {
			recs = recs[:consoleAuditPerPage]
			page.NextURL = consoleAuditURL(form, base64.RawURLEncoding.EncodeToString([]byte(recs[len(recs)-1].Cursor())))
		}
		for _, rec := range recs {
			page.Rows = append(page.Rows, s.consoleAuditRow(rec))
		}
		if f.Cursor != "" {
			page.FirstURL = consoleAuditURL(form, "")
		}
	}
	v := s.newConsoleView(r, p, "audit", web.T(lang, "audit.title"), page)
	block := "layout"
	if consoleFragment(r) {
		block = "results"
	}
	return s.consoleRender(w, r, http.StatusOK, "audit", block, v)
}

func (s *Server) consoleAuditRow(rec store.AuditRecord) consoleAuditRow {
	row := consoleAuditRow{At: s.consoleTime(rec.At).Format(time.DateTime), ActorName: rec.ActorName, ActorKind: rec.ActorKind,
		ActorRole: anxin.Role(rec.ActorRole), Channel: rec.Channel, IP: rec.IP, Action: rec.Action, ObjectType: rec.ObjectType,
		ObjectID: rec.ObjectID, Detail: rec.Detail, RequestID: rec.RequestID}
	if row.ActorName == "" {
		row.ActorName = rec.ActorID
	}
	for _, field := range slices.Sorted(maps.Keys(rec.Changes)) {
		c := rec.Changes[field]
		row.Changes = append(row.Changes, consoleAuditChange{Field: field, Before: consoleAuditValue(c[0]), After: consoleAuditValue(c[1])})
	}
	return row
}

// consoleAuditValue shows one side of a change: text as it is, nothing as
// a dash, anything else (numbers, lists) as its JSON.
func consoleAuditValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// consoleAuditDay parses a 2006-01-02 date as the start of that day in loc;
// empty is the zero time (an open end).
func consoleAuditDay(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(time.DateOnly, s, loc)
}

func consoleAuditURL(f consoleAuditForm, cursor string) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"actor", f.Actor}, {"type", f.ObjectType}, {"object", f.ObjectID}, {"action", f.Action},
		{"from", f.From}, {"to", f.To}, {"cursor", cursor}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if len(v) == 0 {
		return "/audit"
	}
	return "/audit?" + v.Encode()
}
