package conformance

import (
	"fmt"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

func flow(ws, id, bot, name string) *models.Flow {
	return &models.Flow{ID: id, BotID: bot, Name: name, Steps: []models.FlowStep{{Text: "Hi"}, {Text: "Bye"}}, Stamp: models.Stamp{WS: ws}}
}

func flowID(f *models.Flow) string       { return f.ID }
func commandID(c *models.Command) string { return c.ID }

// RunFlows checks models.FlowStore.
func RunFlows(t *testing.T, open Open) { runFlows(t, newFixture(t, open)) }

func runFlows(t *testing.T, f *fixture) {
	s := f.s

	t.Run("flows", func(t *testing.T) {
		w := ws()
		fl := flow(w, models.NewID(), "bot1", "Welcome")
		at := f.clock.tick()
		ok(t, s.CreateFlow(ctx, fl), "create")
		stamped(t, fl.Stamp, w, at, false, "create")
		if !fl.CreatedAt.Equal(at) {
			t.Fatalf("created at %v", fl.CreatedAt)
		}
		f.inserted(t, w, "flows", fl.ID, fl.Seq)
		got, err := s.Flow(ctx, w, fl.ID)
		ok(t, err, "read")
		if got.ID != fl.ID || got.BotID != "bot1" || got.Name != "Welcome" || sprint(got.Steps) != sprint(fl.Steps) ||
			!got.CreatedAt.Equal(at) || got.Stamp != fl.Stamp {
			t.Fatalf("read %+v, want %+v", got, fl)
		}
		wantCode(t, s.CreateFlow(ctx, flow(w, fl.ID, "bot2", "Dup")), models.CodeConflict, "duplicate id")
		got, err = s.Flow(ctx, ws(), fl.ID)
		notFound(t, got, err, "other workspace")
		got, err = s.Flow(ctx, w, models.NewID())
		notFound(t, got, err, "unknown")

		for _, x := range []*models.Flow{flow(w, "f-b", "bot1", "Away"), flow(w, "f-a", "bot1", "Away"), flow(w, "f-o", "bot2", "A"), flow(w, "f-gone", "bot1", "B")} {
			ok(t, s.CreateFlow(ctx, x), "create")
		}
		ok(t, s.DeleteFlow(ctx, w, "f-gone"), "delete")
		other := ws()
		ok(t, s.CreateFlow(ctx, flow(other, "f-x", "bot1", "A")), "other workspace")
		list, err := s.Flows(ctx, w, "bot1")
		ok(t, err, "list")
		if got, want := ids(list, flowID), sprint([]string{"f-a", "f-b", fl.ID}); got != want {
			t.Fatalf("listed %s, want %s (by name, then id)", got, want)
		}
		none, err := s.Flows(ctx, w, "bot-none")
		ok(t, err, "list none")
		if none == nil || len(none) != 0 {
			t.Fatalf("no flows listed as %#v", none)
		}

		at = f.clock.tick()
		up, err := s.UpdateFlow(ctx, w, fl.ID, ptr("Hello"), nil)
		ok(t, err, "rename")
		rises(t, fl.Seq, up.Seq, "rename")
		stamped(t, up.Stamp, w, at, false, "rename")
		if up.Name != "Hello" || len(up.Steps) != 2 || up.BotID != "bot1" {
			t.Fatalf("renamed %+v", up)
		}
		f.logged(t, w, "flows", fl.ID, up.Seq, false)
		steps := []models.FlowStep{{Text: "One"}}
		up2, err := s.UpdateFlow(ctx, w, fl.ID, nil, &steps)
		ok(t, err, "steps")
		rises(t, up.Seq, up2.Seq, "steps")
		if up2.Name != "Hello" || sprint(up2.Steps) != sprint(steps) {
			t.Fatalf("after new steps %+v", up2)
		}
		nf, err := s.UpdateFlow(ctx, other, fl.ID, ptr("x"), nil)
		notFound(t, nf, err, "update from another workspace")

		wantCode(t, s.DeleteFlow(ctx, other, fl.ID), models.CodeNotFound, "delete from another workspace")
		ok(t, s.DeleteFlow(ctx, w, fl.ID), "delete")
		f.deletion(t, w, "flows", fl.ID, up2.Seq)
		got, err = s.Flow(ctx, w, fl.ID)
		notFound(t, got, err, "deleted")
		wantCode(t, s.DeleteFlow(ctx, w, fl.ID), models.CodeNotFound, "delete again")
		nf, err = s.UpdateFlow(ctx, w, fl.ID, ptr("x"), nil)
		notFound(t, nf, err, "update a deleted flow")
	})

	t.Run("commands in feed order", func(t *testing.T) {
		w := ws()
		var seqs []int64
		var all []*models.Command
		for i := range 5 {
			bot := "bot1"
			if i == 2 {
				bot = "bot2"
			}
			c := &models.Command{ID: fmt.Sprintf("c-%d", 9-i), BotID: bot, SubscriberID: "sub1", Kind: models.CommandStartFlow,
				FlowID: "f1", Text: "t", By: "m1", Stamp: models.Stamp{WS: w}}
			at := f.clock.tick()
			ok(t, s.AddCommand(ctx, c), "add")
			stamped(t, c.Stamp, w, at, false, "add")
			f.inserted(t, w, "commands", c.ID, c.Seq)
			if !c.CreatedAt.Equal(at) {
				t.Fatalf("created at %v", c.CreatedAt)
			}
			if len(seqs) > 0 {
				rises(t, seqs[len(seqs)-1], c.Seq, "command")
			}
			seqs = append(seqs, c.Seq)
			all = append(all, c)
		}
		other := ws()
		ok(t, s.AddCommand(ctx, &models.Command{ID: "c-x", BotID: "bot1", SubscriberID: "s", Kind: models.CommandStopFlow, Stamp: models.Stamp{WS: other}}), "other workspace")
		safe, err := s.SafeSeq(ctx, w)
		ok(t, err, "safe seq")
		if safe != seqs[4] {
			t.Fatalf("high-water mark %d, want the last command's %d", safe, seqs[4])
		}
		got, err := s.BotCommands(ctx, w, "bot1", 0, safe, 100)
		ok(t, err, "commands")
		if ids(got, commandID) != "[c-9 c-8 c-6 c-5]" {
			t.Fatalf("bot1's commands %s, want them in sequence order", ids(got, commandID))
		}
		first := got[0]
		if first.BotID != "bot1" || first.SubscriberID != "sub1" || first.Kind != models.CommandStartFlow || first.FlowID != "f1" ||
			first.Text != "t" || first.By != "m1" || first.Stamp != all[0].Stamp || !first.CreatedAt.Equal(all[0].CreatedAt) {
			t.Fatalf("read %+v, want %+v", first, all[0])
		}
		// (after, upTo] at both ends, and the limit.
		got, err = s.BotCommands(ctx, w, "bot1", seqs[0], seqs[3], 100)
		ok(t, err, "range")
		if ids(got, commandID) != "[c-8 c-6]" {
			t.Fatalf("commands in (%d, %d]: %s", seqs[0], seqs[3], ids(got, commandID))
		}
		got, err = s.BotCommands(ctx, w, "bot1", 0, safe, 2)
		ok(t, err, "limit")
		if ids(got, commandID) != "[c-9 c-8]" {
			t.Fatalf("first 2 commands: %s", ids(got, commandID))
		}
		got, err = s.BotCommands(ctx, other, "bot2", 0, safe, 100)
		ok(t, err, "none")
		if got == nil || len(got) != 0 {
			t.Fatalf("bot2 of another workspace: %#v", got)
		}
		dup := *all[0]
		wantCode(t, s.AddCommand(ctx, &dup), models.CodeConflict, "duplicate id")
		empty, err := s.SafeSeq(ctx, ws())
		ok(t, err, "safe seq of an empty workspace")
		if empty != 0 {
			t.Fatalf("an empty workspace's high-water mark is %d", empty)
		}
	})
	// SetActiveFlow writes the subscriber: a new sequence, logged, each
	// time the flow is set or cleared.
	t.Run("active flow", func(t *testing.T) {
		w := ws()
		sub, _, err := s.EnsureSubscriber(ctx, subscriber(w, "bot1", "1", "Ann"))
		ok(t, err, "ensure")
		at := f.clock.tick()
		a := &models.ActiveFlow{FlowID: "f1", Name: "Welcome", StartedAt: at, StartedBy: "m1", Pending: []models.FlowStep{{Text: "Bye"}}}
		set, err := s.SetActiveFlow(ctx, w, sub.ID, a)
		ok(t, err, "set")
		rises(t, sub.Seq, set.Seq, "set")
		stamped(t, set.Stamp, w, at, false, "set")
		if set.ActiveFlow == nil || sprint(*set.ActiveFlow) != sprint(*a) || set.Name != "Ann" {
			t.Fatalf("set %+v, want active flow %+v", set, a)
		}
		f.logged(t, w, models.TableSubscribers, sub.ID, set.Seq, false)
		got, err := s.Subscriber(ctx, w, sub.ID)
		ok(t, err, "read")
		if got.ActiveFlow == nil || sprint(*got.ActiveFlow) != sprint(*a) || !got.ActiveFlow.StartedAt.Equal(at) || got.Stamp != set.Stamp {
			t.Fatalf("read %+v, want active flow %+v", got, a)
		}
		cleared, err := s.SetActiveFlow(ctx, w, sub.ID, nil)
		ok(t, err, "clear")
		rises(t, set.Seq, cleared.Seq, "clear")
		if cleared.ActiveFlow != nil {
			t.Fatalf("cleared %+v", cleared)
		}
		f.logged(t, w, models.TableSubscribers, sub.ID, cleared.Seq, false)
		got, err = s.Subscriber(ctx, w, sub.ID)
		ok(t, err, "read")
		if got.ActiveFlow != nil {
			t.Fatalf("read after clearing %+v", got.ActiveFlow)
		}
		nf, err := s.SetActiveFlow(ctx, ws(), sub.ID, a)
		notFound(t, nf, err, "another workspace")
		nf, err = s.SetActiveFlow(ctx, w, models.NewID(), a)
		notFound(t, nf, err, "unknown subscriber")
		f.highest(t, w, cleared.Seq)
		ok(t, s.DeleteSubscriber(ctx, w, sub.ID), "delete")
		tomb, err := s.SafeSeq(ctx, w)
		ok(t, err, "high-water mark")
		nf, err = s.SetActiveFlow(ctx, w, sub.ID, a)
		notFound(t, nf, err, "deleted subscriber")
		f.highest(t, w, tomb)
	})
}
