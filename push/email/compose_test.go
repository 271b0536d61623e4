package email

import (
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

func alert() *push.Notification {
	return &push.Notification{Event: models.EventNewChat, ConversationID: "c1", SubscriberName: "Bob Smith",
		Channel: models.ChannelWhatsApp, BotName: "Acme Support", Preview: "Hello,\nwhere is my order?",
		URL: "https://app.example/chats/c1", Email: "anna@example.com", MemberName: "Anna"}
}

func TestComposeSubject(t *testing.T) {
	cases := []struct {
		name   string
		change func(*push.Notification)
		want   string
	}{
		{"new chat", func(*push.Notification) {}, "New chat from Bob Smith (Acme Support, WhatsApp)"},
		{"message", func(n *push.Notification) { n.Event = models.EventChatMessage }, "New message from Bob Smith (Acme Support, WhatsApp)"},
		{"assigned", func(n *push.Notification) { n.Event = models.EventAssigned }, "Chat with Bob Smith assigned to you (Acme Support, WhatsApp)"},
		{"followed", func(n *push.Notification) { n.Event = models.EventFollowedMessage }, "New message from Bob Smith in a chat you follow (Acme Support, WhatsApp)"},
		{"test", func(n *push.Notification) { n.Event = models.EventTest }, "Test notification from Switchboard"},
		{"no bot", func(n *push.Notification) { n.BotName = "" }, "New chat from Bob Smith (WhatsApp)"},
		{"no bot, no channel", func(n *push.Notification) { n.BotName, n.Channel = "", "" }, "New chat from Bob Smith"},
		{"unknown channel", func(n *push.Notification) { n.Channel = "line" }, "New chat from Bob Smith (Acme Support, line)"},
		{"live chat", func(n *push.Notification) { n.Channel = models.ChannelLiveChat }, "New chat from Bob Smith (Acme Support, Live chat)"},
		{"no name", func(n *push.Notification) { n.SubscriberName = " " }, "New chat from a subscriber (Acme Support, WhatsApp)"},
		{"CRLF in the name", func(n *push.Notification) { n.SubscriberName = "Bob\r\nBcc: evil@example.com" }, "New chat from Bob Bcc: evil@example.com (Acme Support, WhatsApp)"},
		{"LF and NUL in the bot", func(n *push.Notification) { n.BotName = "Acme\n\x00Support" }, "New chat from Bob Smith (Acme Support, WhatsApp)"},
		{"unicode line separator", func(n *push.Notification) { n.SubscriberName = "Bob\u2028Smith\u0085" }, "New chat from Bob Smith (Acme Support, WhatsApp)"},
		{"long name", func(n *push.Notification) { n.SubscriberName = strings.Repeat("й", 100) }, "New chat from " + strings.Repeat("й", 79) + "… (Acme Support, WhatsApp)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := alert()
			c.change(n)
			subject, _, _ := Compose(n)
			if subject != c.want {
				t.Errorf("subject = %q, want %q", subject, c.want)
			}
			if strings.ContainsAny(subject, "\r\n\x00") {
				t.Error("the subject is not one line")
			}
		})
	}
}

func TestComposeBody(t *testing.T) {
	cases := []struct {
		name     string
		change   func(*push.Notification)
		text     []string // in the text part
		html     []string // in the html part
		notInAny []string // in neither
	}{
		{"plain", func(*push.Notification) {},
			[]string{"Hi Anna,\n", "Bob Smith started a chat with Acme Support on WhatsApp:\n", "> Hello,\n> where is my order?\n", "Open the chat: https://app.example/chats/c1\n"},
			[]string{"Hi Anna,", "Bob Smith started a chat with Acme Support on WhatsApp:", "Hello,<br>where is my order?", `<a href="https://app.example/chats/c1"`},
			nil},
		{"script in the name and preview", func(n *push.Notification) {
			n.SubscriberName = `<script>alert("x")</script>`
			n.Preview = `<img src=x onerror=alert(1)> & "quotes"`
		},
			[]string{`<script>alert("x")</script> started a chat`, `> <img src=x onerror=alert(1)> & "quotes"`},
			[]string{`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; started a chat`, `&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quotes&#34;`},
			nil},
		{"no member name", func(n *push.Notification) { n.MemberName = "" }, []string{"Hi,\n"}, []string{"<p>Hi,</p>"}, nil},
		{"member name with CRLF", func(n *push.Notification) { n.MemberName = "An\r\nna" }, []string{"Hi An na,\n"}, []string{"Hi An na,"}, nil},
		{"no URL", func(n *push.Notification) { n.URL = "" }, nil, nil, []string{"Open the chat"}},
		{"javascript URL", func(n *push.Notification) { n.URL = "javascript:alert(1)" }, nil, []string{`href="#ZgotmplZ"`}, nil},
		{"no preview", func(n *push.Notification) { n.Preview = "" }, nil, nil, []string{"> ", "<blockquote"}},
		{"assigned", func(n *push.Notification) { n.Event = models.EventAssigned },
			[]string{"A chat with Bob Smith was assigned to you. They wrote to Acme Support on WhatsApp:\n"}, nil, nil},
		{"message", func(n *push.Notification) { n.Event = models.EventChatMessage }, []string{"Bob Smith wrote to Acme Support on WhatsApp:\n"}, nil, nil},
		{"CR line breaks and control characters", func(n *push.Notification) { n.Preview = "one\rtwo\r\nthree\x00four" },
			[]string{"> one\n> two\n> three four\n"}, []string{"one<br>two<br>three four"}, nil},
		{"long preview", func(n *push.Notification) { n.Preview = strings.Repeat("a", 3000) },
			[]string{"> " + strings.Repeat("a", maxPreview-1) + "…\n"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := alert()
			c.change(n)
			_, text, html := Compose(n)
			for _, s := range c.text {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q:\n%s", s, text)
				}
			}
			for _, s := range c.html {
				if !strings.Contains(html, s) {
					t.Errorf("html lacks %q:\n%s", s, html)
				}
			}
			for _, s := range c.notInAny {
				if strings.Contains(text, s) || strings.Contains(html, s) {
					t.Errorf("%q is in the email", s)
				}
			}
			if strings.Contains(html, "<script>") || strings.Contains(html, "<img") {
				t.Error("html has unescaped markup")
			}
		})
	}
}
