package models

import (
	"context"
	"time"
)

// Workspace is one business account: every other record belongs to exactly one.
type Workspace struct {
	ID        string    `json:"id" bson:"_id"`
	Name      string    `json:"name" bson:"name"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
}

// WorkspaceUpdate lists the fields an admin may change; nil means unchanged.
type WorkspaceUpdate struct {
	Name *string
}

// WorkspaceStore persists workspaces.
type WorkspaceStore interface {
	// CreateWorkspace inserts ws; a duplicate ID is CodeConflict.
	CreateWorkspace(ctx context.Context, ws *Workspace) error
	// Workspace returns the workspace or a not-found error.
	Workspace(ctx context.Context, id string) (*Workspace, error)
	// UpdateWorkspace applies upd and returns the new state.
	UpdateWorkspace(ctx context.Context, id string, upd WorkspaceUpdate) (*Workspace, error)
}
