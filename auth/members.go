package auth

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// NewMember is an admin's request to add someone to the team. With a
// password the account is active at once (and must change the password at
// first login); without one the member is invited and gets an invite token.
type NewMember struct {
	Email    string
	Name     string
	Role     models.Role
	Password string
}

func requireAdmin(p models.Principal) error {
	if !p.IsMember() || p.Role != models.RoleAdmin {
		return models.Errorf(models.CodeForbidden, "only admins may do this")
	}
	return nil
}

// CreateMember adds a member to the admin's workspace. The invite token, when
// one is made, is returned once and stored only as a hash.
func (s *Service) CreateMember(ctx context.Context, p models.Principal, in NewMember) (*models.Member, string, error) {
	if err := requireAdmin(p); err != nil {
		return nil, "", err
	}
	m := &models.Member{ID: models.NewID(), Email: NormalizeEmail(in.Email), Name: in.Name, Role: in.Role,
		Stamp: models.Stamp{WS: p.WS}}
	invite := ""
	if in.Password != "" {
		hash, err := s.hashFor(ctx, m.Email, in.Password)
		if err != nil {
			return nil, "", err
		}
		m.Status, m.PasswordHash, m.PasswordChangeRequired = models.MemberActive, hash, true
	} else {
		invite = newSecret("sbi_")
		m.Status, m.InviteHash, m.InviteExpiry = models.MemberInvited, hashSecret(invite), s.now().UTC().Add(s.cfg.InviteTTL)
	}
	if err := s.st.Members.CreateMember(ctx, m); err != nil {
		return nil, "", err
	}
	return m, invite, nil
}

// AcceptInvite activates an invited member with their chosen password and
// logs them in.
func (s *Service) AcceptInvite(ctx context.Context, token, password, name, userAgent string) (*Tokens, error) {
	bad := models.Errorf(models.CodeUnauthorized, "invite token is invalid or expired")
	m, err := s.st.Members.MemberByInvite(ctx, hashSecret(token))
	if models.IsNotFound(err) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if s.now().After(m.InviteExpiry) {
		return nil, bad
	}
	hash, err := s.hashFor(ctx, m.Email, password)
	if err != nil {
		return nil, err
	}
	active, no := models.MemberActive, false
	upd := models.MemberUpdate{PasswordHash: &hash, Status: &active, PasswordChangeRequired: &no, ClearInvite: true,
		ExpectStatus: models.MemberInvited}
	if name != "" {
		upd.Name = &name
	}
	if m, err = s.st.Members.UpdateMember(ctx, m.WS, m.ID, upd); err != nil {
		if models.IsNotFound(err) { // accepted or deactivated meanwhile
			return nil, bad
		}
		return nil, err
	}
	return s.openSession(ctx, m, userAgent)
}

// Member returns a member of the caller's workspace.
func (s *Service) Member(ctx context.Context, p models.Principal, id string) (*models.Member, error) {
	return s.st.Members.Member(ctx, p.WS, id)
}

// Members lists the caller's team.
func (s *Service) Members(ctx context.Context, p models.Principal, f models.MemberFilter) ([]*models.Member, string, error) {
	return s.st.Members.Members(ctx, p.WS, f)
}

// UpdateMember changes a member's name, role or status. The workspace always
// keeps one active admin; deactivating a member ends their sessions.
func (s *Service) UpdateMember(ctx context.Context, p models.Principal, id string, upd models.MemberUpdate) (*models.Member, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	cur, err := s.st.Members.Member(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if upd.Status != nil && *upd.Status == models.MemberInvited && cur.Status != models.MemberInvited {
		return nil, models.Invalid("status cannot be set back to invited",
			models.FieldError{Field: "status", Message: "must be active or deactivated"})
	}
	if upd.Status != nil && *upd.Status == models.MemberActive && cur.Status == models.MemberInvited {
		return nil, models.Invalid("an invited member becomes active by accepting the invite",
			models.FieldError{Field: "status", Message: "must be deactivated for an invited member"})
	}
	losesAdmin := cur.Role == models.RoleAdmin && cur.Status == models.MemberActive &&
		((upd.Role != nil && *upd.Role != models.RoleAdmin) || (upd.Status != nil && *upd.Status != models.MemberActive))
	if losesAdmin {
		n, err := s.st.Members.CountMembers(ctx, p.WS, models.RoleAdmin, models.MemberActive)
		if err != nil {
			return nil, err
		}
		if n <= 1 {
			return nil, models.Errorf(models.CodeConflict, "the workspace must keep at least one active admin")
		}
	}
	m, err := s.st.Members.UpdateMember(ctx, p.WS, id, upd)
	if err != nil {
		return nil, err
	}
	if losesAdmin {
		// Two admins demoting each other at once both passed the count
		// above; the one that finds no admin left afterwards undoes its change.
		n, err := s.st.Members.CountMembers(ctx, p.WS, models.RoleAdmin, models.MemberActive)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			role, status := cur.Role, cur.Status
			if _, err := s.st.Members.UpdateMember(ctx, p.WS, id, models.MemberUpdate{Role: &role, Status: &status}); err != nil {
				return nil, err
			}
			return nil, models.Errorf(models.CodeConflict, "the workspace must keep at least one active admin")
		}
	}
	if m.Status == models.MemberDeactivated {
		if err := s.st.Sessions.RevokeMemberSessions(ctx, p.WS, id, ""); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Workspace returns the caller's workspace.
func (s *Service) Workspace(ctx context.Context, p models.Principal) (*models.Workspace, error) {
	return s.st.Workspaces.Workspace(ctx, p.WS)
}

// UpdateWorkspace renames the caller's workspace (admins only).
func (s *Service) UpdateWorkspace(ctx context.Context, p models.Principal, upd models.WorkspaceUpdate) (*models.Workspace, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return s.st.Workspaces.UpdateWorkspace(ctx, p.WS, upd)
}
