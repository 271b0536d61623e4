package store_test

import (
	"context"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// BenchmarkMemberUpdate compares a change-feed update (reserve, write,
// finish) with the same $set sent by the bare driver, on the same document.
//
//	go test -run '^$' -bench MemberUpdate ./store/
func BenchmarkMemberUpdate(b *testing.B) {
	opt := storetest.Options(b)
	db := storetest.NewWith(b, opt)
	m := newMember("w", "a@example.com")
	if err := db.CreateMember(ctx, m); err != nil {
		b.Fatal(err)
	}
	name := "renamed"
	b.Run("feed", func(b *testing.B) {
		start := db.Commands()
		for i := 0; i < b.N; i++ {
			if _, err := db.UpdateMember(ctx, "w", m.ID, models.MemberUpdate{Name: &name}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(db.Commands()-start)/float64(b.N), "db-cmds/op")
	})
	b.Run("bare-driver", func(b *testing.B) {
		client, err := mongo.Connect(options.Client().ApplyURI(opt.URI))
		if err != nil {
			b.Fatal(err)
		}
		defer client.Disconnect(context.Background())
		coll := client.Database(opt.Database).Collection("members")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: name}, {Key: "n", Value: i}}}}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(1, "db-cmds/op")
	})
}
