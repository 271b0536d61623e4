package sqlite

import (
	"strings"
	"testing"
)

// TestQueriesUseTheirIndexes runs EXPLAIN QUERY PLAN on the queries the
// store interfaces make most often and checks each is answered through
// the index meant for it: no full table scan, and no sort where the index
// gives the order. The query shapes are the ones the store will use.
func TestQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	cases := []struct {
		name, index, query string
		sortOK             bool // the result set is small and sorted after
	}{
		{"chat list, All tab, a later page", "conversations_all",
			`SELECT id FROM conversations WHERE ws = ? AND deleted = 0 AND (activity, id) < (?, ?)
			 ORDER BY activity DESC, id DESC LIMIT 50`, false},
		{"chat list by status", "conversations_status",
			`SELECT id FROM conversations WHERE ws = ? AND deleted = 0 AND status = ?
			 ORDER BY activity DESC, id DESC LIMIT 50`, false},
		{"mine and unassigned", "conversations_assignee",
			`SELECT id FROM conversations WHERE ws = ? AND deleted = 0 AND assignee_id = ? AND status = ?
			 ORDER BY activity DESC, id DESC LIMIT 50`, false},
		{"chat list by bot", "conversations_bot",
			`SELECT id FROM conversations WHERE ws = ? AND deleted = 0 AND bot_id = ?
			 ORDER BY activity DESC, id DESC LIMIT 50`, false},
		{"unread chats", "conversations_unread",
			`SELECT id FROM conversations WHERE ws = ? AND deleted = 0 AND unread = 1
			 ORDER BY activity DESC, id DESC LIMIT 50`, false},
		{"chats a member follows", "conversation_followers_member",
			`SELECT c.id FROM conversation_followers f JOIN conversations c ON c.id = f.conversation_id
			 WHERE f.ws = ? AND f.member_id = ? AND f.following = 1 AND c.deleted = 0
			 ORDER BY c.activity DESC, c.id DESC LIMIT 50`, true},
		{"counts", "conversations_tally",
			`SELECT status, assignee_id, unread, count(*) FROM conversations WHERE ws = ? AND deleted = 0
			 GROUP BY status, assignee_id, unread`, false},
		{"history page", "messages_history",
			`SELECT id FROM messages WHERE ws = ? AND conversation_id = ? AND deleted = 0 AND pos < ?
			 ORDER BY pos DESC LIMIT 50`, false},
		// As messages.go runs it: from the matches (CROSS JOIN), not a
		// probe of the index per message of the chat (see historySQL).
		{"search in one chat", "SCAN messages_fts VIRTUAL TABLE INDEX 0:M1 | SEARCH m USING INTEGER PRIMARY KEY",
			`SELECT m.id FROM messages_fts CROSS JOIN messages m ON m.n = messages_fts.rowid
			 WHERE messages_fts MATCH ? AND m.ws = ? AND m.conversation_id = ? AND m.deleted = 0
			 ORDER BY m.pos DESC LIMIT 50`, true},
		{"message by channel id", "messages_external",
			`SELECT id FROM messages WHERE ws = ? AND bot_id = ? AND external_id = ? AND external_id <> ''`, false},
		{"subscriber name prefix", "subscribers_ws_name",
			`SELECT id FROM subscribers WHERE ws = ? AND deleted = 0 AND name_key >= ? AND name_key < ?
			 ORDER BY name_key, id LIMIT 50`, false},
		// A workspace-wide search starts from the full-text matches (CROSS
		// JOIN fixes the order), not from every subscriber of the workspace.
		{"subscriber name search", "SCAN subscribers_fts VIRTUAL TABLE INDEX 0:M1 | SEARCH s USING INTEGER PRIMARY KEY",
			`SELECT s.id FROM subscribers_fts CROSS JOIN subscribers s ON s.n = subscribers_fts.rowid
			 WHERE subscribers_fts MATCH ? AND s.ws = ? AND s.deleted = 0`, false},
		{"change log range", "PRIMARY KEY",
			`SELECT seq, tbl, id, record FROM change_log WHERE ws = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT 500`, false},
		{"first sync page", "messages_ws_id",
			`SELECT id FROM messages WHERE ws = ? AND id > ? ORDER BY id LIMIT 500`, false},
		{"due jobs", "jobs_due",
			`SELECT id FROM jobs WHERE kind = ? AND due_at <= ? ORDER BY due_at LIMIT 100`, false},
		{"bot command feed", "commands_feed",
			`SELECT id FROM commands WHERE ws = ? AND bot_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT 100`, false},
		{"members by role", "members_ws_role_status",
			`SELECT count(*) FROM members WHERE ws = ? AND deleted = 0 AND role = ? AND status = ?`, false},
		{"notes of a subscriber", "notes_subscriber",
			`SELECT id FROM notes WHERE ws = ? AND subscriber_id = ? AND deleted = 0 ORDER BY created_at`, false},
		{"dirty statistics", "bot_stats_dirty",
			`SELECT id FROM bot_stats WHERE ws = ? AND dirty = 1`, false},
		// The record stores' queries, as members.go, notes.go, ... make them.
		// Where sortOK, the index finds the rows and SQLite sorts what it
		// found (the ties only, "LAST TERM OF ORDER BY", where the index
		// has the first term): a subscriber's notes, a pipeline's deals,
		// a bot's flows, at most 1,000 by the interfaces' bound.
		{"login: members by email", "members_email",
			`SELECT id FROM members WHERE email = ? AND deleted = 0 ORDER BY created_at, id LIMIT 100`, false},
		{"members page", "members_ws_id",
			`SELECT id FROM members WHERE ws = ? AND deleted = 0 AND id > ? ORDER BY id LIMIT 51`, false},
		{"member by invite", "members_invite",
			`SELECT id FROM members WHERE invite_hash = ? AND status = ? AND deleted = 0`, false},
		{"a subscriber's notes, newest first", "notes_subscriber",
			`SELECT id FROM notes WHERE ws = ? AND deleted = 0 AND subscriber_id = ? ORDER BY created_at DESC, id DESC LIMIT 1000`, true},
		{"deals of a pipeline", "deals_pipeline",
			`SELECT id FROM deals WHERE ws = ? AND deleted = 0 AND pipeline_id = ? ORDER BY created_at DESC, id DESC LIMIT 1000`, true},
		{"deals of a chat", "deals_conversation",
			`SELECT id FROM deals WHERE ws = ? AND deleted = 0 AND conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1000`, true},
		{"a bot's flows", "flows_bot",
			`SELECT id FROM flows WHERE ws = ? AND deleted = 0 AND bot_id = ? ORDER BY name, id LIMIT 1000`, true},
		{"API keys, newest first", "api_keys_ws_created",
			`SELECT id FROM api_keys WHERE ws = ? ORDER BY created_at DESC, id DESC LIMIT 1000`, true},
		{"revoke a member's sessions", "sessions_member",
			`UPDATE sessions SET revoked = 1 WHERE ws = ? AND member_id = ? AND id <> ?`, false},
	}
	for _, c := range cases {
		plan := planOf(t, s, c.query)
		text := strings.Join(plan, " | ")
		bad := !strings.Contains(text, c.index)
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "INDEX") && !strings.Contains(line, "VIRTUAL TABLE") {
				bad = true
			}
			if strings.Contains(line, "TEMP B-TREE") && !c.sortOK {
				bad = true
			}
		}
		if bad {
			t.Errorf("%s: want %s without a table scan or sort, plan: %s", c.name, c.index, text)
		}
	}
}
