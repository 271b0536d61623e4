package sqlite

import (
	"strings"
	"testing"
)

// planOf returns the lines of EXPLAIN QUERY PLAN for query, every
// argument bound to "x".
func planOf(t *testing.T, s *Store, query string) []string {
	t.Helper()
	args := make([]any, strings.Count(query, "?"))
	for i := range args {
		args[i] = "x"
	}
	rows, err := s.Reader().Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", query, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestMessageQueriesUseTheirIndexes checks the plans of the very query
// texts messages.go runs: a history page, before or after a cursor or
// neither, with or without a limit (the short-query scan), is read from
// messages_history in its order, never sorted; a search starts from the
// trigram index and looks each match up by its rowid (the matches of one
// query are sorted, a set the query's rarity bounds), or in a short chat
// walks messages_history and probes the index by rowid per message, after
// counting the chat from messages_history alone; the channel-id
// look-up uses messages_external.
func TestMessageQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	type check = planCase
	var cases []check
	for _, cursor := range []string{"", "<", ">"} {
		for _, limit := range []bool{true, false} {
			cases = append(cases, check{"history " + cursor, historySQL(cursor, false, limit),
				[]string{"SEARCH m USING INDEX messages_history (ws=? AND conversation_id=?"}, false})
		}
		cases = append(cases, check{"search " + cursor, historySQL(cursor, true, true),
			[]string{"SCAN messages_fts VIRTUAL TABLE INDEX 0:M", "SEARCH m USING INTEGER PRIMARY KEY (rowid=?)"}, true},
			// A short chat: along its history, one index probe by rowid per message.
			check{"search walking " + cursor, walkSearchSQL(cursor),
				[]string{"SEARCH m USING INDEX messages_history (ws=? AND conversation_id=?", "SCAN messages_fts VIRTUAL TABLE INDEX 0:=M"}, false},
			check{"chat size " + cursor, chatSizeSQL(cursor),
				[]string{"SEARCH m USING COVERING INDEX messages_history (ws=? AND conversation_id=?"}, false})
	}
	cases = append(cases,
		check{"by channel id", byExternalSQL, []string{"SEARCH m USING INDEX messages_external (ws=? AND bot_id=? AND external_id=?)"}, true},
		check{"by id", `SELECT ` + messages.cols + ` FROM messages WHERE id = ? AND ws = ? AND deleted = 0`,
			[]string{"SEARCH messages USING INDEX sqlite_autoindex_messages_1 (id=?)"}, false})
	wantPlans(t, s, cases)
}
