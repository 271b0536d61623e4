package telegram

import (
	"context"
	"html"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// convID is a conversation id of the usual length (33).
const convID = "c_0123456789abcdef0123456789abcde"

var pushNote = push.Notification{AlertID: "a1", Event: models.EventNewChat, ConversationID: convID,
	SubscriberName: "Ann <Lee>", Channel: models.ChannelWhatsApp, BotName: "Shop & Co",
	Preview: `Is my order "#5" <shipped>?`, URL: "https://app.switchboard.example/chats/" + convID}

var tags = regexp.MustCompile(`</?b>`)

// seen is what Telegram shows of an AlertMessage text (it only uses <b>).
func seen(text string) string {
	return html.UnescapeString(tags.ReplaceAllString(text, ""))
}

func units(s string) int { return len(utf16.Encode([]rune(s))) }

func TestAlertMessageText(t *testing.T) {
	tests := []struct {
		name   string
		change func(n *push.Notification)
		text   string
	}{
		{"escaped", func(*push.Notification) {},
			"<b>Ann &lt;Lee&gt;</b> · New chat\nShop &amp; Co · WhatsApp\n\nIs my order &quot;#5&quot; &lt;shipped&gt;?"},
		{"no name, event, bot or preview", func(n *push.Notification) {
			n.SubscriberName, n.Event, n.BotName, n.Channel, n.Preview = " ", "", "", "", " \n "
		}, "<b>Subscriber</b>"},
		{"names on one line, preview lines kept", func(n *push.Notification) {
			n.SubscriberName, n.Event, n.Preview, n.Channel = "Ann\n  Lee", models.EventAssigned, "line 1\nline 2", "fax"
		}, "<b>Ann Lee</b> · Assigned to you\nShop &amp; Co · fax\n\nline 1\nline 2"},
		{"invalid UTF-8 replaced", func(n *push.Notification) {
			n.SubscriberName, n.BotName, n.Channel, n.Preview = "A\xffB", "", "", "x\xfe"
		}, "<b>A\uFFFDB</b> · New chat\n\nx\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := pushNote
			tt.change(&n)
			p := AlertMessage(42, &n)
			if p.Text != tt.text {
				t.Fatalf("text\n got %q\nwant %q", p.Text, tt.text)
			}
			if p.ChatID != 42 || p.ParseMode != "HTML" || p.LinkPreviewOptions == nil || !p.LinkPreviewOptions.IsDisabled {
				t.Fatalf("params = %+v", p)
			}
		})
	}
}

func TestAlertMessagePreviewBoundary(t *testing.T) {
	n := pushNote
	n.Preview = ""
	header := units(seen(AlertMessage(1, &n).Text)) + len("\n\n")
	room := MaxMessageLen - header
	tests := []struct {
		name    string
		preview string
		want    string // the preview as shown
	}{
		{"fits exactly", strings.Repeat("a", room), strings.Repeat("a", room)},
		{"escapes do not count", strings.Repeat("<", room), strings.Repeat("<", room)},
		{"one over", strings.Repeat("a", room+1), strings.Repeat("a", room-1) + "…"},
		{"far over", strings.Repeat("é", 3*room), strings.Repeat("é", room-1) + "…"},
		{"astral fits exactly", strings.Repeat("a", room-2) + "😀", strings.Repeat("a", room-2) + "😀"},
		{"surrogate pair never split", strings.Repeat("a", room-2) + "😀b", strings.Repeat("a", room-2) + "…"},
		{"astral kept before the ellipsis", strings.Repeat("a", room-3) + "😀😀", strings.Repeat("a", room-3) + "😀…"},
		{"all astral", strings.Repeat("😀", room), strings.Repeat("😀", (room-1)/2) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.Preview = tt.preview
			shown := seen(AlertMessage(1, &n).Text)
			if got := shown[len(shown)-len(tt.want):]; got != tt.want || units(shown) != header+units(tt.want) {
				t.Fatalf("preview shown as %d units ending %q, want %d ending %q",
					units(shown), shown[max(0, len(shown)-12):], header+units(tt.want), tt.want[max(0, len(tt.want)-12):])
			}
			if units(shown) > MaxMessageLen {
				t.Fatalf("%d units > %d", units(shown), MaxMessageLen)
			}
		})
	}
}

func TestAlertMessageLongHeader(t *testing.T) {
	n := pushNote
	n.SubscriberName, n.BotName, n.Preview = strings.Repeat("<N>", 5000), strings.Repeat("&", 5000), strings.Repeat("p", 9000)
	shown := seen(AlertMessage(1, &n).Text)
	if units(shown) != MaxMessageLen || !strings.HasPrefix(shown, strings.Repeat("<N>", 42)+"<…") {
		t.Fatalf("%d units: %.60q", units(shown), shown)
	}
}

func TestAlertKeyboard(t *testing.T) {
	row2 := func(id string) []tg.InlineKeyboardButton {
		return []tg.InlineKeyboardButton{{Text: "Assign to me", CallbackData: "as:" + id},
			{Text: "Close", CallbackData: "cl:" + id}, {Text: "+60 min", CallbackData: "pa:" + id}}
	}
	open := []tg.InlineKeyboardButton{{Text: "Open", URL: pushNote.URL}}
	id61 := strings.Repeat("x", 61)
	tests := []struct {
		name   string
		url    string
		convID string
		want   [][]tg.InlineKeyboardButton
	}{
		{"both rows", pushNote.URL, convID, [][]tg.InlineKeyboardButton{open, row2(convID)}},
		{"no URL", "", convID, [][]tg.InlineKeyboardButton{row2(convID)}},
		{"not http", "javascript:alert(1)", convID, [][]tg.InlineKeyboardButton{row2(convID)}},
		{"localhost is refused by Telegram", "http://localhost:8080/chats/1", convID, [][]tg.InlineKeyboardButton{row2(convID)}},
		{"relative", "/chats/1", convID, [][]tg.InlineKeyboardButton{row2(convID)}},
		{"callback data of 64 bytes", "", id61, [][]tg.InlineKeyboardButton{row2(id61)}},
		{"callback data of 65 bytes", pushNote.URL, id61 + "y", [][]tg.InlineKeyboardButton{open}},
		{"no conversation", pushNote.URL, "", [][]tg.InlineKeyboardButton{open}},
		{"nothing", "ftp://files.example/x", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := pushNote
			n.URL, n.ConversationID = tt.url, tt.convID
			got := AlertMessage(1, &n).ReplyMarkup
			if tt.want == nil {
				if got != nil {
					t.Fatalf("keyboard %+v, want none", got)
				}
				return
			}
			if got == nil || !reflect.DeepEqual(got.InlineKeyboard, tt.want) {
				t.Fatalf("keyboard %+v\nwant %+v", got, tt.want)
			}
			for _, row := range got.InlineKeyboard {
				for _, b := range row {
					if len(b.CallbackData) > MaxCallbackData {
						t.Fatalf("callback data of %d bytes", len(b.CallbackData))
					}
				}
			}
		})
	}
}

// TestAlertMessageAcceptedByTelegram sends the boundary cases through the
// fake, which parses the HTML and enforces the limits as Telegram does.
func TestAlertMessageAcceptedByTelegram(t *testing.T) {
	fake, c := newTest(t)
	n := pushNote
	for i, preview := range []string{strings.Repeat("<&>", 3000), strings.Repeat("😀", 3000), "short"} {
		n.Preview = preview
		if _, err := c.SendMessage(context.Background(), AlertMessage(42, &n)); err != nil {
			t.Fatalf("preview %d refused: %v", i, err)
		}
	}
	sent := fake.Sent(42)
	if units(sent[0].Plain) != MaxMessageLen || sent[0].Plain != seen(sent[0].Text) {
		t.Fatalf("shown %d units", units(sent[0].Plain))
	}
	if len(sent[2].ReplyMarkup.InlineKeyboard) != 2 {
		t.Fatalf("keyboard = %+v", sent[2].ReplyMarkup)
	}
}
