package server

import (
	"net/http"
	"time"

	"github.com/anxin-insure/anxin/service"
)

type selfMobileRequest struct {
	Mobile string `json:"mobile"`
}

type selfCodeRequest struct {
	Mobile string `json:"mobile"`
	Code   string `json:"code"`
}

// selfCodeResponse answers a code request, identically whether or not a
// code was sent.
type selfCodeResponse struct {
	Message            string `json:"message"`
	ExpiresInSeconds   int    `json:"expires_in_seconds"`
	ResendAfterSeconds int    `json:"resend_after_seconds"`
}

func codeResponse(r *http.Request, sent *service.CodeSent) selfCodeResponse {
	return selfCodeResponse{
		Message: tr(language(r), "If the number is registered with Anxin, a code is on its way by SMS.",
			"如该手机号已在安心登记，验证码短信即将送达。"),
		ExpiresInSeconds: int(sent.ExpiresIn / time.Second), ResendAfterSeconds: int(sent.ResendAfter / time.Second),
	}
}

func (s *Server) selfOTP(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	var req selfMobileRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	sent, err := s.Self.RequestLoginCode(r.Context(), req.Mobile, clientIP(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, codeResponse(r, sent))
}

type selfLoginResponse struct {
	CSRFToken          string               `json:"csrf_token"`
	ExpiresAt          time.Time            `json:"expires_at"`
	IdleTimeoutSeconds int                  `json:"idle_timeout_seconds"`
	Customer           *service.SelfProfile `json:"customer"`
}

func (s *Server) selfLogin(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	var req selfCodeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.Self.Login(r.Context(), req.Mobile, req.Code, clientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	s.endPreviousCustomerSession(r)
	s.setCustomerCookie(w, res)
	profile, err := s.Self.Profile(r.Context(), service.CustomerActor(res.CustomerID))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, selfLoginResponse{CSRFToken: res.CSRFToken, ExpiresAt: res.ExpiresAt,
		IdleTimeoutSeconds: int(service.CustomerIdleTimeout / time.Second), Customer: profile})
}

func (s *Server) selfLogout(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if c, err := r.Cookie(customerCookie); err == nil && c.Value != "" {
		if err := s.Self.Logout(r.Context(), p.Actor, c.Value); err != nil {
			return err
		}
	}
	s.clearCustomerCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) selfMe(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	profile, err := s.Self.Profile(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, profile)
}

func (s *Server) selfPolicies(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ps, err := s.Self.Policies(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Page[*service.SelfPolicy]{Items: ps})
}

func (s *Server) selfPolicy(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	pol, err := s.Self.Policy(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pol)
}

type selfContactRequest struct {
	Email   string `json:"email"`
	Address string `json:"address"`
}

func (s *Server) selfContact(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req selfContactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	profile, err := s.Self.UpdateContact(r.Context(), p.Actor, req.Email, req.Address)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, profile)
}

func (s *Server) selfMobileOTP(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req selfMobileRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	sent, err := s.Self.RequestMobileCode(r.Context(), p.Actor, req.Mobile, clientIP(r))
	if err != nil {
		return err
	}
	resp := codeResponse(r, sent)
	resp.Message = tr(language(r), "A code is on its way to the new number by SMS.", "验证码短信已发送至新手机号。")
	return writeJSON(w, http.StatusAccepted, resp)
}

func (s *Server) selfMobile(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req selfCodeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	profile, err := s.Self.ChangeMobile(r.Context(), p.Actor, req.Mobile, req.Code)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, profile)
}

func (s *Server) selfConsents(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	cs, err := s.Self.Consents(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cs)
}

func (s *Server) selfWithdraw(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	cs, err := s.Self.WithdrawConsent(r.Context(), p.Actor, r.PathValue("purpose"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cs)
}
