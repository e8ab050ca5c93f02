package server

import (
	"net"
	"net/http"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
)

type handlerFunc = func(w http.ResponseWriter, r *http.Request, p *service.Principal) error

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty"`
}

type meResponse struct {
	anxin.Staff
	Permissions []anxin.Permission `json:"permissions"`
	CSRFToken   string             `json:"csrf_token,omitempty"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	var req loginRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.svc.Login(r.Context(), service.Credentials{Username: req.Username, Password: req.Password, TOTP: req.TOTP, IP: clientIP(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, res)
	return writeJSON(w, http.StatusOK, meResponse{Staff: res.Staff, Permissions: anxin.RolePermissions(res.Staff.Role), CSRFToken: res.CSRFToken})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, res *service.LoginResult) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: res.Token, Path: "/", Expires: res.ExpiresAt,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.svc.Logout(r.Context(), p.Actor, c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	return writeJSON(w, http.StatusOK, meResponse{Staff: p.Staff, Permissions: anxin.RolePermissions(p.Staff.Role), CSRFToken: p.CSRFToken})
}

type tokenRequest struct {
	Username string `json:"username"`
	Name     string `json:"name"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req tokenRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	token, err := s.svc.CreateAPIToken(r.Context(), p.Actor, req.Username, req.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"token": token, "name": req.Name, "username": req.Username})
}

// clientIP is the peer address. A proxy's X-Forwarded-For is not trusted:
// anyone can send it.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) startTOTP(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	setup, err := s.svc.StartTOTP(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, setup)
}

type totpConfirm struct {
	Code string `json:"code"`
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req totpConfirm
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.svc.ConfirmTOTP(r.Context(), p.Actor, req.Code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) resetTOTP(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := s.svc.ResetTOTP(r.Context(), p.Actor, r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
