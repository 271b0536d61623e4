package models

import (
	"context"
	"time"
)

// Subscriber is a person who wrote to a bot, as its channel describes them.
type Subscriber struct {
	ID         string  `json:"id" bson:"_id"`
	BotID      string  `json:"bot_id" bson:"bot_id"`
	Channel    Channel `json:"channel" bson:"channel"`
	ExternalID string  `json:"external_id" bson:"external_id"`
	Name       string  `json:"name" bson:"name"`
	// NameKey is Name lower-cased, for search.
	NameKey   string            `json:"-" bson:"name_key"`
	Username  string            `json:"username,omitempty" bson:"username,omitempty"`
	AvatarURL string            `json:"avatar_url,omitempty" bson:"avatar_url,omitempty"`
	Phone     string            `json:"phone,omitempty" bson:"phone,omitempty"`
	Email     string            `json:"email,omitempty" bson:"email,omitempty"`
	FirstName string            `json:"first_name,omitempty" bson:"first_name,omitempty"`
	LastName  string            `json:"last_name,omitempty" bson:"last_name,omitempty"`
	Variables map[string]string `json:"variables" bson:"variables"`
	Tags      []string          `json:"tags" bson:"tags"`
	// Subscribed is the subscription status towards the bot.
	Subscribed     bool       `json:"subscribed" bson:"subscribed"`
	SubscribedAt   *time.Time `json:"subscribed_at,omitempty" bson:"subscribed_at,omitempty"`
	LastActivityAt *time.Time `json:"last_activity_at,omitempty" bson:"last_activity_at,omitempty"`
	// LastInboundAt is the subscriber's last message, to the minute (the
	// chat keeps the exact time, which the reply window runs from).
	LastInboundAt *time.Time `json:"last_inbound_at,omitempty" bson:"last_inbound_at,omitempty"`
	// Disabled subscribers get no more bot messages.
	Disabled bool `json:"disabled" bson:"disabled"`
	// AutomationPausedUntil is set by manual agent messages and the pause controls.
	AutomationPausedUntil *time.Time `json:"automation_paused_until,omitempty" bson:"automation_paused_until,omitempty"`
	// ActiveFlow is the flow the subscriber is in, started by an agent.
	ActiveFlow    *ActiveFlow     `json:"active_flow,omitempty" bson:"active_flow,omitempty"`
	Instagram     *InstagramFlags `json:"instagram,omitempty" bson:"instagram,omitempty"`
	TelegramGroup *TelegramGroup  `json:"telegram_group,omitempty" bson:"telegram_group,omitempty"`
	Referral      *Referral       `json:"referral,omitempty" bson:"referral,omitempty"`
	CreatedAt     time.Time       `json:"created_at" bson:"created_at"`
	Stamp         `bson:",inline"`
}

// InstagramFlags say who follows whom on Instagram.
type InstagramFlags struct {
	FollowsBusiness bool `json:"follows_business" bson:"follows_business"`
	BusinessFollows bool `json:"business_follows" bson:"business_follows"`
}

// TelegramGroup describes a Telegram group chat subscriber.
type TelegramGroup struct {
	MembersCount int    `json:"members_count" bson:"members_count"`
	InviteLink   string `json:"invite_link,omitempty" bson:"invite_link,omitempty"`
}

// Referral is the ad campaign that brought the subscriber or a message.
type Referral struct {
	Campaign string `json:"campaign,omitempty" bson:"campaign,omitempty"`
	AdID     string `json:"ad_id,omitempty" bson:"ad_id,omitempty"`
	URL      string `json:"url,omitempty" bson:"url,omitempty"`
}

// SubscriberProfile is what a channel event says of a subscriber; empty
// fields leave the stored value as it is.
type SubscriberProfile struct {
	Name          string
	Username      string
	AvatarURL     string
	Phone         string
	Email         string
	Variables     map[string]string
	Instagram     *InstagramFlags
	TelegramGroup *TelegramGroup
	Referral      *Referral
}

// SubscriberUpdate lists fields agents and events change; nil means unchanged.
type SubscriberUpdate struct {
	Profile               *SubscriberProfile
	FirstName             *string
	LastName              *string
	Phone                 *string
	Email                 *string
	Variables             map[string]string // merged into the stored ones
	Tags                  *[]string
	Subscribed            *bool
	SubscribedAt          *time.Time
	LastActivityAt        *time.Time
	LastInboundAt         *time.Time
	Disabled              *bool
	AutomationPausedUntil **time.Time // a nil inner pointer clears the pause
}

// SubscriberFilter selects subscribers of one workspace.
type SubscriberFilter struct {
	BotID string
	// NamePrefix matches the start of the name, case-insensitively.
	NamePrefix string
	IDs        []string
	Page       Page
}

// SubscriberStore persists subscribers.
type SubscriberStore interface {
	// EnsureSubscriber returns the subscriber of bot with this external id,
	// creating it from s when there is none (created reports which). s.ID
	// must derive from workspace, bot and external id (SubscriberID).
	EnsureSubscriber(ctx context.Context, s *Subscriber) (sub *Subscriber, created bool, err error)
	Subscriber(ctx context.Context, ws, id string) (*Subscriber, error)
	// Subscribers lists live subscribers ordered by ID, returning the next
	// cursor or ""; a page limit of 0 or less gives an empty page.
	Subscribers(ctx context.Context, ws string, f SubscriberFilter) ([]*Subscriber, string, error)
	UpdateSubscriber(ctx context.Context, ws, id string, upd SubscriberUpdate) (*Subscriber, error)
	DeleteSubscriber(ctx context.Context, ws, id string) error
}
