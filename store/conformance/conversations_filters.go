package conformance

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// tallyOf is what a tally says of a chat, as text.
func tallyOf(status models.ConversationStatus, assignee string, unread bool, followers []string) string {
	return fmt.Sprintf("%s/%s/%v/%v", status, assignee, unread, followers)
}

// runConversationFilters checks that the list and the tallies select
// alike by every filter, in one workspace only.
func runConversationFilters(t *testing.T, f *fixture) {
	s := f.s
	t.Run("filters and tallies", func(t *testing.T) {
		w := ws()
		type setup struct {
			ext, name string
			bot       string
			channel   models.Channel
			upd       models.ConversationUpdate
		}
		open, closed := models.StatusOpen, models.StatusClosed
		setups := []setup{
			{"1", "Anna", "bot1", models.ChannelTelegram, models.ConversationUpdate{Status: &open, AssigneeID: ptr("m1"),
				Tags: &[]string{"vip"}, Followers: &[]string{"m3"}, AddUnread: true}},
			{"2", "anton", "bot2", models.ChannelWhatsApp, models.ConversationUpdate{Status: &open}},
			{"3", "Bob", "bot1", models.ChannelTelegram, models.ConversationUpdate{Status: &open, AssigneeID: ptr("m2"),
				Tags: &[]string{"vip", "new"}}},
			{"4", "Carl", "bot1", models.ChannelTelegram, models.ConversationUpdate{Status: &closed, AssigneeID: ptr("m1"),
				Followers: &[]string{"m3", "m4"}}},
			{"5", "Zed", "bot1", models.ChannelTelegram, models.ConversationUpdate{}},
		}
		byExt := map[string]*models.Conversation{}
		for _, st := range setups {
			c := chat(w, st.ext, st.name)
			c.BotID, c.Channel = st.bot, st.channel
			_, _, err := s.EnsureConversation(ctx, c)
			ok(t, err, "ensure")
			f.clock.tick()
			if st.upd != (models.ConversationUpdate{}) {
				_, err = s.UpdateConversation(ctx, w, c.ID, st.upd)
				ok(t, err, "set up "+st.ext)
			}
			byExt[st.ext] = c
		}
		// A chat of another workspace matching every filter below.
		x := chat(ws(), "1", "Anna")
		_, _, err := s.EnsureConversation(ctx, x)
		ok(t, err, "another workspace")
		_, err = s.UpdateConversation(ctx, x.WS, x.ID, setups[0].upd)
		ok(t, err, "another workspace's update")
		cases := []struct {
			name string
			f    models.ConversationFilter
			want string // the chats, by ext
		}{
			{"all", models.ConversationFilter{}, "12345"},
			{"open", models.ConversationFilter{Statuses: []models.ConversationStatus{open}}, "123"},
			{"open or closed", models.ConversationFilter{Statuses: []models.ConversationStatus{open, closed}}, "1234"},
			{"mine", models.ConversationFilter{Statuses: []models.ConversationStatus{open}, AssigneeID: ptr("m1")}, "1"},
			{"assigned to m1, any status", models.ConversationFilter{AssigneeID: ptr("m1")}, "14"},
			{"unassigned", models.ConversationFilter{Statuses: []models.ConversationStatus{open}, AssigneeID: ptr("")}, "2"},
			{"others'", models.ConversationFilter{Statuses: []models.ConversationStatus{open}, NotAssignee: "m1"}, "3"},
			{"not m1's, any status", models.ConversationFilter{NotAssignee: "m1"}, "3"},
			{"followed by m3", models.ConversationFilter{FollowerID: "m3"}, "14"},
			{"followed by m4", models.ConversationFilter{FollowerID: "m4"}, "4"},
			{"followed by nobody known", models.ConversationFilter{FollowerID: "m9"}, ""},
			{"bot", models.ConversationFilter{BotID: "bot2"}, "2"},
			{"channel", models.ConversationFilter{Channel: models.ChannelWhatsApp}, "2"},
			{"tag", models.ConversationFilter{Tag: "vip"}, "13"},
			{"another tag", models.ConversationFilter{Tag: "new"}, "3"},
			{"name prefix, any case", models.ConversationFilter{NamePrefix: "AN"}, "12"},
			{"whole name", models.ConversationFilter{NamePrefix: "anna"}, "1"},
			{"name prefix, none", models.ConversationFilter{NamePrefix: "annab"}, ""},
			{"unread", models.ConversationFilter{UnreadOnly: true}, "1"},
			{"together", models.ConversationFilter{Statuses: []models.ConversationStatus{open}, Tag: "vip", UnreadOnly: true,
				FollowerID: "m3", BotID: "bot1", Channel: models.ChannelTelegram, NamePrefix: "a"}, "1"},
		}
		for _, c := range cases {
			var subset []*models.Conversation
			for _, e := range c.want {
				subset = append(subset, byExt[string(e)])
			}
			want := sortedByActivity(t, s, w, subset)
			c.f.Page.Limit = 50
			got, _, err := s.Conversations(ctx, w, c.f)
			ok(t, err, c.name)
			if ids(got, convID) != want {
				t.Errorf("%s: list %s, want %s", c.name, ids(got, convID), want)
			}
			tallies, err := s.ConversationTallies(ctx, w, c.f)
			ok(t, err, c.name+" tallies")
			var gotT, wantT []string
			for _, tl := range tallies { // a tally may stand for several chats (N)
				for range tl.Chats() {
					gotT = append(gotT, tallyOf(tl.Status, tl.AssigneeID, tl.Unread, tl.Followers))
				}
			}
			for _, cv := range got {
				wantT = append(wantT, tallyOf(cv.Status, cv.AssigneeID, cv.Unread, cv.Followers))
			}
			slices.Sort(gotT)
			slices.Sort(wantT)
			if strings.Join(gotT, " ") != strings.Join(wantT, " ") {
				t.Errorf("%s: tallies %v, want %v", c.name, gotT, wantT)
			}
		}
		one, err := s.ConversationTallies(ctx, w, models.ConversationFilter{UnreadOnly: true})
		ok(t, err, "tally")
		if len(one) != 1 || one[0].Chats() != 1 || tallyOf(one[0].Status, one[0].AssigneeID, one[0].Unread, one[0].Followers) != "open/m1/true/[m3]" {
			t.Fatalf("tally of the unread chat %+v, want open, m1, unread, followed by m3", one)
		}
	})
}
