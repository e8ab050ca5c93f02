package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/web"
)

// consoleCustomersPerPage keeps a page of results on one screen.
const consoleCustomersPerPage = 20

type consoleCustomersPage struct {
	Query     string
	Customers []*anxin.Customer
	NextURL   string
	FirstURL  string
}

// consoleCustomers is the customer search. htmx's live search asks for the
// results fragment only; the same URL without htmx is the whole page, so
// the search works, and can be bookmarked, without JavaScript.
func (s *Server) consoleCustomers(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	var after string
	if c := r.URL.Query().Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return fieldErr("cursor", "format", "is not a cursor this page returned", "不是本页面返回的翻页位置")
		}
		after = string(b)
	}
	// One more than a page tells whether a next page exists, so the last
	// page never offers a "next" that leads nowhere.
	cs, err := s.svc.FindCustomers(r.Context(), p.Actor, anxin.CustomerFilter{Query: q, After: after, Limit: consoleCustomersPerPage + 1})
	if err != nil {
		return err
	}
	page := consoleCustomersPage{Query: q, Customers: cs}
	if len(cs) > consoleCustomersPerPage {
		page.Customers = cs[:consoleCustomersPerPage]
		last := page.Customers[len(page.Customers)-1].ID
		page.NextURL = consoleCustomersURL(q, base64.RawURLEncoding.EncodeToString([]byte(last)))
	}
	if after != "" {
		page.FirstURL = consoleCustomersURL(q, "")
	}
	v := s.newConsoleView(r, p, "customers", web.T(language(r), "customers.title"), page)
	block := "layout"
	if consoleFragment(r) {
		block = "results"
	}
	return s.consoleRender(w, r, http.StatusOK, "customers", block, v)
}

func consoleCustomersURL(q, cursor string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if len(v) == 0 {
		return "/customers"
	}
	return "/customers?" + v.Encode()
}

type consoleCustomerPage struct {
	Customer       *anxin.Customer
	CanSeePolicies bool
	Policies       []consolePolicyRow
	Tickets        *consoleCustomerTickets // nil when the caller may not read tickets
}

// consolePolicyRow is one of a customer's policies, from their side.
type consolePolicyRow struct {
	Number      string
	ProductName string
	Holder      bool
	Insured     bool
	Status      anxin.PolicyStatus
	Period      string
	Premium     anxin.Fen
	Frequency   anxin.PaymentFrequency
}

// consoleMaxPolicies bounds one customer's policy table. An individual has
// a handful; a large enterprise's fleet belongs in a search, not one page.
const consoleMaxPolicies = 1000

func (s *Server) consoleCustomer(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ctx := r.Context()
	lang := language(r)
	c, err := s.svc.Customer(ctx, p.Actor, r.PathValue("id"))
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return anxin.Errorz(anxin.ENotFound, "there is no customer with this ID", "没有该客户（客户编号不存在）")
	} else if err != nil {
		return err
	}
	c.CreatedAt, c.UpdatedAt = s.consoleTime(c.CreatedAt), s.consoleTime(c.UpdatedAt)
	for i := range c.Consents {
		c.Consents[i].At = s.consoleTime(c.Consents[i].At)
	}
	page := consoleCustomerPage{Customer: c, CanSeePolicies: p.Actor.Can(anxin.PermPolicyRead)}
	if page.CanSeePolicies {
		policies, err := s.consoleCustomerPolicies(r, p, c.ID)
		if err != nil {
			return err
		}
		names, err := s.consoleProductNames(r, p)
		if err != nil {
			return err
		}
		for _, pol := range policies {
			row := consolePolicyRow{Number: pol.Number, ProductName: names[pol.ProductCode], Holder: pol.PolicyholderID == c.ID,
				Insured: pol.InsuredID == c.ID, Status: pol.Status, Premium: pol.Premium, Frequency: pol.PaymentFrequency,
				Period: consolePeriod(lang, pol)}
			if row.ProductName == "" {
				row.ProductName = pol.ProductCode
			}
			page.Policies = append(page.Policies, row)
		}
	}
	if p.Actor.Can(anxin.PermTicketRead) {
		if page.Tickets, err = s.consoleCustomerTickets(r, p, c.ID); err != nil {
			return err
		}
	}
	return s.consoleRender(w, r, http.StatusOK, "customer", "layout", s.newConsoleView(r, p, "customers", c.Name, page))
}

func (s *Server) consoleCustomerPolicies(r *http.Request, p *service.Principal, customerID string) ([]*anxin.Policy, error) {
	const batch = 500
	var all []*anxin.Policy
	f := anxin.PolicyFilter{CustomerID: customerID, Limit: batch}
	for {
		ps, err := s.svc.FindPolicies(r.Context(), p.Actor, f)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
		if len(ps) < batch || len(all) >= consoleMaxPolicies {
			return all, nil
		}
		f.After = ps[len(ps)-1].ID
	}
}

// consoleProductNames maps product codes to names in the request's
// language; empty when the caller may not read the catalogue, and pages
// then show the codes.
func (s *Server) consoleProductNames(r *http.Request, p *service.Principal) (map[string]string, error) {
	names := map[string]string{}
	if !p.Actor.Can(anxin.PermProductRead) {
		return names, nil
	}
	products, err := s.svc.Products(r.Context(), p.Actor)
	if err != nil {
		return nil, err
	}
	for _, prod := range products {
		names[prod.Code] = consoleProductName(language(r), prod)
	}
	return names, nil
}

func consoleProductName(lang string, prod *anxin.Product) string {
	if lang == "en" && prod.NameEN != "" {
		return prod.NameEN
	}
	return prod.Name
}

// consolePeriod is a policy's period of cover, "whole life" when it has no
// expiry date.
func consolePeriod(lang string, pol *anxin.Policy) string {
	end := web.T(lang, "period.wholelife")
	if !pol.ExpiryDate.IsZero() {
		end = pol.ExpiryDate.String()
	}
	return web.T(lang, "period.range", web.DateText(pol.EffectiveDate), end)
}
