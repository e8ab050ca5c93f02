package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/storetest"
)

const secretID = "11010519491231002X"

func seedCustomerAndPolicy(t *testing.T, env *apiEnv) (string, string) {
	t.Helper()
	pc := env.signIn(anxin.RolePolicyChange)
	c := validCustomer("李建伟", secretID, "13812345678")
	c["email"] = "li.jianwei@example.com"
	c["address"] = "北京市朝阳区建国路88号3号楼1502室"
	res, body := pc.do("POST", "/api/v1/customers", c, nil)
	if res.StatusCode != 201 {
		t.Fatalf("create: %d %s", res.StatusCode, body)
	}
	var cust anxin.Customer
	json.Unmarshal(body, &cust)
	if res, body := pc.do("POST", "/api/v1/policies", validPolicy("P2026HLTH0009", cust.ID), nil); res.StatusCode != 201 {
		t.Fatalf("policy: %d %s", res.StatusCode, body)
	}
	return cust.ID, "P2026HLTH0009"
}

// What each role reads follows the visibility table.
func TestResponsesMaskedByRole(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	id, number := seedCustomerAndPolicy(t, env)
	for _, tt := range []struct {
		role     anxin.Role
		want     []string
		wantNot  []string
		policy   []string
		policyNo []string
	}{
		{anxin.RoleCSR, []string{"110105********002X", "138****5678", "李建伟", "北京市朝阳区****"}, []string{secretID, "13812345678", "li.jianwei@"}, []string{"************1234"}, []string{"6225880137001234"}},
		{anxin.RolePolicyChange, []string{secretID, "13812345678", "li.jianwei@example.com", "建国路88号"}, nil, []string{"6225880137001234"}, nil},
		{anxin.RoleClaims, []string{secretID, "13812345678"}, []string{"li.jianwei@", "建国路"}, []string{"6225880137001234"}, nil},
		{anxin.RoleAuditor, []string{"李*伟", "110105********002X"}, []string{"李建伟", secretID, "13812345678"}, []string{"************1234"}, []string{"6225880137001234"}},
	} {
		c := env.signIn(tt.role)
		_, body := c.do("GET", "/api/v1/customers/"+id, nil, nil)
		_, list := c.do("GET", "/api/v1/customers?q="+secretID, nil, nil)
		for _, w := range tt.want {
			if !bytes.Contains(body, []byte(w)) || !bytes.Contains(list, []byte(w)) {
				t.Errorf("%s: customer lacks %q: %s", tt.role, w, body)
			}
		}
		for _, w := range tt.wantNot {
			if bytes.Contains(body, []byte(w)) || bytes.Contains(list, []byte(w)) {
				t.Errorf("%s: customer shows %q: %s", tt.role, w, body)
			}
		}
		_, pol := c.do("GET", "/api/v1/policies/"+number, nil, nil)
		for _, w := range tt.policy {
			if !bytes.Contains(pol, []byte(w)) {
				t.Errorf("%s: policy lacks %q", tt.role, w)
			}
		}
		for _, w := range tt.policyNo {
			if bytes.Contains(pol, []byte(w)) {
				t.Errorf("%s: policy shows %q", tt.role, w)
			}
		}
	}
}

// A client that read a masked customer and sends it back changes only what
// it changed; the stars never overwrite the stored numbers.
func TestUpdateWithMaskedValuesKeepsStored(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	id, _ := seedCustomerAndPolicy(t, env)
	csr := env.signIn(anxin.RoleCSR)
	res, body := csr.do("GET", "/api/v1/customers/"+id, nil, nil)
	var c map[string]any
	json.Unmarshal(body, &c)
	c["tier"] = "diamond"
	for _, k := range []string{"id", "version", "created_at", "updated_at", "consents"} {
		delete(c, k)
	}
	res, body = csr.do("PUT", "/api/v1/customers/"+id, c, map[string]string{"If-Match": res.Header.Get("ETag")})
	if res.StatusCode != 200 {
		t.Fatalf("update: %d %s", res.StatusCode, body)
	}
	full, err := env.svc.DB.GetCustomer(context.Background(), nil, id)
	if err != nil || full.IDNumber != secretID || full.Mobiles[0] != "13812345678" || full.Email != "li.jianwei@example.com" || full.Tier != anxin.TierDiamond {
		t.Fatalf("stored after a masked round trip: %+v %v", full, err)
	}
}

// Unmasking is an explicit act with a reason, for roles that may, and
// leaves an audit record; a role that may not is refused and that too is
// recorded.
func TestUnmask(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			env := newAPIEnv(t, engine)
			id, number := seedCustomerAndPolicy(t, env)
			csr := env.signIn(anxin.RoleCSR)
			res, body := csr.do("POST", "/api/v1/customers/"+id+"/unmask", map[string]string{"field": "id_number", "reason": "客户来电核实身份"}, nil)
			if res.StatusCode != 200 || !bytes.Contains(body, []byte(secretID)) {
				t.Fatalf("unmask: %d %s", res.StatusCode, body)
			}
			if res, body := csr.do("POST", "/api/v1/customers/"+id+"/unmask", map[string]string{"field": "id_number"}, nil); res.StatusCode != 422 || !bytes.Contains(body, []byte(`"field":"reason"`)) {
				t.Fatalf("unmask without a reason: %d %s", res.StatusCode, body)
			}
			if res, _ := csr.do("POST", "/api/v1/policies/"+number+"/unmask", map[string]string{"field": "bank_account", "reason": "想看看"}, nil); res.StatusCode != 403 {
				t.Fatalf("CSR unmasking a bank account: %d", res.StatusCode)
			}
			auditor := env.signIn(anxin.RoleAuditor)
			if res, _ := auditor.do("POST", "/api/v1/customers/"+id+"/unmask", map[string]string{"field": "mobile", "reason": "审计抽查"}, nil); res.StatusCode != 403 {
				t.Fatalf("auditor unmasking: %d", res.StatusCode)
			}
			ctx := context.Background()
			unmasks, err := env.svc.DB.FindAudit(ctx, store.AuditFilter{Action: "unmask"})
			if err != nil || len(unmasks) != 1 || unmasks[0].ObjectID != id || !strings.Contains(unmasks[0].Detail, "客户来电核实身份") || unmasks[0].ActorRole != "csr" || unmasks[0].IP == "" || unmasks[0].RequestID == "" {
				t.Fatalf("unmask audit: %+v %v", unmasks, err)
			}
			denied, err := env.svc.DB.FindAudit(ctx, store.AuditFilter{Action: "permission_denied"})
			if err != nil || len(denied) != 2 {
				t.Fatalf("denials audited: %+v %v", denied, err)
			}
			if r, err := env.svc.DB.VerifyAudit(ctx, nil); err != nil || !r.OK {
				t.Fatalf("verify: %+v %v", r, err)
			}
		})
	}
}

// Exports through the API are masked for every role that may export, and
// audited; a role without data:export is refused.
func TestExportMaskedAndAudited(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	seedCustomerAndPolicy(t, env)
	if res, _ := env.signIn(anxin.RoleCSR).do("GET", "/api/v1/exports/customers", nil, nil); res.StatusCode != 403 {
		t.Fatalf("CSR export: %d", res.StatusCode)
	}
	sup := env.signIn(anxin.RoleSupervisor)
	for _, what := range []string{"customers", "policies"} {
		res, body := sup.do("GET", "/api/v1/exports/"+what, nil, nil)
		if res.StatusCode != 200 {
			t.Fatalf("export %s: %d %s", what, res.StatusCode, body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		text := ""
		for _, r := range rows {
			text += strings.Join(r, "|") + "\n"
		}
		if len(rows) < 2 || strings.Contains(text, secretID) || strings.Contains(text, "13812345678") || strings.Contains(text, "6225880137001234") {
			t.Fatalf("%s export not masked:\n%s", what, text)
		}
		if !strings.Contains(text, "110105********002X") {
			t.Fatalf("%s export lacks the masked number:\n%s", what, text)
		}
	}
	exports, err := env.svc.DB.FindAudit(context.Background(), store.AuditFilter{Action: "export"})
	if err != nil || len(exports) != 2 || !strings.Contains(exports[0].Detail, "masked=true") {
		t.Fatalf("export audit: %+v %v", exports, err)
	}
}

// An administrator ends another member's sessions at once.
func TestRevokeSessions(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	csr := env.signIn(anxin.RoleCSR)
	admin := env.signIn(anxin.RoleAdmin)
	if res, body := admin.do("DELETE", "/api/v1/staff/csr/sessions", nil, nil); res.StatusCode != 200 || !bytes.Contains(body, []byte(`"ended":1`)) {
		t.Fatalf("revoke: %d %s", res.StatusCode, body)
	}
	if res, _ := csr.do("GET", "/api/v1/me", nil, nil); res.StatusCode != 401 {
		t.Fatalf("revoked session still works: %d", res.StatusCode)
	}
}

// Sign-ins, failed sign-ins and lockouts leave audit records.
func TestSignInAudited(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	env.signIn(anxin.RoleCSR)
	c := env.anonymous()
	c.do("POST", "/api/v1/auth/login", map[string]string{"username": "csr", "password": "wrong-wrong"}, nil)
	c.do("POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "wrong-wrong"}, nil)
	ctx := context.Background()
	ok, _ := env.svc.DB.FindAudit(ctx, store.AuditFilter{Action: "sign_in", ObjectID: "csr"})
	failed, _ := env.svc.DB.FindAudit(ctx, store.AuditFilter{Action: "sign_in_failed"})
	if len(ok) != 1 || len(failed) != 2 {
		t.Fatalf("sign-in audit: %d ok, %d failed", len(ok), len(failed))
	}
}

// The optional second factor: once confirmed, a password alone asks for
// the code, a wrong code fails, a right one signs in, and it works once.
func TestTOTP(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	csr := env.signIn(anxin.RoleCSR)
	res, body := csr.do("POST", "/api/v1/me/totp", nil, nil)
	var setup struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}
	json.Unmarshal(body, &setup)
	if res.StatusCode != 200 || setup.Secret == "" || !strings.HasPrefix(setup.URL, "otpauth://totp/") {
		t.Fatalf("start: %d %s", res.StatusCode, body)
	}
	now := time.Now()
	env.svc.DB.Now = func() time.Time { return now }
	if res, _ := csr.do("POST", "/api/v1/me/totp/confirm", map[string]string{"code": "000000"}, nil); res.StatusCode != 422 {
		t.Fatalf("wrong confirm code: %d", res.StatusCode)
	}
	if res, body := csr.do("POST", "/api/v1/me/totp/confirm", map[string]string{"code": totpAt(t, setup.Secret, now)}, nil); res.StatusCode != 204 {
		t.Fatalf("confirm: %d %s", res.StatusCode, body)
	}
	login := func(code string) (int, []byte) {
		res, body := env.anonymous().do("POST", "/api/v1/auth/login", map[string]string{"username": "csr", "password": testPassword, "totp": code}, nil)
		return res.StatusCode, body
	}
	if st, body := login(""); st != 401 || !bytes.Contains(body, []byte(`"field":"totp"`)) {
		t.Fatalf("password alone: %d %s", st, body)
	}
	if st, _ := login("123456"); st != 401 {
		t.Fatalf("wrong code: %d", st)
	}
	now = now.Add(30 * time.Second)
	code := totpAt(t, setup.Secret, now)
	if st, body := login(code); st != 200 {
		t.Fatalf("right code: %d %s", st, body)
	}
	if st, _ := login(code); st != 401 {
		t.Fatalf("replayed code: %d", st)
	}
}

func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := service.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// Sign-in attempts from one address are throttled, whatever the account.
func TestStaffSignInThrottledPerAddress(t *testing.T) {
	env := newAPIEnv(t, store.SQLite)
	c := env.anonymous()
	limit := service.StaffLoginIPLimits[0].Max
	for i := range limit {
		res, _ := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "user" + strconv.Itoa(i), "password": "guess-guess"}, nil)
		if res.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	res, body := c.do("POST", "/api/v1/auth/login", map[string]string{"username": "csr", "password": testPassword}, nil)
	if res.StatusCode != 429 || !bytes.Contains(body, []byte("登录尝试过于频繁")) {
		t.Fatalf("attempt past the limit: %d %s", res.StatusCode, body)
	}
}
