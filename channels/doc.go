// Package channels holds the messenger adapters: webhook verification and
// parsing, and the senders (models.ChannelSender) for Telegram, WhatsApp,
// Messenger, Instagram and Viber. Until a channel's sender is plugged in,
// its outbound messages stay queued and the bot engine delivers them from
// the command feed.
package channels

import "github.com/switchboardhq/switchboard/models"

// Senders maps each channel to its sender; a channel without one keeps
// its outbound messages queued.
type Senders map[models.Channel]models.ChannelSender
