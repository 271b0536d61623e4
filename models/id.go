package models

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/uuid"
)

// NewID returns a new time-ordered record ID (UUIDv7). Clients may also
// create records offline with IDs of their own; see ValidID.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// SubscriberID is the id of the subscriber a bot knows by externalID: the
// same on every delivery, so finding them is a look-up by id.
func SubscriberID(ws, botID, externalID string) string {
	return DerivedID("s", ws, botID, externalID)
}

// ConversationID is the id of a subscriber's conversation (one each).
func ConversationID(subscriberID string) string {
	return DerivedID("c", subscriberID)
}

// DerivedID hashes parts into a short id with prefix: the same parts give
// the same id, so a record derived from others is found by id.
func DerivedID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return prefix + hex.EncodeToString(h.Sum(nil)[:16])
}

// ValidID reports whether s can be a record ID: 1..64 characters of
// letters, digits, '-' and '_' (ObjectID hex and UUIDs both qualify).
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}
