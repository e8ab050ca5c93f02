package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

func TestAuditForAndRequestMeta(t *testing.T) {
	staff := anxin.Actor{Kind: "staff", ID: "s-1", Name: "li.na", Role: anxin.RoleCSR, Channel: "console"}
	r := service.AuditFor(staff, "customer", "c-1", "update")
	if r.ActorKind != "staff" || r.ActorID != "s-1" || r.ActorName != "li.na" || r.ActorRole != "csr" || r.Channel != "console" ||
		r.ObjectType != "customer" || r.ObjectID != "c-1" || r.Action != "update" {
		t.Fatalf("AuditFor: %+v", r)
	}
	// No metadata in the context (a job, the command line) changes nothing.
	service.RequestMetaFrom(context.Background()).Apply(r)
	if r.IP != "" || r.RequestID != "" || r.Channel != "console" {
		t.Fatalf("empty metadata: %+v", r)
	}
	ctx := service.WithRequestMeta(context.Background(), service.RequestMeta{IP: "203.0.113.7", RequestID: "req-12345678", Channel: "api"})
	service.RequestMetaFrom(ctx).Apply(r)
	if r.IP != "203.0.113.7" || r.RequestID != "req-12345678" || r.Channel != "api" {
		t.Fatalf("with metadata: %+v", r)
	}
	if c := service.Change("138****1234", nil); c[0] != "138****1234" || c[1] != nil {
		t.Fatalf("Change: %v", c)
	}
}

func TestSearchAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, nil, nil)
		csr := anxin.Actor{Kind: "staff", ID: "s-1", Name: "li.na", Role: anxin.RoleCSR, Channel: "console"}
		auditor := anxin.Actor{Kind: "staff", ID: "s-2", Name: "zhao.min", Role: anxin.RoleAuditor, Channel: "console"}
		rec := service.AuditFor(csr, "customer", "c-1", "update")
		rec.Changes = map[string][2]any{"mobile": service.Change("138****1234", "139****5678")}
		service.RequestMetaFrom(service.WithRequestMeta(ctx, service.RequestMeta{IP: "10.1.2.3", RequestID: "req-abcdefgh"})).Apply(rec)
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, rec) }); err != nil {
			t.Fatal(err)
		}

		got, err := svc.SearchAudit(ctx, auditor, store.AuditFilter{Actor: "li.na"})
		if err != nil || len(got) != 1 || got[0].IP != "10.1.2.3" || got[0].Changes["mobile"][1] != "139****5678" {
			t.Fatalf("auditor search: %+v %v", got, err)
		}
		if _, err := svc.SearchAudit(ctx, csr, store.AuditFilter{}); anxin.ErrorCode(err) != anxin.EForbidden {
			t.Fatalf("a CSR searched the audit log: %v", err)
		}
		// An administrator runs the system but does not audit it.
		if _, err := svc.SearchAudit(ctx, anxin.SystemActor("test"), store.AuditFilter{}); anxin.ErrorCode(err) != anxin.EForbidden {
			t.Fatalf("an administrator searched the audit log: %v", err)
		}
		day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		if _, err := svc.SearchAudit(ctx, auditor, store.AuditFilter{From: day, To: day}); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("an empty range: %v", err)
		}
		res, err := svc.VerifyAudit(ctx, nil)
		if err != nil || !res.OK || res.Records != 1 {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}
