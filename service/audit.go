package service

import (
	"context"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// RequestMeta is where a request came from. The HTTP layer puts it in the
// request's context; audit records take it from there, so that services
// need no HTTP types to say which address and request made a change.
type RequestMeta struct {
	IP        string
	RequestID string
	Channel   string // overrides the actor's channel when set
}

type requestMetaKey struct{}

// WithRequestMeta returns ctx carrying m.
func WithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, requestMetaKey{}, m)
}

// RequestMetaFrom returns the metadata in ctx; zero when there is none (a
// job or the command line).
func RequestMetaFrom(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(requestMetaKey{}).(RequestMeta)
	return m
}

// Apply fills r's request fields from m and returns r.
func (m RequestMeta) Apply(r *store.AuditRecord) *store.AuditRecord {
	r.IP, r.RequestID = m.IP, m.RequestID
	if m.Channel != "" {
		r.Channel = m.Channel
	}
	return r
}

// AuditFor starts an audit record of actor doing action to an object. Add
// Changes (already masked: see Change) or Detail, attach the request with
// RequestMetaFrom(ctx).Apply, and queue it with tx.QueueAudit in the
// transaction that makes the change.
func AuditFor(actor anxin.Actor, objectType, objectID, action string) *store.AuditRecord {
	return &store.AuditRecord{ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, ActorRole: string(actor.Role),
		Channel: actor.Channel, ObjectType: objectType, ObjectID: objectID, Action: action}
}

// Change is one field's [before, after] pair for AuditRecord.Changes. Pass
// personal data in the masked form the reader of the log may see: the
// audit log is read by auditors, and a plaintext ID number written into it
// could never be taken back out of an append-only, hash-chained table.
func Change(before, after any) [2]any { return [2]any{before, after} }

// SearchAudit lists audit records matching f, newest first. Requires
// audit:read. Errors: EForbidden, EInvalid (a bad cursor or time range).
func (s *Service) SearchAudit(ctx context.Context, actor anxin.Actor, f store.AuditFilter) ([]store.AuditRecord, error) {
	if err := authorize(actor, anxin.PermAuditRead); err != nil {
		return nil, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, fieldError("to", "range", "must be after the start of the range", "须晚于开始时间")
	}
	return s.DB.FindAudit(ctx, f)
}

// VerifyAudit checks every chain of the audit log (see store.DB.VerifyAudit).
// It takes no actor: it reads only hashes and answers intact or not, and it
// runs from the command line, where whoever holds the database holds
// everything anyway.
func (s *Service) VerifyAudit(ctx context.Context, progress func(done int)) (store.VerifyResult, error) {
	return s.DB.VerifyAudit(ctx, progress)
}
