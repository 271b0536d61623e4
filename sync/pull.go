package sync

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// PullInput is a pull request: the timestamp of the last pull (0 for a
// first sync), the page size (0: the default) and how long an empty pull
// may wait for a change.
type PullInput struct {
	LastPulledAt int64
	Limit        int
	Wait         time.Duration
}

// PullResult is WatermelonDB's pull answer. Every synced table is listed
// with all three arrays.
type PullResult struct {
	Changes   map[string]*TableChanges `json:"changes"`
	Timestamp int64                    `json:"timestamp"`
	// HasMore says the client is not caught up: pull again from Timestamp.
	HasMore bool `json:"has_more"`
	// Strategy is "replacement" when the answer is the whole dataset and
	// records the device has but the answer lacks must go.
	Strategy string `json:"experimentalStrategy,omitempty"`
	// cont is the continuation number of a first-sync page that is not
	// the last; until Pull encodes it, Timestamp is a change sequence.
	cont int64
}

// Replacement is the strategy of a full resync.
const Replacement = "replacement"

// CheckPull validates a pull's parameters against the settings.
func (s *Service) CheckPull(in *PullInput) error {
	var fields []models.FieldError
	if in.LastPulledAt < 0 || in.LastPulledAt > maxTimestamp {
		fields = append(fields, models.FieldError{Field: "last_pulled_at", Message: "must be a timestamp from an earlier pull (0 to 2^53-1), or absent for a first sync"})
	}
	if in.Limit == 0 {
		in.Limit = s.cfg.DefaultLimit
	} else if in.Limit < 1 || in.Limit > s.cfg.MaxLimit {
		fields = append(fields, models.FieldError{Field: "limit", Message: "must be 1 to " + strconv.Itoa(s.cfg.MaxLimit)})
	}
	if in.Wait < 0 || in.Wait > s.cfg.MaxWait {
		fields = append(fields, models.FieldError{Field: "wait", Message: "must be 0 to " + strconv.Itoa(int(s.cfg.MaxWait/time.Second)) + " seconds"})
	}
	if len(fields) > 0 {
		return models.Invalid("bad pull parameters", fields...)
	}
	return nil
}

// Pull answers a pull by member me: the changes after in.LastPulledAt that
// me may see, a page at a time, or, for a first sync, a device behind the
// purge horizon or a member whose role changed, the whole dataset me sees.
// Its timestamp is never below in.LastPulledAt (see timestamp.go).
func (s *Service) Pull(ctx context.Context, p models.Principal, me *models.Member, in PullInput) (*PullResult, error) {
	if err := requireMember(p, me); err != nil {
		return nil, err
	}
	if err := s.CheckPull(&in); err != nil {
		return nil, err
	}
	res, err := s.pull(ctx, p, me, in)
	if err != nil {
		return nil, err
	}
	if res.cont != 0 {
		res.Timestamp = contStamp(res.Timestamp+1, res.cont)
	} else {
		res.Timestamp = stampOf(res.Timestamp)
	}
	return res, nil
}

// pull is Pull on checked input; its answer's Timestamp is a change
// sequence, with cont set on a continuation.
func (s *Service) pull(ctx context.Context, p models.Principal, me *models.Member, in PullInput) (*PullResult, error) {
	safe, err := s.st.SafeSeq(ctx, p.WS)
	if err != nil {
		return nil, err
	}
	// The member as read after the mark: an answer up to the mark is
	// made for the role they hold at or after it, never an older one.
	if me, err = s.member(ctx, p.WS, me.ID); err != nil {
		return nil, err
	}
	last, cont := decodeTimestamp(in.LastPulledAt)
	if cont != 0 {
		return s.continueFirstSync(ctx, p, me, safe, in.LastPulledAt, in.Limit)
	}
	if last > safe {
		top, err := s.st.ReservedSeq(ctx, p.WS)
		if err != nil {
			return nil, err
		}
		if last > max(top, 1) {
			return nil, models.Invalid("last_pulled_at is in the future", models.FieldError{Field: "last_pulled_at",
				Message: "is ahead of this workspace's newest change (" + strconv.FormatInt(stampOf(top), 10) + "); send the timestamp of an earlier pull"})
		}
	}
	if last == 0 {
		return s.firstSync(ctx, p, me, safe, in.Limit, nil, 0, "")
	}
	horizon, err := s.st.Horizon(ctx, p.WS)
	if err != nil {
		return nil, err
	}
	if last < horizon || me.ScopeSeq > last {
		return s.firstSync(ctx, p, me, safe, math.MaxInt, nil, 0, Replacement)
	}
	if in.Wait <= 0 || s.hub == nil {
		return s.delta(ctx, p, me, last, safe, in.Limit)
	}
	wctx, cancel := context.WithTimeout(ctx, in.Wait)
	defer cancel()
	cursor := last
	for {
		res, err := s.delta(ctx, p, me, cursor, safe, in.Limit)
		if err != nil || res.HasMore || !res.empty() {
			return res, err
		}
		// Nothing for this member up to the mark: wait for it to rise.
		cursor = res.Timestamp
		next, err := s.hub.Wait(wctx, p.WS, cursor)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil: // waited long enough, or shutting down
			return res, nil
		}
		// A role change during the wait is in the range now read: delta
		// finds it in the page, or re-reads the member when the page is full.
		safe = next
	}
}

// member reads member id as stored now.
func (s *Service) member(ctx context.Context, ws, id string) (*models.Member, error) {
	recs, err := s.st.Records(ctx, ws, models.TableMembers, "_id", []string{id})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, models.Errorf(models.CodeUnauthorized, "this member no longer exists")
	}
	return recs[0].(*models.Member), nil
}

func (r *PullResult) empty() bool {
	for _, t := range r.Changes {
		if len(t.Created)+len(t.Updated)+len(t.Deleted) > 0 {
			return false
		}
	}
	return true
}

// answer collects a pull's records, each at most once per table.
type answer struct {
	me   string
	res  *PullResult
	seen map[string]bool
}

func newAnswer(me string, ts int64) *answer {
	res := &PullResult{Changes: map[string]*TableChanges{}, Timestamp: max(ts, 1)}
	for _, t := range models.SyncTables {
		res.Changes[t] = &TableChanges{Created: []Record{}, Updated: []Record{}, Deleted: []string{}}
	}
	return &answer{me: me, res: res, seen: map[string]bool{}}
}

func (a *answer) put(table string, rec any, created bool) error {
	r, err := render(table, rec, a.me)
	if err != nil {
		return models.Internal(err)
	}
	id, _ := r["id"].(string)
	key := table + "\x00" + id
	if a.seen[key] {
		return nil
	}
	a.seen[key] = true
	t := a.res.Changes[table]
	if created {
		t.Created = append(t.Created, r)
	} else {
		t.Updated = append(t.Updated, r)
	}
	return nil
}

func (a *answer) delete(table, id string) {
	key := table + "\x00" + id
	if a.seen[key] {
		return
	}
	a.seen[key] = true
	t := a.res.Changes[table]
	t.Deleted = append(t.Deleted, id)
}

func (s *Service) bound() models.HistoryBound {
	b := models.HistoryBound{PerChat: s.cfg.HistoryPerChat}
	if s.cfg.HistoryDays > 0 {
		b.Since = s.now().Add(-time.Duration(s.cfg.HistoryDays) * 24 * time.Hour)
	}
	return b
}
