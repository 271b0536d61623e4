package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// MaxPushRecords bounds the records of one push.
const MaxPushRecords = 1000

// PushResult reports how many changes a push made on the server; records
// an earlier try already applied, and columns already equal, count 0.
type PushResult struct {
	Applied int `json:"applied"`
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
		c.conflicts = append(c.conflicts, models.FieldError{Field: path, Message: ae.Message})
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
	if lastPulledAt >= cursorBase {
		// Pushed between the pages of a first sync: the records date from its start.
		cur, err := s.st.SyncCursor(ctx, strconv.FormatInt(lastPulledAt-cursorBase, 10))
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
	return &PushResult{Applied: len(c.steps)}, nil
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
	switch name {
	case models.TableMessages:
		only("created")
		for i, r := range t.Created {
			if err := c.message(ctx, fmt.Sprintf("%s.created[%d]", path, i), r); err != nil {
				return err
			}
		}
	case models.TableNotes:
		for i, r := range t.Created {
			if err := c.noteCreated(ctx, fmt.Sprintf("%s.created[%d]", path, i), r); err != nil {
				return err
			}
		}
		for i, r := range t.Updated {
			if err := c.noteUpdated(ctx, fmt.Sprintf("%s.updated[%d]", path, i), r); err != nil {
				return err
			}
		}
		for i, id := range t.Deleted {
			if err := c.noteDeleted(ctx, fmt.Sprintf("%s.deleted[%d]", path, i), id); err != nil {
				return err
			}
		}
	case models.TableConversations:
		only("updated")
		for i, r := range t.Updated {
			if err := c.conversation(ctx, fmt.Sprintf("%s.updated[%d]", path, i), r); err != nil {
				return err
			}
		}
	case models.TableSubscribers:
		only("updated")
		for i, r := range t.Updated {
			if err := c.subscriber(ctx, fmt.Sprintf("%s.updated[%d]", path, i), r); err != nil {
				return err
			}
		}
	default:
		only("")
	}
	return nil
}

// str reads a string column: ok is false when present but not a string.
func str(r map[string]any, key string) (v string, present, ok bool) {
	x, present := r[key]
	if !present || x == nil {
		return "", false, true
	}
	v, ok = x.(string)
	return v, true, ok
}

// id reads a record's id, reporting a bad one.
func (c *pushCheck) id(path string, r map[string]any) (string, bool) {
	id, _, ok := str(r, "id")
	if !ok || !models.ValidID(id) {
		c.bad(path+".id", "must be 1 to 64 letters, digits, '-' or '_'")
		return "", false
	}
	return id, true
}

// required reads a non-empty string column.
func (c *pushCheck) required(path string, r map[string]any, key string) (string, bool) {
	v, present, ok := str(r, key)
	if !present || !ok || v == "" {
		c.bad(path+"."+key, "is required")
		return "", false
	}
	return v, true
}

func (c *pushCheck) text(path string, r map[string]any, max int) (string, bool) {
	v, _, ok := str(r, "text")
	if n := utf8.RuneCountInString(v); !ok || n < 1 || n > max {
		c.bad(path+".text", "must be 1 to "+strconv.Itoa(max)+" characters")
		return "", false
	}
	return v, true
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
	c.conflicts = append(c.conflicts, models.FieldError{Field: path + ".id", Message: "is taken by another record; give the record a new id"})
	return true, nil
}

func (c *pushCheck) message(ctx context.Context, path string, r map[string]any) error {
	if err := c.agent("reply to chats"); err != nil {
		return err
	}
	id, okID := c.id(path, r)
	convID, okConv := c.required(path, r, "conversation_id")
	text, okText := c.text(path, r, inbox.MaxTextLen)
	replyTo, _, okReply := str(r, "reply_to")
	if !okReply {
		c.bad(path+".reply_to", "must be a message id")
	}
	if !okID || !okConv || !okText || !okReply {
		return nil
	}
	done, err := c.existing(ctx, path, models.TableMessages, id, func(rec any) bool {
		m := rec.(*models.Message)
		return m.AuthorID == c.me.ID && m.ConversationID == convID
	})
	if err != nil || done {
		return err
	}
	conv, err := c.s.inbox.Conversation(ctx, c.p, convID)
	if err == nil {
		// A chat whose subscriber was deleted takes no more messages.
		_, err = c.s.inbox.Subscriber(ctx, c.p, conv.SubscriberID)
	}
	if err != nil {
		return c.fieldErr(path+".conversation_id", err)
	}
	if err := inbox.CheckWindow(conv.Channel, conv.LastInboundAt, c.s.now(), "", ""); err != nil {
		return c.fieldErr(path, err)
	}
	if replyTo != "" {
		recs, err := c.s.st.Records(ctx, c.p.WS, models.TableMessages, "_id", []string{replyTo})
		if err != nil {
			return err
		}
		if len(recs) == 0 || recs[0].(*models.Message).ConversationID != convID {
			c.bad(path+".reply_to", "is not a message of this chat")
			return nil
		}
	}
	c.steps = append(c.steps, func(ctx context.Context) error {
		_, _, err := c.s.inbox.Send(ctx, c.p, convID, inbox.SendInput{ID: id, Text: text, ReplyTo: replyTo})
		return err
	})
	return nil
}

func (c *pushCheck) noteCreated(ctx context.Context, path string, r map[string]any) error {
	if err := c.agent("write notes"); err != nil {
		return err
	}
	id, okID := c.id(path, r)
	subID, okSub := c.required(path, r, "subscriber_id")
	text, okText := c.text(path, r, inbox.MaxNoteLen)
	if !okID || !okSub || !okText {
		return nil
	}
	done, err := c.existing(ctx, path, models.TableNotes, id, func(rec any) bool {
		n := rec.(*models.Note)
		return n.AuthorID == c.me.ID && n.SubscriberID == subID
	})
	if err != nil || done {
		return err
	}
	if _, err := c.s.inbox.Subscriber(ctx, c.p, subID); err != nil {
		return c.fieldErr(path+".subscriber_id", err)
	}
	c.steps = append(c.steps, func(ctx context.Context) error {
		_, err := c.s.inbox.AddNoteWithID(ctx, c.p, id, subID, text)
		return err
	})
	return nil
}

func (c *pushCheck) noteUpdated(ctx context.Context, path string, r map[string]any) error {
	if err := c.agent("change notes"); err != nil {
		return err
	}
	id, okID := c.id(path, r)
	text, okText := c.text(path, r, inbox.MaxNoteLen)
	if !okID || !okText {
		return nil
	}
	n, err := c.s.inbox.EditableNote(ctx, c.p, id)
	if err != nil {
		return c.fieldErr(path+".id", err)
	}
	if n.Text == text || c.conflict(path, n.Seq) {
		return nil
	}
	c.steps = append(c.steps, func(ctx context.Context) error {
		_, err := c.s.inbox.EditNote(ctx, c.p, id, text)
		return err
	})
	return nil
}

func (c *pushCheck) noteDeleted(ctx context.Context, path, id string) error {
	if err := c.agent("delete notes"); err != nil {
		return err
	}
	if !models.ValidID(id) {
		c.bad(path, "must be 1 to 64 letters, digits, '-' or '_'")
		return nil
	}
	n, err := c.s.inbox.EditableNote(ctx, c.p, id)
	if models.IsNotFound(err) {
		return nil // already gone: deleting is idempotent
	}
	if err != nil {
		return err
	}
	if c.conflict(path, n.Seq) {
		return nil
	}
	c.steps = append(c.steps, func(ctx context.Context) error {
		err := c.s.inbox.DeleteNote(ctx, c.p, id)
		if models.IsNotFound(err) {
			return nil
		}
		return err
	})
	return nil
}

// list reads a list column, sent as JSON text (a WatermelonDB string
// column) or as an array.
func list(v any) ([]string, bool) {
	if s, ok := v.(string); ok {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, false
		}
		return out, true
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// object reads an object of strings, sent as JSON text or as an object.
func object(v any) (map[string]string, bool) {
	if s, ok := v.(string); ok {
		var out map[string]string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, false
		}
		return out, true
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(obj))
	for k, x := range obj {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

// tags reads and checks a tags column (at most 50 tags of 1..50 characters).
func (c *pushCheck) tags(path string, v any) ([]string, bool) {
	tags, ok := list(v)
	if ok && len(tags) <= 50 {
		for _, t := range tags {
			if n := utf8.RuneCountInString(t); n < 1 || n > 50 {
				ok = false
			}
		}
	}
	if !ok || len(tags) > 50 {
		c.bad(path+".tags", "must be a list (or its JSON text) of at most 50 tags of 1 to 50 characters")
		return nil, false
	}
	return tags, true
}

func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// boolean reads a boolean column; ok is false when absent or bad (reported).
func (c *pushCheck) boolean(path string, r map[string]any, key string) (v, ok bool) {
	x, present := r[key]
	if !present {
		return false, false
	}
	if v, ok = x.(bool); !ok {
		c.bad(path+"."+key, "must be a boolean")
	}
	return v, ok
}

// conversation applies a chat's read mark, the caller's mute and tags;
// other columns are the server's and are ignored.
func (c *pushCheck) conversation(ctx context.Context, path string, r map[string]any) error {
	id, ok := c.id(path, r)
	if !ok {
		return nil
	}
	conv, err := c.s.inbox.Conversation(ctx, c.p, id)
	if err != nil {
		return c.fieldErr(path+".id", err)
	}
	var steps []step
	if unread, ok := c.boolean(path, r, "unread"); ok && !unread && conv.Unread {
		steps = append(steps, func(ctx context.Context) error { _, err := c.s.inbox.MarkRead(ctx, c.p, id); return err })
	}
	if muted, ok := c.boolean(path, r, "muted"); ok && muted != contains(conv.MutedBy, c.me.ID) {
		steps = append(steps, func(ctx context.Context) error { _, err := c.s.inbox.SetMuted(ctx, c.p, id, muted); return err })
	}
	if v, present := r["tags"]; present {
		if tags, ok := c.tags(path, v); ok && !sameList(tags, conv.Tags) {
			if err := c.agent("tag chats"); err != nil {
				return err
			}
			steps = append(steps, func(ctx context.Context) error { _, err := c.s.inbox.SetTags(ctx, c.p, id, tags); return err })
		}
	}
	if len(steps) > 0 && !c.conflict(path, conv.Seq) {
		c.steps = append(c.steps, steps...)
	}
	return nil
}

// subscriber applies a subscriber's tags and variables.
func (c *pushCheck) subscriber(ctx context.Context, path string, r map[string]any) error {
	id, ok := c.id(path, r)
	if !ok {
		return nil
	}
	sub, err := c.s.inbox.Subscriber(ctx, c.p, id)
	if err != nil {
		return c.fieldErr(path+".id", err)
	}
	var edit inbox.SubscriberEdit
	changed := false
	if v, present := r["tags"]; present {
		if tags, ok := c.tags(path, v); ok && !sameList(tags, sub.Tags) {
			edit.Tags, changed = &tags, true
		}
	}
	if v, present := r["variables"]; present {
		vars, ok := object(v)
		if ok && len(vars) > 100 {
			ok = false
		}
		for k, x := range vars {
			if n := utf8.RuneCountInString(k); n < 1 || n > 64 || bytes.ContainsAny([]byte(k), ".$") || utf8.RuneCountInString(x) > 2000 {
				ok = false
			}
		}
		switch {
		case !ok:
			c.bad(path+".variables", "must be an object (or its JSON text) of at most 100 names of 1 to 64 characters without '.' or '$', with values of at most 2000 characters")
		default:
			// Variables merge, as in PATCH /v1/subscribers/{id}: the keys
			// whose values differ are set, others are kept.
			diff := map[string]string{}
			for k, x := range vars {
				if w, ok := sub.Variables[k]; !ok || w != x {
					diff[k] = x
				}
			}
			if len(diff) > 0 {
				edit.Variables, changed = diff, true
			}
		}
	}
	if !changed {
		return nil
	}
	if err := c.agent("edit subscribers"); err != nil {
		return err
	}
	if !c.conflict(path, sub.Seq) {
		c.steps = append(c.steps, func(ctx context.Context) error { _, err := c.s.inbox.EditSubscriber(ctx, c.p, id, edit); return err })
	}
	return nil
}
