package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// History pages a chat's history newest first, bot replies and timeline
// events included; Query searches its text.
func (s *Service) History(ctx context.Context, p models.Principal, f models.MessageFilter) ([]*models.Message, error) {
	if _, err := s.conversation(ctx, p, f.ConversationID); err != nil {
		return nil, err
	}
	return s.st.Messages.Messages(ctx, p.WS, f)
}

// SendInput is an agent's message.
type SendInput struct {
	Text    string
	ReplyTo string
	// Template names an approved WhatsApp template, allowed outside the window.
	Template string
	// Tag is a message tag; human_agent extends Messenger/Instagram to 7 days.
	Tag string
	// IdempotencyKey makes a retried send return the first message.
	IdempotencyKey string
	// ID, when set, is the id the app gave the message offline: a repeat
	// by the same agent into the same chat returns the first message.
	ID string
	// FileID attaches a file uploaded to this chat; Text is then an optional caption.
	FileID string
	// ConfirmPaid accepts a Viber send outside the reply window past the
	// month's free chatbot-initiated messages (Viber charges for it).
	ConfirmPaid bool
}

// Send stores an agent's message as queued for the channel, pauses the
// bot's automation for an hour and marks the chat read. A retry with the
// same Idempotency-Key returns the first message (replayed true).
func (s *Service) Send(ctx context.Context, p models.Principal, convID string, in SendInput) (msg *models.Message, replayed bool, err error) {
	if err := requireAgent(p, "reply to chats"); err != nil {
		return nil, false, err
	}
	c, r, err := s.settled(ctx, p, convID)
	if err != nil {
		return nil, false, err
	}
	if (in.Template == "" && in.FileID == "") || in.Text != "" {
		if err := CheckText("text", in.Text, MaxTextLen); err != nil {
			return nil, false, err
		}
	}
	var att *models.Attachment
	kind := models.KindText
	if in.FileID != "" {
		f, err := s.st.Files.FileRecord(ctx, p.WS, in.FileID)
		if err != nil || f.ConversationID != convID {
			return nil, false, models.Invalid("bad file", models.FieldError{Field: "file_id", Message: "is not a file uploaded to this chat"})
		}
		att = &models.Attachment{Name: f.Name, MimeType: f.MimeType, Size: f.Size, URL: "/v1/files/" + f.ID}
		kind = models.KindFile
		if strings.HasPrefix(f.MimeType, "image/") {
			kind = models.KindPhoto
		}
	}
	id, hash := models.NewID(), ""
	if in.ID != "" {
		if !models.ValidID(in.ID) {
			return nil, false, models.Invalid("bad id", models.FieldError{Field: "id", Message: "must be 1 to 64 letters, digits, '-' or '_'"})
		}
		if prev, err := s.st.Messages.Message(ctx, p.WS, in.ID); err == nil {
			if prev.AuthorID != p.MemberID || prev.ConversationID != convID {
				return nil, false, models.Errorf(models.CodeConflict, "a different message has this id")
			}
			return prev, true, nil
		} else if !models.IsNotFound(err) {
			return nil, false, err
		}
		id = in.ID
	} else if in.IdempotencyKey != "" {
		sum := sha256.Sum256([]byte(p.WS + "\x00" + p.MemberID + "\x00" + convID + "\x00" + in.IdempotencyKey))
		id = "a" + hex.EncodeToString(sum[:16])
		req := sha256.Sum256([]byte(in.Text + "\x00" + in.ReplyTo + "\x00" + in.Template + "\x00" + in.Tag + "\x00" + in.FileID))
		hash = hex.EncodeToString(req[:8])
		if prev, err := s.st.Messages.Message(ctx, p.WS, id); err == nil {
			if prev.RequestHash != hash {
				return nil, false, models.Errorf(models.CodeConflict, "this Idempotency-Key was used for a different message")
			}
			return prev, true, nil
		} else if !models.IsNotFound(err) {
			return nil, false, err
		}
	}
	sub, err := s.st.Subscribers.Subscriber(ctx, p.WS, c.SubscriberID)
	if err != nil {
		return nil, false, err
	}
	now := s.now().UTC()
	if err := CheckWindow(c.Channel, c.LastInboundAt, now, in.Template, in.Tag); err != nil {
		return nil, false, err
	}
	if c.Channel == models.ChannelViber && Outside(c.Channel, c.LastInboundAt, now) {
		if err := s.checkInitiated(ctx, c, now, in.ConfirmPaid); err != nil {
			return nil, false, err
		}
		in.Tag = InitiatedTag
	}
	if in.ReplyTo != "" {
		q, err := s.st.Messages.Message(ctx, p.WS, in.ReplyTo)
		if err != nil || q.ConversationID != c.ID {
			return nil, false, models.Invalid("bad quote", models.FieldError{Field: "reply_to", Message: "is not a message of this chat"})
		}
	}
	m := &models.Message{ID: id, ConversationID: c.ID, SubscriberID: c.SubscriberID, BotID: c.BotID,
		Sender: models.SenderAgent, AuthorID: p.MemberID, Kind: kind, Text: in.Text, File: att, ReplyTo: in.ReplyTo,
		Template: in.Template, Tag: in.Tag, Status: models.DeliveryQueued, RequestHash: hash, CreatedAt: now.Truncate(time.Millisecond)}
	// One operation: the chat's preview (and read mark) change with its
	// record, then the message is stored, counted, commanded to the engine
	// (the command carries the pause it causes: one command, not two) and
	// the automation paused. A retry after a failure half-way finishes it.
	pause := PausedUntil(sub.AutomationPausedUntil, now)
	op := &models.PendingOp{ID: opID(p.WS, c.ID, "send", m.ID), Kind: models.OpSend, Actor: p.MemberID, At: now, Message: m, PausedUntil: &pause}
	_, err = s.begin(ctx, c, op, models.ConversationUpdate{LastMessagePreview: ptr(Preview(m)), LastMessageAt: &m.CreatedAt,
		Activity: &m.CreatedAt, MarkRead: c.Unread || c.UnreadCount > 0}, r)
	if err != nil {
		return nil, false, err
	}
	stored, err := s.st.Messages.Message(ctx, p.WS, m.ID)
	if err != nil {
		return nil, false, err
	}
	if stored.RequestHash != hash || stored.AuthorID != p.MemberID {
		return nil, false, models.Errorf(models.CodeConflict, "a different message has this id")
	}
	if sub, err = s.st.Subscribers.Subscriber(ctx, p.WS, sub.ID); err != nil {
		return nil, false, err
	}
	return stored, false, nil
}

// checkInitiated warns before the Viber send outside the reply window that
// would pass the bot's free chatbot-initiated messages of the month: it
// is refused unless the agent confirmed it.
func (s *Service) checkInitiated(ctx context.Context, c *models.Conversation, now time.Time, confirmed bool) error {
	bot, err := s.st.Bots.Bot(ctx, c.WS, c.BotID)
	if err != nil {
		return err
	}
	if n := bot.Initiated[Month(now)]; n >= ViberFreeInitiated && !confirmed {
		return models.Invalid(fmt.Sprintf("the reply window closed: this Viber message would be chatbot-initiated message %d of %s, past the %d Viber sends free each month, so Viber charges for it",
			n+1, Month(now), ViberFreeInitiated), models.FieldError{Field: "confirm_paid", Message: "must be true to send it anyway"})
	}
	return nil
}

// sendSteps: the agent message is stored and counted, its send command
// recorded (under an id derived from the message's) and the automation
// paused.
func (s *Service) sendSteps(ctx context.Context, c *models.Conversation, op *models.PendingOp, r *opRun) error {
	if err := s.storeMessage(ctx, c, op, r); err != nil || op.Message == nil {
		return err
	}
	m := op.Message
	bot, err := s.runBot(ctx, c, r)
	if err != nil {
		return err
	}
	if bot.Native() && s.st.Jobs != nil {
		// Switchboard sends it itself: the send job commits with the
		// message where the store can, or is queued by the next attempt.
		if err := s.st.Jobs.QueueJob(ctx, models.JobSend, m.ID, c.WS, models.AtOnce); err != nil {
			return err
		}
		if err := s.after("send:queued"); err != nil {
			return err
		}
		return s.pause(ctx, c, op)
	}
	sum := sha256.Sum256([]byte("command\x00" + m.ID))
	cmd := &models.Command{ID: "c" + hex.EncodeToString(sum[:16]), Stamp: models.Stamp{WS: c.WS}, By: m.AuthorID, BotID: c.BotID, SubscriberID: c.SubscriberID,
		Kind: models.CommandSendMessage, MessageID: m.ID, Text: m.Text, PausedUntil: op.PausedUntil}
	if err := s.st.Flows.AddCommand(ctx, cmd); err != nil && models.ErrorCode(err) != models.CodeConflict {
		return err
	}
	if err := s.after("send:commanded"); err != nil {
		return err
	}
	return s.pause(ctx, c, op)
}

// pause records the automation pause an agent message causes.
func (s *Service) pause(ctx context.Context, c *models.Conversation, op *models.PendingOp) error {
	if op.PausedUntil != nil {
		if _, err := s.st.Subscribers.UpdateSubscriber(ctx, c.WS, c.SubscriberID, models.SubscriberUpdate{AutomationPausedUntil: ptr(op.PausedUntil)}); err != nil {
			return err
		}
		if err := s.after("send:paused"); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMessage deletes a bot's (or agent's) Telegram message, which the
// channel allows within 48 hours of sending.
func (s *Service) DeleteMessage(ctx context.Context, p models.Principal, convID, msgID string) error {
	if err := requireAgent(p, "delete messages"); err != nil {
		return err
	}
	c, err := s.conversation(ctx, p, convID)
	if err != nil {
		return err
	}
	m, err := s.st.Messages.Message(ctx, p.WS, msgID)
	if err != nil || m.ConversationID != c.ID {
		return models.NotFound("message")
	}
	switch {
	case c.Channel != models.ChannelTelegram:
		return models.Errorf(models.CodeConflict, "only Telegram lets bots delete their messages")
	case m.Sender != models.SenderBot && m.Sender != models.SenderAgent:
		return models.Errorf(models.CodeConflict, "only the bot's own messages can be deleted")
	case s.now().Sub(m.CreatedAt) > TelegramDeleteSpan:
		return models.Errorf(models.CodeConflict, "Telegram messages can be deleted within 48 hours of sending; this one is older")
	}
	bot, err := s.st.Bots.Bot(ctx, p.WS, c.BotID)
	if err != nil {
		return err
	}
	if bot.Native() && s.deleter != nil {
		sub, err := s.st.Subscribers.Subscriber(ctx, p.WS, c.SubscriberID)
		if err != nil {
			return err
		}
		if m.ExternalID != "" {
			if err := s.deleter(ctx, bot, sub, m); err != nil {
				return err
			}
		}
		return s.st.Messages.DeleteMessage(ctx, p.WS, msgID)
	}
	if err := s.st.Messages.DeleteMessage(ctx, p.WS, msgID); err != nil {
		return err
	}
	return s.command(ctx, p, &models.Command{BotID: c.BotID, SubscriberID: c.SubscriberID, Kind: models.CommandDeleteMessage,
		MessageID: m.ID, Text: m.ExternalID})
}

// RetrySend sends a failed agent or bot message again as a new message
// (the messenger gets a new send, never a replay of the failed one): its
// text, attachment and quote, under the usual rules. confirmPaid is
// Send's ConfirmPaid: a failed message was never counted, so a Viber
// retry past the month's free chatbot-initiated messages needs the
// agent's confirmation like any send.
func (s *Service) RetrySend(ctx context.Context, p models.Principal, convID, msgID string, confirmPaid bool) (*models.Message, error) {
	if err := requireAgent(p, "reply to chats"); err != nil {
		return nil, err
	}
	if _, err := s.conversation(ctx, p, convID); err != nil {
		return nil, err
	}
	m, err := s.st.Messages.Message(ctx, p.WS, msgID)
	if err != nil || m.ConversationID != convID {
		return nil, models.NotFound("message")
	}
	if m.Status != models.DeliveryFailed {
		return nil, models.Errorf(models.CodeConflict, "only a failed message can be retried; this one is %s", m.Status)
	}
	in := SendInput{Text: m.Text, ReplyTo: m.ReplyTo, Template: m.Template, IdempotencyKey: "retry:" + m.ID, ConfirmPaid: confirmPaid}
	if m.Tag == HumanAgentTag {
		in.Tag = m.Tag
	}
	if m.File != nil {
		in.FileID = strings.TrimPrefix(m.File.URL, "/v1/files/")
	}
	out, _, err := s.Send(ctx, p, convID, in)
	return out, err
}
