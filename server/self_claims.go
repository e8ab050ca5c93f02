package server

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/web"
)

// The customers' claim pages under /my/claims: their claims; reporting a
// claim in two steps (what to claim on, then the facts, the bank account
// and a photo of each document); and one claim with its stage, what is
// still missing, the decision with its calculation (and, when the fast
// track decided, each rule it applied), the letter, the payments, and the
// ways to dispute the decision or have a person review an automated one
// (PIPL art. 24). Like the other self-service pages they work without
// JavaScript: every change is a form post answered by a redirect, or by
// the same page with the errors next to their fields.

const (
	// maxClaimFormBytes bounds a claim report sent from the form: a photo
	// or PDF for each of up to four documents, and the form itself.
	maxClaimFormBytes = 4*service.MaxAttachmentBytes + 1<<20
	// claimFormMemory is how much of a report's files is held in memory;
	// the rest waits in temporary files until the request ends.
	claimFormMemory = 8 << 20
	// selfClaimsShown is how many claims the list shows: a person has a
	// handful.
	selfClaimsShown = 100
)

// selfClaimNumberRe is a claim number: LP, the Beijing date, a sequence.
var selfClaimNumberRe = regexp.MustCompile(`^LP[0-9]{14}$`)

// selfClaimFileTypes are what a customer may send as a document: photos
// from a phone, or a PDF.
var selfClaimFileTypes = []string{"image/jpeg", "image/png", "application/pdf"}

// selfClaimsRender writes one of the claim pages with status. They use the
// self-service layout; their templates are in the self_claims set.
func (s *Server) selfClaimsRender(w http.ResponseWriter, status int, v *selfView) error {
	body, err := consoleViews().Render(v.Lang, "self_claims", "self_layout", v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages show personal data, so no cache may keep them.
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(body) // a client that went away is not an error worth a page
	return nil
}

func errClaimNotFound() error {
	return anxin.Errorz(anxin.ENotFound, "claim not found", "未找到该理赔案件")
}

// selfClaimNumber is the claim number the path names, with its case and
// spaces forgiven; anything that is not a claim number is not looked up,
// and is not found like another's claim.
func selfClaimNumber(r *http.Request) (string, error) {
	n := strings.ToUpper(strings.TrimSpace(r.PathValue("number")))
	if !selfClaimNumberRe.MatchString(n) {
		return "", errClaimNotFound()
	}
	return n, nil
}

// selfClaimFile is the customer's claim the path names.
func (s *Server) selfClaimFile(r *http.Request, p *service.Principal) (*service.ClaimFile, error) {
	n, err := selfClaimNumber(r)
	if err != nil {
		return nil, err
	}
	return s.svc.ClaimFileOf(r.Context(), p.Actor, n)
}

// selfSignedInCustomer is the customer of a route that is public to the
// wrapper because its form is multipart (see myTicketAttachment).
func (s *Server) selfSignedInCustomer(r *http.Request) (*service.Principal, error) {
	if p := s.customerPrincipal(r); p != nil {
		return p, nil
	}
	return nil, anxin.Errorz(anxin.EUnauthorized, "please sign in with your mobile number", "请先使用手机号登录")
}

// claimTypeName is a claim type's name in lang.
func claimTypeName(t anxin.ClaimType, lang string) string {
	zh, en, ok := t.Info()
	switch {
	case !ok:
		return string(t)
	case lang == "en":
		return en
	}
	return zh
}

// claimStageName is a stage in plain words: 受理, 审核, 待审批, 支付, 结案.
func claimStageName(st anxin.ClaimStage, lang string) string {
	key := "self.claim.stage." + string(st)
	if web.T(lang, key) == key {
		return string(st)
	}
	return web.T(lang, key)
}

// itemName is a checklist item's name in lang.
func itemName(it anxin.ChecklistItem, lang string) string {
	if lang == "en" && it.NameEN != "" {
		return it.NameEN
	}
	return it.Name
}

// beijingDate is the calendar date of an instant where the calendar is.
func (s *Server) beijingDate(t time.Time) anxin.Date {
	if t.IsZero() {
		return anxin.Date{}
	}
	return anxin.DateOf(s.consoleTime(t))
}

// selfClaimExpected says what the customer may expect next and when: the
// review's deadline until a decision, the payment's until it is paid,
// the closing date after.
type selfClaimExpected struct {
	Label string
	Date  anxin.Date
	Note  string
}

func (s *Server) claimExpected(c *anxin.Claim, lang string) selfClaimExpected {
	switch {
	case c.Stage == anxin.ClaimClosed:
		return selfClaimExpected{Label: web.T(lang, "self.claim.closedon"), Date: s.beijingDate(c.ClosedAt)}
	case c.Disputed:
		return selfClaimExpected{Label: web.T(lang, "self.claim.expected.review"), Note: web.T(lang, "self.claim.expected.rereview")}
	case c.Stage == anxin.ClaimPaying:
		return selfClaimExpected{Label: web.T(lang, "self.claim.expected.payment"), Date: s.beijingDate(c.PaymentDue)}
	}
	e := selfClaimExpected{Label: web.T(lang, "self.claim.expected.decision"), Date: s.beijingDate(c.ReviewDue)}
	if c.Stage == anxin.ClaimIntake {
		e.Note = web.T(lang, "self.claim.expected.documents")
	}
	return e
}

// ---- The list ----

// selfClaimRow is one claim in the customer's list.
type selfClaimRow struct {
	Number    string
	Type      string
	Policy    string
	Stage     anxin.ClaimStage
	StageName string
	Expected  selfClaimExpected
	Claimed   anxin.Fen
	PaidOut   anxin.Fen // what reached the account
	Reviewing bool
	CreatedAt time.Time
}

type selfClaimsPage struct {
	Claims []selfClaimRow
}

func (s *Server) myClaims(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ctx := r.Context()
	cs, err := s.svc.FindClaims(ctx, p.Actor, store.ClaimFilter{Limit: selfClaimsShown})
	if err != nil {
		return err
	}
	profile, err := s.Self.Profile(ctx, p.Actor)
	if err != nil {
		return err
	}
	lang := language(r)
	page := selfClaimsPage{}
	for _, c := range cs {
		row := selfClaimRow{Number: c.Number, Type: claimTypeName(c.Type, lang), Policy: c.PolicyNumber, Stage: c.Stage, StageName: claimStageName(c.Stage, lang),
			Expected: s.claimExpected(c, lang), Claimed: c.Claimed, Reviewing: c.Disputed, CreatedAt: s.consoleTime(c.CreatedAt)}
		switch {
		case c.Stage == anxin.ClaimClosed:
			// A claim closes once every payment has reached the account.
			row.PaidOut = c.Paid
		case c.Paid > 0:
			// Instructed is not yet paid: the list names what arrived.
			f, err := s.svc.ClaimFileOf(ctx, p.Actor, c.Number)
			if err != nil {
				return err
			}
			for _, pay := range f.Payments {
				if pay.Status == anxin.PaymentPaid {
					row.PaidOut += pay.Amount
				}
			}
		}
		page.Claims = append(page.Claims, row)
	}
	return s.selfClaimsRender(w, http.StatusOK, s.newSelfView(r, p, profile.Name, "claims", web.T(lang, "self.claims.title"), page))
}

// ---- Reporting a claim ----

// selfClaimChoice is a claim type a policy covers, as a link to the form.
type selfClaimChoice struct {
	Type    anxin.ClaimType
	Setting string // outpatient or inpatient, for a medical claim
	Name    string
}

// selfClaimPolicy is one of the customer's policies with the claims it
// takes.
type selfClaimPolicy struct {
	Number  string
	Product string
	Status  anxin.PolicyStatus
	Roles   []string
	Choices []selfClaimChoice
}

// selfClaimDoc is one document the chosen claim type needs, with the file
// input that takes its photo.
type selfClaimDoc struct {
	Code      string
	Field     string // the file input's name
	Name      string
	Inpatient bool // needed for an inpatient stay only
}

type selfNewClaimPage struct {
	Step     string // "choose" or "form"
	Policies []selfClaimPolicy
	Notice   string // why the form was not shown

	// The form: the policy and type chosen in the first step.
	Policy   *selfClaimPolicy
	Type     anxin.ClaimType
	TypeName string
	Medical  bool
	Docs     []selfClaimDoc
	Today    anxin.Date
	MaxMB    int

	// What was typed, kept when the form comes back with errors.
	Setting       string
	IncidentDate  string
	IncidentPlace string
	Description   string
	Amount        string
	PayeeName     string
	BankName      string
	Account       string
	HadFiles      bool              // files were chosen: the browser does not keep them
	Errors        map[string]string // field → message; "" for the form as a whole
}

// selfClaimPolicies lists the customer's policies with the claim types
// each covers. Nobody claims their own death benefit: that claim belongs
// to the policyholder or a beneficiary of a policy on someone else's life.
func (s *Server) selfClaimPolicies(ctx context.Context, p *service.Principal, lang string) ([]selfClaimPolicy, error) {
	pols, err := s.Self.Policies(ctx, p.Actor)
	if err != nil {
		return nil, err
	}
	var out []selfClaimPolicy
	for _, sp := range pols {
		cp := selfClaimPolicy{Number: sp.Number, Product: selfPolicyRowOf(lang, sp).Product, Status: sp.Status, Roles: sp.Roles}
		covers := &anxin.Policy{Coverages: sp.Coverages}
		for _, ct := range anxin.ClaimTypes {
			if _, ok := anxin.ClaimCoverage(covers, ct.Type); !ok {
				continue
			}
			if ct.Type == anxin.ClaimDeath && slices.Contains(sp.Roles, "insured") {
				continue
			}
			if ct.Type == anxin.ClaimMedical {
				// The care setting decides the documents (and whether the
				// fast track may take it): the first step asks it too.
				for _, st := range []string{anxin.SettingOutpatient, anxin.SettingInpatient} {
					cp.Choices = append(cp.Choices, selfClaimChoice{Type: ct.Type, Setting: st, Name: web.T(lang, "self.claimnew.medical."+st)})
				}
				continue
			}
			cp.Choices = append(cp.Choices, selfClaimChoice{Type: ct.Type, Name: claimTypeName(ct.Type, lang)})
		}
		out = append(out, cp)
	}
	return out, nil
}

// selfClaimDocs are the documents a claim type needs, from the configured
// checklists, without the bank account (the form asks for it as fields).
func (s *Server) selfClaimDocs(ctx context.Context, t anxin.ClaimType, lang string) ([]selfClaimDoc, error) {
	set, err := s.svc.ClaimSettings(ctx)
	if err != nil {
		return nil, err
	}
	var out []selfClaimDoc
	for _, it := range anxin.ClaimChecklist(set.Checklists, t, anxin.SettingInpatient) {
		if it.Code == anxin.BankAccountItem.Code {
			continue
		}
		out = append(out, selfClaimDoc{Code: it.Code, Field: "doc_" + it.Code, Name: itemName(it, lang),
			Inpatient: t == anxin.ClaimMedical && it.Code == "discharge_summary"})
	}
	return out, nil
}

func (s *Server) myNewClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	page := selfNewClaimPage{Step: "form", Setting: q.Get("setting")}
	if page.Setting != anxin.SettingOutpatient && page.Setting != anxin.SettingInpatient {
		page.Setting = ""
	}
	return s.myNewClaimRender(w, r, p, http.StatusOK, page, formText(q.Get("policy")), formText(q.Get("type")))
}

// myNewClaimRender shows the first step, or the form for policy and
// claim type when they are the customer's and go together.
func (s *Server) myNewClaimRender(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, page selfNewClaimPage, policy, typ string) error {
	ctx := r.Context()
	lang := language(r)
	pols, err := s.selfClaimPolicies(ctx, p, lang)
	if err != nil {
		return err
	}
	page.Policies = pols
	page.Step = "choose"
	if policy != "" || typ != "" {
		for i := range pols {
			if pols[i].Number != policy {
				continue
			}
			for _, ch := range pols[i].Choices {
				if string(ch.Type) == typ {
					page.Step, page.Policy, page.Type, page.TypeName = "form", &pols[i], ch.Type, claimTypeName(ch.Type, lang)
				}
			}
		}
		if page.Step == "choose" {
			page.Notice = web.T(lang, "self.claimnew.choose.again")
		}
	}
	if page.Step == "form" {
		if page.Docs, err = s.selfClaimDocs(ctx, page.Type, lang); err != nil {
			return err
		}
		page.Medical = page.Type == anxin.ClaimMedical
		page.Today = anxin.DateOf(s.consoleTime(s.svc.Now()))
		page.MaxMB = service.MaxAttachmentBytes >> 20
	}
	profile, err := s.Self.Profile(ctx, p.Actor)
	if err != nil {
		return err
	}
	if page.PayeeName == "" && page.Errors == nil {
		page.PayeeName = profile.Name
	}
	v := s.newSelfView(r, p, profile.Name, "claim_new", web.T(lang, "self.claimnew.title"), page)
	if r.Method == http.MethodPost {
		v.Path = "/my/claims/new"
		if page.Policy != nil {
			v.Path += "?policy=" + page.Policy.Number + "&type=" + string(page.Type)
		}
	}
	return s.selfClaimsRender(w, status, v)
}

// selfClaimForm is what the report form carried.
type selfClaimForm struct {
	values map[string][]string
	files  map[string][]*multipart.FileHeader
}

func (f selfClaimForm) get(name string) string {
	if vs := f.values[name]; len(vs) > 0 {
		return formText(vs[0])
	}
	return ""
}

// readClaimForm parses a report: multipart from the page, or a plain form
// (which carries no files).
func readClaimForm(r *http.Request) (selfClaimForm, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		if err := r.ParseMultipartForm(claimFormMemory); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return selfClaimForm{}, anxin.Errorz(anxin.ETooLarge,
					"the files are too large together: send at most "+strconv.Itoa(maxClaimFormBytes>>20)+" MB at once, and the rest from the claim's page",
					"上传的文件合计过大：一次最多 "+strconv.Itoa(maxClaimFormBytes>>20)+" MB，其余材料可在提交后于理赔页面补充")
			}
			return selfClaimForm{}, fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
		}
		return selfClaimForm{values: r.MultipartForm.Value, files: r.MultipartForm.File}, nil
	}
	if err := parseForm(r); err != nil {
		return selfClaimForm{}, err
	}
	return selfClaimForm{values: r.PostForm}, nil
}

// readClaimFile reads one uploaded document and checks that it is a photo
// or a PDF within the limit. The service checks again; this check is the
// narrower one the page promises.
func readClaimFile(fh *multipart.FileHeader) (name string, data []byte, reason error) {
	name = strings.TrimSpace(formText(fh.Filename))
	if name == "" {
		name = "document"
	}
	if fh.Size > service.MaxAttachmentBytes {
		return name, nil, fieldErr("file", "too_large", "at most 10 MB", "不超过 10 MB")
	}
	f, err := fh.Open()
	if err != nil {
		return name, nil, fieldErr("file", "format", "the upload could not be read", "无法读取上传的文件")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, service.MaxAttachmentBytes+1))
	switch {
	case err != nil:
		return name, nil, fieldErr("file", "format", "the upload could not be read", "无法读取上传的文件")
	case len(data) == 0:
		return name, nil, fieldErr("file", "required", "the file is empty", "文件为空")
	case len(data) > service.MaxAttachmentBytes:
		return name, nil, fieldErr("file", "too_large", "at most 10 MB", "不超过 10 MB")
	}
	return name, data, checkClaimFileType(data)
}

func checkClaimFileType(data []byte) error {
	if !slices.Contains(selfClaimFileTypes, http.DetectContentType(data)) {
		return fieldErr("file", "type", "only photos (JPEG or PNG) or PDF files are accepted", "仅接受 JPG、PNG 照片或 PDF 文件")
	}
	return nil
}

// selfClaimFieldOf maps the service's claim fields to the form's.
var selfClaimFieldOf = map[string]string{
	"policy_id": "policy", "claimant_id": "policy", "type": "type", "incident_date": "incident_date", "incident_place": "incident_place",
	"description": "description", "claimed": "amount", "loss": "amount", "loss.expenses": "amount", "loss.eligible": "amount",
	"loss.setting": "setting", "payout": "payee_name", "payout.payee_name": "payee_name", "payout.bank_name": "bank_name", "payout.account": "account",
}

// myCreateClaim reports a claim from the form and goes to its page. Every
// problem is named at once, next to its field, and nothing is created.
//
// The route is Public only because its form is multipart: the customer's
// session and the CSRF token are checked here, before anything is read
// beyond the form (see myTicketAttachment).
func (s *Server) myCreateClaim(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	p, err := s.selfSignedInCustomer(r)
	if err != nil {
		return err
	}
	form, err := readClaimForm(r)
	if err != nil {
		return err
	}
	if got := form.get("csrf_token"); got == "" || p.CSRFToken == "" || !constantTimeEqual(got, p.CSRFToken) {
		return errFormExpired()
	}
	ctx := r.Context()
	lang := language(r)
	page := selfNewClaimPage{Setting: form.get("setting"), IncidentDate: strings.TrimSpace(form.get("incident_date")),
		IncidentPlace: form.get("incident_place"), Description: form.get("description"), Amount: strings.TrimSpace(form.get("amount")),
		PayeeName: form.get("payee_name"), BankName: form.get("bank_name"), Account: strings.TrimSpace(form.get("account")), Errors: map[string]string{}}
	policy, typ := strings.TrimSpace(form.get("policy")), anxin.ClaimType(strings.TrimSpace(form.get("type")))
	for _, fhs := range form.files {
		page.HadFiles = page.HadFiles || len(fhs) > 0
	}
	problem := func(field string, err error) {
		if _, ok := page.Errors[field]; !ok {
			page.Errors[field] = selfMessage(r, err)
		}
	}
	again := func(status int) error {
		return s.myNewClaimRender(w, r, p, status, page, policy, string(typ))
	}

	// The policy and the type must be a pair the first step offered: one
	// of the customer's policies, and a claim it covers.
	pols, err := s.selfClaimPolicies(ctx, p, lang)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(pols, func(cp selfClaimPolicy) bool { return cp.Number == policy })
	if i < 0 || !slices.ContainsFunc(pols[i].Choices, func(ch selfClaimChoice) bool { return ch.Type == typ }) {
		// Back to the first step, which names the problem.
		page.Errors = nil
		return s.myNewClaimRender(w, r, p, http.StatusUnprocessableEntity, page, policy, string(typ))
	}
	pol, err := s.svc.DB.GetPolicyByNumber(ctx, nil, policy)
	if err != nil {
		return err
	}

	c := anxin.Claim{PolicyID: pol.ID, Type: typ, Channel: anxin.ChannelWebsite, IncidentPlace: page.IncidentPlace, Description: page.Description,
		Payout: anxin.Payout{PayeeName: page.PayeeName, BankName: page.BankName, Account: page.Account}}
	if typ == anxin.ClaimMedical {
		switch page.Setting {
		case anxin.SettingOutpatient, anxin.SettingInpatient:
			c.Loss.Setting = page.Setting
		case "":
			problem("setting", fieldErr("setting", "required", "choose outpatient or inpatient", "请选择门诊或住院"))
		default:
			problem("setting", fieldErr("setting", "enum", "choose outpatient or inpatient", "请选择门诊或住院"))
		}
	}
	if page.IncidentDate == "" {
		problem("incident_date", fieldErr("incident_date", "required", "give the date it happened", "请填写出险日期"))
	} else if d, err := anxin.ParseDate(page.IncidentDate); err != nil {
		problem("incident_date", fieldErr("incident_date", "format", "give a date such as 2026-11-18", "请填写日期，如 2026-11-18"))
	} else {
		c.IncidentDate = d
	}
	switch {
	case page.Amount == "" && typ == anxin.ClaimMedical:
		problem("amount", fieldErr("amount", "required", "give the total of the medical bills", "请填写医疗费用总额"))
	case page.Amount != "":
		if fen, err := anxin.ParseYuan(strings.TrimSuffix(page.Amount, "元")); err != nil {
			problem("amount", fieldErr("amount", "format", "give an amount in yuan, such as 500 or 500.50", "请填写金额（元），如 500 或 500.50"))
		} else if fen <= 0 {
			problem("amount", fieldErr("amount", "range", "must be more than zero", "金额须大于零"))
		} else {
			c.Claimed = fen
			if typ == anxin.ClaimMedical {
				c.Loss.Expenses = fen
			}
		}
	}
	// Nothing is paid without an account: the form asks for it whole.
	if strings.TrimSpace(page.PayeeName) == "" {
		problem("payee_name", fieldErr("payee_name", "required", "give the account holder's name", "请填写收款人姓名"))
	}
	if strings.TrimSpace(page.BankName) == "" {
		problem("bank_name", fieldErr("bank_name", "required", "give the bank and branch", "请填写开户银行"))
	}
	if page.Account == "" {
		problem("account", fieldErr("account", "required", "give the account or card number", "请填写银行账号或卡号"))
	}
	if strings.TrimSpace(page.Description) == "" {
		problem("description", fieldErr("description", "required", "say what happened", "请说明事故或就医经过"))
	}
	// The claim's own checks, so that one answer names every problem.
	check := c
	if check.IncidentDate.IsZero() {
		check.IncidentDate = anxin.MustDate("2000-01-01") // named above
	}
	for field, msg := range fieldMessages(r, check.Validate(anxin.DateOf(s.consoleTime(s.svc.Now())))) {
		if to, ok := selfClaimFieldOf[field]; ok {
			field = to
		}
		if _, ok := page.Errors[field]; !ok {
			page.Errors[field] = msg
		}
	}

	// A photo or PDF for each document; any may also follow later.
	docs, err := s.selfClaimDocs(ctx, typ, lang)
	if err != nil {
		return err
	}
	var report []service.ClaimDocument
	var fieldOfDoc []string
	for _, d := range docs {
		for _, fh := range form.files[d.Field] {
			if d.Inpatient && c.Loss.Setting == anxin.SettingOutpatient {
				problem(d.Field, fieldErr(d.Field, "outpatient", "only for a hospital stay: choose inpatient, or leave this out", "仅住院理赔需要；门诊请勿上传，或改选住院"))
				break
			}
			name, data, err := readClaimFile(fh)
			if err != nil {
				problem(d.Field, err)
				break
			}
			report = append(report, service.ClaimDocument{ItemCode: d.Code, Filename: name, Data: data})
			fieldOfDoc = append(fieldOfDoc, d.Field)
		}
	}
	if len(page.Errors) > 0 {
		return again(http.StatusUnprocessableEntity)
	}

	claim, err := s.svc.ReportClaim(ctx, p.Actor, &service.ClaimReport{Claim: c, Documents: report, Language: lang})
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid:
		for field, msg := range fieldMessages(r, err) {
			if to, ok := selfClaimFieldOf[field]; ok {
				field = to
			} else if rest, ok := strings.CutPrefix(field, "documents["); ok {
				field = ""
				if n, err := strconv.Atoi(rest[:max(0, strings.IndexByte(rest, ']'))]); err == nil && n >= 0 && n < len(fieldOfDoc) {
					field = fieldOfDoc[n]
				}
			} else {
				field = ""
			}
			if _, ok := page.Errors[field]; !ok {
				page.Errors[field] = msg
			}
		}
		return again(statusOf[code])
	case anxin.ENotFound:
		// The policy went between the two steps.
		page.Errors = nil
		return s.myNewClaimRender(w, r, p, statusOf[code], page, "", "")
	default:
		return err
	}
	http.Redirect(w, r, "/my/claims/"+claim.Number+"?done=created", http.StatusSeeOther)
	return nil
}

// ---- One claim ----

// selfClaimStep is one stage of the claim's way, as the progress bar
// shows it.
type selfClaimStep struct {
	Name    string
	Done    bool
	Current bool
}

// selfClaimItem is one document the claim needs.
type selfClaimItem struct {
	Code   string
	Name   string
	Status string
	Reason string
	Upload bool // missing or rejected: the page offers a form for it
}

// selfClaimDecision is the decision in force, worded for the customer.
type selfClaimDecision struct {
	Outcome   anxin.Outcome
	Name      string
	Payable   anxin.Fen
	Lines     []selfCalcLine
	Reasons   []string
	Automated bool
	Review    bool // a re-review after a dispute
	By        string
	At        time.Time
}

type selfCalcLine struct {
	Label  string
	Amount anxin.Fen
}

// selfRule is one fast-track rule and its result, for the explanation of
// an automated decision.
type selfRule struct {
	Name   string
	Passed bool
}

type selfClaimPayment struct {
	Amount    anxin.Fen
	PayeeName string
	BankName  string
	Account   string // masked
	Status    string
	Reference string
	PaidAt    time.Time
	CreatedAt time.Time
	Reason    string // why the bank refused it, in plain words
	Retried   bool   // refused, and instructed again to a newer account
}

// selfClaimSurvey is the customer's answer to the satisfaction survey.
type selfClaimSurvey struct {
	Score   int
	Stars   string // ★★★★☆
	NPS     int
	Comment string
	At      time.Time
}

// selfSurveyChoice is one of the survey's star ratings.
type selfSurveyChoice struct {
	Value int
	Stars string
}

// selfSurveyScores are the survey's star ratings, best first; selfNPS
// its 0–10 scale.
var (
	selfSurveyScores = func() []selfSurveyChoice {
		var out []selfSurveyChoice
		for n := 5; n >= 1; n-- {
			out = append(out, selfSurveyChoice{Value: n, Stars: surveyStars(n)})
		}
		return out
	}()
	selfNPS = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
)

// surveyStars draws a score of 1–5 as filled and empty stars.
func surveyStars(n int) string {
	n = min(max(n, 0), 5)
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

type selfClaimDispute struct {
	At          time.Time
	Reason      string
	HumanReview bool
	Open        bool
}

type selfClaimPage struct {
	Claim       *anxin.Claim
	Type        string
	StageName   string
	Steps       []selfClaimStep
	Expected    selfClaimExpected
	Product     string
	CreatedAt   time.Time
	Checklist   []selfClaimItem
	Outstanding int
	Documents   []selfDocument
	Decision    *selfClaimDecision
	Pending     bool // a decision waits for a second approver
	Rules       []selfRule
	RulesOK     bool
	CanReview   bool // the decision was automated: a person may review it
	CanDispute  bool
	Reviewing   bool // a dispute or a human review is under way
	Disputes    []selfClaimDispute
	Payments    []selfClaimPayment
	HasLetter   bool
	MaxUploadMB int

	// After the decision: the satisfaction survey once the claim is
	// closed, and a new bank account when the bank refused a payment or
	// the claim has none yet.
	CanSurvey     bool
	Survey        *selfClaimSurvey // the answer, once given
	Scores        []selfSurveyChoice
	NPSScale      []int
	CanPayout     bool
	PayoutFailed  bool      // a refused payment waits for a new account
	FailedAmount  anxin.Fen // what the bank refused
	PayoutFailure string    // why, in plain words
	PayoutBank    string    // the account on file: its bank
	PayoutAccount string    // and its number, masked

	Done string // "created", "document", "dispute", "review", "survey" or "payout" after a change
	// Forms being corrected: what was typed and the errors by field (""
	// for the form as a whole).
	UploadItem    string
	UploadAt      string // the item whose form shows UploadError; "" for the form for any document
	UploadError   map[string]string
	DisputeReason string
	DisputeError  map[string]string
	ReviewReason  string
	ReviewError   map[string]string
	SurveyScore   string
	SurveyNPS     string
	SurveyComment string
	SurveyError   map[string]string
	PayeeName     string
	BankName      string
	Account       string
	PayoutError   map[string]string
}

// selfClaimDone are the confirmations ?done= may ask for.
var selfClaimDone = map[string]bool{"created": true, "document": true, "dispute": true, "review": true, "survey": true, "payout": true}

func (s *Server) myClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	page := selfClaimPage{}
	if v := r.URL.Query().Get("done"); selfClaimDone[v] {
		page.Done = v
	}
	return s.myClaimRender(w, r, p, http.StatusOK, page)
}

// myClaimRender loads the claim as its customer sees it and renders it
// with the state of its forms in page.
func (s *Server) myClaimRender(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, page selfClaimPage) error {
	ctx := r.Context()
	lang := language(r)
	f, err := s.selfClaimFile(r, p)
	if err != nil {
		return err
	}
	profile, err := s.Self.Profile(ctx, p.Actor)
	if err != nil {
		return err
	}
	c := f.Claim
	page.Claim = c
	page.Type, page.StageName = claimTypeName(c.Type, lang), claimStageName(c.Stage, lang)
	page.Expected = s.claimExpected(c, lang)
	page.CreatedAt = s.consoleTime(c.CreatedAt)
	page.Reviewing = c.Disputed
	page.MaxUploadMB = service.MaxAttachmentBytes >> 20
	pols, err := s.Self.Policies(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, sp := range pols {
		if sp.Number == c.PolicyNumber {
			page.Product = selfPolicyRowOf(lang, sp).Product
		}
	}

	// The way: 受理 → 审核 → (待审批) → 支付 → 结案.
	current := slices.Index(anxin.ClaimStages, c.Stage)
	for i, st := range anxin.ClaimStages {
		if st == anxin.ClaimApproval && c.Stage != anxin.ClaimApproval || st == anxin.ClaimPaying && c.Stage == anxin.ClaimClosed && c.Paid == 0 {
			continue
		}
		page.Steps = append(page.Steps, selfClaimStep{Name: claimStageName(st, lang), Done: i < current || c.Stage == anxin.ClaimClosed, Current: i == current})
	}

	names := map[string]string{}
	for _, it := range f.Checklist {
		name := itemName(it, lang)
		names[it.Code] = name
		item := selfClaimItem{Code: it.Code, Name: name, Status: it.Status, Reason: it.Reason, Upload: it.Status != anxin.ItemReceived}
		if item.Upload {
			page.Outstanding++
			if it.Code == page.UploadItem {
				page.UploadAt = it.Code
			}
		}
		page.Checklist = append(page.Checklist, item)
	}
	for _, a := range f.Attachments {
		page.Documents = append(page.Documents, selfDocument{Filename: a.Filename, Size: fileSize(a.Size), Item: names[a.ItemCode],
			At: s.consoleTime(a.At), Mine: strings.HasPrefix(a.UploadedBy, "customer:")})
	}

	// The decision in force: the newest approved one. A decision waiting
	// for its second approver is not yet one the customer is told.
	var d *anxin.ClaimDecision
	for i := range f.Decisions {
		switch f.Decisions[i].Status {
		case anxin.DecisionApproved:
			d = &f.Decisions[i]
		case anxin.DecisionPending:
			page.Pending = true
		case anxin.DecisionSuperseded:
			page.HasLetter = true
		}
	}
	if d != nil {
		page.HasLetter = true
		page.Decision = &selfClaimDecision{Outcome: d.Outcome, Name: web.T(lang, "self.claim.outcome."+string(d.Outcome)), Payable: d.Payable,
			Reasons: d.Reasons, Automated: d.Automated, Review: d.Review, By: d.DeciderName, At: s.consoleTime(d.DecidedAt)}
		if d.Automated {
			page.Decision.By = web.T(lang, "self.claim.decision.automated")
		}
		for _, l := range d.Calculation.Lines {
			label := l.Label
			if lang == "en" && l.LabelEN != "" {
				label = l.LabelEN
			}
			page.Decision.Lines = append(page.Decision.Lines, selfCalcLine{Label: label, Amount: l.Amount})
		}
		page.CanDispute = !c.Disputed
		page.CanReview = d.Automated && !c.Disputed
		if d.Automated {
			if page.Rules, err = s.selfClaimRules(ctx, c, lang); err != nil {
				return err
			}
			page.RulesOK = !slices.ContainsFunc(page.Rules, func(r selfRule) bool { return !r.Passed })
		}
	}
	for _, ds := range f.Disputes {
		page.Disputes = append(page.Disputes, selfClaimDispute{At: s.consoleTime(ds.RaisedAt), Reason: ds.Reason, HumanReview: ds.HumanReview, Open: ds.Status == "open"})
	}
	// A refused payment waits for a new account until a newer one is
	// instructed for the same decision, as the service counts it.
	var refused *anxin.ClaimPayment
	for i, pay := range f.Payments {
		sp := selfClaimPayment{Amount: pay.Amount, PayeeName: pay.PayeeName, BankName: pay.BankName, Account: pay.Account,
			Status: pay.Status, Reference: pay.Reference, PaidAt: s.consoleTime(pay.PaidAt), CreatedAt: s.consoleTime(pay.CreatedAt)}
		if pay.Status == anxin.PaymentFailed {
			sp.Reason = paymentFailure(pay.Error, lang)
			sp.Retried = retriedPayment(f.Payments, pay)
			if !sp.Retried {
				refused = &f.Payments[i]
			}
		}
		page.Payments = append(page.Payments, sp)
	}

	// The bank account: asked for again when the bank refused a payment,
	// or when the claim still has none to pay to.
	bankMissing := slices.ContainsFunc(f.Checklist, func(it anxin.ChecklistItem) bool {
		return it.Code == anxin.BankAccountItem.Code && it.Status != anxin.ItemReceived
	})
	page.CanPayout = refused != nil || (bankMissing && c.Stage != anxin.ClaimClosed)
	if refused != nil {
		page.PayoutFailed, page.FailedAmount, page.PayoutFailure = true, refused.Amount, paymentFailure(refused.Error, lang)
	}
	if c.Payout.Account != "" {
		page.PayoutBank, page.PayoutAccount = c.Payout.BankName, c.Payout.Account
	}
	if page.CanPayout && page.PayoutError == nil {
		page.PayeeName = cmpOr(c.Payout.PayeeName, profile.Name)
	}

	// The survey, once the claim is closed; answered once.
	if sv := c.Survey; sv != nil {
		page.Survey = &selfClaimSurvey{Score: sv.Score, Stars: surveyStars(sv.Score), NPS: sv.NPS, Comment: sv.Comment, At: s.consoleTime(sv.At)}
	} else if c.Stage == anxin.ClaimClosed {
		page.CanSurvey, page.Scores, page.NPSScale = true, selfSurveyScores, selfNPS
	}
	// A form the page no longer offers (the claim moved on since it was
	// shown) still says why it was refused, above the page.
	if !page.CanSurvey {
		page.SurveyError = liftFieldErrors(r, page.SurveyError)
	}
	if !page.CanPayout {
		page.PayoutError = liftFieldErrors(r, page.PayoutError)
	}
	v := s.newSelfView(r, p, profile.Name, "claim", web.T(lang, "self.claim.title", c.Number), page)
	if r.Method == http.MethodPost {
		v.Path = "/my/claims/" + c.Number
	}
	return s.selfClaimsRender(w, status, v)
}

// selfClaimRules is the explanation of an automated decision: every rule
// the fast track applied and its result, named in lang from the
// configured rules.
func (s *Server) selfClaimRules(ctx context.Context, c *anxin.Claim, lang string) ([]selfRule, error) {
	set, err := s.svc.ClaimSettings(ctx)
	if err != nil {
		return nil, err
	}
	var out []selfRule
	for _, res := range c.FastTrackCheck {
		name := res.Name
		if lang == "en" {
			name = res.Code
			for _, rule := range set.FastTrack.Rules {
				if rule.Code == res.Code && rule.NameEN != "" {
					name = rule.NameEN
				}
			}
			if res.Code == "system_limit" {
				name = web.T(lang, "self.claim.rule.system_limit")
			}
		}
		out = append(out, selfRule{Name: name, Passed: res.Passed && res.Error == ""})
	}
	return out, nil
}

// myClaimDocument takes a document for one of the claim's items from an
// upload form. Public to the wrapper for its multipart form, like
// myTicketAttachment: the session and the token are checked here.
func (s *Server) myClaimDocument(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	p, err := s.selfSignedInCustomer(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	// Another customer's claim answers 404 before its input is read.
	f, err := s.selfClaimFile(r, p)
	if err != nil {
		return err
	}
	number := f.Claim.Number
	name, item, data, uerr := readUpload(r)
	item = formText(item)
	page := selfClaimPage{UploadItem: item}
	if uerr != nil {
		// Nothing changes on this path, so it needs no token: the form is
		// shown again with what was wrong with the file.
		page.UploadError = fieldMessagesAs(r, uerr, nil)
		return s.myClaimRender(w, r, p, statusOf[anxin.ErrorCode(uerr)], page)
	}
	if !uploadCSRFOK(r, p.CSRFToken) {
		return errFormExpired()
	}
	if item != "" && !slices.ContainsFunc(f.Checklist, func(it anxin.ChecklistItem) bool { return it.Code == item }) {
		page.UploadError = fieldMessagesAs(r, fieldErr("item_code", "unknown", "choose a document from the list", "请从清单中选择材料"), nil)
		return s.myClaimRender(w, r, p, http.StatusUnprocessableEntity, page)
	}
	if err := checkClaimFileType(data); err != nil {
		page.UploadError = fieldMessagesAs(r, err, nil)
		return s.myClaimRender(w, r, p, http.StatusUnprocessableEntity, page)
	}
	_, err = s.svc.AddClaimDocument(ctx, p.Actor, number, item, formText(name), data)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EConflict:
		page.UploadError = fieldMessagesAs(r, err, map[string]string{"file.filename": "file", "file.content": "file"})
		return s.myClaimRender(w, r, p, statusOf[code], page)
	default:
		return err
	}
	http.Redirect(w, r, "/my/claims/"+number+"?done=document#documents", http.StatusSeeOther)
	return nil
}

// myClaimDispute records the customer's objection to the decision, or
// (human_review=1) their request that a person review the automated one.
// Asking for a person needs no reason: the law gives the right without
// one, so an empty reason becomes a plain request.
func (s *Server) myClaimDispute(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// Another customer's claim answers 404 before its input is read.
	f, err := s.selfClaimFile(r, p)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	lang := language(r)
	human := r.PostForm.Get("human_review") == "1"
	reason := strings.TrimSpace(formText(r.PostForm.Get("reason")))
	sent := reason
	if human && sent == "" {
		sent = web.T(lang, "self.claim.review.default")
	}
	_, err = s.svc.DisputeClaim(r.Context(), p.Actor, f.Claim.Number, sent, human)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EConflict:
		page := selfClaimPage{}
		if human {
			page.ReviewReason, page.ReviewError = reason, fieldMessagesAs(r, err, nil)
		} else {
			page.DisputeReason, page.DisputeError = reason, fieldMessagesAs(r, err, nil)
		}
		return s.myClaimRender(w, r, p, statusOf[code], page)
	default:
		return err
	}
	done := "dispute"
	if human {
		done = "review"
	}
	http.Redirect(w, r, "/my/claims/"+f.Claim.Number+"?done="+done+"#decision", http.StatusSeeOther)
	return nil
}

// myClaimLetter is the decision letter (理赔决定书) of one of the
// customer's claims: a printable page, or a PDF with ?format=pdf.
func (s *Server) myClaimLetter(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	n, err := selfClaimNumber(r)
	if err != nil {
		return err
	}
	r.SetPathValue("number", n)
	if f := r.URL.Query().Get("format"); f != "" && f != "pdf" && f != "html" {
		return errClaimNotFound()
	}
	return s.claimLetter(w, r, p)
}

// ---- After the decision: the survey and a new bank account ----

// retriedPayment reports whether a refused payment was instructed again:
// a later instruction for the same decision replaces it.
func retriedPayment(all []anxin.ClaimPayment, pay anxin.ClaimPayment) bool {
	return slices.ContainsFunc(all, func(o anxin.ClaimPayment) bool {
		return o.DecisionID == pay.DecisionID && o.Position > pay.Position
	})
}

// selfLongNumberRe finds what could be an account or card number in a
// bank's message: it is masked like every account a customer sees.
var selfLongNumberRe = regexp.MustCompile(`[0-9]{8,}`)

// paymentFailure says in plain words why the bank refused a payment: the
// bank's own reason (账户已销户) as it gave it, or, when the instruction
// itself was refused before reaching a bank, what was wrong with it
// without the gateway's technical wording.
func paymentFailure(msg, lang string) string {
	msg = strings.TrimSpace(msg)
	switch {
	case msg == "":
		return web.T(lang, "self.claim.payment.why.unknown")
	case strings.HasPrefix(msg, "payment ") && strings.Contains(msg, "account must be"):
		return web.T(lang, "self.claim.payment.why.account")
	case strings.HasPrefix(msg, "payment ") && strings.Contains(msg, "payee name"):
		return web.T(lang, "self.claim.payment.why.payee")
	case strings.HasPrefix(msg, "payment "):
		return web.T(lang, "self.claim.payment.why.unknown")
	}
	return selfLongNumberRe.ReplaceAllStringFunc(msg, func(n string) string { return anxin.Mask(anxin.FieldBankAccount, n) })
}

// liftFieldErrors turns the field errors of a form the page does not show
// into one message for the page as a whole.
func liftFieldErrors(r *http.Request, errs map[string]string) map[string]string {
	if len(errs) == 0 || errs[""] != "" {
		return errs
	}
	var msgs []string
	for _, m := range errs {
		msgs = append(msgs, m)
	}
	slices.Sort(msgs)
	return map[string]string{"": strings.Join(msgs, tr(language(r), "; ", "；"))}
}

// surveyNumber reads a survey answer; -1, out of every range, when it is
// missing or not a whole number, so that the service names the field.
func surveyNumber(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// myClaimSurvey records the customer's answer to the survey of a closed
// claim: 1–5 stars, how likely they are to recommend us (0–10) and a
// comment, once. Bad values come back beside their fields, and nothing
// is stored.
func (s *Server) myClaimSurvey(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// Another customer's claim answers 404 before its input is read.
	f, err := s.selfClaimFile(r, p)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	lang := language(r)
	page := selfClaimPage{SurveyScore: strings.TrimSpace(formText(r.PostForm.Get("score"))), SurveyNPS: strings.TrimSpace(formText(r.PostForm.Get("nps"))),
		SurveyComment: formText(r.PostForm.Get("comment"))}
	_, err = s.svc.AnswerClaimSurvey(r.Context(), p.Actor, f.Claim.Number, surveyNumber(page.SurveyScore), surveyNumber(page.SurveyNPS), page.SurveyComment)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EConflict:
		page.SurveyError = fieldMessagesAs(r, err, nil)
		if page.SurveyScore == "" && isField(err, "score") {
			page.SurveyError["score"] = web.T(lang, "self.claim.survey.score.choose")
		}
		if page.SurveyNPS == "" && isField(err, "nps") {
			page.SurveyError["nps"] = web.T(lang, "self.claim.survey.nps.choose")
		}
		return s.myClaimRender(w, r, p, statusOf[code], page)
	default:
		return err
	}
	http.Redirect(w, r, "/my/claims/"+f.Claim.Number+"?done=survey#survey", http.StatusSeeOther)
	return nil
}

// myClaimPayout changes the account a claim is paid to. Like the report
// form it asks for the account whole — holder, bank and number — and
// names every problem at once; nothing changes until all is well. A
// payment the bank refused goes out again to the new account.
func (s *Server) myClaimPayout(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// Another customer's claim answers 404 before its input is read.
	f, err := s.selfClaimFile(r, p)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	page := selfClaimPage{PayeeName: formText(r.PostForm.Get("payee_name")), BankName: formText(r.PostForm.Get("bank_name")),
		Account: strings.TrimSpace(formText(r.PostForm.Get("account"))), PayoutError: map[string]string{}}
	problem := func(field, msg string) {
		if field != "" && page.PayoutError[field] == "" {
			page.PayoutError[field] = msg
		}
	}
	// The service's names of the payout's fields, as the form names them.
	formField := func(field string) string {
		if to, ok := selfClaimFieldOf[field]; ok && strings.HasPrefix(field, "payout") {
			return to
		}
		return ""
	}
	if strings.TrimSpace(page.PayeeName) == "" {
		problem("payee_name", selfMessage(r, fieldErr("payee_name", "required", "give the account holder's name", "请填写收款人姓名")))
	}
	if strings.TrimSpace(page.BankName) == "" {
		problem("bank_name", selfMessage(r, fieldErr("bank_name", "required", "give the bank and branch", "请填写开户银行")))
	}
	if page.Account == "" {
		problem("account", selfMessage(r, fieldErr("account", "required", "give the account or card number", "请填写银行账号或卡号")))
	}
	payout := anxin.Payout{PayeeName: page.PayeeName, BankName: page.BankName, Account: page.Account}
	// The claim's own checks of an account, so that one answer names
	// every problem (the service makes the same probe).
	probe := anxin.Claim{PolicyID: "x", Type: anxin.ClaimMedical, IncidentDate: anxin.MustDate("2000-01-01"), Description: "x", Payout: payout}
	for field, msg := range fieldMessages(r, probe.Validate(anxin.MustDate("2000-01-01"))) {
		problem(formField(field), msg)
	}
	if len(page.PayoutError) > 0 {
		return s.myClaimRender(w, r, p, http.StatusUnprocessableEntity, page)
	}
	_, err = s.svc.UpdateClaimPayout(r.Context(), p.Actor, f.Claim.Number, payout)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EConflict:
		for field, msg := range fieldMessages(r, err) {
			field = formField(field)
			if prev := page.PayoutError[field]; prev != "" && prev != msg {
				msg = prev + tr(language(r), "; ", "；") + msg
			}
			page.PayoutError[field] = msg
		}
		return s.myClaimRender(w, r, p, statusOf[code], page)
	default:
		return err
	}
	http.Redirect(w, r, "/my/claims/"+f.Claim.Number+"?done=payout", http.StatusSeeOther)
	return nil
}
