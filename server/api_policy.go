package server

import (
	"net/http"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
)

func (s *Server) listPolicies(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	return s.writePolicies(w, r, p, anxin.PolicyFilter{CustomerID: q.Get("customer_id"), ProductCode: q.Get("product_code"), Status: anxin.PolicyStatus(q.Get("status"))})
}

func (s *Server) writePolicies(w http.ResponseWriter, r *http.Request, p *service.Principal, f anxin.PolicyFilter) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f.After, f.Limit = after, limit
	ps, err := s.svc.FindPolicies(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	page := Page[*anxin.Policy]{Items: ps}
	if page.Items == nil {
		page.Items = []*anxin.Policy{}
	}
	if len(ps) > 0 {
		page.NextCursor = nextCursor(len(ps), limit, ps[len(ps)-1].ID)
	}
	return writeJSON(w, http.StatusOK, page)
}

// policyResponse carries validation warnings (e.g. a bank account failing
// the Luhn check) beside the stored policy.
type policyResponse struct {
	*anxin.Policy
	Warnings []anxin.FieldError `json:"warnings,omitempty"`
}

func (s *Server) createPolicy(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var pol anxin.Policy
	if err := decode(r, &pol); err != nil {
		return err
	}
	pol.ID = ""
	warnings, err := s.svc.CreatePolicy(r.Context(), p.Actor, &pol)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(pol.Version))
	w.Header().Set("Location", "/api/v1/policies/"+pol.Number)
	return writeJSON(w, http.StatusCreated, policyResponse{&pol, warnings})
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	pol, err := s.svc.Policy(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(pol.Version))
	return writeJSON(w, http.StatusOK, pol)
}

// policyUpdate is a whole policy plus why it changes.
type policyUpdate struct {
	anxin.Policy
	Reason string `json:"reason"`
}

func (s *Server) updatePolicy(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var req policyUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	cur, err := s.svc.Policy(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	pol := req.Policy
	pol.ID = cur.ID
	if pol.Number == "" {
		pol.Number = cur.Number
	}
	warnings, err := s.svc.UpdatePolicy(r.Context(), p.Actor, &pol, version, req.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(pol.Version))
	return writeJSON(w, http.StatusOK, policyResponse{&pol, warnings})
}

func (s *Server) policyHistory(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	h, err := s.svc.PolicyHistory(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": h})
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ps, err := s.svc.Products(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []*anxin.Product{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ps})
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	prod, err := s.svc.Product(r.Context(), p.Actor, r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, prod)
}

func (s *Server) putProduct(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var prod anxin.Product
	if err := decode(r, &prod); err != nil {
		return err
	}
	prod.Code = r.PathValue("code")
	if err := s.svc.PutProduct(r.Context(), p.Actor, &prod); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, prod)
}
