package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
)

// uploads counts the page's requests that upload a file to a chat, from
// now until the test ends.
func (tb *tab) uploads() func() int {
	tb.t.Helper()
	ctx, cancel := context.WithCancel(tb.ctx)
	reqs := chromedp.Events(ctx, network.RequestWillBeSent)
	var (
		mu sync.Mutex
		n  int
		wg sync.WaitGroup
	)
	wg.Go(func() {
		for ev, err := range reqs {
			if err != nil {
				return
			}
			if ev.Request != nil && ev.Request.Method == "POST" && strings.HasSuffix(ev.Request.URL, "/files") {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}
	})
	tb.t.Cleanup(func() { cancel(); wg.Wait() })
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// An agent attaches a file and sends it: Telegram receives the document
// with its name and content. An executable is refused in the page,
// before any upload.
func TestBrowserAttachFile(t *testing.T) {
	t.Parallel()
	me := newConsoleEnv(t)
	tm := me.team()
	b := me.telegramBot(tm.admin.AccessToken, map[string]any{"queue": ids(tm.emp1)})
	user := telegramfake.User{ID: 6201, FirstName: "Iris"}
	chat, _ := me.openTelegramChat(t, tm.emp1, b, user, "¿Me mandan la lista de precios?")
	dir := t.TempDir()
	exe, doc := filepath.Join(dir, "setup.exe"), filepath.Join(dir, "precios.txt")
	if err := os.WriteFile(exe, []byte("MZ\x90\x00not really a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(doc, []byte("Envío a Lima: 10 USD\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tb := openTab(t, me.http.URL, "employee")
	tb.signIn(tm.emp1.Member.Email, memberPassword)
	tb.need(rowSel(chat.ID), "inbox rows")
	tb.openChatIn(chat.ID)
	tb.need("input#attach", "attach input")
	uploads := tb.uploads()

	tb.do("attach the executable", chromedp.SetUploadFiles(chromedp.CSS("input#attach"), []string{exe}, chromedp.NodeReady))
	tb.do("attach the document", chromedp.SetUploadFiles(chromedp.CSS("input#attach"), []string{doc}, chromedp.NodeReady))
	tb.waitFor("the document is uploaded and waits to be sent",
		fmt.Sprintf(`document.querySelector('#chat').textContent.includes(%s)`, jsString("precios.txt")))
	tb.shot("attached")
	tb.click("button#send")
	eventually(t, "Telegram receives the document", func() bool {
		return slices.ContainsFunc(me.tg.Sent(user.ID), func(s telegramfake.SentMessage) bool { return s.File != nil })
	})
	var got []telegramfake.SentFile
	for _, s := range me.tg.Sent(user.ID) {
		if s.File != nil {
			got = append(got, *s.File)
		}
	}
	if len(got) != 1 || got[0].Name != "precios.txt" || string(got[0].Data) != "Envío a Lima: 10 USD\n" {
		t.Fatalf("Telegram received %+v, want precios.txt alone", got)
	}
	if n := uploads(); n != 1 {
		t.Errorf("the page made %d uploads, want 1 (the executable is refused before upload)", n)
	}
	tb.waitFor("the file message shows its link", `document.querySelector('#chat a.file') !== null`)
	tb.shot("sent")
}
