package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestAdminManagesMembers(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	r := e.call("POST", "/v1/members", admin.AccessToken, map[string]string{"email": "e@example.com", "name": "Eve", "role": "employee", "password": "member-password"})
	wantStatus(t, r, http.StatusCreated)
	var m models.Member
	r.JSON(t, &m)
	if m.Status != models.MemberActive || m.Role != models.RoleEmployee || m.Seq == 0 {
		t.Fatalf("created %+v", m)
	}

	// Same email again, in any case: conflict.
	r = e.call("POST", "/v1/members", admin.AccessToken, map[string]string{"email": "E@Example.com", "name": "Eve 2", "role": "employee"})
	wantStatus(t, r, http.StatusConflict)

	r = e.call("PATCH", "/v1/members/"+m.ID, admin.AccessToken, map[string]string{"role": "follower", "name": "Eve F."})
	wantStatus(t, r, http.StatusOK)
	var upd models.Member
	r.JSON(t, &upd)
	if upd.Role != models.RoleFollower || upd.Name != "Eve F." || upd.Seq <= m.Seq {
		t.Fatalf("update %+v (seq before %d)", upd, m.Seq)
	}

	r = e.call("GET", "/v1/members?limit=1", admin.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	var page struct {
		Items      []models.Member `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
	r.JSON(t, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("page 1: %+v", page)
	}
	r = e.call("GET", "/v1/members?limit=1&cursor="+page.NextCursor, admin.AccessToken, nil)
	var page2 struct {
		Items      []models.Member `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
	r.JSON(t, &page2)
	if len(page2.Items) != 1 || page2.Items[0].ID == page.Items[0].ID || page2.NextCursor != "" {
		t.Fatalf("page 2: %+v", page2)
	}
	r = e.call("GET", "/v1/members?role=follower", admin.AccessToken, nil)
	r.JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != m.ID {
		t.Fatalf("role filter: %+v", page.Items)
	}
}

func TestInviteFlow(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	r := e.call("POST", "/v1/members", admin.AccessToken, map[string]string{"email": "new@example.com", "name": "New", "role": "follower"})
	wantStatus(t, r, http.StatusCreated)
	var created struct {
		models.Member
		InviteToken string `json:"invite_token"`
	}
	r.JSON(t, &created)
	if created.Status != models.MemberInvited || !strings.HasPrefix(created.InviteToken, "sbi_") {
		t.Fatalf("invite: %+v", created)
	}
	// An invited member cannot log in yet, whatever the password.
	wantStatus(t, e.call("POST", "/v1/auth/login", "", map[string]string{"email": "new@example.com", "password": ""}), http.StatusBadRequest)
	wantStatus(t, e.call("POST", "/v1/auth/login", "", map[string]string{"email": "new@example.com", "password": "anything"}), http.StatusUnauthorized)

	r = e.call("POST", "/v1/auth/accept-invite", "", map[string]string{"token": created.InviteToken, "password": "chosen-password", "name": "Newton"})
	wantStatus(t, r, http.StatusOK)
	var tk tokens
	r.JSON(t, &tk)
	if tk.Member.Status != models.MemberActive || tk.Member.Name != "Newton" || tk.Member.Role != models.RoleFollower {
		t.Fatalf("accepted: %+v", tk.Member)
	}
	e.login("new@example.com", "chosen-password")
	// The invite works once.
	wantStatus(t, e.call("POST", "/v1/auth/accept-invite", "", map[string]string{"token": created.InviteToken, "password": "other-password"}), http.StatusUnauthorized)
}

func TestInviteOfDeactivatedMemberIsVoid(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	r := e.call("POST", "/v1/members", admin.AccessToken, map[string]string{"email": "new@example.com", "name": "New", "role": "employee"})
	var created struct {
		ID          string `json:"id"`
		InviteToken string `json:"invite_token"`
	}
	r.JSON(t, &created)
	wantStatus(t, e.call("PATCH", "/v1/members/"+created.ID, admin.AccessToken, map[string]string{"status": "deactivated"}), http.StatusOK)
	wantStatus(t, e.call("POST", "/v1/auth/accept-invite", "", map[string]string{"token": created.InviteToken, "password": "chosen-password"}), http.StatusUnauthorized)
}

// TestAdminsDemotingEachOther: two admins demoting each other at the same
// time never leave the workspace without an admin.
func TestAdminsDemotingEachOther(t *testing.T) {
	e := newEnv(t)
	a := e.admin("a@example.com")
	b := e.member(a.AccessToken, "b@example.com", models.RoleAdmin)
	var wg sync.WaitGroup
	for _, c := range []struct{ who, target tokens }{{a, b}, {b, a}} {
		wg.Add(1)
		go func(who, target tokens) {
			defer wg.Done()
			req, _ := http.NewRequest("PATCH", e.http.URL+"/v1/members/"+target.Member.ID, strings.NewReader(`{"role":"employee"}`))
			req.Header.Set("Authorization", "Bearer "+who.AccessToken)
			req.Header.Set("Content-Type", "application/json")
			if res, err := e.http.Client().Do(req); err == nil {
				res.Body.Close()
			}
		}(c.who, c.target)
	}
	wg.Wait()
	if n, err := e.db.CountMembers(context.Background(), a.Workspace.ID, models.RoleAdmin, models.MemberActive); err != nil || n < 1 {
		t.Fatalf("%d active admins left (%v)", n, err)
	}
}

func TestInviteExpires(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	r := e.call("POST", "/v1/members", admin.AccessToken, map[string]string{"email": "new@example.com", "name": "New", "role": "employee"})
	var created struct {
		InviteToken string `json:"invite_token"`
	}
	r.JSON(t, &created)
	e.clock.Advance(7*24*60*60*1e9 + 1e9)
	wantStatus(t, e.call("POST", "/v1/auth/accept-invite", "", map[string]string{"token": created.InviteToken, "password": "chosen-password"}), http.StatusUnauthorized)
}

func TestDeactivationEndsAccessAtOnce(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	emp := e.member(admin.AccessToken, "e@example.com", models.RoleEmployee)
	wantStatus(t, e.call("PATCH", "/v1/members/"+emp.Member.ID, admin.AccessToken, map[string]string{"status": "deactivated"}), http.StatusOK)
	wantStatus(t, e.call("GET", "/v1/me", emp.AccessToken, nil), http.StatusUnauthorized)
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": emp.RefreshToken}), http.StatusUnauthorized)
	wantStatus(t, e.call("POST", "/v1/auth/login", "", map[string]string{"email": "e@example.com", "password": "member-password"}), http.StatusUnauthorized)
	// Reactivated, the member logs in again; the old session stays revoked.
	wantStatus(t, e.call("PATCH", "/v1/members/"+emp.Member.ID, admin.AccessToken, map[string]string{"status": "active"}), http.StatusOK)
	e.login("e@example.com", "member-password")
	wantStatus(t, e.call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": emp.RefreshToken}), http.StatusUnauthorized)
}

func TestWorkspaceKeepsAnAdmin(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	for _, body := range []map[string]string{{"role": "employee"}, {"status": "deactivated"}} {
		r := e.call("PATCH", "/v1/members/"+admin.Member.ID, admin.AccessToken, body)
		wantStatus(t, r, http.StatusConflict)
	}
	second := e.member(admin.AccessToken, "b@example.com", models.RoleAdmin)
	wantStatus(t, e.call("PATCH", "/v1/members/"+admin.Member.ID, second.AccessToken, map[string]string{"role": "employee"}), http.StatusOK)
	// Now the demoted first admin is refused admin routes at once.
	wantStatus(t, e.call("POST", "/v1/api-keys", admin.AccessToken, map[string]string{"name": "x"}), http.StatusForbidden)
}

func TestRolesOnAdminRoutes(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	emp := e.member(admin.AccessToken, "e@example.com", models.RoleEmployee)
	fol := e.member(admin.AccessToken, "f@example.com", models.RoleFollower)
	before := countMembers(t, e, admin.Workspace.ID)
	for _, who := range []tokens{emp, fol} {
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/v1/members", map[string]string{"email": "x@example.com", "name": "X", "role": "admin", "password": "pppppppp"}},
			{"PATCH", "/v1/members/" + who.Member.ID, map[string]string{"role": "admin"}},
			{"PATCH", "/v1/members/" + admin.Member.ID, map[string]string{"status": "deactivated"}},
			{"PATCH", "/v1/workspace", map[string]string{"name": "Mine now"}},
			{"POST", "/v1/api-keys", map[string]string{"name": "k"}},
			{"GET", "/v1/api-keys", nil},
		} {
			r := e.call(c.method, c.path, who.AccessToken, c.body)
			wantStatus(t, r, http.StatusForbidden)
			if p := r.Problem(t); p.Code != models.CodeForbidden {
				t.Fatalf("code %q", p.Code)
			}
		}
		// Reading the team is allowed to every member.
		wantStatus(t, e.call("GET", "/v1/members", who.AccessToken, nil), http.StatusOK)
	}
	if after := countMembers(t, e, admin.Workspace.ID); after != before {
		t.Fatalf("refused writes changed the team: %d -> %d members", before, after)
	}
	r := e.call("GET", "/v1/members/"+emp.Member.ID, admin.AccessToken, nil)
	var m models.Member
	r.JSON(t, &m)
	if m.Role != models.RoleEmployee || m.Seq != emp.Member.Seq {
		t.Fatalf("refused write changed the member: %+v", m)
	}
	r = e.call("GET", "/v1/workspace", emp.AccessToken, nil)
	var ws models.Workspace
	r.JSON(t, &ws)
	if ws.Name != admin.Workspace.Name {
		t.Fatalf("workspace renamed by a non-admin: %q", ws.Name)
	}
}

func countMembers(t *testing.T, e *env, ws string) int64 {
	t.Helper()
	n, err := e.db.CountMembers(context.Background(), ws, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWorkspaceIsolation(t *testing.T) {
	e := newEnv(t)
	a := e.admin("a@example.com")
	b := e.admin("b@example.com")
	bEmp := e.member(b.AccessToken, "be@example.com", models.RoleEmployee)
	r := e.call("POST", "/v1/api-keys", b.AccessToken, map[string]string{"name": "b's key"})
	var bKey struct {
		ID string `json:"id"`
	}
	r.JSON(t, &bKey)

	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/members/" + bEmp.Member.ID, nil},
		{"PATCH", "/v1/members/" + bEmp.Member.ID, map[string]string{"role": "follower"}},
		{"PATCH", "/v1/members/" + b.Member.ID, map[string]string{"status": "deactivated"}},
		{"GET", "/v1/api-keys/" + bKey.ID, nil},
		{"DELETE", "/v1/api-keys/" + bKey.ID, nil},
	} {
		r := e.call(c.method, c.path, a.AccessToken, c.body)
		wantStatus(t, r, http.StatusNotFound)
		if strings.Contains(string(r.Body), "be@example.com") {
			t.Fatal("404 leaks data")
		}
	}
	r = e.call("GET", "/v1/members", a.AccessToken, nil)
	if strings.Contains(string(r.Body), "b@example.com") || strings.Contains(string(r.Body), "be@example.com") {
		t.Fatal("list shows another workspace's members")
	}
	r = e.call("GET", "/v1/members/"+bEmp.Member.ID, b.AccessToken, nil)
	var m models.Member
	r.JSON(t, &m)
	if m.Role != models.RoleEmployee || m.Seq != bEmp.Member.Seq {
		t.Fatalf("cross-workspace write landed: %+v", m)
	}
	wantStatus(t, e.call("GET", "/v1/api-keys/"+bKey.ID, b.AccessToken, nil), http.StatusOK)
}

func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	admin := e.admin("a@example.com")
	r := e.call("POST", "/v1/api-keys", admin.AccessToken, map[string]string{"name": "bot engine"})
	wantStatus(t, r, http.StatusCreated)
	var key struct {
		ID, Secret, Prefix string
	}
	r.JSON(t, &key)
	if !strings.HasPrefix(key.Secret, "sbk_") || !strings.HasPrefix(key.Secret, key.Prefix) {
		t.Fatalf("key %+v", key)
	}
	r = e.call("GET", "/v1/me", key.Secret, nil)
	wantStatus(t, r, http.StatusOK)
	var me struct {
		Kind   string `json:"kind"`
		APIKey struct {
			ID string `json:"id"`
		} `json:"api_key"`
	}
	r.JSON(t, &me)
	if me.Kind != "api_key" || me.APIKey.ID != key.ID {
		t.Fatalf("me with key: %s", r.Body)
	}
	// Keys are for machines: the team routes want a person.
	wantStatus(t, e.call("GET", "/v1/members", key.Secret, nil), http.StatusForbidden)
	wantStatus(t, e.call("POST", "/v1/api-keys", key.Secret, map[string]string{"name": "escalate"}), http.StatusForbidden)

	r = e.call("GET", "/v1/api-keys", admin.AccessToken, nil)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(string(r.Body), key.Secret) || strings.Contains(string(r.Body), `"hash"`) {
		t.Fatal("listing shows the secret or its hash")
	}
	// A wrong secret with a real key id fails.
	wantStatus(t, e.call("GET", "/v1/me", "sbk_"+key.ID+".wrong", nil), http.StatusUnauthorized)

	r = e.call("GET", "/v1/api-keys/"+key.ID, admin.AccessToken, nil)
	var used struct {
		LastUsedAt *time.Time `json:"last_used_at"`
	}
	r.JSON(t, &used)
	if used.LastUsedAt == nil {
		t.Fatal("the key's use was not recorded")
	}

	wantStatus(t, e.call("DELETE", "/v1/api-keys/"+key.ID, admin.AccessToken, nil), http.StatusNoContent)
	wantStatus(t, e.call("GET", "/v1/me", key.Secret, nil), http.StatusUnauthorized)
}
