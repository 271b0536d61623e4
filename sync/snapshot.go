package sync

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// snapshot answers with every live record me may see, messages within the
// history bound, as of high-water mark safe. It is one answer, never
// paged: WatermelonDB's replacement strategy destroys local records the
// answer lacks, so a replacement cannot be split, and the history bound
// keeps it to the size of the inbox rather than of its history.
func (s *Service) snapshot(ctx context.Context, p models.Principal, me *models.Member, safe int64, strategy string) (*PullResult, error) {
	a := newAnswer(me.ID, safe)
	a.res.Strategy = strategy
	sc, err := s.scopeOf(ctx, p.WS, me)
	if err != nil {
		return nil, err
	}
	shared := []string{models.TableBots, models.TableMembers, models.TablePipelines, models.TableBotStats}
	if sc.all {
		shared = append(shared, models.TableSubscribers, models.TableConversations, models.TableNotes, models.TableDeals)
	}
	for _, t := range shared {
		recs, err := s.st.Records(ctx, p.WS, t, "", nil)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if err := a.put(t, r, true); err != nil {
				return nil, err
			}
		}
	}
	if sc.all {
		msgs, err := s.st.RecentMessages(ctx, p.WS, nil, s.bound())
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if err := a.put(models.TableMessages, m, true); err != nil {
				return nil, err
			}
		}
		return a.res, nil
	}
	for _, c := range sc.list {
		if err := a.put(models.TableConversations, c, true); err != nil {
			return nil, err
		}
	}
	return a.res, s.chatRecords(ctx, p.WS, sc.list, a)
}
