package conformance

import (
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func session(ws, memberID string) (*models.Session, *models.RefreshToken) {
	s := &models.Session{ID: models.NewID(), WS: ws, MemberID: memberID, CreatedAt: start,
		ExpiresAt: start.Add(30 * 24 * time.Hour), UserAgent: "app/1.0"}
	return s, token(s.ID)
}

func token(sessionID string) *models.RefreshToken {
	return &models.RefreshToken{Hash: "rt-" + models.NewID(), SessionID: sessionID, CreatedAt: start, ExpiresAt: start.Add(time.Hour)}
}

// RunSessions checks models.SessionStore.
func RunSessions(t *testing.T, open Open) { runSessions(t, newFixture(t, open)) }

func runSessions(t *testing.T, f *fixture) {
	s := f.s

	t.Run("create and read back", func(t *testing.T) {
		sess, first := session(ws(), "m1")
		ok(t, s.CreateSession(ctx, sess, first), "create")
		got, err := s.Session(ctx, sess.ID)
		ok(t, err, "read")
		if *got != *sess {
			t.Fatalf("read %+v, want %+v", got, sess)
		}
		dup, tok := session(sess.WS, "m2")
		dup.ID = sess.ID
		wantCode(t, s.CreateSession(ctx, dup, tok), models.CodeConflict, "duplicate session id")
		got, err = s.Session(ctx, models.NewID())
		notFound(t, got, err, "unknown session")
	})

	t.Run("a refresh token is used once", func(t *testing.T) {
		sess, first := session(ws(), "m1")
		ok(t, s.CreateSession(ctx, sess, first), "create")
		got, err := s.UseRefreshToken(ctx, first.Hash)
		ok(t, err, "first use")
		if got.Hash != first.Hash || got.SessionID != sess.ID || !got.CreatedAt.Equal(first.CreatedAt) || !got.ExpiresAt.Equal(first.ExpiresAt) {
			t.Fatalf("used %+v, want %+v", got, first)
		}
		usedAt := f.clock.Now()
		f.clock.tick()
		got, err = s.UseRefreshToken(ctx, first.Hash)
		wantCode(t, err, models.CodeConflict, "second use")
		if got == nil || got.SessionID != sess.ID || !got.UsedAt.Equal(usedAt) {
			t.Fatalf("second use returned %+v, want the token with its first use at %v", got, usedAt)
		}
		got, err = s.UseRefreshToken(ctx, "rt-unknown")
		notFound(t, got, err, "unknown token")

		next := token(sess.ID)
		ok(t, s.AddRefreshToken(ctx, next), "add")
		wantCode(t, s.AddRefreshToken(ctx, next), models.CodeConflict, "add the same token again")
		_, err = s.UseRefreshToken(ctx, next.Hash)
		ok(t, err, "use the next token")
	})

	t.Run("one winner among concurrent uses", func(t *testing.T) {
		sess, first := session(ws(), "m1")
		ok(t, s.CreateSession(ctx, sess, first), "create")
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.UseRefreshToken(ctx, first.Hash)
			}()
		}
		wg.Wait()
		oneWinner(t, errs, "uses of one refresh token")
	})

	t.Run("revoke", func(t *testing.T) {
		sess, first := session(ws(), "m1")
		ok(t, s.CreateSession(ctx, sess, first), "create")
		ok(t, s.RevokeSession(ctx, sess.ID), "revoke")
		ok(t, s.RevokeSession(ctx, sess.ID), "revoke again")
		ok(t, s.RevokeSession(ctx, models.NewID()), "revoke an unknown session")
		got, err := s.Session(ctx, sess.ID)
		ok(t, err, "read")
		if !got.Revoked {
			t.Fatal("session not revoked")
		}
	})

	t.Run("revoke a member's sessions but one", func(t *testing.T) {
		w := ws()
		keep, t1 := session(w, "m1")
		gone1, t2 := session(w, "m1")
		gone2, t3 := session(w, "m1")
		otherMember, t4 := session(w, "m2")
		otherWS, t5 := session(ws(), "m1") // same member id in another workspace
		for _, p := range []struct {
			s *models.Session
			t *models.RefreshToken
		}{{keep, t1}, {gone1, t2}, {gone2, t3}, {otherMember, t4}, {otherWS, t5}} {
			ok(t, s.CreateSession(ctx, p.s, p.t), "create")
		}
		ok(t, s.RevokeMemberSessions(ctx, w, "m1", keep.ID), "revoke")
		for _, c := range []struct {
			s       *models.Session
			revoked bool
		}{{keep, false}, {gone1, true}, {gone2, true}, {otherMember, false}, {otherWS, false}} {
			got, err := s.Session(ctx, c.s.ID)
			ok(t, err, "read")
			if got.Revoked != c.revoked {
				t.Fatalf("session %s of %s/%s revoked %v, want %v", got.ID, got.WS, got.MemberID, got.Revoked, c.revoked)
			}
		}
		ok(t, s.RevokeMemberSessions(ctx, w, "m1", ""), "revoke all")
		got, err := s.Session(ctx, keep.ID)
		ok(t, err, "read")
		if !got.Revoked {
			t.Fatal("revoking with no exception kept a session")
		}
	})
}
