package server

import (
	"net/http"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
)

type unmaskRequest struct {
	Field  anxin.PersonalField `json:"field"`
	Reason string              `json:"reason"`
}

type unmaskResponse struct {
	Field anxin.PersonalField `json:"field"`
	Value string              `json:"value"`
}

func (s *Server) unmaskCustomer(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req unmaskRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := s.svc.UnmaskCustomer(r.Context(), p.Actor, r.PathValue("id"), req.Field, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, unmaskResponse{req.Field, v})
}

func (s *Server) unmaskPolicy(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req unmaskRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Field != anxin.FieldBankAccount {
		return fieldErr("field", "enum", "only bank_account can be unmasked on a policy", "保单仅可查看完整银行账号")
	}
	v, err := s.svc.UnmaskPolicyBankAccount(r.Context(), p.Actor, r.PathValue("number"), req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, unmaskResponse{req.Field, v})
}

func (s *Server) revokeSessions(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	n, err := s.svc.RevokeSessions(r.Context(), p.Actor, r.PathValue("username"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int64{"ended": n})
}

func (s *Server) export(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	what := r.PathValue("what")
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+what+`.xlsx"`)
	_, err := s.svc.Export(r.Context(), p.Actor, what, w)
	return err
}
