package channels

import (
	"context"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
)

// maxUpdateAttempts is how many times an update whose processing keeps
// failing for a passing reason (the store unavailable) is tried before it
// is marked failed for an admin to retry.
const maxUpdateAttempts = 6

// statusGrace is how long a receipt naming a message Switchboard does not
// know is retried before it is taken for a message not sent through it.
const statusGrace = 2 * time.Minute

// errNotYet is a passing failure: the update is tried again later.
var errNotYet = models.Errorf(models.CodeUnavailable, "the message a receipt names is not recorded yet")

// processUpdate applies one stored update (job JobUpdate): its events go
// through the inbox's ingestion rules, each idempotent by an id derived
// from the update, so that a crash anywhere repeats nothing. An update
// that cannot be applied is kept, failed, with its error.
func (s *Service) processUpdate(ctx context.Context, job models.Job) jobs.Outcome {
	u, err := s.st.Updates.InboundUpdate(ctx, job.WS, job.ID)
	if models.IsNotFound(err) {
		return jobs.Finished()
	}
	if err != nil {
		return jobs.RetryAt(s.now().Add(jobs.Backoff(job.Claims, 0)))
	}
	if u.State != models.UpdatePending {
		return jobs.Finished()
	}
	err = s.apply(ctx, u)
	switch {
	case err == nil:
		return s.outcome(ctx, u, models.UpdateOutcome{State: models.UpdateDone, Attempts: job.Claims, At: s.now()})
	case errors.Is(err, errNotYet):
		return jobs.RetryAt(s.now().Add(min(jobs.Backoff(job.Claims, 0), statusGrace/4)))
	case permanent(err) || job.Claims >= maxUpdateAttempts:
		s.log.WarnContext(ctx, "an update could not be applied; kept as failed for an admin to retry",
			"bot_id", u.BotID, "update_id", u.ID, "error", err.Error())
		return s.outcome(ctx, u, models.UpdateOutcome{State: models.UpdateFailed, Error: problemText(err), Attempts: job.Claims, At: s.now()})
	default:
		return jobs.RetryAt(s.now().Add(jobs.Backoff(job.Claims, 0)))
	}
}

// outcome records an update's outcome and finishes its job.
func (s *Service) outcome(ctx context.Context, u *models.InboundUpdate, o models.UpdateOutcome) jobs.Outcome {
	if _, err := s.st.Updates.SetUpdateOutcome(ctx, u.WS, u.ID, o); err != nil {
		return jobs.RetryAt(s.now().Add(jobs.Backoff(o.Attempts, 0)))
	}
	return jobs.Finished()
}

// apply runs an update's events.
func (s *Service) apply(ctx context.Context, u *models.InboundUpdate) error {
	b, err := s.st.Bots.Bot(ctx, u.WS, u.BotID)
	if err != nil {
		return err
	}
	a := s.adapters[b.Channel]
	if a == nil {
		return models.Errorf(models.CodeConflict, "%s bots are not connected natively", b.Channel)
	}
	parsed, err := a.Parse(b, u)
	if err != nil {
		return models.Invalid("the update cannot be read", models.FieldError{Field: "raw", Message: err.Error()})
	}
	open := false // the chat was found open by the event before
	for _, ev := range s.withOpenings(b, parsed.Events) {
		if ev.Type == inbox.EventOpenChat && open {
			continue // the message found the chat open: nothing to open
		}
		res, err := s.inbox.Ingest(ctx, system(u.WS), b.ID, ev)
		if models.IsNotFound(err) && (ev.Type == inbox.EventStatus || ev.Type == inbox.EventReaction || ev.Type == inbox.EventEdit) {
			if ev.Type == inbox.EventStatus && s.now().Sub(u.ReceivedAt) < statusGrace {
				// The receipt may have overtaken the record of the send
				// it names (the messenger answers the send, then reports
				// it): try again shortly rather than lose it.
				return errNotYet
			}
			continue // about a message Switchboard does not have (not sent through it)
		}
		if err != nil {
			return err
		}
		open = res.ChatStatus == models.StatusOpen && !res.Duplicate
		if err := s.follow(ctx, b, ev, res); err != nil {
			return err
		}
	}
	if an, ok := a.(Answerer); ok {
		if err := an.Answer(ctx, b.Credentials, u); err != nil {
			s.log.DebugContext(ctx, "answering an update failed", "bot_id", b.ID, "error", err.Error())
		}
	}
	return nil
}

// withOpenings adds, after each subscriber message, the opening of the
// chat when the bot opens chats on every message (open_on message).
func (s *Service) withOpenings(b *models.Bot, evs []inbox.Event) []inbox.Event {
	if b.OpenOn != models.OpenOnMessage {
		return evs
	}
	out := make([]inbox.Event, 0, len(evs)+1)
	for _, ev := range evs {
		out = append(out, ev)
		if ev.Type == inbox.EventMessage {
			out = append(out, inbox.Event{ID: ev.ID + ":open", Type: inbox.EventOpenChat, At: ev.At, Subscriber: ev.Subscriber})
		}
	}
	return out
}

// follow queues the background work an applied event needs: its file's
// fetch, and a new subscriber's profile. These are queued after the
// event's own writes, so an event found applied already (an attempt that
// died, or whose queueing failed, before them) still has its fetch queued
// while its file is pending, and its subscriber's profile while they
// have none: else the file would stay pending, the avatar missing, for
// ever.
func (s *Service) follow(ctx context.Context, b *models.Bot, ev inbox.Event, res *inbox.EventResult) error {
	now := models.AtOnce
	if ev.Type == inbox.EventMessage && ev.Message != nil && ev.Message.File != nil && ev.Message.File.Pending {
		id := res.MessageID
		if res.Duplicate {
			m, err := s.st.Messages.MessageByExternalID(ctx, b.WS, b.ID, ev.Message.ExternalID)
			switch {
			case models.IsNotFound(err):
			case err != nil:
				return err
			case m.File != nil && m.File.Pending:
				id = m.ID
			}
		}
		if id != "" {
			if err := s.st.Jobs.QueueJob(ctx, models.JobFetch, id, b.WS, now); err != nil {
				return err
			}
		}
	}
	if _, ok := s.adapters[b.Channel].(Profiler); !ok {
		return nil
	}
	subID := ""
	switch {
	case !res.Duplicate && res.NewSubscriber:
		subID = res.SubscriberID
	case res.Duplicate && (ev.Type == inbox.EventMessage || ev.Type == inbox.EventSubscribed) && ev.Subscriber.ExternalID != "":
		// Whether the earlier attempt made the subscriber is not known:
		// one without a profile yet gets it fetched (again, at worst).
		id := models.SubscriberID(b.WS, b.ID, ev.Subscriber.ExternalID)
		sub, err := s.st.Subscribers.Subscriber(ctx, b.WS, id)
		if err != nil && !models.IsNotFound(err) {
			return err
		}
		if err == nil && sub.AvatarURL == "" && sub.TelegramGroup == nil {
			subID = id
		}
	}
	if subID != "" {
		if err := s.st.Jobs.QueueJob(ctx, models.JobProfile, subID, b.WS, now); err != nil {
			return err
		}
	}
	return nil
}

// permanent reports whether err will not pass by trying again.
func permanent(err error) bool {
	switch models.ErrorCode(err) {
	case models.CodeInvalid, models.CodeNotFound, models.CodeConflict, models.CodeForbidden:
		return true
	}
	return false
}

// problemText is an error's text for admins, without internals.
func problemText(err error) string {
	var ae *models.Error
	if !errors.As(err, &ae) || ae.Code == models.CodeInternal {
		return "internal error (see the server log)"
	}
	text := ae.Message
	for _, f := range ae.Fields {
		text += "; " + f.Field + " " + f.Message
	}
	return text
}

// Retry queues a failed update again (admins only).
func (s *Service) Retry(ctx context.Context, p models.Principal, botID, id string) (*models.InboundUpdate, error) {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return nil, models.Errorf(models.CodeForbidden, "your role may not retry updates")
	}
	u, err := s.st.Updates.InboundUpdate(ctx, p.WS, id)
	if err != nil || u.BotID != botID {
		return nil, models.NotFound("update")
	}
	if u.State != models.UpdateFailed {
		return nil, models.Errorf(models.CodeConflict, "only a failed update can be retried; this one is %s", u.State)
	}
	u, err = s.st.Updates.SetUpdateOutcome(ctx, p.WS, id, models.UpdateOutcome{State: models.UpdatePending, Error: u.Error, Attempts: u.Attempts, At: s.now()})
	if err != nil {
		return nil, err
	}
	s.runner.Wake()
	return u, nil
}

// Updates lists a bot's stored updates (admins only).
func (s *Service) Updates(ctx context.Context, p models.Principal, f models.UpdateFilter) ([]*models.InboundUpdate, error) {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return nil, models.Errorf(models.CodeForbidden, "your role may not read updates")
	}
	if _, err := s.st.Bots.Bot(ctx, p.WS, f.BotID); err != nil {
		return nil, err
	}
	return s.st.Updates.InboundUpdates(ctx, p.WS, f)
}
