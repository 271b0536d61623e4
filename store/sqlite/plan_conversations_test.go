package sqlite

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestConversationQueriesUseTheirIndexes checks the plans of the very
// query texts conversations_list.go runs for the chat list by tab, group,
// bot and unread flag, on a first page and a later one, and for the
// counts: each is read from its index in activity order (or, for the
// counts, from the covering tally index), never a table scan, never
// sorted. The recovery pass reads the pending index.
func TestConversationQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	open, closed, me := []models.ConversationStatus{models.StatusOpen}, []models.ConversationStatus{models.StatusClosed}, "m1"
	cases := []struct {
		name, index string
		f           models.ConversationFilter
	}{
		{"all", "conversations_all", models.ConversationFilter{}},
		{"open tab", "conversations_status", models.ConversationFilter{Statuses: open}},
		{"closed tab", "conversations_status", models.ConversationFilter{Statuses: closed}},
		{"open or closed", "conversations_all", models.ConversationFilter{Statuses: append(open, closed...)}},
		{"mine", "conversations_assignee", models.ConversationFilter{Statuses: open, AssigneeID: &me}},
		{"unassigned", "conversations_assignee", models.ConversationFilter{Statuses: open, AssigneeID: new(string)}},
		{"others'", "conversations_status", models.ConversationFilter{Statuses: open, NotAssignee: me}},
		{"a bot's", "conversations_bot", models.ConversationFilter{BotID: "b1"}},
		{"unread", "conversations_unread", models.ConversationFilter{UnreadOnly: true}},
	}
	for _, c := range cases {
		where, _ := convWhere("ws", c.f)
		for _, cursor := range []bool{false, true} {
			usesIndex(t, s, c.name, listSQL(where, cursor), c.index)
		}
		// (The unread chats are grouped with a sort, of the set the red dots bound.)
		if c.f.AssigneeID == nil && c.f.NotAssignee == "" && c.f.BotID == "" && len(c.f.Statuses) < 2 && !c.f.UnreadOnly {
			usesIndex(t, s, c.name+" counts", tallySQL(where, groupTallies(c.f)), "conversations_tally")
		}
	}
	// Grouped counts keep the index a selective filter has (a follower's
	// chats by id, a bot's by its index) rather than read every chat.
	for _, c := range []struct {
		name, index string
		f           models.ConversationFilter
	}{
		{"a follower's counts", "conversations_ws_id", models.ConversationFilter{FollowerID: me}},
		{"a bot's counts", "conversations_bot", models.ConversationFilter{BotID: "b1"}},
		{"mine counts", "conversations_tally", models.ConversationFilter{Statuses: open, AssigneeID: &me}},
	} {
		where, _ := convWhere("ws", c.f)
		usesIndex(t, s, c.name, tallySQL(where, groupTallies(c.f)), c.index)
	}
	usesIndex(t, s, "recovery pass", pendingSQL, "conversations_pending")
	// The counts kept as chats change are read by the workspace's range
	// of their primary key.
	for _, f := range []models.ConversationFilter{{}, {UnreadOnly: true}, {Statuses: open, AssigneeID: &me}, {Statuses: open, NotAssignee: me}} {
		where, _ := keptWhere("ws", f)
		wantPlans(t, s, []planCase{{name: fmt.Sprintf("kept counts %+v", f), query: keptTallySQL(where),
			want: []string{"SEARCH conversation_tallies USING PRIMARY KEY (ws=?"}}})
	}
}

// usesIndex fails t unless query's plan uses index, with no table scan and
// no sort.
func usesIndex(t *testing.T, s *Store, name, query, index string) {
	t.Helper()
	plan := planOf(t, s, query)
	text := strings.Join(plan, " | ")
	bad := !strings.Contains(text, "INDEX "+index+" ")
	for _, line := range plan {
		if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "INDEX") || strings.Contains(line, "TEMP B-TREE") {
			bad = true
		}
	}
	if bad {
		t.Errorf("%s: want %s without a table scan or sort, plan: %s", name, index, text)
	}
}
