package sheet

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// t0 is 10:00 in Beijing on 15 June 2026.
var t0 = time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)

func testProducts() []*anxin.Product {
	return []*anxin.Product{
		{Code: "H-MED", Line: anxin.LineHealth, Name: "百万医疗", TermYears: 1, Active: true,
			Coverages: []anxin.Coverage{{Kind: anxin.CovMedical, SumInsured: 100_000_000, Deductible: 1_000_000, ReimbursementRatio: 10000, WaitingPeriodDays: 30}}},
		{Code: "L-TERM", Line: anxin.LineLife, Name: "安心定期寿险", TermYears: 20, CoolingOffDays: 15, Active: true,
			Coverages: []anxin.Coverage{{Kind: anxin.CovTermLife, SumInsured: 50_000_000}}},
		{Code: "A-CAR", Line: anxin.LineAuto, Name: "家用车综合险", TermYears: 1, Active: true,
			Coverages: []anxin.Coverage{{Kind: anxin.CovCompulsoryTraffic, SumInsured: 20_000_000}, {Kind: anxin.CovVehicleDamage, SumInsured: 15_000_000, Deductible: 50_000}}},
	}
}

func setup(t testing.TB, db *store.DB, products ...*anxin.Product) {
	t.Helper()
	db.Now = func() time.Time { return t0 }
	if len(products) == 0 {
		products = testProducts()
	}
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		for _, p := range products {
			if err := tx.PutProduct(context.Background(), p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type importFunc func(context.Context, *store.DB, io.Reader, string, Options) (*Report, error)

func importFile(t testing.TB, db *store.DB, fn importFunc, path string, opt Options) (*Report, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return fn(context.Background(), db, f, strings.TrimPrefix(filepath.Ext(path), "."), opt)
}

func mustImport(t testing.TB, db *store.DB, fn importFunc, path string, opt Options) *Report {
	t.Helper()
	rep, err := importFile(t, db, fn, path, opt)
	if err != nil {
		t.Fatalf("import %s: %v\n%s", path, err, describe(rep))
	}
	return rep
}

func mustImportBytes(t testing.TB, db *store.DB, fn importFunc, data []byte, format string, opt Options) *Report {
	t.Helper()
	rep, err := fn(context.Background(), db, bytes.NewReader(data), format, opt)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, describe(rep))
	}
	return rep
}

func describe(rep *Report) string {
	if rep == nil {
		return "no report"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rows %d created %d updated %d unchanged %d failed %d\n", rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Failed)
	for _, e := range rep.Errors {
		fmt.Fprintf(&b, "  %s | %s\n", e.Message, e.MessageZH)
	}
	return b.String()
}

func counts(rep *Report) [5]int {
	return [5]int{rep.Rows, rep.Created, rep.Updated, rep.Unchanged, rep.Failed}
}

func count(t testing.TB, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// errorFields returns "row:field" for every error, sorted and without repeats.
func errorFields(rep *Report) []string {
	var out []string
	for _, e := range rep.Errors {
		out = append(out, fmt.Sprintf("%d:%s", e.Row, e.Field))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func customer(t *testing.T, db *store.DB, typ anxin.IDType, number string) *anxin.Customer {
	t.Helper()
	c, err := db.FindCustomerByIdentity(context.Background(), nil, typ, number)
	if err != nil {
		t.Fatalf("customer %s %s: %v", typ, number, err)
	}
	return c
}

func policy(t *testing.T, db *store.DB, number string) *anxin.Policy {
	t.Helper()
	p, err := db.GetPolicyByNumber(context.Background(), nil, number)
	if err != nil {
		t.Fatalf("policy %s: %v", number, err)
	}
	return p
}

func TestImportCustomersCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		rep := mustImport(t, db, ImportCustomers, "testdata/customers.csv", Options{})
		if got, want := counts(rep), [5]int{13, 13, 0, 0, 0}; got != want {
			t.Fatalf("first import: got %v, want %v", got, want)
		}
		// Chinese and English labels, derived fields and separators.
		c := customer(t, db, anxin.ResidentID, "33010619620414272X")
		if c.Gender != anxin.Female || c.BirthDate != anxin.MustDate("1962-04-14") || !slices.Equal(c.Mobiles, []string{"13330400152", "15705650797"}) || c.Tier != anxin.TierOrdinary {
			t.Errorf("陈静: %+v", c)
		}
		c = customer(t, db, anxin.ResidentID, "440106196612258110")
		if c.Name != "张伟" || !c.VIP || c.Tier != anxin.TierDiamond || !slices.Equal(c.Mobiles, []string{"17787974593"}) || c.BirthDate != anxin.MustDate("1966-12-25") {
			t.Errorf("张伟: %+v", c)
		}
		c = customer(t, db, anxin.CreditCode, "91220102641080020X")
		if c.Kind != anxin.Enterprise || len(c.Mobiles) != 0 || c.Address != "长春市朝阳区人民大街5688号" {
			t.Errorf("enterprise: %+v", c)
		}
		c = customer(t, db, anxin.Passport, "E12345678")
		if c.Name != "John Smith" || c.Gender != anxin.Male {
			t.Errorf("passport holder: %+v", c)
		}

		// The same file again changes nothing, not even versions.
		rep = mustImport(t, db, ImportCustomers, "testdata/customers.csv", Options{})
		if got, want := counts(rep), [5]int{13, 0, 0, 13, 0}; got != want {
			t.Fatalf("re-import: got %v, want %v", got, want)
		}
		if c := customer(t, db, anxin.ResidentID, "110105196605151793"); c.Version != 1 {
			t.Errorf("re-import bumped the version: %d", c.Version)
		}

		// A changed row updates that customer only.
		data, _ := os.ReadFile("testdata/customers.csv")
		data = bytes.Replace(data, []byte("wangjg@example.com"), []byte("wang.jianguo@example.com"), 1)
		rep = mustImportBytes(t, db, ImportCustomers, data, "csv", Options{})
		if got, want := counts(rep), [5]int{13, 0, 1, 12, 0}; got != want {
			t.Fatalf("changed import: got %v, want %v", got, want)
		}
		if c := customer(t, db, anxin.ResidentID, "110105196605151793"); c.Version != 2 || c.Email != "wang.jianguo@example.com" {
			t.Errorf("after update: %+v", c)
		}

		// Columns a file leaves out keep their stored values.
		rep = mustImportBytes(t, db, ImportCustomers, []byte("证件号码,姓名\n110105196605151793,王建华\n"), "csv", Options{})
		if got, want := counts(rep), [5]int{1, 0, 1, 0, 0}; got != want {
			t.Fatalf("narrow import: got %v, want %v", got, want)
		}
		c = customer(t, db, anxin.ResidentID, "110105196605151793")
		if c.Name != "王建华" || c.Email != "wang.jianguo@example.com" || len(c.Mobiles) != 2 || c.Tier != anxin.TierGold || c.Version != 3 {
			t.Errorf("narrow import lost fields: %+v", c)
		}
	})
}

var badCustomerErrors = []string{"3:id_number", "4:email", "4:mobiles", "5:tier", "6:birth_date", "7:id_number", "8:name"}

func TestImportCustomersAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		rep, err := importFile(t, db, ImportCustomers, "testdata/customers_bad.csv", Options{})
		if anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("got %v, want an invalid error", err)
		}
		if n := count(t, db, "customers"); n != 0 {
			t.Fatalf("%d customers written by a failed all-or-nothing import", n)
		}
		if got := errorFields(rep); !slices.Equal(got, badCustomerErrors) {
			t.Errorf("errors:\n got %v\nwant %v\n%s", got, badCustomerErrors, describe(rep))
		}
		if got, want := counts(rep), [5]int{8, 0, 0, 0, 6}; got != want {
			t.Errorf("counts %v, want %v", got, want)
		}
		for _, e := range rep.Errors {
			if !strings.Contains(e.Message, fmt.Sprintf("row %d", e.Row)) || !strings.Contains(e.MessageZH, fmt.Sprintf("第 %d 行", e.Row)) ||
				!strings.Contains(e.Message, e.Field) || !strings.Contains(e.MessageZH, customerLayout.zh[e.Field]) || e.Reason == "" {
				t.Errorf("message does not name row and field in both languages: %+v", e)
			}
		}
		var out bytes.Buffer
		if err := rep.WriteErrors(&out); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], []string{"row", "field", "reason", "说明", "message"}) || len(recs) != len(rep.Errors)+1 {
			t.Errorf("error report:\n%s", out.String())
		}
		if recs[1][0] != "3" || recs[1][1] != "id_number" || recs[1][2] != "checksum" || !strings.Contains(recs[1][3], "校验位") {
			t.Errorf("first error row: %q", recs[1])
		}
	})
}

func TestImportCustomersPartial(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		rep := mustImport(t, db, ImportCustomers, "testdata/customers_bad.csv", Options{Partial: true})
		if got, want := counts(rep), [5]int{8, 2, 0, 0, 6}; got != want {
			t.Fatalf("counts %v, want %v\n%s", got, want, describe(rep))
		}
		if got := errorFields(rep); !slices.Equal(got, badCustomerErrors) {
			t.Errorf("errors: got %v, want %v", got, badCustomerErrors)
		}
		if n := count(t, db, "customers"); n != 2 {
			t.Fatalf("%d customers, want 2", n)
		}
		customer(t, db, anxin.ResidentID, "110105196605151793")
		customer(t, db, anxin.ResidentID, "320106197408187930")
	})
}

func TestImportPolicies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		mustImport(t, db, ImportCustomers, "testdata/customers.csv", Options{})
		rep := mustImport(t, db, ImportPolicies, "testdata/policies.csv", Options{Actor: "staff-1"})
		if got, want := counts(rep), [5]int{8, 8, 0, 0, 0}; got != want {
			t.Fatalf("first import: got %v, want %v\n%s", got, want, describe(rep))
		}
		holder := customer(t, db, anxin.ResidentID, "310115197008040520")
		insured := customer(t, db, anxin.ResidentID, "440106196612258110")
		p := policy(t, db, "P2026000002")
		want := anxin.Policy{ID: p.ID, Number: "P2026000002", ProductCode: "L-TERM", PolicyholderID: holder.ID, InsuredID: insured.ID,
			Coverages:     testProducts()[1].Coverages,
			Beneficiaries: []anxin.Beneficiary{{Name: "李秀英", Relation: "spouse", Share: 5000}, {Name: "张小伟", Relation: "child", Share: 5000}},
			Premium:       520050, PaymentFrequency: anxin.PayAnnual, PaymentMethod: anxin.PayBankDebit, BankName: "招商银行", BankAccount: "6269162686882615",
			NextPaymentDate: anxin.MustDate("2027-03-01"), EffectiveDate: anxin.MustDate("2026-03-01"), ExpiryDate: anxin.MustDate("2046-03-01"),
			Status: anxin.PolicyInForce, SalesChannel: "agent", AgentCode: "A000123", UnderwritingDate: anxin.MustDate("2026-02-25"),
			Version: 1, CreatedAt: t0, UpdatedAt: t0}
		if !samePolicy(p, &want) || p.Version != 1 || !p.CreatedAt.Equal(t0) {
			t.Errorf("P2026000002:\n got %+v\nwant %+v", *p, want)
		}
		p = policy(t, db, "P2026000004")
		if p.PaymentFrequency != anxin.PayMonthly || p.EffectiveDate != anxin.MustDate("2026-04-01") || p.UnderwritingDate != anxin.MustDate("2026-03-28") ||
			!p.ExpiryDate.IsZero() || len(p.Beneficiaries) != 2 || p.Beneficiaries[0].Share != 6000 || p.Beneficiaries[1].Relation != "child" {
			t.Errorf("P2026000004: %+v", p)
		}
		if p := policy(t, db, "P2026000003"); p.Premium != 480000 || p.SalesChannel != "car_dealer" || len(p.Coverages) != 2 {
			t.Errorf("P2026000003: %+v", p)
		}
		if p := policy(t, db, "P2026000006"); p.Premium != 56080 || !p.StatutoryHeirs || p.SalesChannel != "bancassurance" || p.PaymentFrequency != anxin.PayQuarterly {
			t.Errorf("P2026000006: %+v", p)
		}
		if p := policy(t, db, "P2026000007"); p.Beneficiaries[0].IDNumber != "120101198805067049" {
			t.Errorf("P2026000007: %+v", p)
		}
		if p := policy(t, db, "P2026000008"); p.Status != anxin.PolicyExpired || p.SalesChannel != "counter" {
			t.Errorf("P2026000008: %+v", p)
		}
		hist, err := db.PolicyHistory(context.Background(), policy(t, db, "P2026000001").ID)
		if err != nil || len(hist) != 1 || hist[0].ChangedBy != "staff-1" || hist[0].Reason != "import" || hist[0].Policy.Number != "P2026000001" {
			t.Fatalf("history of a created policy: %+v %v", hist, err)
		}

		// Re-importing writes nothing.
		rep = mustImport(t, db, ImportPolicies, "testdata/policies.csv", Options{})
		if got, want := counts(rep), [5]int{8, 0, 0, 8, 0}; got != want {
			t.Fatalf("re-import: got %v, want %v", got, want)
		}
		if n := count(t, db, "policy_versions"); n != 8 {
			t.Fatalf("%d versions after a re-import, want 8", n)
		}

		// A changed premium makes a new version with reason "import".
		data, _ := os.ReadFile("testdata/policies.csv")
		data = bytes.Replace(data, []byte("¥560.80"), []byte("590"), 1)
		rep = mustImportBytes(t, db, ImportPolicies, data, "csv", Options{Actor: "staff-2"})
		if got, want := counts(rep), [5]int{8, 0, 1, 7, 0}; got != want {
			t.Fatalf("changed import: got %v, want %v", got, want)
		}
		p = policy(t, db, "P2026000006")
		if p.Premium != 59000 || p.Version != 2 {
			t.Errorf("after update: premium %v version %d", p.Premium, p.Version)
		}
		hist, err = db.PolicyHistory(context.Background(), p.ID)
		if err != nil || len(hist) != 2 || hist[1].Reason != "import" || hist[1].ChangedBy != "staff-2" || hist[0].Policy.Premium != 56080 || hist[1].Policy.Premium != 59000 {
			t.Fatalf("history: %+v %v", hist, err)
		}

		// A file with only the number and the status changes the status.
		rep = mustImportBytes(t, db, ImportPolicies, []byte("保单号,保单状态\nP2026000006,终止\n"), "csv", Options{})
		if got, want := counts(rep), [5]int{1, 0, 1, 0, 0}; got != want {
			t.Fatalf("status-only import: got %v, want %v", got, want)
		}
		if p := policy(t, db, "P2026000006"); p.Status != anxin.PolicyTerminated || p.Premium != 59000 || p.Version != 3 || p.InsuredID == "" {
			t.Errorf("status-only import: %+v", p)
		}
	})
}

func TestImportPoliciesErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		mustImport(t, db, ImportCustomers, "testdata/customers.csv", Options{})
		rep, err := importFile(t, db, ImportPolicies, "testdata/policies_bad.csv", Options{})
		if anxin.ErrorCode(err) != anxin.EInvalid {
			t.Fatalf("got %v, want an invalid error", err)
		}
		if n := count(t, db, "policies"); n != 0 {
			t.Fatalf("%d policies written", n)
		}
		want := []string{"3:product_code", "4:policyholder_id_number", "5:beneficiaries", "5:premium", "6:effective_date", "7:number",
			"8:bank_account", "8:next_payment_date", "8:status", "9:beneficiaries", "9:sales_channel"}
		if got := errorFields(rep); !slices.Equal(got, want) {
			t.Errorf("errors:\n got %v\nwant %v\n%s", got, want, describe(rep))
		}
		for _, e := range rep.Errors {
			if e.Field == "policyholder_id_number" && !strings.Contains(e.MessageZH, "请先导入客户") {
				t.Errorf("a missing customer should say to import customers first: %+v", e)
			}
		}

		rep = mustImport(t, db, ImportPolicies, "testdata/policies_bad.csv", Options{Partial: true})
		if got, want := counts(rep), [5]int{8, 1, 0, 0, 7}; got != want {
			t.Fatalf("partial: got %v, want %v", got, want)
		}
		policy(t, db, "P2026100001")
	})
}

func TestImportHeaderProblems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		for _, tc := range []struct {
			name, data, want string
		}{
			{"unknown column", "姓名,证件号码,电子邮件\n王建国,110105196605151793,a@example.com\n", "unknown_column"},
			{"missing key", "姓名,手机号码\n王建国,15226273162\n", "missing_column"},
			{"twice", "姓名,name,证件号码\n王建国,王建国,110105196605151793\n", "duplicate_column"},
		} {
			rep, err := ImportCustomers(context.Background(), db, strings.NewReader(tc.data), "csv", Options{})
			if anxin.ErrorCode(err) != anxin.EInvalid || rep == nil || len(rep.Errors) == 0 || rep.Errors[0].Reason != tc.want || rep.Errors[0].Row != 1 {
				t.Errorf("%s: %v %+v", tc.name, err, rep)
			}
		}
		for _, data := range []string{"", "姓名,证件号码\n"} {
			if _, err := ImportCustomers(context.Background(), db, strings.NewReader(data), "csv", Options{}); anxin.ErrorCode(err) != anxin.EInvalid {
				t.Errorf("%q: %v", data, err)
			}
		}
		if _, err := ImportCustomers(context.Background(), db, strings.NewReader("x"), "xls", Options{}); anxin.ErrorCode(err) != anxin.EInvalid {
			t.Errorf("unknown format: %v", err)
		}
		if _, err := ImportCustomers(context.Background(), db, strings.NewReader("姓名,证件号码\n"), "xlsx", Options{}); anxin.ErrorCode(err) != anxin.EInvalid || !strings.Contains(err.Error(), "xlsx") {
			t.Errorf("a CSV passed as xlsx: %v", err)
		}
		_, err := ImportCustomers(context.Background(), db, strings.NewReader("姓名,证件号码\n\"王建国,110105196605151793\n"), "csv", Options{})
		if anxin.ErrorCode(err) != anxin.EInvalid || !strings.Contains(err.Error(), "row 2") {
			t.Errorf("malformed quotes: %v", err)
		}
	})
}

func TestImportRejectsGBK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		_, err := importFile(t, db, ImportCustomers, "testdata/customers_gbk.csv", Options{})
		var e *anxin.Error
		if !errors.As(err, &e) || e.Code != anxin.EInvalid || !strings.Contains(e.Message, "GBK") || !strings.Contains(e.Message, "CSV UTF-8") ||
			!strings.Contains(e.MessageZH, "GBK 编码") || !strings.Contains(e.Message, "row 1") {
			t.Fatalf("got %v", err)
		}
		_, err = ImportCustomers(context.Background(), db, bytes.NewReader([]byte("\xff\xfe\x1d\x59")), "csv", Options{})
		if !errors.As(err, &e) || !strings.Contains(e.Message, "UTF-16") {
			t.Fatalf("UTF-16: %v", err)
		}
		// A byte-order mark is fine.
		rep := mustImportBytes(t, db, ImportCustomers, []byte("\ufeff姓名,证件号码,手机号码\n王建国,110105196605151793,15226273162\n"), "csv", Options{})
		if rep.Created != 1 {
			t.Fatalf("BOM: %+v", rep)
		}
	})
}

// buildXLSX writes rows to the first sheet of a new workbook the way a
// person typing into Excel would produce them: times become date cells
// (serial numbers) and numbers numeric cells.
func buildXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportXLSX(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db)
		day := func(s string) time.Time { return anxin.MustDate(s).In(time.UTC) }
		customers := buildXLSX(t, [][]any{
			{"name", "id_type", "id_number", "birth_date", "mobiles", "tier", "vip"},
			{"王建国", "居民身份证", "110105196605151793", day("1966-05-15"), 15226273162, "gold", "Y"},
			{},
			{"李秀英", "resident_id", "310115197008040520", "1970/8/4", "18208365123; 15766240954", "白银", 0},
		})
		rep := mustImportBytes(t, db, ImportCustomers, customers, "xlsx", Options{})
		if got, want := counts(rep), [5]int{2, 2, 0, 0, 0}; got != want {
			t.Fatalf("customers: got %v, want %v", got, want)
		}
		c := customer(t, db, anxin.ResidentID, "110105196605151793")
		if c.BirthDate != anxin.MustDate("1966-05-15") || !c.VIP || c.Mobiles[0] != "15226273162" {
			t.Errorf("王建国: %+v", c)
		}
		policies := buildXLSX(t, [][]any{
			{"保单号", "产品代码", "投保人证件号码", "被保险人证件号码", "保费（元）", "缴费频率", "缴费方式", "生效日期", "满期日期", "保单状态", "销售渠道", "承保日期", "受益人"},
			{"P2026000101", "H-MED", "110105196605151793", "310115197008040520", 1234.56, "趸交", "网上支付", day("2026-01-01"), day("2027-01-01"), "有效", "互联网", day("2025-12-30"), "法定"},
			{"P2026000102", "H-MED", "310115197008040520", "310115197008040520", 0.1 + 0.2, "趸交", "现金", 20260201, "2027-02-01", "有效", "柜面", "2026-01-30", "法定"},
			{"P2026000103", "H-MED", "310115197008040520", "310115197008040520", 99.999, "趸交", "现金", day("2026-02-01"), "2027-02-01", "有效", "柜面", day("2026-01-30"), "法定"},
		})
		rep, err := ImportPolicies(context.Background(), db, bytes.NewReader(policies), "xlsx", Options{})
		if err == nil || !slices.Equal(errorFields(rep), []string{"4:premium"}) {
			t.Fatalf("a third decimal must be refused: %v\n%s", err, describe(rep))
		}
		rep, err = ImportPolicies(context.Background(), db, bytes.NewReader(policies), "xlsx", Options{Partial: true})
		if err != nil || rep.Created != 2 {
			t.Fatalf("policies: %v\n%s", err, describe(rep))
		}
		p := policy(t, db, "P2026000101")
		if p.Premium != 123456 || p.EffectiveDate != anxin.MustDate("2026-01-01") || p.UnderwritingDate != anxin.MustDate("2025-12-30") || !p.StatutoryHeirs {
			t.Errorf("P2026000101: %+v", p)
		}
		if p := policy(t, db, "P2026000102"); p.Premium != 30 || p.EffectiveDate != anxin.MustDate("2026-02-01") {
			t.Errorf("P2026000102: %+v", p)
		}
	})
}

// sheetRows reads back every row of an exported workbook.
func sheetRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestExportImportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup(t, db)
		mustImport(t, db, ImportCustomers, "testdata/customers.csv", Options{})
		mustImport(t, db, ImportPolicies, "testdata/policies.csv", Options{})
		var cbuf, pbuf bytes.Buffer
		var progress [][2]int
		n, err := ExportCustomers(ctx, db, &cbuf, ExportOptions{Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) }})
		if err != nil || n != 13 || len(progress) == 0 || progress[len(progress)-1] != [2]int{13, 13} {
			t.Fatalf("export customers: %d %v %v", n, err, progress)
		}
		if n, err := ExportPolicies(ctx, db, &pbuf, ExportOptions{}); err != nil || n != 8 {
			t.Fatalf("export policies: %d %v", n, err)
		}
		crows, prows := sheetRows(t, cbuf.Bytes()), sheetRows(t, pbuf.Bytes())
		if !slices.Equal(crows[0], []string{"姓名", "客户类型", "证件类型", "证件号码", "性别", "出生日期", "手机号码", "电子邮箱", "地址", "客户等级", "VIP"}) {
			t.Errorf("customer header: %q", crows[0])
		}
		if prows[0][0] != "保单号" || prows[0][6] != "保费(元)" || len(crows) != 14 || len(prows) != 9 {
			t.Errorf("policy header %q, %d and %d rows", prows[0], len(crows), len(prows))
		}

		// Into the same database: nothing to do.
		rep := mustImportBytes(t, db, ImportCustomers, cbuf.Bytes(), "xlsx", Options{})
		if got, want := counts(rep), [5]int{13, 0, 0, 13, 0}; got != want {
			t.Errorf("customers back: got %v, want %v", got, want)
		}
		rep = mustImportBytes(t, db, ImportPolicies, pbuf.Bytes(), "xlsx", Options{})
		if got, want := counts(rep), [5]int{8, 0, 0, 8, 0}; got != want {
			t.Errorf("policies back: got %v, want %v", got, want)
		}

		// Into an empty database: the same records, so the same export.
		db2 := storetest.Open(t, db.Engine)
		setup(t, db2)
		mustImportBytes(t, db2, ImportCustomers, cbuf.Bytes(), "xlsx", Options{})
		mustImportBytes(t, db2, ImportPolicies, pbuf.Bytes(), "xlsx", Options{})
		var cbuf2, pbuf2 bytes.Buffer
		if _, err := ExportCustomers(ctx, db2, &cbuf2, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := ExportPolicies(ctx, db2, &pbuf2, ExportOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := sheetRows(t, cbuf2.Bytes()); !slices.EqualFunc(got, crows, slices.Equal) {
			t.Errorf("customers differ after a round trip:\n%q\n%q", got, crows)
		}
		if got := sheetRows(t, pbuf2.Bytes()); !slices.EqualFunc(got, prows, slices.Equal) {
			t.Errorf("policies differ after a round trip:\n%q\n%q", got, prows)
		}
		for _, num := range []string{"P2026000002", "P2026000004", "P2026000007"} {
			a, b := policy(t, db, num), policy(t, db2, num)
			a.PolicyholderID, a.InsuredID, b.PolicyholderID, b.InsuredID = "", "", "", ""
			if !samePolicy(a, b) {
				t.Errorf("%s differs:\n%+v\n%+v", num, a, b)
			}
		}
	})
}

func TestExportMaskCustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		setup(t, db)
		mustImport(t, db, ImportCustomers, "testdata/customers.csv", Options{})
		mustImport(t, db, ImportPolicies, "testdata/policies.csv", Options{})
		mask := func(c *anxin.Customer) {
			c.IDNumber = c.IDNumber[:4] + "**********" + c.IDNumber[len(c.IDNumber)-4:]
			for i := range c.Mobiles {
				c.Mobiles[i] = c.Mobiles[i][:3] + "****" + c.Mobiles[i][7:]
			}
		}
		var cbuf, pbuf bytes.Buffer
		if _, err := ExportCustomers(ctx, db, &cbuf, ExportOptions{MaskCustomer: mask}); err != nil {
			t.Fatal(err)
		}
		if _, err := ExportPolicies(ctx, db, &pbuf, ExportOptions{MaskCustomer: mask}); err != nil {
			t.Fatal(err)
		}
		if row := sheetRows(t, cbuf.Bytes())[1]; row[3] != "1101**********1793" || row[6] != "152****3162;189****4252" {
			t.Errorf("customer not masked: %q", row)
		}
		if row := sheetRows(t, pbuf.Bytes())[1]; row[3] != "1101**********1793" || row[5] != "1101**********1793" {
			t.Errorf("policy parties not masked: %q", row)
		}
	})
}

// TestLargeFileOneBadRow checks the promise that matters most for big
// files: a bad row near the end, several chunks in, means nothing is written.
func TestLargeFileOneBadRow(t *testing.T) {
	n := 2500
	if testing.Short() {
		n = 1200
	}
	dir := t.TempDir()
	cust, pol, err := GenerateBenchmarkFiles(dir, n, 42)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	cell := fmt.Sprintf("G%d", n)
	if err := f.SetCellValue("保单", cell, "一千元"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		setup(t, db, BenchmarkProduct())
		rep := mustImport(t, db, ImportCustomers, cust, Options{})
		if rep.Created != n {
			t.Fatalf("customers: %s", describe(rep))
		}
		var calls [][2]int
		rep, err := importFile(t, db, ImportPolicies, pol, Options{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
		if err == nil || rep.Failed != 1 || len(rep.Errors) != 1 || rep.Errors[0].Row != n || rep.Errors[0].Field != "premium" {
			t.Fatalf("got %v\n%s", err, describe(rep))
		}
		if c := count(t, db, "policies"); c != 0 {
			t.Fatalf("%d policies written", c)
		}
		calls = calls[:0]
		rep = mustImport(t, db, ImportPolicies, pol, Options{Partial: true, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
		if rep.Created != n-1 || count(t, db, "policies") != n-1 || count(t, db, "policy_versions") != n-1 {
			t.Fatalf("partial: %s", describe(rep))
		}
		for i := 1; i < len(calls); i++ {
			if calls[i][0] < calls[i-1][0] || calls[i][0] > calls[i][1] && calls[i][1] >= 0 {
				t.Fatalf("progress not monotonic or past total: %v", calls)
			}
		}
		if last := calls[len(calls)-1]; last != [2]int{n, n} {
			t.Fatalf("last progress call %v, want done = total = %d", last, n)
		}
	})
}

func TestEnumsCoverTheDomain(t *testing.T) {
	for _, tc := range []struct {
		e     *enumTable
		codes []string
	}{
		{channels, anxin.SalesChannels},
		{relations, anxin.BeneficiaryRelations},
		{statuses, []string{string(anxin.PolicyInForce), string(anxin.PolicyLapsed), string(anxin.PolicyTerminated), string(anxin.PolicyExpired)}},
		{tiers, []string{string(anxin.TierDiamond), string(anxin.TierGold), string(anxin.TierSilver), string(anxin.TierOrdinary)}},
		{idTypes, []string{string(anxin.ResidentID), string(anxin.Passport), string(anxin.HKMacauPermit), string(anxin.TaiwanPermit), string(anxin.CreditCode)}},
	} {
		for _, code := range tc.codes {
			if got, ok := tc.e.parse(code); !ok || got != code {
				t.Errorf("%s: code %s not accepted", tc.e.what, code)
			}
			if got, ok := tc.e.parse(tc.e.label(code)); !ok || got != code {
				t.Errorf("%s: label of %s does not read back", tc.e.what, code)
			}
		}
	}
}

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		in   string
		xlsx bool
		want string
	}{
		{"2026-01-05", false, "2026-01-05"},
		{"2026/1/5", false, "2026-01-05"},
		{"20260105", false, "2026-01-05"},
		{"20260105", true, "2026-01-05"},
		{"2026年1月5日", false, "2026-01-05"},
		{"46027", true, "2026-01-05"},
		{"46027.75", true, "2026-01-05"},
		{"46027", false, ""},
		{"2026-02-30", false, ""},
	} {
		d, ok := parseDate(tc.in, tc.xlsx, false)
		if got := d.String(); got != tc.want || ok != (tc.want != "") {
			t.Errorf("parseDate(%q, %v) = %q %v, want %q", tc.in, tc.xlsx, got, ok, tc.want)
		}
	}
	if d, _ := parseDate("44561", true, true); d.String() != "2026-01-01" {
		t.Errorf("1904 date system: %v", d)
	}
	for _, tc := range []struct {
		in   string
		xlsx bool
		want anxin.Fen
		ok   bool
	}{
		{"1234.5", false, 123450, true},
		{"1,234.50", false, 123450, true},
		{"1234.5600000000002", true, 123456, true},
		{"0.30000000000000004", true, 30, true},
		{"1234.5600000000002", false, 0, false},
		{"1234.565", true, 0, false},
		{"1e3", true, 100000, true},
		{"abc", true, 0, false},
	} {
		got, err := parseMoney(tc.in, tc.xlsx)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("parseMoney(%q, %v) = %v %v", tc.in, tc.xlsx, got, err)
		}
	}
	// The fast path agrees with anxin.ParseYuan wherever it answers.
	for _, in := range []string{"0", "1", "12", "1234.5", "1234.56", "1234.567", ".5", "5.", "007.10", "999999999999.99", "1.2.3", "", "-1", "1e3", "1 000", "１２"} {
		fast, ok := plainYuan(in)
		slow, err := anxin.ParseYuan(in)
		if ok && (err != nil || fast != slow) {
			t.Errorf("plainYuan(%q) = %v, ParseYuan = %v %v", in, fast, slow, err)
		}
	}
	for in, want := range map[string]anxin.BasisPoints{"5000": 5000, "50%": 5000, "33.33%": 3333, "12.5％": 1250} {
		if got, ok := parseShare(in); !ok || got != want {
			t.Errorf("parseShare(%q) = %v %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "x", "1.2.3%", "1,000%"} {
		if _, ok := parseShare(in); ok {
			t.Errorf("parseShare(%q) accepted", in)
		}
	}
	if !looksGBK("\xcd\xf5\xbd\xa8\xb9\xfa") || looksGBK("\xcd") || looksGBK("abc") {
		t.Error("looksGBK")
	}
}
