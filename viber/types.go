package viber

import "encoding/json"

// Event names of Viber's callbacks.
const (
	EventWebhook             = "webhook"
	EventMessage             = "message"
	EventSubscribed          = "subscribed"
	EventUnsubscribed        = "unsubscribed"
	EventConversationStarted = "conversation_started"
	EventDelivered           = "delivered"
	EventSeen                = "seen"
	EventFailed              = "failed"
)

// Message types of send_message and of received messages.
const (
	TypeText     = "text"
	TypePicture  = "picture"
	TypeVideo    = "video"
	TypeFile     = "file"
	TypeSticker  = "sticker"
	TypeContact  = "contact"
	TypeLocation = "location"
	TypeURL      = "url"
)

// Limits of send_message, from the REST Bot API documentation.
const (
	MaxSenderName   = 28      // sender.name, characters
	MaxText         = 7000    // a text message, characters
	MaxCaption      = 768     // a picture's text, characters
	MaxTrackingData = 4000    // tracking_data, characters
	MaxFileName     = 256     // file_name, characters
	MaxPictureSize  = 1 << 20 // a picture Viber shows inline (1 MB)
	MaxVideoSize    = 26 << 20
	MaxFileSize     = 50 << 20
)

// WebhookRequest is set_webhook's body; an empty URL removes the webhook.
type WebhookRequest struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"event_types,omitempty"`
	SendName   bool     `json:"send_name,omitempty"`
	SendPhoto  bool     `json:"send_photo,omitempty"`
}

// Account is get_account_info's answer.
type Account struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	URI              string   `json:"uri"`
	Icon             string   `json:"icon,omitempty"`
	Webhook          string   `json:"webhook,omitempty"`
	EventTypes       []string `json:"event_types,omitempty"`
	SubscribersCount int      `json:"subscribers_count,omitempty"`
}

// Sender is who a sent message shows as its author.
type Sender struct {
	Name   string `json:"name"`
	Avatar string `json:"avatar,omitempty"`
}

// Contact is a contact card.
type Contact struct {
	Name        string `json:"name"`
	PhoneNumber string `json:"phone_number"`
}

// Location is a shared place.
type Location struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	Address string  `json:"address,omitempty"`
}

// Message is send_message's body.
type Message struct {
	Receiver      string    `json:"receiver"`
	MinAPIVersion int       `json:"min_api_version,omitempty"`
	Sender        Sender    `json:"sender"`
	TrackingData  string    `json:"tracking_data,omitempty"`
	Type          string    `json:"type"`
	Text          string    `json:"text,omitempty"`
	Media         string    `json:"media,omitempty"`
	Thumbnail     string    `json:"thumbnail,omitempty"`
	Size          int64     `json:"size,omitempty"`
	Duration      int       `json:"duration,omitempty"`
	FileName      string    `json:"file_name,omitempty"`
	Contact       *Contact  `json:"contact,omitempty"`
	Location      *Location `json:"location,omitempty"`
	StickerID     int64     `json:"sticker_id,omitempty"`
}

// User is a Viber user as callbacks and get_user_details describe them.
type User struct {
	ID              string `json:"id"`
	Name            string `json:"name,omitempty"`
	Avatar          string `json:"avatar,omitempty"`
	Country         string `json:"country,omitempty"`
	Language        string `json:"language,omitempty"`
	APIVersion      int    `json:"api_version,omitempty"`
	PrimaryDeviceOS string `json:"primary_device_os,omitempty"`
	ViberVersion    string `json:"viber_version,omitempty"`
}

// ReceivedMessage is the message of a "message" callback.
type ReceivedMessage struct {
	Type         string    `json:"type"`
	Text         string    `json:"text,omitempty"`
	Media        string    `json:"media,omitempty"`
	Thumbnail    string    `json:"thumbnail,omitempty"`
	FileName     string    `json:"file_name,omitempty"`
	Size         int64     `json:"size,omitempty"`
	Duration     int       `json:"duration,omitempty"`
	StickerID    int64     `json:"sticker_id,omitempty"`
	Contact      *Contact  `json:"contact,omitempty"`
	Location     *Location `json:"location,omitempty"`
	TrackingData string    `json:"tracking_data,omitempty"`
}

// Callback is one body Viber posts to the webhook. MessageToken keeps
// Viber's 64-bit token exactly (it does not fit a float64).
type Callback struct {
	Event        string           `json:"event"`
	Timestamp    int64            `json:"timestamp"`
	ChatHostname string           `json:"chat_hostname,omitempty"`
	MessageToken json.Number      `json:"message_token,omitempty"`
	UserID       string           `json:"user_id,omitempty"`
	Sender       *User            `json:"sender,omitempty"`
	User         *User            `json:"user,omitempty"`
	Message      *ReceivedMessage `json:"message,omitempty"`
	Type         string           `json:"type,omitempty"`
	Context      string           `json:"context,omitempty"`
	Subscribed   bool             `json:"subscribed,omitempty"`
	Desc         string           `json:"desc,omitempty"`
	Silent       bool             `json:"silent,omitempty"`
}
