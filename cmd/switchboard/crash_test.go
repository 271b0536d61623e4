package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// TestKillNineChild is the server process TestKillNineMidBurstLosesNoChat
// kills; it runs only as that child.
func TestKillNineChild(t *testing.T) {
	if os.Getenv("SWITCHBOARD_TEST_KILL_CHILD") == "" {
		t.Skip("the child process of TestKillNineMidBurstLosesNoChat")
	}
	os.Exit(run(context.Background(), nil, os.LookupEnv, os.Stderr, os.Stderr))
}

// child is a `switchboard serve` process on a data directory.
type child struct {
	cmd  *exec.Cmd
	addr string
	out  *syncBuffer
}

func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	return startChildAt(t, env, freeAddr(t))
}

// startChildAt starts the child listening on addr.
func startChildAt(t *testing.T, env map[string]string, addr string) *child {
	t.Helper()
	c := &child{addr: addr, out: &syncBuffer{}}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestKillNineChild$")
	c.cmd.Env = append(os.Environ(), "SWITCHBOARD_TEST_KILL_CHILD=1", "SWITCHBOARD_ADDR="+c.addr)
	for k, v := range env {
		if k != "SWITCHBOARD_ADDR" {
			c.cmd.Env = append(c.cmd.Env, k+"="+v)
		}
	}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
	for i := 0; i < 300; i++ {
		if res, err := http.Get("http://" + c.addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return c
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("child not ready:\n%s", c.out.String())
	return nil
}

func (c *child) call(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, "http://"+c.addr+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil // the process is gone
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (c *child) want(t *testing.T, status int, method, path, token string, body, out any) {
	t.Helper()
	got, b := c.call(t, method, path, token, body)
	if got != status {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, got, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKillNineMidBurstLosesNoChat: a burst of new chats (open_chat for new
// subscribers) is cut by SIGKILL; the restarted process on the same data
// has every redelivered event answered, and every chat opened exactly
// once: one "opened" entry (which the new-chat alert is made from), one
// auto-reply, counted once.
func TestKillNineMidBurstLosesNoChat(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server three times")
	}
	env := baseEnv(t, t.TempDir())
	out := &syncBuffer{}
	if code := run(context.Background(), []string{"create-admin", "--email", "owner@acme.test", "--password", "owner-password", "--workspace", "Acme"}, envOf(env), out, out); code != 0 {
		t.Fatalf("create-admin: %s", out.String())
	}
	c := startChild(t, env)
	var login struct {
		AccessToken string           `json:"access_token"`
		Workspace   models.Workspace `json:"workspace"`
	}
	c.want(t, 200, "POST", "/v1/auth/login", "", map[string]string{"email": "owner@acme.test", "password": "owner-password"}, &login)
	var key struct{ Secret string }
	c.want(t, 201, "POST", "/v1/api-keys", login.AccessToken, map[string]string{"name": "engine"}, &key)
	var bot models.Bot
	c.want(t, 201, "POST", "/v1/bots", login.AccessToken, map[string]any{"channel": "telegram", "name": "Shop", "auto_reply": "Soon"}, &bot)

	const chats, workers = 60, 4
	event := func(i int) map[string]any {
		return map[string]any{"id": fmt.Sprintf("open-%d", i), "type": "open_chat", "subscriber": map[string]any{"id": fmt.Sprintf("s%d", i), "name": "Sub"}}
	}
	var answered atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if code, _ := c.call(t, "POST", "/v1/bots/"+bot.ID+"/events", key.Secret, event(i)); code == 200 {
					answered.Add(1)
				}
			}
		}()
	}
	killed := false
	for i := 0; i < chats; i++ {
		if !killed && answered.Load() >= chats/3 {
			if err := c.cmd.Process.Kill(); err != nil { // SIGKILL, mid-burst
				t.Fatal(err)
			}
			killed = true
		}
		next <- i
	}
	close(next)
	wg.Wait()
	_ = c.cmd.Wait()
	if !killed || answered.Load() >= chats {
		t.Fatalf("the burst was not cut: %d of %d answered", answered.Load(), chats)
	}

	c = startChild(t, env) // the same data directory
	for i := 0; i < chats; i++ {
		c.want(t, 200, "POST", "/v1/bots/"+bot.ID+"/events", key.Secret, event(i), nil)
	}
	for i := 0; i < chats; i++ {
		id := models.ConversationID(models.SubscriberID(login.Workspace.ID, bot.ID, fmt.Sprintf("s%d", i)))
		var conv models.Conversation
		c.want(t, 200, "GET", "/v1/conversations/"+id, login.AccessToken, nil, &conv)
		var h struct{ Items []models.Message }
		c.want(t, 200, "GET", "/v1/conversations/"+id+"/messages?limit=200", login.AccessToken, nil, &h)
		opened, replies := 0, 0
		for _, m := range h.Items {
			if m.Kind == models.KindEvent && m.Event == "opened" {
				opened++
			}
			if m.Text == "Soon" {
				replies++
			}
		}
		if conv.Status != models.StatusOpen || opened != 1 || replies != 1 {
			t.Fatalf("chat %d after the kill: %s, %d opened entries, %d auto-replies", i, conv.Status, opened, replies)
		}
	}
	var st struct{ Totals models.BotTotals }
	c.want(t, 200, "GET", "/v1/bots/"+bot.ID+"/stats", login.AccessToken, nil, &st)
	if st.Totals.Subscribers != chats || st.Totals.Sent != chats {
		t.Fatalf("counters after the kill: %+v, want %d subscribers and %d sent", st.Totals, chats, chats)
	}
	if strings.Contains(c.out.String(), `"level":"ERROR"`) {
		t.Logf("restarted process logged errors:\n%s", c.out.String())
	}
}
