package sync

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestRenderMakesWatermelonColumns(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	conv := &models.Conversation{ID: "c1", Tags: []string{"vip"}, Followers: []string{}, MutedBy: []string{"m1"},
		LastMessageAt: &at, Links: []models.Link{}, CreatedAt: at, Stamp: models.Stamp{Seq: 7, UpdatedAt: at}}
	member := &models.Member{ID: "m1", Email: "a@example.com", Name: "Ann", Role: models.RoleAdmin, PasswordHash: "x", CreatedAt: at}
	deal := &models.Deal{ID: "d1", Amount: 12.5}
	tests := []struct {
		name  string
		table string
		rec   any
		me    string
		want  map[string]any
		gone  []string
	}{
		{"lists become JSON text, times milliseconds, mute is the caller's", models.TableConversations, conv, "m1",
			map[string]any{"id": "c1", "tags": `["vip"]`, "followers": `[]`, "last_message_at": at.UnixMilli(), "seq": int64(7), "muted": true},
			[]string{"muted_by", "follow_seq", "name_key"}},
		{"another member's mute is not theirs", models.TableConversations, conv, "m2", map[string]any{"muted": false}, nil},
		{"a member is a public profile", models.TableMembers, member, "m1", map[string]any{"id": "m1", "name": "Ann", "role": "admin"},
			[]string{"email", "password_hash", "password_change_required"}},
		{"numbers stay numbers", models.TableDeals, deal, "m1", map[string]any{"amount": 12.5}, nil},
	}
	for _, tc := range tests {
		r, err := render(tc.table, tc.rec, tc.me)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for k, v := range tc.want {
			if r[k] != v {
				t.Errorf("%s: %s = %#v, want %#v", tc.name, k, r[k], v)
			}
		}
		for _, k := range tc.gone {
			if _, ok := r[k]; ok {
				t.Errorf("%s: column %s should not be sent", tc.name, k)
			}
		}
	}
}

func TestCheckPullBounds(t *testing.T) {
	s := New(nil, nil, Config{}, nil, nil)
	ok := []PullInput{{}, {LastPulledAt: maxTimestamp, Limit: DefaultMaxLimit, Wait: DefaultMaxWait}, {Limit: 1}}
	for _, in := range ok {
		if err := s.CheckPull(&in); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
	bad := map[string]PullInput{
		"last_pulled_at": {LastPulledAt: maxTimestamp + 1},
		"limit":          {Limit: DefaultMaxLimit + 1},
		"wait":           {Wait: DefaultMaxWait + time.Nanosecond},
	}
	for field, in := range bad {
		err := s.CheckPull(&in)
		e, isErr := err.(*models.Error)
		if !isErr || len(e.Fields) != 1 || e.Fields[0].Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	in := PullInput{}
	_ = s.CheckPull(&in)
	if in.Limit != DefaultLimit {
		t.Fatalf("no limit became %d, want the default %d", in.Limit, DefaultLimit)
	}
}
