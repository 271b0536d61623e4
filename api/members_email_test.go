package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/models"
)

// TestMemberEmailOfAnotherWorkspaceIsNotRevealed: adding an email that a
// member of another workspace has answers as for a new email and makes a
// separate account; only this workspace's own members conflict.
func TestMemberEmailOfAnotherWorkspaceIsNotRevealed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.admin("a@example.com")
	b := e.admin("b@example.com")
	add := func(token, email, password string) resp {
		body := map[string]string{"email": email, "name": "Sam", "role": "employee"}
		if password != "" {
			body["password"] = password
		}
		return e.call("POST", "/v1/members", token, body)
	}
	wantStatus(t, add(b.AccessToken, "sam@example.com", "b-password"), http.StatusCreated)

	// To A, an email of B's and a new one answer alike, invited or given a password.
	for _, email := range []string{"sam@example.com", "Admin-B@example.com", "new@example.com"} {
		if email == "Admin-B@example.com" {
			email = "b@example.com"
		}
		r := add(a.AccessToken, email, "")
		wantStatus(t, r, http.StatusCreated)
		var m struct {
			models.Member
			InviteToken string `json:"invite_token"`
		}
		r.JSON(t, &m)
		if m.Email != email || m.Status != models.MemberInvited || m.InviteToken == "" {
			t.Fatalf("adding %s: %+v", email, m)
		}
		wantStatus(t, e.call("GET", "/v1/members/"+m.ID, a.AccessToken, nil), http.StatusOK)
	}
	r := add(a.AccessToken, "SAM@example.com", "a-password")
	wantStatus(t, r, http.StatusConflict) // A's own invited Sam
	if p := r.Problem(t); strings.Contains(p.Detail, "installation") || strings.Contains(p.Detail, "another") {
		t.Fatalf("conflict speaks of other workspaces: %q", p.Detail)
	}
	wantStatus(t, add(a.AccessToken, "sam2@example.com", "a-password"), http.StatusCreated)
	wantStatus(t, add(b.AccessToken, "sam2@example.com", "b-password"), http.StatusCreated)

	// Each account logs in with its own password, into its own workspace.
	for pw, ws := range map[string]string{"a-password": a.Workspace.ID, "b-password": b.Workspace.ID} {
		tk := e.login("sam2@example.com", pw)
		if tk.Workspace.ID != ws || tk.Member.Email != "sam2@example.com" {
			t.Fatalf("%s opened workspace %s, want %s", pw, tk.Workspace.ID, ws)
		}
	}
	r = e.call("POST", "/v1/auth/login", "", map[string]string{"email": "sam2@example.com", "password": "a-password", "workspace": b.Workspace.ID})
	wantStatus(t, r, http.StatusUnauthorized)
	r = e.call("POST", "/v1/auth/login", "", map[string]string{"email": "sam2@example.com", "password": "b-password", "workspace": b.Workspace.ID})
	wantStatus(t, r, http.StatusOK)
}

// TestLoginSamePasswordInTwoWorkspaces: without a workspace the oldest
// account opens and the answer names the other; with one, that one opens.
func TestLoginSamePasswordInTwoWorkspaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.admin("a@example.com")
	b := e.admin("b@example.com")
	for _, tk := range []tokens{b, a} { // B's account is the older
		r := e.call("POST", "/v1/members", tk.AccessToken, map[string]string{"email": "twin@example.com", "name": "Twin", "role": "employee", "password": "same-password"})
		wantStatus(t, r, http.StatusCreated)
	}
	r := e.call("POST", "/v1/auth/login", "", map[string]string{"email": "twin@example.com", "password": "same-password"})
	wantStatus(t, r, http.StatusOK)
	var got struct {
		Workspace       models.Workspace   `json:"workspace"`
		OtherWorkspaces []models.Workspace `json:"other_workspaces"`
	}
	r.JSON(t, &got)
	if got.Workspace.ID != b.Workspace.ID || len(got.OtherWorkspaces) != 1 || got.OtherWorkspaces[0].ID != a.Workspace.ID {
		t.Fatalf("login without workspace: %+v", got)
	}
	r = e.call("POST", "/v1/auth/login", "", map[string]string{"email": "twin@example.com", "password": "same-password", "workspace": a.Workspace.ID})
	wantStatus(t, r, http.StatusOK)
	got.OtherWorkspaces = nil
	r.JSON(t, &got)
	if got.Workspace.ID != a.Workspace.ID || len(got.OtherWorkspaces) != 0 {
		t.Fatalf("login with workspace: %+v", got)
	}
}

// TestFirstRunRaceMakesOneAdmin: instances starting together on an empty
// database make one first-run admin between them, though emails alone no
// longer are unique across workspaces.
func TestFirstRunRaceMakesOneAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 6
	passwords := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, pw, err := e.auth.FirstRun(context.Background(), "admin@switchboard.local", "Switchboard")
			if err != nil {
				t.Error(err)
			}
			passwords <- pw
		}()
	}
	wg.Wait()
	close(passwords)
	got := ""
	for pw := range passwords {
		if pw != "" && got != "" {
			t.Fatal("two instances made a first-run admin")
		}
		if pw != "" {
			got = pw
		}
	}
	if got == "" {
		t.Fatal("no first-run admin")
	}
	if n, err := e.db.CountMembers(context.Background(), "", "", ""); err != nil || n != 1 {
		t.Fatalf("%d members after the race (%v)", n, err)
	}
	e.login("admin@switchboard.local", got)
}
