package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/demo"
)

// demoSeed fixes the demo data set, so every demo shows the same customers.
const demoSeed = 20261125

// loadDemo stores the demo data set through the same use cases as any other
// data, so it is validated like any other data.
func loadDemo(ctx context.Context, svc serviceForDemo, out io.Writer) error {
	ds := demo.Generate(demoSeed, time.Now())
	actor := anxin.SystemActor("demo")
	for _, p := range ds.Products {
		if err := svc.PutProduct(ctx, actor, p); err != nil {
			return fmt.Errorf("product %s: %w", p.Code, err)
		}
	}
	for _, c := range ds.Customers {
		if err := svc.CreateCustomer(ctx, actor, c); err != nil {
			return fmt.Errorf("customer %s: %w", c.Name, err)
		}
	}
	for _, p := range ds.Policies {
		if _, err := svc.CreatePolicy(ctx, actor, p); err != nil {
			return fmt.Errorf("policy %s: %w", p.Number, err)
		}
	}
	fmt.Fprintf(out, "Demo data: %d products, %d customers, %d policies.\n", len(ds.Products), len(ds.Customers), len(ds.Policies))
	fmt.Fprintf(out, "Demo accounts (password %q):\n", demo.Password)
	for _, s := range ds.Staff {
		st := &anxin.Staff{Username: s.Username, DisplayName: s.DisplayName, Role: s.Role, Email: s.Email}
		if err := svc.CreateStaff(ctx, actor, st, demo.Password); err != nil {
			return fmt.Errorf("staff %s: %w", s.Username, err)
		}
		fmt.Fprintf(out, "  %-14s %s\n", s.Username, roleName(s.Role))
	}
	return nil
}

type serviceForDemo interface {
	PutProduct(ctx context.Context, a anxin.Actor, p *anxin.Product) error
	CreateCustomer(ctx context.Context, a anxin.Actor, c *anxin.Customer) error
	CreatePolicy(ctx context.Context, a anxin.Actor, p *anxin.Policy) ([]anxin.FieldError, error)
	CreateStaff(ctx context.Context, a anxin.Actor, s *anxin.Staff, password string) error
}

func roleName(r anxin.Role) string {
	for _, x := range anxin.Roles {
		if x.Role == r {
			return x.Name + " / " + x.NameEN
		}
	}
	return string(r)
}
