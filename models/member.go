package models

import (
	"context"
	"time"
)

// Role is a member's access level in a workspace.
type Role string

// The roles of the product brief.
const (
	RoleAdmin    Role = "admin"    // everything, including bots, integrations and the team
	RoleEmployee Role = "employee" // all chats: reply, assign, followers
	RoleFollower Role = "follower" // only chats they follow, read-only
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleEmployee || r == RoleFollower
}

// CanHandleChats reports whether the role may be assigned conversations.
func (r Role) CanHandleChats() bool { return r == RoleAdmin || r == RoleEmployee }

// MemberStatus is the lifecycle state of a member's account.
type MemberStatus string

// Member statuses.
const (
	MemberActive      MemberStatus = "active"      // may log in
	MemberInvited     MemberStatus = "invited"     // created by an admin, waiting for the invite to be accepted
	MemberDeactivated MemberStatus = "deactivated" // may not log in; history is kept
)

// Member is a person on a workspace's team. The secret fields never leave
// the server: they carry json:"-".
type Member struct {
	ID        string       `json:"id" bson:"_id"`
	Email     string       `json:"email" bson:"email"`
	Name      string       `json:"name" bson:"name"`
	Role      Role         `json:"role" bson:"role"`
	Status    MemberStatus `json:"status" bson:"status"`
	CreatedAt time.Time    `json:"created_at" bson:"created_at"`

	// PasswordChangeRequired is set for generated one-time passwords.
	PasswordChangeRequired bool `json:"password_change_required" bson:"password_change_required"`

	PasswordHash string    `json:"-" bson:"password_hash,omitempty"`
	InviteHash   string    `json:"-" bson:"invite_hash,omitempty"`
	InviteExpiry time.Time `json:"-" bson:"invite_expiry,omitempty"`
	// ScopeSeq is the sequence of the last role change: a device that
	// pulled before it is sent a full resync of what the new role sees.
	ScopeSeq int64 `json:"-" bson:"scope_seq,omitempty"`

	Stamp `bson:",inline"`
}

// MemberFilter selects members of one workspace.
type MemberFilter struct {
	Role   Role
	Status MemberStatus
	Page   Page
}

// MemberUpdate lists the fields that may change; nil means unchanged.
type MemberUpdate struct {
	Name                   *string
	Role                   *Role
	Status                 *MemberStatus
	PasswordHash           *string
	PasswordChangeRequired *bool
	// ClearInvite removes the invite token (after it was accepted).
	ClearInvite bool
	// ExpectStatus, when set, makes the update apply only to a member in
	// that status; otherwise it is a not-found error.
	ExpectStatus MemberStatus
}

// MaxMembersPerEmail bounds how many workspaces' members one email login
// considers (one email may be a member of several workspaces).
const MaxMembersPerEmail = 100

// MemberStore persists members. Every method is scoped to a workspace except
// the login look-ups, which find the workspace from the credential.
type MemberStore interface {
	// CreateMember inserts m; an email already in use in m's workspace is
	// CodeConflict (other workspaces may have a member with the same email).
	CreateMember(ctx context.Context, m *Member) error
	// Member returns the member of workspace ws or a not-found error.
	Member(ctx context.Context, ws, id string) (*Member, error)
	// MembersByEmail returns the live members with this (normalised) email
	// in every workspace, oldest first, at most MaxMembersPerEmail of them.
	MembersByEmail(ctx context.Context, email string) ([]*Member, error)
	// MemberByInvite returns the invited member whose invite token hashes to hash.
	MemberByInvite(ctx context.Context, hash string) (*Member, error)
	// Members lists members ordered by ID, returning the next cursor or "";
	// a page limit of 0 or less gives an empty page.
	Members(ctx context.Context, ws string, f MemberFilter) ([]*Member, string, error)
	// CountMembers counts members of ws with the given role and status; an
	// empty ws counts across all workspaces.
	CountMembers(ctx context.Context, ws string, role Role, status MemberStatus) (int64, error)
	// UpdateMember applies upd and returns the new state.
	UpdateMember(ctx context.Context, ws, id string, upd MemberUpdate) (*Member, error)
}
