package migrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboardhq/switchboard/store/sqlite"
)

// derived tables index others and are not copied: the full-text indexes
// (messages, subscribers), a chat's follower and tag rows (kept in the
// chat's row too, as in its MongoDB document), the chat counts kept as
// chats change (the MongoDB store counts the chats themselves) and an
// alert's Telegram references (kept in the alert's doc too).
//
// Transient tables are not copied either: leases (the holder of a
// periodic task for a time slot) and email_slots (when a member may next
// get an alert email) only pace the server that wrote them.
func derived(name string) bool {
	return strings.HasPrefix(name, "sqlite_") || strings.Contains(name, "_fts") ||
		name == "conversation_followers" || name == "conversation_tags" || name == "conversation_tallies" ||
		name == "leases" || name == "email_slots" || name == "alert_refs"
}

// uncovered returns, for each table of the source that the copy has no
// entry for and that holds rows, "name (rows)": a copy would leave them
// behind, so Copy refuses rather than lose them: a table added to the
// schema before its entry in tables.go, or a source a newer version wrote.
func uncovered(ctx context.Context, q sqlite.Querier) ([]string, error) {
	covered := map[string]bool{}
	for _, t := range tables {
		covered[t.source] = true
	}
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		if !covered[n] && !derived(n) {
			names = append(names, n)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		var c int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+n+`"`).Scan(&c); err != nil {
			return nil, err
		}
		if c > 0 {
			out = append(out, fmt.Sprintf("%s (%d)", n, c))
		}
	}
	return out, nil
}
