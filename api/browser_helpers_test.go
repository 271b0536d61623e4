package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdpage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/switchboardhq/switchboard/store/storetest"
	"github.com/switchboardhq/switchboard/web"
)

// The console tests drive a real headless Chromium against a real server
// (the API with its inbox, sync and the messenger connections on the
// loopback fakes, and the console at /) on a loopback listener. One
// browser serves the whole test binary; every test gets its own browser
// context (no shared storage or cookies) and tab.

// browserWait bounds every wait for the page; nothing is timed as a
// pass/fail condition, the bound only ends a stuck test.
const browserWait = 20 * time.Second

// featureWait bounds a scenario's shorter looks (a state expected soon,
// checked again on failure).
const featureWait = 5 * time.Second

// chrome is the test binary's one browser, started on first use and
// stopped by TestMain (closeBrowser).
var chrome struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

// chromiumPath finds the browser: SWITCHBOARD_CHROMIUM, else Debian's
// chromium (what .ci/run installs) or another Chrome on the PATH. Without
// one the test is skipped on a developer's machine and fails in CI.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("SWITCHBOARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found; the console tests need it (apt-get install chromium)")
	}
	t.Skip("chromium not found (apt-get install chromium); CI=true makes this a failure")
	return ""
}

// browser returns the shared browser's context, starting the browser.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath(t)
	chrome.once.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.WindowSize(1280, 800),
		)
		if os.Geteuid() == 0 {
			// Chromium refuses to run its sandbox as root (CI containers).
			opts = append(opts, chromedp.NoSandbox)
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		chrome.ctx = bctx
		chrome.cancel = func() { bcancel(); acancel() }
		chrome.err = chromedp.Do(bctx) // starts the browser, with no deadline
	})
	if chrome.err != nil {
		t.Fatalf("start %s: %v", path, chrome.err)
	}
	return chrome.ctx
}

// closeBrowser stops the shared browser if a test started it.
func closeBrowser() {
	if chrome.cancel != nil {
		chrome.cancel()
	}
}

// newConsoleEnv is newMessengerEnv (Telegram bots long-poll the fake)
// with the console mounted at /, as cmd/switchboard serves it, then opts.
//
// The console is tested on the default (SQLite) store: the MongoDB pass of
// CI covers the API's store behaviour, and on the FerretDB stand-in the
// browser's bounded waits only measure how slow the stand-in is.
func newConsoleEnv(t *testing.T, opts ...envOption) *msgEnv {
	t.Helper()
	if storetest.Engine() == storetest.EngineMongoDB {
		t.Skip("the console's browser tests run on the default store (see newConsoleEnv)")
	}
	m := newMessengers(t, false)
	e := newSyncEnv(t, storetest.Open(t), testSync, append([]envOption{func(_ *authConfig, opt *apiOptions) {
		m.wire(opt)
		opt.Console = web.New()
	}}, opts...)...)
	m.serve(t, e.srv.Handler())
	return &msgEnv{env: e, messengers: m}
}

// tab is one page of the console in its own browser context.
type tab struct {
	t    testing.TB
	ctx  context.Context
	base string
	name string // prefix of its screenshots
	dir  string // where its screenshots go (see shotDir), once one is taken

	mu         sync.Mutex
	dialogs    []string // messages of the dialogs the page opened (all dismissed)
	exceptions []string // the page's uncaught exceptions
}

// openTab opens a tab on the server at base in a fresh browser context,
// closed when the test ends. Dialogs are recorded and dismissed; an
// uncaught exception in the page fails the test.
func openTab(t testing.TB, base, name string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser(t), chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("open a tab: %v", err)
	}
	tb := &tab{t: t, ctx: ctx, base: base, name: name}
	dialogs := chromedp.Events(ctx, cdpage.JavascriptDialogOpening)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	var wg sync.WaitGroup
	wg.Go(func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.dialogs = append(tb.dialogs, string(ev.Type)+": "+ev.Message)
			tb.mu.Unlock()
			_, _ = chromedp.Call(ctx, cdpage.HandleJavaScriptDialog, cdpage.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	wg.Go(func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.exceptions = append(tb.exceptions, exceptionText(ev))
			tb.mu.Unlock()
		}
	})
	// An uncaught exception in the console is a bug in it.
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if ex := tb.Exceptions(); len(ex) > 0 {
			t.Errorf("%s: the page threw uncaught exceptions: %q", name, ex)
		}
	})
	return tb
}

// exceptionText is an uncaught exception's message.
func exceptionText(ev runtime.EventExceptionThrown) string {
	d := ev.ExceptionDetails
	if d == nil {
		return "?"
	}
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

// Dialogs returns the dialogs the page opened so far.
func (tb *tab) Dialogs() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.dialogs...)
}

// Exceptions returns the page's uncaught exceptions so far.
func (tb *tab) Exceptions() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.exceptions...)
}

// do runs actions within the bounded wait, failing the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.shot("failed")
		tb.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// open navigates to path on the server.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.base+path))
}

// present reports whether an element matches sel now.
func (tb *tab) present(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, fmt.Sprintf("document.querySelector(%s) !== null", jsString(sel)))
}

// until polls the JavaScript condition js (a boolean, or a promise of
// one) until it is true; false when
// it is still false after d.
func (tb *tab) until(js string, d time.Duration) bool {
	tb.t.Helper()
	deadline := time.Now().Add(d)
	for {
		// An evaluation that fails (the page between two documents) is
		// one more try; the last error is reported if it never holds.
		ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) || tb.ctx.Err() != nil {
			if err != nil {
				tb.t.Logf("evaluate %s: %v", js, err)
			}
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor waits for the JavaScript condition js, failing the test with
// what when it does not come within the bounded wait.
func (tb *tab) waitFor(what, js string) {
	tb.t.Helper()
	if !tb.until(js, browserWait) {
		tb.shot("failed")
		tb.t.Fatalf("gave up waiting in the browser: %s (%s)", what, js)
	}
}

// wait waits for an element matching sel to be visible.
func (tb *tab) wait(sel string) {
	tb.t.Helper()
	tb.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// need fails the test when the console lacks feature: no element
// matches sel within the bounded wait. Every screen of the console is
// built, so a missing hook is a broken console, never "not built yet".
func (tb *tab) need(sel, feature string) {
	tb.t.Helper()
	if !tb.until(fmt.Sprintf("document.querySelector(%s) !== null", jsString(sel)), browserWait) {
		tb.shot("missing")
		tb.t.Fatalf("no %s (%s) on the page; it threw %q", feature, sel, tb.Exceptions())
	}
}

// click clicks the first element matching sel with the mouse, trying
// again while the page re-renders the element under the click.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	deadline := time.Now().Add(browserWait)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || tb.ctx.Err() != nil {
			tb.shot("failed")
			tb.t.Fatalf("click %s: %v", sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fill replaces the value of the field sel with text, typed as input
// events (Input.insertText, so emoji arrive whole, as from an IME).
func (tb *tab) fill(sel, text string) {
	tb.t.Helper()
	tb.do("fill "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf("document.querySelector(%s).select()", jsString(sel))),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}),
	)
}

// text is the text content of the first element matching sel ("" none).
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf("(document.querySelector(%s) || {}).textContent || ''", jsString(sel)))
}

// shotDir is where screenshots go: SWITCHBOARD_SCREENSHOTS, else the
// test's artifact directory, which `go test -artifacts` keeps (under
// -outputdir; .ci/run keeps them in test-output/) and a plain run removes.
func shotDir(t testing.TB) string {
	if d := os.Getenv("SWITCHBOARD_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := t.ArtifactDir()
	// A benchmark runs its function more than once, and its directory
	// may be gone after an earlier round.
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// shot saves a PNG of the viewport as <test>-<tab>-<screen>.png and logs
// its path for a reviewer.
func (tb *tab) shot(screen string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserWait)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Logf("screenshot %s: %v", screen, err)
		return
	}
	name := unsafeName.ReplaceAllString(tb.t.Name()+"-"+tb.name+"-"+screen, "_") + ".png"
	if tb.dir == "" {
		tb.dir = shotDir(tb.t)
	}
	p := filepath.Join(tb.dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot %s: %s", screen, p)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
