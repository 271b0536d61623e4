package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// EventType is what the bot engine or a messenger adapter reports.
type EventType string

// Event types.
const (
	EventSubscribed   EventType = "subscribed"
	EventUnsubscribed EventType = "unsubscribed"
	EventMessage      EventType = "message"     // the subscriber wrote (text, file, photo, button, story mention)
	EventBotMessage   EventType = "bot_message" // the bot replied
	EventStatus       EventType = "status"      // sent / delivered / read of an outbound message
	EventReaction     EventType = "reaction"    // the subscriber reacted to a message
	EventOpenChat     EventType = "open_chat"   // the flow reached standard reply or an Action/Open-chat element
	EventEdit         EventType = "edit"        // the subscriber edited a message (Message names it by ExternalID)
)

// Event is one report of the bot engine about one subscriber of one bot.
type Event struct {
	ID         string // the sender's id for the event: redeliveries repeat it
	Type       EventType
	At         time.Time
	Subscriber SubscriberInfo
	Message    *InboundMessage
	Status     *StatusChange
	Reaction   *Reaction
}

// SubscriberInfo identifies the subscriber and carries what the channel knows.
type SubscriberInfo struct {
	ExternalID string
	models.SubscriberProfile
}

// InboundMessage is a message written by the subscriber or the bot.
type InboundMessage struct {
	ExternalID string
	Kind       models.MessageKind
	Text       string
	File       *models.Attachment
	// ReplyToExternalID quotes an earlier message by the channel's id.
	ReplyToExternalID string
	Referral          *models.Referral
	Location          *models.Location
	Contact           *models.Contact
}

// StatusChange moves an outbound message on; it names the message by the
// channel's id or by Switchboard's.
type StatusChange struct {
	MessageID         string
	MessageExternalID string
	Status            models.DeliveryStatus
	// Error is the messenger's reason of a failed delivery.
	Error string
}

// Reaction is an emoji on a message.
type Reaction struct {
	MessageID         string
	MessageExternalID string
	Emoji             string
}

// EventResult says what ingesting an event did.
type EventResult struct {
	Duplicate bool
	// NewSubscriber says the event brought a subscriber never seen before.
	NewSubscriber  bool
	SubscriberID   string
	ConversationID string
	// ChatStatus is the chat's status once the event applied.
	ChatStatus models.ConversationStatus
	MessageID  string
	// Replies are bot messages Switchboard queued in answer (greeting,
	// auto-reply) for the engine to deliver.
	Replies []*models.Message
}

// eventMessageID derives a message id from the event, so that a
// redelivery, even after a crash half-way, cannot create a second message.
func eventMessageID(ws, botID, eventID, suffix string) string {
	sum := sha256.Sum256([]byte(ws + "\x00" + botID + "\x00" + eventID + "\x00" + suffix))
	return "e" + hex.EncodeToString(sum[:16])
}

// Ingest applies one event of bot botID. It is idempotent by event id: a
// redelivery of an event that was applied changes nothing, and one of an
// event whose application stopped half-way (a process that died) finishes
// it, each write once (see PendingOp).
func (s *Service) Ingest(ctx context.Context, p models.Principal, botID string, ev Event) (*EventResult, error) {
	bot, err := s.st.Bots.Bot(ctx, p.WS, botID)
	if err != nil {
		return nil, err
	}
	if p.IsMember() {
		return nil, forbidden("report bot events (use an API key)")
	}
	key := p.WS + ":" + botID + ":" + ev.ID
	defer s.events.Lock(key)() // two deliveries of one event at once apply it once
	if done, err := s.st.Events.EventProcessed(ctx, key); err != nil {
		return nil, err
	} else if done {
		return &EventResult{Duplicate: true}, nil
	}
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	ev.At = ev.At.UTC().Truncate(time.Millisecond)
	in := &ingest{s: s, bot: bot, ev: ev, res: &EventResult{}, run: &opRun{bot: bot}}
	if err := in.check(ctx); err != nil {
		return nil, err
	}
	// The event's writes and its record commit together where the store
	// can (see atomic).
	err = s.atomic(ctx, func(ctx context.Context) error {
		if err := in.apply(ctx); err != nil {
			return err
		}
		if err := s.after("event:applied"); err != nil {
			return err
		}
		return s.st.Events.RecordEvent(ctx, p.WS, key)
	})
	if err != nil {
		return nil, err
	}
	return in.res, nil
}

// ingest is the work of one event.
type ingest struct {
	s    *Service
	bot  *models.Bot
	ev   Event
	sub  *models.Subscriber
	conv *models.Conversation
	res  *EventResult
	// about is the message a status or reaction event names.
	about *models.Message
	run   *opRun
}

func (in *ingest) ws() string { return in.bot.WS }

// check refuses a malformed event, or one about an unknown message, before
// anything is written: a refused event leaves no trace.
func (in *ingest) check(ctx context.Context) error {
	ev := in.ev
	need := func(ok bool, field string) error {
		if ok {
			return nil
		}
		return models.Invalid(string(ev.Type)+" events need a "+field, models.FieldError{Field: field, Message: "is required"})
	}
	switch ev.Type {
	case EventSubscribed, EventUnsubscribed, EventOpenChat:
	case EventMessage, EventBotMessage:
		return need(ev.Message != nil, "message")
	case EventEdit:
		if err := need(ev.Message != nil && ev.Message.ExternalID != "", "message"); err != nil {
			return err
		}
		m, err := in.target(ctx, "", ev.Message.ExternalID)
		in.about = m
		return err
	case EventStatus:
		if err := need(ev.Status != nil, "status"); err != nil {
			return err
		}
		m, err := in.target(ctx, ev.Status.MessageID, ev.Status.MessageExternalID)
		in.about = m
		return err
	case EventReaction:
		if err := need(ev.Reaction != nil, "reaction"); err != nil {
			return err
		}
		m, err := in.target(ctx, ev.Reaction.MessageID, ev.Reaction.MessageExternalID)
		in.about = m
		return err
	default:
		return models.Invalid("unknown event type", models.FieldError{Field: "type", Message: "is not a known event type"})
	}
	return nil
}

// apply does the event's work: the subscriber, their chat (finishing
// what it has pending), then what the event says.
func (in *ingest) apply(ctx context.Context) error {
	if err := in.subscriber(ctx); err != nil {
		return err
	}
	if err := in.s.after("event:subscriber"); err != nil {
		return err
	}
	welcome := &models.PendingOp{ID: opID(in.ws(), in.bot.ID, in.ev.ID, string(models.OpWelcome)), Kind: models.OpWelcome, At: in.ev.At, Event: in.ev.ID}
	in.run.sub = in.sub
	conv, err := in.s.ensureConversation(ctx, in.bot, in.sub, welcome, in.run)
	if err != nil {
		return err
	}
	if in.conv, err = in.s.settle(ctx, conv, in.run); err != nil {
		return err
	}
	in.res.SubscriberID, in.res.ConversationID = in.sub.ID, in.conv.ID
	switch in.ev.Type {
	case EventSubscribed, EventUnsubscribed:
	case EventMessage:
		err = in.message(ctx, models.SenderSubscriber)
	case EventBotMessage:
		err = in.message(ctx, models.SenderBot)
	case EventStatus:
		err = in.status(ctx)
	case EventReaction:
		err = in.reaction(ctx)
	case EventEdit:
		err = in.edit(ctx)
	default: // EventOpenChat; check refused the rest
		err = in.open(ctx)
	}
	in.res.Replies = append(in.res.Replies, in.run.replies...)
	if in.conv != nil {
		in.res.ChatStatus = in.conv.Status
	}
	return err
}

// subscriber upserts the subscriber from the event. A new one is created
// with everything the event says, so it needs no update.
func (in *ingest) subscriber(ctx context.Context) error {
	info := in.ev.Subscriber
	profile := info.SubscriberProfile
	if in.ev.Type == EventMessage && in.ev.Message.Referral != nil {
		profile.Referral = in.ev.Message.Referral
	}
	fresh := &models.Subscriber{ID: models.SubscriberID(in.ws(), in.bot.ID, info.ExternalID), BotID: in.bot.ID,
		Channel: in.bot.Channel, ExternalID: info.ExternalID, Name: profile.Name, Username: profile.Username,
		AvatarURL: profile.AvatarURL, Phone: profile.Phone, Email: profile.Email, Variables: profile.Variables,
		Instagram: profile.Instagram, TelegramGroup: profile.TelegramGroup, Referral: profile.Referral,
		Subscribed: in.ev.Type != EventUnsubscribed, SubscribedAt: &in.ev.At, LastActivityAt: &in.ev.At,
		Stamp: models.Stamp{WS: in.ws()}}
	if in.ev.Type == EventMessage {
		fresh.LastInboundAt = &in.ev.At
	}
	sub, created, err := in.s.st.Subscribers.EnsureSubscriber(ctx, fresh)
	if err != nil || created {
		in.sub, in.res.NewSubscriber = sub, created
		return err
	}
	upd := models.SubscriberUpdate{}
	if g, kept := profile.TelegramGroup, sub.TelegramGroup; g != nil && kept != nil {
		// An update names the group; its counts come from the messenger's
		// profile, fetched apart: what the update leaves out is kept.
		merged := *g
		if merged.MembersCount == 0 {
			merged.MembersCount = kept.MembersCount
		}
		if merged.InviteLink == "" {
			merged.InviteLink = kept.InviteLink
		}
		profile.TelegramGroup = &merged
	}
	if profileChanges(sub, &profile) {
		upd.Profile = &profile
	}
	switch in.ev.Type {
	case EventSubscribed:
		upd.Subscribed, upd.SubscribedAt = ptr(true), &in.ev.At
	case EventUnsubscribed:
		upd.Subscribed = ptr(false)
	}
	// The last inbound time is exact (apps show it and sync it); the
	// activity time of other events is kept to the minute, so that a bot's
	// own messages do not rewrite the subscriber each time.
	if in.ev.Type == EventMessage && later(sub.LastInboundAt, in.ev.At) {
		upd.LastInboundAt = &in.ev.At
	}
	if stale(sub.LastActivityAt, in.ev.At) || upd.LastInboundAt != nil && later(sub.LastActivityAt, in.ev.At) {
		upd.LastActivityAt = &in.ev.At
	}
	in.sub = sub
	if upd.Profile != nil || upd.Subscribed != nil || upd.LastActivityAt != nil || upd.LastInboundAt != nil {
		in.sub, err = in.s.st.Subscribers.UpdateSubscriber(ctx, in.ws(), sub.ID, upd)
	}
	return err
}

// later reports whether at is after the stored time (or none is stored).
func later(stored *time.Time, at time.Time) bool {
	return stored == nil || at.After(*stored)
}

// stale reports whether a stored activity time is over a minute behind at.
func stale(stored *time.Time, at time.Time) bool {
	return stored == nil || at.Sub(*stored) >= time.Minute
}

// profileChanges reports whether the event's profile says anything new.
func profileChanges(s *models.Subscriber, p *models.SubscriberProfile) bool {
	for _, c := range [][2]string{{p.Name, s.Name}, {p.Username, s.Username}, {p.AvatarURL, s.AvatarURL}, {p.Phone, s.Phone}, {p.Email, s.Email}} {
		if c[0] != "" && c[0] != c[1] {
			return true
		}
	}
	for k, v := range p.Variables {
		if s.Variables[k] != v {
			return true
		}
	}
	return (p.Instagram != nil && (s.Instagram == nil || *p.Instagram != *s.Instagram)) ||
		(p.TelegramGroup != nil && (s.TelegramGroup == nil || *p.TelegramGroup != *s.TelegramGroup)) ||
		(p.Referral != nil && (s.Referral == nil || *p.Referral != *s.Referral))
}

// message applies a subscriber or bot message as one operation: the
// chat's preview, activity and unread count change with the record of the
// operation, then the message is stored and counted; a subscriber message
// reopens a closed chat in the same first write.
func (in *ingest) message(ctx context.Context, sender models.Sender) error {
	m := in.newMessage(ctx, in.ev.Message, sender)
	in.res.MessageID = m.ID
	if _, err := in.s.st.Messages.Message(ctx, in.ws(), m.ID); err == nil {
		return nil // applied: the chat had it pending no more (settled above)
	} else if !models.IsNotFound(err) {
		return err
	}
	if err := in.s.after("message:checked"); err != nil {
		return err
	}
	if sender == models.SenderBot {
		m.Status = models.DeliverySent
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Millisecond)
	for attempt := 0; ; attempt++ {
		op := &models.PendingOp{ID: opID(in.ws(), in.bot.ID, in.ev.ID, string(models.OpMessage)), Kind: models.OpMessage,
			At: in.ev.At, Event: in.ev.ID, Message: m}
		upd := models.ConversationUpdate{LastMessagePreview: ptr(Preview(m)), LastMessageAt: &m.CreatedAt, Activity: &m.CreatedAt}
		if sender == models.SenderSubscriber {
			upd.AddUnread, upd.LastInboundAt = true, &m.CreatedAt
			if in.conv.Status == models.StatusClosed && attempt == 0 {
				op.Reopen = true
				upd.Status, upd.ExpectStatus = ptr(models.StatusOpen), models.StatusClosed
			}
		}
		conv, err := in.s.begin(ctx, in.conv, op, upd, in.run)
		if models.IsNotFound(err) && op.Reopen {
			// Reopened (or otherwise changed) meanwhile: apply it as it is now.
			if in.conv, err = in.s.st.Conversations.Conversation(ctx, in.ws(), in.conv.ID); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		in.conv = conv
		return nil
	}
}

func (in *ingest) newMessage(ctx context.Context, im *InboundMessage, sender models.Sender) *models.Message {
	kind := im.Kind
	if kind == "" {
		kind = models.KindText
	}
	m := &models.Message{ID: eventMessageID(in.ws(), in.bot.ID, in.ev.ID, "message"), ConversationID: in.conv.ID,
		SubscriberID: in.sub.ID, BotID: in.bot.ID, Sender: sender, Kind: kind, Text: im.Text, File: im.File,
		ExternalID: im.ExternalID, Referral: im.Referral, Location: im.Location, Contact: im.Contact, CreatedAt: in.ev.At}
	if im.ReplyToExternalID != "" {
		if q, err := in.s.st.Messages.MessageByExternalID(ctx, in.ws(), in.bot.ID, im.ReplyToExternalID); err == nil {
			m.ReplyTo = q.ID
		}
	}
	return m
}

// target finds the message a status or reaction is about.
func (in *ingest) target(ctx context.Context, id, externalID string) (*models.Message, error) {
	if id != "" {
		m, err := in.s.st.Messages.Message(ctx, in.ws(), id)
		if err == nil && m.BotID != in.bot.ID {
			return nil, models.NotFound("message")
		}
		return m, err
	}
	return in.s.st.Messages.MessageByExternalID(ctx, in.ws(), in.bot.ID, externalID)
}

func (in *ingest) status(ctx context.Context) error {
	st, m := in.ev.Status, in.about
	in.res.MessageID = m.ID
	if m.Sender == models.SenderSubscriber {
		return nil // a messenger's receipt of the subscriber's own message (Viber sends them)
	}
	if st.Status.Rank() <= m.Status.Rank() {
		return nil // a late "delivered" never undoes "read"
	}
	upd := models.MessageUpdate{Status: &st.Status}
	if st.Status == models.DeliveryFailed && st.Error != "" {
		upd.Error = &st.Error
	}
	_, err := in.s.st.Messages.UpdateMessage(ctx, in.ws(), m.ID, upd)
	return err
}

// edit applies the subscriber's new text to their message.
func (in *ingest) edit(ctx context.Context) error {
	m := in.about
	in.res.MessageID = m.ID
	if m.Sender != models.SenderSubscriber || m.Text == in.ev.Message.Text {
		return nil
	}
	_, err := in.s.st.Messages.UpdateMessage(ctx, in.ws(), m.ID, models.MessageUpdate{Text: &in.ev.Message.Text, EditedAt: &in.ev.At})
	return err
}

func (in *ingest) reaction(ctx context.Context) error {
	r, m := in.ev.Reaction, in.about
	in.res.MessageID = m.ID
	reactions := []string{}
	if r.Emoji != "" {
		reactions = []string{r.Emoji} // a subscriber has one reaction per message; "" removes it
	}
	_, err := in.s.st.Messages.UpdateMessage(ctx, in.ws(), m.ID, models.MessageUpdate{Reactions: &reactions})
	return err
}

// open applies "open chat": a first opening assigns by round-robin; a
// closed chat reopens to the same manager; an open chat stays as it is.
func (in *ingest) open(ctx context.Context) error {
	var err error
	switch in.conv.Status {
	case models.StatusOpen:
		return nil
	case models.StatusClosed:
		in.conv, err = in.s.reopenChat(ctx, in.bot, in.conv, "", in.ev.At, in.ev.ID, in.run)
	default:
		in.conv, err = in.s.openChat(ctx, in.bot, in.conv, "", in.ev.At, in.ev.ID, in.run)
	}
	return err
}
