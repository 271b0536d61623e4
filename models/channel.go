package models

import "context"

// ChannelSender delivers an outbound message to a subscriber on one
// messenger and returns the channel's id for it. The messenger adapters
// (package channels) implement it; the inbox uses the one of the bot's channel.
type ChannelSender interface {
	Send(ctx context.Context, bot *Bot, sub *Subscriber, m *Message) (externalID string, err error)
}
