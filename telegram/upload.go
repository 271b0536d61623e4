package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// uploadTimeout bounds an upload whose context has no deadline.
const uploadTimeout = 5 * time.Minute

// SendFileParams are sendPhoto's and sendDocument's parameters: the file
// is uploaded from Body as multipart/form-data, never fetched by
// Telegram from a URL.
type SendFileParams struct {
	ChatID int64
	// Body streams the file's bytes; Name and MimeType describe them.
	Body     io.Reader
	Name     string
	MimeType string
	// Caption is shown under the file (up to MaxCaptionLen).
	Caption         string
	ParseMode       string
	ReplyParameters *ReplyParameters
	ReplyMarkup     *InlineKeyboardMarkup
}

// SendPhoto uploads a photo (Telegram recompresses it; up to 10 MB) after
// waiting for the chat's and the global rate limits.
func (c *Client) SendPhoto(ctx context.Context, p SendFileParams) (*Message, error) {
	return c.sendFile(ctx, "sendPhoto", "photo", p)
}

// SendDocument uploads a file sent as is (up to 50 MB) after waiting for
// the chat's and the global rate limits.
func (c *Client) SendDocument(ctx context.Context, p SendFileParams) (*Message, error) {
	return c.sendFile(ctx, "sendDocument", "document", p)
}

func (c *Client) sendFile(ctx context.Context, method, field string, p SendFileParams) (*Message, error) {
	if p.Body == nil {
		return nil, fmt.Errorf("telegram %s: no file", method)
	}
	if err := c.lim.wait(ctx, p.ChatID); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, uploadTimeout)
		defer cancel()
	}
	fields := [][2]string{{"chat_id", strconv.FormatInt(p.ChatID, 10)}}
	if p.Caption != "" {
		fields = append(fields, [2]string{"caption", p.Caption})
	}
	if p.ParseMode != "" {
		fields = append(fields, [2]string{"parse_mode", p.ParseMode})
	}
	if p.ReplyParameters != nil {
		data, _ := json.Marshal(p.ReplyParameters) // plain fields: cannot fail
		fields = append(fields, [2]string{"reply_parameters", string(data)})
	}
	if p.ReplyMarkup != nil {
		data, _ := json.Marshal(p.ReplyMarkup)
		fields = append(fields, [2]string{"reply_markup", string(data)})
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan struct{})
	// The writer goroutine is owned by this call: it ends when the body is
	// written or the pipe is closed below, and the call waits for it.
	go func() {
		defer close(done)
		pw.CloseWithError(writeForm(mw, fields, field, p))
	}()
	var m Message
	err := c.post(ctx, method, mw.FormDataContentType(), pr, &m, uploadTimeout)
	pr.CloseWithError(io.ErrClosedPipe)
	<-done
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// writeForm writes the form's fields, then the file.
func writeForm(mw *multipart.Writer, fields [][2]string, field string, p SendFileParams) error {
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return err
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, field, escapeQuotes(fileName(p.Name))))
	ct := p.MimeType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, p.Body); err != nil {
		return err
	}
	return mw.Close()
}

// fileName is the name given to Telegram ("file" when there is none).
func fileName(n string) string {
	n = strings.TrimSpace(Valid(n))
	if n == "" {
		return "file"
	}
	return n
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }
