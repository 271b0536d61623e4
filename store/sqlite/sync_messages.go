package sqlite

import (
	"context"
	"database/sql"

	"github.com/switchboardhq/switchboard/models"
)

// recentSQL is one chat's history, newest first, from messages_history.
var recentSQL = `SELECT ` + msgColsPlain + ` FROM messages
	WHERE ws = ? AND conversation_id = ? AND deleted = 0 AND created_at >= ? ORDER BY pos DESC`

// recentAllSQL is every chat's history, by chat, newest first in each.
var recentAllSQL = `SELECT ` + msgColsPlain + ` FROM messages
	WHERE ws = ? AND deleted = 0 AND created_at >= ? ORDER BY conversation_id, pos DESC`

// msgColsPlain is msgCols without the table alias.
var msgColsPlain = messages.cols

// RecentMessages returns the live messages of the given chats (nil: every
// chat of ws) created at or after b.Since, at most b.PerChat per chat (0:
// no cap), grouped by chat in the order of the chats' ids and newest first
// in each, read in one snapshot. A listed chat is read on its own, from
// its history's index, stopping at the cap.
func (s *Store) RecentMessages(ctx context.Context, ws string, conversationIDs []string, b models.HistoryBound) ([]*models.Message, error) {
	since := int64(0)
	if !b.Since.IsZero() {
		since = ms(b.Since)
	}
	out := []*models.Message{}
	err := s.readTx(ctx, func(q *sql.Tx) error {
		if conversationIDs == nil {
			return s.recentInAll(ctx, q, ws, since, b.PerChat, &out)
		}
		query := recentSQL
		if b.PerChat > 0 {
			query += ` LIMIT ?`
		}
		for _, chat := range uniqueSorted(conversationIDs) {
			args := []any{ws, chat, since}
			if b.PerChat > 0 {
				args = append(args, b.PerChat)
			}
			recs, err := s.rows(ctx, q, ws, models.TableMessages, syncTables[models.TableMessages], query, args...)
			if err != nil {
				return err
			}
			for _, r := range recs {
				out = append(out, r.(*models.Message))
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(err, "message")
	}
	return out, nil
}

// recentInAll appends the recent messages of every chat of ws, read in
// one pass of the history index.
func (s *Store) recentInAll(ctx context.Context, q querier, ws string, since int64, perChat int, out *[]*models.Message) error {
	recs, err := s.rows(ctx, q, ws, models.TableMessages, syncTables[models.TableMessages], recentAllSQL, ws, since)
	if err != nil {
		return err
	}
	chat, n := "", 0
	for _, r := range recs {
		m := r.(*models.Message)
		if m.ConversationID != chat {
			chat, n = m.ConversationID, 0
		}
		if n++; perChat > 0 && n > perChat {
			continue
		}
		*out = append(*out, m)
	}
	return nil
}
