package server

import (
	"net/http"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
)

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := anxin.CustomerFilter{Query: q.Get("q"), Kind: anxin.CustomerKind(q.Get("kind")), Tier: anxin.Tier(q.Get("tier")), After: after, Limit: limit}
	cs, err := s.svc.FindCustomers(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	page := Page[*anxin.Customer]{Items: cs}
	if page.Items == nil {
		page.Items = []*anxin.Customer{}
	}
	if len(cs) > 0 {
		page.NextCursor = nextCursor(len(cs), limit, cs[len(cs)-1].ID)
	}
	return writeJSON(w, http.StatusOK, page)
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var c anxin.Customer
	if err := decode(r, &c); err != nil {
		return err
	}
	c.ID = ""
	if err := s.svc.CreateCustomer(r.Context(), p.Actor, &c); err != nil {
		return err
	}
	w.Header().Set("ETag", etag(c.Version))
	w.Header().Set("Location", "/api/v1/customers/"+c.ID)
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	c, err := s.svc.Customer(r.Context(), p.Actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(c.Version))
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var c anxin.Customer
	if err := decode(r, &c); err != nil {
		return err
	}
	c.ID = r.PathValue("id")
	if err := s.svc.UpdateCustomer(r.Context(), p.Actor, &c, version); err != nil {
		return err
	}
	w.Header().Set("ETag", etag(c.Version))
	return writeJSON(w, http.StatusOK, c)
}

func (s *Server) customerPolicies(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if _, err := s.svc.Customer(r.Context(), p.Actor, r.PathValue("id")); err != nil {
		return err
	}
	return s.writePolicies(w, r, p, anxin.PolicyFilter{CustomerID: r.PathValue("id")})
}
