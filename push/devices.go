package push

import (
	"context"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/models"
)

// DeviceInput is a device a member registers.
type DeviceInput struct {
	Kind    models.DeviceKind
	Name    string
	Token   string // fcm, apns
	Topic   string // apns
	Sandbox bool   // apns
	// Endpoint, P256dh and Auth are a Web Push subscription.
	Endpoint, P256dh, Auth string
}

var bundleID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.\-]{0,254}$`)

// check validates in, naming the bad field.
func (g *Gateway) check(in *DeviceInput) error {
	bad := func(field, msg string) error {
		return models.Invalid("bad device", models.FieldError{Field: field, Message: msg})
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		return bad("name", "must be at most 100 characters")
	}
	switch in.Kind {
	case models.DeviceFCM:
		if in.Token == "" || len(in.Token) > 4096 || strings.ContainsAny(in.Token, " \t\r\n") {
			return bad("token", "must be an FCM registration token (1 to 4096 characters, no spaces)")
		}
	case models.DeviceAPNs:
		if _, err := hex.DecodeString(in.Token); err != nil || len(in.Token) < 64 || len(in.Token) > 200 {
			return bad("token", "must be an APNs device token in hex (64 to 200 digits)")
		}
		if !bundleID.MatchString(in.Topic) {
			return bad("topic", "must be the app's bundle id, for example com.example.switchboard")
		}
	case models.DeviceWebPush:
		if g.CheckWebPush == nil {
			return bad("kind", "web push is not available on this server")
		}
		return g.CheckWebPush(in.Endpoint, in.P256dh, in.Auth)
	default:
		return bad("kind", "must be fcm, apns or webpush (Telegram is linked with /v1/push/telegram/link)")
	}
	return nil
}

// RegisterDevice saves the caller's device; registering the same token or
// subscription again updates it (and moves it to the caller).
func (g *Gateway) RegisterDevice(ctx context.Context, p models.Principal, in DeviceInput) (*models.Device, error) {
	if !p.IsMember() {
		return nil, models.Errorf(models.CodeForbidden, "your role may not register devices (use a member's token)")
	}
	in.Token, in.Topic = strings.TrimSpace(in.Token), strings.TrimSpace(in.Topic)
	if in.Kind == models.DeviceAPNs {
		in.Token = strings.ToLower(in.Token)
	}
	if err := g.check(&in); err != nil {
		return nil, err
	}
	d := &models.Device{WS: p.WS, MemberID: p.MemberID, Kind: in.Kind, Name: in.Name, Token: in.Token, Topic: in.Topic,
		Sandbox: in.Sandbox, Endpoint: in.Endpoint, P256dh: in.P256dh, Auth: in.Auth}
	d.Key = string(in.Kind) + ":" + in.Token
	if in.Kind == models.DeviceWebPush {
		d.Key = string(in.Kind) + ":" + in.Endpoint
	}
	return g.st.Devices.SaveDevice(ctx, d)
}

// Devices lists the caller's devices.
func (g *Gateway) Devices(ctx context.Context, p models.Principal) ([]*models.Device, error) {
	if !p.IsMember() {
		return nil, models.Errorf(models.CodeForbidden, "your role may not list devices (use a member's token)")
	}
	return g.st.Devices.Devices(ctx, p.WS, []string{p.MemberID})
}

// RemoveDevice removes one of the caller's devices.
func (g *Gateway) RemoveDevice(ctx context.Context, p models.Principal, id string) error {
	n, err := g.st.Devices.DeleteDevices(ctx, p.WS, p.MemberID, []string{id})
	if err == nil && n == 0 {
		err = models.NotFound("device")
	}
	return err
}

// TestResult is a test push's answer: the outcome class and reason in the
// provider's terms. For Web Push, whose endpoint a member chooses, it is
// the outcome and reason only (Status and ProviderID are empty): nothing
// the endpoint sent is given back.
type TestResult struct {
	Provider   Provider
	Outcome    Outcome
	Reason     string
	Status     int
	ProviderID string
	// Removed says the provider called the device gone, so it was removed.
	Removed bool
}

// TestPush sends a test alert to one of the caller's devices now and
// reports the provider's answer; a device the provider calls gone is removed.
func (g *Gateway) TestPush(ctx context.Context, p models.Principal, id string) (*TestResult, error) {
	d, err := g.st.Devices.Device(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if d.MemberID != p.MemberID {
		return nil, models.NotFound("device")
	}
	now := g.now()
	n := &Notification{AlertID: "test", Event: models.EventTest, SubscriberName: "Switchboard", BotName: "Test",
		Preview: "Test notification: this device receives Switchboard alerts.", CollapseKey: "test", Expires: now.Add(g.cfg.TTL)}
	prov := Provider(d.Kind)
	r, _ := g.send(ctx, prov, d, n, nil)
	if g.senders[prov] != nil {
		g.metrics.count(string(prov), string(r.Outcome))
	}
	out := &TestResult{Provider: prov, Outcome: r.Outcome, Reason: r.Reason, Status: r.Status, ProviderID: r.ProviderID}
	if prov == ProviderWebPush {
		out.Status, out.ProviderID = 0, ""
	}
	note := string(r.Outcome) + reasonSuffix(r.Reason)
	if r.Outcome == OutcomeGone {
		if _, err := g.st.Devices.DeleteDevices(ctx, p.WS, "", []string{d.ID}); err != nil {
			return nil, err
		}
		out.Removed = true
		return out, nil
	}
	return out, g.st.Devices.NoteOutcomes(ctx, p.WS, map[string]string{d.ID: note}, now)
}

// Prefs returns the caller's preferences: every event and channel with
// whether it is on.
func (g *Gateway) Prefs(ctx context.Context, p models.Principal) (map[models.AlertEvent]map[models.PushChannel]bool, error) {
	if !p.IsMember() {
		return nil, models.Errorf(models.CodeForbidden, "preferences belong to members (use a member's token)")
	}
	all, err := g.st.Devices.PushPrefs(ctx, p.WS, []string{p.MemberID})
	if err != nil {
		return nil, err
	}
	return prefsMap(all[p.MemberID]), nil
}

// prefsMap is every event and channel with whether pr has it on.
func prefsMap(pr *models.PushPrefs) map[models.AlertEvent]map[models.PushChannel]bool {
	out := map[models.AlertEvent]map[models.PushChannel]bool{}
	for _, ev := range models.PrefEvents {
		out[ev] = map[models.PushChannel]bool{}
		for _, ch := range models.PushChannels {
			out[ev][ch] = pr.Enabled(ev, ch)
		}
	}
	return out
}

// SetPrefs changes the given event and channel switches of the caller;
// those not named keep their value, even when another change of the
// member's (another tab, the app) lands at the same time.
func (g *Gateway) SetPrefs(ctx context.Context, p models.Principal, set map[string]map[string]bool) (map[models.AlertEvent]map[models.PushChannel]bool, error) {
	if !p.IsMember() {
		return nil, models.Errorf(models.CodeForbidden, "preferences belong to members (use a member's token)")
	}
	var on, off []string
	for ev, chans := range set {
		if !slices.Contains(models.PrefEvents, models.AlertEvent(ev)) {
			return nil, models.Invalid("bad preferences", models.FieldError{Field: ev, Message: "is not an event (new_chat, message, assigned, followed_message, bot_broken)"})
		}
		for ch, enable := range chans {
			if !slices.Contains(models.PushChannels, models.PushChannel(ch)) {
				return nil, models.Invalid("bad preferences", models.FieldError{Field: ev + "." + ch, Message: "is not a channel (push, web_push, telegram, email)"})
			}
			if enable {
				on = append(on, ev+":"+ch)
			} else {
				off = append(off, ev+":"+ch)
			}
		}
	}
	pr, err := g.st.Devices.ChangePushPrefs(ctx, p.WS, p.MemberID, on, off)
	if err != nil {
		return nil, err
	}
	return prefsMap(pr), nil
}

// Alerts lists the workspace's alerts with each device's outcome: admins only.
func (g *Gateway) Alerts(ctx context.Context, p models.Principal, f models.AlertFilter) ([]*models.Alert, error) {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return nil, models.Errorf(models.CodeForbidden, "your role may not see alert deliveries")
	}
	return g.st.Alerts.Alerts(ctx, p.WS, f)
}

// Alert returns one alert with each device's outcome: admins only.
func (g *Gateway) Alert(ctx context.Context, p models.Principal, id string) (*models.Alert, error) {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return nil, models.Errorf(models.CodeForbidden, "your role may not see alert deliveries")
	}
	return g.st.Alerts.Alert(ctx, p.WS, id)
}

// chatKey is the device key of a Telegram chat.
func chatKey(chatID int64) string { return "telegram:" + strconv.FormatInt(chatID, 10) }
