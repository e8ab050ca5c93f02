package letter

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"html"
	"io"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/anxin-insure/anxin"
	"github.com/signintech/gopdf"
)

func sample(lang, outcome string) Data {
	d := Data{
		Lang:         lang,
		Insurer:      "安心保险股份有限公司",
		LetterNumber: "LP20261125000001-1",
		ClaimNumber:  "LP20261125000001",
		IssuedOn:     "2026-11-25",
		ClaimantName: "张三",
		PolicyNumber: "AX2026000123",
		ProductName:  "安心百万医疗险",
		ClaimType:    "医疗费用报销",
		IncidentDate: "2026-10-03",
		Outcome:      outcome,
		Claimed:      1500000,
		DisputeHow:   "https://anxin.example/claims/review 或客服热线 95500",
		DecidedBy:    "李四",
	}
	switch outcome {
	case Pay, Partial, Advance:
		d.Payable = 123456789
		d.PaymentDue = "2026-12-05"
		d.Lines = []Line{
			{"合理且必要的医疗费用", 1500000},
			{"扣除剩余免赔额（年免赔额 10000.00，已抵扣 0.00）", -1000000},
			{"按赔付比例 100% 计算", 500000},
		}
		d.Payees = []Payee{{Name: "张三", Relation: "本人", Share: "100%", Amount: 123456789}}
	}
	if outcome == Partial || outcome == Reject {
		d.Reasons = []string{"住院期间的自费药品不属于保险责任范围（条款第六条第三款）。", "部分发票为复印件，无法核实。"}
	}
	return d
}

func TestYuan(t *testing.T) {
	for _, tc := range []struct {
		in   anxin.Fen
		want string
	}{
		{0, "¥0.00"},
		{1, "¥0.01"},
		{10, "¥0.10"},
		{99, "¥0.99"},
		{100, "¥1.00"},
		{123456, "¥1,234.56"},
		{100000, "¥1,000.00"},
		{99999999, "¥999,999.99"},
		{123456789, "¥1,234,567.89"},
		{-1, "-¥0.01"},
		{-123456789, "-¥1,234,567.89"},
		{math.MaxInt64, "¥92,233,720,368,547,758.07"},
		{math.MinInt64, "-¥92,233,720,368,547,758.08"},
	} {
		if got := Yuan(tc.in); got != tc.want {
			t.Errorf("Yuan(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// want lists texts each (outcome, language) letter must contain.
var want = map[string]map[string][]string{
	"zh": {
		Pay:     {"理赔决定书", "理赔结论", "赔付", "¥1,234,567.89", "第二十三条", "2026-12-05", "赔付计算", "领款人"},
		Partial: {"部分赔付", "¥1,234,567.89", "不予赔付部分的理由", "自费药品", "第二十三条"},
		Reject:  {"拒赔", "拒赔理由", "第二十四条", "自费药品", "部分发票为复印件"},
		Advance: {"先行赔付", "第二十五条", "¥1,234,567.89", "2026-12-05"},
	},
	"en": {
		Pay:     {"Claim decision letter", "Paid", "¥1,234,567.89", "Article 23", "2026-12-05", "Calculation", "Payees"},
		Partial: {"Partially paid", "¥1,234,567.89", "Reasons for the unpaid part", "Article 23"},
		Reject:  {"Rejected", "Reasons for rejection", "Article 24"},
		Advance: {"Advance payment", "Article 25", "¥1,234,567.89"},
	},
}

var common = map[string][]string{
	"zh": {"安心保险股份有限公司", "LP20261125000001-1", "2026-11-25", "AX2026000123", "医疗费用报销", "¥15,000.00",
		"如对本决定有异议", "自收到本决定书之日起", "申请复核", "未参与原决定的其他人员", "国家金融监督管理总局", "仲裁", "人民法院", "95500", "审核人：李四"},
	"en": {"安心保险股份有限公司", "LP20261125000001-1", "2026-11-25", "AX2026000123", "¥15,000.00",
		"If you disagree", "re-review", "took no part in the original decision", "National Financial Regulatory Administration",
		"arbitration", "people's court", "95500", "Decided by: 李四"},
}

func TestHTML(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		for _, outcome := range []string{Pay, Partial, Reject, Advance} {
			t.Run(lang+"/"+outcome, func(t *testing.T) {
				d := sample(lang, outcome)
				d.ClaimantName = `<script>alert("x")</script>张三`
				b, err := HTML(d)
				if err != nil {
					t.Fatal(err)
				}
				s := string(b)
				text := html.UnescapeString(s)
				if !strings.HasPrefix(s, "<!DOCTYPE html>") || !strings.HasSuffix(strings.TrimSpace(s), "</html>") {
					t.Errorf("not a complete HTML document")
				}
				for _, w := range append(want[lang][outcome], common[lang]...) {
					if !strings.Contains(text, w) {
						t.Errorf("missing %q", w)
					}
				}
				if strings.Contains(s, "<script>") {
					t.Errorf("claimant name not escaped")
				}
				if !strings.Contains(s, "&lt;script&gt;") {
					t.Errorf("escaped claimant name missing")
				}
				if !strings.Contains(s, "@page") || !strings.Contains(s, "size: A4") {
					t.Errorf("no A4 print CSS")
				}
				for _, ext := range []string{"http://", "//fonts.", "@import", "@font-face", "<link", "src="} {
					if strings.Contains(strings.ReplaceAll(s, d.DisputeHow, ""), ext) {
						t.Errorf("external resource %q in page", ext)
					}
				}
				if outcome == Reject && (strings.Contains(s, "第二十三条") || strings.Contains(s, "Article 23")) {
					t.Errorf("rejection cites the payment article")
				}
			})
		}
	}
}

func TestHTMLVariants(t *testing.T) {
	d := sample("zh", Pay)
	d.Automated, d.DecidedBy, d.DisputeHow, d.Review = true, "", "", true
	d.Payees = nil
	b, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, w := range []string{"个人信息保护法》第二十四条", "人工复核", "系统自动审核", "自助服务页面或客服热线",
		"理赔决定书（复核）", "取代本公司此前"} {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q", w)
		}
	}
	if strings.Contains(s, "领款人</h2>") {
		t.Errorf("payee section without payees")
	}

	d.Lang = "fr" // anything but en is Chinese
	b, _ = HTML(d)
	if !strings.Contains(string(b), `lang="zh-CN"`) {
		t.Errorf("unknown language did not fall back to Chinese")
	}

	d = sample("en", Pay)
	d.Automated, d.PaymentDue = true, ""
	b, _ = HTML(d)
	for _, w := range []string{"Personal Information Protection Law", "within ten days of reaching agreement", `lang="en"`} {
		if !strings.Contains(string(b), w) {
			t.Errorf("missing %q", w)
		}
	}
	if !strings.Contains(string(b), "Automated decision") {
		t.Errorf("no automated-decision section")
	}
	d.Automated = false
	b, _ = HTML(d)
	if strings.Contains(string(b), "Automated decision") {
		t.Errorf("automated-decision notice on a manual decision")
	}
}

func TestInvalid(t *testing.T) {
	for name, mod := range map[string]func(*Data){
		"unknown outcome":    func(d *Data) { d.Outcome = "maybe" },
		"empty outcome":      func(d *Data) { d.Outcome = "" },
		"negative payable":   func(d *Data) { d.Payable = -1 },
		"reject pays":        func(d *Data) { d.Outcome, d.Payable = Reject, 100 },
		"reject no reasons":  func(d *Data) { d.Outcome, d.Payable, d.Reasons = Reject, 0, []string{" "} },
		"partial no reasons": func(d *Data) { d.Outcome, d.Reasons = Partial, nil },
	} {
		t.Run(name, func(t *testing.T) {
			d := sample("zh", Pay)
			mod(&d)
			if _, err := HTML(d); err == nil {
				t.Errorf("HTML accepted it")
			}
			if _, err := PDF(d); err == nil {
				t.Errorf("PDF accepted it")
			}
		})
	}
}

func pageCount(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page")) - bytes.Count(pdf, []byte("/Type /Pages"))
}

var streamRE = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)

// pdfText returns the hex glyph strings of every text operator in the
// content streams: what a PDF "says", in the subset font's glyph ids.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range streamRE.FindAllSubmatch(pdf, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		b, err := io.ReadAll(r)
		if err != nil || !bytes.Contains(b, []byte(" TJ")) {
			continue
		}
		out.Write(b)
	}
	return out.String()
}

// glyphs encodes s as gopdf writes it in a TJ operator, using the glyph ids
// of the embedded font, so a test can find a text in a content stream.
func glyphs(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", glyph(t, r))
	}
	return b.String()
}

var (
	cmapOnce sync.Once
	cmap     gopdf.SubsetFontObj
	cmapErr  error
)

// glyph looks r up in the embedded font's own cmap, apart from the
// renderer, so a test can tell what the PDF draws.
func glyph(t *testing.T, r rune) uint {
	t.Helper()
	cmapOnce.Do(func() { cmapErr = cmap.SetTTFData(fontTTF) })
	if cmapErr != nil {
		t.Fatal(cmapErr)
	}
	g, err := cmap.CharCodeToGlyphIndex(r)
	if err != nil || g == 0 {
		t.Fatalf("font has no glyph for %q", r)
	}
	return g
}

// TestFontCoverage checks the embedded face has every kind of character a
// letter prints; a missing one would silently print as a space.
func TestFontCoverage(t *testing.T) {
	for _, r := range "理赔决定书拒先行复核审异议国家金融监督管理总局张王李赵钱孙" +
		"0123456789¥￥,.%-—（）()：:；;、。，“”《》" +
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'/" {
		glyph(t, r)
	}
}

func TestPDF(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		for _, outcome := range []string{Pay, Partial, Reject, Advance} {
			t.Run(lang+"/"+outcome, func(t *testing.T) {
				d := sample(lang, outcome)
				d.ClaimantName = `<script>张三`
				b, err := PDF(d)
				if err != nil {
					t.Fatal(err)
				}
				checkPDF(t, b)
				// A rejection has no calculation, payees or payment; the
				// other letters run onto a second page.
				if n, most := pageCount(b), map[bool]int{true: 1, false: 2}[outcome == Reject]; n < 1 || n > most {
					t.Errorf("%d pages, want 1 to %d", n, most)
				}
				text := pdfText(t, b)
				words := append([]string{"¥1,234,567.89", "¥15,000.00", "LP20261125000001-1", "<script>张三"}, want[lang][outcome][:2]...)
				if outcome == Reject {
					words = words[1:]
				}
				for _, w := range words {
					if !strings.Contains(text, glyphs(t, w)) {
						t.Errorf("PDF does not show %q", w)
					}
				}
			})
		}
	}
}

func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("does not start with %%PDF-")
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
		t.Errorf("does not end with %%%%EOF")
	}
	if !bytes.Contains(b, []byte("/FontFile2")) {
		t.Errorf("font not embedded (no FontFile2)")
	}
}

func TestPDFLong(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			d := sample(lang, Reject)
			for i := range 60 {
				d.Reasons = append(d.Reasons, fmt.Sprintf("第 %d 项：根据保险条款第七条的约定，因既往症导致的住院医疗费用不属于保险责任范围，"+
					"且申请人未能在约定期限内提供完整的病历资料 and supporting documents required by clause 7.2 of the policy wording.", i+1))
			}
			b, err := PDF(d)
			if err != nil {
				t.Fatal(err)
			}
			checkPDF(t, b)
			n := pageCount(b)
			if n < 2 {
				t.Fatalf("%d page(s) for 62 reasons, want more than one", n)
			}
			footer := map[string]string{"zh": "共 %d 页", "en": "of %d"}[lang]
			text := pdfText(t, b)
			if !strings.Contains(text, glyphs(t, fmt.Sprintf(footer, n))) {
				t.Errorf("footer does not give the page count %d", n)
			}
		})
	}
}

// TestPDFConcurrent shares the parsed font between documents; run with
// -race it shows that nothing in it is written per document.
func TestPDFConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	outs := make([][]byte, 8)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := sample([]string{"zh", "en"}[i%2], []string{Pay, Partial, Reject, Advance}[i%4])
			b, err := PDF(d)
			if err != nil {
				t.Error(err)
			}
			outs[i] = b
		}()
	}
	wg.Wait()
	// Same data, same bytes: no time stamp or random subset tag.
	again, err := PDF(sample("zh", Pay))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, outs[0]) {
		t.Errorf("PDF output is not reproducible")
	}
}

func TestWrap(t *testing.T) {
	// One unit per rune keeps the arithmetic obvious.
	measure := func(s string) float64 { return float64(len([]rune(s))) }
	for _, tc := range []struct {
		in    string
		width float64
		want  []string
	}{
		{"中文文本换行", 4, []string{"中文文本", "换行"}},
		{"hello world again", 11, []string{"hello world", "again"}},
		{"金额为 ¥1,234.56，请查收。", 10, []string{"金额为", "¥1,234.56，", "请查收。"}},
		{"共计¥12元", 3, []string{"共计", "¥12", "元"}},
		{"第一句，第二句", 3, []string{"第一", "句，第", "二句"}},
		{"（括号）内容", 3, []string{"（括", "号）内", "容"}},
		{"supercalifragilistic", 8, []string{"supercal", "ifragili", "stic"}},
		{"a\nb", 10, []string{"a", "b"}},
		{"", 10, []string{""}},
		{"tab\there", 10, []string{"tab here"}},
	} {
		got := wrap(tc.in, 1, tc.width, measure)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("wrap(%q, %v) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// BenchmarkPDF times a letter once the font is parsed, which is the cost
// of every letter but the first in a process.
func BenchmarkPDF(b *testing.B) {
	for _, bc := range []struct {
		name string
		d    Data
	}{
		{"reject-1page", sample("zh", Reject)},
		{"partial-2pages", sample("zh", Partial)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if _, err := PDF(bc.d); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := PDF(bc.d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHTML(b *testing.B) {
	d := sample("zh", Partial)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HTML(d); err != nil {
			b.Fatal(err)
		}
	}
}
