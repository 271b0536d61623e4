package models

import "github.com/google/uuid"

// NewID returns a new time-ordered record ID (UUIDv7). Clients may also
// create records offline with IDs of their own; see ValidID.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
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
