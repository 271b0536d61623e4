package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// TestSearchEitherWay checks that a search finds the same messages
// whichever way it reads: in chats of walkSearchMax messages (walked)
// and of one more (from the index's matches), newest first, before and
// after a cursor, within a limit, in any case, never another chat's.
func TestSearchEitherWay(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	want := map[string][]string{} // chat -> ids with the word, newest first
	err := s.Batch(ctx, func(ctx context.Context) error {
		for _, c := range []struct {
			id string
			n  int
		}{{"walked", walkSearchMax}, {"matched", walkSearchMax + 1}, {"other", 3}} {
			for i := 0; i < c.n; i++ {
				text := fmt.Sprintf("message %d", i)
				if i%7 == 3 {
					text = fmt.Sprintf("about the NeedLe %d", i)
				}
				id := fmt.Sprintf("%s-%03d", c.id, i)
				m := &models.Message{ID: id, ConversationID: c.id, SubscriberID: "s-" + c.id, BotID: "b", Sender: models.SenderSubscriber,
					Kind: models.KindText, Text: text, CreatedAt: at.Add(time.Duration(i) * time.Second)}
				if err := s.CreateMessage(ctx, "ws", m); err != nil {
					return err
				}
				if i%7 == 3 {
					want[c.id] = append([]string{id}, want[c.id]...)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, chat := range []string{"walked", "matched"} {
		all := want[chat]
		mid := all[len(all)/2]
		i := slices.Index(all, mid)
		cases := []struct {
			name string
			f    models.MessageFilter
			want []string
		}{
			{"all", models.MessageFilter{Query: "needle"}, all},
			{"limit", models.MessageFilter{Query: "NEEDLE", Limit: 5}, all[:5]},
			{"before", models.MessageFilter{Query: "needle", Before: mid, Limit: 4}, all[i+1 : i+5]},
			{"after", models.MessageFilter{Query: "needle", After: mid, Limit: 4}, all[i-4 : i]},
			{"none", models.MessageFilter{Query: "haystack"}, nil},
		}
		for _, c := range cases {
			c.f.ConversationID = chat
			got, err := s.Messages(ctx, "ws", c.f)
			if err != nil {
				t.Fatalf("%s %s: %v", chat, c.name, err)
			}
			ids := []string{}
			for _, m := range got {
				ids = append(ids, m.ID)
			}
			if strings.Join(ids, " ") != strings.Join(c.want, " ") {
				t.Errorf("%s %s: got %v, want %v", chat, c.name, ids, c.want)
			}
		}
	}
}
