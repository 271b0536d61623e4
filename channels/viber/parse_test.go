package viber_test

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

func TestParseMessages(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	photo := f.AddMedia(viberfake.Media{Name: "IMG_2041.jpg", MimeType: "image/jpeg", Size: 2048})
	video := f.AddMedia(viberfake.Media{Name: "v.mp4", MimeType: "video/mp4", Size: 4096})
	doc := f.AddMedia(viberfake.Media{Name: "invoice.pdf", MimeType: "application/pdf", Size: 1234})
	sticker := f.AddMedia(viberfake.Media{MimeType: "image/png", Size: 100})
	kb := viber.KeyboardTracking([]string{"Yes", "No"})
	if kb != viberfake.KeyboardTracking("Yes", "No") {
		t.Fatalf("the fake and the adapter disagree on keyboard tracking: %q", kb)
	}
	type want struct {
		kind     models.MessageKind
		text     string
		file     *models.Attachment
		contact  *models.Contact
		location *models.Location
	}
	cases := []struct {
		name string
		msg  viberfake.Msg
		want want
	}{
		{"text", viberfake.Text("Hello"), want{kind: models.KindText, text: "Hello"}},
		{"keyboard reply", viberfake.Button("Yes", kb), want{kind: models.KindButton, text: "Yes"}},
		{"typed text after a keyboard", viberfake.Button("Maybe", kb), want{kind: models.KindText, text: "Maybe"}},
		{"picture", viberfake.Picture(photo, "look", 2048),
			want{kind: models.KindPhoto, text: "look", file: &models.Attachment{Name: "IMG_2041.jpg", MimeType: "image/jpeg", Size: 2048, Pending: true, Ref: photo}}},
		{"video", viberfake.Video(video, 4096, 12),
			want{kind: models.KindVideo, file: &models.Attachment{Name: "video.mp4", MimeType: "video/mp4", Size: 4096, Pending: true, Ref: video}}},
		{"file", viberfake.File(doc, "invoice.pdf", 1234),
			want{kind: models.KindFile, file: &models.Attachment{Name: "invoice.pdf", MimeType: "application/pdf", Size: 1234, Pending: true, Ref: doc}}},
		{"sticker", viberfake.Sticker(40133, sticker),
			want{kind: models.KindSticker, file: &models.Attachment{Name: "sticker.png", MimeType: "image/png", Pending: true, Ref: sticker}}},
		{"contact", viberfake.Contact("Taras", "+380501234567"),
			want{kind: models.KindContact, contact: &models.Contact{Name: "Taras", Phone: "+380501234567"}}},
		{"location", viberfake.Location(50.45, 30.52, "Khreshchatyk 1"),
			want{kind: models.KindLocation, location: &models.Location{Latitude: 50.45, Longitude: 30.52, Address: "Khreshchatyk 1"}}},
		{"url", viberfake.URL("https://example.com/a"), want{kind: models.KindText, text: "https://example.com/a"}},
	}
	for _, tc := range cases {
		body, tok := f.Message("u1==", tc.msg)
		p, err := a.Parse(nil, update(viberfake.TokenText(tok), body))
		if err != nil || p.Ignored != "" || len(p.Events) != 1 {
			t.Errorf("%s: %+v, %v", tc.name, p, err)
			continue
		}
		ev := p.Events[0]
		m := ev.Message
		if ev.ID != "vb:"+viberfake.TokenText(tok) || ev.Type != inbox.EventMessage || ev.At.IsZero() || time.Since(ev.At) > time.Minute {
			t.Errorf("%s: event %s %s at %v", tc.name, ev.ID, ev.Type, ev.At)
		}
		if ev.Subscriber.ExternalID != "u1==" || ev.Subscriber.Name != "Olena" || ev.Subscriber.AvatarURL != "" ||
			ev.Subscriber.Variables["language"] != "uk" || ev.Subscriber.Variables["country"] != "UA" {
			t.Errorf("%s: subscriber %+v", tc.name, ev.Subscriber)
		}
		if m.ExternalID != viberfake.TokenText(tok) || m.Kind != tc.want.kind || m.Text != tc.want.text {
			t.Errorf("%s: message %+v", tc.name, m)
		}
		if (m.File == nil) != (tc.want.file == nil) || m.File != nil && *m.File != *tc.want.file {
			t.Errorf("%s: file %+v, want %+v", tc.name, m.File, tc.want.file)
		}
		if (m.Contact == nil) != (tc.want.contact == nil) || m.Contact != nil && *m.Contact != *tc.want.contact {
			t.Errorf("%s: contact %+v", tc.name, m.Contact)
		}
		if (m.Location == nil) != (tc.want.location == nil) || m.Location != nil && *m.Location != *tc.want.location {
			t.Errorf("%s: location %+v", tc.name, m.Location)
		}
	}
}

func TestParseEvents(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	const sent = 5491623847362514777 // a token Switchboard got from send_message
	check := func(name string, body []byte, typ inbox.EventType, suffix string) inbox.Event {
		t.Helper()
		ups, err := a.Split(body)
		if err != nil || len(ups) != 1 {
			t.Fatalf("%s: split %v", name, err)
		}
		p, err := a.Parse(nil, update(ups[0].Key, ups[0].Raw))
		if err != nil || len(p.Events) != 1 || p.Events[0].Type != typ {
			t.Fatalf("%s: %+v, %v", name, p, err)
		}
		ev := p.Events[0]
		if ev.Subscriber.ExternalID != "u1==" || len(ev.ID) < len(suffix) || ev.ID[len(ev.ID)-len(suffix):] != suffix {
			t.Fatalf("%s: event %+v", name, ev)
		}
		return ev
	}
	ev := check("subscribed", f.Subscribed("u1=="), inbox.EventSubscribed, ":subscribed")
	if ev.Subscriber.Name != "Olena" {
		t.Errorf("subscribed profile %+v", ev.Subscriber)
	}
	check("unsubscribed", f.Unsubscribed("u1=="), inbox.EventUnsubscribed, ":unsubscribed")
	ev = check("conversation_started", f.ConversationStarted("u1==", "spring-promo", false), inbox.EventSubscribed, ":conversation_started")
	if ev.Subscriber.Referral == nil || ev.Subscriber.Referral.Campaign != "spring-promo" {
		t.Errorf("referral %+v", ev.Subscriber.Referral)
	}
	for _, c := range []struct {
		event string
		body  []byte
		want  models.DeliveryStatus
		error string
	}{
		{"delivered", f.Receipt("delivered", sent, "u1=="), models.DeliveryDelivered, ""},
		{"seen", f.Receipt("seen", sent, "u1=="), models.DeliveryRead, ""},
		{"failed", f.Failed(sent, "u1==", "user blocked"), models.DeliveryFailed, "failed: user blocked"},
	} {
		ev := check(c.event, c.body, inbox.EventStatus, "5491623847362514777:"+c.event)
		if ev.Status == nil || ev.Status.MessageExternalID != "5491623847362514777" || ev.Status.Status != c.want || ev.Status.Error != c.error {
			t.Errorf("%s: status %+v", c.event, ev.Status)
		}
	}
	// Ignored: a conversation opened without a deep link, unknown events and message types.
	for name, body := range map[string][]byte{
		"conversation_started without context": f.ConversationStarted("u1==", "", false),
		"client_status":                        []byte(`{"event":"client_status","timestamp":1,"message_token":7,"user_id":"u1=="}`),
		"rich_media":                           func() []byte { b, _ := f.Message("u1==", viberfake.Msg{"type": "rich_media"}); return b }(),
		"webhook":                              []byte(`{"event":"webhook","timestamp":1,"message_token":7}`),
	} {
		p, err := a.Parse(nil, update("k", body))
		if err != nil || p.Ignored == "" || len(p.Events) != 0 {
			t.Errorf("%s: %+v, %v", name, p, err)
		}
	}
	for _, bad := range []string{`nope`, `{"event":"message","timestamp":1,"message_token":7}`, `{"event":"seen","timestamp":1,"message_token":7}`} {
		if _, err := a.Parse(nil, update("k", []byte(bad))); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
