package viber

import (
	"context"
	"path"
	"strconv"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/channels"
	api "github.com/switchboardhq/switchboard/viber"
)

// DefaultSenderName is the sender's name when neither the agent's nor
// the bot's is known (Viber requires one).
const DefaultSenderName = "Support"

// cut returns s cut to n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// cutName cuts a file name to n characters, keeping its extension.
func cutName(name string, n int) string {
	if utf8.RuneCountInString(name) <= n {
		return name
	}
	ext := path.Ext(name)
	if utf8.RuneCountInString(ext) >= n {
		return cut(name, n)
	}
	return cut(name[:len(name)-len(ext)], n-utf8.RuneCountInString(ext)) + ext
}

// Send delivers out with send_message and returns its message_token.
// The sender is out.SenderName (the agent's name; the caller passes the
// bot's name for greetings and auto-replies), else DefaultSenderName, cut
// to Viber's 28 characters. A text
// is type text; a photo of at most 1 MB (what Viber shows inline) is type
// picture with media = File.URL and the text as its caption (at most 768
// characters); any other file, and a larger photo, is type file with
// media, size and file_name, its text sent after it as a text message
// (the id returned is the file's). Viber cannot quote: ReplyTo is unused.
func (a *Adapter) Send(ctx context.Context, creds map[string]string, out channels.Outgoing) (string, error) {
	t, err := token(creds)
	if err != nil {
		return "", err
	}
	name := out.SenderName
	if name == "" {
		name = DefaultSenderName
	}
	m := &api.Message{Receiver: out.ChatID, MinAPIVersion: 1, Sender: api.Sender{Name: cut(name, api.MaxSenderName)}}
	var after string // a text sent after a file
	switch f := out.File; {
	case f == nil:
		if out.Text == "" {
			return "", &channels.Error{Reason: "bad_request", Description: "an empty message", Permanent: true}
		}
		if n := utf8.RuneCountInString(out.Text); n > api.MaxText {
			return "", &channels.Error{Reason: "bad_request", Permanent: true,
				Description: "Viber limits a text to " + strconv.Itoa(api.MaxText) + " characters"}
		}
		m.Type, m.Text = api.TypeText, out.Text
	case f.URL == "":
		return "", &channels.Error{Reason: "bad_request", Description: "a Viber file needs a public URL", Permanent: true}
	case f.Photo && f.Size > 0 && f.Size <= api.MaxPictureSize:
		if utf8.RuneCountInString(out.Text) > api.MaxCaption {
			return "", &channels.Error{Reason: "bad_request", Permanent: true,
				Description: "Viber limits a photo's caption to " + strconv.Itoa(api.MaxCaption) + " characters"}
		}
		m.Type, m.Media, m.Text = api.TypePicture, f.URL, out.Text
	default:
		if f.Size <= 0 {
			return "", &channels.Error{Reason: "bad_request", Description: "a Viber file needs its size", Permanent: true}
		}
		fileName := f.Name
		if fileName == "" {
			fileName = "file"
		}
		m.Type, m.Media, m.Size, m.FileName = api.TypeFile, f.URL, f.Size, cutName(fileName, api.MaxFileName)
		after = out.Text
	}
	id, err := a.Client.SendMessage(ctx, t, m)
	if err != nil {
		return "", classify(err)
	}
	if after != "" {
		tm := &api.Message{Receiver: out.ChatID, MinAPIVersion: 1, Sender: m.Sender, Type: api.TypeText, Text: cut(after, api.MaxText)}
		// The file is delivered: a failure of its caption must not make the
		// caller send the file again, so it is not returned.
		_, _ = a.Client.SendMessage(ctx, t, tm)
	}
	return id, nil
}
