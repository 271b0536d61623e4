package main

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/sqlite"
)

// openStore opens the MongoDB store when SWITCHBOARD_MONGODB_URI is set
// and the embedded SQLite store in SWITCHBOARD_DATA_DIR otherwise.
func (a *app) openStore(ctx context.Context) error {
	cfg := a.cfg
	if cfg.MongoURI != "" {
		db, err := store.Open(ctx, store.Options{URI: cfg.MongoURI, Database: cfg.Database, ConnectTimeout: cfg.ConnectTimeout,
			Registerer: a.registry, SeqLease: cfg.SyncLease})
		if err != nil {
			return err
		}
		a.db, a.closeDB = db, db.Close
		return nil
	}
	db, err := sqlite.Open(ctx, cfg.DataDir, sqlite.Options{})
	if err != nil {
		return err
	}
	a.db = db
	a.closeDB = func(context.Context) error { return db.Close() }
	a.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "switchboard_db_statements_total",
		Help: "SQL statements the embedded store has run (queries, executions, BEGIN, COMMIT and ROLLBACK).",
	}, func() float64 { return float64(db.Commands()) }))
	a.chores = append(a.chores, chore{"sweep of uploads a crash left half done", func(ctx context.Context) error {
		_, err := db.SweepFiles(ctx)
		return err
	}})
	return nil
}

// chore is housekeeping of one engine that the sync runner runs with
// its hourly purge.
type chore struct {
	name string
	run  func(ctx context.Context) error
}
