package service

import (
	"context"
	"fmt"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/letter"
)

// Insurer is the name the letters are signed with.
var Insurer = map[string]string{"zh": "安心保险股份有限公司", "en": "Anxin Insurance Co., Ltd."}

// ClaimLetter renders the decision letter (理赔决定书) of a claim's
// decision seq (0: the latest) as "html" or "pdf", to staff who may read
// claims and to the claimant. It returns the document, its content type
// and a file name.
func (s *Service) ClaimLetter(ctx context.Context, actor anxin.Actor, key string, seq int, format, lang string) ([]byte, string, string, error) {
	f, err := s.ClaimFileOf(ctx, actor, key)
	if err != nil {
		return nil, "", "", err
	}
	var d *anxin.ClaimDecision
	for i := range f.Decisions {
		if (seq == 0 && f.Decisions[i].Status != anxin.DecisionPending && f.Decisions[i].Status != anxin.DecisionReturned) || f.Decisions[i].Seq == seq {
			d = &f.Decisions[i]
		}
	}
	if d == nil || (actor.Kind == "customer" && d.Status != anxin.DecisionApproved && d.Status != anxin.DecisionSuperseded) {
		return nil, "", "", anxin.Errorz(anxin.ENotFound, "no decision letter yet", "尚无理赔决定书")
	}
	data, err := s.letterData(ctx, f, d, lang)
	if err != nil {
		return nil, "", "", err
	}
	name := d.LetterNumber
	switch format {
	case "pdf":
		b, err := letter.PDF(data)
		return b, "application/pdf", name + ".pdf", err
	case "html", "":
		b, err := letter.HTML(data)
		return b, "text/html; charset=utf-8", name + ".html", err
	}
	return nil, "", "", fieldError("format", "enum", "is html or pdf", "应为 html 或 pdf")
}

func (s *Service) letterData(ctx context.Context, f *ClaimFile, d *anxin.ClaimDecision, lang string) (letter.Data, error) {
	c := f.Claim
	if lang != "en" {
		lang = "zh"
	}
	loc := s.Calendar.Location()
	zh, en, _ := c.Type.Info()
	data := letter.Data{Lang: lang, Insurer: Insurer[lang], LetterNumber: d.LetterNumber, ClaimNumber: c.Number,
		IssuedOn: d.DecidedAt.In(loc).Format("2006-01-02"), ClaimantName: c.InsuredName, PolicyNumber: c.PolicyNumber, ClaimType: zh,
		IncidentDate: c.IncidentDate.String(), Outcome: string(d.Outcome), Payable: d.Payable, Claimed: c.Claimed, Reasons: d.Reasons,
		Automated: d.Automated, DecidedBy: d.DeciderName, Review: d.Review}
	if lang == "en" {
		data.ClaimType = en
	}
	if cust, err := s.DB.CustomerContact(ctx, nil, c.ClaimantID); err == nil {
		data.ClaimantName = cust.Name
	}
	if prod, err := s.DB.GetProduct(ctx, nil, c.ProductCode); err == nil {
		data.ProductName = prod.Name
		if lang == "en" && prod.NameEN != "" {
			data.ProductName = prod.NameEN
		}
	}
	for _, l := range d.Calculation.Lines {
		label := l.Label
		if lang == "en" && l.LabelEN != "" {
			label = l.LabelEN
		}
		data.Lines = append(data.Lines, letter.Line{Label: label, Amount: l.Amount})
	}
	for _, p := range d.Calculation.Payees {
		data.Payees = append(data.Payees, letter.Payee{Name: p.Name, Relation: p.Relation, Share: fmt.Sprintf("%d.%02d%%", p.Share/100, p.Share%100), Amount: p.Amount})
	}
	if d.Outcome != anxin.OutcomeReject && d.Payable > 0 {
		due := d.ApprovedAt
		if due.IsZero() {
			due = d.DecidedAt
		}
		data.PaymentDue = due.Add(10 * 24 * time.Hour).In(loc).Format("2006-01-02")
	}
	if d.Automated {
		data.DecidedBy = map[string]string{"zh": "系统自动审核（快速理赔）", "en": "automated fast-track review"}[lang]
	}
	if s.PublicURL != "" {
		data.DisputeHow = map[string]string{"zh": "登录自助服务页面 " + s.PublicURL + "/my/claims 申请复核", "en": "apply for a re-review on the self-service page " + s.PublicURL + "/my/claims"}[lang]
	}
	return data, nil
}
