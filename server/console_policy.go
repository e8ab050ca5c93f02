package server

import (
	"net/http"
	"slices"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/web"
)

type consolePolicyPage struct {
	Policy         *anxin.Policy
	ProductName    string
	Line           anxin.Line
	CoolingOffDays int
	Holder         *anxin.Customer // nil when unknown or not readable by the caller
	Insured        *anxin.Customer
	History        []anxin.PolicyVersion // newest first
}

func (s *Server) consolePolicy(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ctx := r.Context()
	lang := language(r)
	pol, err := s.svc.Policy(ctx, p.Actor, r.PathValue("number"))
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return anxin.Errorz(anxin.ENotFound, "there is no policy with this number", "没有该保单（保单号不存在）")
	} else if err != nil {
		return err
	}
	page := consolePolicyPage{Policy: pol, ProductName: pol.ProductCode}
	if p.Actor.Can(anxin.PermProductRead) {
		prod, err := s.svc.Product(ctx, p.Actor, pol.ProductCode)
		switch {
		case err == nil:
			page.ProductName, page.Line, page.CoolingOffDays = consoleProductName(lang, prod), prod.Line, prod.CoolingOffDays
		case anxin.ErrorCode(err) != anxin.ENotFound:
			return err
		}
	}
	if p.Actor.Can(anxin.PermCustomerRead) {
		if page.Holder, err = s.consoleParty(r, p, pol.PolicyholderID); err != nil {
			return err
		}
		if pol.InsuredID == pol.PolicyholderID {
			page.Insured = page.Holder
		} else if page.Insured, err = s.consoleParty(r, p, pol.InsuredID); err != nil {
			return err
		}
	}
	history, err := s.svc.PolicyHistory(ctx, p.Actor, pol.Number)
	if err != nil {
		return err
	}
	for i := range history {
		history[i].ChangedAt = s.consoleTime(history[i].ChangedAt)
	}
	slices.Reverse(history)
	page.History = history
	return s.consoleRender(w, r, http.StatusOK, "policy", "layout", s.newConsoleView(r, p, "customers", web.T(lang, "policy.title", pol.Number), page))
}

// consoleParty looks up a policy's party; a party that no longer exists is
// shown by its ID rather than failing the whole page.
func (s *Server) consoleParty(r *http.Request, p *service.Principal, id string) (*anxin.Customer, error) {
	c, err := s.svc.Customer(r.Context(), p.Actor, id)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return nil, nil
	}
	return c, err
}
