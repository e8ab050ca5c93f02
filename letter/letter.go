// Package letter renders the claim decision letter (理赔决定书) that tells a
// claimant what was decided on a claim, why, and how to contest it.
//
// The letter is a legal notice as much as a message: a rejection is the
// notice that 保险法第二十四条 requires, an advance payment rests on 第二十五条,
// the payment date on 第二十三条, and a fast-track decision must carry the
// automated-decision notice of 个人信息保护法第二十四条. The texts below cite
// those articles on purpose; change them with that in mind.
//
// HTML and PDF are built from one view (see build), so the two can never say
// different things.
package letter

import (
	"fmt"
	"strings"

	"github.com/anxin-insure/anxin"
)

// Line is one step of the payout calculation, shown as computed.
type Line struct {
	Label  string
	Amount anxin.Fen
}

// Payee receives a share of the payout.
type Payee struct {
	Name, Relation string
	Share          string // already formatted, e.g. "50%"
	Amount         anxin.Fen
}

// Data is everything a letter says. Strings are shown as given: callers pass
// display texts in the letter's language.
type Data struct {
	Lang         string // "zh" (default) or "en"
	Insurer      string
	LetterNumber string
	ClaimNumber  string
	IssuedOn     string
	ClaimantName string
	PolicyNumber string
	ProductName  string
	ClaimType    string
	IncidentDate string
	Outcome      string    // "pay", "partial", "reject", "advance"
	Payable      anxin.Fen // 0 for reject
	Claimed      anxin.Fen // 0 when not stated
	Lines        []Line
	Payees       []Payee
	Reasons      []string // required for reject and partial: the law wants reasons given
	PaymentDue   string   // "" for reject
	Automated    bool
	DisputeHow   string
	DecidedBy    string
	Review       bool
}

// Outcomes a letter can announce.
const (
	Pay     = "pay"
	Partial = "partial"
	Reject  = "reject"
	Advance = "advance"
)

// Yuan formats fen as "¥1,234.56" by integer arithmetic, because a float
// would print 0.1+0.2 style errors on a document the claimant relies on.
func Yuan(f anxin.Fen) string {
	v := uint64(f)
	sign := ""
	if f < 0 {
		// Two's complement negation also covers math.MinInt64.
		sign, v = "-", uint64(-f)
	}
	whole := fmt.Sprint(v / 100)
	var b strings.Builder
	b.WriteString(sign)
	b.WriteString("¥")
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	fmt.Fprintf(&b, ".%02d", v%100)
	return b.String()
}

// validate refuses letters that would misstate the decision, since a wrong
// letter once sent binds the insurer more than no letter.
func validate(d Data) error {
	switch d.Outcome {
	case Pay, Partial, Reject, Advance:
	default:
		return fmt.Errorf("letter: unknown outcome %q (want pay, partial, reject or advance)", d.Outcome)
	}
	if d.Payable < 0 {
		return fmt.Errorf("letter: negative payable amount %s", d.Payable)
	}
	if d.Outcome == Reject && d.Payable != 0 {
		return fmt.Errorf("letter: a rejection pays nothing, got payable %s", d.Payable)
	}
	if (d.Outcome == Reject || d.Outcome == Partial) && len(nonEmpty(d.Reasons)) == 0 {
		return fmt.Errorf("letter: a %s letter must state its reasons (保险法第二十四条)", d.Outcome)
	}
	return nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

type kv struct{ K, V string }

type table struct {
	Head  []string
	Rows  [][]string
	Right []bool   // amount columns, aligned right so the digits line up
	Foot  []string // the total, set apart from the steps
	Cols  []float64
}

// section is one numbered part of the letter; its parts show in field order.
type section struct {
	Heading string
	KV      []kv
	Paras   []string
	Table   *table
	List    []string
	// Notice frames the section, because the automated-decision notice must
	// stand out rather than be buried in the text.
	Notice bool
}

// view is the letter as both renderers see it.
type view struct {
	HTMLLang  string
	Title     string
	Meta      []kv
	Review    string
	Greeting  string
	Intro     string
	Sections  []section
	Closing   []kv
	Insurer   string
	Seal      string
	Colon     string
	Date      string
	FooterFmt string // letter number, page, pages
	Letter    string
}

func dash(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "—"
	}
	return s
}

func build(d Data) (view, error) {
	if err := validate(d); err != nil {
		return view{}, err
	}
	t := &zh
	if d.Lang == "en" {
		t = &en
	}
	v := view{
		HTMLLang:  t.htmlLang,
		Title:     t.title,
		Greeting:  fmt.Sprintf(t.greeting, dash(d.ClaimantName)),
		Intro:     fmt.Sprintf(t.intro, dash(d.Insurer)),
		Insurer:   dash(d.Insurer),
		Seal:      t.seal,
		Colon:     t.colon,
		Date:      dash(d.IssuedOn),
		FooterFmt: t.footer,
		Letter:    strings.TrimSpace(d.LetterNumber),
		Meta: []kv{
			{t.letterNo, dash(d.LetterNumber)},
			{t.claimNo, dash(d.ClaimNumber)},
			{t.issuedOn, dash(d.IssuedOn)},
		},
	}
	if d.Review {
		v.Title = t.reviewTitle
		v.Review = t.reviewNote
	}
	add := func(s section) { v.Sections = append(v.Sections, s) }

	add(section{Heading: t.hCase, KV: []kv{
		{t.claimant, dash(d.ClaimantName)},
		{t.policyNo, dash(d.PolicyNumber)},
		{t.product, dash(d.ProductName)},
		{t.claimType, dash(d.ClaimType)},
		{t.incident, dash(d.IncidentDate)},
		{t.claimNo, dash(d.ClaimNumber)},
	}})

	amount := Yuan(d.Payable)
	dec := section{Heading: t.hDecision, KV: []kv{{t.result, t.outcome[d.Outcome]}}}
	switch d.Outcome {
	case Reject:
		dec.Paras = []string{t.rejectText}
	case Advance:
		dec.KV = append(dec.KV, kv{t.advanceAmount, amount})
		dec.Paras = []string{fmt.Sprintf(t.advanceText, amount)}
	case Partial:
		dec.KV = append(dec.KV, kv{t.payable, amount})
		dec.Paras = []string{fmt.Sprintf(t.partialText, amount)}
	default:
		dec.KV = append(dec.KV, kv{t.payable, amount})
		dec.Paras = []string{fmt.Sprintf(t.payText, amount)}
	}
	if d.Claimed > 0 {
		dec.KV = append(dec.KV, kv{t.claimed, Yuan(d.Claimed)})
	}
	add(dec)

	if len(d.Lines) > 0 {
		tb := &table{Head: []string{t.item, t.amount}, Right: []bool{false, true}, Cols: []float64{0.72, 0.28}}
		for _, l := range d.Lines {
			tb.Rows = append(tb.Rows, []string{dash(l.Label), Yuan(l.Amount)})
		}
		total := t.payable
		if d.Outcome == Advance {
			total = t.advanceAmount
		}
		tb.Foot = []string{total, amount}
		add(section{Heading: t.hCalc, Table: tb})
	}

	if len(d.Payees) > 0 {
		tb := &table{Head: t.payeeHead, Right: []bool{false, false, true, true}, Cols: []float64{0.34, 0.22, 0.16, 0.28}}
		for _, p := range d.Payees {
			tb.Rows = append(tb.Rows, []string{dash(p.Name), dash(p.Relation), dash(p.Share), Yuan(p.Amount)})
		}
		add(section{Heading: t.hPayees, Table: tb})
	}

	if reasons := nonEmpty(d.Reasons); len(reasons) > 0 {
		s := section{Heading: t.hNotes, List: reasons}
		switch d.Outcome {
		case Reject:
			s.Heading, s.Paras = t.hReject, []string{t.rejectReasons}
		case Partial:
			s.Heading, s.Paras = t.hPartial, []string{t.partialReasons}
		}
		add(s)
	}

	due := strings.TrimSpace(d.PaymentDue)
	switch {
	case d.Outcome == Advance && due != "":
		add(section{Heading: t.hPayment, Paras: []string{fmt.Sprintf(t.advanceDue, due)}})
	case d.Outcome == Advance:
		add(section{Heading: t.hPayment, Paras: []string{t.advanceNoDue}})
	case d.Outcome != Reject && due != "":
		add(section{Heading: t.hPayment, Paras: []string{fmt.Sprintf(t.payDue, due)}})
	case d.Outcome != Reject:
		add(section{Heading: t.hPayment, Paras: []string{t.payNoDue}})
	}

	if d.Automated {
		add(section{Heading: t.hAutomated, Paras: []string{t.automated}, Notice: true})
	}

	how := strings.TrimSpace(d.DisputeHow)
	if how == "" {
		how = t.disputeDefault
	}
	add(section{Heading: t.hDispute, Paras: []string{t.dispute, fmt.Sprintf(t.disputeHow, how), t.regulator}})

	by := strings.TrimSpace(d.DecidedBy)
	if by == "" && d.Automated {
		by = t.system
	}
	if by != "" {
		v.Closing = []kv{{t.decidedBy, by}}
	}

	nums := t.numbers
	for i := range v.Sections {
		v.Sections[i].Heading = nums(i+1) + v.Sections[i].Heading
	}
	return v, nil
}
