package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestKeptTalliesMatchTheChats: after any mix of chat writes (new chats,
// status, assignee, unread and follower changes, deletes, writes that
// change none of those), the counts kept as chats change equal the
// chats grouped afresh, and ConversationTallies reads them.
func TestKeptTalliesMatchTheChats(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	statuses := []models.ConversationStatus{models.StatusIdle, models.StatusOpen, models.StatusClosed}
	members := []string{"", "m1", "m2"}
	var ids []string
	for i := range 300 {
		ws := fmt.Sprintf("ws%d", i%2)
		if len(ids) < 40 || rng.IntN(4) == 0 {
			sub := fmt.Sprintf("s%d", i)
			c := &models.Conversation{ID: models.ConversationID(sub), BotID: "b1", SubscriberID: sub, Channel: models.ChannelTelegram,
				Status: statuses[rng.IntN(3)], Stamp: models.Stamp{WS: ws}}
			if _, _, err := s.EnsureConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ws+" "+c.ID)
			continue
		}
		var w, id string
		fmt.Sscan(ids[rng.IntN(len(ids))], &w, &id)
		var upd models.ConversationUpdate
		switch rng.IntN(6) {
		case 0:
			upd.Status = &statuses[rng.IntN(3)]
		case 1:
			upd.AssigneeID = &members[rng.IntN(3)]
		case 2:
			upd.AddUnread = true
		case 3:
			upd.MarkRead = true
		case 4:
			upd.AddFollower = members[1+rng.IntN(2)]
		case 5:
			preview := "no count changes"
			upd.LastMessagePreview = &preview
		}
		if _, err := s.UpdateConversation(ctx, w, id, upd); err != nil && !models.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	if _, err := s.writer.Exec(`UPDATE conversations SET deleted = 1 WHERE id IN (SELECT id FROM conversations ORDER BY id LIMIT 5)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`DELETE FROM conversations WHERE id IN (SELECT id FROM conversations WHERE deleted = 0 ORDER BY id DESC LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	for _, ws := range []string{"ws0", "ws1"} {
		for _, f := range []models.ConversationFilter{{}, {UnreadOnly: true}, {Statuses: []models.ConversationStatus{models.StatusOpen}, AssigneeID: ptr("")},
			{Statuses: []models.ConversationStatus{models.StatusOpen, models.StatusIdle}, NotAssignee: "m1"}} {
			kept, err := s.ConversationTallies(ctx, ws, f)
			if err != nil {
				t.Fatal(err)
			}
			where, args := convWhere(ws, f)
			fresh, err := queryList(ctx, s, func(r scanner) (*models.ConversationTally, error) {
				var x models.ConversationTally
				var followers string
				err := r.Scan(&x.Status, &x.AssigneeID, &x.Unread, &followers, new(int))
				return &x, err
			}, tallySQL(where, false), args...)
			if err != nil {
				t.Fatal(err)
			}
			if count(kept) != count(fresh) {
				t.Errorf("%s %+v: kept counts %v, chats grouped afresh %v", ws, f, count(kept), count(fresh))
			}
		}
	}
}

// count is how many tallies there are of each status, assignee and
// unread flag.
func count[T models.ConversationTally | *models.ConversationTally](ts []T) string {
	m := map[string]int64{}
	for _, x := range ts {
		var t models.ConversationTally
		switch v := any(x).(type) {
		case models.ConversationTally:
			t = v
		case *models.ConversationTally:
			t = *v
		}
		m[fmt.Sprintf("%s/%s/%v", t.Status, t.AssigneeID, t.Unread)] += t.Chats()
	}
	return fmt.Sprint(m)
}

func ptr[T any](v T) *T { return &v }
