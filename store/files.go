package store

import (
	"context"
	"errors"
	"io"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.FileStore = (*DB)(nil)

// errTooLarge stops an upload that passed its limit.
var errTooLarge = errors.New("file over the limit")

// limitedReader fails once more than max bytes were read.
type limitedReader struct {
	r   io.Reader
	n   int64
	max int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		return n, errTooLarge
	}
	return n, err
}

// SaveFile streams r into GridFS under f.ID, then records f. An upload
// over max bytes is removed and reported as too large; an id in use is
// CodeConflict and leaves the file holding it as it was.
func (d *DB) SaveFile(ctx context.Context, f *models.File, r io.Reader, max int64) error {
	bucket := d.db.GridFSBucket(options.GridFSBucket().SetName("files"))
	lr := &limitedReader{r: r, max: max}
	err := bucket.UploadFromStreamWithID(ctx, f.ID, f.Name, lr,
		options.GridFSUpload().SetMetadata(bson.D{{Key: "ws", Value: f.WS}}))
	if err != nil {
		if isDuplicate(err) {
			// Another file's chunks hold this id: they are not ours to remove.
			return conflict("file")
		}
		_ = bucket.Delete(context.WithoutCancel(ctx), f.ID)
		if errors.Is(err, errTooLarge) {
			return models.Errorf(models.CodeTooLarge, "the file is larger than %d bytes", max)
		}
		return internal(err)
	}
	f.Size = lr.n
	f.CreatedAt = d.now().UTC()
	if _, err := d.db.Collection(colFiles).InsertOne(ctx, f); err != nil {
		_ = bucket.Delete(context.WithoutCancel(ctx), f.ID)
		return mapErr(err, "file")
	}
	return nil
}

// FileRecord returns the record of a file of ws.
func (d *DB) FileRecord(ctx context.Context, ws, id string) (*models.File, error) {
	var f models.File
	if err := d.findOne(ctx, colFiles, bson.D{{Key: "_id", Value: id}, {Key: "ws", Value: ws}}, &f, "file"); err != nil {
		return nil, err
	}
	return &f, nil
}

// OpenFile streams the bytes of a file of ws into w.
func (d *DB) OpenFile(ctx context.Context, ws, id string, w io.Writer) error {
	if _, err := d.FileRecord(ctx, ws, id); err != nil {
		return err
	}
	bucket := d.db.GridFSBucket(options.GridFSBucket().SetName("files"))
	if _, err := bucket.DownloadToStream(ctx, id, w); err != nil {
		return internal(err)
	}
	return nil
}

// DeleteFile removes a file of ws.
func (d *DB) DeleteFile(ctx context.Context, ws, id string) error {
	if _, err := d.FileRecord(ctx, ws, id); err != nil {
		return err
	}
	bucket := d.db.GridFSBucket(options.GridFSBucket().SetName("files"))
	if err := bucket.Delete(ctx, id); err != nil {
		return internal(err)
	}
	_, err := d.db.Collection(colFiles).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return mapErr(err, "file")
}
