package store

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.MemberStore = (*DB)(nil)

// CreateMember inserts m through the change feed.
func (d *DB) CreateMember(ctx context.Context, m *models.Member) error {
	m.CreatedAt = d.nowMS()
	err := d.feed.insert(ctx, d.db.Collection(colMembers), m.WS, m, &m.Stamp)
	if mongo.IsDuplicateKeyError(err) {
		return models.Errorf(models.CodeConflict, "a member of this workspace already has this email")
	}
	if err != nil {
		return internal(err)
	}
	return nil
}

// Member returns a live member of workspace ws.
func (d *DB) Member(ctx context.Context, ws, id string) (*models.Member, error) {
	var m models.Member
	if err := d.byID(ctx, colMembers, ws, id, &m, "member"); err != nil {
		return nil, err
	}
	return &m, nil
}

// MembersByEmail returns the live members with this email in every
// workspace, oldest first, at most models.MaxMembersPerEmail.
func (d *DB) MembersByEmail(ctx context.Context, email string) ([]*models.Member, error) {
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(models.MaxMembersPerEmail)
	cur, err := d.db.Collection(colMembers).Find(ctx, bson.D{{Key: "email", Value: email}, {Key: "deleted", Value: false}}, opts)
	if err != nil {
		return nil, internal(err)
	}
	var out []*models.Member
	if err := cur.All(ctx, &out); err != nil {
		return nil, internal(err)
	}
	return out, nil
}

// MemberByInvite returns the invited member whose invite token hashes to hash.
func (d *DB) MemberByInvite(ctx context.Context, hash string) (*models.Member, error) {
	return d.findMember(ctx, bson.D{{Key: "invite_hash", Value: hash},
		{Key: "status", Value: models.MemberInvited}, {Key: "deleted", Value: false}})
}

func (d *DB) findMember(ctx context.Context, filter bson.D) (*models.Member, error) {
	var m models.Member
	if err := d.db.Collection(colMembers).FindOne(ctx, filter).Decode(&m); err != nil {
		return nil, mapErr(err, "member")
	}
	return &m, nil
}

// Members lists members of ws ordered by ID; the cursor is the last ID returned.
func (d *DB) Members(ctx context.Context, ws string, f models.MemberFilter) ([]*models.Member, string, error) {
	if f.Page.Limit <= 0 {
		return []*models.Member{}, "", nil
	}
	filter := bson.D{{Key: "ws", Value: ws}, {Key: "deleted", Value: false}}
	if f.Role != "" {
		filter = append(filter, bson.E{Key: "role", Value: f.Role})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	if f.Page.Cursor != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: f.Page.Cursor}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(f.Page.Limit + 1))
	cur, err := d.db.Collection(colMembers).Find(ctx, filter, opts)
	if err != nil {
		return nil, "", internal(err)
	}
	var out []*models.Member
	if err := cur.All(ctx, &out); err != nil {
		return nil, "", internal(err)
	}
	next := ""
	if len(out) > f.Page.Limit {
		out = out[:f.Page.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// CountMembers counts live members by role and status; ws "" counts all workspaces.
func (d *DB) CountMembers(ctx context.Context, ws string, role models.Role, status models.MemberStatus) (int64, error) {
	filter := bson.D{{Key: "deleted", Value: false}}
	if ws != "" {
		filter = append(filter, bson.E{Key: "ws", Value: ws})
	}
	if role != "" {
		filter = append(filter, bson.E{Key: "role", Value: role})
	}
	if status != "" {
		filter = append(filter, bson.E{Key: "status", Value: status})
	}
	n, err := d.db.Collection(colMembers).CountDocuments(ctx, filter)
	if err != nil {
		return 0, internal(err)
	}
	return n, nil
}

// UpdateMember applies upd through the change feed.
func (d *DB) UpdateMember(ctx context.Context, ws, id string, upd models.MemberUpdate) (*models.Member, error) {
	var set bson.D
	if upd.Name != nil {
		set = append(set, bson.E{Key: "name", Value: *upd.Name})
	}
	if upd.Role != nil {
		set = append(set, bson.E{Key: "role", Value: *upd.Role})
	}
	if upd.Status != nil {
		set = append(set, bson.E{Key: "status", Value: *upd.Status})
	}
	if upd.PasswordHash != nil {
		set = append(set, bson.E{Key: "password_hash", Value: *upd.PasswordHash})
	}
	if upd.PasswordChangeRequired != nil {
		set = append(set, bson.E{Key: "password_change_required", Value: *upd.PasswordChangeRequired})
	}
	if upd.ClearInvite {
		set = append(set, bson.E{Key: "invite_hash", Value: ""})
	}
	var cond bson.D
	if upd.ExpectStatus != "" {
		cond = bson.D{{Key: "status", Value: upd.ExpectStatus}}
	}
	var seqFields []string
	if upd.Role != nil {
		seqFields = []string{"scope_seq"}
	}
	var m models.Member
	err := d.feed.update(ctx, d.db.Collection(colMembers), ws, id, change{cond: cond, set: set, seqFields: seqFields}, &m)
	if err != nil {
		return nil, mapErr(err, "member")
	}
	return &m, nil
}
