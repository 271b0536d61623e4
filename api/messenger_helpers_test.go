package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	tgchan "github.com/switchboardhq/switchboard/channels/telegram"
	vbchan "github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// nativeToken is the token of the Telegram fake's first bot.
const nativeToken = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

// msgEnv is a server whose native bots talk to loopback fakes of Telegram
// and Viber, with the job runner and the long polls running.
type msgEnv struct {
	*env
	tg *telegramfake.Server
	vb *viberfake.Fake
	ch *channels.Service
	// public is the server's public URL ("" : Telegram bots long-poll),
	// served by front.
	public string
	front  *httptest.Server
}

// msgOptions configure newMessengerEnv.
type msgOptions struct {
	// webhooks gives the server a public URL (the env's own listener).
	webhooks bool
}

// newMessengerEnv starts the fakes, a server wired to them and the
// connections' workers (stopped when the test ends).
func newMessengerEnv(t testing.TB, o msgOptions) *msgEnv {
	t.Helper()
	me := &msgEnv{tg: telegramfake.New(t, nativeToken), vb: viberfake.New()}
	t.Cleanup(me.vb.Close)
	// The public URL must exist before the service: a front listener
	// hands requests to the env's server once it is built.
	var handler http.Handler
	var mu sync.Mutex
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handler
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	me.front = front
	if o.webhooks {
		me.public = front.URL
	}
	db := storetest.Open(t)
	var runner *jobs.Runner
	me.env = newSyncEnv(t, db, testSync, func(_ *authConfig, opt *apiOptions) {
		in := opt.Inbox.(*inbox.Service)
		runner = jobs.New(db, in.Now, nil)
		runner.Poll = 20 * time.Millisecond
		adapters := map[models.Channel]channels.Adapter{
			models.ChannelTelegram: tgchan.New(tgchan.Config{BaseURL: me.tg.URL()}),
			models.ChannelViber:    vbchan.New(me.vb.BaseURL(), nil),
		}
		me.ch = channels.New(channels.Stores{Bots: db, Members: db, Subscribers: db, Messages: db, Files: db, Updates: db,
			Jobs: db, State: db, Native: db}, channels.Config{PublicURL: me.public, MediaKey: []byte("test-media-key"),
			Holder: "test", PollWait: time.Second, Rescan: 100 * time.Millisecond, Now: in.Now}, adapters, in, runner, nil)
		opt.Channels = me.ch
	})
	mu.Lock()
	handler = me.env.srv.Handler()
	mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); runner.Run(ctx) }()
	go func() { defer wg.Done(); me.ch.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return me
}

// eventually polls cond until it holds, failing the test after a generous
// deadline (the workers run in the background; no timing is asserted).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// telegramBot connects a native Telegram bot with the fake's token.
func (me *msgEnv) telegramBot(admin string, extra map[string]any) models.Bot {
	me.t.Helper()
	body := map[string]any{"channel": "telegram", "name": "Support", "credentials": map[string]string{"token": nativeToken}}
	for k, v := range extra {
		body[k] = v
	}
	return me.bot(admin, body)
}

// chats lists the conversations the caller sees.
func (me *msgEnv) chats(token string) []models.Conversation {
	me.t.Helper()
	r := me.call("GET", "/v1/conversations", token, nil)
	wantStatus(me.t, r, http.StatusOK)
	var l struct{ Items []models.Conversation }
	r.JSON(me.t, &l)
	return l.Items
}
