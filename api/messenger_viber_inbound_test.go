package api_test

import (
	"bytes"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

// pattern is the first n bytes of every file the Viber fake serves.
func pattern(n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = viberfake.MediaByte(int64(i))
	}
	return b
}

// Every kind of Viber callback lands in the inbox as its kind; media are
// fetched from Viber's media URL into the file store.
func TestViberEveryCallbackKind(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.viberBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	const bob = "b0b+vIbEr/Id=="
	me.viberUser(bob, "Bob Kim")
	pic := me.vb.AddMedia(viberfake.Media{Name: "IMG_2041.jpg", MimeType: "image/jpeg", Size: 70_000})
	vid := me.vb.AddMedia(viberfake.Media{Name: "clip.mp4", MimeType: "video/mp4", Size: 120_000, NoLength: true})
	doc := me.vb.AddMedia(viberfake.Media{Name: "invoice.pdf", MimeType: "application/pdf", Size: 3_000})
	stk := me.vb.AddMedia(viberfake.Media{Name: "sticker.png", MimeType: "image/png", Size: 900})
	kb := viberfake.KeyboardTracking("Track my order", "Talk to a human")

	tText := me.vbSays(bob, viberfake.Text("hello"))
	tPic := me.vbSays(bob, viberfake.Picture(pic, "my parcel", 70_000))
	tVid := me.vbSays(bob, viberfake.Video(vid, 120_000, 12))
	tDoc := me.vbSays(bob, viberfake.File(doc, "invoice.pdf", 3_000))
	tStk := me.vbSays(bob, viberfake.Sticker(40133, stk))
	tCon := me.vbSays(bob, viberfake.Contact("Eve Stone", "+380501234567"))
	tLoc := me.vbSays(bob, viberfake.Location(-12.0464, -77.0428, "Plaza Mayor, Lima"))
	tURL := me.vbSays(bob, viberfake.URL("https://example.com/order/77"))
	tBtn := me.vbSays(bob, viberfake.Button("Talk to a human", kb))
	tTyped := me.vbSays(bob, viberfake.Button("talk to a human, please", kb))
	// Viber's receipts of the subscriber's own message change nothing.
	me.vbPost(me.vb.Receipt("delivered", tText, bob))
	me.vbPost(me.vb.Receipt("seen", tText, bob))
	me.updatesDone(tm.admin.AccessToken, b.ID, 12)

	chat := me.chatOf(tm.emp1.AccessToken, b.ID, bob)
	fetched := func(tok int64) models.Message {
		return me.waitMsg(tm.emp1.AccessToken, chat.ID, "the file is fetched", func(m models.Message) bool {
			return byExternal(tok)(m) && m.File != nil && !m.File.Pending
		})
	}
	get := func(tok int64) models.Message {
		return me.waitMsg(tm.emp1.AccessToken, chat.ID, "the message", byExternal(tok))
	}

	if m := get(tText); m.Kind != models.KindText || m.Text != "hello" || m.Status != "" {
		t.Fatalf("text %+v (the receipts must not touch it)", m)
	}
	for _, c := range []struct {
		tok  int64
		kind models.MessageKind
		name string
		size int64
	}{{tPic, models.KindPhoto, "IMG_2041.jpg", 70_000}, {tVid, models.KindVideo, "", 120_000},
		{tDoc, models.KindFile, "invoice.pdf", 3_000}, {tStk, models.KindSticker, "", 900}} {
		m := fetched(c.tok)
		if m.Kind != c.kind || m.File.Size != c.size || (c.name != "" && m.File.Name != c.name) || len(m.File.URL) < 10 || m.File.URL[:10] != "/v1/files/" {
			t.Fatalf("%s: %+v file %+v", c.kind, m, m.File)
		}
		if got := me.download(tm.emp1.AccessToken, m.File.URL); !bytes.Equal(got, pattern(c.size)) {
			t.Fatalf("%s: stored %d bytes, not Viber's %d", c.kind, len(got), c.size)
		}
	}
	if m := get(tPic); m.Text != "my parcel" {
		t.Fatalf("picture caption %q", m.Text)
	}
	if m := get(tCon); m.Kind != models.KindContact || m.Contact == nil || m.Contact.Name != "Eve Stone" || m.Contact.Phone != "+380501234567" {
		t.Fatalf("contact %+v", m)
	}
	if m := get(tLoc); m.Kind != models.KindLocation || m.Location == nil || m.Location.Latitude != -12.0464 ||
		m.Location.Longitude != -77.0428 || m.Location.Address != "Plaza Mayor, Lima" {
		t.Fatalf("location %+v", m)
	}
	if m := get(tURL); m.Kind != models.KindText || m.Text != "https://example.com/order/77" {
		t.Fatalf("url %+v", m)
	}
	if m := get(tBtn); m.Kind != models.KindButton || m.Text != "Talk to a human" {
		t.Fatalf("keyboard reply %+v, want a button", m)
	}
	if m := get(tTyped); m.Kind != models.KindText {
		t.Fatalf("typed text under a keyboard %+v, want text", m)
	}
}

// subscribed, unsubscribed and conversation_started (with a deep-link
// context) change the subscriber.
func TestViberSubscriptionCallbacks(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{webhooks: true})
	tm := me.team()
	b := me.viberBot(tm.admin.AccessToken, nil)
	const cleo, dan = "c1e0==", "dAn0=="
	me.viberUser(cleo, "Cleo Ortiz")
	me.viberUser(dan, "Dan Lee")

	me.vbPost(me.vb.ConversationStarted(cleo, "", false)) // no context: ignored
	me.updatesDone(tm.admin.AccessToken, b.ID, 1)
	if subs := me.subscribers(tm.admin.AccessToken, b.ID); len(subs) != 0 {
		t.Fatalf("a conversation_started without context stored %+v", subs)
	}
	me.vbPost(me.vb.ConversationStarted(cleo, "spring-sale", false))
	s := me.viberSubscriber(tm.admin.AccessToken, b.ID, cleo)
	if s.Referral == nil || s.Referral.Campaign != "spring-sale" || s.Name != "Cleo Ortiz" {
		t.Fatalf("subscriber %+v referral %+v, want the campaign spring-sale", s, s.Referral)
	}

	me.vbPost(me.vb.Subscribed(dan))
	s = me.viberSubscriber(tm.admin.AccessToken, b.ID, dan)
	if !s.Subscribed || s.Name != "Dan Lee" || s.Variables["language"] != "es" || s.Variables["country"] != "PE" {
		t.Fatalf("subscribed: %+v", s)
	}
	me.vbPost(me.vb.Unsubscribed(dan))
	eventually(t, "dan unsubscribes", func() bool {
		return !me.viberSubscriber(tm.admin.AccessToken, b.ID, dan).Subscribed
	})
	me.updatesDone(tm.admin.AccessToken, b.ID, 4)
}
