package viberfake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strconv"
)

// Viber status codes the fake answers (the REST Bot API's table).
const (
	StatusOK                    = 0
	StatusInvalidURL            = 1
	StatusInvalidAuthToken      = 2
	StatusBadData               = 3
	StatusMissingData           = 4
	StatusReceiverNotRegistered = 5
	StatusReceiverNotSubscribed = 6
	StatusPublicAccountBlocked  = 7
	StatusTooManyRequests       = 12
)

var statusMessages = map[int]string{
	0: "ok", 1: "invalidUrl", 2: "invalidAuthToken", 3: "badData", 4: "missingData",
	5: "receiverNotRegistered", 6: "receiverNotSubscribed", 7: "publicAccountBlocked",
	8: "publicAccountNotFound", 9: "publicAccountSuspended", 10: "webhookNotSet",
	11: "receiverNoSuitableDevice", 12: "tooManyRequests", 13: "apiVersionNotSupported",
	14: "incompatibleWithVersion",
}

// maxBody is the largest request the fake reads; the documented limit of
// a message (30 KB) is checked on send_message.
const maxBody = 1 << 20

func answer(w http.ResponseWriter, status int, msg string, extra map[string]any) {
	if msg == "" {
		msg = statusMessages[status]
		if msg == "" {
			msg = "generalError"
		}
	}
	out := map[string]any{"status": status, "status_message": msg, "chat_hostname": "SN-FAKE_"}
	for k, v := range extra {
		out[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// begin authenticates a call and applies a programmed failure; it
// returns the account's token and the raw body, or ok false once answered.
func (f *Fake) begin(w http.ResponseWriter, r *http.Request) (token string, body []byte, ok bool) {
	f.mu.Lock()
	f.calls[path.Base(r.URL.Path)]++
	var fail *failure
	if len(f.failures) > 0 {
		fail = &f.failures[0]
		f.failures = f.failures[1:]
	}
	f.mu.Unlock()
	if fail != nil && fail.httpStatus != 0 {
		http.Error(w, "upstream failure", fail.httpStatus)
		return "", nil, false
	}
	token = r.Header.Get("X-Viber-Auth-Token")
	if token == "" {
		answer(w, StatusInvalidAuthToken, "missing_auth_token", nil)
		return "", nil, false
	}
	f.mu.Lock()
	_, known := f.accounts[token]
	f.mu.Unlock()
	if !known {
		answer(w, StatusInvalidAuthToken, "", nil)
		return "", nil, false
	}
	if fail != nil {
		answer(w, fail.status, "", nil)
		return "", nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		answer(w, StatusBadData, "", nil)
		return "", nil, false
	}
	return token, body, true
}

func (f *Fake) accountInfo(w http.ResponseWriter, r *http.Request) {
	token, _, ok := f.begin(w, r)
	if !ok {
		return
	}
	f.mu.Lock()
	a := *f.accounts[token]
	subs := 0
	for _, u := range f.users {
		if u.Subscribed {
			subs++
		}
	}
	f.mu.Unlock()
	answer(w, StatusOK, "", map[string]any{"id": a.ID, "name": a.Name, "uri": a.URI, "icon": f.srv.URL + "/media/icon",
		"background": "", "category": "Business", "subcategory": "Support", "location": map[string]float64{"lon": 0, "lat": 0},
		"country": "UA", "webhook": a.webhook, "event_types": a.eventTypes, "subscribers_count": subs})
}

func (f *Fake) userDetails(w http.ResponseWriter, r *http.Request) {
	_, body, ok := f.begin(w, r)
	if !ok {
		return
	}
	var req struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(body, &req) != nil {
		answer(w, StatusBadData, "", nil)
		return
	}
	if req.ID == "" {
		answer(w, StatusMissingData, "", nil)
		return
	}
	f.mu.Lock()
	u := f.users[req.ID]
	var c User
	if u != nil {
		c = *u
	}
	f.mu.Unlock()
	if u == nil {
		answer(w, StatusReceiverNotRegistered, "", nil)
		return
	}
	answer(w, StatusOK, "", map[string]any{"message_token": f.lockedToken(), "user": map[string]any{
		"id": c.ID, "name": c.Name, "avatar": c.Avatar, "country": c.Country, "language": c.Language,
		"primary_device_os": "Android 14", "api_version": 10, "viber_version": "24.1.0", "mcc": 255, "mnc": 1, "device_type": "Pixel 8"}})
}

func (f *Fake) lockedToken() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.token()
}

func (f *Fake) setWebhook(w http.ResponseWriter, r *http.Request) {
	token, body, ok := f.begin(w, r)
	if !ok {
		return
	}
	var req struct {
		URL        *string  `json:"url"`
		EventTypes []string `json:"event_types"`
		SendName   bool     `json:"send_name"`
		SendPhoto  bool     `json:"send_photo"`
	}
	if json.Unmarshal(body, &req) != nil {
		answer(w, StatusBadData, "", nil)
		return
	}
	if req.URL == nil {
		answer(w, StatusMissingData, "", nil)
		return
	}
	for _, e := range req.EventTypes {
		switch e {
		case "delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started":
		default: // message and webhook cannot be filtered out, nor unknown names given
			answer(w, StatusBadData, "", nil)
			return
		}
	}
	if *req.URL == "" { // removing the webhook
		f.mu.Lock()
		a := f.accounts[token]
		a.webhook, a.eventTypes = "", nil
		f.mu.Unlock()
		answer(w, StatusOK, "", nil)
		return
	}
	if !loopback(*req.URL) {
		answer(w, StatusInvalidURL, "", nil)
		return
	}
	// Viber checks the webhook with a signed "webhook" callback first.
	cb, _ := json.Marshal(map[string]any{"event": "webhook", "timestamp": f.clock().UnixMilli(),
		"chat_hostname": "SN-FAKE_", "message_token": f.lockedToken()})
	code, err := f.post(r.Context(), *req.URL, token, cb)
	if err != nil || code != http.StatusOK {
		msg := "Result[HttpResponse[" + strconv.Itoa(code) + "]]"
		if err != nil {
			msg = "Result[connection failed]"
		}
		answer(w, StatusInvalidURL, msg, nil)
		return
	}
	types := req.EventTypes
	if types == nil {
		types = []string{"delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started"}
	}
	f.mu.Lock()
	a := f.accounts[token]
	a.webhook, a.eventTypes, a.sendName, a.sendPhoto = *req.URL, append([]string(nil), types...), req.SendName, req.SendPhoto
	f.mu.Unlock()
	answer(w, StatusOK, "", map[string]any{"event_types": types})
}

// post sends a signed callback body to url (loopback only).
func (f *Fake) post(ctx context.Context, url, token string, body []byte) (int, error) {
	if !loopback(url) {
		return 0, errNotLoopback
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Viber-Content-Signature", Sign(token, body))
	resp, err := f.HTTP.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
