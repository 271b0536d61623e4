package channels

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
)

// sendGiveUp bounds how long a send that keeps failing for a passing
// reason is retried, from the message's writing; after it the message is
// failed ("unavailable … gave up"). A queued message older than this no
// longer holds the chat's later ones (see held).
const sendGiveUp = 30 * time.Minute

// holdFor is how long a message waits behind an older one of its chat
// before it looks again.
const holdFor = time.Second

// orderDepth is how many earlier messages of the chat a send looks
// through for one still queued.
const orderDepth = 20

// send delivers one queued message natively (job JobSend) and moves its
// status: sent with the messenger's id, or failed with the messenger's
// reason. A message waits while an earlier one of its chat is queued
// (held), so a chat's replies arrive in order. A passing failure is
// retried with backoff (never sooner than the messenger's retry_after)
// for sendGiveUp; a permanent one is never retried. A process
// that dies after the messenger accepted the message and before its
// status was written sends it again on the retry: the messengers have no
// idempotency key, so at-least-once is the best any sender can do.
func (s *Service) send(ctx context.Context, job models.Job) jobs.Outcome {
	m, err := s.st.Messages.Message(ctx, job.WS, job.ID)
	if models.IsNotFound(err) {
		return jobs.Finished() // deleted before it was sent
	}
	if err != nil {
		return s.later(job, 0)
	}
	if m.Status != models.DeliveryQueued {
		return jobs.Finished()
	}
	b, err := s.st.Bots.Bot(ctx, job.WS, m.BotID)
	if models.IsNotFound(err) {
		return s.fail(ctx, m, "bot_deleted: the bot was deleted")
	}
	if err != nil {
		return s.later(job, 0)
	}
	a := s.adapters[b.Channel]
	if !b.Native() || a == nil {
		return jobs.Finished() // the engine's to deliver
	}
	if c := b.Connection; c == nil || c.State == models.ConnDisconnected {
		return s.fail(ctx, m, "bot_disconnected: the bot is disconnected; reconnect it and retry the message")
	} else if c.State == models.ConnBroken {
		return s.fail(ctx, m, "unauthorized: "+platformName[b.Channel]+" refused the bot's credentials ("+c.LastError+"); reconnect it and retry the message")
	}
	if wait, err := s.held(ctx, m); err != nil {
		return s.later(job, 0)
	} else if wait {
		return jobs.RetryAt(s.now().Add(holdFor))
	}
	out, err := s.outgoing(ctx, b, m)
	if err != nil {
		if permanent(err) {
			return s.fail(ctx, m, "bad_request: "+problemText(err))
		}
		return s.later(job, 0)
	}
	ext, err := a.Send(ctx, b.Credentials, *out)
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			ce = &Error{Reason: "unavailable", Description: err.Error()}
		}
		switch {
		case ce.Revoked:
			s.broken(ctx, b, ce)
			return s.fail(ctx, m, ce.Error())
		case ce.Permanent:
			return s.fail(ctx, m, ce.Error())
		case s.now().Sub(m.CreatedAt) >= sendGiveUp:
			return s.fail(ctx, m, fmt.Sprintf("%s (gave up after %d attempts in %v)", ce.Error(), job.Claims, sendGiveUp))
		}
		return s.later(job, ce.RetryAfter)
	}
	// A chatbot-initiated message is counted with its status where the
	// store has transactions, and before it where it has not: a crash
	// between the two then counts it twice at worst, never lets a paid
	// send pass unwarned.
	err = s.atomic(ctx, func(ctx context.Context) error {
		if m.Tag == inbox.InitiatedTag {
			if _, err := s.st.Bots.UpdateBot(ctx, job.WS, b.ID, models.BotUpdate{CountInitiated: inbox.Month(m.CreatedAt)}); err != nil {
				return err
			}
		}
		sent := models.DeliverySent
		_, err := s.st.Messages.UpdateMessage(ctx, job.WS, m.ID, models.MessageUpdate{Status: &sent, ExternalID: &ext})
		return err
	})
	if err != nil {
		s.log.WarnContext(ctx, "recording a sent message failed; it may be sent again", "message_id", m.ID, "error", err.Error())
		return s.later(job, 0)
	}
	s.nudgeNext(ctx, m)
	return jobs.Finished()
}

// held reports whether an earlier outbound message of m's chat is still
// queued (and younger than sendGiveUp): m then waits for it, so that the
// subscriber reads a chat's replies in the order they were written, even
// when the earlier one is being retried.
func (s *Service) held(ctx context.Context, m *models.Message) (bool, error) {
	earlier, err := s.st.Messages.Messages(ctx, m.WS, models.MessageFilter{ConversationID: m.ConversationID, Before: m.ID, Limit: orderDepth})
	if err != nil {
		return false, err
	}
	for _, e := range earlier {
		if e.Status == models.DeliveryQueued && e.Sender != models.SenderSubscriber && s.now().Sub(e.CreatedAt) < sendGiveUp {
			return true, nil
		}
	}
	return false, nil
}

// nudgeNext makes the send of the next queued message of m's chat due at
// once: it waits (held) for m, which is no longer queued. On failure it
// looks again after holdFor anyway.
func (s *Service) nudgeNext(ctx context.Context, m *models.Message) {
	later, err := s.st.Messages.Messages(ctx, m.WS, models.MessageFilter{ConversationID: m.ConversationID, After: m.ID, Limit: orderDepth})
	if err != nil {
		return
	}
	for i := len(later) - 1; i >= 0; i-- { // oldest first
		if e := later[i]; e.Status == models.DeliveryQueued && e.Sender != models.SenderSubscriber {
			if err := s.st.Jobs.QueueJob(ctx, models.JobSend, e.ID, m.WS, models.AtOnce); err != nil {
				s.log.WarnContext(ctx, "nudging the next send failed; it looks again soon", "message_id", e.ID, "error", err.Error())
			}
			return
		}
	}
}

// atomic runs fn in one transaction where the store offers one.
func (s *Service) atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	if a, ok := s.st.Messages.(models.Atomic); ok {
		return a.Atomically(ctx, fn)
	}
	return fn(ctx)
}

func (s *Service) later(job models.Job, retryAfter time.Duration) jobs.Outcome {
	return jobs.RetryAt(s.now().Add(jobs.Backoff(job.Claims, retryAfter)))
}

// fail marks m failed with reason ("<code>: <the messenger's words>").
func (s *Service) fail(ctx context.Context, m *models.Message, reason string) jobs.Outcome {
	failed := models.DeliveryFailed
	if _, err := s.st.Messages.UpdateMessage(ctx, m.WS, m.ID, models.MessageUpdate{Status: &failed, Error: &reason}); err != nil {
		return jobs.RetryAt(s.now().Add(time.Second))
	}
	s.nudgeNext(ctx, m)
	return jobs.Finished()
}

// outgoing builds what the adapter sends for m.
func (s *Service) outgoing(ctx context.Context, b *models.Bot, m *models.Message) (*Outgoing, error) {
	sub, err := s.st.Subscribers.Subscriber(ctx, m.WS, m.SubscriberID)
	if err != nil {
		return nil, err
	}
	out := &Outgoing{ChatID: sub.ExternalID, Text: m.Text, SenderName: b.Name}
	if m.AuthorID != "" {
		if mem, err := s.st.Members.Member(ctx, m.WS, m.AuthorID); err == nil && mem.Name != "" {
			out.SenderName = mem.Name
		}
	}
	if m.ReplyTo != "" {
		if q, err := s.st.Messages.Message(ctx, m.WS, m.ReplyTo); err == nil {
			out.ReplyTo = q.ExternalID
		}
	}
	if m.File != nil {
		id := strings.TrimPrefix(m.File.URL, "/v1/files/")
		f, err := s.st.Files.FileRecord(ctx, m.WS, id)
		if err != nil {
			return nil, err
		}
		out.File = &OutgoingFile{Name: f.Name, MimeType: f.MimeType, Size: f.Size, Photo: m.Kind == models.KindPhoto,
			Open: func(ctx context.Context) (io.ReadCloser, error) { return s.openFile(ctx, m.WS, f.ID), nil }}
		if s.hooks != "" {
			out.File.URL = s.MediaURL(m.WS, f.ID, s.now().Add(MediaURLTTL))
		}
	}
	return out, nil
}

// openFile streams a stored file's bytes.
func (s *Service) openFile(ctx context.Context, ws, id string) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.st.Files.OpenFile(ctx, ws, id, pw)) }()
	return pr
}

// deleteOnMessenger deletes a sent message of a native bot on the
// messenger (the inbox's Deleter); a refusal is the agent's to see.
func (s *Service) deleteOnMessenger(ctx context.Context, b *models.Bot, sub *models.Subscriber, m *models.Message) error {
	a := s.adapters[b.Channel]
	if a == nil {
		return nil
	}
	err := a.Delete(ctx, b.Credentials, sub.ExternalID, m.ExternalID)
	var ce *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce) && ce.Revoked:
		s.broken(ctx, b, ce)
		return models.Errorf(models.CodeConflict, "%s refused the bot's credentials; reconnect the bot", platformName[b.Channel])
	case ce != nil && ce.Permanent:
		return models.Errorf(models.CodeConflict, "%s refused to delete the message: %s", platformName[b.Channel], ce.Description)
	}
	return models.Errorf(models.CodeUnavailable, "%s could not be reached; try again", platformName[b.Channel])
}
