package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/switchboardhq/switchboard/models"
)

var _ models.MemberStore = (*Store)(nil)

// memberDoc holds the member fields no query filters on.
type memberDoc struct {
	Name                   string `json:"name"`
	PasswordChangeRequired bool   `json:"password_change_required,omitempty"`
	PasswordHash           string `json:"password_hash,omitempty"`
	InviteExpiry           int64  `json:"invite_expiry,omitempty"`
	ScopeSeq               int64  `json:"scope_seq,omitempty"`
}

const memberCols = `id, ws, email, role, status, invite_hash, seq, deleted, created_at, updated_at, doc`

func scanMember(r scanner) (*models.Member, error) {
	var m models.Member
	var invite sql.NullString
	var created, updated int64
	var doc string
	if err := r.Scan(&m.ID, &m.WS, &m.Email, &m.Role, &m.Status, &invite, &m.Seq, &m.Deleted, &created, &updated, &doc); err != nil {
		return nil, err
	}
	var d memberDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, err
	}
	m.InviteHash = invite.String
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	m.Name, m.PasswordChangeRequired, m.PasswordHash = d.Name, d.PasswordChangeRequired, d.PasswordHash
	m.InviteExpiry, m.ScopeSeq = fromMSOpt(d.InviteExpiry), d.ScopeSeq
	return &m, nil
}

func putMember(tx *Tx, m *models.Member, insert bool) error {
	doc, err := json.Marshal(memberDoc{Name: m.Name, PasswordChangeRequired: m.PasswordChangeRequired,
		PasswordHash: m.PasswordHash, InviteExpiry: msOpt(m.InviteExpiry), ScopeSeq: m.ScopeSeq})
	if err != nil {
		return err
	}
	var invite any // no invite is NULL: the unique index skips it
	if m.InviteHash != "" {
		invite = m.InviteHash
	}
	args := []any{m.ID, m.WS, m.Email, m.Role, m.Status, invite, m.Seq, m.Deleted, ms(m.CreatedAt), ms(m.UpdatedAt), string(doc)}
	if insert {
		_, err = tx.Exec(`INSERT INTO members (`+memberCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	} else {
		_, err = tx.Exec(`UPDATE members SET id = ?, ws = ?, email = ?, role = ?, status = ?, invite_hash = ?, seq = ?,
			deleted = ?, created_at = ?, updated_at = ?, doc = ? WHERE id = ?`, append(args, m.ID)...)
	}
	return err
}

var members = synced[models.Member]{table: "members", kind: "member", cols: memberCols, scan: scanMember, put: putMember,
	logged: logMember,
	stamp:  func(m *models.Member) *models.Stamp { return &m.Stamp }, id: func(m *models.Member) string { return m.ID }}

// memberLog is a member as its change-log entry records it: the record
// the apps see plus the sequence of the last role change, which
// delta-sync reads; no secret (password or invite hash) enters the log.
type memberLog struct {
	*models.Member
	ScopeSeq int64 `json:"scope_seq,omitempty"`
}

func logMember(m *models.Member) any { return memberLog{Member: m, ScopeSeq: m.ScopeSeq} }

// memberFromLog reads a member's change-log record (see memberLog).
func memberFromLog(raw []byte) (*models.Member, error) {
	l := memberLog{Member: &models.Member{}}
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, err
	}
	l.Member.ScopeSeq = l.ScopeSeq
	return l.Member, nil
}

// CreateMember inserts m, created now, with its sequence and change-log
// entry; an email already used in m's workspace, or an id in use, is
// CodeConflict.
func (s *Store) CreateMember(ctx context.Context, m *models.Member) error {
	at := s.nowMS()
	cp := *m
	cp.CreatedAt = at
	err := members.create(ctx, s, m.WS, &cp, at)
	if models.ErrorCode(err) == models.CodeConflict {
		return models.Errorf(models.CodeConflict, "a member of this workspace already has this email")
	}
	if err != nil {
		return err
	}
	*m = cp
	return nil
}

// Member returns the live member id of workspace ws or the typed not-found.
func (s *Store) Member(ctx context.Context, ws, id string) (*models.Member, error) {
	return members.read(ctx, s, ws, id)
}

// MembersByEmail returns the live members with this email in every
// workspace, oldest first (then by id), at most models.MaxMembersPerEmail.
func (s *Store) MembersByEmail(ctx context.Context, email string) ([]*models.Member, error) {
	out, err := queryList(ctx, s, scanMember, `SELECT `+memberCols+` FROM members WHERE email = ? AND deleted = 0
		ORDER BY created_at, id LIMIT ?`, email, models.MaxMembersPerEmail)
	return out, s.fail(err, "member")
}

// MemberByInvite returns the live invited member whose invite token
// hashes to hash, or the typed not-found.
func (s *Store) MemberByInvite(ctx context.Context, hash string) (*models.Member, error) {
	m, err := scanMember(s.rd(ctx).QueryRowContext(ctx, `SELECT `+memberCols+` FROM members
		WHERE invite_hash = ? AND status = ? AND deleted = 0`, hash, models.MemberInvited))
	if err != nil {
		return nil, s.fail(err, "member")
	}
	return m, nil
}

// Members lists the live members of ws matching f by id, at most
// f.Page.Limit of them, after the cursor (the last id of the previous
// page); the next cursor is "" on the last page. A limit below 1 lists
// nothing.
func (s *Store) Members(ctx context.Context, ws string, f models.MemberFilter) ([]*models.Member, string, error) {
	if f.Page.Limit <= 0 {
		return []*models.Member{}, "", nil
	}
	conds, args := whereEq([]string{"ws = ?", "deleted = 0"}, []any{ws}, "role", string(f.Role), "status", string(f.Status))
	if f.Page.Cursor != "" {
		conds, args = append(conds, "id > ?"), append(args, f.Page.Cursor)
	}
	out, err := queryList(ctx, s, scanMember, `SELECT `+memberCols+` FROM members WHERE `+and(conds)+
		` ORDER BY id LIMIT ?`, append(args, f.Page.Limit+1)...)
	if err != nil {
		return nil, "", s.fail(err, "member")
	}
	next := ""
	if len(out) > f.Page.Limit {
		out = out[:f.Page.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// CountMembers counts the live members of ws (every workspace when ws is
// "") with role and status ("" for any).
func (s *Store) CountMembers(ctx context.Context, ws string, role models.Role, status models.MemberStatus) (int64, error) {
	conds, args := whereEq([]string{"deleted = 0"}, nil, "ws", ws, "role", string(role), "status", string(status))
	var n int64
	err := s.rd(ctx).QueryRowContext(ctx, `SELECT count(*) FROM members WHERE `+and(conds), args...).Scan(&n)
	return n, s.fail(err, "member")
}

// UpdateMember applies upd to the live member id of ws with a new
// sequence, logged; a role change records that sequence as ScopeSeq. With
// upd.ExpectStatus set, a member in another status is the typed
// not-found and nothing changes.
func (s *Store) UpdateMember(ctx context.Context, ws, id string, upd models.MemberUpdate) (*models.Member, error) {
	return members.update(ctx, s, ws, id, func(m *models.Member, seq int64) error {
		if upd.ExpectStatus != "" && m.Status != upd.ExpectStatus {
			return models.NotFound("member")
		}
		if upd.Name != nil {
			m.Name = *upd.Name
		}
		if upd.Role != nil {
			m.Role, m.ScopeSeq = *upd.Role, seq
		}
		if upd.Status != nil {
			m.Status = *upd.Status
		}
		if upd.PasswordHash != nil {
			m.PasswordHash = *upd.PasswordHash
		}
		if upd.PasswordChangeRequired != nil {
			m.PasswordChangeRequired = *upd.PasswordChangeRequired
		}
		if upd.ClearInvite {
			m.InviteHash = ""
		}
		return nil
	})
}
