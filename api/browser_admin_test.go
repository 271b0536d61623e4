package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/switchboardhq/switchboard/models"
)

// adminScreens are the settings' sections and forms for admins only.
var adminScreens = []string{"#members", "#bots", "#api-keys", "form#invite", "form#connect-bot", "form#new-key"}

// forEachRole runs admin as the team's admin and, as the employee and the
// follower, checks that their settings have no admin section and that the
// API refuses them what those sections do (refused: method, path, body).
func forEachRole(t *testing.T, cp *consolePushEnv, tm team, admin func(t *testing.T, tb *tab), refused func(tok tokens) []apiCall) {
	t.Helper()
	for _, role := range consoleRoles(tm) {
		t.Run(role.name, func(t *testing.T) {
			tb := openTab(t, cp.http.URL, role.name)
			tb.signIn(role.tok.Member.Email, role.password)
			tb.open("/settings")
			// The admin sections are added with the devices, at once.
			tb.waitFor("the settings", `document.querySelector('#devices') !== null`)
			if role.name == "admin" {
				admin(t, tb)
				return
			}
			for _, sel := range adminScreens {
				if tb.present(sel) {
					t.Errorf("the %s sees the admin section %s", role.name, sel)
				}
			}
			tb.shot("settings")
			for _, c := range refused(role.tok) {
				if r := cp.call(c.method, c.path, role.tok.AccessToken, c.body); r.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as the %s: %d %s, want 403", c.method, c.path, role.name, r.StatusCode, r.Body)
				}
			}
		})
	}
}

// apiCall is one request of the API.
type apiCall struct {
	method, path string
	body         any
}

// memberSel is the members list's row of member id.
func memberSel(id string) string { return fmt.Sprintf(`#members [data-member-id=%s]`, jsString(id)) }

// member reads a member as the admin sees it.
func (cp *consolePushEnv) getMember(admin, id string) models.Member {
	cp.t.Helper()
	r := cp.call("GET", "/v1/members/"+id, admin, nil)
	wantStatus(cp.t, r, http.StatusOK)
	var m models.Member
	r.JSON(cp.t, &m)
	return m
}

// Members, as the admin: the invite shows the one-time invite link as
// text with Copy (the clipboard gets it; opened in another browser it
// signs the new member in with the password they choose; it is not shown
// again), the invited member is listed; a role is changed and
// a member deactivated, and the API agrees. The employee and the
// follower have no members section, and the API refuses them.
func TestBrowserAdminMembers(t *testing.T) {
	t.Parallel()
	cp := newConsolePushEnv(t)
	tm := cp.team()
	admin := tm.admin.AccessToken
	forEachRole(t, cp, tm, func(t *testing.T, tb *tab) {
		tb.waitFor("the team is listed", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(memberSel(tm.emp2.Member.ID))))
		tb.shot("members")

		tb.fill("form#invite input[name=email]", "nora@example.com")
		tb.fill("form#invite input[name=name]", "Nora Vidal")
		tb.choose("form#invite select[name=role]", "follower")
		tb.click("form#invite button[type=submit]")
		linkPrefix := cp.http.URL + "/invite#"
		tb.waitFor("the one-time invite link", fmt.Sprintf(`(document.querySelector('#members .secret code') || {textContent: ''}).textContent.startsWith(%s)`, jsString(linkPrefix)))
		link := tb.text("#members .secret code")
		token, err := url.PathUnescape(strings.TrimPrefix(link, linkPrefix))
		if err != nil || token == "" {
			t.Fatalf("the invite link %q holds no token", link)
		}
		var nora models.Member
		r := cp.call("GET", "/v1/members?limit=200", admin, nil)
		wantStatus(t, r, http.StatusOK)
		var l struct{ Items []models.Member }
		r.JSON(t, &l)
		for _, m := range l.Items {
			if m.Email == "nora@example.com" {
				nora = m
			}
		}
		if nora.ID == "" || nora.Status != models.MemberInvited || nora.Role != models.RoleFollower || nora.Name != "Nora Vidal" {
			t.Fatalf("the invited member on the server: %+v", nora)
		}
		if strings.Contains(string(r.Body), token) {
			t.Fatal("the member list repeats the invite token")
		}
		tb.waitFor("the invited member is listed", fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.status === "invited"`, jsString(memberSel(nora.ID))))
		if got := tb.text(memberSel(nora.ID)); !strings.Contains(got, "Nora Vidal") || !strings.Contains(got, "nora@example.com") {
			t.Errorf("the invited member's row reads %q", got)
		}
		tb.shot("invited")

		// Copy puts the token on the clipboard.
		c := chromedp.FromContext(tb.ctx)
		for _, perm := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(tb.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: perm}, Setting: cdpbrowser.PermissionSettingGranted,
				Origin: cp.http.URL, BrowserContextID: c.BrowserContextID,
			}); err != nil {
				t.Fatalf("grant %s: %v", perm, err)
			}
		}
		tb.click("#members .secret button")
		tb.waitFor("the clipboard holds the link", fmt.Sprintf(`navigator.clipboard.readText().then(s => s === %s, () => false)`, jsString(link)))

		// The link is the invite's: opened in another browser, it lets
		// Nora choose a password and signs her in.
		nb := openTab(t, cp.http.URL, "invited")
		nb.do("open the invite link", chromedp.Navigate(link))
		nb.wait("form#accept-invite input[name=password]")
		nb.fill("form#accept-invite input[name=password]", "nora-password")
		nb.click("form#accept-invite button[type=submit]")
		nb.waitFor("the invited member's inbox", `document.querySelector('#inbox-list') !== null`)
		nb.shot("invite-accepted")
		if m := cp.getMember(admin, nora.ID); m.Status != models.MemberActive {
			t.Fatalf("the invited member is %s after accepting, want active", m.Status)
		}
		cp.login("nora@example.com", "nora-password")

		// A role changed and a member deactivated.
		emp2 := memberSel(tm.emp2.Member.ID)
		tb.choose(emp2+" select.role", "follower")
		tb.waitFor("the new role is shown", fmt.Sprintf(`document.querySelector(%s).dataset.role === "follower"`, jsString(emp2)))
		if m := cp.getMember(admin, tm.emp2.Member.ID); m.Role != models.RoleFollower {
			t.Fatalf("the server has role %s, want follower", m.Role)
		}
		tb.click(emp2 + " button[data-action=deactivate]")
		tb.waitFor("the member shows as deactivated", fmt.Sprintf(`document.querySelector(%s).dataset.status === "deactivated"`, jsString(emp2)))
		if m := cp.getMember(admin, tm.emp2.Member.ID); m.Status != models.MemberDeactivated {
			t.Fatalf("the server has status %s, want deactivated", m.Status)
		}
		if tb.present(memberSel(tm.admin.Member.ID) + " select.role") {
			t.Error("the admin can change their own role")
		}
		tb.shot("member-changed")

		// Shown once: a reload shows no token.
		tb.open("/settings")
		tb.waitFor("the members again", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(memberSel(nora.ID))))
		if tb.present("#members .secret") || strings.Contains(tb.text("#members"), token) {
			t.Fatal("the invite link is shown again after a reload")
		}
	}, func(tok tokens) []apiCall {
		return []apiCall{
			{"POST", "/v1/members", map[string]string{"email": "sneaky@example.com", "name": "Sneaky", "role": "admin"}},
			{"PATCH", "/v1/members/" + tm.emp1.Member.ID, map[string]string{"role": "admin"}},
		}
	})
}

// botSel is the bots list's row of bot id.
func botSel(id string) string { return fmt.Sprintf(`#bots [data-bot-id=%s]`, jsString(id)) }

// Bots, as the admin: a token the Telegram fake refuses shows the field
// error under the token and stores nothing; the fake's token connects
// the bot, listed with its health (connected, polling, the bot's
// account); disconnect and reconnect move it, and the API agrees; a
// token revoked in Telegram shows the bot broken with its error. The
// employee and the follower have no bots section, and the API refuses
// them.
func TestBrowserAdminBots(t *testing.T) {
	t.Parallel()
	cp := newConsolePushEnv(t)
	tm := cp.team()
	admin := tm.admin.AccessToken
	var botID string
	forEachRole(t, cp, tm, func(t *testing.T, tb *tab) {
		tb.wait("form#connect-bot")
		tb.choose("form#connect-bot select[name=channel]", "telegram")
		tb.fill("form#connect-bot input[name=name]", "Support")
		tb.fill("form#connect-bot input[name=token]", "110201543:AAwrongTokenNotKnownToTelegram")
		tb.click("form#connect-bot button[type=submit]")
		tokenErr := `form#connect-bot p.form-error[data-field="credentials.token"]`
		tb.waitFor("the token's field error", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(tokenErr)))
		if got := tb.text(tokenErr); !strings.Contains(got, "Telegram") {
			t.Errorf("the field error reads %q, want Telegram's refusal", got)
		}
		if !eval[bool](tb, `document.querySelector('form#connect-bot input[name=token]').getAttribute('aria-invalid') === 'true'`) {
			t.Error("the token input is not marked invalid")
		}
		if strings.Contains(tb.text("#bots"), "AAwrongToken") {
			t.Error("the page repeats the refused token")
		}
		tb.shot("bot-refused")
		if bots := cp.listBots(admin); len(bots) != 0 {
			t.Fatalf("a refused token stored %+v", bots)
		}

		tb.fill("form#connect-bot input[name=token]", nativeToken)
		if tb.present(tokenErr) {
			t.Error("the field error stays while the token is typed again")
		}
		tb.click("form#connect-bot button[type=submit]")
		tb.waitFor("the bot is listed, connected", `document.querySelector('#bots [data-bot-id][data-state=connected]') !== null`)
		botID = eval[string](tb, `document.querySelector('#bots [data-bot-id][data-state=connected]').dataset.botId`)
		b := cp.getBot(admin, botID)
		if b.Name != "Support" || b.Connection == nil || b.Connection.State != models.ConnConnected || b.Connection.Transport != models.TransportPolling {
			t.Fatalf("the bot on the server: %+v %+v", b, b.Connection)
		}
		if got := tb.text(botSel(botID) + " .transport"); got != "polling" {
			t.Errorf("the transport shows %q, want polling", got)
		}
		if got := tb.text(botSel(botID) + " .account"); got == "" || got != b.Connection.Account {
			t.Errorf("the account shows %q, want %q", got, b.Connection.Account)
		}
		if !strings.Contains(tb.text(botSel(botID)), "Support") {
			t.Errorf("the row reads %q", tb.text(botSel(botID)))
		}
		tb.shot("bot-connected")

		tb.click(botSel(botID) + " button[data-action=disconnect]")
		tb.waitFor("the bot shows as disconnected", fmt.Sprintf(`document.querySelector(%s).dataset.state === "disconnected"`, jsString(botSel(botID))))
		if c := cp.getBot(admin, botID).Connection; c == nil || c.State != models.ConnDisconnected {
			t.Fatalf("the server's connection after disconnect: %+v", c)
		}
		if tb.present(botSel(botID) + " button[data-action=disconnect]") {
			t.Error("a disconnected bot offers Disconnect")
		}
		tb.shot("bot-disconnected")
		tb.click(botSel(botID) + " button[data-action=connect]")
		tb.waitFor("the bot shows as connected again", fmt.Sprintf(`document.querySelector(%s).dataset.state === "connected"`, jsString(botSel(botID))))
		if c := cp.getBot(admin, botID).Connection; c == nil || c.State != models.ConnConnected {
			t.Fatalf("the server's connection after reconnect: %+v", c)
		}

		// The token is revoked in Telegram: the open settings show the
		// bot broken, with the error, without a reload.
		cp.tg.Revoke(nativeToken)
		eventually(t, "the server sees the bot broken", func() bool {
			c := cp.getBot(admin, botID).Connection
			return c != nil && c.State == models.ConnBroken && c.LastError != ""
		})
		// Live: no reload.
		tb.waitFor("the bot shows as broken", fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.state === "broken"`, jsString(botSel(botID))))
		if got, want := tb.text(botSel(botID)+" .error"), cp.getBot(admin, botID).Connection.LastError; !strings.HasPrefix(got, want) {
			t.Errorf("the broken bot's error reads %q, want %q", got, want)
		}
		tb.shot("bot-broken")
	}, func(tok tokens) []apiCall {
		return []apiCall{
			{"POST", "/v1/bots", map[string]any{"channel": "telegram", "name": "Mine", "credentials": map[string]string{"token": nativeToken}}},
			{"POST", "/v1/bots/" + botID + "/disconnect", map[string]any{}},
			{"POST", "/v1/bots/" + botID + "/connect", map[string]any{}},
		}
	})
}

// keySel is the API keys list's row of key id.
func keySel(id string) string { return fmt.Sprintf(`#api-keys [data-key-id=%s]`, jsString(id)) }

// API keys, as the admin: a new key's secret is shown once as text (it
// works on the API, and a reload does not show it); revoking asks in
// place, then the key is refused. The employee and the follower have no
// keys section, and the API refuses them.
func TestBrowserAdminAPIKeys(t *testing.T) {
	t.Parallel()
	cp := newConsolePushEnv(t)
	tm := cp.team()
	admin := tm.admin.AccessToken
	forEachRole(t, cp, tm, func(t *testing.T, tb *tab) {
		tb.wait("form#new-key")
		tb.waitFor("the team's key is listed", `document.querySelector('#api-keys [data-key-id]') !== null`)
		tb.fill("form#new-key input[name=name]", "Zapier")
		tb.click("form#new-key button[type=submit]")
		tb.waitFor("the one-time secret", `(document.querySelector('#api-keys .secret code') || {textContent: ''}).textContent.length > 0`)
		secret := tb.text("#api-keys .secret code")
		r := cp.call("GET", "/v1/api-keys", admin, nil)
		wantStatus(t, r, http.StatusOK)
		var l struct{ Items []models.APIKey }
		r.JSON(t, &l)
		var key models.APIKey
		for _, k := range l.Items {
			if k.Name == "Zapier" {
				key = k
			}
		}
		if key.ID == "" || !strings.HasPrefix(secret, key.Prefix) || strings.Contains(string(r.Body), secret) {
			t.Fatalf("the server's keys %s, the secret shown %q", r.Body, secret)
		}
		wantStatus(t, cp.call("GET", "/v1/bots", secret, nil), http.StatusOK)
		tb.waitFor("the key is listed", fmt.Sprintf(`(document.querySelector(%s) || {textContent: ''}).textContent.includes("Zapier")`, jsString(keySel(key.ID))))
		tb.shot("key-created")

		tb.click(keySel(key.ID) + " button[data-action=revoke]")
		tb.wait(keySel(key.ID) + " button[data-action=confirm-revoke]")
		if r := cp.call("GET", "/v1/bots", secret, nil); r.StatusCode != http.StatusOK {
			t.Fatalf("the key is refused (%d) before the revoke is confirmed", r.StatusCode)
		}
		tb.shot("key-revoke-confirm")
		tb.click(keySel(key.ID) + " button[data-action=confirm-revoke]")
		tb.waitFor("the key shows as revoked", fmt.Sprintf(`(document.querySelector(%s) || {dataset: {}}).dataset.revoked === "true"`, jsString(keySel(key.ID))))
		wantStatus(t, cp.call("GET", "/v1/bots", secret, nil), http.StatusUnauthorized)
		if len(tb.Dialogs()) > 0 {
			t.Errorf("the page opened dialogs %q", tb.Dialogs())
		}
		tb.shot("key-revoked")

		tb.open("/settings")
		tb.waitFor("the keys again", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(keySel(key.ID))))
		if tb.present("#api-keys .secret") || strings.Contains(tb.text("#api-keys"), secret) {
			t.Fatal("the key's secret is shown again after a reload")
		}
	}, func(tok tokens) []apiCall {
		return []apiCall{{"POST", "/v1/api-keys", map[string]string{"name": "mine"}}, {"GET", "/v1/api-keys", nil}}
	})
}
