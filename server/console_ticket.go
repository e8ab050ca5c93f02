package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
	"github.com/anxin-insure/anxin/web"
)

// consoleTicketRoutes are the ticket pages of the staff console: the queues
// and notifications, the phone intake form, one ticket with everything done
// to it, and the agents' roster. Each route needs the permission its
// counterpart in the ticket API needs; the service checks the rest (who may
// hand over whose ticket, whose availability one may change).
func (s *Server) consoleTicketRoutes() []Route {
	page := func(method, path string, perm anxin.Permission, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: Staff, Permission: perm, Summary: summary, handle: h}
	}
	upload := page("POST", "/tickets/{number}/attachments", anxin.PermTicketWrite, "Attach a document to a ticket (multipart field file)", s.consoleTicketUpload)
	upload.MaxBody = maxUploadBytes
	return []Route{
		page("GET", "/tickets", anxin.PermTicketRead, "Ticket queues with filters, and the staff member's notifications", s.consoleTickets),
		page("GET", "/tickets/new", anxin.PermTicketWrite, "The intake form for a request taken on the phone or at the counter", s.consoleNewTicket),
		page("POST", "/tickets", anxin.PermTicketWrite, "Open a ticket from the intake form", s.consoleCreateTicket),
		page("GET", "/tickets/{number}", anxin.PermTicketRead, "A ticket: owner, SLA clock, timeline, checklist, documents and notices", s.consoleTicket),
		page("POST", "/tickets/{number}/stage", anxin.PermTicketWrite, "Move a ticket to another stage", s.consoleTicketAct("stage", s.consoleMove)),
		page("POST", "/tickets/{number}/messages", anxin.PermTicketWrite, "Reply to the customer, add an internal note or record the customer's message", s.consoleTicketAct("message", s.consoleMessage)),
		page("POST", "/tickets/{number}/calls", anxin.PermTicketWrite, "Log a phone call on a ticket", s.consoleTicketAct("call", s.consoleCall)),
		page("POST", "/tickets/{number}/checklist/{code}", anxin.PermTicketWrite, "Mark a document received, missing or rejected", s.consoleChecklistItem),
		page("POST", "/tickets/{number}/notify-missing", anxin.PermTicketWrite, "Tell the customer every missing document in one notice", s.consoleTicketAct("missing", s.consoleNotifyMissing)),
		upload,
		page("GET", "/tickets/{number}/attachments/{id}", anxin.PermTicketRead, "Download a ticket's document (audited)", s.consoleAttachment),
		page("POST", "/tickets/{number}/transfer", anxin.PermTicketWrite, "Hand a ticket to a colleague, with a reason", s.consoleTicketAct("transfer", s.consoleTransfer)),
		page("POST", "/tickets/{number}/collaborators", anxin.PermTicketWrite, "Add a colleague to a ticket", s.consoleTicketAct("collaborator", s.consoleCollaborator)),
		page("POST", "/tickets/{number}/take", anxin.PermTicketWrite, "Take an unassigned ticket", s.consoleTicketAct("take", s.consoleTake)),
		page("POST", "/notifications/read", anxin.PermTicketRead, "Mark one's ticket notifications read", s.consoleNotificationsRead),
		page("GET", "/agents", anxin.PermTicketRead, "Agents by team: skills, capacity, load, shift and availability", s.consoleAgents),
		page("POST", "/agents/me/availability", anxin.PermTicketWrite, "Set one's own availability: available, away or off", s.consoleAvailability),
		page("POST", "/agents/{staff_id}", anxin.PermTicketAssign, "Change an agent's team, skills, capacity, shift and availability", s.consolePutAgent),
	}
}

// consoleTicketsPerPage keeps a page of a queue on one screen.
const consoleTicketsPerPage = 25

// consoleQueues are the queue tabs, in the order shown; "all" is every
// ticket, newest first.
var consoleQueues = []string{"mine", "team", "due_soon", "breached", "unassigned", "all"}

// consoleTiers are the customer tiers a queue filters by.
var consoleTiers = []anxin.Tier{anxin.TierDiamond, anxin.TierGold, anxin.TierSilver, anxin.TierOrdinary}

// ticketLabels names, in the request's language, what the ticket pages show
// by code: stages, channels and urgencies from the domain, ticket types,
// routing rules and SLA policies from the configuration in force, teams and
// staff from the roster. Templates call its methods.
type ticketLabels struct {
	lang  string
	now   time.Time
	loc   *time.Location
	types []anxin.TicketTypeDef
	teams map[string]store.Team
	names map[string]string // staff id → display name
	rules map[string]string // routing rule code → name
	sla   map[string]anxin.SLAPolicy
}

// consoleLabels loads what the labels need: the configuration (cached by
// the service), the teams and the agents.
func (s *Server) consoleLabels(r *http.Request, p *service.Principal) (*ticketLabels, []store.Agent, error) {
	ctx := r.Context()
	l := &ticketLabels{lang: language(r), now: s.svc.Now(), loc: s.svc.Calendar.Location(),
		teams: map[string]store.Team{}, names: map[string]string{}, rules: map[string]string{}, sla: map[string]anxin.SLAPolicy{}}
	cfg, err := s.svc.TicketConfiguration(ctx, p.Actor)
	if err != nil {
		return nil, nil, err
	}
	l.types = cfg.Types
	for _, rule := range cfg.Routing {
		l.rules[rule.Code] = rule.Name
	}
	for _, pol := range cfg.SLA {
		l.sla[pol.Code] = pol
	}
	teams, err := s.svc.Teams(ctx, p.Actor)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range teams {
		l.teams[t.Code] = t
	}
	agents, err := s.svc.Agents(ctx, p.Actor, "")
	if err != nil {
		return nil, nil, err
	}
	for _, a := range agents {
		l.names[a.StaffID] = a.DisplayName
	}
	return l, agents, nil
}

// learnNames looks up the names of staff who are not agents (an administrator
// who took a call, a supervisor added to a ticket).
func (s *Server) learnNames(r *http.Request, l *ticketLabels, ids ...string) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, ok := l.names[id]; ok {
			continue
		}
		st, err := s.svc.DB.GetStaff(r.Context(), nil, id)
		if err != nil {
			l.names[id] = ""
			continue
		}
		l.names[id] = cmpOr(st.DisplayName, st.Username)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Stage is a stage's name.
func (l *ticketLabels) Stage(s anxin.Stage) string { return anxin.StageName(s, l.lang) }

// Channel is an intake channel's name.
func (l *ticketLabels) Channel(c anxin.Channel) string {
	for _, x := range anxin.Channels {
		if x.Channel == c {
			if l.lang == "en" {
				return x.NameEN
			}
			return x.Name
		}
	}
	if c == "" {
		return "—"
	}
	return string(c)
}

// TypeList is the configured ticket types, in their order.
func (l *ticketLabels) TypeList() []anxin.TicketTypeDef { return l.types }

// Type is a ticket type's configured name.
func (l *ticketLabels) Type(t anxin.TicketType) string {
	for _, d := range l.types {
		if d.Code == t {
			if l.lang == "en" && d.NameEN != "" {
				return d.NameEN
			}
			return d.Name
		}
	}
	return string(t)
}

// Team is a team's name, or its code when it is not (or no longer) set up.
func (l *ticketLabels) Team(code string) string {
	if code == "" {
		return "—"
	}
	if t, ok := l.teams[code]; ok {
		if l.lang == "en" && t.NameEN != "" {
			return t.NameEN
		}
		return cmpOr(t.Name, code)
	}
	return code
}

// Staff is a staff member's display name.
func (l *ticketLabels) Staff(id string) string {
	if id == "" {
		return web.T(l.lang, "ticket.unassigned")
	}
	return cmpOr(l.names[id], id)
}

// Rule is a routing rule's name.
func (l *ticketLabels) Rule(code string) string {
	if code == "" {
		return web.T(l.lang, "ticket.rule.none")
	}
	return cmpOr(l.rules[code], code)
}

// SLA is an SLA policy's name.
func (l *ticketLabels) SLA(code string) string {
	pol, ok := l.sla[code]
	if !ok {
		return code
	}
	if l.lang == "en" && pol.NameEN != "" {
		return pol.NameEN
	}
	return pol.Name
}

// Item is a checklist item's name.
func (l *ticketLabels) Item(it anxin.ChecklistItem) string {
	if l.lang == "en" && it.NameEN != "" {
		return it.NameEN
	}
	return it.Name
}

// Time is an instant in Beijing time (the calendar's zone).
func (l *ticketLabels) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return web.DateTime(t.In(l.loc))
}

// Span is a duration as people say it: "2 天 3 小时", "3h 20m".
func (l *ticketLabels) Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	m := int64(d / time.Minute)
	days, hours, mins := m/(24*60), m/60%24, m%60
	switch {
	case days > 0:
		return web.T(l.lang, "span.days", days, hours)
	case hours > 0:
		return web.T(l.lang, "span.hours", hours, mins)
	}
	return web.T(l.lang, "span.minutes", mins)
}

// Size is a file size: 850 B, 12.5 KB, 3.2 MB.
func (l *ticketLabels) Size(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1024*1024:
		return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MB"
}

// consoleDue is a deadline and where the ticket stands against it.
type consoleDue struct {
	At    string // the deadline in Beijing time
	Text  string // 剩余 3 小时 / 超时 2 天 / 计时暂停 / 已办结
	Class string // due-ok, due-soon, due-late, due-paused, due-done
}

// Due is the resolution deadline of a ticket with its badge, short enough
// for a row of a list.
func (l *ticketLabels) Due(t *anxin.Ticket) consoleDue {
	d := l.due(t, t.ResolutionDue, t.ResolvedAt)
	if !t.ResolvedAt.IsZero() {
		d.Text = web.T(l.lang, "due.closed")
		if d.Class == "due-late" {
			d.Text = web.T(l.lang, "due.closed.late")
		}
	}
	return d
}

// due measures one deadline; met is when the target was met (responded or
// resolved), zero while it is still owed.
func (l *ticketLabels) due(t *anxin.Ticket, deadline, met time.Time) consoleDue {
	d := consoleDue{At: l.Time(deadline)}
	switch {
	case !met.IsZero():
		if met.After(deadline) {
			d.Text, d.Class = web.T(l.lang, "due.met.late", l.Time(met)), "due-late"
		} else {
			d.Text, d.Class = web.T(l.lang, "due.met", l.Time(met)), "due-done"
		}
	case !t.Stage.Open():
		d.Text, d.Class = web.T(l.lang, "due.closed"), "due-done"
	case !t.PausedAt.IsZero():
		d.Text, d.Class = web.T(l.lang, "due.paused"), "due-paused"
	case !l.now.Before(deadline):
		d.Text, d.Class = web.T(l.lang, "due.overdue", l.Span(l.now.Sub(deadline))), "due-late"
	case deadline.Sub(l.now) <= service.DueSoonWindow:
		d.Text, d.Class = web.T(l.lang, "due.left", l.Span(deadline.Sub(l.now))), "due-soon"
	default:
		d.Text, d.Class = web.T(l.lang, "due.left", l.Span(deadline.Sub(l.now))), "due-ok"
	}
	return d
}

// consoleTicketRow is a ticket in a list.
type consoleTicketRow struct {
	*anxin.Ticket
	Due consoleDue
}

// consoleNotification is one of the staff member's notifications.
type consoleNotification struct {
	Number  string
	Kind    string
	Message string
	At      string
	Read    bool
}

type consoleQueueTab struct {
	Code    string
	URL     string
	Current bool
}

// consoleTicketFilter is the list's filters; every value is checked
// against its catalogue before it reaches a query.
type consoleTicketFilter struct {
	Queue      string
	Type       string
	Channel    string
	Urgency    string
	Tier       string
	CustomerID string
}

func (f consoleTicketFilter) url(queue, cursor string) string {
	v := url.Values{}
	v.Set("queue", queue)
	for k, val := range map[string]string{"type": f.Type, "channel": f.Channel, "urgency": f.Urgency, "tier": f.Tier, "customer_id": f.CustomerID, "cursor": cursor} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return "/tickets?" + v.Encode()
}

type consoleTicketsPage struct {
	L             *ticketLabels
	Filter        consoleTicketFilter
	Queues        []consoleQueueTab
	Channels      []anxin.Channel
	Urgencies     []anxin.Urgency
	Tiers         []anxin.Tier
	Tickets       []consoleTicketRow
	QueueError    string
	NextURL       string
	FirstURL      string
	Notifications []consoleNotification
	Unread        int
	CanWrite      bool
	Intake        *consoleIntakePage // set for /tickets/new, which shares the template
}

// consoleTickets lists a queue. htmx asks for the list alone when a filter
// changes; the same URL without htmx is the whole page.
func (s *Server) consoleTickets(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ctx := r.Context()
	q := r.URL.Query()
	l, _, err := s.consoleLabels(r, p)
	if err != nil {
		return err
	}
	f := consoleTicketFilter{Queue: q.Get("queue"), Type: q.Get("type"), Channel: q.Get("channel"), Urgency: q.Get("urgency"),
		Tier: q.Get("tier"), CustomerID: q.Get("customer_id")}
	if f.Queue == "" {
		f.Queue = "mine"
	}
	var pr anxin.Problems
	if !consoleClean(f.CustomerID) {
		pr.Add("customer_id", "format", "is not a customer ID", "不是客户编号")
	}
	if !slices.Contains(consoleQueues, f.Queue) {
		pr.Add("queue", "enum", "must be mine, team, due_soon, breached, unassigned or all", "须为 mine、team、due_soon、breached、unassigned 或 all")
	}
	if f.Type != "" && !slices.ContainsFunc(l.types, func(d anxin.TicketTypeDef) bool { return string(d.Code) == f.Type }) {
		pr.Add("type", "enum", "is not a configured ticket type", "不是已配置的工单类型")
	}
	if f.Channel != "" && !anxin.ValidChannel(anxin.Channel(f.Channel)) {
		pr.Add("channel", "enum", "is not a known channel", "不是已知的渠道")
	}
	if f.Urgency != "" && anxin.Urgency(f.Urgency).Rank() < 0 {
		pr.Add("urgency", "enum", "must be low, normal, high or urgent", "须为 low、normal、high 或 urgent")
	}
	if f.Tier != "" && !slices.Contains(consoleTiers, anxin.Tier(f.Tier)) {
		pr.Add("tier", "enum", "is not a customer tier", "不是客户等级")
	}
	var after string
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			pr.Add("cursor", "format", "is not a cursor this page returned", "不是本页面返回的翻页位置")
		}
		after = string(b)
	}
	if err := pr.Err(); err != nil {
		return err
	}
	tf := anxin.TicketFilter{Type: anxin.TicketType(f.Type), Channel: anxin.Channel(f.Channel), Urgency: anxin.Urgency(f.Urgency),
		Tier: anxin.Tier(f.Tier), CustomerID: f.CustomerID, After: after, Limit: consoleTicketsPerPage + 1}
	if f.Queue != "all" {
		tf.Queue = f.Queue
	}
	page := consoleTicketsPage{L: l, Filter: f, Channels: consoleChannels(), Urgencies: anxin.Urgencies, Tiers: consoleTiers,
		CanWrite: p.Actor.Can(anxin.PermTicketWrite)}
	for _, code := range consoleQueues {
		page.Queues = append(page.Queues, consoleQueueTab{Code: code, URL: f.url(code, ""), Current: code == f.Queue})
	}
	ts, err := s.svc.FindTickets(ctx, p.Actor, tf)
	switch {
	case anxin.ErrorCode(err) == anxin.EInvalid:
		// "You are not in a team" belongs on the tab, not on an error page.
		page.QueueError = asAppError(err).Localized(l.lang)
	case err != nil:
		return err
	}
	if len(ts) > consoleTicketsPerPage {
		ts = ts[:consoleTicketsPerPage]
		last := ts[len(ts)-1]
		page.NextURL = f.url(f.Queue, base64.RawURLEncoding.EncodeToString([]byte(store.TicketCursor(last, tf.Queue != ""))))
	}
	if after != "" {
		page.FirstURL = f.url(f.Queue, "")
	}
	page.Tickets = l.rows(ts)
	if consoleFragment(r) {
		return s.consoleRender(w, r, http.StatusOK, "tickets", "ticketlist", s.newConsoleView(r, p, "tickets", "", page))
	}
	if page.Notifications, page.Unread, err = s.consoleNotifications(r, p, l); err != nil {
		return err
	}
	return s.consoleRender(w, r, http.StatusOK, "tickets", "layout", s.newConsoleView(r, p, "tickets", web.T(l.lang, "tickets.title"), page))
}

func (l *ticketLabels) rows(ts []*anxin.Ticket) []consoleTicketRow {
	rows := make([]consoleTicketRow, len(ts))
	for i, t := range ts {
		rows[i] = consoleTicketRow{Ticket: t, Due: l.Due(t)}
	}
	return rows
}

func consoleChannels() []anxin.Channel {
	out := make([]anxin.Channel, len(anxin.Channels))
	for i, c := range anxin.Channels {
		out[i] = c.Channel
	}
	return out
}

// consoleNotifications are the staff member's latest notifications and how
// many of them are unread.
func (s *Server) consoleNotifications(r *http.Request, p *service.Principal, l *ticketLabels) ([]consoleNotification, int, error) {
	ns, err := s.svc.Notifications(r.Context(), p.Actor, false)
	if err != nil {
		return nil, 0, err
	}
	out := make([]consoleNotification, 0, len(ns))
	unread := 0
	for _, n := range ns {
		msg := n.Message
		if l.lang == "en" && n.MessageEN != "" {
			msg = n.MessageEN
		}
		if !n.Read {
			unread++
		}
		out = append(out, consoleNotification{Number: n.Number, Kind: n.Kind, Message: msg, At: l.Time(n.At), Read: n.Read})
	}
	return out, unread, nil
}

// consoleUnread counts the unread notifications for the nav badge; a
// failure shows no badge rather than failing the page.
func (s *Server) consoleUnread(r *http.Request, p *service.Principal) int {
	ns, err := s.svc.Notifications(r.Context(), p.Actor, true)
	if err != nil {
		return 0
	}
	return len(ns)
}

// consoleNotificationsRead marks the notifications read: htmx gets the
// emptied box, a plain form goes back to the queues.
func (s *Server) consoleNotificationsRead(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := s.svc.MarkNotificationsRead(r.Context(), p.Actor); err != nil {
		return err
	}
	if consoleFragment(r) {
		l := &ticketLabels{lang: language(r), loc: s.svc.Calendar.Location(), now: s.svc.Now()}
		ns, unread, err := s.consoleNotifications(r, p, l)
		if err != nil {
			return err
		}
		page := consoleTicketsPage{L: l, Notifications: ns, Unread: unread}
		return s.consoleRender(w, r, http.StatusOK, "tickets", "notifications", s.newConsoleView(r, p, "tickets", "", page))
	}
	http.Redirect(w, r, "/tickets", http.StatusSeeOther)
	return nil
}

// consoleIntakeForm is what the intake form holds, sent back with the
// errors when it does not validate.
type consoleIntakeForm struct {
	CustomerID    string
	PolicyID      string
	Type          string
	Channel       string
	Urgency       string
	Language      string
	Subject       string
	Description   string
	VerifyMethod  string
	VerifyResult  string
	ContactName   string
	ContactMobile string
	ContactEmail  string
	AssignToMe    bool
}

// consolePolicyOption is one of the customer's policies in the intake form.
type consolePolicyOption struct {
	ID, Number, Product string
}

type consoleIntakePage struct {
	Query     string
	Matches   []*anxin.Customer
	Searched  bool
	Customer  *anxin.Customer
	Policies  []consolePolicyOption
	CanPolicy bool
	Form      consoleIntakeForm
	Errors    map[string]string
	Error     string
	Methods   []string
	Results   []string
}

// consoleNewTicket is the intake form. The customer comes from a search on
// the same page or from ?customer_id= (the customer page's "new ticket").
func (s *Server) consoleNewTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	if err := consoleCleanForm(q); err != nil {
		return err
	}
	form := consoleIntakeForm{CustomerID: q.Get("customer_id"), Channel: string(anxin.ChannelPhone), Urgency: string(anxin.UrgencyNormal),
		Language: "zh", VerifyMethod: "none", VerifyResult: "not_verified"}
	return s.consoleIntake(w, r, p, http.StatusOK, form, nil)
}

func (s *Server) consoleIntake(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, form consoleIntakeForm, failure error) error {
	ctx := r.Context()
	l, _, err := s.consoleLabels(r, p)
	if err != nil {
		return err
	}
	in := &consoleIntakePage{Form: form, Methods: anxin.VerificationMethods, Results: anxin.VerificationResults,
		CanPolicy: p.Actor.Can(anxin.PermPolicyRead)}
	in.Errors, in.Error = consoleFailure(l.lang, failure)
	if r.Method == http.MethodGet {
		in.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	}
	if in.Query != "" && p.Actor.Can(anxin.PermCustomerRead) {
		in.Searched = true
		if in.Matches, err = s.svc.FindCustomers(ctx, p.Actor, anxin.CustomerFilter{Query: in.Query, Limit: 10}); err != nil {
			return err
		}
	}
	page := consoleTicketsPage{L: l, Channels: consoleChannels(), Urgencies: anxin.Urgencies, Intake: in}
	if consoleFragment(r) && in.Searched {
		return s.consoleRender(w, r, http.StatusOK, "tickets", "custpick", s.newConsoleView(r, p, "tickets", "", page))
	}
	if form.CustomerID != "" && p.Actor.Can(anxin.PermCustomerRead) {
		c, err := s.svc.Customer(ctx, p.Actor, form.CustomerID)
		switch {
		case anxin.ErrorCode(err) == anxin.ENotFound:
			if in.Errors == nil {
				in.Errors = map[string]string{}
			}
			in.Errors["customer_id"] = web.T(l.lang, "intake.customer.unknown")
			in.Form.CustomerID = ""
		case err != nil:
			return err
		default:
			in.Customer = c
		}
	}
	if in.Customer != nil && in.CanPolicy {
		pols, err := s.consoleCustomerPolicies(r, p, in.Customer.ID)
		if err != nil {
			return err
		}
		names, err := s.consoleProductNames(r, p)
		if err != nil {
			return err
		}
		for _, pol := range pols {
			in.Policies = append(in.Policies, consolePolicyOption{ID: pol.ID, Number: pol.Number, Product: cmpOr(names[pol.ProductCode], pol.ProductCode)})
		}
	}
	return s.consoleRender(w, r, status, "tickets", "layout", s.newConsoleView(r, p, "tickets", web.T(l.lang, "intake.title"), page))
}

// consoleFailure splits an error the user can correct into messages per
// field and one for the whole form, in lang.
func consoleFailure(lang string, err error) (map[string]string, string) {
	if err == nil {
		return nil, ""
	}
	e := asAppError(err)
	fields := map[string]string{}
	for _, f := range e.Fields {
		msg := f.Message
		if isZH(lang) {
			msg = f.MessageZH
		}
		if prev, ok := fields[f.Field]; ok {
			msg = prev + "；" + msg
		}
		fields[f.Field] = msg
	}
	general := ""
	if e.Code != anxin.EInvalid || len(fields) == 0 {
		general = e.Localized(lang)
	}
	return fields, general
}

// consoleCreateTicket opens the ticket and goes to it. A form that does not
// validate comes back with each error beside its field, and nothing is
// created.
func (s *Server) consoleCreateTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := r.ParseForm(); err != nil {
		return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
	}
	if err := consoleCleanForm(r.PostForm); err != nil {
		return err
	}
	v := r.PostForm
	form := consoleIntakeForm{CustomerID: strings.TrimSpace(v.Get("customer_id")), PolicyID: v.Get("policy_id"), Type: v.Get("type"),
		Channel: v.Get("channel"), Urgency: v.Get("urgency"), Language: v.Get("language"), Subject: v.Get("subject"),
		Description: v.Get("description"), VerifyMethod: v.Get("verification.method"), VerifyResult: v.Get("verification.result"),
		ContactName: strings.TrimSpace(v.Get("contact.name")), ContactMobile: v.Get("contact.mobile"), ContactEmail: v.Get("contact.email"),
		AssignToMe: v.Get("assign_to_me") != ""}
	t := &anxin.Ticket{Type: anxin.TicketType(form.Type), Channel: anxin.Channel(form.Channel), Urgency: anxin.Urgency(form.Urgency),
		Language: form.Language, Subject: form.Subject, Description: strings.TrimSpace(form.Description), CustomerID: form.CustomerID,
		PolicyID: form.PolicyID, Contact: anxin.Contact{Name: form.ContactName, Mobile: form.ContactMobile, Email: form.ContactEmail},
		Verification: anxin.Verification{Method: form.VerifyMethod, Result: form.VerifyResult}}
	err := s.svc.CreateTicket(r.Context(), p.Actor, t, service.CreateOptions{AssignToMe: form.AssignToMe})
	if anxin.ErrorCode(err) == anxin.EInvalid {
		return s.consoleIntake(w, r, p, http.StatusUnprocessableEntity, form, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/tickets/"+url.PathEscape(t.Number)+"?done=created", http.StatusSeeOther)
	return nil
}

// consoleSLA is a ticket's clock as the header shows it.
type consoleSLA struct {
	Policy         string
	Response       consoleDue
	Resolution     consoleDue
	Paused         bool
	PausedSince    string
	PausedTotal    string
	ResponseBreach bool
	ResolveBreach  bool
	Provisional    bool
}

// consoleEvent is one entry of a timeline, labelled in the user's language.
type consoleEvent struct {
	At       string
	Number   string
	Kind     string
	Label    string
	Actor    string
	Channel  string
	Body     string
	Detail   string
	Internal bool
}

// consoleNotice is a notice sent (or queued) to the customer.
type consoleNotice struct {
	*store.Notice
	Created, Sent string
}

// consoleTicketPage is the ticket page. Form names the form whose action
// failed: its errors and its input are shown again beside it.
type consoleTicketPage struct {
	L              *ticketLabels
	T              *anxin.Ticket
	Customer       *anxin.Customer
	PolicyNumber   string
	SLA            consoleSLA
	Next           []anxin.Stage
	Open           bool
	CanWrite       bool
	CanTake        bool
	Timeline       []consoleEvent
	Checklist      []anxin.ChecklistItem
	Missing        int
	Attachments    []anxin.Attachment
	Notices        []consoleNotice
	Agents         []store.Agent
	Collaborators  []string
	Verification   string
	VerifiedBy     string
	VerifiedAt     string
	Channels       []anxin.Channel
	Done           string
	Form           string
	Errors         map[string]string
	Error          string
	Input          url.Values
	MessageKinds   []string
	CallDirections []string
	ItemStatuses   []string
}

// Err is the error of field in form, if that form failed.
func (pg *consoleTicketPage) Err(form, field string) string {
	if pg.Form != form {
		return ""
	}
	return pg.Errors[field]
}

// Failed is the form-wide error of form, if that form failed.
func (pg *consoleTicketPage) Failed(form string) string {
	if pg.Form != form {
		return ""
	}
	return pg.Error
}

// Val is what the user had entered in field of form, if that form failed.
func (pg *consoleTicketPage) Val(form, field string) string {
	if pg.Form != form {
		return ""
	}
	return pg.Input.Get(field)
}

// consoleDoneMessages are the confirmations ?done= may ask for.
var consoleDoneMessages = []string{"created", "stage", "message", "call", "checklist", "missing", "upload", "transfer", "collaborator", "take"}

func (s *Server) consoleTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	number, err := consoleTicketRef(r)
	if err != nil {
		return err
	}
	pg := &consoleTicketPage{}
	if d := r.URL.Query().Get("done"); slices.Contains(consoleDoneMessages, d) {
		pg.Done = d
	}
	return s.consoleTicketView(w, r, p, number, http.StatusOK, pg)
}

// consoleTicketView loads everything the ticket page shows into pg and
// renders it with status.
func (s *Server) consoleTicketView(w http.ResponseWriter, r *http.Request, p *service.Principal, number string, status int, pg *consoleTicketPage) error {
	ctx := r.Context()
	t, err := s.svc.Ticket(ctx, p.Actor, number)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return anxin.Errorz(anxin.ENotFound, "there is no ticket with this number", "没有该工单（工单号不存在）")
	} else if err != nil {
		return err
	}
	l, agents, err := s.consoleLabels(r, p)
	if err != nil {
		return err
	}
	evs, err := s.svc.TicketTimeline(ctx, p.Actor, t.Number)
	if err != nil {
		return err
	}
	if pg.Checklist, err = s.svc.Checklist(ctx, p.Actor, t.Number); err != nil {
		return err
	}
	if pg.Attachments, err = s.svc.Attachments(ctx, p.Actor, t.Number); err != nil {
		return err
	}
	notices, err := s.svc.TicketNotices(ctx, p.Actor, t.Number)
	if err != nil {
		return err
	}
	ids := append([]string{t.OwnerID, t.ReceivedBy}, t.Collaborators...)
	for _, e := range evs {
		if e.ActorKind == "staff" {
			ids = append(ids, e.ActorID)
		}
		for _, k := range []string{"owner_id", "staff_id"} {
			if id, ok := e.Data[k].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	s.learnNames(r, l, ids...)

	pg.L, pg.T, pg.Agents, pg.Channels = l, t, agents, consoleChannels()
	pg.Open = t.Stage.Open()
	pg.Next = anxin.NextStages(t.Stage)
	pg.CanWrite = p.Actor.Can(anxin.PermTicketWrite)
	pg.CanTake = pg.CanWrite && pg.Open && t.OwnerID == ""
	pg.MessageKinds = []string{service.MessageReply, service.MessageNote, service.MessageIn}
	pg.CallDirections = []string{"inbound", "outbound"}
	pg.ItemStatuses = []string{anxin.ItemReceived, anxin.ItemMissing, anxin.ItemRejected}
	for _, id := range t.Collaborators {
		pg.Collaborators = append(pg.Collaborators, l.Staff(id))
	}
	pg.SLA = consoleSLA{Policy: l.SLA(t.SLAPolicy), Response: l.due(t, t.ResponseDue, t.RespondedAt), Resolution: l.due(t, t.ResolutionDue, t.ResolvedAt),
		Paused: !t.PausedAt.IsZero(), ResponseBreach: t.ResponseBreach, ResolveBreach: t.ResolveBreach, Provisional: t.Provisional}
	if pg.SLA.Paused {
		pg.SLA.PausedSince = l.Time(t.PausedAt)
	}
	if t.PausedSeconds > 0 {
		pg.SLA.PausedTotal = l.Span(time.Duration(t.PausedSeconds) * time.Second)
	}
	v := t.Verification
	pg.Verification = web.Enum(l.lang, "verify.method", v.Method) + " · " + web.Enum(l.lang, "verify.result", v.Result)
	pg.VerifiedBy, pg.VerifiedAt = v.By, l.Time(v.At)
	items := map[string]anxin.ChecklistItem{}
	for _, it := range pg.Checklist {
		items[it.Code] = it
		if it.Status != anxin.ItemReceived {
			pg.Missing++
		}
	}
	for _, e := range evs {
		pg.Timeline = append(pg.Timeline, l.event(e, items))
	}
	for _, n := range notices {
		pg.Notices = append(pg.Notices, consoleNotice{Notice: n, Created: l.Time(n.CreatedAt), Sent: l.Time(n.SentAt)})
	}
	if t.CustomerID != "" && p.Actor.Can(anxin.PermCustomerRead) {
		c, err := s.svc.Customer(ctx, p.Actor, t.CustomerID)
		if err != nil && anxin.ErrorCode(err) != anxin.ENotFound {
			return err
		}
		pg.Customer = c
	}
	if t.PolicyID != "" && t.CustomerID != "" && p.Actor.Can(anxin.PermPolicyRead) {
		pols, err := s.consoleCustomerPolicies(r, p, t.CustomerID)
		if err != nil {
			return err
		}
		for _, pol := range pols {
			if pol.ID == t.PolicyID {
				pg.PolicyNumber = pol.Number
			}
		}
	}
	return s.consoleRender(w, r, status, "ticket", "layout", s.newConsoleView(r, p, "tickets", t.Number+" "+t.Subject, pg))
}

// event labels one timeline entry. The data each kind carries is described
// where the service writes it; a value of an unexpected type shows as
// nothing rather than failing the page.
func (l *ticketLabels) event(e anxin.TicketEvent, items map[string]anxin.ChecklistItem) consoleEvent {
	ev := consoleEvent{At: l.Time(e.At), Number: e.Number, Kind: string(e.Kind), Label: web.Enum(l.lang, "tevent", string(e.Kind)),
		Body: e.Body, Internal: !e.Public()}
	if e.Channel != "" {
		ev.Channel = l.Channel(anxin.Channel(e.Channel))
	}
	switch e.ActorKind {
	case "staff":
		ev.Actor = cmpOr(l.names[e.ActorID], e.ActorName)
	case "customer":
		ev.Actor = web.T(l.lang, "actor.customer")
	case "system":
		ev.Actor = web.T(l.lang, "actor.system")
	default:
		ev.Actor = e.ActorName
	}
	str := func(k string) string { v, _ := e.Data[k].(string); return v }
	num := func(k string) int64 { v, _ := e.Data[k].(float64); return int64(v) }
	switch e.Kind {
	case anxin.EventCreated:
		method, result, _ := strings.Cut(str("verification"), ":")
		ev.Detail = web.T(l.lang, "tevent.created.detail", l.Type(anxin.TicketType(str("type"))), web.Enum(l.lang, "urgency", str("urgency")),
			web.Enum(l.lang, "verify.method", method), web.Enum(l.lang, "verify.result", result))
	case anxin.EventStage:
		ev.Detail = l.Stage(anxin.Stage(str("from"))) + " → " + l.Stage(anxin.Stage(str("to")))
	case anxin.EventAssigned:
		if owner := str("owner_id"); owner != "" {
			ev.Detail = web.T(l.lang, "tevent.assigned.to", l.Staff(owner), web.Enum(l.lang, "via", str("via")))
		} else {
			ev.Detail = web.T(l.lang, "tevent.queued", l.Team(str("team")))
		}
	case anxin.EventTransferred:
		ev.Detail = web.T(l.lang, "tevent.transferred.to", l.Staff(str("owner_id")))
	case anxin.EventCollaborator:
		ev.Detail = cmpOr(l.names[str("staff_id")], str("name"))
	case anxin.EventCall:
		met, _ := e.Data["answer_target_met"].(bool)
		ev.Detail = web.T(l.lang, "tevent.call.detail", web.Enum(l.lang, "calldir", str("direction")), num("wait_seconds"), num("duration_seconds"))
		if str("direction") == "inbound" {
			if met {
				ev.Detail += " · " + web.T(l.lang, "tevent.call.met")
			} else {
				ev.Detail += " · " + web.T(l.lang, "tevent.call.missed")
			}
		}
	case anxin.EventChecklist:
		name := str("code")
		if it, ok := items[name]; ok {
			name = l.Item(it)
		}
		ev.Detail = name + ": " + web.Enum(l.lang, "item", str("status"))
	case anxin.EventDocument:
		if it, ok := items[str("item")]; ok {
			ev.Detail = l.Item(it)
		}
	case anxin.EventNotice:
		var chans []string
		if cs, ok := e.Data["channels"].([]any); ok {
			for _, c := range cs {
				cs, _ := c.(string)
				chans = append(chans, web.Enum(l.lang, "notice.channel", cs))
			}
		}
		ev.Detail = web.Enum(l.lang, "notice.tpl", str("template")) + " · " + strings.Join(chans, web.T(l.lang, "list.sep"))
	case anxin.EventSLAWarning, anxin.EventSLABreach:
		// The body is the Chinese notification; the data says it in any
		// language.
		due, _ := time.Parse(time.RFC3339Nano, str("due"))
		key := "tevent.sla.warn"
		if e.Kind == anxin.EventSLABreach {
			key = "tevent.sla.breach"
		}
		ev.Body = ""
		ev.Detail = web.T(l.lang, key, web.Enum(l.lang, "target", str("target")), l.Time(due))
		if to := str("escalated_to"); to != "" {
			ev.Detail += " · " + web.T(l.lang, "tevent.sla.escalated", l.Staff(to))
		}
	case anxin.EventSatisfaction:
		ev.Detail = web.T(l.lang, "tevent.satisfaction.score", num("score"))
	}
	return ev
}

// consoleTicketRef is the ticket a path names: a number, or an id. A
// reference that cannot be either (a NUL byte, broken UTF-8) is not
// found here, before a database that rejects such bytes sees it.
func consoleTicketRef(r *http.Request) (string, error) {
	ref := r.PathValue("number")
	if ref == "" || len(ref) > 64 || !consoleClean(ref) || strings.ContainsFunc(ref, unicode.IsControl) {
		return "", anxin.Errorz(anxin.ENotFound, "there is no ticket with this number", "没有该工单（工单号不存在）")
	}
	return ref, nil
}

// consoleClean reports whether a value from a URL or a form can reach the
// database: PostgreSQL refuses NUL bytes and broken UTF-8 with an error
// that would otherwise surface as a 500.
func consoleClean(v string) bool {
	return utf8.ValidString(v) && !strings.ContainsRune(v, 0)
}

// consoleCleanForm refuses a form (or a query) with a value that cannot be
// stored.
func consoleCleanForm(form url.Values) error {
	for k, vs := range form {
		for _, v := range vs {
			if !consoleClean(v) || !consoleClean(k) {
				return anxin.Errorz(anxin.EInvalid, "the form contains characters that cannot be stored (a NUL byte or broken UTF-8)",
					"表单含有无法保存的字符（空字符或无效编码）")
			}
		}
	}
	return nil
}

// consoleTicketAct makes one action of the ticket page a handler. Success
// goes back to the ticket (post, redirect, get: a reload never repeats the
// action) with a confirmation; a refusal the user can act on shows the page
// again with the message beside the form that was sent.
func (s *Server) consoleTicketAct(form string, act func(r *http.Request, p *service.Principal, number string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
		number, err := consoleTicketRef(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
		}
		if err := consoleCleanForm(r.PostForm); err != nil {
			return s.consoleTicketRefused(w, r, p, number, form, err)
		}
		if err := act(r, p, number); err != nil {
			return s.consoleTicketRefused(w, r, p, number, form, err)
		}
		done := form
		if strings.HasPrefix(form, "checklist:") {
			done = "checklist"
		}
		http.Redirect(w, r, "/tickets/"+url.PathEscape(number)+"?done="+done, http.StatusSeeOther)
		return nil
	}
}

// consoleTicketRefused shows the ticket again with why an action was
// refused, when the user can do something about it (correct a field, pick
// another stage, reload a stale page); anything else is the error page.
func (s *Server) consoleTicketRefused(w http.ResponseWriter, r *http.Request, p *service.Principal, number, form string, err error) error {
	e := asAppError(err)
	status, ok := statusOf[e.Code]
	switch e.Code {
	case anxin.EInvalid, anxin.EConflict, anxin.EPrecondition, anxin.ETooLarge:
	default:
		return err
	}
	if !ok {
		return err
	}
	lang := language(r)
	pg := &consoleTicketPage{Form: form, Input: r.PostForm}
	pg.Errors, pg.Error = consoleFailure(lang, err)
	if form == "stage" && slices.ContainsFunc(e.Fields, func(f anxin.FieldError) bool { return f.Field == "stage" && f.Reason == "transition" }) {
		// The state machine's refusal, said with the stage names.
		if t, terr := s.svc.Ticket(r.Context(), p.Actor, number); terr == nil {
			allowed := make([]string, 0, 3)
			for _, st := range anxin.NextStages(t.Stage) {
				allowed = append(allowed, anxin.StageName(st, lang))
			}
			pg.Error = web.T(lang, "ticket.move.refused", anxin.StageName(t.Stage, lang), anxin.StageName(anxin.Stage(r.PostFormValue("stage")), lang),
				strings.Join(allowed, web.T(lang, "list.sep")))
			delete(pg.Errors, "stage")
		}
	}
	return s.consoleTicketView(w, r, p, number, status, pg)
}

func (s *Server) consoleMove(r *http.Request, p *service.Principal, number string) error {
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := s.svc.MoveTicket(r.Context(), p.Actor, number, anxin.Stage(r.PostFormValue("stage")),
		service.MoveOptions{Message: r.PostFormValue("message"), Version: version})
	return err
}

func (s *Server) consoleMessage(r *http.Request, p *service.Principal, number string) error {
	_, err := s.svc.AddMessage(r.Context(), p.Actor, number, r.PostFormValue("kind"), r.PostFormValue("body"), anxin.Channel(r.PostFormValue("channel")))
	return err
}

func (s *Server) consoleCall(r *http.Request, p *service.Principal, number string) error {
	var pr anxin.Problems
	seconds := func(field string) int {
		v := strings.TrimSpace(r.PostFormValue(field))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			pr.Add(field, "format", "enter a whole number of seconds", "请输入整数秒数")
		}
		return n
	}
	call := service.CallLog{Direction: r.PostFormValue("direction"), WaitSeconds: seconds("wait_seconds"),
		DurationSeconds: seconds("duration_seconds"), Summary: strings.TrimSpace(r.PostFormValue("summary"))}
	if err := pr.Err(); err != nil {
		return err
	}
	_, err := s.svc.LogCall(r.Context(), p.Actor, number, call)
	return err
}

// consoleChecklistItem is its own handler because each item is its own
// form, and an error belongs beside that item.
func (s *Server) consoleChecklistItem(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	code := r.PathValue("code")
	if !consoleClean(code) {
		return anxin.Errorz(anxin.ENotFound, "the checklist has no such item", "材料清单中没有该项")
	}
	return s.consoleTicketAct("checklist:"+code, func(r *http.Request, p *service.Principal, number string) error {
		_, err := s.svc.SetChecklistItem(r.Context(), p.Actor, number, code, r.PostFormValue("status"), r.PostFormValue("reason"))
		return err
	})(w, r, p)
}

func (s *Server) consoleNotifyMissing(r *http.Request, p *service.Principal, number string) error {
	_, err := s.svc.NotifyMissing(r.Context(), p.Actor, number)
	return err
}

func (s *Server) consoleTransfer(r *http.Request, p *service.Principal, number string) error {
	_, err := s.svc.TransferTicket(r.Context(), p.Actor, number, r.PostFormValue("owner_id"), r.PostFormValue("reason"))
	return err
}

func (s *Server) consoleCollaborator(r *http.Request, p *service.Principal, number string) error {
	_, err := s.svc.AddCollaborator(r.Context(), p.Actor, number, r.PostFormValue("staff_id"))
	return err
}

func (s *Server) consoleTake(r *http.Request, p *service.Principal, number string) error {
	_, err := s.svc.TakeTicket(r.Context(), p.Actor, number)
	return err
}

// consoleTicketUpload stores an uploaded document. The form is multipart,
// so it cannot go through consoleTicketAct's form parsing.
func (s *Server) consoleTicketUpload(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// htmx sends this form (a multipart form carries its CSRF token in the
	// header) and picks the page's main element out of whatever comes back,
	// so every answer, an error page too, must be a whole page.
	r.Header.Del("HX-Request")
	number, err := consoleTicketRef(r)
	if err != nil {
		return err
	}
	name, item, data, err := readUpload(r)
	if err == nil && (!consoleClean(name) || !consoleClean(item)) {
		err = fieldErr("file", "format", "the file name contains characters that cannot be stored", "文件名含有无法保存的字符")
	}
	if err == nil {
		_, err = s.svc.AddAttachment(r.Context(), p.Actor, number, name, item, data)
	}
	if err != nil {
		return s.consoleTicketRefused(w, r, p, number, "upload", err)
	}
	http.Redirect(w, r, "/tickets/"+url.PathEscape(number)+"?done=upload", http.StatusSeeOther)
	return nil
}

// consoleAttachment downloads a document the way the API does: as an
// attachment, never rendered in the console's origin.
func (s *Server) consoleAttachment(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	number, err := consoleTicketRef(r)
	if err != nil {
		return err
	}
	a, data, err := s.svc.AttachmentContent(r.Context(), p.Actor, number, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeFile(w, a, data)
	return nil
}

// consoleCustomerTickets is the ticket part of a customer's 360° page.
type consoleCustomerTickets struct {
	L          *ticketLabels
	CustomerID string
	CanWrite   bool
	Tickets    []consoleTicketRow
	More       bool
	AllURL     string
	Timeline   []consoleEvent
}

// consoleCustomerTicketsShown and consoleCustomerEventsShown bound the
// 360° page; the queues and the ticket pages show the rest.
const (
	consoleCustomerTicketsShown = 20
	consoleCustomerEventsShown  = 50
)

// consoleCustomerTickets loads a customer's latest tickets and their one
// timeline across tickets and channels, newest first.
func (s *Server) consoleCustomerTickets(r *http.Request, p *service.Principal, customerID string) (*consoleCustomerTickets, error) {
	ctx := r.Context()
	l, _, err := s.consoleLabels(r, p)
	if err != nil {
		return nil, err
	}
	out := &consoleCustomerTickets{L: l, CustomerID: customerID, CanWrite: p.Actor.Can(anxin.PermTicketWrite),
		AllURL: consoleTicketFilter{CustomerID: customerID}.url("all", "")}
	ts, err := s.svc.FindTickets(ctx, p.Actor, anxin.TicketFilter{CustomerID: customerID, Limit: consoleCustomerTicketsShown + 1})
	if err != nil {
		return nil, err
	}
	if len(ts) > consoleCustomerTicketsShown {
		ts, out.More = ts[:consoleCustomerTicketsShown], true
	}
	out.Tickets = l.rows(ts)
	evs, err := s.svc.CustomerTimeline(ctx, p.Actor, customerID, consoleCustomerEventsShown)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range evs {
		if e.ActorKind == "staff" {
			ids = append(ids, e.ActorID)
		}
		for _, k := range []string{"owner_id", "staff_id"} {
			if id, ok := e.Data[k].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	s.learnNames(r, l, ids...)
	for _, e := range evs {
		out.Timeline = append(out.Timeline, l.event(e, nil))
	}
	return out, nil
}

// consoleAgentForm is an agent's settings as the supervisor's form holds
// them.
type consoleAgentForm struct {
	StaffID, Name, Team, Skills, Capacity, Availability, ShiftDays, ShiftStart, ShiftEnd string
}

type consoleTeamAgents struct {
	Code, Name string
	Agents     []store.Agent
}

type consoleAgentsPage struct {
	L              *ticketLabels
	Teams          []consoleTeamAgents
	Me             *store.Agent
	CanAssign      bool
	Edit           *consoleAgentForm
	TeamList       []store.Team
	Availabilities []string
	Errors         map[string]string
	Error          string
	Done           string
}

// Shift is an agent's shift as people say it.
func (pg *consoleAgentsPage) Shift(a store.Agent) string {
	hours := a.ShiftStart + "–" + a.ShiftEnd
	if a.ShiftStart == a.ShiftEnd {
		hours = web.T(pg.L.lang, "agents.allday")
	}
	return web.Enum(pg.L.lang, "shift", a.ShiftDays) + " " + hours
}

// Role is a role's name.
func (pg *consoleAgentsPage) Role(r string) string { return web.RoleName(pg.L.lang, anxin.Role(r)) }

// consoleAgents is the roster: every team's agents with their load and
// shift. An agent sets their own availability here; a supervisor
// (ticket:assign) edits any agent with ?edit=.
func (s *Server) consoleAgents(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	pg := &consoleAgentsPage{}
	if d := r.URL.Query().Get("done"); d == "availability" || d == "saved" {
		pg.Done = d
	}
	if err := consoleCleanForm(r.URL.Query()); err != nil {
		return err
	}
	if id := r.URL.Query().Get("edit"); id != "" {
		if !p.Actor.Can(anxin.PermTicketAssign) {
			return anxin.Errorz(anxin.EForbidden, "only a supervisor (ticket:assign) changes another agent's shift, capacity or skills",
				"只有主管（ticket:assign）可以修改坐席的班次、容量和技能")
		}
		a, err := s.svc.DB.GetAgent(r.Context(), nil, id)
		if err != nil {
			return err
		}
		pg.Edit = &consoleAgentForm{StaffID: a.StaffID, Name: a.DisplayName, Team: a.Team, Skills: strings.Join(a.Skills, ", "),
			Capacity: strconv.Itoa(a.Capacity), Availability: a.Availability, ShiftDays: a.ShiftDays, ShiftStart: a.ShiftStart, ShiftEnd: a.ShiftEnd}
	}
	return s.consoleAgentsView(w, r, p, http.StatusOK, pg)
}

func (s *Server) consoleAgentsView(w http.ResponseWriter, r *http.Request, p *service.Principal, status int, pg *consoleAgentsPage) error {
	l, agents, err := s.consoleLabels(r, p)
	if err != nil {
		return err
	}
	pg.L, pg.CanAssign, pg.Availabilities = l, p.Actor.Can(anxin.PermTicketAssign), service.Availabilities
	teams, err := s.svc.Teams(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	pg.TeamList = teams
	byTeam := map[string][]store.Agent{}
	for _, a := range agents {
		byTeam[a.Team] = append(byTeam[a.Team], a)
		if a.StaffID == p.Actor.ID {
			me := a
			pg.Me = &me
		}
	}
	for _, t := range teams {
		pg.Teams = append(pg.Teams, consoleTeamAgents{Code: t.Code, Name: l.Team(t.Code), Agents: byTeam[t.Code]})
		delete(byTeam, t.Code)
	}
	for code, as := range byTeam {
		pg.Teams = append(pg.Teams, consoleTeamAgents{Code: code, Name: code, Agents: as})
	}
	if pg.Edit != nil && pg.Edit.Name == "" {
		pg.Edit.Name = l.Staff(pg.Edit.StaffID)
	}
	return s.consoleRender(w, r, status, "agents", "layout", s.newConsoleView(r, p, "tickets", web.T(l.lang, "agents.title"), pg))
}

// consoleAvailability sets the signed-in agent's own availability.
func (s *Server) consoleAvailability(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := r.ParseForm(); err != nil {
		return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
	}
	err := consoleCleanForm(r.PostForm)
	if err == nil {
		err = s.svc.SetAvailability(r.Context(), p.Actor, p.Actor.ID, r.PostFormValue("availability"))
	}
	if code := anxin.ErrorCode(err); code == anxin.EInvalid || code == anxin.ENotFound {
		pg := &consoleAgentsPage{}
		pg.Errors, pg.Error = consoleFailure(language(r), err)
		return s.consoleAgentsView(w, r, p, statusOf[code], pg)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/agents?done=availability", http.StatusSeeOther)
	return nil
}

// consolePutAgent saves a supervisor's changes to an agent.
func (s *Server) consolePutAgent(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := r.ParseForm(); err != nil {
		return fieldErr("body", "format", "the form could not be read", "无法读取表单内容")
	}
	if err := consoleCleanForm(r.PostForm); err != nil {
		return err
	}
	v := r.PostForm
	form := &consoleAgentForm{StaffID: r.PathValue("staff_id"), Team: v.Get("team"), Skills: v.Get("skills"), Capacity: strings.TrimSpace(v.Get("capacity")),
		Availability: v.Get("availability"), ShiftDays: v.Get("shift_days"), ShiftStart: strings.TrimSpace(v.Get("shift_start")), ShiftEnd: strings.TrimSpace(v.Get("shift_end"))}
	a := store.Agent{StaffID: form.StaffID, Team: form.Team, Availability: form.Availability, ShiftDays: form.ShiftDays,
		ShiftStart: form.ShiftStart, ShiftEnd: form.ShiftEnd, Skills: []string{}}
	for _, sk := range strings.FieldsFunc(form.Skills, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
		a.Skills = append(a.Skills, sk)
	}
	capacity, err := strconv.Atoi(form.Capacity)
	if err != nil {
		err = fieldErr("capacity", "format", "enter a whole number of open tickets", "请输入整数（同时处理的工单数）")
	} else {
		a.Capacity = capacity
		err = s.svc.PutAgent(r.Context(), p.Actor, a)
	}
	if anxin.ErrorCode(err) == anxin.EInvalid {
		pg := &consoleAgentsPage{Edit: form}
		pg.Errors, pg.Error = consoleFailure(language(r), err)
		return s.consoleAgentsView(w, r, p, http.StatusUnprocessableEntity, pg)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/agents?done=saved", http.StatusSeeOther)
	return nil
}
