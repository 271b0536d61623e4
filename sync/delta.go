package sync

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

type tombstoner interface{ Tombstone() bool }

// delta answers with the changes after cursor up to the mark safe, at most
// limit log entries: one query for the page whatever the tables, one for a
// follower's chats, and four for the chats a follower gained or lost in it.
func (s *Service) delta(ctx context.Context, p models.Principal, me *models.Member, after, safe int64, limit int) (*PullResult, error) {
	// Pulls woken together by one write ask for the same range: they
	// share one read of it (a range at or below the mark never changes).
	key := p.WS + "|" + strconv.FormatInt(after, 10) + "|" + strconv.FormatInt(safe, 10) + "|" + strconv.Itoa(limit)
	v, err, _ := s.reads.Do(key, func() (any, error) {
		// Not bound to the first caller: its leaving must not fail the others.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		return s.st.Changes(rctx, p.WS, after, safe, limit+1)
	})
	if err != nil {
		return nil, err
	}
	entries := v.([]models.Change)
	ts := max(safe, after) // a cursor another instance gave ahead of this one's mark stays
	hasMore := len(entries) > limit
	if hasMore {
		entries = entries[:limit]
		ts = entries[len(entries)-1].Seq
	}
	for _, e := range entries {
		// The caller's role changed after the cursor (perhaps while the
		// pull waited): the device gets what the role sees now, whole. The
		// entry may not be the member's last change, so read the member.
		if m, ok := e.Record.(*models.Member); ok && m.ID == me.ID && m.ScopeSeq > after {
			now, err := s.member(ctx, p.WS, me.ID)
			if err != nil {
				return nil, err
			}
			return s.firstSync(ctx, p, now, safe, math.MaxInt, nil, 0, Replacement)
		}
	}
	if hasMore {
		// A role change beyond this page (perhaps made while the pull
		// waited) must not let this page go out in the old role.
		now, err := s.member(ctx, p.WS, me.ID)
		if err != nil {
			return nil, err
		}
		if now.ScopeSeq > after {
			return s.firstSync(ctx, p, now, safe, math.MaxInt, nil, 0, Replacement)
		}
	}
	a := newAnswer(me.ID, ts)
	a.res.HasMore = hasMore
	// The page's last state of each record, and whether the page holds its creation.
	type state struct {
		c       models.Change
		created bool
	}
	var order []string
	latest := map[string]*state{}
	for _, e := range entries {
		if e.Record == nil {
			continue
		}
		key := e.Table + "\x00" + e.ID
		if st, ok := latest[key]; ok {
			st.c, st.created = e, st.created || e.Created
			continue
		}
		latest[key] = &state{c: e, created: e.Created}
		order = append(order, key)
	}
	sc, err := s.scopeOf(ctx, p.WS, me)
	if err != nil {
		return nil, err
	}
	pushed, err := s.pushed(ctx, p.WS, me.ID, after, entries)
	if err != nil {
		return nil, err
	}
	var gained, lost []*models.Conversation
	for _, key := range order {
		st := latest[key]
		rec, table := st.c.Record, st.c.Table
		deleted := rec.(tombstoner).Tombstone()
		if conv, ok := rec.(*models.Conversation); ok && !sc.all {
			follows := contains(conv.Followers, me.ID)
			changed := conv.FollowSeq[me.ID] > after
			switch {
			case deleted:
				if follows || changed {
					a.delete(table, conv.ID)
				}
			case follows && changed && !sc.convs[conv.ID]:
				// Gained then lost again after this entry: a later entry
				// carries the loss; the chat's records are not sent.
			case follows && changed:
				gained = append(gained, conv)
				if err := a.put(table, conv, true); err != nil {
					return nil, err
				}
			case follows:
				if err := a.put(table, conv, st.created); err != nil {
					return nil, err
				}
			case changed:
				lost = append(lost, conv)
			}
			continue
		}
		if !sc.allows(rec) || sc.followedSince(rec) > after {
			// Not the member's, or of a chat they started following after
			// the cursor: the chat comes whole, as created, with the entry
			// of that start (in this page or a later one).
			continue
		}
		if deleted {
			a.delete(table, st.c.ID)
		} else if err := a.put(table, rec, st.created && !pushed[table+" "+st.c.ID]); err != nil {
			return nil, err
		}
	}
	if err := s.chatRecords(ctx, p.WS, gained, ts, a); err != nil {
		return nil, err
	}
	if err := s.revoke(ctx, p.WS, lost, a); err != nil {
		return nil, err
	}
	return a.res, s.fillPauses(ctx, p.WS, a, sc, after, ts)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// pushed returns the records member me's pushes created on a device that
// was synced up to after or before: that device holds them, so their
// creation in entries is sent to it as an update. Read only when entries
// create a message or note of me's.
func (s *Service) pushed(ctx context.Context, ws, me string, after int64, entries []models.Change) (map[string]bool, error) {
	for _, e := range entries {
		if !e.Created {
			continue
		}
		switch r := e.Record.(type) {
		case *models.Message:
			if r.AuthorID != me {
				continue
			}
		case *models.Note:
			if r.AuthorID != me {
				continue
			}
		default:
			continue
		}
		return s.st.Pushed(ctx, ws, me, after)
	}
	return nil, nil
}
