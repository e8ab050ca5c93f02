package sheet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/anxin-insure/anxin"
)

// column is one column of a layout: how a cell becomes part of T, how T is
// written back, and how the stored value is kept when a file leaves the
// column out.
type column[T any] struct {
	key, zh string
	aliases []string
	parse   func(p *parser, dst *T, cell string)
	format  func(src *T) string
	// keep copies the field from the stored record into an updated one when
	// the file has no such column: a file that only carries names and mobiles
	// must not wipe every customer's e-mail address.
	keep func(dst, src *T)
}

// layout is the set of columns of one kind of sheet.
type layout[T any] struct {
	name, nameZH string
	cols         []column[T]
	required     []string          // keys that must appear in the header
	byHeader     map[string]int    // normalised header → column
	zh           map[string]string // key → Chinese header, for messages
	fieldColumn  map[string]string // domain field → column key, where they differ
}

func newLayout[T any](name, nameZH string, required []string, fieldColumn map[string]string, cols ...column[T]) *layout[T] {
	l := &layout[T]{name: name, nameZH: nameZH, cols: cols, required: required,
		byHeader: map[string]int{}, zh: map[string]string{}, fieldColumn: fieldColumn}
	for i, c := range cols {
		l.zh[c.key] = c.zh
		for _, h := range append([]string{c.key, c.zh}, c.aliases...) {
			k := normHeader(h)
			if j, ok := l.byHeader[k]; ok && j != i {
				panic("sheet: header " + h + " names two columns of the " + name + " layout")
			}
			l.byHeader[k] = i
		}
	}
	return l
}

// normHeader folds the differences people introduce when they retype a
// header: case, spaces, full-width brackets, a trailing "*" that templates
// use to mark required columns, and the byte-order mark Excel puts before
// the first header of a UTF-8 CSV.
func normHeader(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "\ufeff")
	s = strings.TrimRight(s, "*＊ ")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case r == ' ' || r == '\u3000' || r == '_' || r == '-':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// binding says where each column of the layout sits in a file.
type binding struct {
	cell []int // per layout column: index into the row's cells, or -1
}

func (b *binding) present(i int) bool { return b.cell[i] >= 0 }

// bind matches a header row to the layout. An unknown or repeated header is
// an error rather than being ignored, because a misspelt "电子邮件" would
// otherwise silently import every row without its e-mail address.
func (l *layout[T]) bind(row int, header []string) (*binding, []RowError) {
	b := &binding{cell: make([]int, len(l.cols))}
	for i := range b.cell {
		b.cell[i] = -1
	}
	var errs []RowError
	for j, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		i, ok := l.byHeader[normHeader(h)]
		if !ok {
			errs = append(errs, RowError{Row: row, Field: h, Reason: "unknown_column",
				Message:   fmt.Sprintf("row %d: column %q is not part of the %s layout; see FORMAT.md for the accepted headers", row, h, l.name),
				MessageZH: fmt.Sprintf("第 %d 行：表头“%s”不是%s导入格式中的列，可用的表头见 FORMAT.md", row, h, l.nameZH)})
			continue
		}
		if b.cell[i] >= 0 {
			errs = append(errs, RowError{Row: row, Field: l.cols[i].key, Reason: "duplicate_column",
				Message:   fmt.Sprintf("row %d: column %s (%s) appears twice, as %q and %q", row, l.cols[i].key, l.cols[i].zh, header[b.cell[i]], h),
				MessageZH: fmt.Sprintf("第 %d 行：%s（%s）列出现了两次：“%s”和“%s”", row, l.cols[i].zh, l.cols[i].key, header[b.cell[i]], h)})
			continue
		}
		b.cell[i] = j
	}
	for _, key := range l.required {
		for i, c := range l.cols {
			if c.key == key && b.cell[i] < 0 {
				errs = append(errs, RowError{Row: row, Field: key, Reason: "missing_column",
					Message:   fmt.Sprintf("row %d: the header has no %s (%s) column, which every %s file needs", row, key, c.zh, l.name),
					MessageZH: fmt.Sprintf("第 %d 行：表头缺少“%s”（%s）列，%s导入文件必须包含该列", row, c.zh, key, l.nameZH)})
			}
		}
	}
	return b, errs
}

// parse fills dst from one row's cells; errors go to p.
func (l *layout[T]) parse(p *parser, b *binding, cells []string, dst *T) {
	for i := range l.cols {
		j := b.cell[i]
		if j < 0 {
			continue
		}
		cell := ""
		if j < len(cells) {
			cell = strings.TrimSpace(cells[j])
		}
		l.cols[i].parse(p, dst, cell)
	}
}

// keepAbsent copies every column the file does not have from src to dst.
func (l *layout[T]) keepAbsent(b *binding, dst, src *T) {
	for i := range l.cols {
		if !b.present(i) && l.cols[i].keep != nil {
			l.cols[i].keep(dst, src)
		}
	}
}

// index returns the position of the column with key.
func (l *layout[T]) index(key string) int {
	for i, c := range l.cols {
		if c.key == key {
			return i
		}
	}
	panic("sheet: no column " + key + " in the " + l.name + " layout")
}

func (l *layout[T]) headerRow() []any {
	out := make([]any, len(l.cols))
	for i, c := range l.cols {
		out[i] = c.zh
	}
	return out
}

// formatRow writes src into out, which has one slot per column.
func (l *layout[T]) formatRow(src *T, out []any) {
	for i := range l.cols {
		out[i] = l.cols[i].format(src)
	}
}

// rowError builds an error whose messages name the row and the column in
// both languages. field may be a domain path such as "mobiles[1]" or
// "policyholder_id"; Field is always the column key so that an error report
// can be sorted and filtered by column.
func (l *layout[T]) rowError(row int, field, reason, en, zh string) RowError {
	key := field
	if i := strings.IndexAny(key, "[."); i >= 0 {
		key = key[:i]
	}
	if k, ok := l.fieldColumn[key]; ok {
		key = k
	}
	head := l.zh[key]
	var msg, msgZH string
	switch {
	case field == "":
		msg = fmt.Sprintf("row %d: %s", row, en)
		msgZH = fmt.Sprintf("第 %d 行：%s", row, zh)
	case head == "":
		msg = fmt.Sprintf("row %d, %s: %s", row, field, en)
		msgZH = fmt.Sprintf("第 %d 行，%s：%s", row, field, zh)
	case field == key:
		msg = fmt.Sprintf("row %d, %s (%s): %s", row, key, head, en)
		msgZH = fmt.Sprintf("第 %d 行，%s（%s）：%s", row, head, key, zh)
	default:
		msg = fmt.Sprintf("row %d, %s (%s), %s: %s", row, key, head, field, en)
		msgZH = fmt.Sprintf("第 %d 行，%s（%s，%s）：%s", row, head, key, field, zh)
	}
	return RowError{Row: row, Field: key, Reason: reason, Message: msg, MessageZH: msgZH}
}

// parser carries the state of the row being parsed: where it is, how its
// file stores dates, and the errors found so far.
type parser struct {
	row            int
	xlsx, date1904 bool
	errs           []fieldProblem
}

type fieldProblem struct {
	field, reason, en, zh string
	warning               bool
}

func (p *parser) reset(row int) {
	p.row = row
	p.errs = p.errs[:0]
}

func (p *parser) fail(field, reason, en, zh string) {
	p.errs = append(p.errs, fieldProblem{field: field, reason: reason, en: en, zh: zh})
}

// failed reports whether a parse error was already recorded for the column
// of field, so that Validate's "is required" for a date that could not be
// read is not reported on top of "is not a date".
func (p *parser) failed(column string) bool {
	for _, e := range p.errs {
		if e.field == column {
			return true
		}
	}
	return false
}

// addValidation records the field errors of a domain validation, mapped to
// columns, skipping columns whose cell already failed to parse.
func addValidation[T any](p *parser, l *layout[T], err error, warnings []anxin.FieldError) {
	var fields []anxin.FieldError
	if e, ok := err.(*anxin.Error); ok {
		fields = e.Fields
	} else if err != nil {
		p.fail("", "invalid", err.Error(), err.Error())
	}
	if err == nil {
		fields = warnings
	}
	for _, f := range fields {
		key := f.Field
		if i := strings.IndexAny(key, "[."); i >= 0 {
			key = key[:i]
		}
		if k, ok := l.fieldColumn[key]; ok {
			key = k
		}
		if !f.Warning && p.failed(key) {
			continue
		}
		p.errs = append(p.errs, fieldProblem{field: f.Field, reason: f.Reason, en: f.Message, zh: f.MessageZH, warning: f.Warning})
	}
}

// Column constructors. Each takes an accessor for the field it fills, so
// that parse, format and keep cannot disagree about which field that is.

func textColumn[T any](key, zh string, aliases []string, field func(*T) *string) column[T] {
	return column[T]{key: key, zh: zh, aliases: aliases,
		parse:  func(_ *parser, t *T, s string) { *field(t) = s },
		format: func(t *T) string { return *field(t) },
		keep:   func(d, s *T) { *field(d) = *field(s) }}
}

func enumColumn[T any, E ~string](key, zh string, aliases []string, e *enumTable, field func(*T) *E) column[T] {
	return column[T]{key: key, zh: zh, aliases: aliases,
		parse: func(p *parser, t *T, s string) {
			code, ok := e.parse(s)
			if !ok {
				p.fail(key, "enum", fmt.Sprintf("%q is not a known %s; use one of %s", s, e.what, e.hint),
					fmt.Sprintf("“%s”不是有效的%s，可填：%s", s, e.whatZH, e.hintZH))
				return
			}
			*field(t) = E(code)
		},
		format: func(t *T) string { return e.label(string(*field(t))) },
		keep:   func(d, s *T) { *field(d) = *field(s) }}
}

func dateColumn[T any](key, zh string, aliases []string, field func(*T) *anxin.Date) column[T] {
	return column[T]{key: key, zh: zh, aliases: aliases,
		parse: func(p *parser, t *T, s string) {
			d, ok := parseDate(s, p.xlsx, p.date1904)
			if !ok {
				p.fail(key, "format", fmt.Sprintf("%q is not a date; write it as 2006-01-02, 2006/01/02 or 20060102", s),
					fmt.Sprintf("“%s”不是有效日期，请写作 2006-01-02、2006/01/02 或 20060102", s))
				return
			}
			*field(t) = d
		},
		format: func(t *T) string { return field(t).String() },
		keep:   func(d, s *T) { *field(d) = *field(s) }}
}

// customerLayout is the customers sheet.
var customerLayout = newLayout("customers", "客户", []string{"name", "id_number"}, nil,
	textColumn("name", "姓名", []string{"名称", "客户名称", "客户姓名", "姓名/名称"}, func(c *anxin.Customer) *string { return &c.Name }),
	enumColumn("kind", "客户类型", []string{"类型"}, kinds, func(c *anxin.Customer) *anxin.CustomerKind { return &c.Kind }),
	enumColumn("id_type", "证件类型", nil, idTypes, func(c *anxin.Customer) *anxin.IDType { return &c.IDType }),
	textColumn("id_number", "证件号码", []string{"证件号", "身份证号码", "身份证号"}, func(c *anxin.Customer) *string { return &c.IDNumber }),
	enumColumn("gender", "性别", nil, genders, func(c *anxin.Customer) *anxin.Gender { return &c.Gender }),
	dateColumn("birth_date", "出生日期", []string{"生日"}, func(c *anxin.Customer) *anxin.Date { return &c.BirthDate }),
	column[anxin.Customer]{key: "mobiles", zh: "手机号码", aliases: []string{"手机", "手机号", "mobile"},
		parse:  func(_ *parser, c *anxin.Customer, s string) { c.Mobiles = splitList(s) },
		format: func(c *anxin.Customer) string { return strings.Join(c.Mobiles, ";") },
		keep:   func(d, s *anxin.Customer) { d.Mobiles = append([]string(nil), s.Mobiles...) }},
	textColumn("email", "电子邮箱", []string{"邮箱", "电子邮件地址", "e-mail"}, func(c *anxin.Customer) *string { return &c.Email }),
	textColumn("address", "地址", []string{"联系地址", "通讯地址"}, func(c *anxin.Customer) *string { return &c.Address }),
	enumColumn("tier", "客户等级", []string{"等级"}, tiers, func(c *anxin.Customer) *anxin.Tier { return &c.Tier }),
	column[anxin.Customer]{key: "vip", zh: "VIP", aliases: []string{"是否VIP", "贵宾"},
		parse: func(p *parser, c *anxin.Customer, s string) {
			v, ok := yesNo.parse(s)
			if !ok {
				p.fail("vip", "enum", fmt.Sprintf("%q is not yes or no; use 是/否, yes/no, Y/N or 1/0", s),
					fmt.Sprintf("“%s”不是“是”或“否”，可填：是/否、yes/no、Y/N 或 1/0", s))
				return
			}
			c.VIP = v == "true"
		},
		format: func(c *anxin.Customer) string {
			if c.VIP {
				return "是"
			}
			return "否"
		},
		keep: func(d, s *anxin.Customer) { d.VIP = s.VIP }},
)

// policyRow is a policy as a sheet holds it: the two customers are named by
// their documents instead of by id.
type policyRow struct {
	anxin.Policy
	holderType, insuredType     anxin.IDType
	holderNumber, insuredNumber string
}

// policyLayout is the policies sheet.
var policyLayout = newLayout("policies", "保单", []string{"number"},
	map[string]string{"policyholder_id": "policyholder_id_number", "insured_id": "insured_id_number", "coverages": "product_code"},
	textColumn("number", "保单号", []string{"保单号码"}, func(r *policyRow) *string { return &r.Number }),
	textColumn("product_code", "产品代码", []string{"产品编码", "险种代码"}, func(r *policyRow) *string { return &r.ProductCode }),
	column[policyRow]{key: "policyholder_id_type", zh: "投保人证件类型",
		parse:  enumColumn("policyholder_id_type", "", nil, idTypes, func(r *policyRow) *anxin.IDType { return &r.holderType }).parse,
		format: func(r *policyRow) string { return idTypes.label(string(r.holderType)) }},
	column[policyRow]{key: "policyholder_id_number", zh: "投保人证件号码", aliases: []string{"投保人证件号"},
		parse:  func(_ *parser, r *policyRow, s string) { r.holderNumber = s },
		format: func(r *policyRow) string { return r.holderNumber },
		keep:   func(d, s *policyRow) { d.PolicyholderID = s.PolicyholderID }},
	column[policyRow]{key: "insured_id_type", zh: "被保险人证件类型", aliases: []string{"被保人证件类型"},
		parse:  enumColumn("insured_id_type", "", nil, idTypes, func(r *policyRow) *anxin.IDType { return &r.insuredType }).parse,
		format: func(r *policyRow) string { return idTypes.label(string(r.insuredType)) }},
	column[policyRow]{key: "insured_id_number", zh: "被保险人证件号码", aliases: []string{"被保险人证件号", "被保人证件号码"},
		parse:  func(_ *parser, r *policyRow, s string) { r.insuredNumber = s },
		format: func(r *policyRow) string { return r.insuredNumber },
		keep:   func(d, s *policyRow) { d.InsuredID = s.InsuredID }},
	column[policyRow]{key: "premium", zh: "保费(元)", aliases: []string{"保费", "保险费", "保险费(元)"},
		parse: func(p *parser, r *policyRow, s string) {
			if s == "" {
				p.fail("premium", "required", "is required (in yuan, e.g. 1234.50)", "必填（单位为元，如 1234.50）")
				return
			}
			v, err := parseMoney(s, p.xlsx)
			if err != nil {
				p.fail("premium", "format", fmt.Sprintf("%q is not an amount in yuan with at most two decimals", s),
					fmt.Sprintf("“%s”不是有效金额，单位为元，最多两位小数", s))
				return
			}
			r.Premium = v
		},
		format: func(r *policyRow) string { return r.Premium.String() },
		keep:   func(d, s *policyRow) { d.Premium = s.Premium }},
	enumColumn("payment_frequency", "缴费频率", []string{"缴费频次", "交费频率"}, frequencies, func(r *policyRow) *anxin.PaymentFrequency { return &r.PaymentFrequency }),
	enumColumn("payment_method", "缴费方式", []string{"交费方式"}, methods, func(r *policyRow) *anxin.PaymentMethod { return &r.PaymentMethod }),
	textColumn("bank_name", "开户银行", []string{"银行名称", "开户行"}, func(r *policyRow) *string { return &r.BankName }),
	textColumn("bank_account", "银行账号", []string{"银行卡号", "账号"}, func(r *policyRow) *string { return &r.BankAccount }),
	dateColumn("next_payment_date", "下次缴费日期", []string{"下期缴费日期"}, func(r *policyRow) *anxin.Date { return &r.NextPaymentDate }),
	dateColumn("effective_date", "生效日期", []string{"保险起期"}, func(r *policyRow) *anxin.Date { return &r.EffectiveDate }),
	dateColumn("expiry_date", "满期日期", []string{"保险止期", "终止日期"}, func(r *policyRow) *anxin.Date { return &r.ExpiryDate }),
	enumColumn("status", "保单状态", []string{"状态"}, statuses, func(r *policyRow) *anxin.PolicyStatus { return &r.Status }),
	enumColumn("sales_channel", "销售渠道", []string{"渠道"}, channels, func(r *policyRow) *string { return &r.SalesChannel }),
	textColumn("agent_code", "代理人工号", []string{"代理人代码", "业务员工号"}, func(r *policyRow) *string { return &r.AgentCode }),
	dateColumn("underwriting_date", "承保日期", []string{"签单日期"}, func(r *policyRow) *anxin.Date { return &r.UnderwritingDate }),
	column[policyRow]{key: "beneficiaries", zh: "受益人", aliases: []string{"受益人信息"},
		parse:  parseBeneficiaries,
		format: func(r *policyRow) string { return formatBeneficiaries(&r.Policy) },
		keep: func(d, s *policyRow) {
			d.StatutoryHeirs = s.StatutoryHeirs
			d.Beneficiaries = append([]anxin.Beneficiary(nil), s.Beneficiaries...)
		}},
)

// parseBeneficiaries reads "张三:spouse:5000;李四:child:5000" (an optional
// fourth part is the beneficiary's resident ID number; with five parts the
// fourth is the document type and the fifth its number) or "法定" for
// statutory heirs.
func parseBeneficiaries(p *parser, r *policyRow, s string) {
	r.StatutoryHeirs, r.Beneficiaries = false, nil
	if s == "" {
		return
	}
	if statutoryWords[enumKey(s)] {
		r.StatutoryHeirs = true
		return
	}
	for i, item := range splitList(s) {
		n := strconv.Itoa(i + 1)
		parts := splitBeneficiary(item)
		if len(parts) < 3 || len(parts) > 5 {
			p.fail("beneficiaries", "format",
				fmt.Sprintf("beneficiary %s %q must be written name:relation:share, e.g. 张三:spouse:5000 (share in basis points, or 50%%), or the whole cell 法定 for statutory heirs", n, item),
				fmt.Sprintf("第 %s 位受益人“%s”应写作 姓名:关系:份额，如 张三:配偶:5000（份额为基点，或写 50%%）；法定继承人请整格填“法定”", n, item))
			continue
		}
		b := anxin.Beneficiary{Name: parts[0]}
		rel, ok := relations.parse(parts[1])
		if !ok || rel == "" {
			p.fail("beneficiaries", "enum",
				fmt.Sprintf("beneficiary %s: %q is not a known relation; use one of %s", n, parts[1], relations.hint),
				fmt.Sprintf("第 %s 位受益人：“%s”不是有效的关系，可填：%s", n, parts[1], relations.hintZH))
		}
		b.Relation = rel
		share, ok := parseShare(parts[2])
		if !ok {
			p.fail("beneficiaries", "format",
				fmt.Sprintf("beneficiary %s: share %q is not a number of basis points (5000) or a percentage (50%%)", n, parts[2]),
				fmt.Sprintf("第 %s 位受益人：份额“%s”应为基点数（如 5000）或百分比（如 50%%）", n, parts[2]))
		}
		b.Share = share
		switch len(parts) {
		case 4:
			b.IDNumber = parts[3]
		case 5:
			t, ok := idTypes.parse(parts[3])
			if !ok {
				p.fail("beneficiaries", "enum",
					fmt.Sprintf("beneficiary %s: %q is not a known document type; use one of %s", n, parts[3], idTypes.hint),
					fmt.Sprintf("第 %s 位受益人：“%s”不是有效的证件类型，可填：%s", n, parts[3], idTypes.hintZH))
			}
			b.IDType, b.IDNumber = anxin.IDType(t), parts[4]
		}
		r.Beneficiaries = append(r.Beneficiaries, b)
	}
}
