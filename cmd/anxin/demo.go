package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/demo"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
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
	staffIDs := map[string]string{}
	for _, s := range ds.Staff {
		st := &anxin.Staff{Username: s.Username, DisplayName: s.DisplayName, Role: s.Role, Email: s.Email}
		if err := svc.CreateStaff(ctx, actor, st, demo.Password); err != nil {
			return fmt.Errorf("staff %s: %w", s.Username, err)
		}
		fmt.Fprintf(out, "  %-14s %s\n", s.Username, roleName(s.Role))
		staffIDs[s.Username] = st.ID
	}
	return loadDemoTickets(ctx, svc, ds, staffIDs, out)
}

// loadDemoTickets sets up the teams and agents, then opens the demo's
// requests through the same intake as any channel, so each is routed and
// timed, and moves some of them along.
func loadDemoTickets(ctx context.Context, svc serviceForDemo, ds *demo.Dataset, staffIDs map[string]string, out io.Writer) error {
	actor := anxin.SystemActor("demo")
	for _, t := range demo.Teams {
		if err := svc.PutTeam(ctx, actor, store.Team{Code: t.Code, Name: t.Name, NameEN: t.NameEN, SupervisorID: staffIDs[t.Supervisor]}); err != nil {
			return fmt.Errorf("team %s: %w", t.Code, err)
		}
	}
	for _, a := range demo.Agents {
		err := svc.PutAgent(ctx, actor, store.Agent{StaffID: staffIDs[a.Username], Team: a.Team, Skills: a.Skills, Capacity: a.Capacity,
			Availability: "available", ShiftDays: "every_day", ShiftStart: "00:00", ShiftEnd: "00:00"})
		if err != nil {
			return fmt.Errorf("agent %s: %w", a.Username, err)
		}
	}
	for _, sample := range demo.Tickets {
		c := ds.Customers[sample.Customer%len(ds.Customers)]
		t := &anxin.Ticket{Type: sample.Type, Channel: sample.Channel, Urgency: sample.Urgency, Subject: sample.Subject,
			Description: sample.Description, CustomerID: c.ID, Verification: anxin.Verification{Method: "security_questions", Result: "passed"}}
		if sample.Channel == anxin.ChannelEmail {
			t.Language = "en"
		}
		if err := svc.CreateTicket(ctx, actor, t, service.CreateOptions{}); err != nil {
			return fmt.Errorf("ticket %q: %w", sample.Subject, err)
		}
		owner := anxin.Actor{Kind: "staff", ID: t.OwnerID, Name: t.OwnerName, Role: anxin.RoleSupervisor, Channel: "demo"}
		if t.OwnerID == "" {
			owner = actor
		}
		for _, st := range sample.Stages {
			msg := ""
			if st == anxin.StageResolved {
				msg = "已为客户解答并确认无其他问题。"
			}
			if _, err := svc.MoveTicket(ctx, owner, t.Number, st, service.MoveOptions{Message: msg}); err != nil {
				return fmt.Errorf("ticket %s → %s: %w", t.Number, st, err)
			}
		}
	}
	fmt.Fprintf(out, "Demo tickets: %d, routed to %d agents in %d teams.\n", len(demo.Tickets), len(demo.Agents), len(demo.Teams))
	return nil
}

type serviceForDemo interface {
	PutProduct(ctx context.Context, a anxin.Actor, p *anxin.Product) error
	CreateCustomer(ctx context.Context, a anxin.Actor, c *anxin.Customer) error
	CreatePolicy(ctx context.Context, a anxin.Actor, p *anxin.Policy) ([]anxin.FieldError, error)
	CreateStaff(ctx context.Context, a anxin.Actor, s *anxin.Staff, password string) error
	PutTeam(ctx context.Context, a anxin.Actor, t store.Team) error
	PutAgent(ctx context.Context, a anxin.Actor, ag store.Agent) error
	CreateTicket(ctx context.Context, a anxin.Actor, t *anxin.Ticket, opt service.CreateOptions) error
	MoveTicket(ctx context.Context, a anxin.Actor, number string, to anxin.Stage, opt service.MoveOptions) (*anxin.Ticket, error)
}

func roleName(r anxin.Role) string {
	for _, x := range anxin.Roles {
		if x.Role == r {
			return x.Name + " / " + x.NameEN
		}
	}
	return string(r)
}
