package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/web"
)

// Customer self-service: the JSON API under /api/v1/self/ and the
// mobile-first pages under /my. Customers sign in with a one-time code sent
// to their mobile and hold their own session cookie, which only these
// routes read: a staff session or token is no credential here, and a
// customer session is none on staff routes.

const (
	// customerCookie holds a customer's session token.
	customerCookie = "anxin_customer"
	// selfFormCookie holds the sign-in forms' CSRF token, for the time
	// before there is a session to hold one (a double-submit cookie).
	selfFormCookie = "anxin_customer_form"
)

// selfRoutes lists self-service's routes; Customer routes need a customer
// session, and act on that customer's records only.
func (s *Server) selfRoutes() []Route {
	api := func(method, path string, access Access, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: access, Summary: summary, API: true, handle: s.selfHandler(h)}
	}
	page := func(method, path string, access Access, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: access, Summary: summary, handle: s.selfHandler(h)}
	}
	return []Route{
		api("POST", "/api/v1/self/otp", Public, "Send a one-time sign-in code by SMS to a customer's mobile", s.selfOTP),
		api("POST", "/api/v1/self/login", Public, "Sign in as a customer with mobile and one-time code; sets the customer session cookie", s.selfLogin),
		api("POST", "/api/v1/self/logout", Customer, "End the customer session", s.selfLogout),
		api("GET", "/api/v1/self/me", Customer, "The signed-in customer's own profile", s.selfMe),
		api("GET", "/api/v1/self/policies", Customer, "The signed-in customer's policies (as policyholder or insured)", s.selfPolicies),
		api("GET", "/api/v1/self/policies/{number}", Customer, "One of the signed-in customer's policies", s.selfPolicy),
		api("PUT", "/api/v1/self/contact", Customer, "Replace the signed-in customer's email and address", s.selfContact),
		api("POST", "/api/v1/self/mobile/otp", Customer, "Send a code to the mobile number the customer wants instead", s.selfMobileOTP),
		api("POST", "/api/v1/self/mobile", Customer, "Make a new mobile the customer's primary one, with the code sent to it", s.selfMobile),
		api("GET", "/api/v1/self/consents", Customer, "The signed-in customer's consents: current state and history", s.selfConsents),
		api("POST", "/api/v1/self/consents/{purpose}/withdraw", Customer, "Withdraw one of the customer's consents", s.selfWithdraw),

		page("GET", "/my/login", Public, "Customer sign-in: mobile number, then the code sent to it", s.myLoginForm),
		page("POST", "/my/login/otp", Public, "Customer sign-in: send the code", s.myLoginCode),
		page("POST", "/my/login", Public, "Customer sign-in: check the code and go on", s.myLogin),
		page("POST", "/my/logout", Customer, "Customer sign-out", s.myLogout),
		page("GET", "/my", Customer, "The customer's policies", s.myHome),
		page("GET", "/my/policies/{number}", Customer, "One of the customer's policies", s.myPolicy),
		page("GET", "/my/profile", Customer, "The customer's contact details, mobile and consents", s.myProfile),
		page("POST", "/my/profile/contact", Customer, "Save the customer's email and address", s.myContact),
		page("POST", "/my/profile/mobile/otp", Customer, "Send a code to the customer's new mobile", s.myMobileCode),
		page("POST", "/my/profile/mobile", Customer, "Change the customer's mobile with the code", s.myMobile),
		page("POST", "/my/profile/consents/{purpose}/withdraw", Customer, "Withdraw a consent", s.myWithdraw),
		page("GET", "/my/track", Public, "Ticket progress by number and the phone's last four digits", s.myTrackForm),
		page("POST", "/my/track", Public, "Look up a ticket's progress", s.myTrack),
		page("GET", "/my/tickets", Customer, "The customer's requests (tickets), newest first", s.myTickets),
		page("GET", "/my/tickets/new", Customer, "Open a request: type, policy, subject, description", s.myNewTicket),
		page("POST", "/my/tickets", Customer, "Open the request and go to its page", s.myCreateTicket),
		page("GET", "/my/tickets/{number}", Customer, "One of the customer's requests: progress, timeline, documents", s.myTicket),
		page("POST", "/my/tickets/{number}/messages", Customer, "Add a message to one of the customer's requests", s.myTicketMessage),
		// Public to the wrapper only: a multipart form's CSRF token is
		// read by the handler, which also requires the customer's session.
		withMaxBody(page("POST", "/my/tickets/{number}/attachments", Public, "Add a document to one of the customer's requests (multipart; session and CSRF checked by the handler)", s.myTicketAttachment), maxUploadBytes),
		page("POST", "/my/tickets/{number}/satisfaction", Customer, "Rate a resolved request from 1 to 5", s.myTicketRate),
		page("GET", "/my/claims", Customer, "The customer's claims: stage, expected date, amount paid", s.myClaims),
		page("GET", "/my/claims/new", Customer, "Report a claim: choose the policy and the claim, then the facts, the bank account and the documents", s.myNewClaim),
		// Public to the wrapper only, like the attachments above: the
		// handlers read the multipart form's CSRF token and require the
		// customer's session.
		withMaxBody(page("POST", "/my/claims", Public, "Report the claim with photos of its documents (multipart; session and CSRF checked by the handler)", s.myCreateClaim), maxClaimFormBytes),
		page("GET", "/my/claims/{number}", Customer, "One of the customer's claims: stage, missing documents, decision and its explanation, letter, payments", s.myClaim),
		withMaxBody(page("POST", "/my/claims/{number}/documents", Public, "Add a document to one of the customer's claims (multipart; session and CSRF checked by the handler)", s.myClaimDocument), maxUploadBytes),
		page("POST", "/my/claims/{number}/disputes", Customer, "Dispute a claim decision, or ask for a person to review an automated one", s.myClaimDispute),
		page("GET", "/my/claims/{number}/letter", Customer, "The claim decision letter as a page, or as PDF with format=pdf", s.myClaimLetter),
		page("POST", "/my/claims/{number}/survey", Customer, "Answer the satisfaction survey of one of the customer's closed claims: stars, how likely to recommend us (0–10), comment", s.myClaimSurvey),
		page("POST", "/my/claims/{number}/payout", Customer, "Change the bank account of one of the customer's claims; a payment the bank refused goes out again to it", s.myClaimPayout),
		page("GET", "/my/{rest...}", Public, "Self-service pages that do not exist", s.myNotFound),
	}
}

// selfHandler guards a self-service handler: without the SMS wiring the
// node cannot sign customers in, so it says so; and a rate-limited answer
// carries Retry-After.
func (s *Server) selfHandler(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
		if s.Self == nil {
			return anxin.Errorz(anxin.EUnavailable, "customer self-service is not enabled on this node", "本节点未启用客户自助服务")
		}
		err := h(w, r, p)
		setRetryAfter(w, err)
		return err
	}
}

func setRetryAfter(w http.ResponseWriter, err error) {
	if secs, ok := service.RetryAfter(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
}

// selfPath reports whether path belongs to self-service.
func selfPath(path string) bool {
	return path == "/my" || strings.HasPrefix(path, "/my/") || strings.HasPrefix(path, "/api/v1/self/")
}

// authenticateFor resolves the caller the way route rt accepts callers.
// Customer routes read only the customer cookie, so staff sessions and
// tokens are no credentials there (401). The public self-service routes
// take no principal: signing in needs none, and a staff cookie in the same
// browser must not subject a customer's form to the staff CSRF check.
// Everything else authenticates staff as before.
func (s *Server) authenticateFor(rt Route, r *http.Request) (*service.Principal, error) {
	switch {
	case rt.Access == Customer:
		if p := s.customerPrincipal(r); p != nil {
			return p, nil
		}
		return nil, anxin.Errorz(anxin.EUnauthorized, "please sign in with your mobile number", "请先使用手机号登录")
	case selfPath(rt.Path):
		return nil, nil
	}
	return s.authenticate(r)
}

// customerPrincipal is the customer whose session cookie r carries, or nil:
// an expired or unknown cookie is the same as none.
func (s *Server) customerPrincipal(r *http.Request) *service.Principal {
	if s.Self == nil {
		return nil
	}
	c, err := r.Cookie(customerCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	p, err := s.Self.Authenticate(r.Context(), c.Value)
	if err != nil {
		if anxin.ErrorCode(err) != anxin.EUnauthorized {
			s.log.ErrorContext(r.Context(), "customer session lookup", "err", err, "request_id", requestID(r.Context()))
		}
		return nil
	}
	return p
}

func (s *Server) setCustomerCookie(w http.ResponseWriter, res *service.CustomerLogin) {
	http.SetCookie(w, &http.Cookie{Name: customerCookie, Value: res.Token, Path: "/", Expires: res.ExpiresAt,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCustomerCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: customerCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// endPreviousCustomerSession signs out whoever this browser held before a
// new sign-in, so that one browser never holds two live sessions.
func (s *Server) endPreviousCustomerSession(r *http.Request) {
	old, err := r.Cookie(customerCookie)
	if err != nil || old.Value == "" {
		return
	}
	previous := anxin.Actor{Kind: "customer", Channel: service.SelfChannel}
	if p := s.customerPrincipal(r); p != nil {
		previous = p.Actor
	}
	if err := s.Self.Logout(r.Context(), previous, old.Value); err != nil {
		s.log.WarnContext(r.Context(), "end previous customer session", "err", err, "request_id", requestID(r.Context()))
	}
}

// selfNext returns next if it is a self-service page, else "": after
// signing in, a customer goes back to their own pages only.
func selfNext(next string) string {
	next = consoleLocalPath(next)
	if u, err := url.Parse(next); err != nil || !selfPath(u.Path) || strings.HasPrefix(u.Path, "/my/login") {
		return ""
	}
	return next
}

// selfView is what the self-service layout receives.
type selfView struct {
	Lang      string
	Title     string
	View      string // the page: login, home, policy, profile or error
	SignedIn  bool
	Name      string // the signed-in customer's name, when the page loaded it
	CSRFToken string
	Path      string // this page without ?lang=, for the language switch
	RequestID string
	Page      any
}

// newSelfView fills the layout's part of a page for the customer p (nil
// when signed out); name is theirs, from a profile the handler loaded.
func (s *Server) newSelfView(r *http.Request, p *service.Principal, name, view, title string, page any) *selfView {
	v := &selfView{Lang: language(r), Title: title, View: view, Name: name, Path: selfReturnPath(r), RequestID: requestID(r.Context()), Page: page}
	if p != nil {
		v.SignedIn, v.CSRFToken = true, p.CSRFToken
	}
	return v
}

// selfReturnPath is where the language switch comes back to: a form post
// has no page of its own, so it returns to the page the form is on.
func selfReturnPath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return consoleReturnPath(r)
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/my/login"):
		return "/my/login"
	case strings.HasPrefix(r.URL.Path, "/my/profile"):
		return "/my/profile"
	}
	return "/my"
}

// selfRender writes a self-service page with status.
func (s *Server) selfRender(w http.ResponseWriter, status int, v *selfView) error {
	body, err := consoleViews().Render(v.Lang, "self_pages", "self_layout", v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data, so no cache may keep them.
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(body) // a client that went away is not an error worth a page
	return nil
}

// selfProblem is the self-service error page's data.
type selfProblem struct {
	Status  int
	Heading string
	Message string
	Fields  []ProblemField
}

// selfError answers a self-service page that failed: a missing session
// goes to the sign-in page and comes back afterwards; anything else is an
// error page in the customers' layout.
func (s *Server) selfError(w http.ResponseWriter, r *http.Request, err error) {
	if asAppError(err).Code == anxin.EUnauthorized {
		target := "/my/login"
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	lang := language(r)
	e, status, fields := s.resolve(r, err, lang)
	prob := selfProblem{Status: status, Heading: web.T(lang, "self.error.title"), Message: e.Localized(lang)}
	prob.Fields = fields
	if status == http.StatusNotFound {
		prob.Heading = web.T(lang, "self.error.notfound.title")
	}
	if status == http.StatusInternalServerError {
		prob.Message = web.T(lang, "self.error.internal")
	}
	setRetryAfter(w, err)
	// The header still offers the way back and sign-out to a signed-in
	// customer; their name is not looked up, as that could fail too.
	v := s.newSelfView(r, s.customerPrincipal(r), "", "error", prob.Heading, prob)
	if err := s.selfRender(w, status, v); err != nil {
		s.log.ErrorContext(r.Context(), "render error page", "err", err, "request_id", requestID(r.Context()))
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, prob.Message, status)
	}
}
