package models

import (
	"context"
	"time"
)

// APIKey authenticates a machine client, such as the bot engine, in one
// workspace. The secret is shown once at creation; only its hash is stored.
type APIKey struct {
	ID         string     `json:"id" bson:"_id"`
	WS         string     `json:"-" bson:"ws"`
	Name       string     `json:"name" bson:"name"`
	Prefix     string     `json:"prefix" bson:"prefix"`
	Hash       string     `json:"-" bson:"hash"`
	CreatedBy  string     `json:"created_by" bson:"created_by"`
	CreatedAt  time.Time  `json:"created_at" bson:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty" bson:"last_used_at,omitempty"`
	Revoked    bool       `json:"revoked" bson:"revoked"`
}

// APIKeyStore persists API keys.
type APIKeyStore interface {
	// CreateAPIKey inserts k.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// APIKey returns a key by ID in any workspace (the ID comes from the presented secret).
	APIKey(ctx context.Context, id string) (*APIKey, error)
	// APIKeys lists the workspace's keys, newest first.
	APIKeys(ctx context.Context, ws string) ([]*APIKey, error)
	// RevokeAPIKey revokes a key of workspace ws or returns not-found.
	RevokeAPIKey(ctx context.Context, ws, id string) error
	// TouchAPIKey records a use of the key.
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}
