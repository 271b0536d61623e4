package main

import (
	"context"

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
	return nil
}
