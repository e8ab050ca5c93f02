package server

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/web"
)

// consoleViews are the console's templates, parsed once per process: they
// come from the embedded files and never change while it runs.
var consoleViews = sync.OnceValue(func() *web.Views {
	v, err := web.Load()
	if err != nil {
		panic(err)
	}
	return v
})

// consoleRoutes is the staff console: server-rendered pages that htmx
// enhances and that work without JavaScript.
func (s *Server) consoleRoutes() []Route {
	// Parse now so that a broken template stops the node at start-up
	// instead of failing its first page view.
	consoleViews()
	page := func(method, path string, access Access, perm anxin.Permission, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: access, Permission: perm, Summary: summary, handle: h}
	}
	return append([]Route{
		page("GET", "/{$}", Public, "", "Console home: goes to the customer search", s.consoleHome),
		page("GET", "/login", Public, "", "Sign-in form", s.consoleLoginForm),
		page("POST", "/login", Public, "", "Sign in and go on to the page asked for", s.consoleLogin),
		page("POST", "/logout", Staff, "", "Sign out", s.consoleLogout),
		page("GET", "/lang/{lang}", Public, "", "Choose the console's language (zh or en)", s.consoleLanguage),
		page("GET", "/customers", Staff, anxin.PermCustomerRead, "Customer search by name, mobile or ID number", s.consoleCustomers),
		page("GET", "/customers/{id}", Staff, anxin.PermCustomerRead, "A customer, their consents and their policies", s.consoleCustomer),
		page("GET", "/policies/{number}", Staff, anxin.PermPolicyRead, "A policy: parties, coverages, beneficiaries, payment and history", s.consolePolicy),
		page("GET", "/calendar", Staff, anxin.PermCalendarRead, "The working calendar of the current year", s.consoleCalendarNow),
		page("GET", "/calendar/{year}", Staff, anxin.PermCalendarRead, "A year's working calendar and a deadline calculator", s.consoleCalendar),
		page("GET", "/audit", Staff, anxin.PermAuditRead, "Audit log search by actor, object, action and date", s.consoleAudit),
	}, append(s.consoleTicketRoutes(), s.consoleClaimRoutes()...)...)
}

// consoleView is what every page template receives: the layout's needs
// (language, user, CSRF token, alarms) and the page's own data in Page.
type consoleView struct {
	Lang      string
	Title     string
	Nav       string // the top-nav entry to mark as current
	User      *consoleUser
	CSRFToken string
	Alarms    []string
	Path      string // this page's URI without ?lang=, where the language switch returns
	RequestID string
	Page      any
}

type consoleUser struct {
	DisplayName string
	RoleName    string
	CanAudit    bool // shows the audit log in the nav
	CanTickets  bool // shows the ticket queues in the nav
	CanClaims   bool // shows the claims workbench in the nav
	Unread      int  // unread ticket notifications, for the nav badge
}

// newConsoleView fills the layout's part of a page for the caller p (nil
// when signed out).
func (s *Server) newConsoleView(r *http.Request, p *service.Principal, nav, title string, page any) *consoleView {
	lang := language(r)
	v := &consoleView{Lang: lang, Title: title, Nav: nav, Path: consoleReturnPath(r), RequestID: requestID(r.Context()), Page: page}
	if p != nil {
		name := p.Staff.DisplayName
		if name == "" {
			name = p.Staff.Username
		}
		v.User = &consoleUser{DisplayName: name, RoleName: web.RoleName(lang, p.Staff.Role), CanAudit: p.Actor.Can(anxin.PermAuditRead),
			CanClaims: p.Actor.Can(anxin.PermClaimRead)}
		if v.User.CanTickets = p.Actor.Can(anxin.PermTicketRead); v.User.CanTickets && !consoleFragment(r) {
			v.User.Unread = s.consoleUnread(r, p)
		}
		v.CSRFToken = p.CSRFToken
	}
	return v
}

// consoleRender writes block of page with status. A whole page carries the
// alarms: a calendar year that is missing silently turns deadlines into
// Monday–Friday guesses, so every page says so until it is loaded. A
// fragment (a keystroke of the live search) skips that check.
func (s *Server) consoleRender(w http.ResponseWriter, r *http.Request, status int, page, block string, v *consoleView) error {
	if block == "layout" {
		dbOK, missing := s.svc.Ready(r.Context())
		if !dbOK {
			v.Alarms = append(v.Alarms, web.T(v.Lang, "alarm.database"))
		}
		if len(missing) > 0 {
			v.Alarms = append(v.Alarms, web.T(v.Lang, "alarm.calendar", web.JoinYears(v.Lang, missing)))
		}
	}
	body, err := consoleViews().Render(v.Lang, page, block, v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data, so no cache may keep them.
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "HX-Request, Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(body) // a client that went away is not an error worth a page
	return nil
}

// consoleFragment reports whether htmx asked for part of a page. A history
// restore asks for the whole page even though it comes through htmx.
func consoleFragment(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// consoleReturnPath is where the language switch sends the user back to:
// this page without ?lang= (which would override the new cookie). A form
// post has no page of its own to return to, except the sign-in form.
func consoleReturnPath(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if r.URL.Path == "/login" {
			return "/login"
		}
		return "/"
	}
	q := r.URL.Query()
	q.Del("lang")
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return u.RequestURI()
}

// consoleLocalPath returns next if it is a path on this site, else "". A
// next of "//host" or "/\host" is a link to another site in browsers, so
// only a single leading slash followed by a path character is accepted.
func consoleLocalPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) ||
		strings.ContainsAny(next, "\\\r\n\t\x00") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

func (s *Server) consoleHome(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	http.Redirect(w, r, "/customers", http.StatusSeeOther)
	return nil
}

// consoleLanguage remembers the chosen language for a year and goes back.
func (s *Server) consoleLanguage(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	lang := r.PathValue("lang")
	if lang != "zh" && lang != "en" {
		s.consoleNotFound(w, r)
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	next := consoleLocalPath(r.URL.Query().Get("next"))
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// consoleProblem is the error page's data.
type consoleProblem struct {
	Status  int
	Heading string
	Message string
	Fields  []ProblemField
}

func (s *Server) consoleNotFound(w http.ResponseWriter, r *http.Request) {
	lang := language(r)
	s.consoleProblemPage(w, r, http.StatusNotFound, consoleProblem{
		Heading: web.T(lang, "error.notfound.title"),
		Message: web.T(lang, "error.notfound"),
	})
}

// consoleError answers a console request that failed: a missing or expired
// session goes to the sign-in page and comes back afterwards; anything else
// is an error page with the status the error code maps to.
func (s *Server) consoleError(w http.ResponseWriter, r *http.Request, err error) {
	if asAppError(err).Code == anxin.EUnauthorized {
		target := "/login"
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		if consoleFragment(r) {
			// A redirect would be followed inside the XHR and the sign-in
			// page swapped into the middle of this one; htmx navigates the
			// whole window on HX-Redirect instead.
			w.Header().Set("HX-Redirect", target)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	lang := language(r)
	e, status, fields := s.resolve(r, err, lang)
	prob := consoleProblem{Heading: web.T(lang, "error.title"), Message: e.Localized(lang)}
	prob.Fields = fields
	if status == http.StatusNotFound {
		prob.Heading = web.T(lang, "error.notfound.title")
	}
	if status == http.StatusInternalServerError {
		prob.Message = web.T(lang, "error.internal")
	}
	s.consoleProblemPage(w, r, status, prob)
}

// consoleProblemPage renders an error: the whole page, or only the problem
// box when htmx asked for a fragment (the layout configures htmx to swap
// error responses in).
func (s *Server) consoleProblemPage(w http.ResponseWriter, r *http.Request, status int, prob consoleProblem) {
	prob.Status = status
	// The failing route may have been public or may have failed before
	// authenticating; the nav still shows who is signed in.
	p, _ := s.authenticate(r)
	v := s.newConsoleView(r, p, "", prob.Heading, prob)
	block := "layout"
	if consoleFragment(r) {
		block = "problem"
	}
	if err := s.consoleRender(w, r, status, "error", block, v); err != nil {
		s.log.ErrorContext(r.Context(), "render error page", "err", err, "request_id", requestID(r.Context()))
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, prob.Message, status)
	}
}

// staticHandler serves the console's CSS, JS and icons from the binary.
func staticHandler() http.Handler { return web.Static() }

// consoleTime shows an instant where the calendar counts days (Beijing
// time by default), which is where staff and customers live.
func (s *Server) consoleTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(s.svc.Calendar.Location())
}
