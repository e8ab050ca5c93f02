package service

import (
	"context"
	"fmt"
	"io"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/sheet"
	"github.com/anxin-insure/anxin/store"
)

// Import reads customers or policies from a CSV or XLSX file (package
// sheet) and records each write transaction in the audit log with the
// counts it committed. Errors: EForbidden, EInvalid (bad rows, with the
// report listing them).
func (s *Service) Import(ctx context.Context, actor anxin.Actor, what string, r io.Reader, format string, opt sheet.Options) (*sheet.Report, error) {
	if err := authorize(actor, anxin.PermDataImport); err != nil {
		return nil, err
	}
	opt.Actor = actorLabel(actor)
	opt.OnWrite = func(ctx context.Context, tx *store.Tx, created, updated int) error {
		rec := AuditFor(actor, "import", what, "import")
		rec.Detail = fmt.Sprintf("%d created, %d updated (%s)", created, updated, format)
		return record(ctx, tx, rec)
	}
	switch what {
	case "customers":
		return sheet.ImportCustomers(ctx, s.DB, r, format, opt)
	case "policies":
		return sheet.ImportPolicies(ctx, s.DB, r, format, opt)
	}
	return nil, fieldError("what", "enum", "must be customers or policies", "须为 customers 或 policies")
}
