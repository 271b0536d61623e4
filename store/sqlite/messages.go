package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.MessageStore = (*Store)(nil)

// msgCols is the select list scanMessage reads; every name is qualified,
// since the search joins messages_fts, which has a text column too.
const msgCols = `m.id, m.ws, m.conversation_id, m.subscriber_id, m.bot_id, m.sender, m.kind, m.text, m.external_id,
	m.pos, m.seq, m.deleted, m.created_at, m.updated_at, m.doc`

// messageDoc is the part of a message kept in the doc column: the fields
// no query filters or sorts on, the server's own ones included (Opening,
// RequestHash), which the JSON of models.Message leaves out.
type messageDoc struct {
	AuthorID    string                `json:"author_id,omitempty"`
	Event       string                `json:"event,omitempty"`
	Target      string                `json:"target,omitempty"`
	Opening     bool                  `json:"opening,omitempty"`
	File        *models.Attachment    `json:"file,omitempty"`
	ReplyTo     string                `json:"reply_to,omitempty"`
	Status      models.DeliveryStatus `json:"status,omitempty"`
	Reactions   []string              `json:"reactions"`
	Referral    *models.Referral      `json:"referral,omitempty"`
	Template    string                `json:"template,omitempty"`
	Tag         string                `json:"tag,omitempty"`
	RequestHash string                `json:"request_hash,omitempty"`
	CSeq        int64                 `json:"cseq,omitempty"`
	Error       string                `json:"error,omitempty"`
	EditedAt    *time.Time            `json:"edited_at,omitempty"`
	Location    *models.Location      `json:"location,omitempty"`
	Contact     *models.Contact       `json:"contact,omitempty"`
	// FileRef is File.Ref, which the JSON of an attachment leaves out.
	FileRef string `json:"file_ref,omitempty"`
}

func scanMessage(r scanner) (*models.Message, error) {
	var m models.Message
	var created, updated int64
	var doc string
	if err := r.Scan(&m.ID, &m.WS, &m.ConversationID, &m.SubscriberID, &m.BotID, &m.Sender, &m.Kind, &m.Text,
		&m.ExternalID, &m.Pos, &m.Seq, &m.Deleted, &created, &updated, &doc); err != nil {
		return nil, err
	}
	var d messageDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, fmt.Errorf("message %s: doc: %w", m.ID, err)
	}
	m.AuthorID, m.Event, m.Target, m.Opening, m.File, m.ReplyTo = d.AuthorID, d.Event, d.Target, d.Opening, d.File, d.ReplyTo
	m.Status, m.Reactions, m.Referral, m.Template, m.Tag = d.Status, d.Reactions, d.Referral, d.Template, d.Tag
	m.RequestHash, m.CSeq = d.RequestHash, d.CSeq
	m.Error, m.EditedAt, m.Location, m.Contact = d.Error, d.EditedAt, d.Location, d.Contact
	if m.File != nil {
		m.File.Ref = d.FileRef
	}
	if m.Reactions == nil {
		m.Reactions = []string{}
	}
	m.TextKey = strings.ToLower(m.Text)
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	return &m, nil
}

func putMessage(tx *Tx, m *models.Message, insert bool) error {
	d := messageDoc{AuthorID: m.AuthorID, Event: m.Event, Target: m.Target, Opening: m.Opening,
		File: m.File, ReplyTo: m.ReplyTo, Status: m.Status, Reactions: m.Reactions, Referral: m.Referral,
		Template: m.Template, Tag: m.Tag, RequestHash: m.RequestHash, CSeq: m.CSeq,
		Error: m.Error, EditedAt: m.EditedAt, Location: m.Location, Contact: m.Contact}
	if m.File != nil {
		d.FileRef = m.File.Ref
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	args := []any{m.ID, m.WS, m.ConversationID, m.SubscriberID, m.BotID, string(m.Sender), string(m.Kind), m.Text,
		m.ExternalID, m.Pos, m.Seq, m.Deleted, ms(m.CreatedAt), ms(m.UpdatedAt), string(doc)}
	if insert {
		_, err = tx.Exec(`INSERT INTO messages (id, ws, conversation_id, subscriber_id, bot_id, sender, kind, text,
			external_id, pos, seq, deleted, created_at, updated_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		// text is not rewritten here: only an edit changes it (UpdateMessage
		// writes it alone then), and the full-text trigger fires on every
		// update that names text.
		_, err = tx.Exec(`UPDATE messages SET id = ?, ws = ?, conversation_id = ?, subscriber_id = ?, bot_id = ?,
			sender = ?, kind = ?, external_id = ?, pos = ?, seq = ?, deleted = ?, created_at = ?, updated_at = ?, doc = ?
			WHERE id = ?`, append(append(args[:7:7], args[8:]...), m.ID)...)
	}
	return err
}

var messages = synced[models.Message]{table: models.TableMessages, kind: "message", cols: strings.ReplaceAll(msgCols, "m.", ""),
	scan: scanMessage, put: putMessage, logged: logMessage,
	stamp: func(m *models.Message) *models.Stamp { return &m.Stamp }, id: func(m *models.Message) string { return m.ID }}

// messageLog is a message as its change-log entry records it: the record
// the apps see plus the server's fields the push gateway and sync read
// of an earlier state (whether it opened its chat, its place in the
// history, its creation sequence).
type messageLog struct {
	*models.Message
	Opening bool   `json:"opening,omitempty"`
	Pos     string `json:"pos,omitempty"`
	CSeq    int64  `json:"cseq,omitempty"`
}

func logMessage(m *models.Message) any {
	return messageLog{Message: m, Opening: m.Opening, Pos: m.Pos, CSeq: m.CSeq}
}

// messageFromLog reads a message's change-log record (see messageLog).
func messageFromLog(raw []byte) (*models.Message, error) {
	l := messageLog{Message: &models.Message{}}
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, err
	}
	l.Message.Opening, l.Message.Pos, l.Message.CSeq = l.Opening, l.Pos, l.CSeq
	return l.Message, nil
}

// CreateMessage inserts m into ws with its sequence and change-log entry,
// in one transaction. A zero CreatedAt is now; times keep milliseconds.
// Pos, the history's order, is the creation time and then the sequence
// (insertion order), as the MongoDB store derives it. An id in use, in
// any workspace, is CodeConflict and takes no sequence.
func (s *Store) CreateMessage(ctx context.Context, ws string, m *models.Message) error {
	at := s.nowMS()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = at
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Millisecond)
	m.TextKey = strings.ToLower(m.Text)
	if m.Reactions == nil {
		m.Reactions = []string{}
	}
	err := s.WithTx(ctx, func(tx *Tx) error {
		seq, err := tx.Stamp(ws)
		if err != nil {
			return err
		}
		cp := *m
		cp.Stamp = models.Stamp{WS: ws, Seq: seq, UpdatedAt: at, CSeq: seq}
		cp.Pos = fmt.Sprintf("%020d-%020d", cp.CreatedAt.UnixMilli(), seq)
		if err := putMessage(tx, &cp, true); err != nil {
			return err
		}
		if err := tx.Log(ws, models.Change{Seq: seq, Table: models.TableMessages, ID: cp.ID, Created: true, Record: messages.record(&cp)}); err != nil {
			return err
		}
		*m = cp
		return nil
	})
	return s.fail(err, "message")
}

// Message returns the live message id of ws or the typed not-found.
func (s *Store) Message(ctx context.Context, ws, id string) (*models.Message, error) {
	return messages.read(ctx, s, ws, id)
}

// MessageByExternalID returns the live message of ws that bot botID's
// channel knows as externalID (the earliest, should there be several);
// an empty externalID matches nothing.
func (s *Store) MessageByExternalID(ctx context.Context, ws, botID, externalID string) (*models.Message, error) {
	if externalID == "" {
		return nil, models.NotFound("message")
	}
	m, err := scanMessage(s.rd(ctx).QueryRowContext(ctx, byExternalSQL, ws, botID, externalID))
	if err != nil {
		return nil, s.fail(err, "message")
	}
	return m, nil
}

// byExternalSQL finds a bot's message by the channel's id for it.
const byExternalSQL = `SELECT ` + msgCols + ` FROM messages m
	WHERE m.ws = ? AND m.bot_id = ? AND m.external_id = ? AND m.external_id <> '' AND m.deleted = 0
	ORDER BY m.pos LIMIT 1`

// minTrigram is the shortest query the trigram index can answer.
const minTrigram = 3

// historySQL is the query text of a history page: cursor is "", "<"
// (before an anchor's pos) or ">" (after it, oldest first); search joins
// the trigram index (its MATCH argument first), starting from its
// matches; limit adds LIMIT ?. The arguments that follow are ws, the
// conversation, the anchor's pos.
func historySQL(cursor string, search, limit bool) string {
	return historyQuery(cursor, search, false, limit)
}

// walkSearchSQL is historySQL's search (with a limit) read the other way
// round: along the chat's history, probing the trigram index once per
// message (same arguments).
func walkSearchSQL(cursor string) string { return historyQuery(cursor, true, true, true) }

// chatSizeSQL counts the live messages of a history page without its
// limit (cursor as in historySQL; arguments ws, the conversation, the
// anchor's pos, then the most to count): the index messages_history
// answers it alone.
func chatSizeSQL(cursor string) string {
	where := `m.ws = ? AND m.conversation_id = ? AND m.deleted = 0`
	switch cursor {
	case "<":
		where += ` AND m.pos < ?`
	case ">":
		where += ` AND m.pos > ?`
	}
	return `SELECT count(*) FROM (SELECT 1 FROM messages m WHERE ` + where + ` LIMIT ?)`
}

// walkSearchMax is the largest history a search walks (walkSearchSQL)
// instead of starting from the index's matches. Starting from the
// matches costs what the workspace holds of the query: measured on this
// 2-core machine under a load average of about 11, a word in one
// message in ten took 0.95 s in one chat of 1,000,000 messages (80 ms at
// 100,000), whatever the chat's size. Walking costs one index probe per
// message of the chat, whatever the workspace holds (about 0.1 ms each
// under that load). So a search counts the chat's messages up to this
// bound first (at most that many index entries read) and walks a
// chat that holds no more; a longer one starts from the matches, which
// a rare word keeps short: a rare word in a chat of 30,000 messages took
// 5 s walking and 1 ms from the matches.
const walkSearchMax = 200

func historyQuery(cursor string, search, walk, limit bool) string {
	from, where := `messages m`, ``
	if search {
		// CROSS JOIN fixes which side is the outer loop; left to itself
		// the planner always walks the chat's history.
		from, where = `messages_fts CROSS JOIN messages m ON m.n = messages_fts.rowid`, `messages_fts MATCH ? AND `
		if walk {
			from = `messages m CROSS JOIN messages_fts ON messages_fts.rowid = m.n`
		}
	}
	where += `m.ws = ? AND m.conversation_id = ? AND m.deleted = 0`
	order := ` ORDER BY m.pos DESC`
	switch cursor {
	case "<":
		where += ` AND m.pos < ?`
	case ">":
		where += ` AND m.pos > ?`
		order = ` ORDER BY m.pos`
	}
	q := `SELECT ` + msgCols + ` FROM ` + from + ` WHERE ` + where + order
	if limit {
		q += ` LIMIT ?`
	}
	return q
}

// Messages pages the live history of one chat, newest first (by Pos):
// f.Before returns the messages before that one, else f.After the
// oldest f.Limit after it (still newest first); an anchor that is not a
// live message of the chat is the typed not-found. f.Query keeps the
// messages whose text contains it, in any case: through the trigram
// index from three characters on (walking a chat of at most
// walkSearchMax messages, from the index's matches in a longer one), by
// reading the chat's history below.
// A Limit of 0 or less is no limit, as on the MongoDB store. Never nil.
func (s *Store) Messages(ctx context.Context, ws string, f models.MessageFilter) ([]*models.Message, error) {
	args := []any{ws, f.ConversationID}
	cursor := ""
	if anchor := f.Before; anchor != "" || f.After != "" {
		cursor = "<"
		if anchor == "" {
			anchor, cursor = f.After, ">"
		}
		a, err := messages.read(ctx, s, ws, anchor)
		if err != nil {
			return nil, err
		}
		if a.ConversationID != f.ConversationID {
			return nil, models.NotFound("message")
		}
		args = append(args, a.Pos)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var out []*models.Message
	var err error
	switch q := strings.ToLower(f.Query); {
	case q == "":
		out, err = queryList(ctx, s, scanMessage, historySQL(cursor, false, true), append(args, limit)...)
	case utf8.RuneCountInString(q) >= minTrigram:
		// The whole query as one FTS5 string: a trigram phrase matches
		// it as a substring, quotes and operators included.
		phrase := `"` + strings.ReplaceAll(f.Query, `"`, `""`) + `"`
		query := historySQL(cursor, true, true)
		var n int
		if err = s.rd(ctx).QueryRowContext(ctx, chatSizeSQL(cursor), append(args, walkSearchMax+1)...).Scan(&n); err == nil {
			if n <= walkSearchMax {
				query = walkSearchSQL(cursor)
			}
			out, err = queryList(ctx, s, scanMessage, query, append(append([]any{phrase}, args...), limit)...)
		}
	default:
		out, err = s.scanHistory(ctx, historySQL(cursor, false, false), args, q, f.Limit)
	}
	if err != nil {
		return nil, s.fail(err, "message")
	}
	if cursor == ">" {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// scanHistory reads the chat's history in order through messages_history
// (query, from historySQL) and keeps the messages whose lower-cased text
// contains q, up to limit (none when 0 or less): the search for a query
// too short for trigrams, with Go's case folding, the MongoDB store's.
func (s *Store) scanHistory(ctx context.Context, query string, args []any, q string, limit int) ([]*models.Message, error) {
	rows, err := s.rd(ctx).QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*models.Message{}
	for rows.Next() && (limit <= 0 || len(out) < limit) {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		if strings.Contains(m.TextKey, q) {
			out = append(out, m)
		}
	}
	return out, rows.Err()
}

// UpdateMessage applies upd to the live message id of ws with a new
// sequence, logged, and returns the new state; the typed not-found when
// there is no such message. An edit (Text) rewrites the text column in
// the same transaction, which the full-text index follows (its trigger
// fires on an update of text), so the search finds the new text and no
// longer the old.
func (s *Store) UpdateMessage(ctx context.Context, ws, id string, upd models.MessageUpdate) (*models.Message, error) {
	if upd.Text == nil {
		return s.updateMessage(ctx, ws, id, upd)
	}
	var out *models.Message
	err := s.Atomically(ctx, func(ctx context.Context) error {
		m, err := s.updateMessage(ctx, ws, id, upd)
		if err != nil {
			return err
		}
		out = m
		return s.WithTx(ctx, func(tx *Tx) error {
			_, err := tx.Exec(`UPDATE messages SET text = ? WHERE id = ? AND text <> ?`, m.Text, id, m.Text)
			return err
		})
	})
	if err != nil {
		return nil, s.fail(err, "message")
	}
	return out, nil
}

// updateMessage is UpdateMessage but for the text column.
func (s *Store) updateMessage(ctx context.Context, ws, id string, upd models.MessageUpdate) (*models.Message, error) {
	return messages.update(ctx, s, ws, id, func(m *models.Message, _ int64) error {
		if upd.Status != nil {
			m.Status = *upd.Status
		}
		if upd.ExternalID != nil {
			m.ExternalID = *upd.ExternalID
		}
		if upd.Reactions != nil {
			m.Reactions = *upd.Reactions
			if m.Reactions == nil {
				m.Reactions = []string{}
			}
		}
		if upd.Error != nil {
			m.Error = *upd.Error
		}
		if upd.Text != nil {
			m.Text, m.TextKey = *upd.Text, strings.ToLower(*upd.Text)
		}
		if upd.EditedAt != nil {
			at := upd.EditedAt.UTC().Truncate(time.Millisecond)
			m.EditedAt = &at
		}
		if upd.File != nil {
			f := *upd.File
			m.File = &f
		}
		return nil
	})
}

// DeleteMessage leaves the live message id of ws a logged tombstone; an
// unknown or deleted message is the typed not-found.
func (s *Store) DeleteMessage(ctx context.Context, ws, id string) error {
	return messages.remove(ctx, s, ws, id)
}
