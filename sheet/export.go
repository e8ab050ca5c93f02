package sheet

import (
	"context"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// ExportOptions control an export.
type ExportOptions struct {
	// Progress, when set, is called as rows are written.
	Progress func(done, total int)
	// MaskCustomer, when set, is applied to every customer before it is
	// written, so that a role that may not see full documents and mobile
	// numbers gets them masked. In a policies export it is applied to the
	// policyholder and the insured, of whom only the document is written.
	// A masked file no longer re-imports to the same records.
	MaskCustomer func(*anxin.Customer)
	// MaskPolicy, when set, is applied to every policy before it is
	// written (bank account, beneficiaries).
	MaskPolicy func(*anxin.Policy)
}

// exportPage is how many records are read per query.
const exportPage = 500

// workbook is an XLSX being written row by row.
type workbook struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
	buf []any
}

func newWorkbook[T any](sheet string, l *layout[T]) (*workbook, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	// Every cell is text: a spreadsheet would otherwise turn an 18-digit ID
	// or a bank account into 1.10105E+17 the moment someone edits the row.
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		f.Close()
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: &excelize.Font{Bold: true}})
	if err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	n := len(l.cols)
	if err := sw.SetColWidth(1, n, 18); err != nil {
		f.Close()
		return nil, err
	}
	if err := sw.SetColStyle(1, n, text); err != nil {
		f.Close()
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		f.Close()
		return nil, err
	}
	header := l.headerRow()
	for i := range header {
		header[i] = excelize.Cell{StyleID: bold, Value: header[i]}
	}
	w := &workbook{f: f, sw: sw, row: 1, buf: make([]any, n)}
	if err := sw.SetRow("A1", header); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

func (w *workbook) add() error {
	w.row++
	return w.sw.SetRow("A"+strconv.Itoa(w.row), w.buf)
}

func (w *workbook) finish(out io.Writer) error {
	defer w.f.Close()
	if err := w.sw.Flush(); err != nil {
		return err
	}
	_, err := w.f.WriteTo(out)
	return err
}

// ExportCustomers writes every customer to w as an XLSX workbook in the
// import layout, with the Chinese headers, so that the file imports back
// unchanged. It returns the number of customers written.
func ExportCustomers(ctx context.Context, db *store.DB, w io.Writer, opt ExportOptions) (int, error) {
	total, err := db.CountCustomers(ctx)
	if err != nil {
		return 0, err
	}
	wb, err := newWorkbook("客户", customerLayout)
	if err != nil {
		return 0, err
	}
	n := 0
	after := ""
	for {
		page, err := db.FindCustomers(ctx, anxin.CustomerFilter{After: after, Limit: exportPage})
		if err != nil {
			wb.f.Close()
			return n, err
		}
		for _, c := range page {
			if opt.MaskCustomer != nil {
				opt.MaskCustomer(c)
			}
			customerLayout.formatRow(c, wb.buf)
			if err := wb.add(); err != nil {
				wb.f.Close()
				return n, err
			}
			n++
		}
		if opt.Progress != nil {
			opt.Progress(n, max(total, n))
		}
		if len(page) < exportPage {
			break
		}
		after = page[len(page)-1].ID
	}
	return n, wb.finish(w)
}

// ExportPolicies writes the current version of every policy to w as an
// XLSX workbook in the import layout, naming policyholder and insured by
// their documents. It returns the number of policies written.
func ExportPolicies(ctx context.Context, db *store.DB, w io.Writer, opt ExportOptions) (int, error) {
	total, err := db.CountPolicies(ctx)
	if err != nil {
		return 0, err
	}
	wb, err := newWorkbook("保单", policyLayout)
	if err != nil {
		return 0, err
	}
	n := 0
	after := ""
	var row policyRow
	for {
		page, err := db.FindPolicies(ctx, anxin.PolicyFilter{After: after, Limit: exportPage})
		if err != nil {
			wb.f.Close()
			return n, err
		}
		ids := make([]string, 0, 2*len(page))
		for _, p := range page {
			ids = append(ids, p.PolicyholderID, p.InsuredID)
		}
		who, err := readerFor(db).lookupIdentities(ctx, ids)
		if err != nil {
			wb.f.Close()
			return n, err
		}
		document := func(id string) (anxin.IDType, string) {
			k := who[id]
			if opt.MaskCustomer != nil {
				c := &anxin.Customer{ID: id, IDType: k.typ, IDNumber: k.number}
				opt.MaskCustomer(c)
				return c.IDType, c.IDNumber
			}
			return k.typ, k.number
		}
		for _, p := range page {
			if opt.MaskPolicy != nil {
				opt.MaskPolicy(p)
			}
			row = policyRow{Policy: *p}
			row.holderType, row.holderNumber = document(p.PolicyholderID)
			row.insuredType, row.insuredNumber = document(p.InsuredID)
			policyLayout.formatRow(&row, wb.buf)
			if err := wb.add(); err != nil {
				wb.f.Close()
				return n, err
			}
			n++
		}
		if opt.Progress != nil {
			opt.Progress(n, max(total, n))
		}
		if len(page) < exportPage {
			break
		}
		after = page[len(page)-1].ID
	}
	return n, wb.finish(w)
}
