package viber

import (
	"encoding/json"
	"errors"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
	api "github.com/switchboardhq/switchboard/viber"
)

// KeyboardPrefix starts the tracking_data Switchboard puts on a message
// that carries a keyboard; the rest is the JSON array of the buttons'
// ActionBody values. Viber returns a message's tracking_data with the
// user's next messages, so a text reply whose text is one of those bodies
// is a button press (KindButton); any other text is typed text.
const KeyboardPrefix = "sb:kb:"

// KeyboardTracking is the tracking_data for a keyboard of these buttons.
func KeyboardTracking(actionBodies []string) string {
	b, _ := json.Marshal(actionBodies)
	return KeyboardPrefix + string(b)
}

func pressed(text, tracking string) bool {
	rest, ok := strings.CutPrefix(tracking, KeyboardPrefix)
	if !ok || text == "" {
		return false
	}
	var bodies []string
	if json.Unmarshal([]byte(rest), &bodies) != nil {
		return false
	}
	for _, b := range bodies {
		if b == text {
			return true
		}
	}
	return false
}

// Parse maps one stored callback to inbox events. Event ids are
// "vb:<message_token>" for messages and "vb:<message_token>:<event>"
// for the rest, so a second processing applies nothing twice.
//
//   - message: EventMessage of the kind its type says (url as text, a
//     keyboard reply as KindButton), with a pending attachment whose Ref
//     is the media URL for picture, video, file and sticker;
//   - subscribed / unsubscribed: EventSubscribed / EventUnsubscribed;
//   - conversation_started (the user opened the chat, not yet
//     subscribed): with a deep-link context, EventSubscribed carrying
//     Referral{Campaign: context}; without one it is ignored (the user
//     appears with their first message);
//   - delivered / seen / failed: EventStatus delivered / read / failed
//     naming the message by its token (Viber reports these for messages
//     Switchboard did not send too; the caller ignores unknown ones);
//   - anything else is ignored.
func (a *Adapter) Parse(_ *models.Bot, u *models.InboundUpdate) (*channels.Parsed, error) {
	var cb api.Callback
	if err := json.Unmarshal(u.Raw, &cb); err != nil {
		return nil, errors.New("viber: the stored update is not a JSON callback")
	}
	token := cb.MessageToken.String()
	at := time.UnixMilli(cb.Timestamp).UTC()
	if cb.Timestamp == 0 {
		at = time.Time{}
	}
	id := "vb:" + token
	one := func(ev inbox.Event) (*channels.Parsed, error) {
		ev.At = at
		return &channels.Parsed{Events: []inbox.Event{ev}}, nil
	}
	switch cb.Event {
	case api.EventMessage:
		if cb.Sender == nil || cb.Sender.ID == "" || cb.Message == nil {
			return nil, errors.New("viber: a message callback without sender or message")
		}
		m, ignored := message(cb.Message)
		if m == nil {
			return &channels.Parsed{Ignored: ignored}, nil
		}
		m.ExternalID = token
		return one(inbox.Event{ID: id, Type: inbox.EventMessage, Subscriber: subscriber(cb.Sender), Message: m})
	case api.EventSubscribed:
		if cb.User == nil || cb.User.ID == "" {
			return nil, errors.New("viber: a subscribed callback without user")
		}
		return one(inbox.Event{ID: id + ":subscribed", Type: inbox.EventSubscribed, Subscriber: subscriber(cb.User)})
	case api.EventUnsubscribed:
		if cb.UserID == "" {
			return nil, errors.New("viber: an unsubscribed callback without user_id")
		}
		return one(inbox.Event{ID: id + ":unsubscribed", Type: inbox.EventUnsubscribed,
			Subscriber: inbox.SubscriberInfo{ExternalID: cb.UserID}})
	case api.EventConversationStarted:
		if cb.User == nil || cb.User.ID == "" {
			return nil, errors.New("viber: a conversation_started callback without user")
		}
		if cb.Context == "" {
			return &channels.Parsed{Ignored: "conversation_started without a deep-link context"}, nil
		}
		s := subscriber(cb.User)
		s.Referral = &models.Referral{Campaign: cb.Context}
		return one(inbox.Event{ID: id + ":conversation_started", Type: inbox.EventSubscribed, Subscriber: s})
	case api.EventDelivered, api.EventSeen, api.EventFailed:
		if cb.UserID == "" || token == "" {
			return nil, errors.New("viber: a receipt without user_id or message_token")
		}
		st := map[string]models.DeliveryStatus{api.EventDelivered: models.DeliveryDelivered,
			api.EventSeen: models.DeliveryRead, api.EventFailed: models.DeliveryFailed}[cb.Event]
		return one(inbox.Event{ID: id + ":" + cb.Event, Type: inbox.EventStatus,
			Subscriber: inbox.SubscriberInfo{ExternalID: cb.UserID},
			Status:     &inbox.StatusChange{MessageExternalID: token, Status: st, Error: failedReason(cb)}})
	case api.EventWebhook:
		return &channels.Parsed{Ignored: "the webhook check"}, nil
	}
	return &channels.Parsed{Ignored: "viber event " + cb.Event + " is not handled"}, nil
}

// subscriber is what a callback's user says: id, name, and language and
// country as variables. The avatar is left to Profile (fetched and
// stored, not hot-linked).
func subscriber(u *api.User) inbox.SubscriberInfo {
	s := inbox.SubscriberInfo{ExternalID: u.ID}
	s.Name = u.Name
	vars := map[string]string{}
	if u.Language != "" {
		vars["language"] = u.Language
	}
	if u.Country != "" {
		vars["country"] = u.Country
	}
	if len(vars) > 0 {
		s.Variables = vars
	}
	return s
}

// message maps a received message; nil with a reason for a type
// Switchboard does not handle.
func message(rm *api.ReceivedMessage) (*inbox.InboundMessage, string) {
	m := &inbox.InboundMessage{}
	file := func(kind models.MessageKind, name, fallbackMime string) {
		if name == "" {
			name = path.Base(strings.SplitN(rm.Media, "?", 2)[0])
			if name == "" || name == "." || name == "/" || !strings.Contains(name, ".") {
				name = map[models.MessageKind]string{models.KindPhoto: "photo.jpg", models.KindVideo: "video.mp4",
					models.KindSticker: "sticker.png"}[kind]
				if name == "" {
					name = "file"
				}
			}
		}
		mt := mime.TypeByExtension(strings.ToLower(path.Ext(name)))
		if mt == "" {
			mt = fallbackMime
		}
		m.Kind = kind
		m.File = &models.Attachment{Name: name, MimeType: mt, Size: rm.Size, Pending: true, Ref: rm.Media}
	}
	switch rm.Type {
	case api.TypeText:
		m.Kind, m.Text = models.KindText, rm.Text
		if pressed(rm.Text, rm.TrackingData) {
			m.Kind = models.KindButton
		}
	case api.TypeURL:
		m.Kind, m.Text = models.KindText, rm.Media
	case api.TypePicture:
		file(models.KindPhoto, rm.FileName, "image/jpeg")
		m.Text = rm.Text
	case api.TypeVideo:
		file(models.KindVideo, rm.FileName, "video/mp4")
		m.Text = rm.Text
	case api.TypeFile:
		file(models.KindFile, rm.FileName, "application/octet-stream")
	case api.TypeSticker:
		if rm.Media == "" {
			m.Kind = models.KindSticker
			break
		}
		file(models.KindSticker, "", "image/png")
	case api.TypeContact:
		if rm.Contact == nil {
			return nil, "a contact message without contact"
		}
		m.Kind, m.Contact = models.KindContact, &models.Contact{Name: rm.Contact.Name, Phone: rm.Contact.PhoneNumber}
	case api.TypeLocation:
		if rm.Location == nil {
			return nil, "a location message without location"
		}
		m.Kind = models.KindLocation
		m.Location = &models.Location{Latitude: rm.Location.Lat, Longitude: rm.Location.Lon, Address: rm.Location.Address}
	default:
		return nil, "viber message type " + rm.Type + " is not handled"
	}
	if (m.Kind == models.KindPhoto || m.Kind == models.KindVideo || m.Kind == models.KindFile) && rm.Media == "" {
		return nil, "a " + rm.Type + " message without media"
	}
	return m, ""
}

// failedReason is a failed callback's reason for the message's Error.
func failedReason(cb api.Callback) string {
	if cb.Event != api.EventFailed {
		return ""
	}
	if cb.Desc == "" {
		return "failed: Viber could not deliver the message"
	}
	return "failed: " + cb.Desc
}
