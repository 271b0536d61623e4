package api_test

import (
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
)

// refusalNote waits for the file_refused note of chat chatID about message
// id and returns it.
func (me *msgEnv) refusalNote(t testing.TB, token, botID string, chatID int64, id string) models.Message {
	t.Helper()
	return me.waitMessage(t, token, botID, chatID, "the file_refused note", func(m models.Message) bool {
		return m.Kind == models.KindEvent && m.Event == "file_refused" && m.ReplyTo == id
	})
}

// A file announced at 20 MB + 1 byte is not fetched: a visible note says
// so and the attachment is no longer pending. One of exactly 20 MB is
// fetched whole.
func TestTelegramFileSizeBound(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)

	me.tg.UserSendsMessage(8101, tgUser(8101, "Big"), telegramfake.Inbound{
		Document: &telegramfake.FileSpec{Name: "big.pdf", MimeType: "application/pdf", Size: models.MaxFileSize + 1}})
	m := me.waitMessage(t, admin, b.ID, 8101, "the big document", fromSubscriber(models.KindFile))
	note := me.refusalNote(t, admin, b.ID, 8101, m.ID)
	if note.Sender != models.SenderSystem || !strings.Contains(note.Text, "big.pdf") || !strings.Contains(note.Text, "20 MB") {
		t.Fatalf("note %+v", note)
	}
	// The note and the attachment are two writes (one transaction on
	// SQLite, one after the other on MongoDB): the attachment may land
	// just after the note.
	eventually(t, "the attachment no longer pending", func() bool {
		m, _ = me.message(admin, m.ConversationID, m.ID)
		return m.File != nil && !m.File.Pending
	})
	if m.File.URL != "" {
		t.Fatalf("attachment %+v, want no longer pending, with no file", m.File)
	}

	me.tg.UserSendsMessage(8102, tgUser(8102, "Edge"), telegramfake.Inbound{
		Document: &telegramfake.FileSpec{Name: "edge.raw", MimeType: "application/octet-stream", Size: models.MaxFileSize}})
	m = me.waitMessage(t, admin, b.ID, 8102, "the 20 MB document is fetched", func(m models.Message) bool {
		return fromSubscriber(models.KindFile)(m) && m.File != nil && !m.File.Pending
	})
	if !strings.HasPrefix(m.File.URL, "/v1/files/") || m.File.Size != models.MaxFileSize {
		var notes []string
		for _, h := range me.chatHistory(admin, b.ID, 8102) {
			notes = append(notes, h.Text)
		}
		t.Fatalf("attachment %+v, want the whole 20 MB stored; history %q", m.File, notes)
	}
	for _, h := range me.chatHistory(admin, b.ID, 8102) {
		if h.Event == "file_refused" {
			t.Fatalf("the 20 MB file was refused: %+v", h)
		}
	}
}

// An executable renamed .jpg is not kept: a note says why.
func TestTelegramFileExecutableRefused(t *testing.T) {
	t.Parallel()
	me := newMessengerEnv(t, msgOptions{})
	tm := me.team()
	admin := tm.admin.AccessToken
	b := me.telegramBot(admin, nil)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 300)...)
	copy(exe[0x3c:], []byte{0x80, 0, 0, 0})
	copy(exe[0x80:], []byte("PE\x00\x00"))
	me.tg.UserSendsMessage(8201, tgUser(8201, "Mal"), telegramfake.Inbound{
		Document: &telegramfake.FileSpec{Name: "cat.jpg", MimeType: "image/jpeg", Data: exe}})
	m := me.waitMessage(t, admin, b.ID, 8201, "the document", fromSubscriber(models.KindFile))
	note := me.refusalNote(t, admin, b.ID, 8201, m.ID)
	if !strings.Contains(note.Text, "cat.jpg") || !strings.Contains(note.Text, "executable") {
		t.Fatalf("note %q", note.Text)
	}
	m, _ = me.message(admin, m.ConversationID, m.ID)
	if m.File == nil || m.File.Pending || m.File.URL != "" {
		t.Fatalf("attachment %+v, want refused", m.File)
	}
}
