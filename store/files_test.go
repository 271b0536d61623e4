package store_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store/storetest"
)

func TestFilesRoundTripAndLimit(t *testing.T) {
	db := storetest.New(t)
	data := make([]byte, 600_000) // several GridFS chunks
	_, _ = rand.Read(data)
	f := &models.File{ID: models.NewID(), WS: "w", Name: "photo.jpg", MimeType: "image/jpeg"}
	if err := db.SaveFile(ctx, f, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if f.Size != int64(len(data)) {
		t.Fatalf("size %d", f.Size)
	}
	var out bytes.Buffer
	if err := db.OpenFile(ctx, "w", f.ID, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("downloaded bytes differ")
	}
	if err := db.OpenFile(ctx, "other", f.ID, &out); !models.IsNotFound(err) {
		t.Fatalf("another workspace read the file: %v", err)
	}
	big := &models.File{ID: models.NewID(), WS: "w", Name: "big.bin"}
	err := db.SaveFile(ctx, big, bytes.NewReader(data), int64(len(data))-1)
	if models.ErrorCode(err) != models.CodeTooLarge {
		t.Fatalf("one byte over: %v", err)
	}
	if _, err := db.FileRecord(ctx, "w", big.ID); !models.IsNotFound(err) {
		t.Fatalf("a refused upload left a record: %v", err)
	}
}
