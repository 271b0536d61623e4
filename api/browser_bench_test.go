package api_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/switchboardhq/switchboard/internal/benchseed"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/web"
)

// BenchmarkBrowserConsole measures the console in headless Chromium on
// loopback against a workspace of 10,000 chats (the cached benchseed
// store): the bytes of the first load (up to the sign-in form) and of
// opening a chat, the time from navigation to an inbox showing its rows,
// and from a click on a row to the chat rendered with its messages. The
// times are taken in the page (performance.now), reported as p50 and p95
// in milliseconds; ns/op means nothing. Figures, not assertions.
//
//	go test -run '^$' -bench 'BrowserConsole' -benchtime 20x -v ./api/
func BenchmarkBrowserConsole(b *testing.B) {
	st, seed := benchseed.OpenSQLite(b, benchseed.Config{Chats: 10000}, sqlite.Options{})
	e := newSyncEnv(b, st, testSync, func(c *authConfig, o *apiOptions) {
		c.LoginAttempts = 1 << 30
		c.Password = benchseed.PasswordParams
		o.Console = web.New()
	})
	tb := openTab(b, e.http.URL, "bench")
	// The moment the inbox first shows a row, in every document.
	if _, err := chromedp.Call(tb.ctx, cdpage.AddScriptToEvaluateOnNewDocument, cdpage.AddScriptToEvaluateOnNewDocumentParams{
		Source: `new MutationObserver((_, mo) => {
  if (document.querySelector('#inbox-list [data-chat-id]')) { window.__inboxAt = performance.now(); mo.disconnect(); }
}).observe(document, {subtree: true, childList: true});`,
	}); err != nil {
		b.Fatal(err)
	}

	firstLoad := tb.transferred(func() {
		tb.open("/")
		tb.need("form#login", "sign-in form")
	})
	tb.signIn(seed.AdminEmail, benchseed.Password)

	var inbox, open []float64
	for range b.N {
		tb.open("/")
		tb.waitFor("the inbox shows its rows", `typeof window.__inboxAt === 'number'`)
		inbox = append(inbox, eval[float64](tb, `window.__inboxAt`))
	}
	rows := eval[[]string](tb, `[...document.querySelectorAll('#inbox-list [data-chat-id]')].map(e => e.dataset.chatId)`)
	if len(rows) < 2 {
		b.Fatalf("the inbox shows %d rows", len(rows))
	}
	var chatBytes float64
	for i := range b.N {
		id := rows[i%len(rows)]
		if id == eval[string](tb, `(document.querySelector('#chat') || {dataset: {}}).dataset.chatId || ''`) {
			id = rows[(i+1)%len(rows)]
		}
		var ms float64
		n := tb.transferred(func() {
			ms = evalAwait[float64](tb, fmt.Sprintf(`new Promise(done => {
  const t0 = performance.now();
  const ready = () => { const c = document.querySelector('#chat');
    return c && c.dataset.chatId === %[1]s && c.querySelector('[data-message-id]') !== null; };
  const mo = new MutationObserver(() => { if (ready()) { mo.disconnect(); done(performance.now() - t0); } });
  mo.observe(document.body, {subtree: true, childList: true, attributes: true});
  document.querySelector(%[2]s).click();
  if (ready()) { mo.disconnect(); done(performance.now() - t0); }
})`, jsString(id), jsString(rowSel(id))))
		})
		open = append(open, ms)
		chatBytes += n
	}
	// The baseline, in the same run: the API calls the console makes for
	// each, from Go, one after another (the inbox at start: me, members,
	// bots, the first page, the counts; a chat: the chat and its newest
	// 50 messages). What the page adds is the browser's share.
	tk := e.login(seed.AdminEmail, benchseed.Password).AccessToken
	var apiInbox, apiChat []float64
	for i := range b.N {
		apiInbox = append(apiInbox, timed(func() {
			for _, p := range []string{"/v1/me", "/v1/members?limit=200", "/v1/bots", "/v1/conversations?limit=50&tab=open", "/v1/conversations/counts"} {
				wantStatus(b, e.call("GET", p, tk, nil), 200)
			}
		}))
		id := rows[i%len(rows)]
		apiChat = append(apiChat, timed(func() {
			wantStatus(b, e.call("GET", "/v1/conversations/"+id, tk, nil), 200)
			wantStatus(b, e.call("GET", "/v1/conversations/"+id+"/messages?limit=50", tk, nil), 200)
		}))
	}
	p50, p95 := msPercentiles(apiInbox)
	b.ReportMetric(p50, "api-inbox-p50-ms")
	b.ReportMetric(p95, "api-inbox-p95-ms")
	p50, p95 = msPercentiles(apiChat)
	b.ReportMetric(p50, "api-chat-p50-ms")
	b.ReportMetric(p95, "api-chat-p95-ms")
	p50, p95 = msPercentiles(inbox)
	b.ReportMetric(p50, "inbox-p50-ms")
	b.ReportMetric(p95, "inbox-p95-ms")
	p50, p95 = msPercentiles(open)
	b.ReportMetric(p50, "chat-p50-ms")
	b.ReportMetric(p95, "chat-p95-ms")
	b.ReportMetric(firstLoad/1024, "first-load-KB")
	b.ReportMetric(chatBytes/float64(b.N)/1024, "chat-open-KB")
}

// timed runs fn and returns how long it took, in milliseconds.
func timed(fn func()) float64 {
	t0 := time.Now()
	fn()
	return float64(time.Since(t0).Microseconds()) / 1000
}

// transferred runs fn and returns the bytes the page received meanwhile
// (encoded, headers included), as the browser reports them.
func (tb *tab) transferred(fn func()) float64 {
	tb.t.Helper()
	ctx, cancel := context.WithCancel(tb.ctx)
	done := chromedp.Events(ctx, network.LoadingFinished)
	var (
		mu    sync.Mutex
		total float64
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for ev, err := range done {
			if err != nil {
				return
			}
			mu.Lock()
			total += ev.EncodedDataLength
			mu.Unlock()
		}
	})
	fn()
	// The last responses' events trail the page's rendering a little.
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()
	return total
}

// msPercentiles is the p50 and p95 of ms.
func msPercentiles(ms []float64) (p50, p95 float64) {
	s := slices.Clone(ms)
	slices.Sort(s)
	return s[len(s)/2], s[min(len(s)-1, len(s)*95/100)]
}

// evalAwait evaluates a JavaScript expression whose value is a promise.
func evalAwait[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}
