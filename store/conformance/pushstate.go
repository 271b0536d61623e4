package conformance

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// RunPushState checks models.PushStateStore.
func RunPushState(t *testing.T, open Open) { runPushState(t, newFixture(t, open)) }

// conflictUnless maps a lost attempt (the result lost reports) to
// CodeConflict, for oneWinner.
func conflictUnless(won bool, err error) error {
	if err == nil && !won {
		return models.Errorf(models.CodeConflict, "taken by another")
	}
	return err
}

// concurrently runs n attempts at once and returns their errors.
func concurrently(n int, attempt func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = attempt(i)
		}()
	}
	wg.Wait()
	return errs
}

func runPushState(t *testing.T, f *fixture) {
	s := f.s
	// slotStart is the start of a time slot of length d (slots count from
	// the Unix epoch) after the suite's start.
	slotStart := func(d time.Duration) time.Time { return start.Truncate(d).Add(d) }

	t.Run("cursor: -1 at first, then only forward", func(t *testing.T) {
		w := ws()
		for _, c := range []struct {
			save, want int64
		}{{-2, -1}, {5, 5}, {3, 5}, {6, 6}} {
			if c.save >= 0 {
				ok(t, s.SavePushCursor(ctx, w, c.save), "save")
			}
			got, err := s.PushCursor(ctx, w)
			ok(t, err, "read")
			if got != c.want {
				t.Fatalf("cursor %d after saving %d, want %d", got, c.save, c.want)
			}
		}
		got, err := s.PushCursor(ctx, ws())
		if err != nil || got != -1 {
			t.Fatalf("cursor of another workspace: %d, %v; want -1", got, err)
		}
	})

	t.Run("a lease has one holder for its slot", func(t *testing.T) {
		name, d := "dispatch:"+ws(), time.Minute
		at := slotStart(d)
		take := func(holder string, now time.Time, want bool) {
			t.Helper()
			got, err := s.TakeLease(ctx, name, holder, now, d)
			ok(t, err, "take")
			if got != want {
				t.Fatalf("%s taking %s at slot start%+v: %v, want %v", holder, name, now.Sub(at), got, want)
			}
		}
		take("a", at, true)
		take("a", at.Add(d-time.Millisecond), true)
		take("b", at, false)
		take("b", at.Add(d-time.Millisecond), false)
		take("b", at.Add(d), true) // the next slot
		take("a", at.Add(d), false)
		got, err := s.TakeLease(ctx, "other:"+ws(), "b", at, d)
		if err != nil || !got {
			t.Fatalf("another lease: %v, %v", got, err)
		}
	})

	t.Run("one of concurrent takers holds a lease", func(t *testing.T) {
		name, d := "dispatch:"+ws(), time.Minute
		errs := concurrently(6, func(i int) error {
			return conflictUnless(s.TakeLease(ctx, name, fmt.Sprintf("holder-%d", i), slotStart(d), d))
		})
		oneWinner(t, errs, "takes of one lease")
	})

	t.Run("one email per member in every period", func(t *testing.T) {
		w, every := ws(), time.Hour
		first := slotStart(every).Add(30 * time.Minute)
		take := func(member, owner string, now time.Time, want bool) {
			t.Helper()
			got, err := s.TakeEmailSlot(ctx, w, member, owner, now, every)
			ok(t, err, "take")
			if got != want {
				t.Fatalf("%s taking %s's email at +%v: %v, want %v", owner, member, now.Sub(first), got, want)
			}
		}
		take("m1", "alert-a", first, true)
		take("m1", "alert-a", first, true) // the same alert asking again
		take("m1", "alert-b", first.Add(time.Millisecond), false)
		take("m1", "alert-b", first.Add(every-time.Millisecond), false) // the next slot, too soon after
		take("m1", "alert-a", first.Add(every-time.Millisecond), true)
		take("m2", "alert-b", first, true) // another member
		got, err := s.TakeEmailSlot(ctx, ws(), "m1", "alert-c", first, every)
		if err != nil || !got {
			t.Fatalf("the member id in another workspace: %v, %v", got, err)
		}
		take("m1", "alert-b", first.Add(every), true) // a whole period later
		take("m1", "alert-a", first.Add(every), false)
	})

	t.Run("one of concurrent alerts gets a member's email", func(t *testing.T) {
		w, every := ws(), time.Hour
		errs := concurrently(6, func(i int) error {
			return conflictUnless(s.TakeEmailSlot(ctx, w, "m1", fmt.Sprintf("alert-%d", i), slotStart(every), every))
		})
		oneWinner(t, errs, "takes of one email slot")
	})

	t.Run("setting: the first value saved wins", func(t *testing.T) {
		name := "vapid-" + models.NewID()
		got, err := s.Setting(ctx, name, "first")
		ok(t, err, "save")
		if got != "first" {
			t.Fatalf("setting %q, want first", got)
		}
		if got, err = s.Setting(ctx, name, "second"); err != nil || got != "first" {
			t.Fatalf("setting %q, %v; want first", got, err)
		}
		name = "vapid-" + models.NewID()
		values := make([]string, 6)
		errs := concurrently(len(values), func(i int) error {
			var err error
			values[i], err = s.Setting(ctx, name, fmt.Sprintf("v%d", i))
			return err
		})
		for i, err := range errs {
			ok(t, err, "concurrent save")
			if values[i] != values[0] || values[i] == "" {
				t.Fatalf("concurrent saves read %v, want one value", values)
			}
		}
	})

	t.Run("a link code is taken once, before it expires", func(t *testing.T) {
		w := ws()
		expires := start.Add(10 * time.Minute)
		hash := "lc-" + models.NewID()
		ok(t, s.SaveLinkCode(ctx, hash, w, "m1", expires), "save")
		wantCode(t, s.SaveLinkCode(ctx, hash, w, "m2", expires), models.CodeConflict, "save the same code again")
		gotWS, gotMember, err := s.TakeLinkCode(ctx, hash, expires.Add(-time.Millisecond))
		ok(t, err, "take")
		if gotWS != w || gotMember != "m1" {
			t.Fatalf("took %s/%s, want %s/m1", gotWS, gotMember, w)
		}
		_, _, err = s.TakeLinkCode(ctx, hash, start)
		wantCode(t, err, models.CodeNotFound, "take again")
		late := "lc-" + models.NewID()
		ok(t, s.SaveLinkCode(ctx, late, w, "m1", expires), "save")
		_, _, err = s.TakeLinkCode(ctx, late, expires)
		wantCode(t, err, models.CodeNotFound, "take when it expires")
		_, _, err = s.TakeLinkCode(ctx, "lc-unknown", start)
		wantCode(t, err, models.CodeNotFound, "take an unknown code")

		once := "lc-" + models.NewID()
		ok(t, s.SaveLinkCode(ctx, once, w, "m1", expires), "save")
		errs := concurrently(6, func(int) error {
			_, _, err := s.TakeLinkCode(ctx, once, start)
			if models.IsNotFound(err) {
				return models.Errorf(models.CodeConflict, "taken by another")
			}
			return err
		})
		oneWinner(t, errs, "takes of one link code")
	})

	t.Run("purge removes what ran out before the cutoff", func(t *testing.T) {
		w, d := ws(), time.Minute
		at := slotStart(d).Add(240 * time.Hour) // after every other lease of the suite
		name := "dispatch:" + w
		got, err := s.TakeLease(ctx, name, "a", at, d)
		if err != nil || !got {
			t.Fatalf("take: %v, %v", got, err)
		}
		got, err = s.TakeEmailSlot(ctx, w, "m1", "alert-a", at, d) // held to at+2d
		if err != nil || !got {
			t.Fatalf("take email: %v, %v", got, err)
		}
		expires := at.Add(time.Hour)
		kept, purged := "lc-"+models.NewID(), "lc-"+models.NewID()
		ok(t, s.SaveLinkCode(ctx, kept, w, "m1", expires), "save")
		ok(t, s.SaveLinkCode(ctx, purged, w, "m1", expires), "save")

		ok(t, s.PurgePushState(ctx, at.Add(d)), "purge at the lease's end")
		if got, err := s.TakeLease(ctx, name, "b", at, d); err != nil || got {
			t.Fatalf("a lease ending at the cutoff was purged: %v, %v", got, err)
		}
		ok(t, s.PurgePushState(ctx, at.Add(d+time.Millisecond)), "purge after the lease's end")
		if got, err := s.TakeLease(ctx, name, "b", at, d); err != nil || !got {
			t.Fatalf("a lease ending before the cutoff was kept: %v, %v", got, err)
		}

		ok(t, s.PurgePushState(ctx, at.Add(2*d)), "purge at the email slot's end")
		if got, err := s.TakeEmailSlot(ctx, w, "m1", "alert-b", at, d); err != nil || got {
			t.Fatalf("an email slot ending at the cutoff was purged: %v, %v", got, err)
		}
		ok(t, s.PurgePushState(ctx, at.Add(2*d+time.Millisecond)), "purge after the email slot's end")
		if got, err := s.TakeEmailSlot(ctx, w, "m1", "alert-b", at, d); err != nil || !got {
			t.Fatalf("an email slot ending before the cutoff was kept: %v, %v", got, err)
		}

		ok(t, s.PurgePushState(ctx, expires), "purge at the codes' expiry")
		_, _, err = s.TakeLinkCode(ctx, kept, expires.Add(-time.Millisecond))
		ok(t, err, "a code expiring at the cutoff was purged")
		ok(t, s.PurgePushState(ctx, expires.Add(time.Millisecond)), "purge after the codes' expiry")
		_, _, err = s.TakeLinkCode(ctx, purged, expires.Add(-time.Millisecond))
		wantCode(t, err, models.CodeNotFound, "a code that expired before the cutoff")
	})
}
