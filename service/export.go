package service

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/sheet"
	"github.com/anxin-insure/anxin/store"
)

// Export writes customers or policies as XLSX to w. Personal data is masked
// unless the actor's role sees every field in full; the export is audited
// before a byte leaves. Errors: EForbidden, EInvalid (what).
func (s *Service) Export(ctx context.Context, actor anxin.Actor, what string, w io.Writer) (int, error) {
	if err := authorize(actor, anxin.PermDataExport); err != nil {
		return 0, err
	}
	opt := sheet.ExportOptions{}
	masked := !actor.Role.SeesAllFull() && actor.Kind != "system"
	if masked {
		opt.MaskCustomer = func(c *anxin.Customer) { anxin.MaskCustomerFor(c, actor) }
		opt.MaskPolicy = func(p *anxin.Policy) { anxin.MaskPolicyFor(p, actor) }
	}
	// The file is built in memory first, so that a failure half way sends
	// nothing and the audit record tells the truth about what left.
	var buf bytes.Buffer
	var n int
	var err error
	switch what {
	case "customers":
		n, err = sheet.ExportCustomers(ctx, s.DB, &buf, opt)
	case "policies":
		n, err = sheet.ExportPolicies(ctx, s.DB, &buf, opt)
	default:
		return 0, fieldError("what", "enum", "must be customers or policies", "须为 customers 或 policies")
	}
	if err != nil {
		return 0, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		r := AuditFor(actor, "export", what, "export")
		r.Detail = fmt.Sprintf("%d rows, masked=%v", n, masked)
		return record(ctx, tx, r)
	})
	if err != nil {
		return 0, err
	}
	_, err = w.Write(buf.Bytes())
	return n, err
}
