package viberfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// Documented limits of send_message.
const (
	MaxMessageBytes = 30 << 10 // "The maximum size of a message is 30KB"
	MaxSenderName   = 28
	MaxText         = 7000
	MaxCaption      = 768
	MaxTrackingData = 4000
	MaxFileName     = 256
	MaxVideoSize    = 26 << 20
	MaxFileSize     = 50 << 20
	MaxVideoSeconds = 180
	MaxURL          = 2000
	MaxContactName  = 28
	MaxContactPhone = 18
)

// forbidden are file extensions Viber documents as not allowed in file
// messages (an excerpt of its list).
var forbidden = map[string]bool{".exe": true, ".bat": true, ".cmd": true, ".com": true, ".msi": true, ".scr": true,
	".vbs": true, ".js": true, ".jar": true, ".apk": true, ".app": true, ".dll": true, ".pif": true, ".ps1": true, ".sh": true}

type sendReq struct {
	Receiver      string `json:"receiver"`
	MinAPIVersion *int   `json:"min_api_version"`
	Sender        *struct {
		Name   string `json:"name"`
		Avatar string `json:"avatar"`
	} `json:"sender"`
	TrackingData string  `json:"tracking_data"`
	Type         string  `json:"type"`
	Text         *string `json:"text"`
	Media        string  `json:"media"`
	Thumbnail    string  `json:"thumbnail"`
	Size         *int64  `json:"size"`
	Duration     *int    `json:"duration"`
	FileName     string  `json:"file_name"`
	StickerID    *int64  `json:"sticker_id"`
	Contact      *struct {
		Name        string `json:"name"`
		PhoneNumber string `json:"phone_number"`
	} `json:"contact"`
	Location *struct {
		Lat *float64 `json:"lat"`
		Lon *float64 `json:"lon"`
	} `json:"location"`
}

func runes(s string) int { return utf8.RuneCountInString(s) }

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// check returns the status send_message answers for req (0 accepted) and
// a message naming the refused field.
func check(req *sendReq) (int, string) {
	if req.Receiver == "" || req.Type == "" || req.Sender == nil || req.Sender.Name == "" {
		return StatusMissingData, "missing receiver, type or sender.name"
	}
	if runes(req.Sender.Name) > MaxSenderName {
		return StatusBadData, "sender.name is longer than 28 characters"
	}
	if req.Sender.Avatar != "" && !isURL(req.Sender.Avatar) {
		return StatusBadData, "sender.avatar is not a URL"
	}
	if runes(req.TrackingData) > MaxTrackingData {
		return StatusBadData, "tracking_data is longer than 4000 characters"
	}
	if req.MinAPIVersion != nil && *req.MinAPIVersion < 1 {
		return StatusBadData, "min_api_version"
	}
	media := func() (int, string) {
		if req.Media == "" {
			return StatusMissingData, "media is required"
		}
		if !isURL(req.Media) {
			return StatusBadData, "media is not a URL"
		}
		if req.Thumbnail != "" && !isURL(req.Thumbnail) {
			return StatusBadData, "thumbnail is not a URL"
		}
		return 0, ""
	}
	switch req.Type {
	case "text":
		if req.Text == nil || *req.Text == "" {
			return StatusMissingData, "text is required"
		}
		if runes(*req.Text) > MaxText {
			return StatusBadData, "text is longer than 7000 characters"
		}
	case "picture":
		if s, m := media(); s != 0 {
			return s, m
		}
		if req.Text != nil && runes(*req.Text) > MaxCaption {
			return StatusBadData, "a picture's text is longer than 768 characters"
		}
	case "video":
		if s, m := media(); s != 0 {
			return s, m
		}
		if req.Size == nil || *req.Size <= 0 {
			return StatusMissingData, "size is required"
		}
		if *req.Size > MaxVideoSize {
			return StatusBadData, "a video is limited to 26 MB"
		}
		if req.Duration != nil && (*req.Duration < 0 || *req.Duration > MaxVideoSeconds) {
			return StatusBadData, "duration is limited to 180 seconds"
		}
	case "file":
		if s, m := media(); s != 0 {
			return s, m
		}
		if req.Size == nil || *req.Size <= 0 || req.FileName == "" {
			return StatusMissingData, "size and file_name are required"
		}
		if *req.Size > MaxFileSize {
			return StatusBadData, "a file is limited to 50 MB"
		}
		if runes(req.FileName) > MaxFileName {
			return StatusBadData, "file_name is longer than 256 characters"
		}
		if forbidden[strings.ToLower(path.Ext(req.FileName))] {
			return StatusBadData, "file type not allowed"
		}
	case "contact":
		if req.Contact == nil || req.Contact.Name == "" || req.Contact.PhoneNumber == "" {
			return StatusMissingData, "contact.name and contact.phone_number are required"
		}
		if runes(req.Contact.Name) > MaxContactName || runes(req.Contact.PhoneNumber) > MaxContactPhone {
			return StatusBadData, "contact too long"
		}
	case "location":
		if req.Location == nil || req.Location.Lat == nil || req.Location.Lon == nil {
			return StatusMissingData, "location.lat and location.lon are required"
		}
		if *req.Location.Lat < -90 || *req.Location.Lat > 90 || *req.Location.Lon < -180 || *req.Location.Lon > 180 {
			return StatusBadData, "location out of range"
		}
	case "url":
		if req.Media == "" {
			return StatusMissingData, "media is required"
		}
		if runes(req.Media) > MaxURL || !isURL(req.Media) {
			return StatusBadData, "media is not a URL of at most 2000 characters"
		}
	case "sticker":
		if req.StickerID == nil {
			return StatusMissingData, "sticker_id is required"
		}
	default:
		return StatusBadData, "unknown message type"
	}
	return 0, ""
}

func (f *Fake) sendMessage(w http.ResponseWriter, r *http.Request) {
	token, body, ok := f.begin(w, r)
	if !ok {
		return
	}
	if len(body) > MaxMessageBytes {
		answer(w, StatusBadData, "message larger than 30KB", nil)
		return
	}
	var req sendReq
	if err := json.Unmarshal(body, &req); err != nil {
		answer(w, StatusBadData, "", nil)
		return
	}
	if s, msg := check(&req); s != 0 {
		answer(w, s, statusMessages[s]+": "+msg, nil)
		return
	}
	f.mu.Lock()
	u := f.users[req.Receiver]
	switch {
	case u == nil:
		f.mu.Unlock()
		answer(w, StatusReceiverNotRegistered, "", nil)
		return
	case !u.Subscribed:
		f.mu.Unlock()
		answer(w, StatusReceiverNotSubscribed, "", nil)
		return
	}
	var rec map[string]any
	_ = json.Unmarshal(body, &rec)
	mt := f.token()
	f.sent = append(f.sent, Sent{Token: token, MessageToken: mt, Body: rec})
	f.mu.Unlock()
	// The token is written as a JSON integer, exactly.
	answer(w, StatusOK, "", map[string]any{"message_token": mt, "billing_status": 1})
}
