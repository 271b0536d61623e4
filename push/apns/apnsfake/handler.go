package apnsfake

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// The limits APNs enforces.
const (
	MaxPayload    = 4096 // bytes of payload
	MaxCollapseID = 64   // bytes of apns-collapse-id
	tokenMaxAge   = time.Hour
)

// handle is the provider API: POST /3/device/<token>.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	apnsID := r.Header.Get("apns-id")
	if apnsID == "" {
		apnsID = strings.ToUpper(uuid.NewString())
	}
	fail := func(status int, reason string) {
		(&Answer{Status: status, Reason: reason}).write(w, apnsID)
	}
	if r.ProtoMajor != 2 { // APNs speaks HTTP/2 only; the reason is the fake's own
		fail(http.StatusBadRequest, "BadProtocol")
		return
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	switch {
	case !ok:
		fail(http.StatusNotFound, "BadPath")
		return
	case r.Method != http.MethodPost:
		fail(http.StatusMethodNotAllowed, "MethodNotAllowed")
		return
	case token == "":
		fail(http.StatusBadRequest, "MissingDeviceToken")
		return
	}
	if s.public != nil {
		if status, reason := s.checkProviderToken(r.Header.Get("authorization")); status != 0 {
			fail(status, reason)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 2*MaxPayload+1))
	if err != nil {
		fail(http.StatusBadRequest, "PayloadEmpty")
		return
	}
	if _, err := uuid.Parse(apnsID); err != nil {
		fail(http.StatusBadRequest, "BadMessageId")
		return
	}
	if status, reason := checkRequest(token, r.Header, body); status != 0 {
		fail(status, reason)
		return
	}
	if a := s.takeAnswer(token); a != nil {
		a.write(w, apnsID)
		return
	}
	var p map[string]any
	_ = json.Unmarshal(body, &p)
	s.mu.Lock()
	s.received = append(s.received, Received{Token: token, Header: r.Header.Clone(), Raw: body, Payload: p})
	s.mu.Unlock()
	w.Header().Set("apns-id", apnsID)
	w.WriteHeader(http.StatusOK)
}

// checkProviderToken checks a token-auth request's authorization header;
// it returns 0 when it is good, else Apple's status and reason.
func (s *Server) checkProviderToken(h string) (int, string) {
	bearer, ok := cutPrefixFold(h, "bearer ")
	if !ok || bearer == "" {
		return http.StatusForbidden, "MissingProviderToken"
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(bearer, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != s.keyID {
			return nil, errors.New("unknown key id")
		}
		return s.public, nil
	}, jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer(s.teamID), jwt.WithIssuedAt(),
		jwt.WithLeeway(time.Minute))
	if err != nil {
		return http.StatusForbidden, "InvalidProviderToken"
	}
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil {
		return http.StatusForbidden, "InvalidProviderToken"
	}
	if time.Since(iat.Time) > tokenMaxAge {
		return http.StatusForbidden, "ExpiredProviderToken"
	}
	return 0, ""
}

// checkRequest applies Apple's checks on the device token, headers and
// payload; it returns 0 when all pass, else Apple's status and reason.
func checkRequest(token string, h http.Header, body []byte) (int, string) {
	if _, err := hex.DecodeString(token); err != nil {
		return http.StatusBadRequest, "BadDeviceToken"
	}
	if h.Get("apns-topic") == "" {
		return http.StatusBadRequest, "MissingTopic"
	}
	if len(h.Get("apns-collapse-id")) > MaxCollapseID {
		return http.StatusBadRequest, "BadCollapseId"
	}
	if e := h.Get("apns-expiration"); e != "" {
		if _, err := strconv.ParseInt(e, 10, 64); err != nil {
			return http.StatusBadRequest, "BadExpirationDate"
		}
	}
	priority := h.Get("apns-priority")
	if priority != "" && priority != "10" && priority != "5" && priority != "1" {
		return http.StatusBadRequest, "BadPriority"
	}
	switch {
	case len(body) == 0:
		return http.StatusBadRequest, "PayloadEmpty"
	case len(body) > MaxPayload:
		return http.StatusRequestEntityTooLarge, "PayloadTooLarge"
	}
	var p struct {
		APS *struct {
			Alert            any  `json:"alert"`
			Badge            *int `json:"badge"`
			Sound            any  `json:"sound"`
			ContentAvailable int  `json:"content-available"`
		} `json:"aps"`
	}
	if err := json.Unmarshal(body, &p); err != nil || p.APS == nil {
		// Apple documents no reason for a payload that is not JSON with an
		// aps dictionary; this one is the fake's own.
		return http.StatusBadRequest, "BadPayload"
	}
	switch h.Get("apns-push-type") {
	case "alert":
		if p.APS.Alert == nil && p.APS.Badge == nil && p.APS.Sound == nil {
			return http.StatusBadRequest, "InvalidPushType"
		}
	case "background":
		if p.APS.ContentAvailable != 1 || p.APS.Alert != nil || p.APS.Sound != nil {
			return http.StatusBadRequest, "InvalidPushType"
		}
		if priority != "5" {
			return http.StatusBadRequest, "BadPriority"
		}
	default:
		return http.StatusBadRequest, "InvalidPushType"
	}
	return 0, ""
}

// cutPrefixFold is strings.CutPrefix, ignoring case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// itoa formats n in decimal.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
