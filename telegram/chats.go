package telegram

import "context"

// DeleteMessage deletes message messageID of chatID. Telegram refuses
// (400) a message older than 48 hours or one already gone.
func (c *Client) DeleteMessage(ctx context.Context, chatID, messageID int64) error {
	return c.call(ctx, "deleteMessage", deleteMessageParams{ChatID: chatID, MessageID: messageID}, nil)
}

// GetChat returns what Telegram knows of chat chatID (a group's title
// and invite link, a user's names).
func (c *Client) GetChat(ctx context.Context, chatID int64) (*ChatFullInfo, error) {
	var ch ChatFullInfo
	if err := c.call(ctx, "getChat", chatParams{ChatID: chatID}, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// GetChatMemberCount returns the number of members of chat chatID.
func (c *Client) GetChatMemberCount(ctx context.Context, chatID int64) (int, error) {
	var n int
	if err := c.call(ctx, "getChatMemberCount", chatParams{ChatID: chatID}, &n); err != nil {
		return 0, err
	}
	return n, nil
}

// GetUserProfilePhotos returns up to limit (1-100) of the user's profile
// photos, newest first.
func (c *Client) GetUserProfilePhotos(ctx context.Context, userID int64, limit int) (*UserProfilePhotos, error) {
	var ph UserProfilePhotos
	if err := c.call(ctx, "getUserProfilePhotos", profilePhotosParams{UserID: userID, Limit: limit}, &ph); err != nil {
		return nil, err
	}
	return &ph, nil
}

// deleteMessageParams are deleteMessage's parameters.
type deleteMessageParams struct {
	ChatID    int64 `json:"chat_id"`
	MessageID int64 `json:"message_id"`
}

// chatParams name a chat.
type chatParams struct {
	ChatID int64 `json:"chat_id"`
}

// profilePhotosParams are getUserProfilePhotos' parameters.
type profilePhotosParams struct {
	UserID int64 `json:"user_id"`
	Limit  int   `json:"limit,omitempty"`
}
