package push

import (
	"sort"

	"github.com/switchboardhq/switchboard/models"
)

// A subscriber message makes a "message" alert only when its chat was
// already open when it was written. A message written while the chat was
// idle is the bot's; one written while it was closed reopens it; one
// written before the chat's opening was recorded is carried by the "new
// chat" alert of that opening, which quotes the subscriber's last
// message. This is judged from the log (each write's sequence and the
// chat as that write left it), so it does not depend on when the
// dispatcher reads: one opening makes one alert per member, however the
// reads fall among its writes.

// verdict is what a subscriber message makes.
type verdict int

const (
	// verdictSilent: written in an idle or closed chat, or before the
	// chat's opening was recorded: no alert of its own.
	verdictSilent verdict = iota
	// verdictAlert: written in an open chat, it alerts as a message.
	verdictAlert
	// verdictLater: the page read so far cannot tell; read it again
	// once the chat's next write is in the log.
	verdictLater
)

// chatLog is what one page of the log says about each chat it touches:
// its status after each write, and where openings were recorded.
type chatLog struct {
	states   map[string][]chatState // by rising sequence
	openings map[string][]int64     // "opened"/"reopened" entries, by rising sequence
}

type chatState struct {
	seq    int64
	status models.ConversationStatus
	// opening: the write records an opening under way (its "opened" or
	// "reopened" entry is still to be written), which carries any
	// subscriber message written meanwhile.
	opening bool
	// openings are the operations under way that open the chat.
	openings []*models.PendingOp
}

// stateOf is what chat c says, as one write left it.
func stateOf(seq int64, c *models.Conversation) chatState {
	st := chatState{seq: seq, status: c.Status, opening: openingUnderWay(c)}
	for _, op := range c.Pending {
		if op != nil && op.OpeningEntry() != "" {
			st.openings = append(st.openings, op)
		}
	}
	return st
}

// openingUnderWay reports whether c records an opening begun and not
// ended: an open or reopen, or a subscriber message that reopens the chat
// (whose chat write comes before the message itself).
func openingUnderWay(c *models.Conversation) bool {
	for _, op := range c.Pending {
		if op != nil && (op.Kind == models.OpOpen || op.Kind == models.OpReopen || op.Kind == models.OpMessage && op.Reopen) {
			return true
		}
	}
	return false
}

func newChatLog(changes []models.Change) *chatLog {
	l := &chatLog{states: map[string][]chatState{}, openings: map[string][]int64{}}
	for _, ch := range changes {
		switch r := ch.Record.(type) {
		case *models.Conversation:
			if !r.Deleted {
				l.states[r.ID] = append(l.states[r.ID], stateOf(ch.Seq, r))
			}
		case *models.Message:
			if ch.Created && !r.Deleted && isOpening(r) {
				l.openings[r.ConversationID] = append(l.openings[r.ConversationID], ch.Seq)
			}
		}
	}
	return l
}

// isOpening reports whether m records that its chat opened or reopened.
func isOpening(m *models.Message) bool {
	return m.Kind == models.KindEvent && (m.Event == "opened" || m.Event == "reopened")
}

// judge tells what the subscriber message with sequence seq of chat c
// (c as it is now) makes.
// recorded (may be nil) reports whether an opening under way had written
// its entry before the message: the message then came after the opening
// was told, in an open chat.
func (l *chatLog) judge(seq int64, c *models.Conversation, recorded func(op *models.PendingOp) bool) verdict {
	for _, o := range l.openings[c.ID] {
		if o > seq {
			return verdictSilent // an opening recorded after it carries it
		}
	}
	st, known := l.stateAt(seq, c)
	switch {
	case !known:
		return verdictLater
	case st.opening && !allRecorded(st.openings, recorded):
		return verdictSilent // the opening under way will record itself after it
	case st.status == models.StatusOpen:
		return verdictAlert
	default:
		return verdictSilent
	}
}

// stateAt is the state chat c was in when the write with sequence seq was
// made, and whether the page and c tell it.
func (l *chatLog) stateAt(seq int64, c *models.Conversation) (chatState, bool) {
	states := l.states[c.ID]
	i := sort.Search(len(states), func(i int) bool { return states[i].seq > seq })
	switch {
	case i > 0: // the chat's last write before it is in the page
		return states[i-1], true
	case c.Seq < seq:
		// The chat's last logged write is before it, further back than
		// the dispatcher looks (Gateway.logged adds it when it is not):
		// its status is current, though an operation may have ended since.
		return stateOf(c.Seq, c), true
	case i < len(states):
		// The chat's first write after it, when its last before it is
		// further back than the dispatcher looks (Gateway.logged): a
		// subscriber message's own operation is recorded in the chat
		// before the message is stored, with no change of status between.
		return states[i], true
	}
	return chatState{}, false // the chat changed after it, in writes the page does not hold yet
}

// allRecorded reports whether every opening of ops had written its entry.
func allRecorded(ops []*models.PendingOp, recorded func(op *models.PendingOp) bool) bool {
	if recorded == nil || len(ops) == 0 {
		return false
	}
	for _, op := range ops {
		if !recorded(op) {
			return false
		}
	}
	return true
}
