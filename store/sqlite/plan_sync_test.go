package sqlite

import (
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestSyncQueriesUseTheirIndexes checks the plans of the very query
// texts the sync store runs: the change log is read and purged by its
// primary key (ws, seq), never scanned; the purge's cutoff and a
// record's creation come from their own indexes; records are looked up
// by id and paged through (ws, id); a chat's recent history is read from
// messages_history in its order.
func TestSyncQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	type check = planCase
	checks := []check{
		{"change-log page", changeLogSQL, []string{"SEARCH change_log USING PRIMARY KEY (ws=? AND seq>? AND seq<?)"}, false},
		{"purge cutoff", purgeSQL, []string{"change_log_at"}, false},
		{"purge the log", purgeLogSQL, []string{"SEARCH change_log USING PRIMARY KEY (ws=? AND seq>? AND seq<?)"}, false},
		{"creation sequences", cseqSQL, []string{"change_log_created"}, true},
		{"pushes of a member", pushedSQL, []string{"sync_pushed_member (ws=? AND member_id=? AND base<?)"}, false},
		{"a chat's recent messages", recentSQL + ` LIMIT ?`, []string{"messages_history (ws=? AND conversation_id=?)"}, false},
		{"every chat's recent messages", recentAllSQL, []string{"messages_history (ws=?)"}, true},
	}
	for _, table := range models.SyncTables {
		checks = append(checks, check{"purge tombstones of " + table, purgeTableSQL(table),
			[]string{"SEARCH change_log USING PRIMARY KEY (ws=? AND seq>? AND seq<?)", "SEARCH " + table + " USING INDEX"}, false})
		st := syncTables[table]
		if st.scan == nil {
			continue
		}
		checks = append(checks,
			check{"first-sync page of " + table, recordsSQL(table, st.cols, "", true), []string{table + "_ws_id (ws=? AND id>?)"}, false})
	}
	wantPlans(t, s, checks)
}
