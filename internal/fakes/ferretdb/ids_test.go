package ferretdb_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// On FerretDB, every collection's lookups by id use an index:
// SQLite's plan for FerretDB's own by-id query names it, and a reopened
// database (the index exists already) opens as before.
func TestFindsByIDThroughAnIndex(t *testing.T) {
	opt := storetest.Options(t)
	srv := storetest.FerretDB()
	if srv == nil {
		t.Skip("runs on the FerretDB stand-in only")
	}
	ctx := context.Background()
	db := storetest.NewWith(t, opt)
	m := &models.Member{ID: models.NewID(), Email: "ids@example.com", Name: "N", Role: models.RoleEmployee,
		Status: models.MemberActive, Stamp: models.Stamp{WS: "ws1"}}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	again := storetest.NewWith(t, opt) // Open on an indexed database
	if got, err := again.Member(ctx, "ws1", m.ID); err != nil || got.Email != m.Email {
		t.Fatalf("member after reopening: %+v, %v", got, err)
	}

	sq, err := sql.Open("sqlite", "file:"+filepath.Join(srv.Dir(), opt.Database+".sqlite")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	rows, err := sq.Query(`SELECT name, table_name FROM _ferretdb_collections`)
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string]string{}
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			t.Fatal(err)
		}
		tables[name] = table
	}
	_ = rows.Close()
	for _, c := range []string{"members", "push_alerts", "push_link_codes", "settings"} {
		table, ok := tables[c]
		if !ok {
			t.Errorf("collection %s does not exist after Open", c)
			continue
		}
		var plan strings.Builder
		r, err := sq.Query(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "`+table+`" WHERE _ferretdb_sjson->'$._id' = ?`, `"x"`)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var id, parent, unused int
			var detail string
			if err := r.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "; ")
		}
		_ = r.Close()
		if !strings.Contains(plan.String(), "USING INDEX "+table+"_switchboard_id") {
			t.Errorf("%s: by-id lookup plan %q uses no id index", c, plan.String())
		}
	}
}

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
