package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/switchboardhq/switchboard/models"
)

// MaxPushRecords bounds the records of one push.
const MaxPushRecords = 1000

// PushResult reports how many changes a push made on the server; records
// an earlier try already applied, and columns already equal, count 0.
// RejectedIDs names, per table, the records the server refused by its
// rules (WatermelonDB's experimentalRejectedIds: the app keeps them
// unsynced and may show them as failed); the rest of the push was applied.
type PushResult struct {
	Applied     int                 `json:"applied"`
	RejectedIDs map[string][]string `json:"experimentalRejectedIds,omitempty"`
}

// pushTable is one table of a push, as WatermelonDB sends it.
type pushTable struct {
	Created []map[string]any `json:"created"`
	Updated []map[string]any `json:"updated"`
	Deleted []string         `json:"deleted"`
}

// step is one checked change, ready to apply.
type step func(ctx context.Context) error

// pushCheck collects a push's checked steps and its problems.
type pushCheck struct {
	s         *Service
	p         models.Principal
	me        *models.Member
	last      int64
	steps     []step
	invalid   []models.FieldError
	conflicts []models.FieldError
	// rejected are the ids, per table, of records refused by the rules.
	rejected map[string][]string
	// created are the records ("<table> <id>") the push creates.
	created []string
	// pushed are the records this member's earlier pushes created, read
	// when first needed.
	pushed map[string]bool
}

// ownCreation reports whether the only change of record id of table (with
// stamp st) after the last pull is its creation by this member's push
// from a device synced up to then: a device that pushed a record and
// changes it again before its pull has caught up is not in conflict with
// itself.
func (c *pushCheck) ownCreation(ctx context.Context, table, id string, st models.Stamp) (bool, error) {
	if st.Seq != st.CSeq || st.Seq <= c.last {
		return false, nil
	}
	if c.pushed == nil {
		p, err := c.s.st.Pushed(ctx, c.p.WS, c.me.ID, c.last)
		if err != nil {
			return false, err
		}
		c.pushed = p
	}
	return c.pushed[table+" "+id], nil
}

// record checks one record of table, whose id is id, with check: a
// record the rules refuse (a bad column, the reply window, a role that
// may not make the change, a chat gone) is rejected alone, its steps
// dropped, rather than failing the push, since the app would push it
// again forever. A record without a usable id fails the push (400), and a
// record changed on the server since the last pull fails it (409).
func (c *pushCheck) record(table string, id any, check func() error) error {
	inv, steps, created := len(c.invalid), len(c.steps), len(c.created)
	err := check()
	forbidden := models.ErrorCode(err) == models.CodeForbidden
	if err != nil && !forbidden {
		return err
	}
	sid, _ := id.(string)
	if (!forbidden && len(c.invalid) == inv) || !models.ValidID(sid) {
		return nil
	}
	c.invalid, c.steps, c.created = c.invalid[:inv], c.steps[:steps], c.created[:created]
	if c.rejected == nil {
		c.rejected = map[string][]string{}
	}
	c.rejected[table] = append(c.rejected[table], sid)
	return nil
}

func (c *pushCheck) bad(path, msg string) {
	c.invalid = append(c.invalid, models.FieldError{Field: path, Message: msg})
}

// conflict records that the record at path changed after the last pull.
func (c *pushCheck) conflict(path string, seq int64) bool {
	if seq <= c.last {
		return false
	}
	c.conflicts = append(c.conflicts, models.FieldError{Field: path,
		Message: "changed on the server after last_pulled_at (at " + strconv.FormatInt(seq, 10) + "); pull, then push again"})
	return true
}

// fieldErr turns an inbox rule's refusal into a problem at path; other
// errors (forbidden, internal) are returned as they are.
func (c *pushCheck) fieldErr(path string, err error) error {
	var ae *models.Error
	if e, ok := err.(*models.Error); ok {
		ae = e
	}
	switch {
	case ae != nil && ae.Code == models.CodeInvalid:
		if len(ae.Fields) == 0 {
			c.bad(path, ae.Message)
		}
		for _, f := range ae.Fields {
			c.bad(path+"."+f.Field, f.Message)
		}
		return nil
	case ae != nil && ae.Code == models.CodeNotFound:
		c.bad(path, "is not a record you can see")
		return nil
	case ae != nil && ae.Code == models.CodeConflict:
		// A rule of the current state (the reply window closed): pulling
		// again would not change it.
		c.bad(path, ae.Message)
		return nil
	}
	return err
}

// Push applies what member me changed offline. Every record is checked
// first, by the inbox's rules and roles, against the server's current
// state: any bad record fails the whole push with 400 naming it, and a
// record changed on the server after lastPulledAt fails it with 409 naming
// every such record; either way nothing is applied. Records are applied
// by the ids the app gave them, so a push repeated after a lost answer
// changes nothing twice.
func (s *Service) Push(ctx context.Context, p models.Principal, me *models.Member, lastPulledAt int64, body []byte) (*PushResult, error) {
	if err := requireMember(p, me); err != nil {
		return nil, err
	}
	if lastPulledAt <= 0 || lastPulledAt > maxTimestamp {
		return nil, models.Invalid("bad last_pulled_at", models.FieldError{Field: "last_pulled_at", Message: "is required: the timestamp of the last pull"})
	}
	ts := lastPulledAt
	lastPulledAt, cont := decodeTimestamp(ts)
	if cont != 0 {
		// Pushed between the pages of a first sync: the records date from its start.
		cur, err := s.st.SyncCursor(ctx, cursorID(p.WS, me.ID, ts))
		if models.IsNotFound(err) || (err == nil && (cur.WS != p.WS || cur.MemberID != me.ID)) {
			return nil, models.Errorf(models.CodeConflict, "the first sync this timestamp belongs to has expired; pull, then push again")
		}
		if err != nil {
			return nil, err
		}
		lastPulledAt = cur.Base
	}
	top, err := s.st.ReservedSeq(ctx, p.WS)
	if err != nil {
		return nil, err
	}
	if lastPulledAt > max(top, 1) {
		return nil, models.Invalid("last_pulled_at is in the future", models.FieldError{Field: "last_pulled_at", Message: "is ahead of this workspace's newest change"})
	}
	tables, err := parsePush(body)
	if err != nil {
		return nil, err
	}
	c := &pushCheck{s: s, p: p, me: me, last: lastPulledAt}
	for _, name := range models.SyncTables {
		t, ok := tables[name]
		if !ok {
			continue
		}
		if err := c.table(ctx, name, t); err != nil {
			return nil, err
		}
	}
	if len(c.invalid) > 0 {
		return nil, models.Invalid("the push has bad records; nothing was applied", c.invalid...)
	}
	if len(c.conflicts) > 0 {
		e := models.Errorf(models.CodeConflict, "records changed on the server after last_pulled_at; nothing was applied: pull, then push again")
		e.Fields = c.conflicts
		return nil, e
	}
	for i, st := range c.steps {
		if err := st(ctx); err != nil {
			switch models.ErrorCode(err) {
			case models.CodeNotFound, models.CodeInvalid, models.CodeConflict, models.CodeForbidden:
				// A record changed between the checks and this write.
				return nil, models.Errorf(models.CodeConflict, "a record changed on the server while the push was applied "+
					"(%d of %d changes applied); pull, then push again: the applied ones are skipped", i, len(c.steps))
			}
			return nil, err
		}
	}
	// The device holds what it created: its next pulls send those records
	// as updated, not created again (see delta).
	if err := s.st.SavePushed(ctx, p.WS, me.ID, lastPulledAt, c.created); err != nil {
		return nil, err
	}
	return &PushResult{Applied: len(c.steps), RejectedIDs: c.rejected}, nil
}

// parsePush reads {"changes": {...}} or, as WatermelonDB's example sends
// it, the changes object itself.
func parsePush(body []byte) (map[string]*pushTable, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, models.Invalid("bad push", models.FieldError{Field: "changes", Message: "must be a JSON object of tables"})
	}
	if raw, ok := top["changes"]; ok {
		if len(top) > 1 {
			return nil, models.Invalid("bad push", models.FieldError{Field: "changes", Message: "must be the body's only member"})
		}
		top = nil
		if err := json.Unmarshal(raw, &top); err != nil || top == nil {
			return nil, models.Invalid("bad push", models.FieldError{Field: "changes", Message: "must be a JSON object of tables"})
		}
	}
	known := map[string]bool{}
	for _, t := range models.SyncTables {
		known[t] = true
	}
	out := map[string]*pushTable{}
	var fields []models.FieldError
	n := 0
	for name, raw := range top {
		path := "changes." + name
		if !known[name] {
			fields = append(fields, models.FieldError{Field: path, Message: "is not a synced table"})
			continue
		}
		var t pushTable
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(&t); err != nil {
			fields = append(fields, models.FieldError{Field: path, Message: "must be {created: [records], updated: [records], deleted: [ids]}"})
			continue
		}
		n += len(t.Created) + len(t.Updated) + len(t.Deleted)
		out[name] = &t
	}
	if n > MaxPushRecords {
		fields = append(fields, models.FieldError{Field: "changes", Message: fmt.Sprintf("holds %d records; at most %d per push", n, MaxPushRecords)})
	}
	if len(fields) > 0 {
		return nil, models.Invalid("bad push; nothing was applied", fields...)
	}
	return out, nil
}

// table checks one table's changes.
func (c *pushCheck) table(ctx context.Context, name string, t *pushTable) error {
	path := "changes." + name
	only := func(allowed string) {
		if allowed != "created" && len(t.Created) > 0 {
			c.bad(path+".created", "the apps may not create "+name)
		}
		if allowed != "updated" && len(t.Updated) > 0 {
			c.bad(path+".updated", "the apps may not update "+name)
		}
		if allowed != "deleted" && len(t.Deleted) > 0 {
			c.bad(path+".deleted", "the apps may not delete "+name)
		}
	}
	each := func(kind string, recs []map[string]any, check func(ctx context.Context, path string, r map[string]any) error) error {
		for i, r := range recs {
			p := fmt.Sprintf("%s.%s[%d]", path, kind, i)
			if err := c.record(name, r["id"], func() error { return check(ctx, p, r) }); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	switch name {
	case models.TableMessages:
		only("created")
		err = each("created", t.Created, c.message)
	case models.TableNotes:
		if err = each("created", t.Created, c.noteCreated); err == nil {
			err = each("updated", t.Updated, c.noteUpdated)
		}
		for i, id := range t.Deleted {
			if err != nil {
				break
			}
			p := fmt.Sprintf("%s.deleted[%d]", path, i)
			err = c.record(name, id, func() error { return c.noteDeleted(ctx, p, id) })
		}
	case models.TableConversations:
		only("updated")
		err = each("updated", t.Updated, c.conversation)
	case models.TableSubscribers:
		only("updated")
		err = each("updated", t.Updated, c.subscriber)
	default:
		only("")
	}
	return err
}

// agent refuses the push for a role that may not make this change.
func (c *pushCheck) agent(what string) error {
	if !c.me.Role.CanHandleChats() {
		return models.Errorf(models.CodeForbidden, "your role may not %s", what)
	}
	return nil
}

// existing checks a created record's id against records already stored:
// another workspace's record or a different record of this one is a
// conflict; the same record (an earlier try of this push) is done.
func (c *pushCheck) existing(ctx context.Context, path, table, id string, same func(rec any) bool) (done bool, err error) {
	ws, err := c.s.st.RecordOwner(ctx, table, id)
	if models.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if ws == c.p.WS {
		recs, err := c.s.st.Records(ctx, ws, table, "_id", []string{id})
		if err != nil {
			return false, err
		}
		if len(recs) == 0 || same(recs[0]) { // deleted since, or already applied
			return true, nil
		}
	}
	c.bad(path+".id", "is taken by another record")
	return true, nil
}
