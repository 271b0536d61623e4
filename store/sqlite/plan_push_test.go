package sqlite

import (
	"testing"
)

// TestPushQueriesUseTheirIndexes checks the plans of the very query texts
// the push stores run: the due listing reads the due range of jobs_due in
// its order and each alert by its key, so an idle poll reads nothing and
// a busy one only what is due; every listing or purge by time or state
// goes through its index; no statement scans a table.
func TestPushQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	s := openT(t, t.TempDir())
	cases := []planCase{
		{"due alerts", dueAlertsSQL, []string{"SEARCH j USING COVERING INDEX jobs_due (kind=? AND due_at<?)",
			"SEARCH a USING INDEX sqlite_autoindex_alerts_1 (id=?)"}, false},
		{"due jobs", dueJobsSQL, []string{"USING COVERING INDEX jobs_due (kind=? AND due_at<?)"}, false},
		{"claim a job", claimJobSQL, []string{"SEARCH jobs USING PRIMARY KEY (kind=? AND id=?)"}, false},
		{"alerts, newest first", alertsSQL(false, false), []string{"SEARCH a USING INDEX alerts_ws_created (ws=?)"}, false},
		{"alerts of a chat", alertsSQL(true, false), []string{"SEARCH a USING INDEX alerts_conversation (ws=? AND conversation_id=?)"}, false},
		{"alerts to a member", alertsSQL(false, true), []string{"SEARCH a USING INDEX alerts_ws_created (ws=?)"}, false},
		{"alert by Telegram message", alertByRefSQL, []string{"SEARCH r USING PRIMARY KEY (ws=? AND ref=?)",
			"SEARCH a USING INDEX sqlite_autoindex_alerts_1 (id=?)"}, false},
		{"purge alerts", purgeAlertsSQL, []string{"SEARCH alerts USING INDEX alerts_created (created_at<?)"}, false},
		{"pending alerts without a job", lostAlertsSQL, []string{"SCAN a USING INDEX alerts_pending", "SEARCH j USING PRIMARY KEY (kind=? AND id=?)"}, false},
		{"jobs of finished alerts", dropStaleJobsSQL, []string{"SEARCH jobs USING COVERING INDEX jobs_due (kind=?)",
			"SEARCH a USING INDEX sqlite_autoindex_alerts_1 (id=?)"}, false},
		{"purge leases", purgeStateSQL[0], []string{"SEARCH leases USING COVERING INDEX leases_until (until<?)"}, false},
		{"purge email slots", purgeStateSQL[1], []string{"SEARCH email_slots USING COVERING INDEX email_slots_until (until<?)"}, false},
		{"purge link codes", purgeStateSQL[2], []string{"SEARCH link_codes USING COVERING INDEX link_codes_expires (expires_at<?)"}, false},
		{"device by Telegram chat", deviceByChatSQL, []string{"SEARCH push_devices USING INDEX push_devices_telegram (telegram_chat_id=?)"}, true},
		{"devices of a workspace", devicesSQL(0, false), []string{"SEARCH push_devices USING INDEX push_devices_ws (ws=?)"}, false},
		{"devices of members", devicesSQL(3, true), []string{"SEARCH push_devices USING INDEX push_devices_member (ws=? AND member_id=?)"}, true},
	}
	wantPlans(t, s, cases)
}
