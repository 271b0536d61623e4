package models

import (
	"context"
	"io"
	"time"
)

// MaxFileSize is the largest attachment an agent may send: 20 MB.
const MaxFileSize = 20 << 20

// File is an uploaded attachment. Its bytes live in the file store
// (GridFS on MongoDB, the data directory's files/ folder on the SQLite
// store); this is its record.
type File struct {
	ID             string    `json:"id" bson:"_id"`
	WS             string    `json:"-" bson:"ws"`
	Name           string    `json:"name" bson:"name"`
	MimeType       string    `json:"mime_type" bson:"mime_type"`
	Size           int64     `json:"size" bson:"size"`
	UploadedBy     string    `json:"uploaded_by" bson:"uploaded_by"`
	ConversationID string    `json:"conversation_id" bson:"conversation_id"`
	CreatedAt      time.Time `json:"created_at" bson:"created_at"`
}

// FileStore keeps attachments.
type FileStore interface {
	// SaveFile stores the bytes of f from r; more than max bytes is
	// CodeTooLarge and nothing is kept.
	SaveFile(ctx context.Context, f *File, r io.Reader, max int64) error
	// FileRecord returns a file of workspace ws.
	FileRecord(ctx context.Context, ws, id string) (*File, error)
	// OpenFile streams a file's bytes into w.
	OpenFile(ctx context.Context, ws, id string, w io.Writer) error
	// DeleteFile removes a file's bytes and record.
	DeleteFile(ctx context.Context, ws, id string) error
}
