package service

import (
	"context"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// CreatePolicy validates a policy against its product and parties and stores
// it as version 1. Coverages default to the product's when none are given.
// Validation warnings (a bank account failing Luhn) are returned alongside.
func (s *Service) CreatePolicy(ctx context.Context, actor anxin.Actor, p *anxin.Policy) ([]anxin.FieldError, error) {
	if err := authorize(actor, anxin.PermPolicyWrite); err != nil {
		return nil, err
	}
	var warnings []anxin.FieldError
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if warnings, err = s.checkPolicy(ctx, tx, p); err != nil {
			return err
		}
		return tx.CreatePolicy(ctx, p, actorLabel(actor), "issued")
	})
	return warnings, err
}

// UpdatePolicy stores p as a new version if expectVersion is current.
func (s *Service) UpdatePolicy(ctx context.Context, actor anxin.Actor, p *anxin.Policy, expectVersion int, reason string) ([]anxin.FieldError, error) {
	if err := authorize(actor, anxin.PermPolicyWrite); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, fieldError("reason", "required", "say why the policy changes", "请说明变更原因")
	}
	var warnings []anxin.FieldError
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, err := s.DB.GetPolicy(ctx, tx, p.ID)
		if err != nil {
			return err
		}
		if p.Number != old.Number {
			return fieldError("number", "immutable", "a policy number cannot change", "保单号不可修改")
		}
		p.CreatedAt = old.CreatedAt
		if warnings, err = s.checkPolicy(ctx, tx, p); err != nil {
			return err
		}
		return tx.UpdatePolicy(ctx, p, expectVersion, actorLabel(actor), reason)
	})
	return warnings, err
}

// checkPolicy normalises and validates p inside tx, including that its
// product and parties exist.
func (s *Service) checkPolicy(ctx context.Context, tx *store.Tx, p *anxin.Policy) ([]anxin.FieldError, error) {
	p.Normalize()
	product, err := s.DB.GetProduct(ctx, tx, p.ProductCode)
	if err != nil && anxin.ErrorCode(err) != anxin.ENotFound {
		return nil, err
	}
	if product != nil && len(p.Coverages) == 0 {
		p.Coverages = append([]anxin.Coverage(nil), product.Coverages...)
	}
	warnings, verr := p.Validate(product, s.Now())
	var pr anxin.Problems
	if verr != nil {
		for _, f := range verr.(*anxin.Error).Fields {
			if f.Warning {
				pr.Warn(f.Field, f.Reason, f.Message, f.MessageZH)
			} else {
				pr.Add(f.Field, f.Reason, f.Message, f.MessageZH)
			}
		}
	}
	for _, party := range [][2]string{{"policyholder_id", p.PolicyholderID}, {"insured_id", p.InsuredID}} {
		field, id := party[0], party[1]
		if id == "" {
			continue
		}
		if _, err := s.DB.GetCustomer(ctx, tx, id); anxin.ErrorCode(err) == anxin.ENotFound {
			pr.Add(field, "not_found", "is not a known customer", "不是已登记的客户")
		} else if err != nil {
			return nil, err
		}
	}
	return warnings, pr.Err()
}

// Policy returns a policy by number.
func (s *Service) Policy(ctx context.Context, actor anxin.Actor, number string) (*anxin.Policy, error) {
	if err := authorize(actor, anxin.PermPolicyRead); err != nil {
		return nil, err
	}
	return s.DB.GetPolicyByNumber(ctx, nil, number)
}

// FindPolicies lists policies, e.g. a customer's.
func (s *Service) FindPolicies(ctx context.Context, actor anxin.Actor, f anxin.PolicyFilter) ([]*anxin.Policy, error) {
	if err := authorize(actor, anxin.PermPolicyRead); err != nil {
		return nil, err
	}
	return s.DB.FindPolicies(ctx, f)
}

// PolicyHistory returns every version of a policy.
func (s *Service) PolicyHistory(ctx context.Context, actor anxin.Actor, number string) ([]anxin.PolicyVersion, error) {
	p, err := s.Policy(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	return s.DB.PolicyHistory(ctx, p.ID)
}

// Products returns the catalogue.
func (s *Service) Products(ctx context.Context, actor anxin.Actor) ([]*anxin.Product, error) {
	if err := authorize(actor, anxin.PermProductRead); err != nil {
		return nil, err
	}
	return s.DB.Products(ctx, nil)
}

// Product returns one product.
func (s *Service) Product(ctx context.Context, actor anxin.Actor, code string) (*anxin.Product, error) {
	if err := authorize(actor, anxin.PermProductRead); err != nil {
		return nil, err
	}
	return s.DB.GetProduct(ctx, nil, code)
}

// PutProduct creates or replaces a product in the catalogue.
func (s *Service) PutProduct(ctx context.Context, actor anxin.Actor, p *anxin.Product) error {
	if err := authorize(actor, anxin.PermProductWrite); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.PutProduct(ctx, p) })
}
