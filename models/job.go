package models

import (
	"context"
	"time"
)

// Job kinds: the background work the durable job mechanism runs. Alerts
// are the push gateway's; the others are the messenger connections'.
const (
	JobAlert   = "alert"   // an alert's deliveries; the id is the alert's
	JobUpdate  = "update"  // an inbound update to turn into inbox events; the id is the update's
	JobSend    = "send"    // an outbound message to send natively; the id is the message's
	JobFetch   = "fetch"   // an inbound file to fetch from the messenger; the id is the message's
	JobProfile = "profile" // a new subscriber's profile (avatar, group counts) to fetch; the id is the subscriber's
)

// AtOnce is the due time of work to do as soon as a worker is free,
// whatever the clocks of the writer and the workers say.
var AtOnce = time.Time{}

// Job is one piece of background work still to do, named by its kind and
// the id of what it is for. It exists until its work is finished.
type Job struct {
	Kind  string    `json:"kind" bson:"kind"`
	ID    string    `json:"id" bson:"id"`
	WS    string    `json:"-" bson:"ws"`
	DueAt time.Time `json:"due_at" bson:"due_at"`
	// Claims counts the leases taken on the job: each is one attempt.
	Claims int `json:"claims" bson:"claims"`
}

// JobStore is the durable job mechanism: a job is queued with the write
// that makes it necessary, leased by one worker of any instance at a time
// (a lease that runs out, its holder dead, frees the job again), and
// finished or put back due later by the holder of its lease.
type JobStore interface {
	// QueueJob adds job (kind, id) of ws due at due; a job queued already
	// keeps its due time unless due is sooner. On a store with
	// transactions it commits with the caller's (Atomically).
	QueueJob(ctx context.Context, kind, id, ws string, due time.Time) error
	// DueJobs lists up to limit jobs of kind due at or before now, soonest
	// first; held jobs are not due (their lease moved them out).
	DueJobs(ctx context.Context, kind string, now time.Time, limit int) ([]Job, error)
	// ClaimJob takes the next lease of job (kind, id), until until, unless
	// a live lease holds it; ok is false when it is held or gone. The
	// returned job carries the claim's number in Claims.
	ClaimJob(ctx context.Context, kind, id string, now, until time.Time) (job Job, ok bool, err error)
	// ReleaseJob ends lease claim of job (kind, id), the job due again at
	// due; a later lease keeps the job as it holds it.
	ReleaseJob(ctx context.Context, kind, id, ws string, claim int, due time.Time) error
	// FinishJob deletes job (kind, id) unless a later lease than claim holds it.
	FinishJob(ctx context.Context, kind, id string, claim int) error
}
