package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// TestSyncChatSentOncePerChange: recording a chat operation as pending and
// ending it are the server's bookkeeping, never shown to clients; so no
// write of a chat enters the change log (from which devices pull, a live
// pull as soon as it lands) leaving the chat as clients see it unchanged.
// Each message, opening, close and send puts the chat in the log once,
// and a device pulling after each write receives the chat once per change.
func TestSyncChatSentOncePerChange(t *testing.T) {
	t.Parallel()
	r := newAlertRig(t)
	ctx := context.Background()
	visible := func(c *models.Conversation) string {
		v := *c
		v.Seq, v.UpdatedAt = 0, time.Time{}
		raw, err := json.Marshal(&v)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	step := func(label string, wantChat int, act func()) {
		t.Helper()
		base := r.safe()
		act()
		chs, err := r.stors.Sync.Changes(ctx, r.ws, base, r.safe(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		n, prev := 0, ""
		for _, ch := range chs {
			c, ok := ch.Record.(*models.Conversation)
			if !ok {
				continue
			}
			n++
			if v := visible(c); v == prev {
				t.Errorf("%s: the chat's write %d changes nothing clients see", label, ch.Seq)
			} else {
				prev = v
			}
		}
		if n != wantChat {
			t.Errorf("%s: the chat entered the log %d times, want %d", label, n, wantChat)
		}
	}
	conv := ""
	// Created with the welcome, then the message's own write.
	step("a new subscriber's first message", 2, func() { conv = r.event(r.tm.key, r.bot.ID, say("c1", "s1", "hello")).ConversationID })
	step("open_chat", 1, func() { r.event(r.tm.key, r.bot.ID, openChat("c2", "s1")) })
	step("a message in an open chat", 1, func() { r.event(r.tm.key, r.bot.ID, say("c3", "s1", "more")) })
	step("a bot message", 1, func() {
		r.event(r.tm.key, r.bot.ID, map[string]any{"id": "c4", "type": "bot_message", "subscriber": map[string]any{"id": "s1"},
			"message": map[string]any{"id": "b4", "text": "bot says"}})
	})
	step("an agent's message", 1, func() {
		wantStatus(t, r.call("POST", "/v1/conversations/"+conv+"/messages", r.tm.emp1.AccessToken, map[string]any{"text": "hi"}), http.StatusCreated)
	})
	step("a close", 1, func() {
		wantStatus(t, r.call("POST", "/v1/conversations/"+conv+"/close", r.tm.admin.AccessToken, nil), http.StatusOK)
	})
	step("a reopening message", 1, func() { r.event(r.tm.key, r.bot.ID, say("c5", "s1", "again")) })
}
