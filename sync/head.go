package sync

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// Head answers the timestamp of this moment for member me: a delta pull
// from it answers only what changes after the call (with wait, as soon as
// it changes), never a first sync or a replacement. It serves clients that
// load what they show from the REST API and pull only to learn that
// something changed, as the console does.
func (s *Service) Head(ctx context.Context, p models.Principal, me *models.Member) (int64, error) {
	if err := requireMember(p, me); err != nil {
		return 0, err
	}
	safe, err := s.st.SafeSeq(ctx, p.WS)
	if err != nil {
		return 0, err
	}
	if me, err = s.member(ctx, p.WS, me.ID); err != nil {
		return 0, err
	}
	// A role changed after the mark would make a pull from below it a
	// replacement; the head is past that change.
	return stampOf(max(safe, me.ScopeSeq)), nil
}
