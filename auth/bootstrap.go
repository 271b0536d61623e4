package auth

import (
	"context"
	"crypto/rand"
	"math/big"

	"github.com/switchboardhq/switchboard/models"
)

// CreateAdmin creates a workspace and its first admin with the given
// password. It is the create-admin command's work.
func (s *Service) CreateAdmin(ctx context.Context, email, password, workspace string) (*models.Member, *models.Workspace, error) {
	return s.createAdmin(ctx, "", email, password, workspace, false)
}

// createAdmin makes the workspace and its admin; id is the admin's member
// ID, new when empty.
func (s *Service) createAdmin(ctx context.Context, id, email, password, workspace string, mustChange bool) (*models.Member, *models.Workspace, error) {
	// The operator's command refuses an email already in use anywhere, a
	// likely mistake; admins may add such an email to their own workspace.
	if accounts, err := s.st.Members.MembersByEmail(ctx, NormalizeEmail(email)); err != nil {
		return nil, nil, err
	} else if len(accounts) > 0 {
		return nil, nil, models.Errorf(models.CodeConflict, "a member with this email already exists")
	}
	ws := &models.Workspace{ID: models.NewID(), Name: workspace}
	if err := s.st.Workspaces.CreateWorkspace(ctx, ws); err != nil {
		return nil, nil, err
	}
	hash, err := s.hasher.Hash(password)
	if err != nil {
		return nil, nil, models.Internal(err)
	}
	if id == "" {
		id = models.NewID()
	}
	m := &models.Member{ID: id, Email: NormalizeEmail(email), Name: "Admin", Role: models.RoleAdmin,
		Status: models.MemberActive, PasswordHash: hash, PasswordChangeRequired: mustChange, Stamp: models.Stamp{WS: ws.ID}}
	if err := s.st.Members.CreateMember(ctx, m); err != nil {
		return nil, nil, err
	}
	return m, ws, nil
}

// FirstRun creates a workspace and an admin with a generated one-time
// password when the database has no member at all. It returns the password,
// or "" when the database was not empty.
func (s *Service) FirstRun(ctx context.Context, email, workspace string) (*models.Member, string, error) {
	n, err := s.st.Members.CountMembers(ctx, "", "", "")
	if err != nil || n > 0 {
		return nil, "", err
	}
	password := generatePassword(20)
	// One fixed member ID: instances starting together on an empty database
	// all try it, and all but one get a conflict (emails alone are unique
	// only within a workspace, and each instance makes its own workspace).
	m, _, err := s.createAdmin(ctx, models.DerivedID("m", "first-run admin"), email, password, workspace, true)
	if models.ErrorCode(err) == models.CodeConflict {
		return nil, "", nil // another instance won the race
	}
	if err != nil {
		return nil, "", err
	}
	return m, password, nil
}

// generatePassword returns n characters from an alphabet without look-alikes.
func generatePassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]byte, n)
	for i := range out {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		out[i] = alphabet[k.Int64()]
	}
	return string(out)
}
