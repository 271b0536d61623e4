package sync

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// A chat record carries its subscriber's automation pause, as the REST
// chat does. The pause is the subscriber's: the pause controls change the
// subscriber alone, so a delta holding a subscriber's change sends the
// chats of that subscriber the device holds again, with the new pause.

// fillPauses completes the chat records of answer a: in a delta (after >
// 0; sc is the member's scope, upTo the answer's sequence) it first adds
// the chats of the updated or deleted subscribers, then sets every chat's
// automation_paused_until from its subscriber, reading in one query the
// subscribers the answer lacks.
func (s *Service) fillPauses(ctx context.Context, ws string, a *answer, sc *scope, after, upTo int64) error {
	subs := map[string]Record{}
	for _, list := range [][]Record{a.res.Changes[models.TableSubscribers].Created, a.res.Changes[models.TableSubscribers].Updated} {
		for _, r := range list {
			subs[r["id"].(string)] = r
		}
	}
	// Updated or deleted (the chat stays, without a pause) subscribers.
	ids := append([]string(nil), a.res.Changes[models.TableSubscribers].Deleted...)
	for _, r := range a.res.Changes[models.TableSubscribers].Updated {
		ids = append(ids, r["id"].(string))
	}
	if after > 0 && len(ids) > 0 {
		convs, err := s.st.Records(ctx, ws, models.TableConversations, "subscriber_id", ids)
		if err != nil {
			return err
		}
		for _, rec := range convs {
			c := rec.(*models.Conversation)
			// A chat changed after the page comes with that change anyway.
			held := sc.all || (sc.convs[c.ID] && sc.since[c.ID] <= after)
			if !held || c.Seq > upTo || a.seen[models.TableConversations+"\x00"+c.ID] {
				continue
			}
			if err := a.put(models.TableConversations, c, false); err != nil {
				return err
			}
		}
	}
	var chats []Record
	var missing []string
	for _, list := range [][]Record{a.res.Changes[models.TableConversations].Created, a.res.Changes[models.TableConversations].Updated} {
		for _, r := range list {
			chats = append(chats, r)
			if id, _ := r["subscriber_id"].(string); subs[id] == nil {
				missing = append(missing, id)
			}
		}
	}
	if len(missing) > 0 {
		recs, err := s.st.Records(ctx, ws, models.TableSubscribers, "_id", missing)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			sub := rec.(*models.Subscriber)
			subs[sub.ID] = Record{"automation_paused_until": millis(sub.AutomationPausedUntil)}
		}
	}
	for _, r := range chats {
		id, _ := r["subscriber_id"].(string)
		if sub := subs[id]; sub != nil {
			r["automation_paused_until"] = sub["automation_paused_until"]
		}
	}
	return nil
}
