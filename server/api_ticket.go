package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/rules"
	"github.com/anxin-insure/anxin/service"
	"github.com/anxin-insure/anxin/store"
)

// maxUploadBytes bounds an attachment request: the file plus its form.
const maxUploadBytes = service.MaxAttachmentBytes + 1<<20

// ticketRoutes is the ticket API: staff and partners under /api/v1, the
// signed-in customer's own tickets under /api/v1/self, and the public
// progress lookup.
func (s *Server) ticketRoutes() []Route {
	api := func(method, path string, access Access, perm anxin.Permission, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: access, Permission: perm, Summary: summary, API: true, handle: h}
	}
	upload := func(rt Route) Route { rt.MaxBody = maxUploadBytes; return rt }
	return []Route{
		api("POST", "/api/v1/tickets", Staff, anxin.PermTicketWrite, "Open a ticket from any channel: validated, routed and timed in one step", s.createTicket),
		api("GET", "/api/v1/tickets", Staff, anxin.PermTicketRead, "List tickets: a queue (mine, team, due_soon, breached, unassigned) or a search", s.listTickets),
		api("GET", "/api/v1/tickets/{number}", Staff, anxin.PermTicketRead, "Get a ticket by number", s.getTicket),
		api("PUT", "/api/v1/tickets/{number}", Staff, anxin.PermTicketWrite, "Change a ticket's type, urgency, subject, customer, policy or verification (If-Match required)", s.updateTicket),
		api("POST", "/api/v1/tickets/{number}/stage", Staff, anxin.PermTicketWrite, "Move a ticket to another stage", s.moveTicket),
		api("POST", "/api/v1/tickets/{number}/transfer", Staff, anxin.PermTicketWrite, "Hand a ticket to another owner, with a reason", s.transferTicket),
		api("POST", "/api/v1/tickets/{number}/take", Staff, anxin.PermTicketWrite, "Take an unassigned ticket from a queue", s.takeTicket),
		api("POST", "/api/v1/tickets/{number}/collaborators", Staff, anxin.PermTicketWrite, "Add a colleague to a ticket", s.addCollaborator),
		api("POST", "/api/v1/tickets/{number}/messages", Staff, anxin.PermTicketWrite, "Add an internal note, a reply to the customer, or the customer's message", s.addTicketMessage),
		api("POST", "/api/v1/tickets/{number}/calls", Staff, anxin.PermTicketWrite, "Log a phone call on a ticket", s.logCall),
		api("GET", "/api/v1/tickets/{number}/timeline", Staff, anxin.PermTicketRead, "A ticket's timeline across every channel", s.ticketTimeline),
		api("GET", "/api/v1/tickets/{number}/checklist", Staff, anxin.PermTicketRead, "A ticket's document checklist", s.ticketChecklist),
		api("PUT", "/api/v1/tickets/{number}/checklist/{code}", Staff, anxin.PermTicketWrite, "Mark a document received, missing or rejected", s.setChecklistItem),
		api("POST", "/api/v1/tickets/{number}/notify-missing", Staff, anxin.PermTicketWrite, "Tell the customer every missing document in one notice", s.notifyMissing),
		api("GET", "/api/v1/tickets/{number}/attachments", Staff, anxin.PermTicketRead, "A ticket's documents", s.ticketAttachments),
		upload(api("POST", "/api/v1/tickets/{number}/attachments", Staff, anxin.PermTicketWrite, "Attach a document (multipart field file; optional item_code)", s.addAttachment)),
		api("GET", "/api/v1/tickets/{number}/attachments/{id}", Staff, anxin.PermTicketRead, "Download a document (audited)", s.attachmentContent),
		api("GET", "/api/v1/tickets/{number}/notices", Staff, anxin.PermTicketRead, "The notices sent or queued for a ticket", s.ticketNotices),
		api("GET", "/api/v1/customers/{id}/timeline", Staff, anxin.PermTicketRead, "A customer's timeline across every ticket and channel", s.customerTimeline),
		api("GET", "/api/v1/customers/{id}/tickets", Staff, anxin.PermTicketRead, "A customer's tickets", s.customerTickets),
		api("PUT", "/api/v1/customers/{id}/advisor", Staff, anxin.PermTicketAssign, "Name the customer's dedicated advisor", s.setAdvisor),

		api("GET", "/api/v1/teams", Staff, anxin.PermTicketRead, "Teams tickets are routed to", s.listTeams),
		api("PUT", "/api/v1/teams/{code}", Staff, anxin.PermTicketAssign, "Create or change a team", s.putTeam),
		api("GET", "/api/v1/agents", Staff, anxin.PermTicketRead, "Agents with their skills, shift, availability and load", s.listAgents),
		api("PUT", "/api/v1/agents/{staff_id}", Staff, anxin.PermTicketAssign, "Set up an agent: team, skills, capacity, shift, availability", s.putAgent),
		api("PUT", "/api/v1/me/availability", Staff, anxin.PermTicketWrite, "Set one's own availability as an agent: available, away or off", s.putAvailability),
		api("GET", "/api/v1/notifications", Staff, anxin.PermTicketRead, "The signed-in staff member's notifications (assignments, SLA warnings)", s.listNotifications),
		api("POST", "/api/v1/notifications/read", Staff, anxin.PermTicketRead, "Mark one's notifications read", s.readNotifications),

		api("GET", "/api/v1/ticket-config", Staff, anxin.PermTicketRead, "Ticket types, SLA policies, routing rules and notice templates in force", s.getTicketConfig),
		api("PUT", "/api/v1/ticket-config/sla-policies", Staff, anxin.PermTicketConfig, "Replace the SLA policies", s.putSLAPolicies),
		api("PUT", "/api/v1/ticket-config/routing-rules", Staff, anxin.PermTicketConfig, "Replace the routing rules (each compiled before saving)", s.putRoutingRules),
		api("PUT", "/api/v1/ticket-config/ticket-types", Staff, anxin.PermTicketConfig, "Replace the ticket types and their document checklists", s.putTicketTypes),
		api("PUT", "/api/v1/ticket-config/templates/{code}/{lang}", Staff, anxin.PermTicketConfig, "Replace one notice template", s.putTemplate),
		api("POST", "/api/v1/webhooks", Staff, anxin.PermTicketConfig, "Subscribe a partner to ticket events (HMAC-signed)", s.createWebhook),

		api("POST", "/api/v1/track", Public, "", "Progress of a ticket, by its number and the last four digits of the phone on it", s.track),

		api("GET", "/api/v1/self/tickets", Customer, "", "The signed-in customer's tickets", s.selfTickets),
		api("POST", "/api/v1/self/tickets", Customer, "", "Open a ticket as the signed-in customer", s.selfCreateTicket),
		api("GET", "/api/v1/self/tickets/{number}", Customer, "", "One of the customer's tickets with its timeline", s.selfTicket),
		api("POST", "/api/v1/self/tickets/{number}/messages", Customer, "", "Add a message to one of the customer's tickets", s.selfTicketMessage),
		upload(api("POST", "/api/v1/self/tickets/{number}/attachments", Customer, "", "Add a document to one of the customer's tickets (multipart field file)", s.selfTicketAttachment)),
		api("POST", "/api/v1/self/tickets/{number}/satisfaction", Customer, "", "Rate a resolved ticket from 1 to 5", s.selfRateTicket),
	}
}

// ticketRequest is a new ticket plus intake choices.
type ticketRequest struct {
	anxin.Ticket
	AssignToMe bool `json:"assign_to_me"`
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req ticketRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t := sanitizeNewTicket(req.Ticket)
	if t.Channel == "" && p.Actor.Kind == "token" {
		t.Channel = anxin.ChannelAPI
	}
	if err := s.svc.CreateTicket(r.Context(), p.Actor, &t, service.CreateOptions{AssignToMe: req.AssignToMe}); err != nil {
		return err
	}
	w.Header().Set("ETag", etag(t.Version))
	w.Header().Set("Location", "/api/v1/tickets/"+t.Number)
	return writeJSON(w, http.StatusCreated, &t)
}

// sanitizeNewTicket keeps only what a client may set on a new ticket.
func sanitizeNewTicket(in anxin.Ticket) anxin.Ticket {
	return anxin.Ticket{Type: in.Type, Channel: in.Channel, Urgency: in.Urgency, Subject: in.Subject, Description: in.Description,
		Language: in.Language, CustomerID: in.CustomerID, PolicyID: in.PolicyID, Contact: in.Contact,
		Verification: anxin.Verification{Method: in.Verification.Method, Result: in.Verification.Result}}
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	q := r.URL.Query()
	f := anxin.TicketFilter{Queue: q.Get("queue"), Team: q.Get("team"), CustomerID: q.Get("customer_id"), Type: anxin.TicketType(q.Get("type")),
		Channel: anxin.Channel(q.Get("channel")), Urgency: anxin.Urgency(q.Get("urgency")), Tier: anxin.Tier(q.Get("tier")), Stage: anxin.Stage(q.Get("stage")),
		Open: q.Get("open") == "true"}
	return s.writeTickets(w, r, p, f)
}

func (s *Server) writeTickets(w http.ResponseWriter, r *http.Request, p *service.Principal, f anxin.TicketFilter) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f.After, f.Limit = after, limit
	ts, err := s.svc.FindTickets(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	page := Page[*anxin.Ticket]{Items: ts}
	if page.Items == nil {
		page.Items = []*anxin.Ticket{}
	}
	if len(ts) > 0 {
		byDue := f.Queue != ""
		page.NextCursor = nextCursor(len(ts), limit, store.TicketCursor(ts[len(ts)-1], byDue))
	}
	return writeJSON(w, http.StatusOK, page)
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	t, err := s.svc.Ticket(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(t.Version))
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var patch service.TicketPatch
	if err := decode(r, &patch); err != nil {
		return err
	}
	t, err := s.svc.UpdateTicket(r.Context(), p.Actor, r.PathValue("number"), version, patch)
	return writeTicket(w, t, err)
}

func writeTicket(w http.ResponseWriter, t *anxin.Ticket, err error) error {
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(t.Version))
	return writeJSON(w, http.StatusOK, t)
}

type moveRequest struct {
	Stage   anxin.Stage `json:"stage"`
	Message string      `json:"message"`
}

func (s *Server) moveTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req moveRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	version := 0
	if r.Header.Get("If-Match") != "" {
		v, err := ifMatch(r)
		if err != nil {
			return err
		}
		version = v
	}
	t, err := s.svc.MoveTicket(r.Context(), p.Actor, r.PathValue("number"), req.Stage, service.MoveOptions{Message: req.Message, Version: version})
	return writeTicket(w, t, err)
}

type transferRequest struct {
	OwnerID string `json:"owner_id"`
	Reason  string `json:"reason"`
}

func (s *Server) transferTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req transferRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := s.svc.TransferTicket(r.Context(), p.Actor, r.PathValue("number"), req.OwnerID, req.Reason)
	return writeTicket(w, t, err)
}

func (s *Server) takeTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	t, err := s.svc.TakeTicket(r.Context(), p.Actor, r.PathValue("number"))
	return writeTicket(w, t, err)
}

type staffRef struct {
	StaffID string `json:"staff_id"`
}

func (s *Server) addCollaborator(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req staffRef
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := s.svc.AddCollaborator(r.Context(), p.Actor, r.PathValue("number"), req.StaffID)
	return writeTicket(w, t, err)
}

type messageRequest struct {
	Kind    string        `json:"kind"`
	Body    string        `json:"body"`
	Channel anxin.Channel `json:"channel"`
}

func (s *Server) addTicketMessage(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req messageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := s.svc.AddMessage(r.Context(), p.Actor, r.PathValue("number"), req.Kind, req.Body, req.Channel)
	return writeTicket(w, t, err)
}

func (s *Server) logCall(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req service.CallLog
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := s.svc.LogCall(r.Context(), p.Actor, r.PathValue("number"), req)
	return writeTicket(w, t, err)
}

func (s *Server) ticketTimeline(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	evs, err := s.svc.TicketTimeline(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	return writeItems(w, evs)
}

func writeItems[T any](w http.ResponseWriter, items []T) error {
	if items == nil {
		items = []T{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Server) ticketChecklist(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	items, err := s.svc.Checklist(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	return writeItems(w, items)
}

type checklistRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (s *Server) setChecklistItem(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req checklistRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	items, err := s.svc.SetChecklistItem(r.Context(), p.Actor, r.PathValue("number"), r.PathValue("code"), req.Status, req.Reason)
	if err != nil {
		return err
	}
	return writeItems(w, items)
}

func (s *Server) notifyMissing(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	missing, err := s.svc.NotifyMissing(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"missing": missing})
}

func (s *Server) ticketAttachments(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	as, err := s.svc.Attachments(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	return writeItems(w, as)
}

// readUpload takes the one file of a multipart request.
func readUpload(r *http.Request) (filename, itemCode string, data []byte, err error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return "", "", nil, fieldErr("file", "format", "send the document as multipart/form-data with a field named file", "请以 multipart/form-data 上传，文件字段名为 file")
	}
	if err := r.ParseMultipartForm(maxUploadBytes); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", "", nil, fieldErr("file", "too_large", "at most 10 MB", "不超过 10 MB")
		}
		return "", "", nil, fieldErr("file", "format", "the upload could not be read", "无法读取上传的文件")
	}
	defer r.MultipartForm.RemoveAll()
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return "", "", nil, fieldErr("file", "required", "choose a file", "请选择文件")
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, service.MaxAttachmentBytes+1))
	if err != nil {
		return "", "", nil, fieldErr("file", "format", "the upload could not be read", "无法读取上传的文件")
	}
	return hdr.Filename, r.FormValue("item_code"), data, nil
}

func (s *Server) addAttachment(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	name, item, data, err := readUpload(r)
	if err != nil {
		return err
	}
	a, err := s.svc.AddAttachment(r.Context(), p.Actor, r.PathValue("number"), name, item, data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

func (s *Server) attachmentContent(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	a, data, err := s.svc.AttachmentContent(r.Context(), p.Actor, r.PathValue("number"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeFile(w, a, data)
	return nil
}

// writeFile serves a stored document as a download, never rendered in
// the site's origin: the type was sniffed at upload, but a download
// disposition and nosniff keep a crafted file from running as a page.
func writeFile(w http.ResponseWriter, a *anxin.Attachment, data []byte) {
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(data)
}

func (s *Server) ticketNotices(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ns, err := s.svc.TicketNotices(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	return writeItems(w, ns)
}

func (s *Server) customerTimeline(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	_, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	evs, err := s.svc.CustomerTimeline(r.Context(), p.Actor, r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	return writeItems(w, evs)
}

func (s *Server) customerTickets(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	return s.writeTickets(w, r, p, anxin.TicketFilter{CustomerID: r.PathValue("id")})
}

func (s *Server) setAdvisor(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req staffRef
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.svc.SetAdvisor(r.Context(), p.Actor, r.PathValue("id"), req.StaffID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ts, err := s.svc.Teams(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return writeItems(w, ts)
}

func (s *Server) putTeam(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var t store.Team
	if err := decode(r, &t); err != nil {
		return err
	}
	t.Code = r.PathValue("code")
	if err := s.svc.PutTeam(r.Context(), p.Actor, t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	as, err := s.svc.Agents(r.Context(), p.Actor, r.URL.Query().Get("team"))
	if err != nil {
		return err
	}
	return writeItems(w, as)
}

func (s *Server) putAgent(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var a store.Agent
	if err := decode(r, &a); err != nil {
		return err
	}
	a.StaffID = r.PathValue("staff_id")
	if err := s.svc.PutAgent(r.Context(), p.Actor, a); err != nil {
		return err
	}
	got, err := s.svc.DB.GetAgent(r.Context(), nil, a.StaffID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, got)
}

type availabilityRequest struct {
	Availability string `json:"availability"`
}

func (s *Server) putAvailability(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req availabilityRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.svc.SetAvailability(r.Context(), p.Actor, p.Actor.ID, req.Availability); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	ns, err := s.svc.Notifications(r.Context(), p.Actor, r.URL.Query().Get("unread") == "true")
	if err != nil {
		return err
	}
	return writeItems(w, ns)
}

func (s *Server) readNotifications(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	if err := s.svc.MarkNotificationsRead(r.Context(), p.Actor); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getTicketConfig(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	cfg, err := s.svc.TicketConfiguration(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cfg)
}

func (s *Server) putSLAPolicies(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req struct {
		Policies []anxin.SLAPolicy `json:"policies"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.svc.PutSLAPolicies(r.Context(), p.Actor, req.Policies); err != nil {
		return err
	}
	return s.getTicketConfig(w, r, p)
}

func (s *Server) putRoutingRules(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req struct {
		Rules []rules.Rule `json:"rules"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.svc.PutRoutingRules(r.Context(), p.Actor, req.Rules); err != nil {
		return err
	}
	return s.getTicketConfig(w, r, p)
}

func (s *Server) putTicketTypes(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req struct {
		Types []anxin.TicketTypeDef `json:"types"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.svc.PutTicketTypes(r.Context(), p.Actor, req.Types); err != nil {
		return err
	}
	return s.getTicketConfig(w, r, p)
}

func (s *Server) putTemplate(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var t service.NoticeTemplate
	if err := decode(r, &t); err != nil {
		return err
	}
	t.Code, t.Lang = r.PathValue("code"), r.PathValue("lang")
	if err := s.svc.PutNoticeTemplate(r.Context(), p.Actor, t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var h store.Webhook
	if err := decode(r, &h); err != nil {
		return err
	}
	h.ID = ""
	if err := s.svc.AddWebhook(r.Context(), p.Actor, &h); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, h)
}

type trackRequest struct {
	Number     string `json:"number"`
	PhoneLast4 string `json:"phone_last4"`
}

func (s *Server) track(w http.ResponseWriter, r *http.Request, _ *service.Principal) error {
	var req trackRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := s.svc.LookupProgress(r.Context(), clientIP(r), req.Number, req.PhoneLast4)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) selfTickets(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	return s.writeTickets(w, r, p, anxin.TicketFilter{})
}

func (s *Server) selfCreateTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	var req anxin.Ticket
	if err := decode(r, &req); err != nil {
		return err
	}
	t := sanitizeNewTicket(req)
	t.Contact, t.Urgency = anxin.Contact{}, ""
	if err := s.svc.CreateTicket(r.Context(), p.Actor, &t, service.CreateOptions{}); err != nil {
		return err
	}
	t2, err := s.svc.Ticket(r.Context(), p.Actor, t.Number)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/self/tickets/"+t.Number)
	return writeJSON(w, http.StatusCreated, t2)
}

// selfTicketView is a ticket as its customer sees it: its public timeline
// and its checklist.
type selfTicketView struct {
	*anxin.Ticket
	Timeline  []anxin.TicketEvent   `json:"timeline"`
	Checklist []anxin.ChecklistItem `json:"checklist"`
}

func (s *Server) selfTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	t, err := s.svc.Ticket(r.Context(), p.Actor, r.PathValue("number"))
	if err != nil {
		return err
	}
	evs, err := s.svc.TicketTimeline(r.Context(), p.Actor, t.Number)
	if err != nil {
		return err
	}
	items, err := s.svc.Checklist(r.Context(), p.Actor, t.Number)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []anxin.TicketEvent{}
	}
	if items == nil {
		items = []anxin.ChecklistItem{}
	}
	return writeJSON(w, http.StatusOK, selfTicketView{t, evs, items})
}

func (s *Server) selfTicketMessage(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// A ticket that is not the customer's answers 404 before its input is
	// looked at, so the answer says nothing about other people's tickets.
	if _, err := s.svc.Ticket(r.Context(), p.Actor, r.PathValue("number")); err != nil {
		return err
	}
	var req messageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ch := anxin.ChannelWebsite
	if strings.EqualFold(string(req.Channel), string(anxin.ChannelApp)) {
		ch = anxin.ChannelApp
	}
	t, err := s.svc.AddMessage(r.Context(), p.Actor, r.PathValue("number"), service.MessageIn, req.Body, ch)
	return writeTicket(w, t, err)
}

func (s *Server) selfTicketAttachment(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// A ticket that is not the customer's answers 404 before its input is
	// looked at, so the answer says nothing about other people's tickets.
	if _, err := s.svc.Ticket(r.Context(), p.Actor, r.PathValue("number")); err != nil {
		return err
	}
	name, item, data, err := readUpload(r)
	if err != nil {
		return err
	}
	a, err := s.svc.AddAttachment(r.Context(), p.Actor, r.PathValue("number"), name, item, data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

type rateRequest struct {
	Score   int    `json:"score"`
	Comment string `json:"comment"`
}

func (s *Server) selfRateTicket(w http.ResponseWriter, r *http.Request, p *service.Principal) error {
	// A ticket that is not the customer's answers 404 before its input is
	// looked at, so the answer says nothing about other people's tickets.
	if _, err := s.svc.Ticket(r.Context(), p.Actor, r.PathValue("number")); err != nil {
		return err
	}
	var req rateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := s.svc.RateTicket(r.Context(), p.Actor, r.PathValue("number"), req.Score, req.Comment)
	return writeTicket(w, t, err)
}
