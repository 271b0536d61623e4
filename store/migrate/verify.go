package migrate

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/switchboardhq/switchboard/store/sqlite"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// verify reads the whole source again (the same snapshot), counts the
// documents each collection must hold and compares with the target.
func verify(ctx context.Context, src *sqlite.Store, q sqlite.Querier, db *mongo.Database, opt Options) (map[string]int64, error) {
	want := map[string]int64{}
	for _, t := range tables {
		var after []any
		for {
			rows, last, err := src.Export(ctx, q, t.source, after, opt.Batch)
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 {
				break
			}
			for _, row := range rows {
				docs, err := t.docs(row, opt.Now())
				if err != nil {
					return nil, err
				}
				for _, d := range docs {
					if !d.set {
						want[d.coll]++
					}
				}
			}
			after = last
		}
	}
	// Every collection of the target is compared: one the source gives
	// nothing for must be empty (the target was empty when claimed).
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list the target's collections: %w", err)
	}
	expect := map[string]int64{}
	for c, n := range want {
		expect[c] = n
	}
	for _, c := range names {
		// GridFS chunks are counted through their files (a file has as
		// many as its size needs).
		if _, ok := expect[c]; !ok && c != colProgress && !strings.HasPrefix(c, "system.") && c != bucketName+".chunks" {
			expect[c] = 0
		}
	}
	colls := make([]string, 0, len(expect))
	for c := range expect {
		colls = append(colls, c)
	}
	sort.Strings(colls)
	var bad []string
	for _, c := range colls {
		got, err := db.Collection(c).CountDocuments(ctx, bson.D{})
		if err != nil {
			return nil, fmt.Errorf("count %s in the target: %w", c, err)
		}
		if got == 0 && expect[c] == 0 {
			continue
		}
		mark := "ok"
		if got != expect[c] {
			mark = "MISMATCH"
			bad = append(bad, fmt.Sprintf("%s: %d in the source, %d in the target", c, expect[c], got))
		}
		fmt.Fprintf(opt.Progress, "verify %s: %d documents, source %d: %s\n", c, got, expect[c], mark)
	}
	if len(bad) > 0 {
		return want, fmt.Errorf("verification failed: %s", strings.Join(bad, "; "))
	}
	return want, nil
}
