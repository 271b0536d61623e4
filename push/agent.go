package push

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Actions are what an agent can do from a Telegram alert, with their own
// permissions: the inbox's rules apply as in the API.
type Actions interface {
	AssignToMe(ctx context.Context, p models.Principal, convID string) error
	Close(ctx context.Context, p models.Principal, convID string) error
	// Pause extends the chat's automation pause by an hour ("+60 min").
	Pause(ctx context.Context, p models.Principal, convID string) error
	// Reply sends text to the subscriber as the agent's message; key makes
	// a repeated delivery of the same Telegram message send it once.
	Reply(ctx context.Context, p models.Principal, convID, text, key string) error
}

// LinkTTL is how long a Telegram link code works.
const LinkTTL = 15 * time.Minute

// Link is a one-time Telegram deep link for the caller.
type Link struct {
	Code      string
	URL       string
	ExpiresAt time.Time
}

// TelegramLink makes a one-time code that links the caller's Telegram
// account when they send the bot "/start <code>" (the deep link does).
func (g *Gateway) TelegramLink(ctx context.Context, p models.Principal) (*Link, error) {
	if !p.IsMember() {
		return nil, models.Errorf(models.CodeForbidden, "only members link Telegram (use a member's token)")
	}
	if !g.enabled(ProviderTelegram) {
		return nil, models.Errorf(models.CodeConflict, "the Telegram notifications bot is not configured on this server")
	}
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return nil, models.Internal(err)
	}
	code := base64.RawURLEncoding.EncodeToString(raw)
	exp := g.now().Add(LinkTTL)
	if err := g.st.State.SaveLinkCode(ctx, hashCode(code), p.WS, p.MemberID, exp); err != nil {
		return nil, err
	}
	l := &Link{Code: code, ExpiresAt: exp}
	if g.cfg.TelegramBot != "" {
		l.URL = "https://t.me/" + g.cfg.TelegramBot + "?start=" + code
	}
	return l, nil
}

// UnlinkTelegram removes the caller's Telegram chat.
func (g *Gateway) UnlinkTelegram(ctx context.Context, p models.Principal) error {
	devs, err := g.st.Devices.Devices(ctx, p.WS, []string{p.MemberID})
	if err != nil {
		return err
	}
	var ids []string
	for _, d := range devs {
		if d.Kind == models.DeviceTelegram {
			ids = append(ids, d.ID)
		}
	}
	if len(ids) == 0 {
		return models.NotFound("telegram link")
	}
	_, err = g.st.Devices.DeleteDevices(ctx, p.WS, p.MemberID, ids)
	return err
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// LinkChat consumes a link code sent from Telegram chat chatID and makes
// that chat the member's Telegram device; the chat leaves any member it
// was linked to before. It returns the answer for the chat.
func (g *Gateway) LinkChat(ctx context.Context, chatID int64, username, code string) string {
	ws, memberID, err := g.st.State.TakeLinkCode(ctx, hashCode(code), g.now())
	if err != nil {
		return "This link is not valid any more. Open Switchboard and make a new one."
	}
	m, err := g.st.Members.Member(ctx, ws, memberID)
	if err != nil || m.Status != models.MemberActive {
		return "This account cannot receive alerts."
	}
	for {
		old, err := g.st.Devices.DeviceByTelegramChat(ctx, chatID)
		if err != nil {
			break
		}
		if _, err := g.st.Devices.DeleteDevices(ctx, old.WS, "", []string{old.ID}); err != nil {
			return "Linking failed; please try again."
		}
	}
	_, err = g.st.Devices.SaveDevice(ctx, &models.Device{WS: ws, MemberID: memberID, Kind: models.DeviceTelegram, Name: "Telegram",
		TelegramChatID: chatID, TelegramUsername: username, Key: chatKey(chatID)})
	if err != nil {
		return "Linking failed; please try again."
	}
	return "Linked to Switchboard as " + m.Name + ". New chats will be announced here; reply to an alert to answer the subscriber."
}

// agent finds the member behind a linked Telegram chat.
func (g *Gateway) agent(ctx context.Context, chatID int64) (models.Principal, *models.Device, error) {
	d, err := g.st.Devices.DeviceByTelegramChat(ctx, chatID)
	if err != nil {
		return models.Principal{}, nil, errors.New("this chat is not linked to Switchboard; open the app and link Telegram")
	}
	m, err := g.st.Members.Member(ctx, d.WS, d.MemberID)
	if err != nil || m.Status != models.MemberActive {
		return models.Principal{}, nil, errors.New("this account cannot act on chats")
	}
	return models.Principal{WS: d.WS, MemberID: m.ID, Role: m.Role}, d, nil
}

// Act runs an alert button (as, cl, pa) for the agent of chatID, and
// returns the answer to show.
func (g *Gateway) Act(ctx context.Context, chatID int64, action, convID string) string {
	p, _, err := g.agent(ctx, chatID)
	if err != nil {
		return err.Error()
	}
	switch action {
	case "as":
		err = g.actions.AssignToMe(ctx, p, convID)
	case "cl":
		err = g.actions.Close(ctx, p, convID)
	case "pa":
		err = g.actions.Pause(ctx, p, convID)
	default:
		return "Unknown button."
	}
	if err != nil {
		return clientMessage(err)
	}
	return map[string]string{"as": "Assigned to you.", "cl": "Chat closed.", "pa": "Automation paused for 60 more minutes."}[action]
}

// ReplyFromTelegram sends an agent's reply to an alert message to that
// alert's chat, as the agent's message; it returns the answer to show.
func (g *Gateway) ReplyFromTelegram(ctx context.Context, chatID, replyTo, messageID int64, text string) string {
	p, d, err := g.agent(ctx, chatID)
	if err != nil {
		return err.Error()
	}
	a, err := g.st.Alerts.AlertByTelegramRef(ctx, p.WS, TelegramRef(d.ID, replyTo))
	if err != nil || a.ConversationID == "" {
		return "Reply to an alert message to answer its chat."
	}
	key := "telegram:" + TelegramRef(d.ID, messageID)
	if err := g.actions.Reply(ctx, p, a.ConversationID, text, key); err != nil {
		return clientMessage(err)
	}
	return "Sent to " + a.SubscriberName + "."
}

// clientMessage is the safe text of an application error.
func clientMessage(err error) string {
	var e *models.Error
	if errors.As(err, &e) && e.Code != models.CodeInternal {
		msg := e.Message
		for _, f := range e.Fields {
			msg += " (" + f.Field + " " + f.Message + ")"
		}
		return msg
	}
	return "Something went wrong; please try again."
}
