package server_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/payment"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

// A bank reports a small outpatient claim for its customer through the
// API with the documents inline: the fast track decides and instructs the
// payment in that one request; the letter is there as HTML and PDF; bad
// input is refused field by field; a decided claim cannot be decided again.
func TestClaimAPIScenario(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env := newAPIEnv(t, engine)
			ctx := context.Background()
			gw := payment.NewTestGateway(0)
			env.svc.Payments = gw
			env.svc.Files = t.TempDir()
			if err := env.svc.PutProduct(ctx, anxin.SystemActor("test"), &anxin.Product{Code: "OUT-MED", Line: anxin.LineHealth, Name: "安心门诊险", NameEN: "Outpatient", Active: true,
				Coverages: []anxin.Coverage{{Kind: anxin.CovMedical, SumInsured: 20_000_00, Deductible: 0, ReimbursementRatio: 9000, AnnualLimit: 20_000_00}}}); err != nil {
				t.Fatal(err)
			}
			csr, claims := env.signIn(anxin.RoleCSR), env.signIn(anxin.RoleClaims)
			res, b := csr.do("POST", "/api/v1/customers", validCustomer("韩梅梅", "110101199003074258", "13912340002"), nil)
			if res.StatusCode != 201 {
				t.Fatalf("customer: %d %s", res.StatusCode, b)
			}
			cust := decodeJSON[anxin.Customer](t, b)
			pol := validPolicy("P2026OUT0001", cust.ID)
			pol["product_code"] = "OUT-MED"
			admin := env.signIn(anxin.RoleAdmin)
			if res, b := admin.do("POST", "/api/v1/policies", pol, nil); res.StatusCode != 201 {
				t.Fatalf("policy: %d %s", res.StatusCode, b)
			}
			p, err := env.svc.DB.GetPolicyByNumber(ctx, nil, "P2026OUT0001")
			if err != nil {
				t.Fatal(err)
			}
			doc := func(code, name string, content []byte) map[string]any {
				return map[string]any{"item_code": code, "filename": name, "content": content}
			}
			req := map[string]any{"policy_id": p.ID, "type": "medical_expense", "channel": "bank", "incident_date": "2026-11-18",
				"incident_place": "上海市第六人民医院", "description": "门诊：上呼吸道感染", "claimed": 420_00,
				"loss":   map[string]any{"setting": "outpatient", "expenses": 420_00},
				"payout": map[string]any{"payee_name": "韩梅梅", "bank_name": "招商银行", "account": "6225880137001234"},
				"documents": []any{doc("invoices", "发票.pdf", []byte("%PDF-1.4 invoice 420")), doc("expense_list", "清单.txt", []byte("挂号 20；药费 400")),
					doc("diagnosis", "诊断.txt", []byte("上呼吸道感染"))}}
			res, b = claims.do("POST", "/api/v1/claims", req, nil)
			if res.StatusCode != 201 {
				t.Fatalf("claim: %d %s", res.StatusCode, b)
			}
			f := decodeJSON[service.ClaimFile](t, b)
			// 420 × 90% = 378, decided by the system.
			if !f.Claim.FastTrack || len(f.Decisions) != 1 || f.Decisions[0].Payable != 378_00 || len(f.Payments) != 1 {
				t.Fatalf("fast track: %s", b)
			}
			num := f.Claim.Number
			// The claims specialist pays and sees the account; a CSR sees it masked.
			if !strings.Contains(string(b), "6225880137001234") {
				t.Fatalf("the claims specialist does not see the account: %s", b)
			}
			if _, b := csr.do("GET", "/api/v1/claims/"+num, nil, nil); strings.Contains(string(b), "6225880137001234") || !strings.Contains(string(b), "1234") {
				t.Fatalf("a CSR sees the full account: %s", b)
			}
			if err := env.svc.SendPayment(ctx, f.Payments[0].ID); err != nil {
				t.Fatal(err)
			}
			_, b = claims.do("GET", "/api/v1/claims/"+num, nil, nil)
			if f = decodeJSON[service.ClaimFile](t, b); f.Claim.Stage != anxin.ClaimClosed || f.Payments[0].Status != anxin.PaymentPaid {
				t.Fatalf("after payment: %s", b)
			}
			res, b = claims.do("GET", "/api/v1/claims/"+num+"/letter", nil, nil)
			if res.StatusCode != 200 || !strings.Contains(string(b), "理赔决定书") || !strings.Contains(string(b), "378.00") {
				t.Fatalf("letter: %d %.300s", res.StatusCode, b)
			}
			res, b = claims.do("GET", "/api/v1/claims/"+num+"/letter?format=pdf&lang=en", nil, nil)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("pdf: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			// A closed claim is not decided again.
			if res, b := claims.do("POST", "/api/v1/claims/"+num+"/decisions", map[string]any{"outcome": "pay"}, nil); res.StatusCode != 409 {
				t.Fatalf("decided a closed claim: %d %s", res.StatusCode, b)
			}
			// Bad input names the field and writes nothing.
			for _, tc := range []struct {
				edit  func(m map[string]any)
				code  int
				field string
			}{
				{func(m map[string]any) { m["type"] = "lottery" }, 422, "type"},
				{func(m map[string]any) { m["incident_date"] = "2030-01-01" }, 422, "incident_date"},
				{func(m map[string]any) { m["payout"] = map[string]any{"account": "abc"} }, 422, "payout.account"},
				{func(m map[string]any) { m["claimed"] = -5 }, 422, "claimed"},
				{func(m map[string]any) { m["surprise"] = true }, 422, "surprise"},
				{func(m map[string]any) { m["documents"] = []any{doc("invoices", "x.exe", []byte("MZ\x90\x00"))} }, 422, "documents[0].content"},
			} {
				m := map[string]any{}
				for k, v := range req {
					m[k] = v
				}
				tc.edit(m)
				res, b := claims.do("POST", "/api/v1/claims", m, nil)
				if res.StatusCode != tc.code || (tc.field != "" && !strings.Contains(string(b), `"`+tc.field+`"`)) {
					t.Errorf("%v: %d %s", m, res.StatusCode, b)
				}
			}
			_, b = claims.do("GET", "/api/v1/claims?policy_id="+p.ID, nil, nil)
			if list := decodeJSON[struct{ Items []anxin.Claim }](t, b); len(list.Items) != 1 {
				t.Fatalf("claims after refusals: %s", b)
			}
			// A CSR may report but not decide; nobody reads claims without
			// signing in.
			if res, _ := csr.do("POST", "/api/v1/claims/"+num+"/decisions", map[string]any{"outcome": "pay"}, nil); res.StatusCode != 403 {
				t.Fatalf("CSR decided: %d", res.StatusCode)
			}
			if res, _ := env.anonymous().do("GET", "/api/v1/claims/"+num, nil, nil); res.StatusCode != 401 {
				t.Fatalf("anonymous read: %d", res.StatusCode)
			}
			if len(gw.Paid()) != 1 {
				t.Fatalf("gateway: %+v", gw.Paid())
			}
			_ = store.SQLite
		})
	}
}
