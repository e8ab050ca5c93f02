package service

import (
	"context"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// CreateCustomer validates and stores a new customer.
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
	return s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.CreateCustomer(ctx, c) })
}

// UpdateCustomer replaces a customer's fields if expectVersion is current.
// Consents are history and change only through their own action.
func (s *Service) UpdateCustomer(ctx context.Context, actor anxin.Actor, c *anxin.Customer, expectVersion int) error {
	if err := authorize(actor, anxin.PermCustomerWrite); err != nil {
		return err
	}
	now := s.Now()
	c.Normalize(now)
	if err := c.Validate(now); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateCustomer(ctx, c, expectVersion); err != nil {
			return err
		}
		fresh, err := s.DB.GetCustomer(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		*c = *fresh
		return nil
	})
}

// Customer returns one customer.
func (s *Service) Customer(ctx context.Context, actor anxin.Actor, id string) (*anxin.Customer, error) {
	if err := authorize(actor, anxin.PermCustomerRead); err != nil {
		return nil, err
	}
	return s.DB.GetCustomer(ctx, nil, id)
}

// FindCustomers searches by name fragment, mobile or document number.
func (s *Service) FindCustomers(ctx context.Context, actor anxin.Actor, f anxin.CustomerFilter) ([]*anxin.Customer, error) {
	if err := authorize(actor, anxin.PermCustomerRead); err != nil {
		return nil, err
	}
	return s.DB.FindCustomers(ctx, f)
}
