package sync

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// Record is a raw WatermelonDB record: id plus snake_case columns holding
// strings, numbers, booleans or null. Lists and objects are JSON text and
// times are Unix milliseconds, as WatermelonDB stores them.
type Record map[string]any

// TableChanges is one table's part of a pull answer or a push.
type TableChanges struct {
	Created []Record `json:"created"`
	Updated []Record `json:"updated"`
	Deleted []string `json:"deleted"`
}

type stamped interface{ Stamps() models.Stamp }

// createdBy reports whether rec entered the change feed at or before
// sequence seq. A record created after it is left to the delta that holds
// its creation, which sends it under created: a device must not be sent a
// record as created twice. A statistics bucket not yet stamped is not in
// the feed at all.
func createdBy(rec any, seq int64) bool {
	st := rec.(stamped).Stamps()
	return st.Seq > 0 && st.CSeq <= seq
}

// recordID is the id of a synced record.
func recordID(rec any) string {
	switch r := rec.(type) {
	case *models.Bot:
		return r.ID
	case *models.Member:
		return r.ID
	case *models.Pipeline:
		return r.ID
	case *models.BotStatsBucket:
		return r.ID
	case *models.Subscriber:
		return r.ID
	case *models.Conversation:
		return r.ID
	case *models.Note:
		return r.ID
	case *models.Deal:
		return r.ID
	case *models.Message:
		return r.ID
	}
	panic("sync: not a synced record")
}

// memberColumns are the public profile: everything else of a member stays
// on the server.
var memberColumns = map[string]bool{"id": true, "name": true, "role": true, "status": true,
	"created_at": true, "updated_at": true, "seq": true}

// render turns a stored record into the raw record member me receives.
func render(table string, rec any, me string) (Record, error) {
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	out := make(Record, len(m)+1)
	for k, v := range m {
		if table == models.TableMembers && !memberColumns[k] {
			continue
		}
		out[k] = column(k, v)
	}
	if c, ok := rec.(*models.Conversation); ok {
		muted := false
		for _, id := range c.MutedBy {
			muted = muted || id == me
		}
		out["muted"] = muted
		out["last_inbound_at"] = millis(c.LastInboundAt)
		// The reply window's end: null on a channel without one, 0 when
		// the subscriber never wrote (closed).
		out["reply_window_ends_at"] = millis(inbox.WindowEnd(c.Channel, c.LastInboundAt))
		// Filled from the subscriber before the answer leaves (pauses.go).
		out["automation_paused_until"] = nil
	}
	return out, nil
}

// millis is t as Unix milliseconds, nil for no time and 0 for the zero time.
func millis(t *time.Time) any {
	switch {
	case t == nil:
		return nil
	case t.IsZero():
		return int64(0)
	}
	return t.UnixMilli()
}

// column flattens one value into a WatermelonDB column.
func column(key string, v any) any {
	switch x := v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case string:
		if strings.HasSuffix(key, "_at") || strings.HasSuffix(key, "_until") {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t.UnixMilli()
			}
		}
		return x
	}
	return v
}
