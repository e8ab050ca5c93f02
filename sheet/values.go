package sheet

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anxin-insure/anxin"
)

// enumTable maps the spellings people type into a column to the one code the
// domain stores. The first label of each entry is the Chinese word written on
// export, so that an exported file reads naturally to staff and still
// imports back to the same code.
type enumTable struct {
	what, whatZH string
	codes        []string
	labels       [][]string
	lookup       map[string]string
	hint, hintZH string
}

// newEnum builds a table from entries of the form {code, zh-label, more
// spellings...}.
func newEnum(what, whatZH string, entries ...[]string) *enumTable {
	e := &enumTable{what: what, whatZH: whatZH, lookup: map[string]string{}}
	var hint, hintZH []string
	for _, ent := range entries {
		code := ent[0]
		e.codes = append(e.codes, code)
		e.labels = append(e.labels, ent[1:])
		for _, s := range ent {
			k := enumKey(s)
			if prev, ok := e.lookup[k]; ok && prev != code {
				panic("sheet: enum " + what + ": " + s + " means both " + prev + " and " + code)
			}
			e.lookup[k] = code
		}
		hint = append(hint, code+" ("+ent[1]+")")
		hintZH = append(hintZH, ent[1]+"（"+code+"）")
	}
	e.hint = strings.Join(hint, ", ")
	e.hintZH = strings.Join(hintZH, "、")
	return e
}

// enumKey folds case and the separators people put into codes ("In Force",
// "in-force"), so that only the spelling, not its typography, must match.
func enumKey(s string) string {
	s = strings.TrimSpace(s)
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == ' ' || c == '-':
			c = '_'
		}
		b = append(b, c)
	}
	return string(b)
}

func (e *enumTable) parse(s string) (string, bool) {
	if s == "" {
		return "", true
	}
	code, ok := e.lookup[enumKey(s)]
	return code, ok
}

// label returns the Chinese label written on export; unknown codes are
// written as they are so that nothing is lost.
func (e *enumTable) label(code string) string {
	for i, c := range e.codes {
		if c == code {
			return e.labels[i][0]
		}
	}
	return code
}

var (
	kinds = newEnum("customer type", "客户类型",
		[]string{string(anxin.Individual), "个人", "自然人", "个人客户"},
		[]string{string(anxin.Enterprise), "企业", "单位", "公司", "机构", "企业客户"})
	idTypes = newEnum("document type", "证件类型",
		[]string{string(anxin.ResidentID), "居民身份证", "身份证", "二代身份证"},
		[]string{string(anxin.Passport), "护照"},
		[]string{string(anxin.HKMacauPermit), "港澳居民来往内地通行证", "港澳通行证", "回乡证"},
		[]string{string(anxin.TaiwanPermit), "台湾居民来往大陆通行证", "台胞证"},
		[]string{string(anxin.CreditCode), "统一社会信用代码", "营业执照", "信用代码"})
	tiers = newEnum("customer tier", "客户等级",
		[]string{string(anxin.TierDiamond), "钻石", "钻石客户"},
		[]string{string(anxin.TierGold), "黄金", "金卡", "黄金客户"},
		[]string{string(anxin.TierSilver), "白银", "银卡", "白银客户"},
		[]string{string(anxin.TierOrdinary), "普通", "普通客户"})
	genders = newEnum("gender", "性别",
		[]string{string(anxin.Male), "男", "m"},
		[]string{string(anxin.Female), "女", "f"})
	statuses = newEnum("policy status", "保单状态",
		[]string{string(anxin.PolicyInForce), "有效", "生效", "在保"},
		[]string{string(anxin.PolicyLapsed), "失效", "中止"},
		[]string{string(anxin.PolicyTerminated), "终止", "退保"},
		[]string{string(anxin.PolicyExpired), "满期", "期满", "到期"})
	frequencies = newEnum("payment frequency", "缴费频率",
		[]string{string(anxin.PaySingle), "趸交", "趸缴", "一次性交清", "一次交清"},
		[]string{string(anxin.PayAnnual), "年交", "年缴", "按年"},
		[]string{string(anxin.PayQuarterly), "季交", "季缴", "按季"},
		[]string{string(anxin.PayMonthly), "月交", "月缴", "按月"})
	methods = newEnum("payment method", "缴费方式",
		[]string{string(anxin.PayBankDebit), "银行代扣", "银行转账", "代扣"},
		[]string{string(anxin.PayOnline), "网上支付", "在线支付", "网银"},
		[]string{string(anxin.PayCash), "柜面现金", "现金"})
	channels = newEnum("sales channel", "销售渠道",
		[]string{"agent", "个人代理", "代理人", "个险"},
		[]string{"bancassurance", "银行代理", "银保", "银代"},
		[]string{"car_dealer", "车商", "4s店", "汽车经销商"},
		[]string{"online", "互联网", "网销", "网上"},
		[]string{"telesales", "电话销售", "电销"},
		[]string{"counter", "柜面", "直销"},
		[]string{"broker", "经纪", "保险经纪", "经纪人"})
	relations = newEnum("beneficiary relation", "受益人关系",
		[]string{"spouse", "配偶", "夫妻"},
		[]string{"child", "子女", "儿子", "女儿"},
		[]string{"parent", "父母", "父亲", "母亲"},
		[]string{"sibling", "兄弟姐妹"},
		[]string{"other", "其他"})
	yesNo = newEnum("yes/no value", "是/否",
		[]string{"true", "是", "yes", "y", "1", "vip"},
		[]string{"false", "否", "no", "n", "0"})
)

// Spellings of "statutory heirs" in the beneficiaries column.
var statutoryWords = map[string]bool{"法定": true, "法定继承人": true, "法定受益人": true, "statutory": true, "statutory_heirs": true}

// parseDate accepts the layouts of anxin.ParseDate, "2006年1月2日" (how
// Chinese Excel shows dates when it saves CSV) and, in a workbook, the serial
// day number under which Excel stores a date cell.
func parseDate(s string, xlsx, date1904 bool) (anxin.Date, bool) {
	if s == "" {
		return anxin.Date{}, true
	}
	if xlsx && isSerial(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return anxin.Date{}, false
		}
		t, err := excelize.ExcelDateToTime(math.Floor(f), date1904)
		if err != nil {
			return anxin.Date{}, false
		}
		return anxin.DateOf(t), true
	}
	if d, err := anxin.ParseDate(s); err == nil {
		return d, true
	}
	if t, err := time.Parse("2006年1月2日", s); err == nil {
		return anxin.DateOf(t), true
	}
	return anxin.Date{}, false
}

// isSerial reports whether s looks like an Excel serial date: a number of at
// most seven integer digits (9999-12-31 is 2958465), so that 20060102 is
// still read as a compact date.
func isSerial(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 7 {
		return false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// parseMoney parses a yuan amount. A workbook stores a typed 1234.56 as the
// binary double nearest to it, and a formula's result can come out as
// 1234.5600000000002; such a value is rounded to the fen only when it is
// within a float's rounding error of a whole fen, so a genuine third decimal
// is still rejected.
func parseMoney(s string, xlsx bool) (anxin.Fen, error) {
	if v, ok := plainYuan(s); ok {
		return v, nil
	}
	v, err := anxin.ParseYuan(s)
	if err == nil || !xlsx {
		return v, err
	}
	f, ferr := strconv.ParseFloat(s, 64)
	if ferr != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return 0, err
	}
	fen := math.Round(f * 100)
	if math.Abs(fen-f*100) > 1e-12*math.Max(1, math.Abs(f*100)) {
		return 0, err
	}
	return anxin.Fen(fen), nil
}

// plainYuan parses the common case, digits with up to two decimals, exactly
// as anxin.ParseYuan does (a test holds them to that). ParseYuan builds a
// strings.Replacer on every call, which was a sixth of the time spent
// parsing a policies sheet.
func plainYuan(s string) (anxin.Fen, bool) {
	if len(s) == 0 || len(s) > 15 {
		return 0, false
	}
	var v int64
	decimals := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int64(c-'0')
			if decimals >= 0 {
				decimals++
			}
		case c == '.' && decimals < 0:
			decimals = 0
		default:
			return 0, false
		}
	}
	switch decimals {
	case -1, 0:
		v *= 100
	case 1:
		v *= 10
	case 2:
	default:
		return 0, false
	}
	return anxin.Fen(v), true
}

// splitList splits a cell holding several values separated by ASCII or
// full-width semicolons or commas, dropping empty items.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == ',' || r == '，' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseShare reads a beneficiary share in basis points ("5000") or as a
// percentage with up to two decimals ("50%", "33.33%").
func parseShare(s string) (anxin.BasisPoints, bool) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok || strings.HasSuffix(s, "％") {
		if !ok {
			p = strings.TrimSuffix(s, "％")
		}
		// ParseYuan reads a decimal with up to two places into hundredths
		// without floating point, which is exactly percent → basis points.
		v, err := anxin.ParseYuan(strings.TrimSpace(p))
		if err != nil || strings.ContainsAny(p, ",¥￥") {
			return 0, false
		}
		return anxin.BasisPoints(v), true
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return anxin.BasisPoints(n), true
}

// splitBeneficiary splits one "name:relation:share[:id_type]:id_number" item
// on ASCII or full-width colons.
func splitBeneficiary(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '：' })
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// formatBeneficiaries writes the beneficiaries cell in the form the import
// reads back to the same value.
func formatBeneficiaries(p *anxin.Policy) string {
	if p.StatutoryHeirs {
		return "法定"
	}
	var b strings.Builder
	for i, x := range p.Beneficiaries {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(x.Name)
		b.WriteByte(':')
		b.WriteString(relations.label(x.Relation))
		b.WriteByte(':')
		b.WriteString(strconv.FormatInt(int64(x.Share), 10))
		if x.IDNumber != "" {
			if x.IDType != "" {
				b.WriteByte(':')
				b.WriteString(idTypes.label(string(x.IDType)))
			}
			b.WriteByte(':')
			b.WriteString(x.IDNumber)
		}
	}
	return b.String()
}
