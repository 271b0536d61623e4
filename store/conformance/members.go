package conformance

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func member(ws, email string) *models.Member {
	return &models.Member{ID: models.NewID(), Email: email, Name: "Ann", Role: models.RoleEmployee,
		Status: models.MemberActive, Stamp: models.Stamp{WS: ws}}
}

func email() string { return strings.ToLower(models.NewID()) + "@example.com" }

// RunMembers checks models.MemberStore.
func RunMembers(t *testing.T, open Open) { runMembers(t, newFixture(t, open)) }

func runMembers(t *testing.T, f *fixture) {
	s := f.s

	t.Run("create stamps and reads back every field", func(t *testing.T) {
		w := ws()
		m := member(w, email())
		m.Role, m.Status = models.RoleAdmin, models.MemberInvited
		m.PasswordHash, m.InviteHash = "phash", "ihash-"+models.NewID()
		m.InviteExpiry = start.Add(48 * time.Hour)
		m.PasswordChangeRequired = true
		m.Stamp = models.Stamp{WS: w, Seq: 999, Deleted: true} // a caller cannot forge the stamp
		at := f.clock.tick()
		ok(t, s.CreateMember(ctx, m), "create")
		stamped(t, m.Stamp, w, at, false, "create")
		if !m.CreatedAt.Equal(at) {
			t.Fatalf("created at %v, want %v", m.CreatedAt, at)
		}
		f.inserted(t, w, models.TableMembers, m.ID, m.Seq)
		f.highest(t, w, m.Seq)
		got, err := s.Member(ctx, w, m.ID)
		ok(t, err, "read")
		if got.ID != m.ID || got.Email != m.Email || got.Name != m.Name || got.Role != m.Role || got.Status != m.Status ||
			!got.CreatedAt.Equal(at) || !got.PasswordChangeRequired || got.PasswordHash != "phash" ||
			got.InviteHash != m.InviteHash || !got.InviteExpiry.Equal(m.InviteExpiry) || got.Stamp != m.Stamp {
			t.Fatalf("read %+v, want %+v", got, m)
		}
	})

	t.Run("email is unique per workspace", func(t *testing.T) {
		w1, w2, e := ws(), ws(), email()
		first := member(w1, e)
		ok(t, s.CreateMember(ctx, first), "create")
		wantCode(t, s.CreateMember(ctx, member(w1, e)), models.CodeConflict, "same email, same workspace")
		ok(t, s.CreateMember(ctx, member(w2, e)), "same email, other workspace")
		dup := member(w1, email())
		dup.ID = first.ID
		wantCode(t, s.CreateMember(ctx, dup), models.CodeConflict, "same id")
		n, err := s.CountMembers(ctx, w1, "", "")
		ok(t, err, "count")
		if n != 1 {
			t.Fatalf("workspace has %d members after the conflicts, want 1", n)
		}
	})

	t.Run("one of concurrent creates with one email wins", func(t *testing.T) {
		w, e := ws(), email()
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.CreateMember(ctx, member(w, e))
			}()
		}
		wg.Wait()
		oneWinner(t, errs, "creates with one email")
	})

	t.Run("unknown and other workspace's are not found", func(t *testing.T) {
		w := ws()
		m := member(w, email())
		ok(t, s.CreateMember(ctx, m), "create")
		got, err := s.Member(ctx, w, models.NewID())
		notFound(t, got, err, "unknown id")
		got, err = s.Member(ctx, ws(), m.ID)
		notFound(t, got, err, "other workspace")
		got, err = s.UpdateMember(ctx, ws(), m.ID, models.MemberUpdate{Name: ptr("Eve")})
		notFound(t, got, err, "update from another workspace")
		got, err = s.UpdateMember(ctx, w, models.NewID(), models.MemberUpdate{Name: ptr("Eve")})
		notFound(t, got, err, "update of an unknown id")
		read, err := s.Member(ctx, w, m.ID)
		ok(t, err, "read")
		if read.Name != "Ann" || read.Seq != m.Seq {
			t.Fatalf("a refused update changed the member: %+v", read)
		}
		f.highest(t, w, m.Seq)
	})

	t.Run("by email: every workspace, oldest first, bounded", func(t *testing.T) {
		e := email()
		var want []string
		for i := range models.MaxMembersPerEmail + 1 {
			if i%2 == 0 { // every other one shares the previous one's creation time
				f.clock.tick()
			}
			m := member(ws(), e)
			ok(t, s.CreateMember(ctx, m), "create")
			want = append(want, m.ID)
		}
		// Same creation time: the smaller id first. Ids are random here.
		ms, err := s.MembersByEmail(ctx, e)
		ok(t, err, "by email")
		if len(ms) != models.MaxMembersPerEmail {
			t.Fatalf("%d members, want the bound %d", len(ms), models.MaxMembersPerEmail)
		}
		for i := 1; i < len(ms); i++ {
			a, b := ms[i-1], ms[i]
			if a.CreatedAt.After(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID > b.ID {
				t.Fatalf("members %d and %d out of order: %v %s, %v %s", i-1, i, a.CreatedAt, a.ID, b.CreatedAt, b.ID)
			}
			if a.Email != e {
				t.Fatalf("member of email %q", a.Email)
			}
		}
		// The last one created (alone at its time) is the one left out.
		for _, m := range ms {
			if m.ID == want[len(want)-1] {
				t.Fatalf("the newest member was listed instead of an older one")
			}
		}
		none, err := s.MembersByEmail(ctx, email())
		ok(t, err, "unknown email")
		if len(none) != 0 {
			t.Fatalf("unknown email found %d members", len(none))
		}
	})

	t.Run("by invite", func(t *testing.T) {
		w := ws()
		m := member(w, email())
		m.Status, m.InviteHash = models.MemberInvited, "inv-"+models.NewID()
		ok(t, s.CreateMember(ctx, m), "create")
		got, err := s.MemberByInvite(ctx, m.InviteHash)
		ok(t, err, "by invite")
		if got.ID != m.ID || got.WS != w {
			t.Fatalf("by invite found %+v", got)
		}
		active := member(w, email())
		active.InviteHash = "inv-" + models.NewID()
		ok(t, s.CreateMember(ctx, active), "create active")
		got, err = s.MemberByInvite(ctx, active.InviteHash)
		notFound(t, got, err, "invite of a member not invited")
		got, err = s.MemberByInvite(ctx, "inv-unknown")
		notFound(t, got, err, "unknown invite")
		// Accepting clears the invite; two cleared invites do not collide.
		for _, id := range []string{m.ID, active.ID} {
			_, err = s.UpdateMember(ctx, w, id, models.MemberUpdate{Status: ptr(models.MemberActive), ClearInvite: true})
			ok(t, err, "accept")
		}
		got, err = s.MemberByInvite(ctx, m.InviteHash)
		notFound(t, got, err, "accepted invite")
		read, err := s.Member(ctx, w, m.ID)
		ok(t, err, "read")
		if read.InviteHash != "" || read.Status != models.MemberActive {
			t.Fatalf("accepted member %+v", read)
		}
	})

	t.Run("list by id in pages, filtered", func(t *testing.T) {
		w := ws()
		roles := []models.Role{models.RoleEmployee, models.RoleAdmin, models.RoleEmployee, models.RoleFollower, models.RoleEmployee, models.RoleEmployee}
		var employees []string
		for i, r := range roles {
			m := member(w, email())
			m.ID = fmt.Sprintf("m-%d", (i*7)%len(roles)) // inserted out of id order
			m.Role = r
			if i == 5 {
				m.Status = models.MemberDeactivated
			}
			ok(t, s.CreateMember(ctx, m), "create")
			if r == models.RoleEmployee && i != 5 {
				employees = append(employees, m.ID)
			}
		}
		ok(t, s.CreateMember(ctx, member(ws(), email())), "member of another workspace")
		var all []string
		cursor := ""
		for pages := 0; ; pages++ {
			page, next, err := s.Members(ctx, w, models.MemberFilter{Page: models.Page{Limit: 2, Cursor: cursor}})
			ok(t, err, "page")
			if len(page) > 2 || pages > 3 {
				t.Fatalf("page of %d, page %d", len(page), pages)
			}
			for _, m := range page {
				all = append(all, m.ID)
			}
			if next == "" {
				break
			}
			if next != page[len(page)-1].ID {
				t.Fatalf("cursor %q, want the page's last id %q", next, page[len(page)-1].ID)
			}
			cursor = next
		}
		if strings.Join(all, ",") != "m-0,m-1,m-2,m-3,m-4,m-5" {
			t.Fatalf("listed %v, want every member by id", all)
		}
		// A page of no members (a limit of 0 or less) is empty, with no cursor.
		for _, limit := range []int{0, -1} {
			page, next, err := s.Members(ctx, w, models.MemberFilter{Page: models.Page{Limit: limit}})
			ok(t, err, fmt.Sprintf("limit %d", limit))
			if len(page) != 0 || next != "" {
				t.Fatalf("limit %d: %d members and cursor %q, want none", limit, len(page), next)
			}
		}
		// A page exactly as long as what is left has no next cursor.
		page, next, err := s.Members(ctx, w, models.MemberFilter{Role: models.RoleEmployee, Status: models.MemberActive, Page: models.Page{Limit: 3}})
		ok(t, err, "filtered")
		if len(page) != 3 || next != "" {
			t.Fatalf("active employees: %d and cursor %q, want 3 and none", len(page), next)
		}
		page, next, err = s.Members(ctx, w, models.MemberFilter{Role: models.RoleEmployee, Status: models.MemberActive, Page: models.Page{Limit: 2}})
		ok(t, err, "filtered")
		if len(page) != 2 || next != page[1].ID {
			t.Fatalf("active employees, limit 2: %d and cursor %q", len(page), next)
		}
		n, err := s.CountMembers(ctx, w, models.RoleEmployee, models.MemberActive)
		ok(t, err, "count")
		if n != int64(len(employees)) {
			t.Fatalf("counted %d active employees, want %d", n, len(employees))
		}
		n, err = s.CountMembers(ctx, w, "", models.MemberDeactivated)
		ok(t, err, "count")
		if n != 1 {
			t.Fatalf("counted %d deactivated, want 1", n)
		}
	})

	t.Run("count across workspaces", func(t *testing.T) {
		before, err := s.CountMembers(ctx, "", models.RoleFollower, "")
		ok(t, err, "count")
		for range 3 {
			m := member(ws(), email())
			m.Role = models.RoleFollower
			ok(t, s.CreateMember(ctx, m), "create")
		}
		after, err := s.CountMembers(ctx, "", models.RoleFollower, "")
		ok(t, err, "count")
		if after != before+3 {
			t.Fatalf("followers in all workspaces %d, then %d after 3 more", before, after)
		}
	})

	t.Run("update stamps every change", func(t *testing.T) {
		w := ws()
		m := member(w, email())
		m.Status = models.MemberInvited
		ok(t, s.CreateMember(ctx, m), "create")
		prev := m.Seq
		at := f.clock.tick()
		got, err := s.UpdateMember(ctx, w, m.ID, models.MemberUpdate{Name: ptr("Bea"), PasswordHash: ptr("p2"), PasswordChangeRequired: ptr(true)})
		ok(t, err, "update")
		rises(t, prev, got.Seq, "update")
		stamped(t, got.Stamp, w, at, false, "update")
		if got.Name != "Bea" || got.PasswordHash != "p2" || !got.PasswordChangeRequired || got.ScopeSeq != 0 || !got.CreatedAt.Equal(m.CreatedAt) {
			t.Fatalf("updated %+v", got)
		}
		f.logged(t, w, models.TableMembers, m.ID, got.Seq, false)
		f.highest(t, w, got.Seq)

		// A role change records its sequence as the member's scope sequence.
		prev = got.Seq
		got, err = s.UpdateMember(ctx, w, m.ID, models.MemberUpdate{Role: ptr(models.RoleFollower)})
		ok(t, err, "role")
		rises(t, prev, got.Seq, "role change")
		if got.Role != models.RoleFollower || got.ScopeSeq != got.Seq {
			t.Fatalf("after a role change role %s, scope %d, seq %d", got.Role, got.ScopeSeq, got.Seq)
		}

		// ExpectStatus: the update applies only in that status.
		prev = got.Seq
		got, err = s.UpdateMember(ctx, w, m.ID, models.MemberUpdate{Name: ptr("X"), ExpectStatus: models.MemberActive})
		notFound(t, got, err, "update expecting another status")
		read, err := s.Member(ctx, w, m.ID)
		ok(t, err, "read")
		if read.Name != "Bea" || read.Seq != prev {
			t.Fatalf("a refused update changed the member: %+v", read)
		}
		f.highest(t, w, prev)
		got, err = s.UpdateMember(ctx, w, m.ID, models.MemberUpdate{Status: ptr(models.MemberActive), ExpectStatus: models.MemberInvited})
		ok(t, err, "update expecting the status")
		if got.Status != models.MemberActive || got.ScopeSeq != prev {
			t.Fatalf("after accepting %+v", got)
		}
		read, err = s.Member(ctx, w, m.ID)
		ok(t, err, "read")
		if read.Stamp != got.Stamp || read.Status != models.MemberActive || read.Role != models.RoleFollower {
			t.Fatalf("read %+v, update returned %+v", read, got)
		}
	})
}
