package store

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.WorkspaceStore = (*DB)(nil)

// CreateWorkspace inserts ws.
func (d *DB) CreateWorkspace(ctx context.Context, ws *models.Workspace) error {
	now := d.now().UTC()
	ws.CreatedAt, ws.UpdatedAt = now, now
	_, err := d.db.Collection(colWorkspaces).InsertOne(ctx, ws)
	return mapErr(err, "workspace")
}

// Workspace returns the workspace with this id.
func (d *DB) Workspace(ctx context.Context, id string) (*models.Workspace, error) {
	var ws models.Workspace
	err := d.db.Collection(colWorkspaces).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&ws)
	if err != nil {
		return nil, mapErr(err, "workspace")
	}
	return &ws, nil
}

// UpdateWorkspace applies upd.
func (d *DB) UpdateWorkspace(ctx context.Context, id string, upd models.WorkspaceUpdate) (*models.Workspace, error) {
	set := bson.D{{Key: "updated_at", Value: d.now().UTC()}}
	if upd.Name != nil {
		set = append(set, bson.E{Key: "name", Value: *upd.Name})
	}
	var ws models.Workspace
	err := d.db.Collection(colWorkspaces).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: set}}, options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&ws)
	if err != nil {
		return nil, mapErr(err, "workspace")
	}
	return &ws, nil
}
