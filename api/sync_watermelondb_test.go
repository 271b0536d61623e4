package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// watermelonDir is the Node project that runs WatermelonDB's own sync.
const watermelonDir = "../clients/watermelondb"

// TestSyncWatermelonDBClient runs the real WatermelonDB client
// (synchronize() on LokiJS, clients/watermelondb/conformance.js) against
// this server on a loopback listener: a paged first sync while the server
// changes, deltas, offline pushes with one refused record, a follower
// gaining a chat. It fails on any WatermelonDB error or warning. Without
// Node or the project's packages (npm ci) it is skipped, except under CI
// (CI=true), where .ci/run installs them and the test must run.
func TestSyncWatermelonDBClient(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(watermelonDir, "node_modules", "@nozbe", "watermelondb"))
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the WatermelonDB conformance test needs node and `npm ci` in %s: %v", watermelonDir, err)
		}
		t.Skipf("needs node and `npm ci` in %s (required under CI=true): %v", watermelonDir, err)
	}
	e := newEnv(t)
	tm, b := e.shop()
	// Statistics are stamped as the server's runner stamps them.
	cfg := testSync
	cfg.StatsInterval = 50 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); syncsvc.NewRunner(e.db, cfg, nil, nil).Run(ctx) }()
	defer func() { cancel(); <-done }()

	type chat struct {
		Conversation string `json:"conversation"`
		Subscriber   string `json:"subscriber"`
	}
	var chats []chat
	for i := 0; i < 6; i++ {
		s := fmt.Sprintf("s%d", i)
		c := e.event(tm.key, b.ID, openChat("open-"+s, s))
		e.event(tm.key, b.ID, say("hello-"+s, s, "hello"))
		e.event(tm.key, b.ID, say("again-"+s, s, "again"))
		chats = append(chats, chat{c.ConversationID, c.SubscriberID})
	}
	r := e.call("POST", "/v1/subscribers/"+chats[0].Subscriber+"/notes", tm.emp1.AccessToken, map[string]string{"text": "to delete"})
	wantStatus(t, r, http.StatusCreated)
	var note models.Note
	r.JSON(t, &note)
	wantStatus(t, e.call("PUT", "/v1/conversations/"+chats[0].Conversation+"/followers/"+tm.follower.Member.ID, tm.admin.AccessToken, nil), http.StatusOK)
	// A WhatsApp chat whose reply window closed an hour ago.
	vb := e.bot(tm.admin.AccessToken, map[string]any{"channel": "whatsapp", "name": "WhatsApp"})
	old := say("old", "v1", "yesterday")
	old["at"] = e.inboxClock.Now().Add(-25 * time.Hour).UTC().Format(time.RFC3339)
	vc := e.event(tm.key, vb.ID, old)

	conf, _ := json.Marshal(map[string]any{
		"url": e.http.URL, "apiKey": tm.key, "botId": b.ID,
		"admin": tm.admin.AccessToken, "emp1": tm.emp1.AccessToken, "emp2": tm.emp2.AccessToken,
		"follower": tm.follower.AccessToken, "followerId": tm.follower.Member.ID,
		"chats": chats, "closed": chat{vc.ConversationID, vc.SubscriberID}, "note": note.ID,
	})
	rctx, rcancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer rcancel()
	cmd := exec.CommandContext(rctx, node, "conformance.js")
	cmd.Dir = watermelonDir
	cmd.Env = append(os.Environ(), "SB_CONFIG="+string(conf), "NODE_ENV=production")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("WatermelonDB conformance failed (%v):\n%s", err, out)
	}
	t.Logf("%s", out)
}
