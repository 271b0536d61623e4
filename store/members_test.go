package store_test

import (
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestRetiredEmailIndexDropped: a database made when emails were unique in
// the whole installation accepts the same email in two workspaces once
// reopened, and still refuses it twice in one.
func TestRetiredEmailIndexDropped(t *testing.T) {
	opt := storetest.Options(t)
	storetest.NewWith(t, opt)
	client, err := mongo.Connect(options.Client().ApplyURI(opt.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	members := client.Database(opt.Database).Collection("members")
	if err := members.Indexes().DropAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := members.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "email", Value: 1}},
		Options: options.Index().SetUnique(true)}); err != nil {
		t.Fatal(err)
	}
	db := storetest.NewWith(t, opt)
	if err := db.CreateMember(ctx, newMember("wsA", "a@example.com")); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateMember(ctx, newMember("wsB", "a@example.com")); err != nil {
		t.Fatalf("the installation-wide email index still refuses: %v", err)
	}
	if err := db.CreateMember(ctx, newMember("wsB", "a@example.com")); models.ErrorCode(err) != models.CodeConflict {
		t.Fatalf("duplicate email in one workspace: %v", err)
	}
}
