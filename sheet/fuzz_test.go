package sheet

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
)

// FuzzReadCSV feeds arbitrary bytes through everything an import does to a
// CSV before touching the database: decoding, header binding, parsing each
// row as a customer and as a policy, normalising and validating. None of it
// may panic, and every problem must come back as a bilingual error that
// names its row.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"姓名,证件号码,手机号码\n王建国,110105196605151793,15226273162\n",
		"\ufeffname,id_type,id_number,mobiles,vip,birth_date\n陈静,居民身份证,33010619620414272x,13330400152；15705650797,是,1962/04/14\n",
		"保单号,产品代码,投保人证件号码,被保险人证件号码,保费(元),受益人\nP1,H-MED,110105196605151793,110105196605151793,\"1,234.50\",张三:配偶:5000;李四:child:50%\n",
		"number,premium,beneficiaries,effective_date\nP2,12.345,法定,20260101\nP3,-1,a:b,2026-02-30\n",
		"a,\"b\nc\",d\n\"unterminated\n",
	} {
		f.Add([]byte(seed))
	}
	// The realistic files, so that every test run puts them through the
	// export round trip too.
	for _, name := range []string{"customers.csv", "policies.csv", "customers_bad.csv", "policies_bad.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkCSV(t, data)
	})
}

var fuzzNow = t0

func checkCSV(t *testing.T, data []byte) {
	src, err := newCSVSource(bytes.NewReader(data))
	if err != nil {
		checkFileError(t, err)
		return
	}
	row, header, err := src.next()
	if err != nil {
		if err != io.EOF {
			checkFileError(t, err)
		}
		return
	}
	cb, cerrs := customerLayout.bind(row, header)
	pb, perrs := policyLayout.bind(row, header)
	for _, e := range append(cerrs, perrs...) {
		checkRowError(t, e, row)
	}
	product := testProducts()[1]
	var p parser
	for rows := 0; rows < 200; rows++ {
		n, cells, err := src.next()
		if err == io.EOF {
			return
		}
		if err != nil {
			checkFileError(t, err)
			return
		}
		if n <= row {
			t.Fatalf("row %d after row %d", n, row)
		}
		row = n

		p.reset(n)
		var c anxin.Customer
		parseCustomer(&p, cb, cells, &c, fuzzNow)
		if len(p.errs) == 0 {
			roundTrip(t, customerLayout, &c, func(p *parser, b *binding, cells []string, c *anxin.Customer) {
				parseCustomer(p, b, cells, c, fuzzNow)
			})
		}
		addValidation(&p, customerLayout, c.Validate(fuzzNow), nil)
		for _, e := range p.errs {
			checkRowError(t, customerLayout.rowError(n, e.field, e.reason, e.en, e.zh), n)
		}

		p.reset(n)
		var r policyRow
		parsePolicy(&p, pb, cells, &r, fuzzNow)
		if len(p.errs) == 0 {
			roundTrip(t, policyLayout, &r, func(p *parser, b *binding, cells []string, r *policyRow) {
				parsePolicy(p, b, cells, r, fuzzNow)
			})
		}
		r.Coverages = product.Coverages
		warnings, err := r.Validate(product, fuzzNow)
		addValidation(&p, policyLayout, err, warnings)
		for _, e := range p.errs {
			checkRowError(t, policyLayout.rowError(n, e.field, e.reason, e.en, e.zh), n)
		}
	}
}

// roundTrip checks that a row read without errors is written back (as an
// export writes it) to cells that read the same, which is what makes an
// exported file re-import unchanged.
func roundTrip[T any](t *testing.T, l *layout[T], v *T, parse func(*parser, *binding, []string, *T)) {
	t.Helper()
	out := make([]any, len(l.cols))
	l.formatRow(v, out)
	cells := make([]string, len(out))
	b := &binding{cell: make([]int, len(out))}
	for i := range out {
		cells[i] = out[i].(string)
		b.cell[i] = i
	}
	var p parser
	p.reset(2)
	var again T
	parse(&p, b, cells, &again)
	if len(p.errs) > 0 || !reflect.DeepEqual(*v, again) {
		t.Fatalf("%s row does not survive export and import:\n%+v\n%q\n%+v\n%+v", l.name, *v, cells, again, p.errs)
	}
}

func checkFileError(t *testing.T, err error) {
	t.Helper()
	var e *anxin.Error
	if !errors.As(err, &e) || e.Code != anxin.EInvalid || e.Message == "" || e.MessageZH == "" {
		t.Fatalf("file error is not a bilingual invalid error: %v", err)
	}
}

func checkRowError(t *testing.T, e RowError, row int) {
	t.Helper()
	if e.Row != row || e.Reason == "" || !strings.Contains(e.Message, "row ") || !strings.Contains(e.MessageZH, "第 ") {
		t.Fatalf("row error does not name row %d in both languages: %+v", row, e)
	}
}
