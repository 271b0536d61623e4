package channels

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
)

// maxFetchAttempts bounds the tries of a file the messenger keeps failing
// to give; after them the message gets a system note.
const maxFetchAttempts = 8

// fetch brings an inbound message's file from the messenger into the file
// store (job JobFetch), within the 20 MB bound and the executable check;
// until then the message shows a pending attachment. A file refused (too
// large, an executable, gone) becomes a visible system note in the chat.
func (s *Service) fetch(ctx context.Context, job models.Job) jobs.Outcome {
	m, err := s.st.Messages.Message(ctx, job.WS, job.ID)
	if models.IsNotFound(err) {
		return jobs.Finished()
	}
	if err != nil {
		return s.later(job, 0)
	}
	if m.File == nil || !m.File.Pending {
		return jobs.Finished()
	}
	b, err := s.st.Bots.Bot(ctx, job.WS, m.BotID)
	if err != nil {
		return s.laterOrDone(job, err)
	}
	a := s.adapters[b.Channel]
	if a == nil {
		return jobs.Finished()
	}
	f := &models.File{ID: storedFileID(m.ID), WS: m.WS, Name: inbox.CleanFileName(m.File.Name), ConversationID: m.ConversationID}
	if f.Name == "" {
		f.Name = "file"
	}
	if rec, err := s.st.Files.FileRecord(ctx, m.WS, f.ID); err == nil {
		return s.attach(ctx, job, m, rec) // stored by an attempt that died before saying so
	}
	d, err := a.Fetch(ctx, b.Credentials, m.File.Ref)
	if err != nil {
		var ce *Error
		switch {
		case errors.As(err, &ce) && ce.Reason == "too_large":
			return s.refuse(ctx, job, m, fmt.Sprintf("The file %s is over the %d MB limit and was not downloaded.", f.Name, models.MaxFileSize>>20))
		case ce != nil && ce.Revoked:
			s.broken(ctx, b, ce)
			return s.refuse(ctx, job, m, fmt.Sprintf("The file %s could not be downloaded: %s refused the bot's credentials.", f.Name, platformName[b.Channel]))
		case ce != nil && ce.Permanent, job.Claims >= maxFetchAttempts:
			return s.refuse(ctx, job, m, fmt.Sprintf("The file %s could not be downloaded: %s.", f.Name, describe(err)))
		}
		return s.later(job, retryAfter(err))
	}
	defer d.Body.Close()
	if d.Size > models.MaxFileSize {
		return s.refuse(ctx, job, m, fmt.Sprintf("The file %s is over the %d MB limit and was not downloaded.", f.Name, models.MaxFileSize>>20))
	}
	br := bufio.NewReaderSize(d.Body, 3072)
	head, err := br.Peek(3072)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return s.laterOrNote(ctx, job, m, f.Name, err)
	}
	mt, err := inbox.Screen(f.Name, head)
	if err != nil {
		return s.refuse(ctx, job, m, fmt.Sprintf("The file %s was not kept: executable files are not allowed.", f.Name))
	}
	f.MimeType = mt
	body := &sourceReader{r: br}
	if err := s.st.Files.SaveFile(ctx, f, body, models.MaxFileSize); err != nil {
		if models.ErrorCode(err) == models.CodeTooLarge || body.tooLarge() {
			return s.refuse(ctx, job, m, fmt.Sprintf("The file %s is over the %d MB limit and was not downloaded.", f.Name, models.MaxFileSize>>20))
		}
		if models.ErrorCode(err) != models.CodeConflict {
			return s.laterOrNote(ctx, job, m, f.Name, err)
		}
	}
	rec, err := s.st.Files.FileRecord(ctx, m.WS, f.ID)
	if err != nil {
		return s.later(job, 0)
	}
	return s.attach(ctx, job, m, rec)
}

// sourceReader keeps the error a download's body failed with: an adapter
// whose file had no announced length finds it too large while streaming,
// and the store reports only that the read failed.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// tooLarge reports whether the body failed because the file is over the
// bound.
func (s *sourceReader) tooLarge() bool {
	var ce *Error
	return errors.As(s.err, &ce) && ce.Reason == "too_large"
}

// attach points m's attachment at the stored file.
func (s *Service) attach(ctx context.Context, job models.Job, m *models.Message, f *models.File) jobs.Outcome {
	att := models.Attachment{Name: f.Name, MimeType: f.MimeType, Size: f.Size, URL: "/v1/files/" + f.ID}
	if _, err := s.st.Messages.UpdateMessage(ctx, m.WS, m.ID, models.MessageUpdate{File: &att}); err != nil {
		return s.later(job, 0)
	}
	return jobs.Finished()
}

// refuse ends m's pending attachment and tells the chat why in a system
// note (under an id derived from the message's: written once).
func (s *Service) refuse(ctx context.Context, job models.Job, m *models.Message, why string) jobs.Outcome {
	note := &models.Message{ID: storedFileID(m.ID) + "n", ConversationID: m.ConversationID, SubscriberID: m.SubscriberID, BotID: m.BotID,
		Sender: models.SenderSystem, Kind: models.KindEvent, Event: "file_refused", Text: why, ReplyTo: m.ID, CreatedAt: s.now()}
	if err := s.st.Messages.CreateMessage(ctx, m.WS, note); err != nil && models.ErrorCode(err) != models.CodeConflict {
		return s.later(job, 0)
	}
	att := *m.File
	att.Pending, att.Ref = false, ""
	if _, err := s.st.Messages.UpdateMessage(ctx, m.WS, m.ID, models.MessageUpdate{File: &att}); err != nil {
		return s.later(job, 0)
	}
	return jobs.Finished()
}

func (s *Service) laterOrNote(ctx context.Context, job models.Job, m *models.Message, name string, err error) jobs.Outcome {
	if job.Claims >= maxFetchAttempts {
		return s.refuse(ctx, job, m, fmt.Sprintf("The file %s could not be downloaded: %s.", name, describe(err)))
	}
	return s.later(job, 0)
}

func (s *Service) laterOrDone(job models.Job, err error) jobs.Outcome {
	if models.IsNotFound(err) {
		return jobs.Finished()
	}
	return s.later(job, 0)
}

func retryAfter(err error) time.Duration {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.RetryAfter
	}
	return 0
}

// storedFileID is the file id an inbound message's file is stored under.
func storedFileID(messageID string) string {
	sum := sha256.Sum256([]byte("inbound-file\x00" + messageID))
	return "f" + hex.EncodeToString(sum[:15])
}

// profile fetches a new subscriber's profile from the messenger (job
// JobProfile): a group's member count and invite link, and the avatar,
// stored in the file store rather than linked to the messenger.
func (s *Service) profile(ctx context.Context, job models.Job) jobs.Outcome {
	sub, err := s.st.Subscribers.Subscriber(ctx, job.WS, job.ID)
	if err != nil {
		return s.laterOrDone(job, err)
	}
	b, err := s.st.Bots.Bot(ctx, job.WS, sub.BotID)
	if err != nil {
		return s.laterOrDone(job, err)
	}
	pr, ok := s.adapters[b.Channel].(Profiler)
	if !ok {
		return jobs.Finished()
	}
	prof, ref, err := pr.Profile(ctx, b.Credentials, sub.ExternalID)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) && ce.Permanent || job.Claims >= maxFetchAttempts {
			return jobs.Finished() // the profile is a nicety: the chat works without it
		}
		return s.later(job, retryAfter(err))
	}
	if ref != "" {
		if u, err := s.avatar(ctx, b, sub, ref); err == nil {
			prof.AvatarURL = u
		} else if !permanent(err) && job.Claims < maxFetchAttempts {
			return s.later(job, retryAfter(err))
		}
	}
	if prof.Name == "" && prof.AvatarURL == "" && prof.TelegramGroup == nil && len(prof.Variables) == 0 {
		return jobs.Finished()
	}
	if _, err := s.st.Subscribers.UpdateSubscriber(ctx, job.WS, sub.ID, models.SubscriberUpdate{Profile: &prof}); err != nil {
		return s.later(job, 0)
	}
	return jobs.Finished()
}

// avatar stores a subscriber's avatar (an image, at most 20 MB) and
// returns its URL.
func (s *Service) avatar(ctx context.Context, b *models.Bot, sub *models.Subscriber, ref string) (string, error) {
	id := storedFileID("avatar\x00" + sub.ID + "\x00" + ref)
	if _, err := s.st.Files.FileRecord(ctx, sub.WS, id); err == nil {
		return "/v1/files/" + id, nil
	}
	d, err := s.adapters[b.Channel].Fetch(ctx, b.Credentials, ref)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) && ce.Permanent {
			return "", models.Invalid("avatar refused", models.FieldError{Field: "avatar", Message: ce.Description})
		}
		return "", err
	}
	defer d.Body.Close()
	br := bufio.NewReaderSize(d.Body, 3072)
	head, _ := br.Peek(3072)
	mt, err := inbox.Screen("avatar", head)
	if err != nil || len(mt) < 6 || mt[:6] != "image/" {
		return "", models.Invalid("avatar is not an image", models.FieldError{Field: "avatar", Message: "is not an image"})
	}
	f := &models.File{ID: id, WS: sub.WS, Name: "avatar", MimeType: mt, ConversationID: models.ConversationID(sub.ID)}
	if err := s.st.Files.SaveFile(ctx, f, br, models.MaxFileSize); err != nil && models.ErrorCode(err) != models.CodeConflict {
		return "", err
	}
	return "/v1/files/" + id, nil
}
