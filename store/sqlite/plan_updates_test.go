package sqlite

import "testing"

// TestJobAndUpdateQueriesUseTheirIndexes checks the plans of the job
// listing and of the inbound updates' listings and purge: each reads its
// index range in order, with no table scan and no sort.
func TestJobAndUpdateQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	wantPlans(t, s, []planCase{
		{"due jobs with their fields", dueJobRowsSQL, []string{"SEARCH jobs USING INDEX jobs_due (kind=? AND due_at<?)"}, false},
		{"a bot's updates", updatesSQL, []string{"SEARCH updates USING INDEX updates_bot_all (ws=? AND bot_id=?)"}, false},
		{"a bot's updates of a state", updatesStateSQL, []string{"SEARCH updates USING INDEX updates_bot (ws=? AND bot_id=? AND state=?)"}, false},
		{"purge done updates", purgeUpdatesSQL, []string{"SEARCH updates USING INDEX updates_done (state=? AND received_at<?)"}, false},
	})
}
