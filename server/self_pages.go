package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/web"
)

// The self-service pages work without JavaScript: every step is a form
// post answered by a page, so they run on any phone browser, and the CSP
// needs no exception.

// selfLoginPage is the sign-in page's data: first the mobile, then the code.
type selfLoginPage struct {
	Step          string // "mobile" or "code"
	Mobile        string
	MaskedMobile  string
	Next          string
	FormToken     string
	Error         string
	Sent          bool // a code request was accepted just now
	CodeMinutes   int
	ResendSeconds int
	LockAfter     int
	LockMinutes   int
}

// selfFormToken returns the sign-in forms' CSRF token, setting its cookie
// when the browser has none. SameSite=Strict keeps the cookie off every
// request another site starts, so a forged post cannot match the token.
func (s *Server) selfFormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(selfFormCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	token, _ := service.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: selfFormCookie, Value: token, Path: "/my/login", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteStrictMode})
	return token
}

// selfFormOK checks a sign-in form's token against its cookie. Without it,
// another site could sign a visitor in to the attacker's own account
// (whose codes the attacker receives) and collect what they then enter.
func selfFormOK(r *http.Request) bool {
	c, err := r.Cookie(selfFormCookie)
	got := r.PostFormValue("csrf_token")
	return err == nil && c.Value != "" && got != "" && constantTimeEqual(got, c.Value)
}

func errFormExpired() error {
	return anxin.Errorz(anxin.EForbidden, "the form has expired; reload the page and try again", "页面已过期，请刷新后重试（CSRF 校验失败）")
}

// parseForm reads a form body, naming an unreadable one as such.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
	}
	return nil
}

func (s *Server) myLoginForm(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	next := selfNext(r.URL.Query().Get("next"))
	if s.customerPrincipal(r) != nil {
		if next == "" {
			next = "/my"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.myLoginRender(w, r, http.StatusOK, selfLoginPage{Step: "mobile", Next: next})
}

func (s *Server) myLoginRender(w http.ResponseWriter, r *http.Request, status int, page selfLoginPage) error {
	page.FormToken = s.selfFormToken(w, r)
	page.CodeMinutes = int(service.CodeLifetime / time.Minute)
	page.ResendSeconds = int(service.CodeResendAfter / time.Second)
	page.LockAfter, page.LockMinutes = service.CodeLockAfter, int(service.CodeLockDuration/time.Minute)
	if page.Mobile != "" {
		page.MaskedMobile = anxin.Mask(anxin.FieldMobile, page.Mobile)
	}
	lang := language(r)
	return s.selfRender(w, status, s.newSelfView(r, nil, "", "login", web.T(lang, "self.login.title"), page))
}

// myLoginCode asks for a code and shows the code step. Its answer is the
// same whether or not the number is registered.
func (s *Server) myLoginCode(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if !selfFormOK(r) {
		return errFormExpired()
	}
	page := selfLoginPage{Step: "code", Mobile: strings.TrimSpace(r.PostForm.Get("mobile")), Next: selfNext(r.PostForm.Get("next"))}
	_, err := s.Self.RequestLoginCode(r.Context(), page.Mobile, clientIP(r))
	switch code := anxin.ErrorCode(err); code {
	case "":
		page.Sent = true
		return s.myLoginRender(w, r, http.StatusOK, page)
	case anxin.EInvalid:
		page.Step, page.Error = "mobile", selfMessage(r, err)
		return s.myLoginRender(w, r, statusOf[code], page)
	case anxin.ERateLimited:
		// A code sent earlier may still be valid: the code step stays.
		page.Error = selfMessage(r, err)
		setRetryAfter(w, err)
		return s.myLoginRender(w, r, statusOf[code], page)
	}
	return err
}

func (s *Server) myLogin(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if !selfFormOK(r) {
		return errFormExpired()
	}
	page := selfLoginPage{Step: "code", Mobile: strings.TrimSpace(r.PostForm.Get("mobile")), Next: selfNext(r.PostForm.Get("next"))}
	res, err := s.Self.Login(r.Context(), page.Mobile, r.PostForm.Get("code"), clientIP(r), r.UserAgent())
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EUnauthorized, anxin.ERateLimited:
		if code == anxin.EInvalid && isField(err, "mobile") {
			page.Step = "mobile"
		}
		page.Error = selfMessage(r, err)
		setRetryAfter(w, err)
		return s.myLoginRender(w, r, statusOf[code], page)
	default:
		return err
	}
	s.endPreviousCustomerSession(r)
	s.setCustomerCookie(w, res)
	next := page.Next
	if next == "" {
		next = "/my"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) myLogout(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if c, err := r.Cookie(customerCookie); err == nil && c.Value != "" {
		if err := s.Self.Logout(r.Context(), p.Actor, c.Value); err != nil {
			return err
		}
	}
	s.clearCustomerCookie(w)
	http.Redirect(w, r, "/my/login", http.StatusSeeOther)
	return nil
}

// selfPolicyRow is a policy with what the pages show computed for the
// request's language.
type selfPolicyRow struct {
	*service.SelfPolicy
	Product string
	Period  string
}

func selfPolicyRowOf(lang string, p *service.SelfPolicy) selfPolicyRow {
	row := selfPolicyRow{SelfPolicy: p, Product: p.ProductName}
	if lang == "en" && p.ProductNameEN != "" {
		row.Product = p.ProductNameEN
	}
	end := web.T(lang, "period.wholelife")
	if !p.ExpiryDate.IsZero() {
		end = p.ExpiryDate.String()
	}
	row.Period = web.T(lang, "period.range", web.DateText(p.EffectiveDate), end)
	return row
}

type selfHomePage struct {
	Profile  *service.SelfProfile
	Policies []selfPolicyRow
}

func (s *Server) myHome(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	profile, err := s.Self.Profile(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	ps, err := s.Self.Policies(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	lang := language(r)
	page := selfHomePage{Profile: profile}
	for _, pol := range ps {
		page.Policies = append(page.Policies, selfPolicyRowOf(lang, pol))
	}
	return s.selfRender(w, http.StatusOK, s.newSelfView(r, p, profile.Name, "home", web.T(lang, "self.home.title"), page))
}

type selfPolicyPage struct {
	Policy selfPolicyRow
	Holder bool
}

func (s *Server) myPolicy(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	pol, err := s.Self.Policy(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	profile, err := s.Self.Profile(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	lang := language(r)
	page := selfPolicyPage{Policy: selfPolicyRowOf(lang, pol)}
	for _, role := range pol.Roles {
		page.Holder = page.Holder || role == "policyholder"
	}
	return s.selfRender(w, http.StatusOK, s.newSelfView(r, p, profile.Name, "policy", web.T(lang, "policy.title", pol.Number), page))
}

// selfProfilePage is the profile page's data, including a form being
// corrected or a mobile change waiting for its code.
type selfProfilePage struct {
	Profile       *service.SelfProfile
	History       []anxin.Consent // newest first
	Saved         string          // "contact", "mobile" or "consent" after a change
	Email         string
	Address       string
	ContactErrors map[string]string // field → message
	NewMobile     string
	MobileStep    string // "" or "code" once a code was sent
	MobileError   string
	CodeMinutes   int
}

// selfSaved are the confirmations ?saved= may ask for.
var selfSaved = map[string]bool{"contact": true, "mobile": true, "consent": true}

func (s *Server) myProfile(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	page := selfProfilePage{}
	if v := r.URL.Query().Get("saved"); selfSaved[v] {
		page.Saved = v
	}
	return s.myProfileRender(w, r, p, http.StatusOK, page, true)
}

// myProfileRender loads the profile and renders it; fillContact puts the
// stored contact details in the form (false when re-showing what the
// customer typed).
func (s *Server) myProfileRender(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, page selfProfilePage, fillContact bool) error {
	ctx := r.Context()
	profile, err := s.Self.Profile(ctx, p.Actor)
	if err != nil {
		return err
	}
	consents, err := s.Self.Consents(ctx, p.Actor)
	if err != nil {
		return err
	}
	for i := range profile.Consents {
		profile.Consents[i].At = s.consoleTime(profile.Consents[i].At)
	}
	for i := len(consents.History) - 1; i >= 0; i-- {
		cs := consents.History[i]
		cs.At = s.consoleTime(cs.At)
		page.History = append(page.History, cs)
	}
	page.Profile = profile
	if fillContact {
		page.Email, page.Address = profile.Email, profile.Address
	}
	page.CodeMinutes = int(service.CodeLifetime / time.Minute)
	lang := language(r)
	return s.selfRender(w, status, s.newSelfView(r, p, profile.Name, "profile", web.T(lang, "self.profile.title"), page))
}

func (s *Server) myContact(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := parseForm(r); err != nil {
		return err
	}
	email, address := r.PostForm.Get("email"), r.PostForm.Get("address")
	_, err := s.Self.UpdateContact(r.Context(), p.Actor, email, address)
	if code := anxin.ErrorCode(err); code == anxin.EInvalid || code == anxin.EPrecondition {
		page := selfProfilePage{Email: email, Address: address, ContactErrors: fieldMessages(r, err)}
		return s.myProfileRender(w, r, p, statusOf[code], page, false)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/my/profile?saved=contact#contact", http.StatusSeeOther)
	return nil
}

func (s *Server) myMobileCode(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := selfProfilePage{NewMobile: strings.TrimSpace(r.PostForm.Get("mobile")), MobileStep: "code"}
	_, err := s.Self.RequestMobileCode(r.Context(), p.Actor, page.NewMobile, clientIP(r))
	switch code := anxin.ErrorCode(err); code {
	case "":
		return s.myProfileRender(w, r, p, http.StatusOK, page, true)
	case anxin.EInvalid, anxin.ERateLimited:
		if code == anxin.EInvalid {
			page.MobileStep = ""
		}
		page.MobileError = selfMessage(r, err)
		setRetryAfter(w, err)
		return s.myProfileRender(w, r, p, statusOf[code], page, true)
	}
	return err
}

func (s *Server) myMobile(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := selfProfilePage{NewMobile: strings.TrimSpace(r.PostForm.Get("mobile")), MobileStep: "code"}
	_, err := s.Self.ChangeMobile(r.Context(), p.Actor, page.NewMobile, r.PostForm.Get("code"))
	switch code := anxin.ErrorCode(err); code {
	case "":
		http.Redirect(w, r, "/my/profile?saved=mobile#mobile", http.StatusSeeOther)
		return nil
	case anxin.EInvalid, anxin.EUnauthorized, anxin.ERateLimited, anxin.EPrecondition:
		if code == anxin.EInvalid && isField(err, "mobile") {
			page.MobileStep = ""
		}
		page.MobileError = selfMessage(r, err)
		setRetryAfter(w, err)
		return s.myProfileRender(w, r, p, statusOf[code], page, true)
	}
	return err
}

func (s *Server) myWithdraw(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if _, err := s.Self.WithdrawConsent(r.Context(), p.Actor, r.PathValue("purpose")); err != nil {
		return err
	}
	http.Redirect(w, r, "/my/profile?saved=consent#consents", http.StatusSeeOther)
	return nil
}

func (s *Server) myNotFound(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	if r.PathValue("rest") == "" {
		http.Redirect(w, r, "/my", http.StatusSeeOther)
		return nil
	}
	return anxin.Errorz(anxin.ENotFound, "there is no such page", "您访问的页面不存在")
}

// selfMessage is an error's message for the page: the field messages of a
// validation error (the customer sees one or two fields), else the error's.
func selfMessage(r *http.Request, err error) string {
	var e *anxin.Error
	if !errors.As(err, &e) {
		return ""
	}
	lang := language(r)
	var parts []string
	for _, f := range e.Fields {
		if isZH(lang) {
			parts = append(parts, f.MessageZH)
		} else {
			parts = append(parts, f.Message)
		}
	}
	if len(parts) == 0 {
		return e.Localized(lang)
	}
	return strings.Join(parts, tr(lang, "; ", "；"))
}

// fieldMessages maps each field of a validation error to its message; an
// error without fields goes under "".
func fieldMessages(r *http.Request, err error) map[string]string {
	var e *anxin.Error
	if !errors.As(err, &e) {
		return nil
	}
	lang := language(r)
	out := map[string]string{}
	for _, f := range e.Fields {
		if isZH(lang) {
			out[f.Field] = f.MessageZH
		} else {
			out[f.Field] = f.Message
		}
	}
	if len(out) == 0 {
		out[""] = e.Localized(lang)
	}
	return out
}

func isField(err error, field string) bool {
	var e *anxin.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			if f.Field == field {
				return true
			}
		}
	}
	return false
}
