package api_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// Small files with real signatures, so that the file store's sniffing
// sees what a messenger would send.
var (
	tgPNG  = append(append([]byte{}, pngHeader...), bytes.Repeat([]byte{0x42}, 200)...)
	tgJPEG = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"), bytes.Repeat([]byte{0x11}, 300)...)
	tgPDF  = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	tgOGG  = append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead\x01\x01"), bytes.Repeat([]byte{0x01}, 100)...)
	tgMP3  = append([]byte("ID3\x03\x00\x00\x00\x00\x00\x0f"), bytes.Repeat([]byte{0x02}, 100)...)
	tgMP4  = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), bytes.Repeat([]byte{0x03}, 100)...)
	tgWEBP = append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), bytes.Repeat([]byte{0x04}, 100)...)
)

// Every file kind a subscriber sends lands with its kind, first as a
// pending attachment, then fetched from Telegram into the file store and
// downloadable with the very bytes Telegram served; a caption is the
// message's text.
func TestTelegramInboundFiles(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)
	cases := []struct {
		name     string
		chat     int64
		in       telegramfake.Inbound
		kind     models.MessageKind
		data     []byte
		fileName string
		mime     string
		text     string
	}{
		{"photo with caption", 6101, telegramfake.Inbound{Caption: "mira esto", Photo: &telegramfake.FileSpec{Name: "p.png", MimeType: "image/png", Data: tgPNG}},
			models.KindPhoto, tgPNG, "photo.jpg", "image/png", "mira esto"},
		{"document", 6102, telegramfake.Inbound{Document: &telegramfake.FileSpec{Name: "factura.pdf", MimeType: "application/pdf", Data: tgPDF}},
			models.KindFile, tgPDF, "factura.pdf", "application/pdf", ""},
		{"audio", 6103, telegramfake.Inbound{Audio: &telegramfake.FileSpec{Name: "song.mp3", MimeType: "audio/mpeg", Data: tgMP3}},
			models.KindAudio, tgMP3, "song.mp3", "audio/mpeg", ""},
		{"voice", 6104, telegramfake.Inbound{Voice: &telegramfake.FileSpec{MimeType: "audio/ogg", Data: tgOGG}},
			models.KindVoice, tgOGG, "voice.ogg", "audio/ogg", ""},
		{"video", 6105, telegramfake.Inbound{Video: &telegramfake.FileSpec{Name: "clip.mp4", MimeType: "video/mp4", Data: tgMP4}},
			models.KindVideo, tgMP4, "clip.mp4", "video/mp4", ""},
		{"sticker", 6106, telegramfake.Inbound{Sticker: &telegramfake.FileSpec{Data: tgWEBP}, StickerEmoji: "😀"},
			models.KindSticker, tgWEBP, "sticker.webp", "image/webp", "😀"},
	}
	for _, c := range cases {
		me.tg.UserSendsMessage(c.chat, tgUser(c.chat, "Kim"), c.in)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := me.waitMessage(t, admin, b.ID, c.chat, "the "+c.name+" arrives", fromSubscriber(c.kind))
			if m.File == nil || m.Text != c.text {
				t.Fatalf("message %+v, want a %s with text %q", m, c.kind, c.text)
			}
			m = me.waitMessage(t, admin, b.ID, c.chat, "the "+c.name+" is fetched", func(m models.Message) bool {
				return fromSubscriber(c.kind)(m) && m.File != nil && !m.File.Pending
			})
			f := m.File
			if !strings.HasPrefix(f.URL, "/v1/files/") || f.Name != c.fileName || f.MimeType != c.mime || f.Size != int64(len(c.data)) {
				t.Fatalf("attachment %+v, want %s (%s, %d bytes) under /v1/files/", f, c.fileName, c.mime, len(c.data))
			}
			if got := me.download(admin, f.URL); !bytes.Equal(got, c.data) {
				t.Fatalf("downloaded %d bytes, not the %d Telegram served", len(got), len(c.data))
			}
		})
	}
}

// A photo shows a pending attachment until its file is fetched.
func TestTelegramInboundPhotoPendingFirst(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)
	// getFile fails for a while, so that the pending state is seen.
	me.tg.FailMethod("getFile", 500, 1000)
	me.tg.UserSendsMessage(6201, tgUser(6201, "Lu"), telegramfake.Inbound{Photo: &telegramfake.FileSpec{Name: "p.png", Data: tgPNG}})
	m := me.waitMessage(t, admin, b.ID, 6201, "the photo arrives", fromSubscriber(models.KindPhoto))
	if m.File == nil || !m.File.Pending || m.File.URL != "" {
		t.Fatalf("attachment %+v, want pending without a URL", m.File)
	}
	me.tg.FailMethod("getFile", 500, 0)
	m = me.waitMessage(t, admin, b.ID, 6201, "the photo is fetched", func(m models.Message) bool {
		if m.File != nil && !m.File.Pending {
			return true
		}
		me.inboxClock.Advance(5 * time.Second) // the fetch is retried later
		return false
	})
	if !bytes.Equal(me.download(admin, m.File.URL), tgPNG) {
		t.Fatal("the stored photo is not the bytes Telegram served")
	}
}

// Places, contacts, button presses, reply quotes, reactions, edits and
// /start payloads each land as the inbox shows them.
func TestTelegramInboundKinds(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, map[string]any{"queue": ids(tm.emp1)})
	emp := tm.emp1.AccessToken

	t.Run("location and venue", func(t *testing.T) {
		u := tgUser(6301, "Geo")
		me.tg.UserSendsMessage(u.ID, u, telegramfake.Inbound{Location: &telegramfake.Location{Latitude: -12.0464, Longitude: -77.0428}})
		m := me.waitMessage(t, admin, b.ID, u.ID, "the location", fromSubscriber(models.KindLocation))
		if m.Location == nil || m.Location.Latitude != -12.0464 || m.Location.Longitude != -77.0428 {
			t.Fatalf("location %+v", m.Location)
		}
		me.tg.UserSendsMessage(u.ID, u, telegramfake.Inbound{Venue: &telegramfake.Venue{
			Location: telegramfake.Location{Latitude: 40.4168, Longitude: -3.7038}, Title: "Puerta del Sol", Address: "Madrid"}})
		v := me.waitMessage(t, admin, b.ID, u.ID, "the venue", func(m models.Message) bool {
			return fromSubscriber(models.KindLocation)(m) && m.Location != nil && m.Location.Title != ""
		})
		if v.Location.Title != "Puerta del Sol" || v.Location.Address != "Madrid" || v.Location.Latitude != 40.4168 || v.Text != "Puerta del Sol" {
			t.Fatalf("venue %+v text %q", v.Location, v.Text)
		}
	})

	t.Run("contact", func(t *testing.T) {
		u := tgUser(6302, "Card")
		me.tg.UserSendsMessage(u.ID, u, telegramfake.Inbound{Contact: &telegramfake.Contact{PhoneNumber: "+51999888777", FirstName: "Rosa", LastName: "Quispe"}})
		m := me.waitMessage(t, admin, b.ID, u.ID, "the contact", fromSubscriber(models.KindContact))
		if m.Contact == nil || m.Contact.Name != "Rosa Quispe" || m.Contact.Phone != "+51999888777" {
			t.Fatalf("contact %+v", m.Contact)
		}
	})

	t.Run("start payload", func(t *testing.T) {
		u := tgUser(6303, "Promo")
		me.tg.UserStarts(u.ID, u, "spring_sale")
		s := me.waitSubscriber(t, admin, b.ID, u.ID, "the subscriber with the campaign", func(s models.Subscriber) bool { return s.Referral != nil })
		if s.Referral.Campaign != "spring_sale" {
			t.Fatalf("referral %+v, want campaign spring_sale", s.Referral)
		}
	})

	// One chat with the agent: buttons, quotes, reactions and edits all
	// refer to messages of it.
	u := tgUser(6304, "Ana")
	chat, first := me.openTelegramChat(t, tm.emp1, b, u, "hola")
	sent := me.reply(t, emp, chat.ID, map[string]any{"text": "¿En qué te ayudo?"})
	sent = me.waitStatus(t, emp, chat.ID, sent.ID, models.DeliverySent)
	tgSent := me.tg.Sent(u.ID)
	if len(tgSent) != 1 {
		t.Fatalf("Telegram got %d messages, want 1", len(tgSent))
	}
	sentID := tgSent[0].MessageID

	t.Run("reply quote", func(t *testing.T) {
		me.tg.UserReplies(u.ID, u, sentID, "quiero el plan anual")
		m := me.waitMessage(t, emp, b.ID, u.ID, "the quoting reply", func(m models.Message) bool { return m.Text == "quiero el plan anual" })
		if m.ReplyTo != sent.ID {
			t.Fatalf("reply_to %q, want the agent's message %q", m.ReplyTo, sent.ID)
		}
	})

	t.Run("button press", func(t *testing.T) {
		up := me.tg.UserPresses(u.ID, u, sentID, "plan_annual")
		m := me.waitMessage(t, emp, b.ID, u.ID, "the button press", fromSubscriber(models.KindButton))
		if m.Text != "plan_annual" || m.ReplyTo != sent.ID {
			t.Fatalf("button message %+v", m)
		}
		eventually(t, "the callback query is answered", func() bool {
			for _, a := range me.tg.Answers() {
				if a.CallbackQueryID == up.CallbackQuery.ID {
					return true
				}
			}
			return false
		})
	})

	t.Run("reaction", func(t *testing.T) {
		me.tg.UserReacts(u.ID, u, sentID, "👍")
		eventually(t, "the reaction shows on the agent's message", func() bool {
			m, ok := me.message(emp, chat.ID, sent.ID)
			return ok && len(m.Reactions) == 1 && m.Reactions[0] == "👍"
		})
	})

	t.Run("edit", func(t *testing.T) {
		me.tg.UserEdits(u.ID, u, first.Message.MessageID, "hola, buenas tardes")
		m := me.waitMessage(t, emp, b.ID, u.ID, "the edit", func(m models.Message) bool { return m.EditedAt != nil })
		if m.Text != "hola, buenas tardes" || m.Sender != models.SenderSubscriber {
			t.Fatalf("edited message %+v", m)
		}
	})
}

// Blocking the bot unsubscribes the subscriber, unblocking subscribes it
// again.
func TestTelegramInboundMembership(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)
	u := tgUser(6401, "Bo")
	me.tg.UserSends(u.ID, u, "hi")
	me.waitSubscriber(t, admin, b.ID, u.ID, "the subscriber", func(s models.Subscriber) bool { return s.Subscribed })
	me.tg.UserBlocks(u.ID, u)
	me.waitSubscriber(t, admin, b.ID, u.ID, "unsubscribed after the block", func(s models.Subscriber) bool { return !s.Subscribed })
	me.tg.UserUnblocks(u.ID, u)
	me.waitSubscriber(t, admin, b.ID, u.ID, "subscribed again", func(s models.Subscriber) bool { return s.Subscribed })
}

// A group is one subscriber, with the group's member count and invite
// link, and each member's texts carry their name.
func TestTelegramInboundGroup(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)
	const group = -1001234567890
	me.tg.Group(group, "Ventas Lima", true, 42, "https://t.me/+AbCdEf123")
	ana := tgUser(6501, "Ana")
	me.tg.BotAddedToGroup(group, ana)
	me.tg.UserSends(group, ana, "¿quién atiende hoy?")
	s := me.waitSubscriber(t, admin, b.ID, group, "the group's profile", func(s models.Subscriber) bool {
		return s.TelegramGroup != nil && s.TelegramGroup.MembersCount > 0
	})
	if s.Name != "Ventas Lima" || s.TelegramGroup.MembersCount != 42 || s.TelegramGroup.InviteLink != "https://t.me/+AbCdEf123" {
		t.Fatalf("group subscriber %+v (%+v)", s, s.TelegramGroup)
	}
	m := me.waitMessage(t, admin, b.ID, group, "the member's text", fromSubscriber(models.KindText))
	if m.Text != "Ana: ¿quién atiende hoy?" {
		t.Fatalf("text %q, want the member's name first", m.Text)
	}
	if _, ok := me.subscriberOf(admin, b.ID, ana.ID); ok {
		t.Fatal("the member became a subscriber of their own")
	}
}

// A new private subscriber's avatar is fetched into the file store: the
// subscriber shows Switchboard's URL, never Telegram's.
func TestTelegramInboundAvatar(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)
	u := tgUser(6601, "Face")
	me.tg.SetProfilePhotos(u.ID, telegramfake.FileSpec{Name: "me.jpg", Data: tgJPEG})
	me.tg.UserSends(u.ID, u, "hi")
	s := me.waitSubscriber(t, admin, b.ID, u.ID, "the avatar", func(s models.Subscriber) bool { return s.AvatarURL != "" })
	if !strings.HasPrefix(s.AvatarURL, "/v1/files/") || strings.Contains(s.AvatarURL, "telegram") {
		t.Fatalf("avatar_url %q, want a stored file", s.AvatarURL)
	}
	if !bytes.Equal(me.download(admin, s.AvatarURL), tgJPEG) {
		t.Fatal("the stored avatar is not the photo Telegram served")
	}
}
