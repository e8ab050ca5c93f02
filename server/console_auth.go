package server

import (
	"errors"
	"net/http"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/web"
)

// consoleLoginPage is the sign-in form's data.
type consoleLoginPage struct {
	Next        string
	Username    string
	Error       string
	LockAfter   int
	LockMinutes int
}

func (s *Server) consoleLoginForm(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	next := consoleLocalPath(r.URL.Query().Get("next"))
	if p != nil {
		if next == "" {
			next = "/customers"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.consoleLoginRender(w, r, p, http.StatusOK, consoleLoginPage{Next: next})
}

func (s *Server) consoleLoginRender(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, page consoleLoginPage) error {
	page.LockAfter = service.LockAfterFailures
	page.LockMinutes = int(service.LockDuration.Minutes())
	lang := language(r)
	return s.consoleRender(w, r, status, "login", "layout", s.newConsoleView(r, p, "", web.T(lang, "login.title"), page))
}

// consoleLogin signs in from the form. The form has no CSRF token when no
// session exists yet; the session cookie is SameSite=Lax, so another site
// cannot ride on a session here, and signing someone in to an account whose
// password the attacker knows gains the attacker nothing they lack.
func (s *Server) consoleLogin(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
	}
	username := r.PostForm.Get("username")
	next := consoleLocalPath(r.PostForm.Get("next"))
	res, err := s.svc.Login(r.Context(), service.Credentials{Username: username, Password: r.PostForm.Get("password"), TOTP: r.PostForm.Get("totp"), IP: clientIP(r), UserAgent: r.UserAgent()})
	if code := anxin.ErrorCode(err); code == anxin.EUnauthorized || code == anxin.ERateLimited {
		var e *anxin.Error
		errors.As(err, &e)
		return s.consoleLoginRender(w, r, p, statusOf[code], consoleLoginPage{Next: next, Username: username, Error: e.Localized(language(r))})
	} else if err != nil {
		return err
	}
	// Whoever was signed in on this browser before is signed out, so one
	// browser never holds two live sessions.
	if old, err := r.Cookie(sessionCookie); err == nil && old.Value != "" {
		previous := anxin.Actor{Kind: "staff", Channel: "console"}
		if p != nil {
			previous = p.Actor
		}
		if err := s.svc.Logout(r.Context(), previous, old.Value); err != nil {
			s.log.WarnContext(r.Context(), "end previous session", "err", err, "request_id", requestID(r.Context()))
		}
	}
	s.setSessionCookie(w, res)
	if next == "" {
		next = "/customers"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) consoleLogout(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.svc.Logout(r.Context(), p.Actor, c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
