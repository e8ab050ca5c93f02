package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/anxin-insure/anxin"
	"github.com/anxin-insure/anxin/store"
)

// Checklist returns a ticket's document checklist.
func (s *Service) Checklist(ctx context.Context, actor anxin.Actor, number string) ([]anxin.ChecklistItem, error) {
	t, err := s.Ticket(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	return s.DB.Checklist(ctx, nil, t.ID)
}

// SetChecklistItem marks one document received, missing, or rejected with
// a reason the customer will be told.
func (s *Service) SetChecklistItem(ctx context.Context, actor anxin.Actor, number, code, status, reason string) ([]anxin.ChecklistItem, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch status {
	case anxin.ItemReceived, anxin.ItemMissing:
		reason = ""
	case anxin.ItemRejected:
		if utf8.RuneCountInString(reason) < 2 {
			return nil, fieldError("reason", "required", "say why the document is rejected; the customer is told", "请说明退回原因，将告知客户")
		}
	default:
		return nil, fieldError("status", "enum", "must be received, missing or rejected", "须为 received、missing 或 rejected")
	}
	var items []anxin.ChecklistItem
	_, err := s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		if err := c.tx.SetChecklistItem(ctx, c.t.ID, code, status, reason); err != nil {
			return err
		}
		c.audit = "checklist"
		if err := s.claimDocumentsChanged(ctx, c); err != nil {
			return err
		}
		var err error
		if items, err = s.DB.Checklist(ctx, c.tx, c.t.ID); err != nil {
			return err
		}
		return c.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: c.t.ID, CustomerID: c.t.CustomerID, Kind: anxin.EventChecklist,
			ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: reason, Data: map[string]any{"code": code, "status": status}})
	})
	return items, err
}

// NotifyMissing tells the customer, in one notice, every document still
// missing or rejected (with the reason), and puts the ticket in waiting so
// its clock stops while the customer gathers them.
func (s *Service) NotifyMissing(ctx context.Context, actor anxin.Actor, number string) ([]string, error) {
	if err := authorize(actor, anxin.PermTicketWrite); err != nil {
		return nil, err
	}
	var missing []string
	_, err := s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		items, err := s.DB.Checklist(ctx, c.tx, c.t.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			name := it.Name
			if c.t.Language == "en" && it.NameEN != "" {
				name = it.NameEN
			}
			switch it.Status {
			case anxin.ItemMissing:
				missing = append(missing, name)
			case anxin.ItemRejected:
				missing = append(missing, name+"（"+it.Reason+"）")
			}
		}
		if len(missing) == 0 {
			return anxin.Errorz(anxin.EConflict, "nothing is missing from the checklist", "材料清单已齐全，无需通知")
		}
		d := s.noticeData(c.t, "")
		d.Missing = missing
		used, err := s.notifyCustomer(ctx, c.tx, c.cfg, c.t, "documents_missing", d)
		if err != nil {
			return err
		}
		if len(used) == 0 {
			return anxin.Errorz(anxin.EConflict, "the customer has no email or mobile to notify", "客户没有可用于通知的邮箱或手机号")
		}
		c.audit = "notify_missing"
		if c.t.Stage == anxin.StageReceived {
			// Telling the customer what is missing is a response: the
			// ticket is acknowledged on the way to waiting.
			if err := s.move(ctx, c, anxin.StageAcknowledged, ""); err != nil {
				return err
			}
		}
		if anxin.CanMove(c.t.Stage, anxin.StageWaiting) {
			return s.move(ctx, c, anxin.StageWaiting, "")
		}
		return nil
	})
	return missing, err
}

// Attachment limits: what a phone photo or a scanned PDF needs, and types
// checked by content, not by the name the sender gave.
const MaxAttachmentBytes = 10 << 20

var attachmentTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf", "text/plain; charset=utf-8"}

// AddAttachment stores a document on a ticket: sealed, under the data
// directory, named by the SHA-256 of its content (the same document sent
// twice is stored once, and claims can spot one reused). itemCode, if set,
// marks that checklist item received.
func (s *Service) AddAttachment(ctx context.Context, actor anxin.Actor, number, filename, itemCode string, data []byte) (*anxin.Attachment, error) {
	if actor.Kind != "customer" {
		if err := authorize(actor, anxin.PermTicketWrite); err != nil {
			return nil, err
		}
	}
	filename = strings.TrimSpace(filepath.Base(strings.ReplaceAll(filename, "\\", "/")))
	if filename == "" || filename == "." || filename == "/" || utf8.RuneCountInString(filename) > 200 || !utf8.ValidString(filename) {
		return nil, fieldError("filename", "format", "give the file a name (at most 200 characters)", "请提供文件名（不超过 200 个字）")
	}
	if len(data) == 0 {
		return nil, fieldError("file", "required", "the file is empty", "文件为空")
	}
	if len(data) > MaxAttachmentBytes {
		return nil, fieldError("file", "too_large", "at most 10 MB", "不超过 10 MB")
	}
	ct := http.DetectContentType(data)
	if !slices.Contains(attachmentTypes, ct) {
		return nil, fieldError("file", "type", "only JPEG, PNG, GIF, WebP, PDF or plain text files are accepted (this one is "+ct+")", "仅接受 JPEG、PNG、GIF、WebP、PDF 或纯文本文件")
	}
	// The ticket must be the actor's to see before anything is written.
	if _, err := s.Ticket(ctx, actor, number); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if err := s.storeFile(hash, data); err != nil {
		return nil, err
	}
	a := &anxin.Attachment{SHA256: hash, Filename: filename, ContentType: ct, Size: int64(len(data)), ItemCode: itemCode, UploadedBy: actorLabel(actor)}
	_, err := s.changeTicket(ctx, actor, number, 0, func(c *change) error {
		if err := s.attach(ctx, c, a); err != nil {
			return err
		}
		return s.claimDocumentsChanged(ctx, c)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// attach records a stored document on the ticket of c: the attachment, its
// checklist item received, the timeline entry; a customer's document
// brings a ticket waiting on them back into progress.
func (s *Service) attach(ctx context.Context, c *change, a *anxin.Attachment) error {
	actor := c.actor
	a.TicketID = c.t.ID
	if err := c.tx.AddAttachment(ctx, a); err != nil {
		return err
	}
	if a.ItemCode != "" {
		if err := c.tx.SetChecklistItem(ctx, c.t.ID, a.ItemCode, anxin.ItemReceived, ""); anxin.ErrorCode(err) == anxin.ENotFound {
			return fieldError("item_code", "unknown", "is not on the checklist", "不在材料清单中")
		} else if err != nil {
			return err
		}
	}
	c.audit = "attachment"
	if err := c.tx.AddTicketEvent(ctx, &anxin.TicketEvent{TicketID: c.t.ID, CustomerID: c.t.CustomerID, Kind: anxin.EventDocument,
		ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, Body: a.Filename,
		Data: map[string]any{"attachment_id": a.ID, "size": a.Size, "content_type": a.ContentType, "item": a.ItemCode}}); err != nil {
		return err
	}
	if actor.Kind == "customer" && c.t.Stage == anxin.StageWaiting {
		return s.move(ctx, c, anxin.StageInProgress, "")
	}
	return nil
}

func (s *Service) filePath(hash string) string {
	return filepath.Join(s.Files, hash[:2], hash)
}

// storeFile writes the sealed content once; an existing file with that
// name already holds it.
func (s *Service) storeFile(hash string, data []byte) error {
	if s.Files == "" {
		return fmt.Errorf("no attachment directory configured")
	}
	path := s.filePath(hash)
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(s.DB.SealValue(string(data))); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Attachments lists a ticket's documents.
func (s *Service) Attachments(ctx context.Context, actor anxin.Actor, number string) ([]anxin.Attachment, error) {
	t, err := s.Ticket(ctx, actor, number)
	if err != nil {
		return nil, err
	}
	return s.DB.Attachments(ctx, t.ID)
}

// AttachmentContent returns one document, to whoever may see its ticket.
func (s *Service) AttachmentContent(ctx context.Context, actor anxin.Actor, number, id string) (*anxin.Attachment, []byte, error) {
	as, err := s.Attachments(ctx, actor, number)
	if err != nil {
		return nil, nil, err
	}
	for i := range as {
		if as[i].ID != id {
			continue
		}
		sealed, err := os.ReadFile(s.filePath(as[i].SHA256))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, anxin.Errorz(anxin.ENotFound, "the document's file is missing from storage", "文件已不在存储中")
		}
		if err != nil {
			return nil, nil, err
		}
		plain, err := s.DB.OpenValue(string(sealed))
		if err != nil {
			return nil, nil, err
		}
		if err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			r := AuditFor(actor, "attachment", id, "read")
			r.Detail = number
			return record(ctx, tx, r)
		}); err != nil {
			return nil, nil, err
		}
		return &as[i], []byte(plain), nil
	}
	return nil, nil, anxin.Errorz(anxin.ENotFound, "no such document on this ticket", "该工单没有此文件")
}
