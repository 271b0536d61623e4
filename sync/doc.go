// Package sync will serve delta-sync to the apps: the change feed read up to
// the store's safe high-water mark (store.DB.SafeSeq), pages, tombstones
// and long-poll.
package sync
