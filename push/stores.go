package push

import "github.com/switchboardhq/switchboard/models"

// Stores are the persistence interfaces the gateway needs.
type Stores struct {
	Sync          models.SyncStore
	State         models.PushStateStore
	Alerts        models.AlertStore
	Devices       models.DeviceStore
	Members       models.MemberStore
	Conversations models.ConversationStore
	Messages      models.MessageStore
	Bots          models.BotStore
}
