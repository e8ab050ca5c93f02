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
		if err := tx.CreatePolicy(ctx, p, actorLabel(actor), "issued"); err != nil {
			return err
		}
		r := AuditFor(actor, "policy", p.Number, "create")
		r.Changes = policyChanges(nil, p)
		return record(ctx, tx, r)
	})
	if err == nil {
		anxin.MaskPolicyFor(p, actor)
	}
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
		keepUnchangedMaskedPolicy(p, old)
		if warnings, err = s.checkPolicy(ctx, tx, p); err != nil {
			return err
		}
		if err := tx.UpdatePolicy(ctx, p, expectVersion, actorLabel(actor), reason); err != nil {
			return err
		}
		r := AuditFor(actor, "policy", p.Number, "update")
		r.Changes = policyChanges(old, p)
		r.Detail = reason
		return record(ctx, tx, r)
	})
	if err == nil {
		anxin.MaskPolicyFor(p, actor)
	}
	return warnings, err
}

// keepUnchangedMaskedPolicy keeps stored values that come back in the
// masked form the caller was shown.
func keepUnchangedMaskedPolicy(p, old *anxin.Policy) {
	if p.BankAccount != old.BankAccount && p.BankAccount == anxin.Mask(anxin.FieldBankAccount, old.BankAccount) {
		p.BankAccount = old.BankAccount
	}
	for i := range p.Beneficiaries {
		if i >= len(old.Beneficiaries) {
			break
		}
		b, o := &p.Beneficiaries[i], old.Beneficiaries[i]
		if b.Name != o.Name && b.Name == anxin.MaskName(o.Name) {
			b.Name = o.Name
		}
		if b.IDNumber != o.IDNumber && b.IDNumber == anxin.Mask(anxin.FieldIDNumber, o.IDNumber) {
			b.IDNumber = o.IDNumber
		}
	}
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

// Policy returns a policy by number, masked for the actor.
func (s *Service) Policy(ctx context.Context, actor anxin.Actor, number string) (*anxin.Policy, error) {
	if err := authorize(actor, anxin.PermPolicyRead); err != nil {
		return nil, err
	}
	p, err := s.DB.GetPolicyByNumber(ctx, nil, number)
	if err != nil {
		return nil, err
	}
	anxin.MaskPolicyFor(p, actor)
	return p, nil
}

// FindPolicies lists policies, e.g. a customer's, masked for the actor.
func (s *Service) FindPolicies(ctx context.Context, actor anxin.Actor, f anxin.PolicyFilter) ([]*anxin.Policy, error) {
	if err := authorize(actor, anxin.PermPolicyRead); err != nil {
		return nil, err
	}
	ps, err := s.DB.FindPolicies(ctx, f)
	for _, p := range ps {
		anxin.MaskPolicyFor(p, actor)
	}
	return ps, err
}

// PolicyHistory returns every version of a policy, masked for the actor.
func (s *Service) PolicyHistory(ctx context.Context, actor anxin.Actor, number string) ([]anxin.PolicyVersion, error) {
	p, err := s.Policy(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	h, err := s.DB.PolicyHistory(ctx, p.ID)
	for i := range h {
		anxin.MaskPolicyFor(&h[i].Policy, actor)
	}
	return h, err
}

// UnmaskPolicyBankAccount returns a policy's bank account in full, for a
// stated reason, and records it.
func (s *Service) UnmaskPolicyBankAccount(ctx context.Context, actor anxin.Actor, number, reason string) (string, error) {
	if err := authorize(actor, anxin.PermPolicyRead); err != nil {
		return "", err
	}
	if !actor.Role.MayUnmask(anxin.FieldBankAccount) {
		return "", s.deny(ctx, actor, "policy", number, "unmask:bank_account")
	}
	if len([]rune(reason)) < 4 {
		return "", fieldError("reason", "required", "say why you need the full value (at least 4 characters)", "请说明查看完整信息的原因（至少 4 个字）")
	}
	var value string
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		p, err := s.DB.GetPolicyByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		value = p.BankAccount
		r := AuditFor(actor, "policy", p.Number, "unmask")
		r.Detail = "bank_account: " + reason
		return record(ctx, tx, r)
	})
	return value, err
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
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutProduct(ctx, p); err != nil {
			return err
		}
		r := AuditFor(actor, "product", p.Code, "put")
		r.Changes = map[string][2]any{"name": Change(nil, p.Name), "coverages": Change(nil, len(p.Coverages))}
		return record(ctx, tx, r)
	})
}
