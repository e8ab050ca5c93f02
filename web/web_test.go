package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/anxin-insure/anxin"
)

func TestLoad(t *testing.T) {
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		for _, page := range Pages {
			if v.sets[lang][page].Lookup("layout") == nil || v.sets[lang][page].Lookup("content") == nil {
				t.Errorf("%s/%s lacks the layout or its content", lang, page)
			}
		}
	}
	for _, name := range []string{"console.css", "console.js", "favicon.svg", "vendor/htmx.min.js"} {
		if u := v.staticURL(name); !regexp.MustCompile(`^/static/` + regexp.QuoteMeta(name) + `\?v=[0-9a-f]{12}$`).MatchString(u) {
			t.Errorf("static URL of %s: %q", name, u)
		}
	}
}

// Every string a template asks for exists, so no page shows a bare key.
func TestTemplateKeysExist(t *testing.T) {
	keyRe := regexp.MustCompile(`\bt "([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			if _, ok := messages[m[1]]; !ok {
				t.Errorf("%s: no message %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Both languages have every string, with the same format verbs in the
// same order, so a translation cannot drop or swap an argument.
func TestMessagesComplete(t *testing.T) {
	verbRe := regexp.MustCompile(`%[sdv]`)
	for key, m := range messages {
		if m.zh == "" || m.en == "" {
			t.Errorf("%s: missing a language: %+v", key, m)
		}
		if zh, en := strings.Join(verbRe.FindAllString(m.zh, -1), ""), strings.Join(verbRe.FindAllString(m.en, -1), ""); zh != en {
			t.Errorf("%s: verbs differ: zh %q en %q", key, zh, en)
		}
	}
}

// Every value of every domain enum the console shows has a label in both
// languages.
func TestEnumLabels(t *testing.T) {
	enums := map[string][]string{
		"kind":      {string(anxin.Individual), string(anxin.Enterprise)},
		"tier":      {string(anxin.TierDiamond), string(anxin.TierGold), string(anxin.TierSilver), string(anxin.TierOrdinary)},
		"idtype":    {string(anxin.ResidentID), string(anxin.Passport), string(anxin.HKMacauPermit), string(anxin.TaiwanPermit), string(anxin.CreditCode)},
		"gender":    {string(anxin.Male), string(anxin.Female)},
		"status":    {string(anxin.PolicyInForce), string(anxin.PolicyLapsed), string(anxin.PolicyTerminated), string(anxin.PolicyExpired)},
		"method":    {string(anxin.PayBankDebit), string(anxin.PayOnline), string(anxin.PayCash)},
		"frequency": {string(anxin.PaySingle), string(anxin.PayAnnual), string(anxin.PayQuarterly), string(anxin.PayMonthly)},
		"channel":   anxin.SalesChannels,
		"relation":  anxin.BeneficiaryRelations,
		"purpose":   anxin.ConsentPurposes,
		"line":      {string(anxin.LineAuto), string(anxin.LineLife), string(anxin.LineHealth)},
	}
	for group, values := range enums {
		for _, v := range values {
			if _, ok := messages[group+"."+v]; !ok {
				t.Errorf("no label for %s %q", group, v)
			}
		}
	}
	if got := Enum("zh", "tier", "gold"); got != "黄金" {
		t.Errorf("Enum(zh, tier, gold) = %q", got)
	}
	if got := Enum("en", "channel", "a_new_channel"); got != "a_new_channel" {
		t.Errorf("an unknown value should show as itself, got %q", got)
	}
	if got := Enum("zh", "tier", ""); got != "—" {
		t.Errorf("an empty value should show as a dash, got %q", got)
	}
	for _, k := range anxin.CoverageKinds {
		if CoverageName("zh", k.Kind) != k.Name || CoverageName("en", k.Kind) != k.NameEN {
			t.Errorf("coverage %s: %q %q", k.Kind, CoverageName("zh", k.Kind), CoverageName("en", k.Kind))
		}
	}
	if RoleName("zh", anxin.RoleCSR) != "客户服务代表" || RoleName("en", anxin.RoleCSR) != "Customer service representative" {
		t.Error("role names do not come from anxin.Roles")
	}
}

func TestYuan(t *testing.T) {
	for _, tc := range []struct {
		fen  anxin.Fen
		want string
	}{
		{0, "¥0.00"}, {5, "¥0.05"}, {123450, "¥1,234.50"}, {100, "¥1.00"}, {99999, "¥999.99"},
		{100000, "¥1,000.00"}, {300_000_000, "¥3,000,000.00"}, {-123450, "-¥1,234.50"}, {12345678901, "¥123,456,789.01"},
	} {
		if got := Yuan(tc.fen); got != tc.want {
			t.Errorf("Yuan(%d) = %q, want %q", tc.fen, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		bp   anxin.BasisPoints
		want string
	}{
		{10000, "100%"}, {8000, "80%"}, {3333, "33.33%"}, {5050, "50.5%"}, {1, "0.01%"}, {0, "0%"}, {-250, "-2.5%"},
	} {
		if got := Percent(tc.bp); got != tc.want {
			t.Errorf("Percent(%d) = %q, want %q", tc.bp, got, tc.want)
		}
	}
}

func TestJoinYears(t *testing.T) {
	if got := JoinYears("zh", []int{2026, 2027}); got != "2026、2027" {
		t.Errorf("zh: %q", got)
	}
	if got := JoinYears("en", []int{2027}); got != "2027" {
		t.Errorf("en one: %q", got)
	}
	if got := JoinYears("en", []int{2026, 2027, 2028}); got != "2026, 2027 and 2028" {
		t.Errorf("en three: %q", got)
	}
}

func TestStatic(t *testing.T) {
	h := Static()
	for _, tc := range []struct {
		path   string
		status int
		ctype  string
	}{
		{"/static/console.css", 200, "text/css"},
		{"/static/console.js", 200, "text/javascript"},
		{"/static/vendor/htmx.min.js", 200, "text/javascript"},
		{"/static/favicon.svg", 200, "image/svg+xml"},
		{"/static/", 404, ""},
		{"/static/vendor/", 404, ""},
		{"/static/vendor/README.md", 404, ""},
		{"/static/missing.css", 404, ""},
		{"/static/../web.go", 404, ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, rec.Code, tc.status)
			continue
		}
		if tc.status == 200 {
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("%s: Content-Type %q", tc.path, ct)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q", tc.path, cc)
			}
		}
	}
}
