package sync

import (
	"strconv"
)

// Timestamps the apps see. WatermelonDB keeps only the last timestamp a
// pull answered and logs a server bug when one is lower than the one
// before, so every timestamp a device is given must be at least the
// previous one, paged first syncs included:
//
//   - a delta position, change sequence s, is s * 2^contBits;
//   - a continuation of a paged first sync that started at mark m is
//     (m-1) * 2^contBits + n with 0 < n < 2^contBits: n rises by at least
//     one per page, and every continuation is below m * 2^contBits, the
//     timestamp the last page answers.
//
// A timestamp is thus a continuation exactly when its low contBits bits
// are not all zero. Sequences up to 2^33-1 fit below 2^53.
const contBits = 20

// contMask selects a timestamp's continuation number.
const contMask = int64(1)<<contBits - 1

// maxSeq is the highest change sequence a timestamp can carry.
const maxSeq = maxTimestamp >> contBits

// contReserve is how many continuation numbers stay free for pages that
// collide with another device's continuation; past it, a first sync
// answers the rest in one page.
const contReserve = 1024

// stampOf is the timestamp of delta position seq (at least 1 so that
// WatermelonDB takes it: zero means "never synced").
func stampOf(seq int64) int64 { return max(seq, 1) << contBits }

// decodeTimestamp splits a timestamp into the sequence it names and its
// continuation number (0 for a delta position).
func decodeTimestamp(ts int64) (seq, cont int64) { return ts >> contBits, ts & contMask }

// contStamp is the timestamp of continuation n of a first sync that
// started at mark base (at least 1).
func contStamp(base, n int64) int64 { return (base-1)<<contBits | n }

// cursorID is the stored id of member's continuation timestamp ts in ws.
func cursorID(ws, member string, ts int64) string {
	return ws + ":" + member + ":" + strconv.FormatInt(ts, 10)
}
