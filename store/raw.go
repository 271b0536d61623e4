package store

import "go.mongodb.org/mongo-driver/v2/mongo"

// Database is the MongoDB database behind d, for the copy of an embedded
// installation into it (package store/migrate), which writes documents
// in the shapes this store reads. Everything else goes through the
// models interfaces.
func (d *DB) Database() *mongo.Database { return d.db }
