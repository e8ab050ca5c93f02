package service

import (
	"context"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// CreateCustomer validates and stores a new customer. Errors: EForbidden,
// EInvalid (per field), EConflict (the identity document is taken).
func (s *Service) CreateCustomer(ctx context.Context, actor anxin.Actor, c *anxin.Customer) error {
	if err := authorize(actor, anxin.PermCustomerWrite); err != nil {
		return err
	}
	now := s.Now()
	c.Normalize(now)
	if err := c.Validate(now); err != nil {
		return err
	}
	for i := range c.Consents {
		if c.Consents[i].Channel == "" {
			c.Consents[i].Channel = actor.Channel
		}
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		r := AuditFor(actor, "customer", c.ID, "create")
		r.Changes = customerChanges(nil, c)
		return record(ctx, tx, r)
	})
	if err == nil {
		anxin.MaskCustomerFor(c, actor)
	}
	return err
}

// UpdateCustomer replaces a customer's fields if expectVersion is current.
// A field sent back in the masked form the caller was shown keeps its stored
// value. Consents are history and change only through their own action.
// On return c holds the stored customer as the actor may see it.
func (s *Service) UpdateCustomer(ctx context.Context, actor anxin.Actor, c *anxin.Customer, expectVersion int) error {
	if err := authorize(actor, anxin.PermCustomerWrite); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, err := s.DB.GetCustomer(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		anxin.KeepUnchangedMasked(c, old)
		c.Normalize(now)
		if err := c.Validate(now); err != nil {
			return err
		}
		if err := tx.UpdateCustomer(ctx, c, expectVersion); err != nil {
			return err
		}
		fresh, err := s.DB.GetCustomer(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		r := AuditFor(actor, "customer", c.ID, "update")
		r.Changes = customerChanges(old, fresh)
		if err := record(ctx, tx, r); err != nil {
			return err
		}
		anxin.MaskCustomerFor(fresh, actor)
		*c = *fresh
		return nil
	})
}

// Customer returns one customer, masked for the actor.
func (s *Service) Customer(ctx context.Context, actor anxin.Actor, id string) (*anxin.Customer, error) {
	if err := authorize(actor, anxin.PermCustomerRead); err != nil {
		return nil, err
	}
	c, err := s.DB.GetCustomer(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	anxin.MaskCustomerFor(c, actor)
	return c, nil
}

// FindCustomers searches by name fragment, mobile or document number; the
// results are masked for the actor (a search by full number still finds,
// through the blind index).
func (s *Service) FindCustomers(ctx context.Context, actor anxin.Actor, f anxin.CustomerFilter) ([]*anxin.Customer, error) {
	if err := authorize(actor, anxin.PermCustomerRead); err != nil {
		return nil, err
	}
	cs, err := s.DB.FindCustomers(ctx, f)
	for _, c := range cs {
		anxin.MaskCustomerFor(c, actor)
	}
	return cs, err
}

// UnmaskCustomer returns one personal field of a customer in full, for a
// stated reason, and records who saw it and why. Errors: EForbidden (the
// role may not unmask that field), EInvalid (no reason, unknown field),
// ENotFound.
func (s *Service) UnmaskCustomer(ctx context.Context, actor anxin.Actor, id string, field anxin.PersonalField, reason string) (string, error) {
	if err := authorize(actor, anxin.PermCustomerRead); err != nil {
		return "", err
	}
	if _, ok := anxin.CustomerField(&anxin.Customer{}, field); !ok {
		return "", fieldError("field", "enum", "is not a personal field of a customer", "不是客户的个人信息字段")
	}
	if !actor.Role.MayUnmask(field) {
		return "", s.deny(ctx, actor, "customer", id, "unmask:"+string(field))
	}
	if len([]rune(reason)) < 4 {
		return "", fieldError("reason", "required", "say why you need the full value (at least 4 characters)", "请说明查看完整信息的原因（至少 4 个字）")
	}
	var value string
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.DB.GetCustomer(ctx, tx, id)
		if err != nil {
			return err
		}
		value, _ = anxin.CustomerField(c, field)
		r := AuditFor(actor, "customer", id, "unmask")
		r.Detail = string(field) + ": " + reason
		return record(ctx, tx, r)
	})
	return value, err
}

// deny records a permission denial and returns the EForbidden to answer.
func (s *Service) deny(ctx context.Context, actor anxin.Actor, objectType, objectID, what string) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		r := AuditFor(actor, objectType, objectID, "permission_denied")
		r.Detail = what
		return record(ctx, tx, r)
	})
	if err != nil {
		return err
	}
	return &anxin.Error{Code: anxin.EForbidden, Message: "your role may not " + what, MessageZH: "您的角色无权执行此操作（" + what + "）"}
}

// RecordDenied records that actor was refused permission p on a route.
func (s *Service) RecordDenied(ctx context.Context, actor anxin.Actor, p anxin.Permission, route string) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		r := AuditFor(actor, "route", route, "permission_denied")
		r.Detail = string(p)
		return record(ctx, tx, r)
	})
}
