package conformance

import (
	"slices"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func pipeline(ws, id, name string) *models.Pipeline {
	return &models.Pipeline{ID: id, Name: name, Stages: []models.Stage{{ID: "s1", Name: "New"}, {ID: "s2", Name: "Won"}},
		Stamp: models.Stamp{WS: ws}}
}

func deal(ws, id, pipelineID string) *models.Deal {
	return &models.Deal{ID: id, PipelineID: pipelineID, StageID: "s1", Name: "Deal " + id, Amount: 12.5, Currency: "EUR",
		SubscriberID: "sub1", ConversationID: "c1", Stamp: models.Stamp{WS: ws}}
}

func ids[T any](list []*T, id func(*T) string) string {
	out := make([]string, 0, len(list))
	for _, r := range list {
		out = append(out, id(r))
	}
	return sprint(out)
}

func pipelineID(p *models.Pipeline) string { return p.ID }
func dealID(d *models.Deal) string         { return d.ID }

// RunCRM checks models.CRMStore.
func RunCRM(t *testing.T, open Open) { runCRM(t, newFixture(t, open)) }

func runCRM(t *testing.T, f *fixture) {
	s := f.s

	t.Run("pipelines", func(t *testing.T) {
		w := ws()
		p := pipeline(w, models.NewID(), "Sales")
		at := f.clock.tick()
		ok(t, s.CreatePipeline(ctx, p), "create")
		stamped(t, p.Stamp, w, at, false, "create")
		f.inserted(t, w, models.TablePipelines, p.ID, p.Seq)
		got, err := s.Pipeline(ctx, w, p.ID)
		ok(t, err, "read")
		if got.Name != "Sales" || sprint(got.Stages) != sprint(p.Stages) || !got.CreatedAt.Equal(at) || got.Stamp != p.Stamp {
			t.Fatalf("read %+v, want %+v", got, p)
		}
		wantCode(t, s.CreatePipeline(ctx, pipeline(w, p.ID, "Again")), models.CodeConflict, "duplicate id")
		got, err = s.Pipeline(ctx, ws(), p.ID)
		notFound(t, got, err, "other workspace")

		// Listed by name, then id; tombstones and other workspaces left out.
		for _, q := range []*models.Pipeline{pipeline(w, "p-b", "Hiring"), pipeline(w, "p-a", "Hiring"), pipeline(w, "p-c", "Accounts"), pipeline(w, "p-gone", "B")} {
			ok(t, s.CreatePipeline(ctx, q), "create")
		}
		ok(t, s.DeletePipeline(ctx, w, "p-gone"), "delete")
		other := ws()
		ok(t, s.CreatePipeline(ctx, pipeline(other, "p-x", "A")), "other workspace")
		list, err := s.Pipelines(ctx, w)
		ok(t, err, "list")
		if got, want := ids(list, pipelineID), sprint([]string{"p-c", "p-a", "p-b", p.ID}); got != want {
			t.Fatalf("listed %s, want %s", got, want)
		}

		// Update: each field alone, stamped and logged.
		at = f.clock.tick()
		up, err := s.UpdatePipeline(ctx, w, p.ID, ptr("Renamed"), nil)
		ok(t, err, "rename")
		rises(t, p.Seq, up.Seq, "rename")
		stamped(t, up.Stamp, w, at, false, "rename")
		if up.Name != "Renamed" || len(up.Stages) != 2 || !up.CreatedAt.Equal(p.CreatedAt) {
			t.Fatalf("renamed %+v", up)
		}
		f.logged(t, w, models.TablePipelines, p.ID, up.Seq, false)
		stages := []models.Stage{{ID: "x", Name: "Only"}}
		up2, err := s.UpdatePipeline(ctx, w, p.ID, nil, &stages)
		ok(t, err, "stages")
		rises(t, up.Seq, up2.Seq, "stages")
		if up2.Name != "Renamed" || sprint(up2.Stages) != sprint(stages) {
			t.Fatalf("after replacing stages %+v", up2)
		}
		none, err := s.UpdatePipeline(ctx, other, p.ID, ptr("x"), nil)
		notFound(t, none, err, "update from another workspace")

		wantCode(t, s.DeletePipeline(ctx, other, p.ID), models.CodeNotFound, "delete from another workspace")
		ok(t, s.DeletePipeline(ctx, w, p.ID), "delete")
		f.deletion(t, w, models.TablePipelines, p.ID, up2.Seq)
		got, err = s.Pipeline(ctx, w, p.ID)
		notFound(t, got, err, "deleted")
		wantCode(t, s.DeletePipeline(ctx, w, p.ID), models.CodeNotFound, "delete again")
		none, err = s.UpdatePipeline(ctx, w, p.ID, ptr("x"), nil)
		notFound(t, none, err, "update a deleted pipeline")
	})

	t.Run("deals", func(t *testing.T) {
		w := ws()
		d := deal(w, models.NewID(), "p1")
		at := f.clock.tick()
		ok(t, s.CreateDeal(ctx, d), "create")
		stamped(t, d.Stamp, w, at, false, "create")
		if !d.CreatedAt.Equal(at) {
			t.Fatalf("created at %v", d.CreatedAt)
		}
		f.inserted(t, w, models.TableDeals, d.ID, d.Seq)
		got, err := s.Deal(ctx, w, d.ID)
		ok(t, err, "read")
		if *got != *d {
			t.Fatalf("read %+v, want %+v", got, d)
		}
		wantCode(t, s.CreateDeal(ctx, deal(w, d.ID, "p2")), models.CodeConflict, "duplicate id")
		f.highest(t, w, d.Seq)
		got, err = s.Deal(ctx, ws(), d.ID)
		notFound(t, got, err, "other workspace")
		got, err = s.Deal(ctx, w, models.NewID())
		notFound(t, got, err, "unknown")

		at = f.clock.tick()
		up, err := s.UpdateDeal(ctx, w, d.ID, models.DealUpdate{StageID: ptr("s2"), Amount: ptr(99.0)})
		ok(t, err, "update")
		rises(t, d.Seq, up.Seq, "update")
		stamped(t, up.Stamp, w, at, false, "update")
		if up.StageID != "s2" || up.Amount != 99 || up.Name != d.Name || up.Currency != "EUR" {
			t.Fatalf("updated %+v", up)
		}
		f.logged(t, w, models.TableDeals, d.ID, up.Seq, false)
		up2, err := s.UpdateDeal(ctx, w, d.ID, models.DealUpdate{Name: ptr("Big"), Currency: ptr("USD")})
		ok(t, err, "update")
		rises(t, up.Seq, up2.Seq, "second update")
		if up2.StageID != "s2" || up2.Amount != 99 || up2.Name != "Big" || up2.Currency != "USD" {
			t.Fatalf("updated %+v", up2)
		}
		none, err := s.UpdateDeal(ctx, ws(), d.ID, models.DealUpdate{Name: ptr("x")})
		notFound(t, none, err, "update from another workspace")
		f.highest(t, w, up2.Seq)

		wantCode(t, s.DeleteDeal(ctx, ws(), d.ID), models.CodeNotFound, "delete from another workspace")
		ok(t, s.DeleteDeal(ctx, w, d.ID), "delete")
		f.deletion(t, w, models.TableDeals, d.ID, up2.Seq)
		got, err = s.Deal(ctx, w, d.ID)
		notFound(t, got, err, "deleted")
		wantCode(t, s.DeleteDeal(ctx, w, d.ID), models.CodeNotFound, "delete again")
		none, err = s.UpdateDeal(ctx, w, d.ID, models.DealUpdate{Name: ptr("x")})
		notFound(t, none, err, "update a deleted deal")
	})

	t.Run("concurrent updates of one deal all land", func(t *testing.T) {
		w := ws()
		d := deal(w, models.NewID(), "p1")
		ok(t, s.CreateDeal(ctx, d), "create")
		updates := []models.DealUpdate{{StageID: ptr("s9")}, {Name: ptr("Renamed")}, {Amount: ptr(7.0)}, {Currency: ptr("GBP")}}
		seqs := make([]int64, len(updates))
		errs := make([]error, len(updates))
		var wg sync.WaitGroup
		for i, u := range updates {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var up *models.Deal
				if up, errs[i] = s.UpdateDeal(ctx, w, d.ID, u); up != nil {
					seqs[i] = up.Seq
				}
			}()
		}
		wg.Wait()
		seen := map[int64]bool{}
		for i := range updates {
			ok(t, errs[i], "concurrent update")
			if seqs[i] <= d.Seq || seen[seqs[i]] {
				t.Fatalf("concurrent updates took sequences %v after %d, want distinct ones above it", seqs, d.Seq)
			}
			seen[seqs[i]] = true
		}
		got, err := s.Deal(ctx, w, d.ID)
		ok(t, err, "read")
		if got.StageID != "s9" || got.Name != "Renamed" || got.Amount != 7 || got.Currency != "GBP" || got.Seq != slices.Max(seqs) {
			t.Fatalf("after concurrent updates %+v (sequences %v): an update was lost", got, seqs)
		}
	})

	t.Run("deals listed newest first, filtered", func(t *testing.T) {
		w := ws()
		mk := func(id, pipe, sub, conv string) {
			d := deal(w, id, pipe)
			d.SubscriberID, d.ConversationID = sub, conv
			ok(t, s.CreateDeal(ctx, d), "create")
		}
		f.clock.tick()
		mk("d-old", "p1", "sub1", "c1")
		f.clock.tick()
		mk("d-a", "p1", "sub2", "c2")
		mk("d-c", "p2", "sub1", "c1") // same time: the larger id first
		mk("d-b", "p1", "sub1", "c3")
		mk("d-gone", "p1", "sub1", "c1")
		ok(t, s.DeleteDeal(ctx, w, "d-gone"), "delete")
		other := ws()
		ok(t, s.CreateDeal(ctx, deal(other, "d-x", "p1")), "other workspace")
		for _, c := range []struct {
			f    models.DealFilter
			want []string
		}{
			{models.DealFilter{}, []string{"d-c", "d-b", "d-a", "d-old"}},
			{models.DealFilter{PipelineID: "p1"}, []string{"d-b", "d-a", "d-old"}},
			{models.DealFilter{SubscriberID: "sub1"}, []string{"d-c", "d-b", "d-old"}},
			{models.DealFilter{ConversationID: "c1"}, []string{"d-c", "d-old"}},
			{models.DealFilter{PipelineID: "p1", SubscriberID: "sub1", ConversationID: "c1"}, []string{"d-old"}},
			{models.DealFilter{PipelineID: "none"}, []string{}},
		} {
			list, err := s.Deals(ctx, w, c.f)
			ok(t, err, "list")
			if list == nil {
				t.Fatalf("filter %+v: nil list, want an empty one", c.f)
			}
			if got, want := ids(list, dealID), sprint(c.want); got != want {
				t.Fatalf("filter %+v: listed %s, want %s", c.f, got, want)
			}
		}
	})
}
