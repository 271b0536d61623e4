package telegram

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// Profile says more of chat chatID: a group's member count and invite
// link (getChatMemberCount, getChat), or a user's avatar, the file_id of
// the largest size of their newest profile photo ("" when none) to Fetch.
func (a *Adapter) Profile(ctx context.Context, creds map[string]string, chatID string) (models.SubscriberProfile, string, error) {
	var p models.SubscriberProfile
	c, err := a.client(creds)
	if err != nil {
		return p, "", err
	}
	id, err := parseChat(chatID)
	if err != nil {
		return p, "", err
	}
	if id < 0 { // groups and supergroups have negative ids; users positive
		info, err := c.GetChat(ctx, id)
		if err != nil {
			return p, "", classify(err)
		}
		n, err := c.GetChatMemberCount(ctx, id)
		if err != nil {
			return p, "", classify(err)
		}
		p.Name = info.Title
		p.Username = info.Username
		p.TelegramGroup = &models.TelegramGroup{MembersCount: n, InviteLink: info.InviteLink}
		return p, "", nil
	}
	photos, err := c.GetUserProfilePhotos(ctx, id, 1)
	if err != nil {
		return p, "", classify(err)
	}
	if len(photos.Photos) == 0 || len(photos.Photos[0]) == 0 {
		return p, "", nil
	}
	return p, largest(photos.Photos[0]).FileID, nil
}
