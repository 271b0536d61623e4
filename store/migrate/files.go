package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The MongoDB store keeps an attachment's bytes in the GridFS bucket
// "files" under the file's id, and its record in file_records
// (store/files.go).
const bucketName = "files"

// fileRecord: a stored file is its record, and the GridFS file its bytes
// step wrote (counted by the verification, not written here).
func fileRecord(row any, _ time.Time) ([]doc, error) {
	f := row.(*models.File)
	return []doc{{coll: "file_records", id: f.ID, body: f},
		{coll: bucketName + ".files", id: f.ID, counted: true}}, nil
}

// fileBytes streams a stored file's bytes from the SQLite store (which
// checks them against the record's size) into GridFS under the file's id,
// unless a finished upload of it is there (a copy run again). Chunks an
// interrupted upload left are removed first: GridFS writes the chunks,
// then the file document, so a file without its document is unfinished.
func fileBytes(ctx context.Context, src *sqlite.Store, db *mongo.Database, row any) error {
	f := row.(*models.File)
	files := db.Collection(bucketName + ".files")
	err := files.FindOne(ctx, bson.D{{Key: "_id", Value: f.ID}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return err
	}
	if _, err := db.Collection(bucketName+".chunks").DeleteMany(ctx, bson.D{{Key: "files_id", Value: f.ID}}); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	read := make(chan error, 1)
	go func() { // owned here: it ends when OpenFile returns, and is waited for below
		err := src.OpenFile(ctx, f.WS, f.ID, pw)
		pw.CloseWithError(err)
		read <- err
	}()
	bucket := db.GridFSBucket(options.GridFSBucket().SetName(bucketName))
	err = bucket.UploadFromStreamWithID(ctx, f.ID, f.Name, pr, options.GridFSUpload().SetMetadata(bson.D{{Key: "ws", Value: f.WS}}))
	pr.CloseWithError(errors.New("upload ended")) // unblocks the reader if the upload failed first
	if rerr := <-read; rerr != nil {
		return fmt.Errorf("file %s: read the bytes: %w", f.ID, rerr)
	}
	if err != nil {
		return fmt.Errorf("file %s: upload the bytes: %w", f.ID, err)
	}
	return nil
}
