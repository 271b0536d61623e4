package telegram

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/models"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// maxPhoto is the largest photo sendPhoto takes (10 MB); a bigger one
// goes as a document.
const maxPhoto = 10 << 20

// Send sends a text (sendMessage), or a file uploaded as multipart
// (sendPhoto for a photo up to 10 MB, else sendDocument) with Text as its
// caption, quoting ReplyTo when set (sent anyway if the quoted message is
// gone). It returns "<chat_id>:<message_id>".
func (a *Adapter) Send(ctx context.Context, creds map[string]string, out channels.Outgoing) (string, error) {
	c, err := a.client(creds)
	if err != nil {
		return "", err
	}
	chatID, err := parseChat(out.ChatID)
	if err != nil {
		return "", err
	}
	var reply *tg.ReplyParameters
	if out.ReplyTo != "" {
		id, err := parseMessage(chatID, out.ReplyTo)
		if err != nil {
			return "", err
		}
		reply = &tg.ReplyParameters{MessageID: id, AllowSendingWithoutReply: true}
	}
	var m *tg.Message
	if f := out.File; f != nil {
		m, err = sendFile(ctx, c, chatID, out.Text, reply, f)
	} else {
		if strings.TrimSpace(out.Text) == "" {
			return "", &channels.Error{Reason: "bad_request", Description: "the message has no text", Permanent: true}
		}
		if tg.UTF16Len(out.Text) > tg.MaxMessageLen {
			return "", &channels.Error{Reason: "bad_request", Permanent: true,
				Description: "the text is longer than Telegram's 4096 characters"}
		}
		m, err = c.SendMessage(ctx, tg.SendMessageParams{ChatID: chatID, Text: out.Text, ReplyParameters: reply})
	}
	if err != nil {
		return "", classify(err)
	}
	return messageID(m.Chat.ID, m.MessageID), nil
}

func sendFile(ctx context.Context, c *tg.Client, chatID int64, caption string, reply *tg.ReplyParameters, f *channels.OutgoingFile) (*tg.Message, error) {
	if tg.UTF16Len(caption) > tg.MaxCaptionLen {
		return nil, &channels.Error{Reason: "bad_request", Permanent: true, Description: "the caption is longer than Telegram's 1024 characters"}
	}
	if f.Open == nil {
		return nil, &channels.Error{Reason: "bad_request", Permanent: true, Description: "the file cannot be read"}
	}
	body, err := f.Open(ctx)
	if err != nil {
		return nil, &channels.Error{Reason: "unavailable", Description: "opening the file: " + err.Error()}
	}
	defer body.Close()
	p := tg.SendFileParams{ChatID: chatID, Body: body, Name: f.Name, MimeType: f.MimeType, Caption: caption, ReplyParameters: reply}
	if f.Photo && f.Size <= maxPhoto {
		return c.SendPhoto(ctx, p)
	}
	return c.SendDocument(ctx, p)
}

// Delete deletes a sent message by its "<chat_id>:<message_id>" id
// (Telegram allows it within 48 hours of sending).
func (a *Adapter) Delete(ctx context.Context, creds map[string]string, chatID, externalID string) error {
	c, err := a.client(creds)
	if err != nil {
		return err
	}
	chat, err := parseChat(chatID)
	if err != nil {
		return err
	}
	id, err := parseMessage(chat, externalID)
	if err != nil {
		return err
	}
	return classify(c.DeleteMessage(ctx, chat, id))
}

// Fetch opens an inbound file by its file_id: getFile, then the download,
// refused as too_large when Telegram announces more than
// models.MaxFileSize and cut (a *channels.Error too_large from Read) after
// models.MaxFileSize+1 bytes otherwise.
func (a *Adapter) Fetch(ctx context.Context, creds map[string]string, ref string) (*channels.Download, error) {
	c, err := a.client(creds)
	if err != nil {
		return nil, err
	}
	f, err := c.GetFile(ctx, ref)
	if err != nil {
		return nil, classify(err)
	}
	if f.FileSize > models.MaxFileSize {
		return nil, &channels.Error{Reason: "too_large", Permanent: true,
			Description: "the file has " + strconv.FormatInt(f.FileSize, 10) + " bytes, over the 20 MB bound"}
	}
	if f.FilePath == "" {
		return nil, &channels.Error{Reason: "too_large", Permanent: true, Description: "Telegram gives no download of this file"}
	}
	body, err := c.Download(ctx, f.FilePath, models.MaxFileSize)
	var api *tg.APIError
	if errors.As(err, &api) && api.Code == http.StatusNotFound {
		// The file's link is gone (links last an hour): not the token's
		// fault, as a 404 to a method call would be. A retry gets a new one.
		return nil, &channels.Error{Reason: "unavailable", Description: "the file's download link is gone: " + api.Description}
	}
	if err != nil {
		return nil, classify(err)
	}
	size := f.FileSize
	if size == 0 {
		size = -1
	}
	name := f.FilePath[strings.LastIndexByte(f.FilePath, '/')+1:]
	return &channels.Download{Body: classifiedBody{body}, Name: name, Size: size}, nil
}

// classifiedBody reports a read past the bound as a *channels.Error.
type classifiedBody struct {
	b interface {
		Read([]byte) (int, error)
		Close() error
	}
}

func (c classifiedBody) Read(p []byte) (int, error) {
	n, err := c.b.Read(p)
	var tl *tg.TooLargeError
	if errors.As(err, &tl) {
		return n, classify(err)
	}
	return n, err
}

func (c classifiedBody) Close() error { return c.b.Close() }

// parseChat reads a chat id.
func parseChat(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id == 0 {
		return 0, &channels.Error{Reason: "chat_not_found", Permanent: true, Description: "not a Telegram chat id: " + strconv.Quote(s)}
	}
	return id, nil
}

// parseMessage reads a "<chat_id>:<message_id>" id of chat chatID (a bare
// message id is taken too).
func parseMessage(chatID int64, s string) (int64, error) {
	chat, msg, found := strings.Cut(s, ":")
	if !found {
		chat, msg = strconv.FormatInt(chatID, 10), s
	}
	id, err := strconv.ParseInt(msg, 10, 64)
	if err != nil || id <= 0 || chat != strconv.FormatInt(chatID, 10) {
		return 0, &channels.Error{Reason: "bad_request", Permanent: true, Description: "not a message of chat " + strconv.FormatInt(chatID, 10) + ": " + strconv.Quote(s)}
	}
	return id, nil
}
