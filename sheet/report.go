package sheet

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Report is the outcome of one import. Rows counts the data rows (blank rows
// are not rows). When an all-or-nothing import finds errors, nothing is
// written and Created, Updated and Unchanged stay zero.
type Report struct {
	Rows, Created, Updated, Unchanged, Failed int
	Errors                                    []RowError
	// Warnings do not stop a row from being imported (a bank account that
	// fails the Luhn check may still be real) but someone should look.
	Warnings []RowError
}

// RowError is one problem with one row. Row is the row number in the file,
// the header being row 1; Field is the column key (e.g. "mobiles"); Reason
// is a stable machine code; the messages name the row and column.
type RowError struct {
	Row       int
	Field     string
	Reason    string
	Message   string
	MessageZH string
}

// WriteErrors writes the errors, then the warnings, as a CSV file for the
// person who has to fix the sheet. It starts with a byte-order mark because
// Excel on Chinese Windows opens a CSV without one as GBK and garbles it.
func (r *Report) WriteErrors(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"row", "field", "reason", "说明", "message"})
	for _, e := range r.Errors {
		cw.Write([]string{strconv.Itoa(e.Row), e.Field, e.Reason, e.MessageZH, e.Message})
	}
	for _, e := range r.Warnings {
		cw.Write([]string{strconv.Itoa(e.Row), e.Field, e.Reason, "（警告）" + e.MessageZH, "(warning) " + e.Message})
	}
	cw.Flush()
	return cw.Error()
}
