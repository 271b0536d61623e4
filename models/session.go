package models

import (
	"context"
	"time"
)

// Session is one login of a member on one device: a family of rotating
// refresh tokens. Revoking the session invalidates every token of the family.
type Session struct {
	ID        string    `json:"id" bson:"_id"`
	WS        string    `json:"-" bson:"ws"`
	MemberID  string    `json:"member_id" bson:"member_id"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	ExpiresAt time.Time `json:"expires_at" bson:"expires_at"`
	Revoked   bool      `json:"revoked" bson:"revoked"`
	UserAgent string    `json:"user_agent,omitempty" bson:"user_agent,omitempty"`
}

// RefreshToken is one token of a session's family, stored by its hash only.
type RefreshToken struct {
	Hash      string    `bson:"_id"`
	SessionID string    `bson:"session_id"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
	// UsedAt is when the token was first used; set when it is presented again.
	UsedAt time.Time `bson:"-"`
}

// SessionStore persists sessions and their refresh tokens.
type SessionStore interface {
	// CreateSession inserts a session together with its first token.
	CreateSession(ctx context.Context, s *Session, first *RefreshToken) error
	// Session returns the session or a not-found error.
	Session(ctx context.Context, id string) (*Session, error)
	// UseRefreshToken atomically claims an unused token and returns it.
	// A token that exists but was already used returns it with CodeConflict;
	// an unknown token is a not-found error.
	UseRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	// AddRefreshToken stores the next token of a session's family.
	AddRefreshToken(ctx context.Context, t *RefreshToken) error
	// RevokeSession marks the session revoked; unknown ids are not an error.
	RevokeSession(ctx context.Context, id string) error
	// RevokeMemberSessions revokes every session of a member but except ("" for none).
	RevokeMemberSessions(ctx context.Context, ws, memberID, except string) error
}
