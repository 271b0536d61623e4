package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/conformance"
)

// TestConformance runs the store interfaces' shared suite on this store,
// reading the change log with LogEntries up to the high-water mark.
func TestConformance(t *testing.T) {
	t.Parallel()
	conformance.Run(t, func(t *testing.T, now func() time.Time) conformance.Subject {
		// NORMAL: the suite checks behaviour, not durability, and FULL
		// would spend most of its time in fsync.
		s, err := Open(context.Background(), t.TempDir(), Options{Now: now, Synchronous: "NORMAL"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return conformance.Subject{Store: s, Log: func(ctx context.Context, ws string, after int64) ([]conformance.Entry, error) {
			upTo, err := s.HighWater(ctx, ws)
			if err != nil {
				return nil, err
			}
			entries, err := s.LogEntries(ctx, ws, after, upTo, 10000)
			out := make([]conformance.Entry, 0, len(entries))
			for _, e := range entries {
				out = append(out, conformance.Entry{Seq: e.Seq, Table: e.Table, ID: e.ID, Created: e.Created, Deleted: e.Deleted, Landed: e.Record != nil})
			}
			return out, err
		}}
	})
}

// TestChangeLogLeavesSecretsOut: a member's change-log entry is the
// record as the apps see it: no password hash, no invite token hash, no
// invite expiry, while the fields the apps sync are there.
func TestChangeLogLeavesSecretsOut(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	m := &models.Member{ID: "m1", Email: "ann@example.com", Name: "Ann", Role: models.RoleAdmin, Status: models.MemberInvited,
		PasswordHash: "secret-password-hash", InviteHash: "secret-invite-hash", InviteExpiry: time.Now().Add(time.Hour),
		Stamp: models.Stamp{WS: "ws1"}}
	if err := s.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	pw := "another-secret-hash"
	if _, err := s.UpdateMember(ctx, "ws1", "m1", models.MemberUpdate{PasswordHash: &pw}); err != nil {
		t.Fatal(err)
	}
	entries, err := s.LogEntries(ctx, "ws1", 0, 10, 10)
	if err != nil || len(entries) != 2 {
		t.Fatalf("log %+v, %v; want the create and the update", entries, err)
	}
	for _, e := range entries {
		rec := string(e.Record)
		for _, secret := range []string{"secret", "password_hash", "invite_hash", "invite_expiry"} {
			if strings.Contains(rec, secret) {
				t.Errorf("entry %d carries %q: %s", e.Seq, secret, rec)
			}
		}
		for _, field := range []string{`"id":"m1"`, `"email":"ann@example.com"`, `"name":"Ann"`, `"role":"admin"`, fmt.Sprintf(`"seq":%d`, e.Seq)} {
			if !strings.Contains(rec, field) {
				t.Errorf("entry %d lacks %s: %s", e.Seq, field, rec)
			}
		}
	}
}

// TestBotLogLeavesCredentialsOut: a bot's change-log entries carry the
// credentials' hint the apps see, never the credentials, nor the
// server's queue position and moves.
func TestBotLogLeavesCredentialsOut(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	b := &models.Bot{ID: "b1", Channel: models.ChannelTelegram, Name: "Support", Credentials: map[string]string{"token": "secret-token"},
		CredentialsHint: map[string]string{"token": "…oken"}, Queue: []string{"m1"}, Stamp: models.Stamp{WS: "ws1"}}
	if err := s.CreateBot(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateBot(ctx, "ws1", "b1", models.BotUpdate{Credentials: map[string]string{"token": "secret-new"},
		CredentialsHint: map[string]string{"token": "…new"}, Queue: &[]string{"m2"}}); err != nil {
		t.Fatal(err)
	}
	entries, err := s.LogEntries(ctx, "ws1", 0, 10, 10)
	if err != nil || len(entries) != 2 {
		t.Fatalf("log %+v, %v; want the create and the update", entries, err)
	}
	for _, e := range entries {
		rec := string(e.Record)
		for _, secret := range []string{"secret", "queue_next", "queue_moves"} {
			if strings.Contains(rec, secret) {
				t.Errorf("entry %d carries %q: %s", e.Seq, secret, rec)
			}
		}
		if !strings.Contains(rec, `"credentials":{"token":"…`) || !strings.Contains(rec, `"name":"Support"`) {
			t.Errorf("entry %d lacks the hint or the name: %s", e.Seq, rec)
		}
	}
}
