package sync

import (
	"context"
	"math"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// CursorLifetime is how long a paged first sync may take between pages;
// a continuation older than that answers with a replacement.
const CursorLifetime = time.Hour

// firstSyncOrder is the order a first sync sends tables in; messages come
// last, a chat's recent history at a time.
var firstSyncOrder = []string{models.TableBots, models.TableMembers, models.TablePipelines, models.TableBotStats,
	models.TableSubscribers, models.TableConversations, models.TableNotes, models.TableDeals, models.TableMessages}

// firstSync answers a page of every live record me may see, messages
// within the history bound, starting at cursor cur (nil: the start, at
// high-water mark safe), whose continuation number is prev (0 at the
// start). Records are read as they are now, less those created after the
// start: what changes while the pages are pulled has a sequence above the
// start and reaches the device with the deltas after the last page, whose
// timestamp is the start's mark. Until then, timestamps are rising
// continuations below it (see timestamp.go). A replacement is one answer
// (limit math.MaxInt): WatermelonDB destroys local records a replacement
// lacks.
func (s *Service) firstSync(ctx context.Context, p models.Principal, me *models.Member, safe int64, limit int, cur *models.SyncCursor, prev int64, strategy string) (*PullResult, error) {
	if cur == nil {
		cur = &models.SyncCursor{WS: p.WS, MemberID: me.ID, Base: safe}
	}
	if cur.Base < 1 || prev >= contMask-contReserve {
		// No continuation fits below the mark's timestamp: answer the rest at once.
		limit = math.MaxInt
	}
	a := newAnswer(me.ID, cur.Base)
	a.res.Strategy = strategy
	sc, err := s.scopeOf(ctx, p.WS, me)
	if err != nil {
		return nil, err
	}
	budget := limit
	for budget > 0 && cur.Table < len(firstSyncOrder) {
		table := firstSyncOrder[cur.Table]
		var n int
		var last string
		if table == models.TableMessages {
			n, last, err = s.chatHistories(ctx, p.WS, sc, cur.After, cur.Base, budget, a)
		} else {
			n, last, err = s.tablePage(ctx, p.WS, sc, table, cur.After, cur.Base, budget, a)
		}
		if err != nil {
			return nil, err
		}
		if last == "" { // the table is done
			cur.Table, cur.After = cur.Table+1, ""
			continue
		}
		cur.After, budget = last, budget-n
	}
	if err := s.fillPauses(ctx, p.WS, a, sc, 0, cur.Base); err != nil {
		return nil, err
	}
	if cur.Table >= len(firstSyncOrder) {
		// Changes made while the pages were pulled follow as deltas.
		a.res.HasMore = safe > cur.Base
		return a.res, nil
	}
	// The next continuation number above prev that no other device of
	// the member holds (two first syncs from one mark share the range).
	next := *cur
	for n := prev + 1; ; n++ {
		if n > contMask {
			return nil, models.Errorf(models.CodeConflict, "too many first syncs of this member at once; pull again")
		}
		ts := contStamp(cur.Base, n)
		next.ID = cursorID(p.WS, me.ID, ts)
		err := s.st.SaveSyncCursor(ctx, &next)
		if err == nil {
			a.res.Timestamp, a.res.cont, a.res.HasMore = cur.Base-1, n, true
			return a.res, nil
		}
		if models.ErrorCode(err) != models.CodeConflict {
			return nil, err
		}
	}
}

// continueFirstSync serves the page after continuation timestamp ts.
func (s *Service) continueFirstSync(ctx context.Context, p models.Principal, me *models.Member, safe, ts int64, limit int) (*PullResult, error) {
	cur, err := s.st.SyncCursor(ctx, cursorID(p.WS, me.ID, ts))
	if err != nil && !models.IsNotFound(err) {
		return nil, err
	}
	_, n := decodeTimestamp(ts)
	if err != nil || cur.WS != p.WS || cur.MemberID != me.ID || me.ScopeSeq > cur.Base || contStamp(cur.Base, n) != ts {
		// Expired, not this member's, or their role changed: start over,
		// replacing what the earlier pages left on the device.
		return s.firstSync(ctx, p, me, safe, math.MaxInt, nil, 0, Replacement)
	}
	horizon, err := s.st.Horizon(ctx, p.WS)
	if err != nil {
		return nil, err
	}
	if cur.Base < horizon {
		return s.firstSync(ctx, p, me, safe, math.MaxInt, nil, 0, Replacement)
	}
	return s.firstSync(ctx, p, me, safe, limit, cur, n, "")
}

// filter is the field and values selecting what scope sc sees of table
// ("" for all of it).
func (sc *scope) filter(table string) (string, []string) {
	if sc.all {
		return "", nil
	}
	switch table {
	case models.TableSubscribers:
		return "_id", keys(sc.subs)
	case models.TableConversations:
		// Read by the follower list itself, so a chat left since the
		// scope was read is not sent.
		return "followers", []string{sc.me}
	case models.TableNotes, models.TableDeals:
		return "subscriber_id", keys(sc.subs)
	}
	return "", nil
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// tablePage puts up to budget records of table with ids above after,
// created by sequence base; it returns how many it read and the last id,
// "" when the table is done.
func (s *Service) tablePage(ctx context.Context, ws string, sc *scope, table, after string, base int64, budget int, a *answer) (int, string, error) {
	field, values := sc.filter(table)
	recs, err := s.st.RecordsAfter(ctx, ws, table, field, values, after, budget)
	if err != nil || len(recs) == 0 {
		return 0, "", err
	}
	last := ""
	for _, r := range recs {
		last = recordID(r)
		if !createdBy(r, base) {
			continue
		}
		if err := a.put(table, r, true); err != nil {
			return 0, "", err
		}
	}
	return len(recs), last, nil
}

// chatHistories puts the recent messages of the chats after the chat
// after, whole chats at a time (at least one) within budget; it returns
// how many and the last chat, "" when every chat is done.
func (s *Service) chatHistories(ctx context.Context, ws string, sc *scope, after string, base int64, budget int, a *answer) (int, string, error) {
	field, values := sc.filter(models.TableConversations)
	convs, err := s.st.RecordsAfter(ctx, ws, models.TableConversations, field, values, after, budget)
	if err != nil || len(convs) == 0 {
		return 0, "", err
	}
	ids := make([]string, len(convs))
	for i, c := range convs {
		ids[i] = c.(*models.Conversation).ID
	}
	msgs, err := s.st.RecentMessages(ctx, ws, ids, s.bound())
	if err != nil {
		return 0, "", err
	}
	byChat := map[string][]*models.Message{}
	for _, m := range msgs {
		byChat[m.ConversationID] = append(byChat[m.ConversationID], m)
	}
	n, chats, last := 0, 0, ""
	for _, id := range ids {
		h := byChat[id]
		if last != "" && n+len(h) > budget {
			break
		}
		for _, m := range h {
			if !createdBy(m, base) {
				continue
			}
			if err := a.put(models.TableMessages, m, true); err != nil {
				return 0, "", err
			}
		}
		n, chats, last = n+len(h), chats+1, id
	}
	// A chat counts at least as one record, so a page of chats without
	// recent messages still ends.
	return max(n, chats), last, nil
}
