package store

// lockDoc serialises writes to one document within this process. FerretDB
// v1 applies an update as read-then-replace, so two concurrent updates of
// one document could lose one; the embedded store is single-process, and
// MongoDB's own updates are atomic across instances.
func (f *feed) lockDoc(coll, id string) func() {
	return f.docs.Lock(coll + "\x00" + id)
}
