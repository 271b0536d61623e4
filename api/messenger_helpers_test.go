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
	*messengers
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
	m := newMessengers(t, o.webhooks)
	db := storetest.Open(t)
	e := newSyncEnv(t, db, testSync, func(_ *authConfig, opt *apiOptions) { m.wire(opt) })
	m.serve(t, e.srv.Handler())
	return &msgEnv{env: e, messengers: m}
}

// messengers are the native messenger connections of a test server: the
// Telegram and Viber fakes, the channels service with its job runner, and
// the front listener serving the public URL. Make it with newMessengers,
// pass wire as a server option, then serve the built server.
type messengers struct {
	tg *telegramfake.Server
	vb *viberfake.Fake
	ch *channels.Service
	// public is the server's public URL ("" : Telegram bots long-poll),
	// served by front.
	public string
	front  *httptest.Server
	runner *jobs.Runner

	handlerMu sync.Mutex
	handler   http.Handler
}

// newMessengers starts the fakes and the front listener (closed when the
// test ends); with webhooks the listener's URL is the public URL, so bots
// use webhooks.
func newMessengers(t testing.TB, webhooks bool) *messengers {
	t.Helper()
	m := &messengers{tg: telegramfake.New(t, nativeToken), vb: viberfake.New()}
	t.Cleanup(m.vb.Close)
	// The public URL must exist before the service: the front listener
	// hands requests to the server once it is built (serve).
	m.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.handlerMu.Lock()
		h := m.handler
		m.handlerMu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(m.front.Close)
	if webhooks {
		m.public = m.front.URL
	}
	return m
}

// wire is a server option: it builds the job runner and the channels
// service on the server's store and inbox, and sets opt.Channels.
func (m *messengers) wire(opt *apiOptions) {
	db := opt.Store.(storetest.Store)
	in := opt.Inbox.(*inbox.Service)
	m.runner = jobs.New(db, in.Now, nil)
	m.runner.Poll = 20 * time.Millisecond
	adapters := map[models.Channel]channels.Adapter{
		models.ChannelTelegram: tgchan.New(tgchan.Config{BaseURL: m.tg.URL()}),
		models.ChannelViber:    vbchan.New(m.vb.BaseURL(), nil),
	}
	m.ch = channels.New(channels.Stores{Bots: db, Members: db, Subscribers: db, Messages: db, Files: db, Updates: db,
		Jobs: db, State: db, Native: db}, channels.Config{PublicURL: m.public, MediaKey: []byte("test-media-key"),
		Holder: "test", PollWait: time.Second, Rescan: 100 * time.Millisecond, Now: in.Now}, adapters, in, m.runner, nil)
	opt.Channels = m.ch
}

// serve hands the front listener's requests to h (the built server) and
// runs the connections' workers until the test ends.
func (m *messengers) serve(t testing.TB, h http.Handler) {
	m.handlerMu.Lock()
	m.handler = h
	m.handlerMu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); m.runner.Run(ctx) }()
	go func() { defer wg.Done(); m.ch.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
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
