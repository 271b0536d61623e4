package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// heldMark is the change log as a dispatcher sees it while an earlier
// write is still in flight: SafeSeq answers at most upTo (0: not held),
// while every document is already as the later writes left it.
type heldMark struct {
	models.SyncStore
	mu   sync.Mutex
	upTo int64
}

func (h *heldMark) SafeSeq(ctx context.Context, ws string) (int64, error) {
	s, err := h.SyncStore.SafeSeq(ctx, ws)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.upTo > 0 && s > h.upTo {
		s = h.upTo
	}
	return s, err
}

func (h *heldMark) hold(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.upTo = seq
}

// readMode places the dispatcher's reads of the log among the writes.
type readMode int

const (
	// splitAsWritten reads the log once, right after the k-th write lands
	// (every document as of that write), then to the end.
	splitAsWritten readMode = iota
	// behindEach reads the log up to each write in turn, after every write
	// landed: the documents are ahead of the log.
	behindEach
)

func (m readMode) String() string {
	return [...]string{"once, as written, after write", "behind the writes, at each"}[m]
}

// alertRig is a workspace whose three agents each have a phone, a bot
// whose queue assigns new chats to emp1 then emp2, and a gateway whose
// reads of the log the test places.
type alertRig struct {
	*mobile
	tm     team
	bot    models.Bot
	ws     string
	g      *push.Gateway
	mark   *heldMark
	phones map[string]string // member id -> device id of their phone

	mu     sync.Mutex
	tapAt  int64 // after this many more writes, read the log (0: off)
	tapped int64 // the cursor that read left
}

func newAlertRig(t *testing.T) *alertRig {
	m := newMobileEnv(t, push.Config{})
	tm := m.team()
	bot := m.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "Shop", "queue": ids(tm.emp1, tm.emp2)})
	r := &alertRig{mobile: m, tm: tm, bot: bot, ws: tm.admin.Workspace.ID, phones: map[string]string{}}
	// Reads placed among an operation's writes: its writes land one by one,
	// as on MongoDB (on the embedded store an operation is one commit, and
	// every read falls after all of it).
	m.inbox.StepByStep()
	for _, who := range []tokens{tm.admin, tm.emp1, tm.emp2} {
		d := m.device(who.AccessToken, map[string]any{"kind": "fcm", "token": "phone-" + who.Member.ID})
		r.phones[who.Member.ID] = d.ID
	}
	st := m.stors
	r.mark = &heldMark{SyncStore: st.Sync}
	st.Sync = r.mark
	r.g = push.New(st, push.Config{Holder: "placed", AppURL: "https://app.example.com"},
		map[push.Provider]push.Sender{push.ProviderFCM: m.fcmSender}, m.inboxClock.Now, nil)
	// Reading as the writes land: the dispatcher runs inside the k-th
	// write's completion, before the writer goes on.
	m.db.OnChange(func(ws string) {
		m.hub.Notify(ws)
		r.mu.Lock()
		due := r.tapAt > 0 && ws == r.ws
		if due {
			r.tapAt--
			due = r.tapAt == 0
		}
		r.mu.Unlock()
		if due {
			r.g.DispatchAll(context.Background())
			cur, err := st.State.PushCursor(context.Background(), ws)
			if err != nil {
				t.Error(err)
			}
			r.mu.Lock()
			r.tapped = cur
			r.mu.Unlock()
		}
	})
	return r
}

func (r *alertRig) safe() int64 {
	r.t.Helper()
	s, err := r.stors.Sync.SafeSeq(context.Background(), r.ws)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// flush has the gateway read the log to its end.
func (r *alertRig) flush() {
	r.t.Helper()
	r.mark.hold(0)
	ctx := context.Background()
	end := r.safe()
	for i := 0; ; i++ { // a read may stop short of a write it needs, once
		cur, err := r.stors.State.PushCursor(ctx, r.ws)
		if err != nil {
			r.t.Fatal(err)
		}
		if cur >= end {
			return
		}
		if i == 3 {
			r.t.Fatalf("the dispatcher stays at %d of %d", cur, end)
		}
		r.g.DispatchAll(ctx)
	}
}

// got lists, for each member, the alerts stored for chat conv that go to
// their phone, as "event: preview", leaving out the alerts named in old.
func (r *alertRig) got(conv string, old map[string]bool) (map[string][]string, map[string]bool) {
	r.t.Helper()
	out, ids := map[string][]string{}, map[string]bool{}
	for _, a := range r.alerts(r.tm.admin.AccessToken, "?conversation_id="+conv) {
		ids[a.ID] = true
		if old[a.ID] {
			continue
		}
		for _, d := range a.Deliveries {
			if d.DeviceID == r.phones[d.MemberID] {
				out[d.MemberID] = append(out[d.MemberID], string(d.Event)+": "+a.Preview)
			}
		}
	}
	for _, evs := range out {
		slices.Sort(evs)
	}
	return out, ids
}

// story is a chat's story: setup (once) makes the chat, and is alerted;
// before readies it for each play; act writes what is read at the placed
// points, n telling one play's events from another's, and returns the chat.
type story struct {
	setup  func(r *alertRig) string
	before func(r *alertRig, conv string)
	act    func(r *alertRig, n string) string
	// want is what each phone receives from one act, by member id.
	want func(r *alertRig, conv string) map[string][]string
}

// playAt plays st once with the dispatcher's reads placed by mode (and
// k), and returns what each phone received from act and how many writes
// act made.
func (r *alertRig) playAt(st story, conv string, mode readMode, k int64) (got map[string][]string, writes int64, _ string) {
	r.t.Helper()
	if st.before != nil {
		st.before(r, conv)
		r.flush()
	}
	var old map[string]bool
	if conv != "" {
		_, old = r.got(conv, nil)
	}
	base := r.safe()
	if mode == splitAsWritten {
		r.mu.Lock()
		r.tapAt, r.tapped = k, 0
		r.mu.Unlock()
	}
	conv = st.act(r, fmt.Sprintf("%d-%d", mode, k))
	writes = r.safe() - base
	switch mode {
	case splitAsWritten:
		r.mu.Lock()
		tapped, left := r.tapped, r.tapAt
		r.tapAt = 0
		r.mu.Unlock()
		if left != 0 || tapped != base+k {
			r.t.Fatalf("the read after write %d of %d was not placed there (cursor %d, base %d)", k, writes, tapped, base)
		}
	case behindEach:
		for j := int64(1); j < writes; j++ {
			r.mark.hold(base + j)
			r.g.DispatchAll(context.Background())
		}
	}
	r.flush()
	got, _ = r.got(conv, old)
	return got, writes, conv
}

// readEverywhere plays st with the dispatcher's reads placed at every
// point among act's writes, and wants the same alerts wherever they fall.
func readEverywhere(t *testing.T, r *alertRig, name string, st story) {
	conv := ""
	if st.setup != nil {
		conv = st.setup(r)
		r.flush()
	}
	check := func(mode readMode, k, writes int64, conv string, got map[string][]string) {
		if want := st.want(r, conv); !equalAlerts(got, want) {
			t.Errorf("%s: reading the log %s %d of %d: phones got %v, want %v", name, mode, k, writes, got, want)
		}
	}
	writes := int64(2)
	for k := int64(1); k < writes; k++ {
		got, n, c := r.playAt(st, conv, splitAsWritten, k)
		writes = n
		check(splitAsWritten, k, writes, c, got)
	}
	got, n, c := r.playAt(st, conv, behindEach, 0)
	check(behindEach, 0, n, c, got)
}

func equalAlerts(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// opened is a subscriber's first message and the open that follows,
// which assigns the chat by the bot's queue.
func (r *alertRig) opened(s string) string {
	r.event(r.tm.key, r.bot.ID, say("hi-"+s, s, "I need a human"))
	return r.event(r.tm.key, r.bot.ID, openChat("open-"+s, s)).ConversationID
}

// TestPushOneAlertForANewChatWhateverTheRead: a subscriber's first message
// and the open that assigns the chat make one "new chat" alert for the
// assignee, quoting the message, wherever the dispatcher's reads of the
// log fall among their writes (each placement on a chat of its own).
func TestPushOneAlertForANewChatWhateverTheRead(t *testing.T) {
	t.Parallel()
	readEverywhere(t, newAlertRig(t), "new chat", story{
		act: func(r *alertRig, n string) string { return r.opened("new-" + n) },
		want: func(r *alertRig, conv string) map[string][]string {
			c := r.conv(r.tm.admin.AccessToken, conv)
			return map[string][]string{c.AssigneeID: {"new_chat: I need a human"}}
		},
	})
}

// TestPushOneAlertForAReopenedChatWhateverTheRead: a subscriber message
// that reopens a closed chat makes one "new chat" (reopened) alert for its
// manager, not also a "message" alert, wherever the reads fall.
func TestPushOneAlertForAReopenedChatWhateverTheRead(t *testing.T) {
	t.Parallel()
	readEverywhere(t, newAlertRig(t), "reopened chat", story{
		setup: func(r *alertRig) string { return r.opened("back") },
		before: func(r *alertRig, conv string) {
			wantStatus(t, r.call("POST", "/v1/conversations/"+conv+"/close", r.tm.admin.AccessToken, nil), http.StatusOK)
		},
		act: func(r *alertRig, n string) string {
			return r.event(r.tm.key, r.bot.ID, say("again-"+n, "back", "It broke again "+n)).ConversationID
		},
		want: func(r *alertRig, conv string) map[string][]string {
			c := r.conv(r.tm.admin.AccessToken, conv)
			if c.Status != models.StatusOpen {
				t.Fatalf("chat %s after the subscriber wrote", c.Status)
			}
			return map[string][]string{c.AssigneeID: {"new_chat: " + c.LastMessagePreview}}
		},
	})
}

// TestPushLaterMessageInAnOpenChatAlertsOnce: a subscriber message in a
// chat already open (and alerted) alerts its manager once, as a message,
// wherever the reads fall.
func TestPushLaterMessageInAnOpenChatAlertsOnce(t *testing.T) {
	t.Parallel()
	readEverywhere(t, newAlertRig(t), "later message", story{
		setup: func(r *alertRig) string { return r.opened("on") },
		act: func(r *alertRig, n string) string {
			return r.event(r.tm.key, r.bot.ID, say("more-"+n, "on", "Are you there? "+n)).ConversationID
		},
		want: func(r *alertRig, conv string) map[string][]string {
			c := r.conv(r.tm.admin.AccessToken, conv)
			return map[string][]string{c.AssigneeID: {"message: " + c.LastMessagePreview}}
		},
	})
}

// TestPushOneAlertForAChatOpenedByHandWhateverTheRead: a subscriber's
// message in an idle chat, then an admin opening the chat by hand (its
// first opening, which assigns it by the bot's queue), make one "new
// chat" alert for the assignee, quoting the message, and nothing for the
// admin who opened it, wherever the reads fall among the writes.
func TestPushOneAlertForAChatOpenedByHandWhateverTheRead(t *testing.T) {
	t.Parallel()
	readEverywhere(t, newAlertRig(t), "opened by hand", story{
		act: func(r *alertRig, n string) string {
			sub := r.event(r.tm.key, r.bot.ID, say("hand-"+n, "hand-"+n, "Can someone call me?")).SubscriberID
			res := r.call("POST", "/v1/conversations", r.tm.admin.AccessToken, map[string]any{"subscriber_id": sub})
			wantStatus(t, res, http.StatusOK)
			var c models.Conversation
			res.JSON(t, &c)
			return c.ID
		},
		want: func(r *alertRig, conv string) map[string][]string {
			c := r.conv(r.tm.admin.AccessToken, conv)
			if c.Status != models.StatusOpen || c.AssigneeID == "" {
				t.Fatalf("chat %s, assignee %q after the opening", c.Status, c.AssigneeID)
			}
			return map[string][]string{c.AssigneeID: {"new_chat: Can someone call me?"}}
		},
	})
}

// TestPushMessageThenCloseAlertsOnce: a subscriber message in an open
// chat, which an agent then closes, alerts its manager once, as a
// message, wherever the reads fall: the close written after the message
// does not make the message look written in a closed chat.
func TestPushMessageThenCloseAlertsOnce(t *testing.T) {
	t.Parallel()
	readEverywhere(t, newAlertRig(t), "message then close", story{
		setup: func(r *alertRig) string { return r.opened("shut") },
		before: func(r *alertRig, conv string) {
			if c := r.conv(r.tm.admin.AccessToken, conv); c.Status == models.StatusClosed {
				wantStatus(t, r.call("POST", "/v1/conversations/"+conv+"/reopen", r.tm.admin.AccessToken, nil), http.StatusOK)
			}
		},
		act: func(r *alertRig, n string) string {
			conv := r.event(r.tm.key, r.bot.ID, say("last-"+n, "shut", "Thanks, bye "+n)).ConversationID
			wantStatus(t, r.call("POST", "/v1/conversations/"+conv+"/close", r.tm.admin.AccessToken, nil), http.StatusOK)
			return conv
		},
		want: func(r *alertRig, conv string) map[string][]string {
			c := r.conv(r.tm.admin.AccessToken, conv)
			msgs := r.call("GET", "/v1/conversations/"+conv+"/messages", r.tm.admin.AccessToken, nil)
			wantStatus(t, msgs, http.StatusOK)
			var page struct {
				Items []models.Message `json:"items"`
			}
			msgs.JSON(t, &page)
			for _, m := range page.Items {
				if m.Sender == models.SenderSubscriber {
					return map[string][]string{c.AssigneeID: {"message: " + m.Text}}
				}
			}
			t.Fatal("no subscriber message")
			return nil
		},
	})
}
