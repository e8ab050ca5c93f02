package server

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/web"
)

// The customers' ticket pages under /my: the public progress lookup by
// number and phone, and the signed-in customer's own requests (list, new
// request, one request with its timeline, checklist, messages, documents
// and rating). Like the other self-service pages they work without
// JavaScript, and every change is a form post answered by a redirect, or
// by the same page with the errors next to their fields.

const (
	// trackFormCookie holds the progress form's CSRF token: the lookup
	// needs no sign-in, so there is no session to hold one (a
	// double-submit cookie, as on the sign-in forms).
	trackFormCookie = "anxin_track_form"
	// selfTicketsPerPage is how many requests the list shows at a time.
	selfTicketsPerPage = 20
)

// selfTicketScores are the satisfaction form's choices.
var selfTicketScores = []int{5, 4, 3, 2, 1}

// withMaxBody gives a route its own body limit.
func withMaxBody(rt Route, limit int64) Route {
	rt.MaxBody = limit
	return rt
}

// selfTicketsRender writes one of the ticket pages with status. They use
// the self-service layout; their templates are in the self_tickets set.
func (s *Server) selfTicketsRender(w http.ResponseWriter, status int, v *selfView) error {
	body, err := consoleViews().Render(v.Lang, "self_tickets", "self_layout", v)
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

// selfTicketOf is the request the path names, if it is the customer's.
// The number's case and spaces are forgiven; anything that is not a
// number is not looked up, and is not found like another's request.
func (s *Server) selfTicketOf(r *http.Request, p *service.Principal) (*anxin.Ticket, error) {
	n := strings.ToUpper(strings.TrimSpace(r.PathValue("number")))
	if !anxin.TicketNumberPattern.MatchString(n) {
		return nil, anxin.Errorz(anxin.ENotFound, "ticket not found", "未找到该工单")
	}
	return s.svc.Ticket(r.Context(), p.Actor, n)
}

// formText is a form's text as it may be stored: a NUL or a broken UTF-8
// sequence is never typed by a person, and the database refuses both.
func formText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// selfTicketTypes are the configured ticket types. Customers hold no
// permission to read the ticket configuration and the service offers them
// no list of their own, so the node reads it as itself; only the types'
// codes and names reach a page.
func (s *Server) selfTicketTypes(ctx context.Context) ([]anxin.TicketTypeDef, error) {
	cfg, err := s.svc.TicketConfiguration(ctx, anxin.SystemActor("self_service"))
	if err != nil {
		return nil, err
	}
	return cfg.Types, nil
}

// typeName is a ticket type's name in lang, or its code if it is no longer
// configured.
func typeName(types []anxin.TicketTypeDef, code anxin.TicketType, lang string) string {
	for _, t := range types {
		if t.Code == code {
			if lang == "en" && t.NameEN != "" {
				return t.NameEN
			}
			return t.Name
		}
	}
	return string(code)
}

// fieldMessagesAs is fieldMessages with form field names for the
// service's: rename maps a service field to the form's.
func fieldMessagesAs(r *http.Request, err error, rename map[string]string) map[string]string {
	out := map[string]string{}
	for f, m := range fieldMessages(r, err) {
		if to, ok := rename[f]; ok {
			f = to
		}
		if prev, ok := out[f]; ok && prev != m {
			m = prev + tr(language(r), "; ", "；") + m
		}
		out[f] = m
	}
	return out
}

// ---- Progress lookup (public) ----

// selfTrackPage is the progress lookup's data.
type selfTrackPage struct {
	Number    string
	Last4     string
	FormToken string
	Errors    map[string]string // field → message; "" for the form as a whole
	Result    *selfProgress
}

// selfProgress is a lookup's answer as the page shows it: the stage by
// name, the owner's display name, the expected completion in Beijing
// time, and nothing more.
type selfProgress struct {
	Number     string
	Stage      anxin.Stage
	StageName  string
	Open       bool
	Waiting    bool // the date may move: a paused clock restarts when the customer answers
	OwnerName  string
	ExpectedBy time.Time
}

// trackFormToken returns the lookup form's CSRF token, setting its cookie
// when the browser has none (see selfFormToken).
func (s *Server) trackFormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(trackFormCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	token, _ := service.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: trackFormCookie, Value: token, Path: "/my/track", HttpOnly: true,
		Secure: s.SecureCookies, SameSite: http.SameSiteStrictMode})
	return token
}

func trackFormOK(r *http.Request) bool {
	c, err := r.Cookie(trackFormCookie)
	got := r.PostFormValue("csrf_token")
	return err == nil && c.Value != "" && got != "" && constantTimeEqual(got, c.Value)
}

// trackInput trims what was typed and bounds what the page echoes.
func trackInput(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = s[:max]
	}
	return formText(strings.ToValidUTF8(s, ""))
}

func (s *Server) myTrackForm(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	page := selfTrackPage{Number: strings.ToUpper(trackInput(r.URL.Query().Get("number"), 32))}
	return s.myTrackRender(w, r, http.StatusOK, page)
}

func (s *Server) myTrackRender(w http.ResponseWriter, r *http.Request, status int, page selfTrackPage) error {
	page.FormToken = s.trackFormToken(w, r)
	lang := language(r)
	// A signed-in customer keeps the header's way back to their pages.
	v := s.newSelfView(r, s.customerPrincipal(r), "", "track", web.T(lang, "self.track.title"), page)
	if r.Method == http.MethodPost {
		v.Path = "/my/track"
		if page.Number != "" {
			v.Path += "?number=" + url.QueryEscape(page.Number)
		}
	}
	return s.selfTicketsRender(w, status, v)
}

// myTrack looks a ticket up. A wrong number and a wrong phone get the same
// answer (the service words them alike); too many lookups show the wait.
func (s *Server) myTrack(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if !trackFormOK(r) {
		return errFormExpired()
	}
	page := selfTrackPage{Number: strings.ToUpper(trackInput(r.PostForm.Get("number"), 32)), Last4: trackInput(r.PostForm.Get("phone_last4"), 8)}
	pr, err := s.svc.LookupProgress(r.Context(), clientIP(r), page.Number, page.Last4)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid:
		page.Errors = fieldMessages(r, err)
		return s.myTrackRender(w, r, statusOf[code], page)
	case anxin.ENotFound, anxin.ERateLimited:
		page.Errors = map[string]string{"": asAppError(err).Localized(language(r))}
		setRetryAfter(w, err)
		return s.myTrackRender(w, r, statusOf[code], page)
	default:
		return err
	}
	lang := language(r)
	page.Result = &selfProgress{Number: pr.Number, Stage: pr.Stage, StageName: anxin.StageName(pr.Stage, lang), Open: pr.Stage.Open(),
		Waiting: pr.Stage == anxin.StageWaiting, OwnerName: pr.OwnerName, ExpectedBy: s.consoleTime(pr.ExpectedBy)}
	return s.myTrackRender(w, r, http.StatusOK, page)
}

// ---- The customer's requests ----

// selfTicketRow is one request in the customer's list.
type selfTicketRow struct {
	Number      string
	Subject     string
	Type        string
	Stage       anxin.Stage
	StageName   string
	Open        bool
	Paused      bool
	ExpectedBy  time.Time
	Provisional bool
	CreatedAt   time.Time
}

type selfTicketsPage struct {
	Tickets []selfTicketRow
	Next    string // the next page's cursor, or ""
}

func (s *Server) myTickets(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ctx := r.Context()
	after := ""
	if c := r.URL.Query().Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil || formText(string(b)) != string(b) {
			return fieldErr("cursor", "format", "is not a link this site gave", "分页链接无效")
		}
		after = string(b)
	}
	ts, err := s.svc.FindTickets(ctx, p.Actor, anxin.TicketFilter{After: after, Limit: selfTicketsPerPage})
	if err != nil {
		return err
	}
	types, err := s.selfTicketTypes(ctx)
	if err != nil {
		return err
	}
	profile, err := s.Self.Profile(ctx, p.Actor)
	if err != nil {
		return err
	}
	lang := language(r)
	page := selfTicketsPage{}
	for _, t := range ts {
		page.Tickets = append(page.Tickets, selfTicketRow{Number: t.Number, Subject: t.Subject, Type: typeName(types, t.Type, lang),
			Stage: t.Stage, StageName: anxin.StageName(t.Stage, lang), Open: t.Stage.Open(), Paused: t.Stage.Open() && !t.PausedAt.IsZero(), ExpectedBy: s.consoleTime(t.ResolutionDue),
			Provisional: t.Provisional, CreatedAt: s.consoleTime(t.CreatedAt)})
	}
	if len(ts) == selfTicketsPerPage {
		page.Next = nextCursor(len(ts), selfTicketsPerPage, store.TicketCursor(ts[len(ts)-1], false))
	}
	return s.selfTicketsRender(w, http.StatusOK, s.newSelfView(r, p, profile.Name, "tickets", web.T(lang, "self.tickets.title"), page))
}

// ---- A new request ----

// selfTypeOption is a type the customer may choose.
type selfTypeOption struct {
	Code anxin.TicketType
	Name string
}

// selfPolicyOption is one of the customer's policies, to say what the
// request is about.
type selfPolicyOption struct {
	Number  string
	Product string
}

type selfNewTicketPage struct {
	Types       []selfTypeOption
	Policies    []selfPolicyOption
	Type        string
	Policy      string
	Subject     string
	Description string
	Errors      map[string]string // field → message; "" for the form as a whole
}

// selfTypeAllowed reports whether customers open requests of type code on
// the site: emergencies go by phone, to someone who answers at once.
func selfTypeAllowed(code anxin.TicketType) bool { return code != anxin.TypeEmergency }

func (s *Server) myNewTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	page := selfNewTicketPage{Type: r.URL.Query().Get("type"), Policy: r.URL.Query().Get("policy")}
	return s.myNewTicketRender(w, r, p, http.StatusOK, page)
}

func (s *Server) myNewTicketRender(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, page selfNewTicketPage) error {
	ctx := r.Context()
	lang := language(r)
	types, err := s.selfTicketTypes(ctx)
	if err != nil {
		return err
	}
	for _, t := range types {
		if selfTypeAllowed(t.Code) {
			page.Types = append(page.Types, selfTypeOption{Code: t.Code, Name: typeName(types, t.Code, lang)})
		}
	}
	pols, err := s.Self.Policies(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, pol := range pols {
		page.Policies = append(page.Policies, selfPolicyOption{Number: pol.Number, Product: selfPolicyRowOf(lang, pol).Product})
	}
	profile, err := s.Self.Profile(ctx, p.Actor)
	if err != nil {
		return err
	}
	v := s.newSelfView(r, p, profile.Name, "ticket_new", web.T(lang, "self.ticketnew.title"), page)
	if r.Method == http.MethodPost {
		v.Path = "/my/tickets/new"
	}
	return s.selfTicketsRender(w, status, v)
}

// myCreateTicket opens a request and goes to its page, which shows the
// number to quote. Every problem with the form is shown at once, next to
// its field, and nothing is created.
func (s *Server) myCreateTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := parseForm(r); err != nil {
		return err
	}
	ctx := r.Context()
	lang := language(r)
	f := r.PostForm
	// The type and the policy are codes, matched exactly against the
	// lists the form offered; only the free text is cleaned.
	page := selfNewTicketPage{Type: strings.TrimSpace(f.Get("type")), Policy: strings.TrimSpace(f.Get("policy")),
		Subject: formText(f.Get("subject")), Description: formText(f.Get("description"))}
	t := anxin.Ticket{Type: anxin.TicketType(page.Type), Subject: page.Subject, Description: strings.TrimSpace(page.Description), Language: lang}

	var problems anxin.Problems
	types, err := s.selfTicketTypes(ctx)
	if err != nil {
		return err
	}
	switch {
	case page.Type == "":
		problems.Add("type", "required", "choose what the request is about", "请选择请求类型")
	case !selfTypeAllowed(t.Type):
		problems.Add("type", "phone", web.T("en", "self.ticketnew.emergency"), web.T("zh", "self.ticketnew.emergency"))
	case !slices.ContainsFunc(types, func(d anxin.TicketTypeDef) bool { return d.Code == t.Type }):
		problems.Add("type", "enum", "choose one of the types listed", "请从列出的类型中选择")
	}
	if page.Policy != "" {
		// The policy must be one of the customer's, as the form listed
		// them; someone else's is answered like one that does not exist.
		pols, err := s.Self.Policies(ctx, p.Actor)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(pols, func(pol *service.SelfPolicy) bool { return pol.Number == page.Policy }) {
			problems.Add("policy", "unknown", "choose one of your policies", "请选择您名下的保单")
		} else if pol, err := s.svc.DB.GetPolicyByNumber(ctx, nil, page.Policy); err != nil {
			return err
		} else {
			t.PolicyID = pol.ID
		}
	}
	if err := problems.Err(); err != nil {
		// The form's other fields are checked too, so that one answer
		// names every problem.
		check := t
		check.CustomerID, check.Channel = p.Actor.ID, anxin.ChannelWebsite
		check.Normalize()
		page.Errors = fieldMessagesAs(r, err, nil)
		for field, msg := range fieldMessagesAs(r, check.Validate(), nil) {
			if _, ok := page.Errors[field]; !ok {
				page.Errors[field] = msg
			}
		}
		return s.myNewTicketRender(w, r, p, statusOf[anxin.EInvalid], page)
	}
	err = s.svc.CreateTicket(ctx, p.Actor, &t, service.CreateOptions{})
	if code := anxin.ErrorCode(err); code == anxin.EInvalid {
		page.Errors = fieldMessagesAs(r, err, map[string]string{"policy_id": "policy"})
		return s.myNewTicketRender(w, r, p, statusOf[code], page)
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/my/tickets/"+t.Number+"?done=created", http.StatusSeeOther)
	return nil
}

// ---- One request ----

// selfEvent is one entry of a request's public timeline, worded for the
// customer.
type selfEvent struct {
	At      time.Time
	Kind    anxin.EventKind
	Mine    bool   // said or done by the customer
	Who     string // who said or did it, as the customer may know them
	What    string // what happened
	Body    string
	Channel string
}

// selfChecklistItem is one document the request needs.
type selfChecklistItem struct {
	Code   string
	Name   string
	Status string
	Reason string
}

// selfDocument is one document the request received.
type selfDocument struct {
	Filename string
	Size     string
	Item     string
	At       time.Time
	Mine     bool
}

type selfTicketPage struct {
	Ticket      *anxin.Ticket
	Type        string
	Stage       anxin.Stage
	StageName   string
	Open        bool
	Waiting     bool
	Paused      bool // the clock stands still until the customer answers
	Resolved    bool
	OwnerName   string
	ExpectedBy  time.Time
	RespondBy   time.Time
	CreatedAt   time.Time
	Timeline    []selfEvent
	Checklist   []selfChecklistItem
	Outstanding int // checklist items missing or rejected
	Documents   []selfDocument
	Scores      []int
	MaxUploadMB int

	Done string // "created", "message", "document" or "rated" after a change
	// A form being corrected: what was typed and the errors by field
	// ("" for the form as a whole).
	Message      string
	MessageError map[string]string
	UploadItem   string
	UploadError  map[string]string
	Score        string
	Comment      string
	RateError    map[string]string
}

// selfDone are the confirmations ?done= may ask for.
var selfDone = map[string]bool{"created": true, "message": true, "document": true, "rated": true}

func (s *Server) myTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	page := selfTicketPage{}
	if v := r.URL.Query().Get("done"); selfDone[v] {
		page.Done = v
	}
	return s.myTicketRender(w, r, p, http.StatusOK, page)
}

// myTicketRender loads the request as its customer sees it and renders it
// with the state of its forms in page.
func (s *Server) myTicketRender(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, page selfTicketPage) error {
	ctx := r.Context()
	lang := language(r)
	t, err := s.selfTicketOf(r, p)
	if err != nil {
		return err
	}
	evs, err := s.svc.TicketTimeline(ctx, p.Actor, t.Number)
	if err != nil {
		return err
	}
	items, err := s.svc.Checklist(ctx, p.Actor, t.Number)
	if err != nil {
		return err
	}
	docs, err := s.svc.Attachments(ctx, p.Actor, t.Number)
	if err != nil {
		return err
	}
	types, err := s.selfTicketTypes(ctx)
	if err != nil {
		return err
	}
	profile, err := s.Self.Profile(ctx, p.Actor)
	if err != nil {
		return err
	}
	page.Ticket = t
	page.Type = typeName(types, t.Type, lang)
	page.Stage, page.StageName = t.Stage, anxin.StageName(t.Stage, lang)
	page.Open, page.Waiting, page.Resolved = t.Stage.Open(), t.Stage == anxin.StageWaiting, t.Stage == anxin.StageResolved
	page.Paused = page.Open && !t.PausedAt.IsZero()
	page.OwnerName = t.OwnerName
	page.ExpectedBy, page.RespondBy, page.CreatedAt = s.consoleTime(t.ResolutionDue), s.consoleTime(t.ResponseDue), s.consoleTime(t.CreatedAt)
	page.Scores = selfTicketScores
	page.MaxUploadMB = service.MaxAttachmentBytes >> 20
	itemNames := map[string]string{}
	for _, it := range items {
		name := it.Name
		if lang == "en" && it.NameEN != "" {
			name = it.NameEN
		}
		itemNames[it.Code] = name
		page.Checklist = append(page.Checklist, selfChecklistItem{Code: it.Code, Name: name, Status: it.Status, Reason: it.Reason})
		if it.Status != anxin.ItemReceived {
			page.Outstanding++
		}
	}
	for _, d := range docs {
		page.Documents = append(page.Documents, selfDocument{Filename: d.Filename, Size: fileSize(d.Size), Item: itemNames[d.ItemCode],
			At: s.consoleTime(d.At), Mine: strings.HasPrefix(d.UploadedBy, "customer:")})
	}
	for _, e := range evs {
		page.Timeline = append(page.Timeline, s.selfEventOf(lang, t, e))
	}
	v := s.newSelfView(r, p, profile.Name, "ticket", web.T(lang, "self.ticket.title", t.Number), page)
	if r.Method == http.MethodPost {
		v.Path = "/my/tickets/" + t.Number
	}
	return s.selfTicketsRender(w, status, v)
}

// selfEventOf words one timeline entry. Staff are named only when they
// are the request's owner, by the display name the customer was given;
// anyone else is "customer service".
func (s *Server) selfEventOf(lang string, t *anxin.Ticket, e anxin.TicketEvent) selfEvent {
	out := selfEvent{At: s.consoleTime(e.At), Kind: e.Kind, Body: e.Body}
	if e.Channel != "" && e.Channel != string(t.Channel) || e.Kind == anxin.EventCreated {
		out.Channel = channelName(anxin.Channel(e.Channel), lang)
	}
	switch {
	case e.Kind == anxin.EventMessageIn, e.ActorKind == "customer":
		out.Mine, out.Who = true, web.T(lang, "self.ticket.you")
	case e.ActorKind == "staff" && e.ActorID != "" && e.ActorID == t.OwnerID && t.OwnerName != "":
		out.Who = t.OwnerName
	default:
		out.Who = web.T(lang, "self.ticket.service")
	}
	key := "self.ticket.ev." + string(e.Kind)
	if web.T(lang, key) == key {
		key = "self.ticket.ev.other"
	}
	out.What = web.T(lang, key)
	switch e.Kind {
	case anxin.EventCreated:
		if out.Mine {
			out.What = web.T(lang, "self.ticket.ev.created.mine")
		}
	case anxin.EventDocument:
		if out.Mine {
			out.What = web.T(lang, "self.ticket.ev.document.mine")
		}
	case anxin.EventAssigned:
		// An assignment's body is internal routing; the customer learns
		// that someone is on it, and who when the owner took it.
		out.Body = ""
		if e.ActorID != "" && e.ActorID == t.OwnerID && t.OwnerName != "" {
			out.What = web.T(lang, "self.ticket.ev.assigned.owner")
		}
	case anxin.EventSatisfaction:
		if t.Satisfaction > 0 {
			out.What = web.T(lang, "self.ticket.ev.satisfaction.score", t.Satisfaction)
		}
	}
	return out
}

// channelName is a channel's name in lang.
func channelName(c anxin.Channel, lang string) string {
	for _, x := range anxin.Channels {
		if x.Channel == c {
			if lang == "en" {
				return x.NameEN
			}
			return x.Name
		}
	}
	return ""
}

// fileSize is a size as people read it: 812 KB, 2.4 MB.
func fileSize(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatInt((n+1<<9)>>10, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
}

// myTicketMessage adds the customer's message. A waiting request resumes
// and a resolved one reopens (the service decides).
func (s *Server) myTicketMessage(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// Another customer's request answers 404 before its input is read.
	t, err := s.selfTicketOf(r, p)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	body := formText(r.PostForm.Get("body"))
	_, err = s.svc.AddMessage(r.Context(), p.Actor, t.Number, service.MessageIn, body, anxin.ChannelWebsite)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EConflict:
		page := selfTicketPage{Message: body, MessageError: fieldMessagesAs(r, err, nil)}
		return s.myTicketRender(w, r, p, statusOf[code], page)
	default:
		return err
	}
	http.Redirect(w, r, "/my/tickets/"+t.Number+"?done=message#messages", http.StatusSeeOther)
	return nil
}

// myTicketAttachment takes a document from an upload form.
//
// The route is Public only because the route wrapper looks for the CSRF
// token in a header or a url-encoded form, and a form carrying a file is
// multipart: the customer's session and the token are checked here
// instead, and a request without them changes nothing.
func (s *Server) myTicketAttachment(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	p := s.customerPrincipal(r)
	if p == nil {
		return anxin.Errorz(anxin.EUnauthorized, "please sign in with your mobile number", "请先使用手机号登录")
	}
	ctx := r.Context()
	// Another customer's request answers 404 before its input is read.
	t, err := s.selfTicketOf(r, p)
	if err != nil {
		return err
	}
	name, item, data, uerr := readUpload(r)
	page := selfTicketPage{UploadItem: item}
	if uerr != nil {
		// Nothing changes on this path, so it needs no token: the form is
		// shown again with what was wrong with the file.
		page.UploadError = fieldMessagesAs(r, uerr, nil)
		return s.myTicketRender(w, r, p, statusOf[anxin.ErrorCode(uerr)], page)
	}
	if !uploadCSRFOK(r, p.CSRFToken) {
		return errFormExpired()
	}
	if item != "" {
		// An item not on the checklist is a mistake in the form, not a
		// missing page.
		items, err := s.svc.Checklist(ctx, p.Actor, t.Number)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(items, func(it anxin.ChecklistItem) bool { return it.Code == item }) {
			page.UploadError = fieldMessagesAs(r, fieldErr("item_code", "unknown", "choose a document from the list", "请从清单中选择材料"), nil)
			return s.myTicketRender(w, r, p, http.StatusUnprocessableEntity, page)
		}
	}
	_, err = s.svc.AddAttachment(ctx, p.Actor, t.Number, formText(name), item, data)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EConflict:
		page.UploadError = fieldMessagesAs(r, err, map[string]string{"filename": "file", "code": "item_code"})
		return s.myTicketRender(w, r, p, statusOf[code], page)
	default:
		return err
	}
	http.Redirect(w, r, "/my/tickets/"+t.Number+"?done=document#documents", http.StatusSeeOther)
	return nil
}

// uploadCSRFOK checks the session's token on an upload: from the header a
// script would send, or from the multipart form's csrf_token field.
func uploadCSRFOK(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && r.MultipartForm != nil {
		if vs := r.MultipartForm.Value["csrf_token"]; len(vs) == 1 {
			got = vs[0]
		}
	}
	return want != "" && got != "" && constantTimeEqual(got, want)
}

// myTicketRate records the customer's satisfaction with a resolved
// request, which closes it.
func (s *Server) myTicketRate(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// Another customer's request answers 404 before its input is read.
	t, err := s.selfTicketOf(r, p)
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	page := selfTicketPage{Score: formText(strings.TrimSpace(r.PostForm.Get("score"))), Comment: formText(r.PostForm.Get("comment"))}
	score, convErr := strconv.Atoi(page.Score)
	if convErr != nil {
		score = 0 // out of range: the service names the field
	}
	_, err = s.svc.RateTicket(r.Context(), p.Actor, t.Number, score, page.Comment)
	switch code := anxin.ErrorCode(err); code {
	case "":
	case anxin.EInvalid, anxin.EConflict:
		page.RateError = fieldMessagesAs(r, err, nil)
		if page.Score == "" && isField(err, "score") {
			page.RateError["score"] = web.T(language(r), "self.ticket.rate.choose")
		}
		return s.myTicketRender(w, r, p, statusOf[code], page)
	default:
		return err
	}
	http.Redirect(w, r, "/my/tickets/"+t.Number+"?done=rated#rating", http.StatusSeeOther)
	return nil
}
