package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// AlertActions are the inbox actions behind a Telegram alert's buttons
// and replies, each with the acting member's permissions.
type AlertActions struct{ S *Service }

// AssignToMe assigns the chat to the acting member.
func (a AlertActions) AssignToMe(ctx context.Context, p models.Principal, convID string) error {
	_, err := a.S.Assign(ctx, p, convID, p.MemberID)
	return err
}

// Close closes the chat.
func (a AlertActions) Close(ctx context.Context, p models.Principal, convID string) error {
	_, err := a.S.Close(ctx, p, convID)
	return err
}

// Pause extends the chat's automation pause by an hour ("+60 min").
func (a AlertActions) Pause(ctx context.Context, p models.Principal, convID string) error {
	c, err := a.S.Conversation(ctx, p, convID)
	if err != nil {
		return err
	}
	_, err = a.S.Automation(ctx, p, c.SubscriberID, PauseExtend)
	return err
}

// Reply sends text as the member's message, with every rule of an agent
// reply (length, reply window, automation pause); key makes a redelivered
// Telegram message send once.
func (a AlertActions) Reply(ctx context.Context, p models.Principal, convID, text, key string) error {
	_, _, err := a.S.Send(ctx, p, convID, SendInput{Text: text, IdempotencyKey: key})
	return err
}
