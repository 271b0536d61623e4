package fcmfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// MaxMessage is the largest message (its JSON) the fake accepts, in
// bytes: FCM's 4096-byte payload limit.
const MaxMessage = 4096

// Received is one message the fake accepted.
type Received struct {
	Project string
	Token   string
	// Raw is the "message" object as it was sent.
	Raw         json.RawMessage
	Data        map[string]string
	CollapseKey string // android.collapse_key
	TTL         string // android.ttl, as sent ("3600s")
	Priority    string // android.priority
	// Notification is android.notification; nil for a data-only message.
	Notification *AndroidNotification
}

// AndroidNotification is the part of android.notification a test checks.
type AndroidNotification struct {
	Title             string `json:"title"`
	Body              string `json:"body"`
	Tag               string `json:"tag"`
	ChannelID         string `json:"channel_id"`
	NotificationCount *int   `json:"notification_count"`
}

// wireMessage is the part of an FCM v1 message the fake understands;
// unknown fields are refused, as FCM does.
type wireMessage struct {
	Token        string            `json:"token"`
	Topic        string            `json:"topic"`
	Condition    string            `json:"condition"`
	Data         map[string]string `json:"data"`
	Notification json.RawMessage   `json:"notification"`
	Android      *struct {
		CollapseKey           string            `json:"collapse_key"`
		Priority              string            `json:"priority"`
		TTL                   string            `json:"ttl"`
		RestrictedPackageName string            `json:"restricted_package_name"`
		Data                  map[string]string `json:"data"`
		Notification          json.RawMessage   `json:"notification"`
		FCMOptions            json.RawMessage   `json:"fcm_options"`
		DirectBootOK          bool              `json:"direct_boot_ok"`
	} `json:"android"`
	Webpush    json.RawMessage `json:"webpush"`
	APNS       json.RawMessage `json:"apns"`
	FCMOptions json.RawMessage `json:"fcm_options"`
}

// ttlPattern is the protobuf Duration form FCM takes.
var ttlPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,9})?s$`)

// handleSend is POST /v1/projects/{project}/messages:send.
func (s *Server) handleSend(w http.ResponseWriter, r *http.Request) {
	project := r.PathValue("project")
	s.mu.Lock()
	s.sendN++
	granted, ok := s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	s.mu.Unlock()
	if !ok || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
		writeStatus(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials. "+
			"Expected OAuth 2 access token, login cookie or other valid authentication credential.", nil)
		return
	}
	if granted != project {
		writeStatus(w, http.StatusForbidden, "PERMISSION_DENIED", fmt.Sprintf("Permission 'cloudmessaging.messages.create' "+
			"denied on resource '//cloudresourcemanager.googleapis.com/projects/%s' (or it may not exist).", project), nil)
		return
	}
	raw, m, validateOnly, err := decodeSend(r.Body)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, "INVALID_ARGUMENT", err.Error(), nil)
		return
	}
	if a := s.takeAnswer(m.Token); a != nil {
		writeAnswer(w, a)
		return
	}
	rec := Received{Project: project, Token: m.Token, Raw: raw, Data: m.Data}
	if m.Android != nil {
		rec.CollapseKey, rec.TTL, rec.Priority = m.Android.CollapseKey, m.Android.TTL, m.Android.Priority
		if len(m.Android.Notification) > 0 {
			rec.Notification = new(AndroidNotification)
			_ = json.Unmarshal(m.Android.Notification, rec.Notification)
		}
	}
	s.mu.Lock()
	s.nextID++
	name := fmt.Sprintf("projects/%s/messages/%d", project, s.nextID)
	if !validateOnly {
		s.received = append(s.received, rec)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"name": name})
}

// decodeSend reads and checks a send request body: valid JSON of the v1
// schema, a message addressed to one registration token, android fields
// well formed and the message within MaxMessage.
func decodeSend(body io.Reader) (json.RawMessage, *wireMessage, bool, error) {
	var req struct {
		ValidateOnly bool            `json:"validate_only"`
		Message      json.RawMessage `json:"message"`
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, nil, false, fmt.Errorf("Invalid JSON payload received. %v", err)
	}
	if len(req.Message) == 0 || bytes.Equal(req.Message, []byte("null")) {
		return nil, nil, false, fmt.Errorf("Request contains an invalid argument: message is required.")
	}
	var m wireMessage
	dec = json.NewDecoder(bytes.NewReader(req.Message))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, nil, false, fmt.Errorf("Invalid JSON payload received. %v", err)
	}
	switch {
	case m.Token == "":
		return nil, nil, false, fmt.Errorf("Recipient of the message is not set: message.token is required.")
	case m.Topic != "" || m.Condition != "":
		return nil, nil, false, fmt.Errorf("Request contains an invalid argument: only one of token, topic or condition may be set.")
	case len(req.Message) > MaxMessage:
		return nil, nil, false, fmt.Errorf("Message is too big: %d bytes, the limit is %d.", len(req.Message), MaxMessage)
	}
	if a := m.Android; a != nil {
		switch {
		case a.Priority != "" && a.Priority != "normal" && a.Priority != "high" && a.Priority != "NORMAL" && a.Priority != "HIGH":
			return nil, nil, false, fmt.Errorf("Invalid value at 'message.android.priority' (%q).", a.Priority)
		case a.TTL != "" && !ttlPattern.MatchString(a.TTL):
			return nil, nil, false, fmt.Errorf("Invalid value at 'message.android.ttl' (%q).", a.TTL)
		}
	}
	return req.Message, &m, req.ValidateOnly, nil
}
