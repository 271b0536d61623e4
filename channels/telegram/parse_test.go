package telegram

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
	tg "github.com/switchboardhq/switchboard/telegram"
)

const testToken = "123456:AAE-secret_Token-value"

// newAdapter starts a fake Bot API and an adapter for it.
func newAdapter(t *testing.T) (*telegramfake.Server, *Adapter, map[string]string) {
	t.Helper()
	fake := telegramfake.New(t, testToken)
	return fake, New(Config{BaseURL: fake.URL(), GlobalRate: 1e6, PerChatRate: 1e6}), map[string]string{CredToken: testToken}
}

// TestParse maps an update of every kind, made by the fake's simulators
// and received by Poll, to its events.
func TestParse(t *testing.T) {
	fake, a, creds := newAdapter(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	fake.SetClock(func() time.Time { return at })
	if _, err := a.Poll(ctx, creds, 0, 0); err != nil { // sets allowed_updates
		t.Fatal(err)
	}
	ann := telegramfake.User{ID: 42, FirstName: "Ann", LastName: "Lee", Username: "ann"}
	bob := telegramfake.User{ID: 43, FirstName: "Bob"}
	annSub := inbox.SubscriberInfo{ExternalID: "42", SubscriberProfile: models.SubscriberProfile{Name: "Ann Lee", Username: "ann"}}
	group := func(id, name string) inbox.SubscriberInfo {
		return inbox.SubscriberInfo{ExternalID: id, SubscriberProfile: models.SubscriberProfile{Name: name, TelegramGroup: &models.TelegramGroup{}}}
	}
	fake.Group(-100123, "Shop fans", true, 17, "https://t.me/+fans")
	fake.Group(-555, "Old group", false, 3, "")
	bot := tg.New(tg.Config{Token: testToken, BaseURL: fake.URL()})
	keyboard, err := bot.SendMessage(ctx, tg.SendMessageParams{ChatID: 42, Text: "Pick one", ReplyMarkup: &tg.InlineKeyboardMarkup{
		InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "Yes, please", CallbackData: "y"}, {Text: "No", CallbackData: "n"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(u telegramfake.Update, sub inbox.SubscriberInfo, in inbox.InboundMessage) *channels.Parsed {
		chat := u.Message.Chat.ID
		in.ExternalID = strconv.FormatInt(chat, 10) + ":" + strconv.FormatInt(u.Message.MessageID, 10)
		return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventMessage, At: at, Subscriber: sub, Message: &in}}}
	}
	file := func(name, mime string, size int64, ref string) *models.Attachment {
		return &models.Attachment{Name: name, MimeType: mime, Size: size, Pending: true, Ref: ref}
	}
	var first telegramfake.Update
	tests := []struct {
		name string
		sim  func() telegramfake.Update
		want func(u telegramfake.Update) *channels.Parsed
	}{
		{"text", func() telegramfake.Update { first = fake.UserSends(42, ann, "hello"); return first },
			func(u telegramfake.Update) *channels.Parsed {
				return msg(u, annSub, inbox.InboundMessage{Kind: models.KindText, Text: "hello"})
			}},
		{"photo in sizes with a caption", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Photo: &telegramfake.FileSpec{Size: 4000}, Caption: "look"})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindPhoto, Text: "look", File: file("photo.jpg", "image/jpeg", 4000, u.Message.Photo[2].FileID)})
		}},
		{"document", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Document: &telegramfake.FileSpec{Name: "a.pdf", MimeType: "application/pdf", Data: []byte("%PDF")}})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindFile, File: file("a.pdf", "application/pdf", 4, u.Message.Document.FileID)})
		}},
		{"audio", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Audio: &telegramfake.FileSpec{Name: "song.mp3", MimeType: "audio/mpeg", Size: 900}})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindAudio, File: file("song.mp3", "audio/mpeg", 900, u.Message.Audio.FileID)})
		}},
		{"voice", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Voice: &telegramfake.FileSpec{MimeType: "audio/ogg", Size: 300}})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindVoice, File: file("voice.ogg", "audio/ogg", 300, u.Message.Voice.FileID)})
		}},
		{"video without a size", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Video: &telegramfake.FileSpec{Name: "v.mp4", MimeType: "video/mp4", Size: 800, HideSize: true}, Caption: "watch"})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindVideo, Text: "watch", File: file("v.mp4", "video/mp4", 0, u.Message.Video.FileID)})
		}},
		{"sticker", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Sticker: &telegramfake.FileSpec{Size: 100}, StickerEmoji: "😀"})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindSticker, Text: "😀", File: file("sticker.webp", "image/webp", 100, u.Message.Sticker.FileID)})
		}},
		{"location", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Location: &telegramfake.Location{Latitude: 52.52, Longitude: 13.405}})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindLocation, Location: &models.Location{Latitude: 52.52, Longitude: 13.405}})
		}},
		{"venue", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Venue: &telegramfake.Venue{Location: telegramfake.Location{Latitude: 1.5, Longitude: 2.5}, Title: "Cafe Blau", Address: "Main St 1"}})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindLocation, Text: "Cafe Blau",
				Location: &models.Location{Latitude: 1.5, Longitude: 2.5, Title: "Cafe Blau", Address: "Main St 1"}})
		}},
		{"contact", func() telegramfake.Update {
			return fake.UserSendsMessage(42, ann, telegramfake.Inbound{Contact: &telegramfake.Contact{PhoneNumber: "+4912345", FirstName: "Bob", LastName: "Ray"}})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, annSub, inbox.InboundMessage{Kind: models.KindContact, Contact: &models.Contact{Name: "Bob Ray", Phone: "+4912345"}})
		}},
		{"reply to the bot's message", func() telegramfake.Update { return fake.UserReplies(42, ann, keyboard.MessageID, "yes") },
			func(u telegramfake.Update) *channels.Parsed {
				return msg(u, annSub, inbox.InboundMessage{Kind: models.KindText, Text: "yes", ReplyToExternalID: "42:" + strconv.FormatInt(keyboard.MessageID, 10)})
			}},
		{"start with a payload", func() telegramfake.Update { return fake.UserStarts(42, ann, "spring_sale") },
			func(u telegramfake.Update) *channels.Parsed {
				return msg(u, annSub, inbox.InboundMessage{Kind: models.KindText, Text: "/start spring_sale", Referral: &models.Referral{Campaign: "spring_sale"}})
			}},
		{"start without a payload", func() telegramfake.Update { return fake.UserStarts(42, ann, "") },
			func(u telegramfake.Update) *channels.Parsed {
				return msg(u, annSub, inbox.InboundMessage{Kind: models.KindText, Text: "/start"})
			}},
		{"supergroup member's text", func() telegramfake.Update {
			return fake.UserSendsMessage(-100123, bob, telegramfake.Inbound{Text: "hi all"})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, group("-100123", "Shop fans"), inbox.InboundMessage{Kind: models.KindText, Text: "Bob: hi all"})
		}},
		{"group member's captioned photo", func() telegramfake.Update {
			return fake.UserSendsMessage(-555, ann, telegramfake.Inbound{Photo: &telegramfake.FileSpec{Size: 800}, Caption: "our stand"})
		}, func(u telegramfake.Update) *channels.Parsed {
			return msg(u, group("-555", "Old group"), inbox.InboundMessage{Kind: models.KindPhoto, Text: "Ann: our stand",
				File: file("photo.jpg", "image/jpeg", 800, u.Message.Photo[2].FileID)})
		}},
		{"button press", func() telegramfake.Update { return fake.UserPresses(42, ann, keyboard.MessageID, "y") },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventMessage, Subscriber: annSub,
					Message: &inbox.InboundMessage{ExternalID: "cb:" + u.CallbackQuery.ID, Kind: models.KindButton, Text: "Yes, please",
						ReplyToExternalID: "42:" + strconv.FormatInt(keyboard.MessageID, 10)}}}}
			}},
		{"button press of unknown data", func() telegramfake.Update { return fake.UserPresses(42, ann, keyboard.MessageID, "zz") },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventMessage, Subscriber: annSub,
					Message: &inbox.InboundMessage{ExternalID: "cb:" + u.CallbackQuery.ID, Kind: models.KindButton, Text: "zz",
						ReplyToExternalID: "42:" + strconv.FormatInt(keyboard.MessageID, 10)}}}}
			}},
		{"edit", func() telegramfake.Update { return fake.UserEdits(42, ann, first.Message.MessageID, "hello again") },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventEdit, At: at, Subscriber: annSub,
					Message: &inbox.InboundMessage{ExternalID: "42:" + strconv.FormatInt(first.Message.MessageID, 10), Text: "hello again"}}}}
			}},
		{"reaction", func() telegramfake.Update { return fake.UserReacts(42, ann, keyboard.MessageID, "👍") },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventReaction, At: at, Subscriber: annSub,
					Reaction: &inbox.Reaction{MessageExternalID: "42:" + strconv.FormatInt(keyboard.MessageID, 10), Emoji: "👍"}}}}
			}},
		{"reaction removed", func() telegramfake.Update { return fake.UserReacts(42, ann, keyboard.MessageID, "") },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventReaction, At: at, Subscriber: annSub,
					Reaction: &inbox.Reaction{MessageExternalID: "42:" + strconv.FormatInt(keyboard.MessageID, 10)}}}}
			}},
		{"blocked", func() telegramfake.Update { return fake.UserBlocks(42, ann) },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventUnsubscribed, At: at, Subscriber: annSub}}}
			}},
		{"unblocked", func() telegramfake.Update { return fake.UserUnblocks(42, ann) },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventSubscribed, At: at, Subscriber: annSub}}}
			}},
		{"added to a group", func() telegramfake.Update { return fake.BotAddedToGroup(-555, ann) },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventSubscribed, At: at, Subscriber: group("-555", "Old group")}}}
			}},
		{"removed from a group", func() telegramfake.Update { return fake.BotRemovedFromGroup(-555, ann) },
			func(u telegramfake.Update) *channels.Parsed {
				return &channels.Parsed{Events: []inbox.Event{{ID: id(u), Type: inbox.EventUnsubscribed, At: at, Subscriber: group("-555", "Old group")}}}
			}},
	}
	made := make([]telegramfake.Update, len(tests))
	for i, tt := range tests {
		made[i] = tt.sim()
	}
	raws, err := a.Poll(ctx, creds, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(raws) != len(tests) {
		t.Fatalf("polled %d updates, made %d", len(raws), len(tests))
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := raws[i]
			if r.Key != strconv.FormatInt(made[i].UpdateID, 10) {
				t.Fatalf("key %s, want %d", r.Key, made[i].UpdateID)
			}
			got, err := a.Parse(&models.Bot{}, &models.InboundUpdate{Key: r.Key, Raw: r.Raw})
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want(made[i]); !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Fatalf("got %s\nwant %s", g, w)
			}
		})
	}
}

func id(u telegramfake.Update) string { return "tg:" + strconv.FormatInt(u.UpdateID, 10) }

// TestParseIgnoredAndBad: other update types are acknowledged and
// ignored; a body that is not an update is an error.
func TestParseIgnoredAndBad(t *testing.T) {
	fake, _, _ := newAdapter(t)
	post, _ := json.Marshal(fake.ChannelPosts(-100999, "News", "hello"))
	tests := []struct {
		name, raw, ignored string
	}{
		{"channel post", string(post), "channel_post updates are not handled"},
		{"inline query", `{"update_id":7,"inline_query":{"id":"1","from":{"id":1,"is_bot":false,"first_name":"A"},"query":"x","offset":""}}`, "inline_query updates are not handled"},
		{"custom emoji reaction", `{"update_id":8,"message_reaction":{"chat":{"id":1,"type":"private"},"message_id":3,"date":1,"old_reaction":[],"new_reaction":[{"type":"custom_emoji","custom_emoji_id":"55"}]}}`, "custom emoji and paid reactions are not handled"},
		{"promoted in a group", `{"update_id":9,"my_chat_member":{"chat":{"id":-5,"type":"group","title":"G"},"from":{"id":1,"is_bot":false,"first_name":"A"},"date":1,"old_chat_member":{"status":"member","user":{"id":2,"is_bot":true,"first_name":"B"}},"new_chat_member":{"status":"administrator","user":{"id":2,"is_bot":true,"first_name":"B"}}}}`, "my_chat_member updates that change no membership (member to administrator) are not handled"},
	}
	for _, tt := range tests {
		got, err := Parse([]byte(tt.raw))
		if err != nil || got.Ignored != tt.ignored || len(got.Events) != 0 {
			t.Errorf("%s: %+v, %v", tt.name, got, err)
		}
	}
	for _, raw := range []string{`not json`, `[1]`, `{"update_id":"7"}`} {
		if _, err := Parse([]byte(raw)); err == nil {
			t.Errorf("%s: parsed", raw)
		}
	}
}
