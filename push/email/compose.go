package email

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// Limits of what an email quotes.
const (
	maxName    = 80   // runes of a name in the subject
	maxPreview = 2000 // runes of the quoted message
)

// channelNames are the channels as people write them.
var channelNames = map[models.Channel]string{
	models.ChannelTelegram: "Telegram", models.ChannelWhatsApp: "WhatsApp", models.ChannelInstagram: "Instagram",
	models.ChannelMessenger: "Messenger", models.ChannelViber: "Viber", models.ChannelLiveChat: "Live chat",
}

// page is the HTML part; html/template escapes every value and refuses
// URLs of unsafe schemes (javascript:).
var page = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328;line-height:1.5">
<p>{{.Greeting}}</p>
<p>{{.Intro}}</p>
{{- if .Quote}}
<blockquote style="margin:0 0 1em;padding:.5em 1em;border-left:3px solid #d0d7de;color:#424a53">
{{- range $i, $l := .Quote}}{{if $i}}<br>{{end}}{{$l}}{{end -}}
</blockquote>
{{- end}}
{{- if .URL}}
<p><a href="{{.URL}}" style="color:#0969da">Open the chat</a></p>
{{- end}}
<p style="color:#656d76;font-size:12px">{{.Footer}}</p>
</body></html>
`))

// view is what both parts say.
type view struct {
	Subject, Greeting, Intro, URL, Footer string
	Quote                                 []string
}

const footer = "You get this email because email alerts are on in your Switchboard notification settings."

// Compose writes the alert email for n: the subject names the subscriber,
// the bot and the channel ("New chat from Bob (Acme Support, WhatsApp)");
// the body greets n.MemberName, quotes the subscriber's last message
// (n.Preview, cut to 2000 characters) and links n.URL. The subject is one
// line: control characters and line breaks in names become spaces. The
// html part escapes every value. A bot's break (bot_broken) is about no
// chat: its subject names the bot ("Bot Shop is disconnected
// (Telegram)"), its body is the alert's text, with no quote and no link.
func Compose(n *push.Notification) (subject, text, html string) {
	who := oneLine(n.SubscriberName, maxName)
	if who == "" {
		who = "a subscriber"
	}
	bot, ch := oneLine(n.BotName, maxName), oneLine(channelName(n.Channel), maxName)
	v := view{Subject: subjectLine(n.Event, who, bot, ch), Greeting: "Hi,", URL: n.URL, Footer: footer}
	if m := oneLine(n.MemberName, maxName); m != "" {
		v.Greeting = "Hi " + m + ","
	}
	v.Intro = intro(n.Event, who, bot, ch)
	quote := n.Preview
	if n.Event == models.EventBotBroken {
		// About a bot, not a chat: the alert's text is the message.
		v.Subject, v.URL, quote = botSubject(bot, ch), "", ""
		if v.Intro = oneLine(n.Preview, maxPreview); v.Intro == "" {
			v.Intro = v.Subject + "."
		}
	}
	if p := strings.TrimSpace(cut(strings.ToValidUTF8(quote, "\uFFFD"), maxPreview)); p != "" {
		p = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n").Replace(p)
		for _, l := range strings.Split(p, "\n") {
			v.Quote = append(v.Quote, strings.TrimRightFunc(strings.Map(noControl, l), unicode.IsSpace))
		}
	}

	var b strings.Builder
	b.WriteString(v.Greeting + "\n\n" + v.Intro + "\n")
	if len(v.Quote) > 0 {
		b.WriteString("\n")
		for _, l := range v.Quote {
			b.WriteString(strings.TrimRightFunc("> "+l, unicode.IsSpace) + "\n")
		}
	}
	if v.URL != "" {
		b.WriteString("\nOpen the chat: " + v.URL + "\n")
	}
	b.WriteString("\n-- \n" + footer + "\n")

	var h strings.Builder
	if err := page.Execute(&h, v); err != nil {
		return v.Subject, b.String(), "" // a template of strings does not fail
	}
	return v.Subject, b.String(), h.String()
}

// botSubject is the subject of a bot's break: "Bot Shop is disconnected
// (Telegram)".
func botSubject(bot, ch string) string {
	s := "A bot is disconnected"
	if bot != "" {
		s = "Bot " + bot + " is disconnected"
	}
	if ch != "" {
		s += " (" + ch + ")"
	}
	return s
}

// subjectLine is the subject for event.
func subjectLine(event models.AlertEvent, who, bot, ch string) string {
	var s string
	switch event {
	case models.EventNewChat:
		s = "New chat from " + who
	case models.EventAssigned:
		s = "Chat with " + who + " assigned to you"
	case models.EventFollowedMessage:
		s = "New message from " + who + " in a chat you follow"
	case models.EventTest:
		return "Test notification from Switchboard"
	default:
		s = "New message from " + who
	}
	if where := strings.Join(nonEmpty(bot, ch), ", "); where != "" {
		s += " (" + where + ")"
	}
	return s
}

// intro is the sentence before the quoted message.
func intro(event models.AlertEvent, who, bot, ch string) string {
	where := func(prep string) string {
		s := ""
		if bot != "" {
			s += " " + prep + " " + bot
		}
		if ch != "" {
			s += " on " + ch
		}
		return s
	}
	switch event {
	case models.EventTest:
		return "This is a test notification: email alerts reach you."
	case models.EventNewChat:
		return who + " started a chat" + where("with") + ":"
	case models.EventAssigned:
		return "A chat with " + who + " was assigned to you. They wrote" + where("to") + ":"
	}
	return who + " wrote" + where("to") + ":"
}

// channelName is c as people write it.
func channelName(c models.Channel) string {
	if s, ok := channelNames[c]; ok {
		return s
	}
	return string(c)
}

// noControl turns a control character other than tab into a space.
func noControl(r rune) rune {
	if r != '\t' && unicode.IsControl(r) {
		return ' '
	}
	return r
}

// oneLine makes s a single line of at most limit runes: control and
// line-separating characters become spaces, runs of spaces one space.
func oneLine(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return cut(strings.Join(strings.Fields(s), " "), limit)
}

// cut shortens s to limit runes, the last an ellipsis.
func cut(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:limit-1]), unicode.IsSpace) + "…"
}

// nonEmpty lists the non-empty strings of ss.
func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
