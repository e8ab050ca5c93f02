package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/mailin"
	"github.com/anxin-insure/anxin/notify"
	"github.com/anxin-insure/anxin/store"
)

// Notifiers are the ways notices leave the platform. A nil driver leaves
// notices of its channel queued (visible in the outbox) rather than lost.
type Notifiers struct {
	Mail     notify.Mailer
	MailFrom string // the From address of customer mail, e.g. service@insurer.example
	SMS      notify.SMS
	Webhook  *notify.Webhook
}

// recipients are where a customer notice goes for a ticket.
type recipients struct {
	name, email, mobile string
}

func (s *Service) recipientsOf(ctx context.Context, tx *store.Tx, t *anxin.Ticket) (recipients, error) {
	if t.CustomerID == "" {
		return recipientsFor(t, nil), nil
	}
	c, err := s.DB.CustomerContact(ctx, tx, t.CustomerID)
	if err != nil {
		return recipients{}, err
	}
	return recipientsFor(t, c), nil
}

// recipientsFor is where notices go: the ticket's own contact details,
// else its customer's (c may be nil).
func recipientsFor(t *anxin.Ticket, c *anxin.Customer) recipients {
	r := recipients{name: t.Contact.Name, email: t.Contact.Email, mobile: t.Contact.Mobile}
	if c == nil {
		return r
	}
	if r.name == "" {
		r.name = c.Name
	}
	if r.email == "" {
		r.email = c.Email
	}
	if r.mobile == "" && len(c.Mobiles) > 0 {
		r.mobile = c.Mobiles[0]
	}
	return r
}

// noticeData fills the template fields from a ticket.
func (s *Service) noticeData(t *anxin.Ticket, name string) NoticeData {
	loc := s.Calendar.Location()
	d := NoticeData{Number: t.Number, Subject: t.Subject, CustomerName: name, OwnerName: t.OwnerName,
		Stage:      anxin.StageName(t.Stage, t.Language),
		ExpectedBy: t.ResolutionDue.In(loc).Format("2006-01-02 15:04"), RespondBy: t.ResponseDue.In(loc).Format("2006-01-02 15:04")}
	if d.OwnerName == "" {
		d.OwnerName = map[bool]string{true: "Customer service", false: "客服专员"}[t.Language == "en"]
	}
	if s.PublicURL != "" {
		d.LookupURL = strings.TrimRight(s.PublicURL, "/") + "/my/track?number=" + t.Number
		if t.Type == anxin.TypeClaim {
			// A claim's progress, letter and survey are on the claimant's
			// own pages.
			d.LookupURL = strings.TrimRight(s.PublicURL, "/") + "/my/claims"
		}
	}
	return d
}

// notifyCustomer queues a customer notice in tx: email when the customer
// has an address; a text message when they have a mobile and either no
// email or the request came by text or phone. It returns the channels used.
func (s *Service) notifyCustomer(ctx context.Context, tx *store.Tx, cfg *ticketConfig, t *anxin.Ticket, code string, d NoticeData) ([]string, error) {
	r, err := s.recipientsOf(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	return s.notifyRecipients(ctx, tx, cfg, t, code, d, r)
}

// notifyRecipients is notifyCustomer to recipients already known.
func (s *Service) notifyRecipients(ctx context.Context, tx *store.Tx, cfg *ticketConfig, t *anxin.Ticket, code string, d NoticeData, r recipients) ([]string, error) {
	if d.CustomerName == "" {
		d.CustomerName = r.name
	}
	subject, body, sms, err := cfg.render(code, t.Language, d)
	if err != nil {
		return nil, err
	}
	var used []string
	if r.email != "" {
		n := &store.Notice{TicketID: t.ID, Channel: "email", Template: code, Recipient: r.email, Subject: subject, Body: body, MessageID: mailin.MessageIDFor(t.Number)}
		if err := s.queueNotice(ctx, tx, n); err != nil {
			return nil, err
		}
		used = append(used, "email")
	}
	wantSMS := r.email == "" || t.Channel == anxin.ChannelSMS || t.Channel == anxin.ChannelPhone
	if r.mobile != "" && wantSMS && sms != "" {
		n := &store.Notice{TicketID: t.ID, Channel: "sms", Template: code, Recipient: r.mobile, Body: sms}
		if err := s.queueNotice(ctx, tx, n); err != nil {
			return nil, err
		}
		used = append(used, "sms")
	}
	if len(used) > 0 {
		err = tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: t.ID, CustomerID: t.CustomerID, Kind: anxin.EventNotice, ActorKind: "system", ActorName: "system",
			Body: subject, Data: map[string]any{"template": code, "channels": used}})
	}
	return used, err
}

func (s *Service) queueNotice(ctx context.Context, tx *store.Tx, n *store.Notice) error {
	if err := tx.AddNotice(ctx, n); err != nil {
		return err
	}
	return s.insertJob(ctx, tx, NoticeArgs{NoticeID: n.ID}, nil)
}

// webhookEvent is what partners receive: the ticket's public state, no
// personal data.
type webhookEvent struct {
	Event  string    `json:"event"`
	At     time.Time `json:"at"`
	Ticket struct {
		Number        string    `json:"number"`
		Type          string    `json:"type"`
		Channel       string    `json:"channel"`
		Stage         string    `json:"stage"`
		ResolutionDue time.Time `json:"resolution_due"`
	} `json:"ticket"`
}

// notifyPartners queues the event for every webhook subscribed to it.
func (s *Service) notifyPartners(ctx context.Context, tx *store.Tx, t *anxin.Ticket, event string) error {
	hooks, err := s.DB.Webhooks(ctx, tx, event)
	if err != nil {
		return err
	}
	return s.notifyHooks(ctx, tx, t, event, hooks)
}

// notifyHooks queues the event for hooks, the subscriptions to it.
func (s *Service) notifyHooks(ctx context.Context, tx *store.Tx, t *anxin.Ticket, event string, hooks []store.Webhook) error {
	if len(hooks) == 0 {
		return nil
	}
	var ev webhookEvent
	ev.Event, ev.At = event, tx.Now
	ev.Ticket.Number, ev.Ticket.Type, ev.Ticket.Channel, ev.Ticket.Stage, ev.Ticket.ResolutionDue = t.Number, string(t.Type), string(t.Channel), string(t.Stage), t.ResolutionDue
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	for _, h := range hooks {
		if err := s.queueNotice(ctx, tx, &store.Notice{TicketID: t.ID, Channel: "webhook", Template: event, Recipient: h.ID, Body: string(body)}); err != nil {
			return err
		}
	}
	return nil
}

// SendNotice sends one queued notice. An error makes the job retry; on
// the last attempt the notice is marked failed and stays in the outbox for
// a person to see.
func (s *Service) SendNotice(ctx context.Context, id string, lastAttempt bool) error {
	n, err := s.DB.GetNotice(ctx, nil, id)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if n.Status == "sent" {
		return nil
	}
	sendErr := s.deliver(ctx, n)
	status, msg := "sent", ""
	if sendErr != nil {
		status, msg = "queued", sendErr.Error()
		if lastAttempt {
			status = "failed"
		}
	}
	if err := s.DB.InTx(ctx, func(tx *store.Tx) error { return tx.MarkNotice(ctx, n.ID, status, msg) }); err != nil {
		return err
	}
	if sendErr != nil {
		s.Log.Warn("notice not sent", "notice", n.ID, "channel", n.Channel, "template", n.Template, "err", sendErr)
	}
	return sendErr
}

func (s *Service) deliver(ctx context.Context, n *store.Notice) error {
	switch n.Channel {
	case "email":
		if s.Notify.Mail == nil {
			return fmt.Errorf("no mail server configured")
		}
		return s.Notify.Mail.Send(ctx, notify.Mail{From: s.Notify.MailFrom, To: []string{n.Recipient}, Subject: n.Subject, Text: n.Body, MessageID: n.MessageID})
	case "sms":
		if s.Notify.SMS == nil {
			return fmt.Errorf("no SMS gateway configured")
		}
		return s.Notify.SMS.Send(ctx, n.Recipient, n.Body)
	case "webhook":
		if s.Notify.Webhook == nil {
			return fmt.Errorf("webhooks are not enabled")
		}
		hooks, err := s.DB.Webhooks(ctx, nil, "")
		if err != nil {
			return err
		}
		for _, h := range hooks {
			if h.ID == n.Recipient {
				return s.Notify.Webhook.Post(ctx, h.URL, h.Secret, n.Template, n.ID, []byte(n.Body))
			}
		}
		return nil // the subscription was removed: nothing to deliver
	}
	return fmt.Errorf("unknown notice channel %q", n.Channel)
}

// TicketNotices lists a ticket's notices as the actor may see them.
func (s *Service) TicketNotices(ctx context.Context, actor anxin.Actor, number string) ([]*store.Notice, error) {
	t, err := s.Ticket(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	ns, err := s.DB.TicketNotices(ctx, t.ID)
	for _, n := range ns {
		switch n.Channel {
		case "email":
			if !actor.SeesFull(anxin.FieldEmail) {
				n.Recipient = anxin.Mask(anxin.FieldEmail, n.Recipient)
			}
		case "sms":
			if !actor.SeesFull(anxin.FieldMobile) {
				n.Recipient = anxin.Mask(anxin.FieldMobile, n.Recipient)
			}
		}
	}
	return ns, err
}

// AddWebhook subscribes a partner to ticket events.
func (s *Service) AddWebhook(ctx context.Context, actor anxin.Actor, w *store.Webhook) error {
	if err := authorize(actor, anxin.PermTicketConfig); err != nil {
		return err
	}
	var p anxin.Problems
	if strings.TrimSpace(w.Name) == "" {
		p.Required("name")
	}
	if !strings.HasPrefix(w.URL, "https://") && !strings.HasPrefix(w.URL, "http://") {
		p.Add("url", "format", "must be an http(s) URL", "须为 http(s) 地址")
	}
	if len(w.Secret) < 16 {
		p.Add("secret", "too_short", "at least 16 characters", "至少 16 个字符")
	}
	if len(w.Events) == 0 {
		p.Required("events")
	}
	for i, e := range w.Events {
		switch e {
		case "ticket.created", "ticket.stage", "ticket.assigned", "*":
		default:
			p.Add(fmt.Sprintf("events[%d]", i), "enum", "must be ticket.created, ticket.stage, ticket.assigned or *", "须为 ticket.created、ticket.stage、ticket.assigned 或 *")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	w.Active = true
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.AddWebhook(ctx, w); err != nil {
			return err
		}
		return record(ctx, tx, AuditFor(actor, "webhook", w.ID, "create"))
	})
	w.Secret = ""
	return err
}
