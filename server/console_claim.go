package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/web"
)

// consoleClaimRoutes are the claim pages of the staff console: the
// workbench and the approvals waiting for a second person, the report form
// a CSR fills in on the phone, and one claim with every act of its review,
// decision, approval, payment and dispute. Each route needs the permission
// its counterpart in the claims API needs; the service checks the rest
// (approval limits, who may re-review, who may report on a task).
func (s *Server) consoleClaimRoutes() []Route {
	page := func(method, path string, perm anxin.Permission, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: Staff, Permission: perm, Summary: summary, handle: h}
	}
	limit := func(rt Route, n int64) Route { rt.MaxBody = n; return rt }
	staff := []Route{
		page("GET", "/claims", anxin.PermClaimRead, "Claims workbench: queues by stage, flagged and disputed, with deadlines and risk flags", s.consoleClaims),
		page("GET", "/claims/approvals", anxin.PermClaimRead, "Decisions waiting for a second approver, marking those within one's limit", s.consoleClaimApprovals),
		page("GET", "/claims/new", anxin.PermClaimWrite, "Report a claim for a customer's policy: policy lookup, then the form for the claim type", s.consoleNewClaim),
		limit(page("POST", "/claims", anxin.PermClaimWrite, "Report a claim from the form, with its documents", s.consoleCreateClaim), maxClaimBody),
		page("GET", "/claims/{number}", anxin.PermClaimRead, "A claim: checks, flags, checklist, documents, tasks, decisions, payments and disputes", s.consoleClaim),
		page("POST", "/claims/{number}/checklist/{code}", anxin.PermClaimWrite, "Accept or reject one document of a claim", s.consoleClaimChecklist),
		limit(page("POST", "/claims/{number}/documents", anxin.PermClaimWrite, "Add a document to a claim (multipart field file)", s.consoleClaimUpload), maxUploadBytes),
		page("GET", "/claims/{number}/documents/{id}", anxin.PermClaimRead, "Show a claim's document in the browser (audited)", s.consoleClaimDocument),
		page("POST", "/claims/{number}/notify-missing", anxin.PermClaimWrite, "Tell the claimant every missing document in one notice", s.consoleClaimAct("missing", s.consoleClaimNotify)),
		page("POST", "/claims/{number}/tasks", anxin.PermClaimWrite, "Assign a survey, investigation or assessment", s.consoleClaimAct("task", s.consoleClaimTask)),
		page("POST", "/claims/{number}/tasks/{id}/report", anxin.PermClaimWrite, "Report on a task and close it", s.consoleClaimReport),
		page("POST", "/claims/{number}/decisions", anxin.PermClaimDecide, "Decide a claim: pay, partial, reject or advance", s.consoleClaimAct("decide", s.consoleClaimDecide)),
		page("POST", "/claims/{number}/decisions/{id}/approval", anxin.PermClaimApprove, "Approve a decision above the decider's limit, or return it", s.consoleClaimApproval),
		page("POST", "/claims/{number}/disputes", anxin.PermClaimWrite, "Record the claimant's dispute; the claim goes to re-review", s.consoleClaimAct("dispute", s.consoleClaimDispute)),
		page("POST", "/claims/{number}/payout", anxin.PermClaimWrite, "Correct the claim's bank account; a payment the bank refused goes out again to it", s.consoleClaimAct("payout", s.consoleClaimPayout)),
		page("GET", "/claims/{number}/letter", anxin.PermClaimRead, "The claim decision letter (format=pdf for PDF, seq= for an earlier decision)", s.claimLetter),
	}
	return staff
}

// claimLabels names what the claim pages show by code, in the request's
// language; the ticket labels supply times, spans, checklist items and
// staff names.
type claimLabels struct {
	*ticketLabels
	ruleEN map[string]string // rule code → English name, from the claim settings
}

func (s *Server) claimLabels(r *http.Request) *claimLabels {
	return &claimLabels{ticketLabels: &ticketLabels{lang: language(r), now: s.svc.Now(), loc: s.svc.Calendar.Location(),
		teams: map[string]store.Team{}, names: map[string]string{}, rules: map[string]string{}, sla: map[string]anxin.SLAPolicy{}},
		ruleEN: map[string]string{}}
}

// learnRules loads the English names of the claim rules: a rule's verdict
// keeps only its Chinese name.
func (l *claimLabels) learnRules(set service.ClaimSettings) {
	for _, r := range set.RiskRules.Rules {
		l.ruleEN[r.Code] = r.NameEN
	}
	for _, r := range set.ComplexityRules.Rules {
		l.ruleEN[r.Code] = r.NameEN
	}
	for _, r := range set.FastTrack.Rules {
		l.ruleEN[r.Code] = r.NameEN
	}
}

// ClaimType is a claim type's name.
func (l *claimLabels) ClaimType(t anxin.ClaimType) string {
	zh, en, ok := t.Info()
	switch {
	case !ok:
		return string(t)
	case l.lang == "en":
		return en
	}
	return zh
}

// ClaimStage is a claim stage's name.
func (l *claimLabels) ClaimStage(st anxin.ClaimStage) string {
	return web.Enum(l.lang, "claimstage", string(st))
}

// TaskKind is a task kind's name.
func (l *claimLabels) TaskKind(kind string) string {
	for _, k := range anxin.ClaimTaskKinds {
		if k.Code == kind {
			if l.lang == "en" {
				return k.NameEN
			}
			return k.Name
		}
	}
	return web.Enum(l.lang, "claimtask", kind)
}

// Check is a coverage check's reason.
func (l *claimLabels) Check(c anxin.CoverageCheck) string {
	if l.lang == "en" && c.ReasonEN != "" {
		return c.ReasonEN
	}
	return c.Reason
}

// Rule is a rule's name.
func (l *claimLabels) Rule(r anxin.RuleResult) string {
	if en := l.ruleEN[r.Code]; l.lang == "en" && en != "" {
		return en
	}
	if r.Code == "system_limit" && l.lang == "en" {
		return web.T(l.lang, "claim.ft.system_limit")
	}
	return cmpOr(r.Name, r.Code)
}

// CalcLine is a calculation step's label.
func (l *claimLabels) CalcLine(c anxin.CalcLine) string {
	if l.lang == "en" && c.LabelEN != "" {
		return c.LabelEN
	}
	return c.Label
}

// Due measures a claim deadline: met is when the act it waits for was
// done; a closed claim owes nothing more.
func (l *claimLabels) Due(deadline, met time.Time, closed bool) consoleDue {
	d := consoleDue{At: l.Time(deadline)}
	switch {
	case deadline.IsZero():
		d.Text, d.Class = "—", "due-done"
	case !met.IsZero():
		if met.After(deadline) {
			d.Text, d.Class = web.T(l.lang, "due.met.late", l.Time(met)), "due-late"
		} else {
			d.Text, d.Class = web.T(l.lang, "due.met", l.Time(met)), "due-done"
		}
	case closed:
		d.Text, d.Class = web.T(l.lang, "due.closed"), "due-done"
	case !l.now.Before(deadline):
		d.Text, d.Class = web.T(l.lang, "due.overdue", l.Span(l.now.Sub(deadline))), "due-late"
	case deadline.Sub(l.now) <= service.DueSoonWindow:
		d.Text, d.Class = web.T(l.lang, "due.left", l.Span(deadline.Sub(l.now))), "due-soon"
	default:
		d.Text, d.Class = web.T(l.lang, "due.left", l.Span(deadline.Sub(l.now))), "due-ok"
	}
	return d
}

// reviewDue and statutoryDue are a listed claim's two clocks: the review
// deadline (3 or 15 working days) and the 30 days of art. 23, both met by
// the first decision.
func (l *claimLabels) reviewDue(c *anxin.Claim) consoleDue {
	return l.Due(c.ReviewDue, c.DecidedAt, c.Stage == anxin.ClaimClosed)
}

func (l *claimLabels) statutoryDue(c *anxin.Claim) consoleDue {
	return l.Due(c.StatutoryDue, c.DecidedAt, c.Stage == anxin.ClaimClosed)
}

// consoleClaimQueues are the workbench tabs: open claims, each stage, and
// the open claims that carry a risk flag or a dispute.
var consoleClaimQueues = []string{"open", "intake", "review", "approval", "payment", "closed", "flagged", "disputed"}

// consoleClaimsShown bounds one tab; the nearest deadline comes first.
const consoleClaimsShown = 100

type consoleClaimRow struct {
	*anxin.Claim
	Review, Statutory consoleDue
}

type consoleClaimsPage struct {
	L        *claimLabels
	Queue    string
	Queues   []consoleQueueTab
	Claims   []consoleClaimRow
	More     bool
	CanWrite bool
	Pending  int // decisions waiting for a second approver
	Mine     int // of which the signed-in user may approve
	New      *consoleClaimNewPage
}

func (s *Server) consoleClaims(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ctx := r.Context()
	l := s.claimLabels(r)
	queue := r.URL.Query().Get("queue")
	if queue == "" {
		queue = "open"
	}
	if !slices.Contains(consoleClaimQueues, queue) {
		return fieldErr("queue", "enum", "must be open, intake, review, approval, payment, closed, flagged or disputed",
			"须为 open、intake、review、approval、payment、closed、flagged 或 disputed")
	}
	f := store.ClaimFilter{Limit: consoleClaimsShown + 1}
	switch queue {
	case "open":
		f.Open = true
	case "flagged":
		f.Open, f.Flagged = true, true
	case "disputed":
		f.Disputed = true
	default:
		f.Stage = anxin.ClaimStage(queue)
	}
	cs, err := s.svc.FindClaims(ctx, p.Actor, f)
	if err != nil {
		return err
	}
	set, err := s.svc.ClaimSettings(ctx)
	if err != nil {
		return err
	}
	l.learnRules(set)
	pg := &consoleClaimsPage{L: l, Queue: queue, CanWrite: p.Actor.Can(anxin.PermClaimWrite)}
	for _, q := range consoleClaimQueues {
		pg.Queues = append(pg.Queues, consoleQueueTab{Code: q, URL: "/claims?queue=" + q, Current: q == queue})
	}
	if len(cs) > consoleClaimsShown {
		cs, pg.More = cs[:consoleClaimsShown], true
	}
	for _, c := range cs {
		pg.Claims = append(pg.Claims, consoleClaimRow{Claim: c, Review: l.reviewDue(c), Statutory: l.statutoryDue(c)})
	}
	approvals, err := s.consoleApprovalRows(r, p, l)
	if err != nil {
		return err
	}
	pg.Pending = len(approvals)
	for _, a := range approvals {
		if a.Status == "can" {
			pg.Mine++
		}
	}
	return s.consoleRender(w, r, http.StatusOK, "claims", "layout", s.newConsoleView(r, p, "claims", web.T(l.lang, "claims.title"), pg))
}

// consoleApprovalRow is a decision waiting for a second person, and what
// the signed-in user may do about it.
type consoleApprovalRow struct {
	store.PendingDecision
	Claim   *anxin.Claim // nil when the claim moved on since the list was read
	Amount  anxin.Fen    // what approving it pays beyond what was paid
	Decider string
	// Status: can (within the user's limit), above (needs NeedsRole), own
	// (the user decided it), none (the user does not approve claims).
	Status string
}

// consoleApprovalRows lists the pending decisions, each marked for the
// caller by the approval limits in force.
func (s *Server) consoleApprovalRows(r *http.Request, p *service.Principal, l *claimLabels) ([]consoleApprovalRow, error) {
	ctx := r.Context()
	ds, err := s.svc.PendingApprovals(ctx, p.Actor)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, nil
	}
	set, err := s.svc.ClaimSettings(ctx)
	if err != nil {
		return nil, err
	}
	claims := map[string]*anxin.Claim{}
	cs, err := s.svc.FindClaims(ctx, p.Actor, store.ClaimFilter{Stage: anxin.ClaimApproval, Limit: 500})
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		claims[c.Number] = c
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.DecidedBy)
	}
	s.learnNames(r, l.ticketLabels, ids...)
	out := make([]consoleApprovalRow, 0, len(ds))
	for _, d := range ds {
		row := consoleApprovalRow{PendingDecision: d, Claim: claims[d.ClaimNumber], Amount: d.Payable, Decider: cmpOr(l.names[d.DecidedBy], d.DeciderName)}
		if row.Claim != nil {
			row.Amount = d.Payable - row.Claim.Paid
		}
		switch {
		case !p.Actor.Can(anxin.PermClaimApprove):
			row.Status = "none"
		case d.DecidedBy == p.Actor.ID:
			row.Status = "own"
		case anxin.Covers(set.ApprovalLimits, p.Actor.Role, row.Amount):
			row.Status = "can"
		default:
			row.Status = "above"
		}
		out = append(out, row)
	}
	return out, nil
}

type consoleApprovalsPage struct {
	L     *claimLabels
	Rows  []consoleApprovalRow
	Limit string // the user's own approval limit, as words
}

func (s *Server) consoleClaimApprovals(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	l := s.claimLabels(r)
	rows, err := s.consoleApprovalRows(r, p, l)
	if err != nil {
		return err
	}
	set, err := s.svc.ClaimSettings(r.Context())
	if err != nil {
		return err
	}
	pg := &consoleApprovalsPage{L: l, Rows: rows, Limit: web.T(l.lang, "approvals.limit.none")}
	if limit, unlimited, ok := anxin.LimitOf(set.ApprovalLimits, p.Actor.Role); ok && p.Actor.Can(anxin.PermClaimApprove) {
		pg.Limit = web.T(l.lang, "approvals.limit.upto", web.Yuan(limit))
		if unlimited {
			pg.Limit = web.T(l.lang, "approvals.limit.any")
		}
	}
	return s.consoleRender(w, r, http.StatusOK, "claim_approvals", "layout", s.newConsoleView(r, p, "claims", web.T(l.lang, "approvals.title"), pg))
}

// consoleClaimForm is the report form as the user filled it in: amounts
// stay text until they are parsed, so a bad one comes back as typed.
type consoleClaimForm struct {
	Policy        string // the policy number looked up
	Type          anxin.ClaimType
	Claimant      string // holder or insured
	Channel       string
	Language      string
	IncidentDate  string
	IncidentPlace string
	Description   string
	Claimed       string
	Setting       string
	Expenses      string
	PayeeName     string
	BankName      string
	Account       string
	VerifyMethod  string
	VerifyResult  string
	AssignToMe    bool
}

// consoleClaimType is a claim type offered for a policy.
type consoleClaimType struct {
	Code    anxin.ClaimType
	Covered bool // the policy has the coverage this type draws on
}

type consoleClaimNewPage struct {
	Form      consoleClaimForm
	Policy    *anxin.Policy
	Product   string
	Holder    string
	Insured   string
	Types     []consoleClaimType
	Chosen    bool // a policy and a type: the whole form shows
	Checklist []anxin.ChecklistItem
	Channels  []anxin.Channel
	Methods   []string
	Results   []string
	Errors    map[string]string
	Error     string
}

// consoleNewClaim is the report form: first the policy number and the
// claim type (the type decides the document checklist), then the rest.
func (s *Server) consoleNewClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	if err := consoleCleanForm(q); err != nil {
		return err
	}
	form := consoleClaimForm{Policy: strings.TrimSpace(q.Get("policy")), Type: anxin.ClaimType(q.Get("type")), Claimant: "holder", Channel: string(anxin.ChannelPhone),
		Language: "zh", VerifyMethod: "none", VerifyResult: "not_verified"}
	return s.consoleClaimIntake(w, r, p, http.StatusOK, form, nil)
}

func (s *Server) consoleClaimIntake(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, form consoleClaimForm, failure error) error {
	ctx := r.Context()
	l := s.claimLabels(r)
	in := &consoleClaimNewPage{Form: form, Channels: consoleChannels(), Methods: anxin.VerificationMethods, Results: anxin.VerificationResults}
	in.Errors, in.Error = consoleFailure(l.lang, failure)
	if in.Errors == nil {
		in.Errors = map[string]string{}
	}
	if form.Policy != "" {
		pol, err := s.svc.Policy(ctx, p.Actor, form.Policy)
		switch {
		case anxin.ErrorCode(err) == anxin.ENotFound:
			in.Errors["policy"] = web.T(l.lang, "claimnew.policy.unknown", form.Policy)
		case err != nil:
			return err
		default:
			in.Policy = pol
		}
	}
	if in.Policy != nil {
		names, err := s.consoleProductNames(r, p)
		if err != nil {
			return err
		}
		in.Product = cmpOr(names[in.Policy.ProductCode], in.Policy.ProductCode)
		in.Holder, in.Insured = s.consoleCustomerName(r, p, in.Policy.PolicyholderID), s.consoleCustomerName(r, p, in.Policy.InsuredID)
		for _, ct := range anxin.ClaimTypes {
			_, covered := anxin.ClaimCoverage(in.Policy, ct.Type)
			in.Types = append(in.Types, consoleClaimType{Code: ct.Type, Covered: covered})
		}
		// The types the policy covers first.
		slices.SortStableFunc(in.Types, func(a, b consoleClaimType) int { return boolInt(b.Covered) - boolInt(a.Covered) })
		if form.Type != "" {
			if _, _, ok := form.Type.Info(); !ok {
				in.Errors["type"] = web.T(l.lang, "claimnew.type.unknown")
			} else {
				in.Chosen = true
				set, err := s.svc.ClaimSettings(ctx)
				if err != nil {
					return err
				}
				in.Checklist = anxin.ClaimChecklist(set.Checklists, form.Type, "")
			}
		}
	}
	if len(in.Errors) == 0 {
		in.Errors = nil
	}
	pg := &consoleClaimsPage{L: l, New: in}
	return s.consoleRender(w, r, status, "claims", "layout", s.newConsoleView(r, p, "claims", web.T(l.lang, "claimnew.title"), pg))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// consoleCustomerName is a customer's name for a page that only names
// them; empty when the caller may not read customers or it cannot be read.
func (s *Server) consoleCustomerName(r *http.Request, p *service.Principal, id string) string {
	if id == "" || !p.Actor.Can(anxin.PermCustomerRead) {
		return ""
	}
	c, err := s.svc.Customer(r.Context(), p.Actor, id)
	if err != nil {
		return ""
	}
	return c.Name
}

// consoleAmount parses an amount in yuan from a form field into fen,
// without floating point; an empty field is zero unless required.
func consoleAmount(pr *anxin.Problems, field, v string, required bool) anxin.Fen {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			pr.Add(field, "required", "enter an amount in yuan", "请输入金额（元）")
		}
		return 0
	}
	f, err := anxin.ParseYuan(v)
	if err != nil {
		pr.Add(field, "format", "enter an amount in yuan, such as 1234.56", "请输入以元为单位的金额，如 1234.56")
		return 0
	}
	if f < 0 {
		pr.Add(field, "range", "cannot be negative", "金额不能为负")
		return 0
	}
	return f
}

// consoleCreateClaim reports the claim and goes to it. A form that does
// not validate comes back with each error beside its field (the files must
// be chosen again: a browser never refills a file input), and nothing is
// stored.
func (s *Server) consoleCreateClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ctx := r.Context()
	if err := r.ParseMultipartForm(maxUploadBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err := consoleCleanForm(r.PostForm); err != nil {
		return err
	}
	v := r.PostForm
	form := consoleClaimForm{Policy: strings.TrimSpace(v.Get("policy")), Type: anxin.ClaimType(v.Get("type")), Claimant: v.Get("claimant"), Channel: v.Get("channel"),
		Language: v.Get("language"), IncidentDate: strings.TrimSpace(v.Get("incident_date")), IncidentPlace: v.Get("incident_place"),
		Description: v.Get("description"), Claimed: v.Get("claimed"), Setting: v.Get("loss.setting"), Expenses: v.Get("loss.expenses"),
		PayeeName: v.Get("payout.payee_name"), BankName: v.Get("payout.bank_name"), Account: v.Get("payout.account"),
		VerifyMethod: v.Get("verification.method"), VerifyResult: v.Get("verification.result"), AssignToMe: v.Get("assign_to_me") != ""}
	refuse := func(err error) error { return s.consoleClaimIntake(w, r, p, http.StatusUnprocessableEntity, form, err) }
	pol, err := s.svc.Policy(ctx, p.Actor, form.Policy)
	if anxin.ErrorCode(err) == anxin.ENotFound || form.Policy == "" {
		return refuse(fieldErr("policy", "unknown", "look the policy up first", "请先查询保单"))
	} else if err != nil {
		return err
	}
	var pr anxin.Problems
	c := anxin.Claim{PolicyID: pol.ID, ClaimantID: pol.PolicyholderID, Type: form.Type, Channel: anxin.Channel(form.Channel),
		IncidentPlace: form.IncidentPlace, Description: form.Description,
		Loss:   anxin.ClaimLoss{Setting: form.Setting},
		Payout: anxin.Payout{PayeeName: form.PayeeName, BankName: form.BankName, Account: form.Account}}
	if form.Claimant == "insured" {
		c.ClaimantID = pol.InsuredID
	}
	if form.IncidentDate != "" {
		if c.IncidentDate, err = anxin.ParseDate(form.IncidentDate); err != nil {
			pr.Add("incident_date", "format", "enter a date such as 2026-03-01", "请输入日期，如 2026-03-01")
		}
	}
	if form.Channel != "" && !anxin.ValidChannel(c.Channel) {
		pr.Add("channel", "enum", "is not a known channel", "不是已知的渠道")
	}
	c.Claimed = consoleAmount(&pr, "claimed", form.Claimed, false)
	c.Loss.Expenses = consoleAmount(&pr, "loss.expenses", form.Expenses, false)
	// The documents, in the order of the type's checklist.
	set, err := s.svc.ClaimSettings(ctx)
	if err != nil {
		return err
	}
	var docs []service.ClaimDocument
	if r.MultipartForm != nil {
		for _, it := range anxin.ClaimChecklist(set.Checklists, c.Type, "") {
			for _, fh := range r.MultipartForm.File["doc."+it.Code] {
				if fh.Filename == "" && fh.Size == 0 {
					continue // a file input left empty
				}
				f, err := fh.Open()
				if err != nil {
					pr.Add("doc."+it.Code, "format", "the upload could not be read", "无法读取上传的文件")
					continue
				}
				data, err := io.ReadAll(io.LimitReader(f, service.MaxAttachmentBytes+1))
				f.Close()
				if err != nil {
					pr.Add("doc."+it.Code, "format", "the upload could not be read", "无法读取上传的文件")
					continue
				}
				if !consoleClean(fh.Filename) {
					pr.Add("doc."+it.Code, "format", "the file name contains characters that cannot be stored", "文件名含有无法保存的字符")
					continue
				}
				docs = append(docs, service.ClaimDocument{ItemCode: it.Code, Filename: fh.Filename, Data: data})
			}
		}
	}
	if err := pr.Err(); err != nil {
		// Say everything at once: what the domain would refuse as well.
		probe := c
		loc := s.svc.Calendar.Location()
		if verr := probe.Validate(anxin.DateOf(s.svc.Now().In(loc))); verr != nil {
			e := asAppError(err)
			for _, f := range asAppError(verr).Fields {
				if !slices.ContainsFunc(e.Fields, func(x anxin.FieldError) bool { return x.Field == f.Field }) {
					e.Fields = append(e.Fields, f)
				}
			}
		}
		return refuse(err)
	}
	rep := &service.ClaimReport{Claim: c, Documents: docs, Verification: anxin.Verification{Method: form.VerifyMethod, Result: form.VerifyResult},
		Language: form.Language, AssignToMe: form.AssignToMe}
	created, err := s.svc.ReportClaim(ctx, p.Actor, rep)
	if anxin.ErrorCode(err) == anxin.EInvalid {
		return refuse(consoleDocumentFields(err, docs))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/claims/"+url.PathEscape(created.Number)+"?done=created", http.StatusSeeOther)
	return nil
}

// consoleDocumentFields renames the service's documents[i] fields to the
// form's file inputs, so an error shows beside the file it is about.
func consoleDocumentFields(err error, docs []service.ClaimDocument) error {
	e := asAppError(err)
	out := *e
	out.Fields = make([]anxin.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if rest, ok := strings.CutPrefix(f.Field, "documents["); ok {
			if n, _, ok := strings.Cut(rest, "]"); ok {
				if k, err := strconv.Atoi(n); err == nil && k >= 0 && k < len(docs) {
					f.Field = "doc." + docs[k].ItemCode
				}
			}
		}
		out.Fields[i] = f
	}
	return &out
}

// consoleClaimDeadline is one of a claim's clocks.
type consoleClaimDeadline struct {
	Kind     string
	Due      consoleDue
	Breached bool
}

// consoleClaimTask is a task with its clock and whether the user may
// report on it.
type consoleClaimTask struct {
	anxin.ClaimTask
	Due       consoleDue
	CanReport bool
}

// consoleClaimDecision is a decision with the names of the people behind
// it and what the user may do about it.
type consoleClaimDecision struct {
	anxin.ClaimDecision
	Decider  string
	Approver string
	Amount   anxin.Fen // what approving it pays beyond what was paid
	Within   bool      // within the user's approval limit
	Own      bool      // the user made it
}

// consoleClaimPage is the claim page. Form names the form whose action
// failed: its errors and its input are shown again beside it.
type consoleClaimPage struct {
	L           *claimLabels
	F           *service.ClaimFile
	C           *anxin.Claim
	T           *anxin.Ticket
	Claimant    string
	Review      consoleDue
	Deadlines   []consoleClaimDeadline
	Covered     bool
	FastTrackOK bool
	Missing     int
	Items       map[string]anxin.ChecklistItem
	Tasks       []consoleClaimTask
	Decisions   []consoleClaimDecision
	Pending     *consoleClaimDecision
	HasLetter   bool
	Assignees   []anxin.Staff
	TaskKinds   []string
	Conclusions []string
	Outcomes    []anxin.Outcome
	Statuses    []string
	// Which assessed figures the decision form asks for, by claim type.
	AskExpenses, AskCare, AskAssessed bool
	CanWrite, CanDecide, CanApprove   bool
	DecideOpen                        bool // under review and the user decides claims
	FirstDecider                      bool // disputed, and the user made the decision disputed
	CanDispute                        bool
	// The bank account: Refused are the payments the bank refused that
	// wait for a new account; CanPayout, whether the user may correct it
	// (claim:write, and something left to pay).
	Refused   []anxin.ClaimPayment
	CanPayout bool
	Done      string
	Form      string
	Errors    map[string]string
	Error     string
	Input     url.Values
}

// Err is the error of field in form, if that form failed.
func (pg *consoleClaimPage) Err(form, field string) string {
	if pg.Form != form {
		return ""
	}
	return pg.Errors[field]
}

// Failed is the form-wide error of form, if that form failed.
func (pg *consoleClaimPage) Failed(form string) string {
	if pg.Form != form {
		return ""
	}
	return pg.Error
}

// Val is what the user had entered in field of form, if that form failed.
func (pg *consoleClaimPage) Val(form, field string) string {
	if pg.Form != form {
		return ""
	}
	return pg.Input.Get(field)
}

// ItemName names a checklist item by its code.
func (pg *consoleClaimPage) ItemName(code string) string {
	if it, ok := pg.Items[code]; ok {
		return pg.L.Item(it)
	}
	return cmpOr(code, "—")
}

// Stars draws a survey score of 1–5 as filled and empty stars.
func (pg *consoleClaimPage) Stars(n int) string { return surveyStars(n) }

// NPSGroup is where a likelihood to recommend (0–10) falls in the usual
// Net Promoter reading: promoter (9–10), passive (7–8) or detractor.
func (pg *consoleClaimPage) NPSGroup(n int) string {
	switch {
	case n >= 9:
		return "promoter"
	case n >= 7:
		return "passive"
	}
	return "detractor"
}

// PayoutVal is what the payout form shows in field: what the user typed
// when it failed, else the payee on file (never the account number, which
// is typed anew).
func (pg *consoleClaimPage) PayoutVal(field string) string {
	if pg.Form == "payout" {
		return pg.Input.Get(field)
	}
	if field == "payout.payee_name" {
		return pg.C.Payout.PayeeName
	}
	return ""
}

// PayoutRefusal is why a payout correction was refused, as one message,
// for when the page no longer shows the form (the claim closed meanwhile).
func (pg *consoleClaimPage) PayoutRefusal() string {
	if pg.Form != "payout" {
		return ""
	}
	if pg.Error != "" {
		return pg.Error
	}
	var msgs []string
	for _, m := range pg.Errors {
		msgs = append(msgs, m)
	}
	slices.Sort(msgs)
	return strings.Join(msgs, tr(pg.L.lang, "; ", "；"))
}

// consoleClaimDone are the confirmations ?done= may ask for.
var consoleClaimDone = []string{"created", "checklist", "upload", "missing", "task", "report", "decide", "approval", "dispute", "payout"}

func (s *Server) consoleClaim(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	number, err := consoleClaimRef(r)
	if err != nil {
		return err
	}
	pg := &consoleClaimPage{}
	if d := r.URL.Query().Get("done"); slices.Contains(consoleClaimDone, d) {
		pg.Done = d
	}
	return s.consoleClaimView(w, r, p, number, http.StatusOK, pg)
}

// consoleClaimRef is the claim a path names. A reference that cannot be a
// claim number or id is not found here, before the database sees it.
func consoleClaimRef(r *http.Request) (string, error) {
	ref := r.PathValue("number")
	if ref == "" || len(ref) > 64 || !consoleClean(ref) || strings.ContainsFunc(ref, unicode.IsControl) {
		return "", anxin.Errorz(anxin.ENotFound, "there is no claim with this number", "没有该理赔案件（案件号不存在）")
	}
	return ref, nil
}

// consoleClaimView loads everything the claim page shows into pg and
// renders it with status.
func (s *Server) consoleClaimView(w http.ResponseWriter, r *http.Request, p *service.Principal, number string, status int, pg *consoleClaimPage) error {
	ctx := r.Context()
	f, err := s.svc.ClaimFileOf(ctx, p.Actor, number)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return anxin.Errorz(anxin.ENotFound, "there is no claim with this number", "没有该理赔案件（案件号不存在）")
	} else if err != nil {
		return err
	}
	set, err := s.svc.ClaimSettings(ctx)
	if err != nil {
		return err
	}
	l := s.claimLabels(r)
	l.learnRules(set)
	c := f.Claim
	pg.L, pg.F, pg.C, pg.T = l, f, c, f.Ticket
	pg.Claimant = s.consoleCustomerName(r, p, c.ClaimantID)
	pg.CanWrite = p.Actor.Can(anxin.PermClaimWrite)
	pg.CanDecide = p.Actor.Can(anxin.PermClaimDecide)
	pg.CanApprove = p.Actor.Can(anxin.PermClaimApprove)
	pg.Covered = anxin.Covered(c.Coverage)
	pg.FastTrackOK = c.FastTrack
	pg.Review = l.Due(c.ReviewDue, c.DecidedAt, c.Stage == anxin.ClaimClosed)
	for _, d := range f.Deadlines {
		pg.Deadlines = append(pg.Deadlines, consoleClaimDeadline{Kind: d.Kind, Due: l.Due(d.Due, d.DoneAt, false), Breached: !d.Breached.IsZero()})
	}
	pg.Items = map[string]anxin.ChecklistItem{}
	for _, it := range f.Checklist {
		pg.Items[it.Code] = it
		if it.Status != anxin.ItemReceived {
			pg.Missing++
		}
	}
	ids := []string{c.DecidedBy}
	for _, d := range f.Decisions {
		ids = append(ids, d.DecidedBy, d.ApprovedBy)
	}
	for _, t := range f.Tasks {
		ids = append(ids, t.AssigneeID)
	}
	s.learnNames(r, l.ticketLabels, ids...)
	for _, t := range f.Tasks {
		pg.Tasks = append(pg.Tasks, consoleClaimTask{ClaimTask: t, Due: l.Due(t.Due, t.DoneAt, false),
			CanReport: pg.CanWrite && t.Status == "open" && (t.AssigneeID == p.Actor.ID || pg.CanDecide)})
	}
	approved := false
	for _, d := range f.Decisions {
		cd := consoleClaimDecision{ClaimDecision: d, Amount: d.Payable - c.Paid, Own: d.DecidedBy == p.Actor.ID}
		cd.Decider = cmpOr(l.names[d.DecidedBy], d.DeciderName)
		if d.Automated {
			cd.Decider = web.T(l.lang, "claim.decision.system")
		}
		if d.ApprovedBy != "" {
			cd.Approver = cmpOr(l.names[d.ApprovedBy], d.ApproverName)
			if d.ApprovedBy == "system" {
				cd.Approver = web.T(l.lang, "claim.decision.system")
			}
		}
		cd.Within = pg.CanApprove && anxin.Covers(set.ApprovalLimits, p.Actor.Role, cd.Amount)
		pg.Decisions = append(pg.Decisions, cd)
		switch d.Status {
		case anxin.DecisionApproved:
			approved, pg.HasLetter = true, true
		case anxin.DecisionSuperseded:
			pg.HasLetter = true
		}
	}
	for i := range pg.Decisions {
		if pg.Decisions[i].Status == anxin.DecisionPending {
			pg.Pending = &pg.Decisions[i]
		}
	}
	// The newest decision first, as the history reads.
	slices.Reverse(pg.Decisions)
	if pg.Pending != nil {
		for i := range pg.Decisions {
			if pg.Decisions[i].ID == pg.Pending.ID {
				pg.Pending = &pg.Decisions[i]
			}
		}
	}
	pg.DecideOpen = pg.CanDecide && c.Stage == anxin.ClaimReview
	pg.FirstDecider = c.Disputed && c.DecidedBy == p.Actor.ID
	pg.CanDispute = pg.CanWrite && approved && !c.Disputed
	for _, pay := range f.Payments {
		if pay.Status == anxin.PaymentFailed && !retriedPayment(f.Payments, pay) {
			pg.Refused = append(pg.Refused, pay)
		}
	}
	// A closed claim with nothing left to pay keeps its account.
	pg.CanPayout = pg.CanWrite && (len(pg.Refused) > 0 || c.Stage != anxin.ClaimClosed)
	pg.Statuses = []string{anxin.ItemReceived, anxin.ItemRejected}
	pg.Outcomes = anxin.Outcomes
	pg.Conclusions = anxin.ClaimTaskConclusions
	for _, k := range anxin.ClaimTaskKinds {
		pg.TaskKinds = append(pg.TaskKinds, k.Code)
	}
	switch c.Type {
	case anxin.ClaimMedical:
		pg.AskExpenses = true
	case anxin.ClaimLongTermCare:
		pg.AskCare = true
	case anxin.ClaimVehicleDamage, anxin.ClaimThirdParty, anxin.ClaimTheft, anxin.ClaimGlass, anxin.ClaimSelfIgnition:
		pg.AskAssessed = true
	}
	if pg.CanWrite && c.Stage != anxin.ClaimClosed {
		if pg.Assignees, err = s.consoleClaimAssignees(r); err != nil {
			return err
		}
	}
	title := c.Number + " " + l.ClaimType(c.Type)
	return s.consoleRender(w, r, status, "claim", "layout", s.newConsoleView(r, p, "claims", title, pg))
}

// consoleClaimAssignees are the colleagues a task can go to: active staff
// who may work on claims, agents excepted.
func (s *Server) consoleClaimAssignees(r *http.Request) ([]anxin.Staff, error) {
	all, err := s.svc.DB.ListStaff(r.Context())
	if err != nil {
		return nil, err
	}
	var out []anxin.Staff
	for _, st := range all {
		if st.Active && st.Role != anxin.RoleAgent && st.Role.Can(anxin.PermClaimWrite) {
			st.DisplayName = cmpOr(st.DisplayName, st.Username)
			out = append(out, st)
		}
	}
	return out, nil
}

// consoleClaimAct makes one action of the claim page a handler. Success
// goes back to the claim with a confirmation (post, redirect, get); a
// refusal the user can act on shows the page again with the message
// beside the form that was sent.
func (s *Server) consoleClaimAct(form string, act func(r *http.Request, p *service.Principal, number string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
		number, err := consoleClaimRef(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
		}
		if err := consoleCleanForm(r.PostForm); err != nil {
			return s.consoleClaimRefused(w, r, p, number, form, err)
		}
		if err := act(r, p, number); err != nil {
			return s.consoleClaimRefused(w, r, p, number, form, err)
		}
		done, _, _ := strings.Cut(form, ":")
		http.Redirect(w, r, "/claims/"+url.PathEscape(number)+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

// consoleClaimRefused shows the claim again with why an action was
// refused when the user can do something about it: correct a field,
// reload a stale page, leave a decision to someone else. Anything else is
// the error page.
func (s *Server) consoleClaimRefused(w http.ResponseWriter, r *http.Request, p *service.Principal, number, form string, err error) error {
	e := asAppError(err)
	switch e.Code {
	case anxin.EInvalid, anxin.EConflict, anxin.EPrecondition, anxin.ETooLarge, anxin.EForbidden:
	default:
		return err
	}
	pg := &consoleClaimPage{Form: form, Input: r.PostForm}
	pg.Errors, pg.Error = consoleFailure(language(r), err)
	return s.consoleClaimView(w, r, p, number, statusOf[e.Code], pg)
}

// consoleClaimChecklist accepts or rejects one document; each item is its
// own form, and an error belongs beside that item.
func (s *Server) consoleClaimChecklist(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	code := r.PathValue("code")
	if !consoleClean(code) {
		return anxin.Errorz(anxin.ENotFound, "the checklist has no such item", "材料清单中没有该项")
	}
	return s.consoleClaimAct("checklist:"+code, func(r *http.Request, p *service.Principal, number string) error {
		_, err := s.svc.ReviewClaimDocument(r.Context(), p.Actor, number, code, r.PostFormValue("status"), r.PostFormValue("reason"))
		return err
	})(w, r, p)
}

func (s *Server) consoleClaimNotify(r *http.Request, p *service.Principal, number string) error {
	f, err := s.svc.ClaimFileOf(r.Context(), p.Actor, number)
	if err != nil {
		return err
	}
	_, err = s.svc.NotifyMissing(r.Context(), p.Actor, f.Claim.TicketNumber)
	return err
}

func (s *Server) consoleClaimTask(r *http.Request, p *service.Principal, number string) error {
	in := service.ClaimTaskInput{Kind: r.PostFormValue("kind"), AssigneeID: r.PostFormValue("assignee_id"), Instructions: r.PostFormValue("instructions")}
	if v := strings.TrimSpace(r.PostFormValue("due")); v != "" {
		due, err := time.ParseInLocation("2006-01-02T15:04", v, s.svc.Calendar.Location())
		if err != nil {
			return fieldErr("due", "format", "enter a date and time such as 2026-03-01T17:00", "请输入日期和时间，如 2026-03-01T17:00")
		}
		in.Due = due.UTC()
	}
	if in.AssigneeID == "" {
		return fieldErr("assignee_id", "required", "choose who does the task", "请选择任务负责人")
	}
	_, err := s.svc.AddClaimTask(r.Context(), p.Actor, number, in)
	return err
}

// consoleClaimReport records a task's report; each open task is its own
// form.
func (s *Server) consoleClaimReport(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	id := r.PathValue("id")
	if !consoleClean(id) {
		return anxin.Errorz(anxin.ENotFound, "no such task on this claim", "该案件没有此任务")
	}
	return s.consoleClaimAct("report:"+id, func(r *http.Request, p *service.Principal, number string) error {
		_, err := s.svc.CompleteClaimTask(r.Context(), p.Actor, number, id, r.PostFormValue("report"), r.PostFormValue("conclusion"))
		return err
	})(w, r, p)
}

// consoleClaimDecide records a decision. Amounts are typed in yuan; the
// assessed figures, when given, replace the claim's own before the
// calculation, the others staying as reported.
func (s *Server) consoleClaimDecide(r *http.Request, p *service.Principal, number string) error {
	v := r.PostForm
	var pr anxin.Problems
	in := service.DecisionInput{Outcome: anxin.Outcome(v.Get("outcome"))}
	if in.Outcome == anxin.OutcomePartial || in.Outcome == anxin.OutcomeAdvance {
		in.Payable = consoleAmount(&pr, "payable", v.Get("payable"), true)
	}
	for _, line := range strings.Split(v.Get("reasons"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Reasons = append(in.Reasons, line)
		}
	}
	in.Version, _ = strconv.Atoi(v.Get("version"))
	f, err := s.svc.ClaimFileOf(r.Context(), p.Actor, number)
	if err != nil {
		return err
	}
	loss, changed := f.Claim.Loss, false
	for _, a := range []struct {
		field string
		into  *anxin.Fen
	}{{"loss.expenses", &loss.Expenses}, {"loss.eligible", &loss.Eligible}, {"loss.assessed_loss", &loss.AssessedLoss}} {
		if strings.TrimSpace(v.Get(a.field)) != "" {
			*a.into, changed = consoleAmount(&pr, a.field, v.Get(a.field), false), true
		}
	}
	if m := strings.TrimSpace(v.Get("loss.care_months")); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 {
			pr.Add("loss.care_months", "format", "enter a whole number of months", "请输入整数月数")
		}
		loss.CareMonths, changed = n, true
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if changed {
		in.Loss = &loss
	}
	_, err = s.svc.DecideClaim(r.Context(), p.Actor, number, in)
	return err
}

// consoleClaimApproval approves a pending decision or returns it.
func (s *Server) consoleClaimApproval(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	id := r.PathValue("id")
	if !consoleClean(id) {
		return anxin.Errorz(anxin.ENotFound, "no such decision on this claim", "该案件没有此决定")
	}
	return s.consoleClaimAct("approval", func(r *http.Request, p *service.Principal, number string) error {
		var approve bool
		switch r.PostFormValue("approve") {
		case "true":
			approve = true
		case "false":
		default:
			return fieldErr("approve", "enum", "approve or return the decision", "请选择批准或退回")
		}
		_, err := s.svc.ApproveDecision(r.Context(), p.Actor, number, id, approve, r.PostFormValue("note"))
		return err
	})(w, r, p)
}

// consoleClaimPayout corrects where the claim is paid; the service
// instructs a payment the bank refused again, to the new account.
func (s *Server) consoleClaimPayout(r *http.Request, p *service.Principal, number string) error {
	v := r.PostForm
	_, err := s.svc.UpdateClaimPayout(r.Context(), p.Actor, number,
		anxin.Payout{PayeeName: v.Get("payout.payee_name"), BankName: v.Get("payout.bank_name"), Account: v.Get("payout.account")})
	return err
}

func (s *Server) consoleClaimDispute(r *http.Request, p *service.Principal, number string) error {
	_, err := s.svc.DisputeClaim(r.Context(), p.Actor, number, r.PostFormValue("reason"), r.PostFormValue("human_review") != "")
	return err
}

// consoleClaimUpload stores a document for a checklist item. The form is
// multipart, so it cannot go through consoleClaimAct's form parsing.
func (s *Server) consoleClaimUpload(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	number, err := consoleClaimRef(r)
	if err != nil {
		return err
	}
	name, item, data, err := readUpload(r)
	if err == nil && (!consoleClean(name) || !consoleClean(item)) {
		err = fieldErr("file", "format", "the file name contains characters that cannot be stored", "文件名含有无法保存的字符")
	}
	if err == nil {
		_, err = s.svc.AddClaimDocument(r.Context(), p.Actor, number, item, name, data)
	}
	if err != nil {
		return s.consoleClaimRefused(w, r, p, number, "upload", err)
	}
	http.Redirect(w, r, "/claims/"+url.PathEscape(number)+"?done=upload", http.StatusSeeOther)
	return nil
}

// consolePreviewTypes are the documents a browser shows itself, safely:
// images, PDF and plain text, never HTML or anything that runs.
var consolePreviewTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain"}

// consoleClaimDocument shows a claim's document in the browser, under the
// console's own Content-Security-Policy; a type not on the list downloads.
// Reading it is audited like a download.
func (s *Server) consoleClaimDocument(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	number, err := consoleClaimRef(r)
	if err != nil {
		return err
	}
	f, err := s.svc.ClaimFileOf(r.Context(), p.Actor, number)
	if err != nil {
		return err
	}
	a, data, err := s.svc.AttachmentContent(r.Context(), p.Actor, f.Claim.TicketNumber, r.PathValue("id"))
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(a.ContentType)
	if !slices.Contains(consolePreviewTypes, mt) {
		writeFile(w, a, data)
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": a.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, no-store")
	w.Write(data)
	return nil
}
