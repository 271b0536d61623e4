package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

type eventRequest struct {
	ID         string          `json:"id" validate:"required,max=200"`
	Type       inbox.EventType `json:"type" validate:"required,oneof=subscribed unsubscribed message bot_message status reaction open_chat"`
	At         *time.Time      `json:"at"`
	Subscriber eventSubscriber `json:"subscriber" validate:"required"`
	Message    *eventMessage   `json:"message"`
	Status     *eventStatus    `json:"status"`
	Reaction   *eventReaction  `json:"reaction"`
}

type eventSubscriber struct {
	ID            string                 `json:"id" validate:"required,max=200"`
	Name          string                 `json:"name" validate:"max=200"`
	Username      string                 `json:"username" validate:"max=200"`
	AvatarURL     string                 `json:"avatar_url" validate:"omitempty,url,max=2048"`
	Phone         string                 `json:"phone" validate:"max=50"`
	Email         string                 `json:"email" validate:"omitempty,email,max=254"`
	Variables     map[string]string      `json:"variables" validate:"omitempty,max=100,dive,keys,min=1,max=64,excludesall=.$,endkeys,max=2000"`
	Instagram     *models.InstagramFlags `json:"instagram"`
	TelegramGroup *models.TelegramGroup  `json:"telegram_group"`
}

type eventMessage struct {
	ID       string             `json:"id" validate:"max=200"`
	Kind     models.MessageKind `json:"kind" validate:"omitempty,oneof=text file photo button story_mention audio voice video sticker location contact"`
	Text     string             `json:"text" validate:"max=4096"`
	File     *models.Attachment `json:"file"`
	ReplyTo  string             `json:"reply_to" validate:"max=200"`
	Referral *models.Referral   `json:"referral"`
	Location *eventLocation     `json:"location"`
	Contact  *eventContact      `json:"contact"`
}

type eventLocation struct {
	Latitude  *float64 `json:"latitude" validate:"required,min=-90,max=90"`
	Longitude *float64 `json:"longitude" validate:"required,min=-180,max=180"`
	Title     string   `json:"title" validate:"max=200"`
	Address   string   `json:"address" validate:"max=500"`
}

type eventContact struct {
	Name  string `json:"name" validate:"required,max=200"`
	Phone string `json:"phone" validate:"max=50"`
}

type eventStatus struct {
	MessageID  string                `json:"message_id" validate:"max=64"`
	ExternalID string                `json:"external_id" validate:"max=200"`
	Status     models.DeliveryStatus `json:"status" validate:"required,oneof=sent delivered read failed"`
}

type eventReaction struct {
	MessageID  string `json:"message_id" validate:"max=64"`
	ExternalID string `json:"external_id" validate:"max=200"`
	Emoji      string `json:"emoji" validate:"max=32"`
}

type eventResponse struct {
	Duplicate      bool              `json:"duplicate"`
	SubscriberID   string            `json:"subscriber_id,omitempty"`
	ConversationID string            `json:"conversation_id,omitempty"`
	MessageID      string            `json:"message_id,omitempty"`
	Replies        []*models.Message `json:"replies"`
}

func (s *Server) ingestEvent(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in eventRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ev := inbox.Event{ID: in.ID, Type: in.Type,
		Subscriber: inbox.SubscriberInfo{ExternalID: in.Subscriber.ID, SubscriberProfile: models.SubscriberProfile{
			Name: in.Subscriber.Name, Username: in.Subscriber.Username, AvatarURL: in.Subscriber.AvatarURL,
			Phone: in.Subscriber.Phone, Email: in.Subscriber.Email, Variables: in.Subscriber.Variables,
			Instagram: in.Subscriber.Instagram, TelegramGroup: in.Subscriber.TelegramGroup}}}
	if in.At != nil {
		ev.At = *in.At
	}
	if m := in.Message; m != nil {
		ev.Message = &inbox.InboundMessage{ExternalID: m.ID, Kind: m.Kind, Text: m.Text, File: m.File, ReplyToExternalID: m.ReplyTo, Referral: m.Referral}
		if l := m.Location; l != nil {
			ev.Message.Location = &models.Location{Latitude: *l.Latitude, Longitude: *l.Longitude, Title: l.Title, Address: l.Address}
		}
		if ct := m.Contact; ct != nil {
			ev.Message.Contact = &models.Contact{Name: ct.Name, Phone: ct.Phone}
		}
	}
	if st := in.Status; st != nil {
		if st.MessageID == "" && st.ExternalID == "" {
			return models.Invalid("name the message", models.FieldError{Field: "status.message_id", Message: "message_id or external_id is required"})
		}
		ev.Status = &inbox.StatusChange{MessageID: st.MessageID, MessageExternalID: st.ExternalID, Status: st.Status}
	}
	if r := in.Reaction; r != nil {
		if r.MessageID == "" && r.ExternalID == "" {
			return models.Invalid("name the message", models.FieldError{Field: "reaction.message_id", Message: "message_id or external_id is required"})
		}
		ev.Reaction = &inbox.Reaction{MessageID: r.MessageID, MessageExternalID: r.ExternalID, Emoji: r.Emoji}
	}
	if err := webLinks(in); err != nil {
		return err
	}
	res, err := s.inbox.Ingest(c.Request().Context(), principal(c), id, ev)
	if err != nil {
		return err
	}
	out := eventResponse{Duplicate: res.Duplicate, SubscriberID: res.SubscriberID, ConversationID: res.ConversationID,
		MessageID: res.MessageID, Replies: res.Replies}
	if out.Replies == nil {
		out.Replies = []*models.Message{}
	}
	return c.JSON(http.StatusOK, out)
}

// webLinks refuses a link of an event that is not an http(s) URL: what
// the apps and the console show as a link or load as an image must never
// be a javascript: or data: URL.
func webLinks(in eventRequest) error {
	check := map[string]string{"subscriber.avatar_url": in.Subscriber.AvatarURL}
	if m := in.Message; m != nil {
		if m.File != nil {
			check["message.file.url"] = m.File.URL
		}
		if m.Referral != nil {
			check["message.referral.url"] = m.Referral.URL
		}
	}
	for field, v := range check {
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return models.Invalid("bad link", models.FieldError{Field: field, Message: "must be an http or https URL"})
		}
	}
	return nil
}
