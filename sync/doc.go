// Package sync serves delta-sync to the apps in WatermelonDB's protocol:
// pulls read the change log up to the store's safe high-water mark, in
// pages, within what the caller's role may see; pushes apply records the
// apps changed offline through the inbox's rules; waiting pulls share one
// watcher per workspace; a runner stamps statistics buckets and purges
// old tombstones.
package sync
