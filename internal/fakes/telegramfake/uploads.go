package telegramfake

import (
	"io"
	"net/http"
	"strings"
)

// maxCaptionLen is the most a caption may hold, after entity parsing.
const maxCaptionLen = 1024

func sendPhoto(s *Server, r *http.Request, p params) (any, *apiError) {
	return sendFile(s, r, p, "photo")
}

func sendDocument(s *Server, r *http.Request, p params) (any, *apiError) {
	return sendFile(s, r, p, "document")
}

// sendFile answers sendPhoto and sendDocument. The fake takes uploads
// only (a multipart part named by the field, or attach://<part>): a
// file_id or URL is refused, since Switchboard never sends those.
func sendFile(s *Server, r *http.Request, p params, field string) (any, *apiError) {
	chatID, e := chatIDParam(p)
	if e != nil {
		return nil, e
	}
	part := field
	if ref, ok := strings.CutPrefix(p.str(field), "attach://"); ok {
		part = ref
	}
	if r.MultipartForm == nil || len(r.MultipartForm.File[part]) == 0 {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	fh := r.MultipartForm.File[part][0]
	f, err := fh.Open()
	if err != nil {
		return nil, badRequest("can't read the file")
	}
	data, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return nil, badRequest("can't read the file")
	}
	if len(data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	caption, err := plainText(p.str("caption"), p.str("parse_mode"))
	if err != nil {
		return nil, badRequest(err.Error())
	}
	if utf16Len(caption) > maxCaptionLen {
		return nil, badRequest("message caption is too long")
	}
	markup, e := inlineMarkup(p)
	if e != nil {
		return nil, e
	}
	reply := replyParams(p)

	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chatID)
	replied, e := c.replied(reply)
	if e != nil {
		return nil, e
	}
	bot := s.bot
	ct := fh.Header.Get("Content-Type")
	spec := FileSpec{Name: fh.Filename, MimeType: ct, Data: data}
	m := &Message{MessageID: c.nextID(), From: &bot, Chat: c.info(), Date: s.now().Unix(), Caption: caption,
		ReplyToMessage: snapshot(replied, false), ReplyMarkup: markup}
	if field == "photo" {
		m.Photo = s.photoSizes(spec)
	} else {
		sf := s.addFile("documents", spec)
		m.Document = &Document{FileID: sf.FileID, FileUniqueID: sf.FileUniqueID, FileName: fh.Filename, MimeType: ct, FileSize: sf.Size}
	}
	c.messages[m.MessageID] = m
	c.sent = append(c.sent, SentMessage{ChatID: chatID, MessageID: m.MessageID, Text: p.str("caption"), Plain: caption,
		ParseMode: p.str("parse_mode"), ReplyMarkup: markup, ReplyTo: reply.MessageID,
		DisableNotification: p.boolean("disable_notification"),
		File:                &SentFile{Field: field, Name: fh.Filename, MimeType: ct, Data: data}})
	return snapshot(m, true), nil
}

// photoSizes stores a photo as Telegram does, in three sizes (smallest
// first), the largest being f itself; s.mu is held.
func (s *Server) photoSizes(f FileSpec) []PhotoSize {
	full := f.size()
	var out []PhotoSize
	for _, d := range []struct {
		w, h int
		div  int64
	}{{90, 67, 40}, {320, 240, 8}, {1280, 960, 1}} {
		spec := FileSpec{Name: "photo.jpg", MimeType: "image/jpeg", Size: max(full/d.div, 1), HideSize: f.HideSize, Chunked: f.Chunked}
		if d.div == 1 {
			spec = f
		}
		sf := s.addFile("photos", spec)
		out = append(out, PhotoSize{FileID: sf.FileID, FileUniqueID: sf.FileUniqueID, Width: d.w, Height: d.h, FileSize: spec.announced()})
	}
	return out
}
