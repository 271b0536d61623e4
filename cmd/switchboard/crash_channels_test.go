package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

// crashAtEnv names the write the crash tests' server process dies at:
// "<point>=<marker>", the point one of crashStore's, the marker a text
// of the update or message concerned (so that the restarted process,
// redoing earlier work, does not die there too).
const crashAtEnv = "SWITCHBOARD_TEST_CRASH_AT"

func init() {
	spec := os.Getenv(crashAtEnv)
	if spec == "" || os.Getenv("SWITCHBOARD_TEST_KILL_CHILD") == "" {
		return
	}
	point, marker, _ := strings.Cut(spec, "=")
	channelStore = func(db models.Store) models.Store {
		return &crashStore{Store: db, point: point, marker: marker, ws: map[string]string{}}
	}
}

// crashStore is the store of a server process that kills itself with
// SIGKILL at one write of the messenger machinery:
//
//   - update-stored: an inbound update was stored with its job, the
//     messenger not yet answered (webhook) or confirmed (polling);
//   - update-claimed: an inbound update's job was claimed, nothing applied;
//   - update-applied: the update's events were applied, its outcome not
//     recorded;
//   - update-finished: the outcome was recorded, the job not finished;
//   - send-claimed: a send job was claimed, the messenger not called;
//   - send-accepted: the messenger accepted the message, its status
//     (sent) not written;
//   - fetch-queued: an inbound file's message was applied, its fetch not
//     queued;
//   - profile-queued: a new subscriber's first message was applied, their
//     profile's fetch not queued (the marker is their name);
//   - fetch-attach: an inbound file was stored (or refused with a note),
//     the message's attachment not updated.
type crashStore struct {
	models.Store
	point, marker string
	mu            sync.Mutex
	ws            map[string]string // job id -> workspace, from the due lists
}

func die() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

func (c *crashStore) DueJobs(ctx context.Context, kind string, now time.Time, limit int) ([]models.Job, error) {
	jobs, err := c.Store.DueJobs(ctx, kind, now, limit)
	c.mu.Lock()
	for _, j := range jobs {
		c.ws[j.ID] = j.WS
	}
	c.mu.Unlock()
	return jobs, err
}

func (c *crashStore) jobWS(id string) string { c.mu.Lock(); defer c.mu.Unlock(); return c.ws[id] }

func (c *crashStore) updateMarked(ctx context.Context, ws, id string) bool {
	u, err := c.Store.InboundUpdate(ctx, ws, id)
	return err == nil && bytes.Contains(u.Raw, []byte(c.marker))
}

func (c *crashStore) messageMarked(ctx context.Context, ws, id string) bool {
	m, err := c.Store.Message(ctx, ws, id)
	return err == nil && strings.Contains(m.Text, c.marker)
}

func (c *crashStore) SaveUpdate(ctx context.Context, u *models.InboundUpdate) (bool, error) {
	created, err := c.Store.SaveUpdate(ctx, u)
	if c.point == "update-stored" && created && err == nil && bytes.Contains(u.Raw, []byte(c.marker)) {
		die()
	}
	return created, err
}

func (c *crashStore) ClaimJob(ctx context.Context, kind, id string, now, until time.Time) (models.Job, bool, error) {
	j, ok, err := c.Store.ClaimJob(ctx, kind, id, now, until)
	if ok && err == nil {
		ws := c.jobWS(id)
		if c.point == "update-claimed" && kind == models.JobUpdate && c.updateMarked(ctx, ws, id) ||
			c.point == "send-claimed" && kind == models.JobSend && c.messageMarked(ctx, ws, id) {
			die()
		}
	}
	return j, ok, err
}

func (c *crashStore) QueueJob(ctx context.Context, kind, id, ws string, due time.Time) error {
	if c.point == "fetch-queued" && kind == models.JobFetch && c.messageMarked(ctx, ws, id) {
		die()
	}
	if c.point == "profile-queued" && kind == models.JobProfile {
		if sub, err := c.Store.Subscriber(ctx, ws, id); err == nil && sub.Name == c.marker {
			die()
		}
	}
	return c.Store.QueueJob(ctx, kind, id, ws, due)
}

func (c *crashStore) SetUpdateOutcome(ctx context.Context, ws, id string, o models.UpdateOutcome) (*models.InboundUpdate, error) {
	if c.point == "update-applied" && o.State == models.UpdateDone && c.updateMarked(ctx, ws, id) {
		die()
	}
	return c.Store.SetUpdateOutcome(ctx, ws, id, o)
}

func (c *crashStore) FinishJob(ctx context.Context, kind, id string, claim int) error {
	if c.point == "update-finished" && kind == models.JobUpdate && c.updateMarked(ctx, c.jobWS(id), id) {
		die()
	}
	return c.Store.FinishJob(ctx, kind, id, claim)
}

func (c *crashStore) UpdateMessage(ctx context.Context, ws, id string, u models.MessageUpdate) (*models.Message, error) {
	if c.point == "send-accepted" && u.Status != nil && *u.Status == models.DeliverySent && c.messageMarked(ctx, ws, id) ||
		c.point == "fetch-attach" && u.File != nil && !u.File.Pending && c.messageMarked(ctx, ws, id) {
		die()
	}
	return c.Store.UpdateMessage(ctx, ws, id, u)
}

// TestKillNineMessengerCrashPoints kills a `serve` process on the SQLite
// store with SIGKILL at each write of the messenger machinery (see
// crashStore) and restarts it on the same data directory: each inbound
// update lands exactly once (one message, the chat opened once, one
// new-chat alert), each agent message ends sent (sent twice to Telegram
// exactly when the kill fell after Telegram accepted it), each inbound
// file ends stored and attached, or refused with one note, and a new
// subscriber's avatar is stored. The Telegram
// fake runs in the test, so it outlives the process; it delivers the
// updates by webhook to the process's fixed address.
func TestKillNineMessengerCrashPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server ten times")
	}
	const token = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	tg := telegramfake.New(t, token)
	tg.SetWebhookRetryDelay(20 * time.Millisecond)
	addr := freeAddr(t)
	env := baseEnv(t, t.TempDir())
	env["SWITCHBOARD_TELEGRAM_API_URL"] = tg.URL()
	env["SWITCHBOARD_PUBLIC_URL"] = "http://" + addr
	fcmSrv := fcmfake.New(t) // new-chat alerts exist for members with a device
	sa := filepath.Join(t.TempDir(), "sa.json")
	writeFile(t, sa, fcmSrv.ServiceAccountJSON("sb-project"))
	env["SWITCHBOARD_FCM_CREDENTIALS_FILE"] = sa
	env["SWITCHBOARD_FCM_ENDPOINT"] = fcmSrv.URL()
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
		t.Fatalf("create-admin: %s", out.String())
	}
	h := &crashHarness{t: t, tg: tg, env: env, addr: addr}

	// The first process is set up, then dies once an update's job is
	// claimed: the update is stored (Telegram got its 200), nothing applied.
	c := h.start("update-claimed=upd-claimed")
	h.connect(c, token, models.TransportWebhook)
	users := []telegramfake.User{{ID: 501, FirstName: "Ann"}, {ID: 502, FirstName: "Bob"}, {ID: 503, FirstName: "Cy"}}
	u1 := tg.UserSends(501, users[0], "upd-claimed hello")
	h.died(c)
	h.dbState("upd-claimed", "pending", 0)

	c = h.start("update-applied=upd-applied")
	h.landedOnce(c, 501, "upd-claimed hello", u1.UpdateID)
	u2 := tg.UserSends(502, users[1], "upd-applied hello")
	h.died(c)
	h.dbState("upd-applied", "pending", 1)

	c = h.start("update-finished=upd-finished")
	h.landedOnce(c, 502, "upd-applied hello", u2.UpdateID)
	u3 := tg.UserSends(503, users[2], "upd-finished hello")
	h.died(c)
	h.dbState("upd-finished", "done", 1)

	c = h.start("send-claimed=send-claimed")
	h.landedOnce(c, 503, "upd-finished hello", u3.UpdateID)
	first := h.replyDying(c, 501, "send-claimed reply")
	h.died(c)
	if n := h.sentTimes(501, "send-claimed reply"); n != 0 {
		t.Fatalf("killed before the call, yet Telegram got the message %d times", n)
	}

	c = h.start("send-accepted=send-accepted")
	if first == "" {
		first = h.messageID(c, 501, "send-claimed reply")
	}
	h.endsSent(c, 501, first)
	if n := h.sentTimes(501, "send-claimed reply"); n != 1 {
		t.Fatalf("a send killed before the messenger call reached Telegram %d times, want 1", n)
	}
	second := h.replyDying(c, 502, "send-accepted reply")
	h.died(c)
	if n := h.sentTimes(502, "send-accepted reply"); n != 1 {
		t.Fatalf("killed after Telegram accepted the message, which has it %d times", n)
	}

	c = h.start("fetch-queued=fetch-queued")
	if second == "" {
		second = h.messageID(c, 502, "send-accepted reply")
	}
	h.endsSent(c, 502, second)
	// The one duplicate at-least-once allows: Telegram accepted the
	// message, the process died before writing so, the restart sent it again.
	if n := h.sentTimes(502, "send-accepted reply"); n != 2 {
		t.Fatalf("a send killed after Telegram accepted it reached Telegram %d times, want 2", n)
	}
	photo := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 1000)
	photo = append([]byte("\x89PNG\r\n\x1a\n"), photo...)
	tg.UserSendsMessage(503, users[2], telegramfake.Inbound{Photo: &telegramfake.FileSpec{Data: photo}, Caption: "fetch-queued look"})
	h.died(c)

	c = h.start("fetch-attach=fetch-saved")
	queued := h.attached(c, 503, "fetch-queued look")
	if code, got := h.file(c, queued.File.URL); code != 200 || !bytes.Equal(got, photo) {
		t.Fatalf("the fetched photo: %d, %d bytes, want %d bytes", code, len(got), len(photo))
	}
	tg.UserSendsMessage(501, users[0], telegramfake.Inbound{Photo: &telegramfake.FileSpec{Data: photo}, Caption: "fetch-saved look"})
	h.died(c)

	c = h.start("fetch-attach=fetch-refused")
	saved := h.attached(c, 501, "fetch-saved look")
	if code, got := h.file(c, saved.File.URL); code != 200 || !bytes.Equal(got, photo) {
		t.Fatalf("the fetched photo: %d, %d bytes, want %d bytes", code, len(got), len(photo))
	}
	exe := append([]byte("MZ\x90\x00"), make([]byte, 500)...)
	tg.UserSendsMessage(502, users[1], telegramfake.Inbound{Document: &telegramfake.FileSpec{Name: "run.exe", Data: exe}, Caption: "fetch-refused this"})
	h.died(c)

	c = h.start("profile-queued=Dee")
	refused := h.attached(c, 502, "fetch-refused this")
	if refused.File.URL != "" {
		t.Fatalf("a refused file is attached: %+v", refused.File)
	}
	if n := len(h.history(c, 502, func(m models.Message) bool { return m.Event == "file_refused" && m.ReplyTo == refused.ID })); n != 1 {
		t.Fatalf("%d file_refused notes for the executable, want 1", n)
	}
	face := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 1000)...)
	tg.SetProfilePhotos(504, telegramfake.FileSpec{Data: face})
	u4 := tg.UserSends(504, telegramfake.User{ID: 504, FirstName: "Dee"}, "profile-queued hello")
	h.died(c)

	c = h.start("")
	h.landedOnce(c, 504, "profile-queued hello", u4.UpdateID)
	var sub models.Subscriber
	h.waitFor(c, "the avatar of a subscriber whose profile's queueing was cut", func() bool {
		c.want(t, 200, "GET", "/v1/subscribers/"+models.SubscriberID(h.ws, h.bot, "504"), h.token, nil, &sub)
		return sub.AvatarURL != ""
	})
	if code, got := h.file(c, sub.AvatarURL); code != 200 || !bytes.Equal(got, face) {
		t.Fatalf("the stored avatar: %d, %d bytes, want %d", code, len(got), len(face))
	}
	// Nothing was applied twice at any of the points.
	for _, chat := range []int64{501, 502, 503, 504} {
		if n := len(h.history(c, chat, func(m models.Message) bool { return m.Kind == models.KindEvent && m.Event == "opened" })); n != 1 {
			t.Errorf("chat %d has %d opened entries at the end, want 1", chat, n)
		}
	}
}

// crashHarness runs the server processes of TestKillNineMessengerCrashPoints.
type crashHarness struct {
	t              *testing.T
	tg             *telegramfake.Server
	env            map[string]string
	addr           string
	token, ws, bot string
}

// start starts a process that dies at point ("" : one that does not).
func (h *crashHarness) start(point string) *child {
	h.t.Helper()
	env := map[string]string{}
	for k, v := range h.env {
		env[k] = v
	}
	if point != "" {
		env[crashAtEnv] = point
	}
	return startChildAt(h.t, env, h.addr)
}

// died waits for c to kill itself at its crash point.
func (h *crashHarness) died(c *child) {
	h.t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute): // a guard against a hang, not a measure
		h.t.Fatalf("the process did not reach its crash point:\n%s", c.out.String())
	}
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		h.t.Fatalf("the process ended otherwise than by SIGKILL (%v):\n%s", c.cmd.ProcessState, c.out.String())
	}
}

// dbState checks, in the dead process's database, the state of the update
// whose text holds marker and how many messages hold it.
func (h *crashHarness) dbState(marker, state string, messages int) {
	h.t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(h.env["SWITCHBOARD_DATA_DIR"], sqlite.FileName)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow(`SELECT state FROM updates WHERE instr(CAST(raw AS TEXT), ?) > 0`, marker).Scan(&got); err != nil || got != state {
		h.t.Fatalf("the update %q at the kill: %q (%v), want %s", marker, got, err, state)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM messages WHERE instr(text, ?) > 0`, marker).Scan(&n); err != nil || n != messages {
		h.t.Fatalf("messages of %q at the kill: %d (%v), want %d", marker, n, err, messages)
	}
}

func (h *crashHarness) conv(chat int64) string {
	return models.ConversationID(models.SubscriberID(h.ws, h.bot, fmt.Sprint(chat)))
}

// history lists chat's messages that keep says to.
func (h *crashHarness) history(c *child, chat int64, keep func(models.Message) bool) []models.Message {
	h.t.Helper()
	code, _ := c.call(h.t, "GET", "/v1/conversations/"+h.conv(chat), h.token, nil)
	if code == 404 {
		return nil
	}
	var l struct{ Items []models.Message }
	c.want(h.t, 200, "GET", "/v1/conversations/"+h.conv(chat)+"/messages?limit=200", h.token, nil, &l)
	var out []models.Message
	for _, m := range l.Items {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// waitFor polls cond until it holds (the workers run in the background;
// the deadline guards against a hang and measures nothing).
func (h *crashHarness) waitFor(c *child, what string, cond func() bool) {
	h.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			h.t.Fatalf("gave up waiting: %s\n%s", what, c.out.String())
		}
	}
}

// landedOnce checks that the update with text, cut by a kill, was applied
// by the restarted process exactly once: one message, the chat open and
// opened once, one new-chat alert.
func (h *crashHarness) landedOnce(c *child, chat int64, text string, key int64) {
	h.t.Helper()
	isText := func(m models.Message) bool { return m.Text == text }
	h.waitFor(c, "the update "+text+" applied", func() bool {
		return len(h.history(c, chat, isText)) > 0 && h.updateDone(c, key)
	})
	var alerts []models.Alert
	h.waitFor(c, "the new-chat alert of "+text, func() bool {
		var l struct{ Items []models.Alert }
		c.want(h.t, 200, "GET", "/v1/push/alerts?limit=200&conversation_id="+h.conv(chat), h.token, nil, &l)
		alerts = l.Items
		return len(alerts) > 0
	})
	var conv models.Conversation
	c.want(h.t, 200, "GET", "/v1/conversations/"+h.conv(chat), h.token, nil, &conv)
	msgs := h.history(c, chat, isText)
	opened := h.history(c, chat, func(m models.Message) bool { return m.Kind == models.KindEvent && m.Event == "opened" })
	newChat := 0
	for _, a := range alerts {
		if a.Event == models.EventNewChat {
			newChat++
		}
	}
	if len(msgs) != 1 || len(opened) != 1 || conv.Status != models.StatusOpen || newChat != 1 {
		h.t.Fatalf("after the kill, %q landed as %d messages, %d opened entries, chat %s, %d new-chat alerts; want 1, 1, open, 1",
			text, len(msgs), len(opened), conv.Status, newChat)
	}
}

// updateDone reports whether update key is recorded applied.
func (h *crashHarness) updateDone(c *child, key int64) bool {
	h.t.Helper()
	var l struct{ Items []models.InboundUpdate }
	c.want(h.t, 200, "GET", "/v1/bots/"+h.bot+"/updates?state=done", h.token, nil, &l)
	for _, u := range l.Items {
		if u.Key == fmt.Sprint(key) {
			return true
		}
	}
	return false
}

// replyDying is reply in a process set to die on this reply's send: the
// death can come before the answer (the runner claims the job as soon as
// the message and its job commit, before the handler has written its
// 201). Then it returns "", and the message is found by its text in the
// next process (messageID); it was stored, since the job was claimed.
func (h *crashHarness) replyDying(c *child, chat int64, text string) string {
	h.t.Helper()
	code, b := c.call(h.t, "POST", "/v1/conversations/"+h.conv(chat)+"/messages", h.token, map[string]any{"text": text})
	switch code {
	case 0:
		return ""
	case 201:
		var m models.Message
		if err := json.Unmarshal(b, &m); err != nil {
			h.t.Fatal(err)
		}
		if m.Status != models.DeliveryQueued {
			h.t.Fatalf("a native send answered %s, want queued", m.Status)
		}
		return m.ID
	}
	h.t.Fatalf("POST a reply: %d, want 201: %s", code, b)
	return ""
}

// messageID is the id of the one agent message of chat with text.
func (h *crashHarness) messageID(c *child, chat int64, text string) string {
	h.t.Helper()
	ms := h.history(c, chat, func(m models.Message) bool { return m.Sender == models.SenderAgent && m.Text == text })
	if len(ms) != 1 {
		h.t.Fatalf("%d agent messages %q in chat %d, want 1", len(ms), text, chat)
	}
	return ms[0].ID
}

// endsSent waits for message id to leave queued and checks it is sent.
func (h *crashHarness) endsSent(c *child, chat int64, id string) {
	h.t.Helper()
	var m models.Message
	h.waitFor(c, "message "+id+" sent", func() bool {
		ms := h.history(c, chat, func(m models.Message) bool { return m.ID == id })
		if len(ms) == 1 {
			m = ms[0]
		}
		return m.Status != "" && m.Status != models.DeliveryQueued
	})
	if m.Status != models.DeliverySent || m.ExternalID == "" {
		h.t.Fatalf("message %s after the kill: %s (%q), want sent", id, m.Status, m.Error)
	}
}

// sentTimes counts the messages with text Telegram received for chat.
func (h *crashHarness) sentTimes(chat int64, text string) int {
	n := 0
	for _, m := range h.tg.Sent(chat) {
		if m.Text == text {
			n++
		}
	}
	return n
}

// attached waits for the inbound file message with text to leave pending
// and returns it; it is the only message with that text.
func (h *crashHarness) attached(c *child, chat int64, text string) models.Message {
	h.t.Helper()
	var ms []models.Message
	h.waitFor(c, "the file of "+text, func() bool {
		ms = h.history(c, chat, func(m models.Message) bool { return m.Text == text })
		return len(ms) > 0 && ms[0].File != nil && !ms[0].File.Pending
	})
	if len(ms) != 1 {
		h.t.Fatalf("%d messages %q, want 1", len(ms), text)
	}
	return ms[0]
}

// file downloads a stored file.
func (h *crashHarness) file(c *child, url string) (int, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest("GET", "http://"+c.addr+url, nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestKillNineMessengerPolledUpdate: a long-polled update is stored and
// the process killed before the next getUpdates confirms it to Telegram.
// The restarted process applies it once from the store, and when Telegram
// delivers it again (it was never confirmed) stores nothing twice; the
// restarted process polls again at once, not when the dead process's
// polling lease runs out, so a later message arrives too.
func TestKillNineMessengerPolledUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server twice")
	}
	const token = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	tg := telegramfake.New(t, token)
	env := baseEnv(t, t.TempDir())
	env["SWITCHBOARD_TELEGRAM_API_URL"] = tg.URL()
	fcmSrv := fcmfake.New(t)
	sa := filepath.Join(t.TempDir(), "sa.json")
	writeFile(t, sa, fcmSrv.ServiceAccountJSON("sb-project"))
	env["SWITCHBOARD_FCM_CREDENTIALS_FILE"] = sa
	env["SWITCHBOARD_FCM_ENDPOINT"] = fcmSrv.URL()
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
		t.Fatalf("create-admin: %s", out.String())
	}
	h := &crashHarness{t: t, tg: tg, env: env, addr: freeAddr(t)}
	c := h.start("update-stored=polled-first")
	h.connect(c, token, models.TransportPolling)
	ann, bob := telegramfake.User{ID: 601, FirstName: "Ann"}, telegramfake.User{ID: 602, FirstName: "Bob"}
	u1 := tg.UserSends(601, ann, "polled-first hello")
	h.died(c)
	h.dbState("polled-first", "pending", 0)

	c = h.start("")
	h.landedOnce(c, 601, "polled-first hello", u1.UpdateID)
	u2 := tg.UserSends(602, bob, "polled-second hello")
	h.landedOnce(c, 602, "polled-second hello", u2.UpdateID)
	// The redelivered first update came with or before the second.
	h.landedOnce(c, 601, "polled-first hello", u1.UpdateID)
}

// connect logs the owner in through child c, registers their phone for
// alerts and connects the Telegram bot of token, which must then receive
// its updates by transport.
func (h *crashHarness) connect(c *child, token string, transport models.Transport) {
	t := h.t
	t.Helper()
	var login struct {
		AccessToken string           `json:"access_token"`
		Workspace   models.Workspace `json:"workspace"`
	}
	c.want(t, 200, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@acme.test", "password": "owner-password"}, &login)
	h.token, h.ws = login.AccessToken, login.Workspace.ID
	c.want(t, 201, "POST", "/v1/push/devices", h.token, map[string]any{"kind": "fcm", "token": "owner-phone"}, nil)
	var bot models.Bot
	c.want(t, 201, "POST", "/v1/bots", h.token, map[string]any{"channel": "telegram", "name": "Shop", "credentials": map[string]string{"token": token}}, &bot)
	if bot.Connection == nil || bot.Connection.Transport != transport {
		t.Fatalf("the bot is not connected by %s: %+v", transport, bot.Connection)
	}
	h.bot = bot.ID
}
