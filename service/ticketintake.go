package service

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/mailin"
	"github.com/anxin-insure/anxin/store"
)

// Progress is what anyone holding a ticket number and the last four digits
// of the phone on it may learn, and nothing more.
type Progress struct {
	Number     string      `json:"number"`
	Stage      anxin.Stage `json:"stage"`
	StageName  string      `json:"stage_name"`
	OwnerName  string      `json:"owner_name,omitempty"`
	ExpectedBy time.Time   `json:"expected_by"`
	// Paused says the clock waits on the customer: the expected date moves
	// on by the time they take.
	Paused bool `json:"paused,omitempty"`
}

// Progress lookups allowed per client address, and per ticket number (so a
// distributed guess at one number's four digits is as slow as one client's).
var (
	lookupIPLimits     = []store.RateLimit{{Max: 10, Window: time.Minute}, {Max: 60, Window: time.Hour}}
	lookupNumberLimits = []store.RateLimit{{Max: 10, Window: time.Hour}}
)

// LookupProgress answers the public progress lookup. A wrong number and a
// wrong phone give the same answer, so the lookup cannot be used to learn
// which numbers exist.
func (s *Service) LookupProgress(ctx context.Context, ip, number, last4 string) (*Progress, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	last4 = strings.TrimSpace(last4)
	var p anxin.Problems
	if !anxin.TicketNumberPattern.MatchString(number) {
		p.Add("number", "format", "a ticket number looks like GD20261125000123", "工单号格式如 GD20261125000123")
	}
	if len(last4) != 4 || strings.Trim(last4, "0123456789") != "" {
		p.Add("phone_last4", "format", "the last four digits of your mobile", "请输入手机号后四位")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	notFound := anxin.Errorz(anxin.ENotFound, "no ticket matches this number and phone", "未找到与该工单号和手机号匹配的工单")
	var out *Progress
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		wait, err := tx.TakeRate(ctx, store.RateRule{Bucket: "track:ip:" + ipKey(ip), Limits: lookupIPLimits},
			store.RateRule{Bucket: "track:number:" + number, Limits: lookupNumberLimits})
		if err != nil {
			return err
		}
		if wait > 0 {
			secs, _ := RetryAfter(&RetryLater{After: wait})
			return &RetryLater{After: wait, Err: anxin.Errorz(anxin.ERateLimited,
				fmt.Sprintf("too many lookups; try again in %d seconds", secs), fmt.Sprintf("查询过于频繁，请 %d 秒后再试", secs))}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	t, err := s.DB.GetTicket(ctx, nil, number)
	if anxin.ErrorCode(err) == anxin.ENotFound {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	phones := []string{t.Contact.Mobile}
	if t.CustomerID != "" {
		c, err := s.DB.GetCustomer(ctx, nil, t.CustomerID)
		if err != nil {
			return nil, err
		}
		phones = append(phones, c.Mobiles...)
	}
	match := false
	for _, m := range phones {
		if len(m) >= 4 && m[len(m)-4:] == last4 {
			match = true
		}
	}
	if !match {
		return nil, notFound
	}
	out = &Progress{Number: t.Number, Stage: t.Stage, StageName: anxin.StageName(t.Stage, t.Language), OwnerName: t.OwnerName, ExpectedBy: t.ResolutionDue, Paused: !t.PausedAt.IsZero()}
	return out, nil
}

// InboundEmail turns a received email into a ticket, or into a message on
// the ticket it answers (by the number in its subject or the message ids it
// references). A sender who is not the ticket's contact or customer opens a
// new ticket instead of writing into someone else's. A redelivered message
// (same Message-ID) changes nothing.
func (s *Service) InboundEmail(ctx context.Context, in *mailin.Inbound) (*anxin.Ticket, error) {
	actor := anxin.Actor{Kind: "system", ID: "email", Name: "email intake", Role: anxin.RoleAdmin, Channel: "email"}
	from := strings.ToLower(strings.TrimSpace(in.From))
	if from == "" {
		return nil, &mailin.PermanentError{Err: fmt.Errorf("no sender address")}
	}
	if in.MessageID != "" {
		if t, err := s.DB.FindTicketBySource(ctx, nil, in.MessageID); err == nil {
			return t, nil
		}
		if seen, err := s.DB.EventWithSource(ctx, in.MessageID); err != nil {
			return nil, err
		} else if seen != "" {
			return s.DB.GetTicket(ctx, nil, seen)
		}
	}
	if in.Auto {
		return s.inboundAuto(ctx, actor, in)
	}
	body := strings.TrimSpace(in.Text)
	if utf8.RuneCountInString(body) > 20000 {
		body = string([]rune(body)[:20000])
	}
	if number := mailin.TicketNumber(in); number != "" {
		t, err := s.DB.GetTicket(ctx, nil, number)
		if err == nil && s.senderOf(ctx, t, from) {
			if body == "" {
				body = "（空白邮件）"
			}
			_, err := s.changeTicket(ctx, actor, t.Number, 0, func(c *change) error {
				return s.addMessage(ctx, c, MessageIn, body, anxin.ChannelEmail, map[string]any{"message_id": in.MessageID, "subject": in.Subject})
			})
			if err != nil {
				return nil, err
			}
			return t, s.attachInbound(ctx, actor, t.Number, in)
		}
	}
	subject := strings.TrimSpace(in.Subject)
	if subject == "" {
		subject = "（无主题邮件）"
	}
	if utf8.RuneCountInString(subject) > 200 {
		subject = string([]rune(subject)[:200])
	}
	t := &anxin.Ticket{Type: anxin.TypeEnquiry, Channel: anxin.ChannelEmail, Subject: subject, Description: body,
		Contact: anxin.Contact{Name: in.FromName, Email: from}, SourceRef: in.MessageID, Language: guessLanguage(subject + body)}
	if err := s.CreateTicket(ctx, actor, t, CreateOptions{}); err != nil {
		if anxin.ErrorCode(err) == anxin.EInvalid {
			return nil, &mailin.PermanentError{Err: err}
		}
		return nil, err
	}
	return t, s.attachInbound(ctx, actor, t.Number, in)
}

// inboundAuto records a machine's mail (an out-of-office reply, a bounce)
// as an internal note on the ticket it names, without reopening anything or
// answering it: answering a machine is how mail loops start. Mail of that
// kind that names no ticket is dropped.
func (s *Service) inboundAuto(ctx context.Context, actor anxin.Actor, in *mailin.Inbound) (*anxin.Ticket, error) {
	number := mailin.TicketNumber(in)
	if number == "" {
		return nil, nil
	}
	t, err := s.DB.GetTicket(ctx, nil, number)
	if err != nil {
		return nil, nil
	}
	_, err = s.changeTicket(ctx, actor, t.Number, 0, func(c *change) error {
		return s.addMessage(ctx, c, MessageNote, "自动回复邮件："+strings.TrimSpace(in.Subject), anxin.ChannelEmail, map[string]any{"message_id": in.MessageID})
	})
	return t, err
}

// senderOf reports whether an address may write into a ticket.
func (s *Service) senderOf(ctx context.Context, t *anxin.Ticket, from string) bool {
	if strings.EqualFold(t.Contact.Email, from) {
		return true
	}
	if t.CustomerID == "" {
		return false
	}
	c, err := s.DB.GetCustomer(ctx, nil, t.CustomerID)
	return err == nil && strings.EqualFold(c.Email, from)
}

// attachInbound keeps the documents an email carried; one the platform
// does not accept is noted on the timeline rather than failing the mail.
func (s *Service) attachInbound(ctx context.Context, actor anxin.Actor, number string, in *mailin.Inbound) error {
	for _, a := range in.Attachments {
		if _, err := s.AddAttachment(ctx, actor, number, a.Filename, "", a.Data); err != nil {
			if anxin.ErrorCode(err) != anxin.EInvalid {
				return err
			}
			_, err = s.changeTicket(ctx, actor, number, 0, func(c *change) error {
				return c.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: c.t.ID, CustomerID: c.t.CustomerID, Kind: anxin.EventNote,
					ActorKind: "system", ActorName: "email intake", Body: "附件未能接收：" + a.Filename + "（" + err.Error() + "）"})
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// guessLanguage answers in English only to a message with no Chinese in it.
func guessLanguage(s string) string {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return "zh"
		}
	}
	if strings.TrimSpace(s) == "" {
		return "zh"
	}
	return "en"
}
