package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// A chat operation that takes several writes (open, reopen, close, assign,
// a follower change, a message with its counters and command) is recorded
// in the chat, with what it is, in the same single-document write as its
// first change (models.PendingOp). Every later write is idempotent by an
// id derived from the operation's (timeline entries, replies, deals and
// commands are inserted under such ids; counters record the operation's
// key with the sum), and the last write clears the record. Whoever
// touches the chat next finishes what is pending before anything else:
// the redelivered event, the client's retried request, another event or
// request on the chat, and Recover at start. So a process that dies
// between any two writes leaves work that is finished exactly once. This
// needs nothing of the store but single-document atomic updates and
// unique ids, which every engine has.

// WithFaults installs a fault point called after each write of a
// multi-write operation, with the write's name: an error it returns stops
// the operation there, as if the process died. It is for tests.
func (s *Service) WithFaults(f func(point string) error) *Service {
	s.faults = f
	return s
}

// after is the fault point after the write named point.
func (s *Service) after(point string) error {
	if s.faults == nil {
		return nil
	}
	return s.faults(point)
}

// runningOps are the operations this process is running, by id.
type runningOps struct {
	mu  sync.Mutex
	ids map[string]int
}

// hold marks operation id as running until the returned release is called.
func (r *runningOps) hold(id string) (release func()) {
	r.mu.Lock()
	if r.ids == nil {
		r.ids = map[string]int{}
	}
	r.ids[id]++
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		if r.ids[id]--; r.ids[id] == 0 {
			delete(r.ids, id)
		}
		r.mu.Unlock()
	}
}

// has reports whether operation id is running in this process.
func (r *runningOps) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id] > 0
}

// opID derives an operation id from what identifies it (an event).
func opID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "o" + hex.EncodeToString(h.Sum(nil)[:16])
}

// opMessageID is the id of the message an operation writes as what.
func opMessageID(c *models.Conversation, op *models.PendingOp, what string) string {
	return models.OpEntryID(c.WS, c.ID, op.ID, what)
}

// opRun is what finishing operations needs and collects: the chat's bot
// and subscriber (read when first needed), the bot replies queued, and
// the counter keys to release once the operations ended.
type opRun struct {
	bot      *models.Bot
	sub      *models.Subscriber
	replies  []*models.Message
	released []statsKey
	// done lists the operations this run finished.
	done []*models.PendingOp
}

type statsKey struct {
	botID string
	at    time.Time
	key   string
}

func (s *Service) runBot(ctx context.Context, c *models.Conversation, r *opRun) (*models.Bot, error) {
	if r.bot == nil || r.bot.ID != c.BotID {
		b, err := s.st.Bots.Bot(ctx, c.WS, c.BotID)
		if err != nil {
			return nil, err
		}
		r.bot = b
	}
	return r.bot, nil
}

func (s *Service) runSub(ctx context.Context, c *models.Conversation, r *opRun) (*models.Subscriber, error) {
	if r.sub == nil || r.sub.ID != c.SubscriberID {
		sub, err := s.st.Subscribers.Subscriber(ctx, c.WS, c.SubscriberID)
		if err != nil {
			return nil, err
		}
		r.sub = sub
	}
	return r.sub, nil
}

// begin applies upd to the chat together with the record of op, then
// finishes op, all in one transaction where the store offers one (see
// atomic). A not-found error means upd's condition did not hold (nothing
// was written).
func (s *Service) begin(ctx context.Context, c *models.Conversation, op *models.PendingOp, upd models.ConversationUpdate, r *opRun) (conv *models.Conversation, err error) {
	err = s.atomic(ctx, func(ctx context.Context) error {
		conv, err = s.beginSteps(ctx, c, op, upd, r)
		return err
	})
	return conv, err
}

// atomic runs fn so that its writes commit together when the store can
// (models.Atomic, the embedded store): an operation is then one commit
// and one turn of the writer instead of one per write, and a crash leaves
// it whole or absent. On a store without transactions (MongoDB) fn runs
// as is, its writes one by one, and the operation's record makes a
// retry or the start-up recovery finish what a crash cut short. Under
// injected faults or StepByStep (tests of that path) fn also runs as is.
func (s *Service) atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	a, ok := s.st.Conversations.(models.Atomic)
	if !ok || s.faults != nil || s.stepByStep {
		return fn(ctx)
	}
	return a.Atomically(ctx, fn)
}

// StepByStep makes every operation write one write at a time even on a
// store with transactions, as on MongoDB: for tests of what readers see
// between an operation's writes.
func (s *Service) StepByStep() *Service {
	s.stepByStep = true
	return s
}

func (s *Service) beginSteps(ctx context.Context, c *models.Conversation, op *models.PendingOp, upd models.ConversationUpdate, r *opRun) (*models.Conversation, error) {
	if op.At.IsZero() {
		op.At = s.now()
	}
	op.At = op.At.UTC().Truncate(time.Millisecond)
	defer s.running.hold(op.ID)()
	upd.AddPending = op
	conv, err := s.st.Conversations.UpdateConversation(ctx, c.WS, c.ID, upd)
	if models.IsNotFound(err) {
		// Begun meanwhile by another (the same event delivered twice at
		// once): finish it rather than begin it again.
		if cur, gerr := s.st.Conversations.Conversation(ctx, c.WS, c.ID); gerr == nil && cur.Pending[op.ID] != nil {
			return s.finish(ctx, cur, cur.Pending[op.ID], r)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := s.after(string(op.Kind) + ":begun"); err != nil {
		return nil, err
	}
	return s.finish(ctx, conv, op, r)
}

// settle finishes every operation the chat records as pending, oldest
// first, and returns the chat as they left it.
func (s *Service) settle(ctx context.Context, c *models.Conversation, r *opRun) (*models.Conversation, error) {
	if len(c.Pending) == 0 {
		return c, nil
	}
	ops := make([]*models.PendingOp, 0, len(c.Pending))
	for _, op := range c.Pending {
		// An operation this process is running is its runner's to finish:
		// finishing it here too would only repeat its writes (16 clients on
		// one chat made each write up to four times). A dead process's, or
		// one a fault stopped, is finished here.
		if op != nil && !s.running.has(op.ID) {
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if !ops[i].At.Equal(ops[j].At) {
			return ops[i].At.Before(ops[j].At)
		}
		return ops[i].ID < ops[j].ID
	})
	for _, op := range ops {
		conv, err := s.finish(ctx, c, op, r)
		if err != nil {
			return nil, err
		}
		c = conv
	}
	return c, nil
}

// settled loads a chat the caller may see with its pending operations finished.
func (s *Service) settled(ctx context.Context, p models.Principal, id string) (*models.Conversation, *opRun, error) {
	c, err := s.conversation(ctx, p, id)
	if err != nil {
		return nil, nil, err
	}
	r := &opRun{}
	c, err = s.settle(ctx, c, r)
	return c, r, err
}

// finished reports whether r finished an operation of kind by actor:
// a retried request whose first attempt died half-way.
func (r *opRun) finished(kind models.OpKind, actor string) bool {
	for _, op := range r.done {
		if op.Kind == kind && op.Actor == actor {
			return true
		}
	}
	return false
}

// finish does op's remaining writes (each idempotent), then clears its record.
func (s *Service) finish(ctx context.Context, c *models.Conversation, op *models.PendingOp, r *opRun) (*models.Conversation, error) {
	if err := s.steps(ctx, c, op, r); err != nil {
		return nil, err
	}
	conv, err := s.st.Conversations.UpdateConversation(ctx, c.WS, c.ID, models.ConversationUpdate{ClearPending: op.ID})
	if models.IsNotFound(err) {
		conv, err = s.st.Conversations.Conversation(ctx, c.WS, c.ID) // finished by someone else meanwhile
	}
	if err != nil {
		return nil, err
	}
	r.done = append(r.done, op)
	for _, k := range r.released {
		s.st.Stats.ReleaseBotStatsKey(c.WS, k.botID, k.at, k.key)
	}
	r.released = nil
	if op.Event != "" { // an event's operation is not its last write
		if err := s.after(string(op.Kind) + ":cleared"); err != nil {
			return nil, err
		}
	}
	return conv, nil
}

// steps are op's writes after the first.
func (s *Service) steps(ctx context.Context, c *models.Conversation, op *models.PendingOp, r *opRun) error {
	switch op.Kind {
	case models.OpWelcome:
		if err := s.countOnce(ctx, c.WS, c.BotID, op.At, models.StatsDelta{NewSubscribers: 1, Subscribers: 1}, op.ID+":subscriber", r); err != nil {
			return err
		}
		if err := s.after("welcome:counted"); err != nil {
			return err
		}
		bot, err := s.runBot(ctx, c, r)
		if err != nil {
			return err
		}
		return s.reply(ctx, c, op, "greeting", bot.Greeting, r)
	case models.OpOpen:
		return s.openSteps(ctx, c, op, r)
	case models.OpReopen:
		if err := s.entry(ctx, c, op, "reopened", ""); err != nil {
			return err
		}
		return s.autoReply(ctx, c, op, r)
	case models.OpClose:
		return s.entry(ctx, c, op, "closed", "")
	case models.OpAssign:
		return s.entry(ctx, c, op, "assigned", op.Target)
	case models.OpUnassign:
		return s.entry(ctx, c, op, "unassigned", op.Target)
	case models.OpFollow:
		return s.entry(ctx, c, op, "follower_added", op.Target)
	case models.OpUnfollow:
		return s.entry(ctx, c, op, "follower_removed", op.Target)
	case models.OpMessage:
		if err := s.storeMessage(ctx, c, op, r); err != nil {
			return err
		}
		if !op.Reopen {
			return nil
		}
		if err := s.entry(ctx, c, op, "reopened", ""); err != nil {
			return err
		}
		return s.autoReply(ctx, c, op, r)
	case models.OpSend:
		return s.sendSteps(ctx, c, op, r)
	}
	return nil // an operation of a newer version: only its record is cleared
}

// openSteps: the queue moves on, the "opened" and "assigned" entries, the
// first opening's deal, the auto-reply.
func (s *Service) openSteps(ctx context.Context, c *models.Conversation, op *models.PendingOp, r *opRun) error {
	if op.Assigned && op.QueueFrom != op.QueueTo {
		bot, err := s.runBot(ctx, c, r)
		if err != nil {
			return err
		}
		// Moved only from the count of moves the opening picked at: once
		// moved (by this opening or any other since), never again.
		if bot.QueueMoves == op.QueueMoves && bot.QueueNext == op.QueueFrom {
			next, moved := op.QueueTo, op.QueueMoves
			b, err := s.st.Bots.UpdateBot(ctx, c.WS, bot.ID, models.BotUpdate{QueueNext: &next, QueueMoved: &moved})
			switch {
			case models.IsNotFound(err):
				r.bot = nil // moved meanwhile: read it again when needed
			case err != nil:
				return err
			default:
				r.bot = b
			}
			if err := s.after("open:queue"); err != nil {
				return err
			}
		}
	}
	if err := s.entry(ctx, c, op, "opened", ""); err != nil {
		return err
	}
	if op.Assigned {
		if err := s.entry(ctx, c, op, "assigned", op.Target); err != nil {
			return err
		}
	}
	if op.First {
		bot, err := s.runBot(ctx, c, r)
		if err != nil {
			return err
		}
		sub, err := s.runSub(ctx, c, r)
		if err != nil {
			return err
		}
		if err := s.autoDeal(ctx, bot, sub, c); err != nil {
			return err
		}
		if err := s.after("open:deal"); err != nil {
			return err
		}
	}
	return s.autoReply(ctx, c, op, r)
}

// entry writes the operation's timeline entry event, once.
func (s *Service) entry(ctx context.Context, c *models.Conversation, op *models.PendingOp, event, target string) error {
	m := &models.Message{ID: opMessageID(c, op, "timeline:"+event), ConversationID: c.ID, SubscriberID: c.SubscriberID, BotID: c.BotID,
		Sender: models.SenderSystem, Kind: models.KindEvent, Event: event, AuthorID: op.Actor, Target: target, CreatedAt: op.At,
		Opening: op.Kind == models.OpOpen}
	err := s.st.Messages.CreateMessage(ctx, c.WS, m)
	if err != nil && models.ErrorCode(err) != models.CodeConflict {
		return err
	}
	return s.after(string(op.Kind) + ":" + event)
}

// autoReply queues the bot's auto-reply of a new or reopened chat.
func (s *Service) autoReply(ctx context.Context, c *models.Conversation, op *models.PendingOp, r *opRun) error {
	bot, err := s.runBot(ctx, c, r)
	if err != nil {
		return err
	}
	return s.reply(ctx, c, op, "auto-reply", bot.AutoReply, r)
}

// reply queues a bot message of the operation (greeting, auto-reply),
// once: stored, counted, shown as the chat's last message.
func (s *Service) reply(ctx context.Context, c *models.Conversation, op *models.PendingOp, what, text string, r *opRun) error {
	if text == "" {
		return nil
	}
	sub, err := s.runSub(ctx, c, r)
	if err != nil {
		return err
	}
	if sub.Disabled {
		return nil
	}
	m := &models.Message{ID: opMessageID(c, op, what), ConversationID: c.ID, SubscriberID: c.SubscriberID, BotID: c.BotID,
		Sender: models.SenderBot, Kind: models.KindText, Text: text, Status: models.DeliveryQueued, CreatedAt: op.At}
	if err := s.createOnce(ctx, c.WS, m); err != nil {
		return err
	}
	if err := s.after(string(op.Kind) + ":" + what + ":stored"); err != nil {
		return err
	}
	if err := s.queueSend(ctx, c, m, r); err != nil {
		return err
	}
	if err := s.countMessage(ctx, c.WS, m, r); err != nil {
		return err
	}
	if err := s.after(string(op.Kind) + ":" + what + ":counted"); err != nil {
		return err
	}
	if _, err := s.st.Conversations.UpdateConversation(ctx, c.WS, c.ID, models.ConversationUpdate{
		LastMessagePreview: ptr(Preview(m)), LastMessageAt: &m.CreatedAt, Activity: &m.CreatedAt}); err != nil {
		return err
	}
	r.replies = append(r.replies, m)
	return s.after(string(op.Kind) + ":" + what + ":shown")
}

// queueSend queues the native sending of a bot's queued message (the
// engine's bots deliver their own); queueing twice is harmless.
func (s *Service) queueSend(ctx context.Context, c *models.Conversation, m *models.Message, r *opRun) error {
	if s.st.Jobs == nil || m.Status != models.DeliveryQueued {
		return nil
	}
	bot, err := s.runBot(ctx, c, r)
	if err != nil || !bot.Native() {
		return err
	}
	return s.st.Jobs.QueueJob(ctx, models.JobSend, m.ID, c.WS, models.AtOnce)
}

// createOnce inserts m; if it exists already (an earlier attempt), m
// becomes the stored message.
func (s *Service) createOnce(ctx context.Context, ws string, m *models.Message) error {
	err := s.st.Messages.CreateMessage(ctx, ws, m)
	if models.ErrorCode(err) != models.CodeConflict {
		return err
	}
	got, err := s.st.Messages.Message(ctx, ws, m.ID)
	if err != nil {
		return err
	}
	*m = *got
	return nil
}

// storeMessage stores a message operation's message and counts it.
func (s *Service) storeMessage(ctx context.Context, c *models.Conversation, op *models.PendingOp, r *opRun) error {
	if op.Message == nil {
		return nil
	}
	m := *op.Message
	if err := s.createOnce(ctx, c.WS, &m); err != nil {
		return err
	}
	if err := s.after(string(op.Kind) + ":stored"); err != nil {
		return err
	}
	if err := s.countMessage(ctx, c.WS, &m, r); err != nil {
		return err
	}
	return s.after(string(op.Kind) + ":counted")
}

// Recover finishes the operations that chats of every workspace record as
// pending: those a process that died left behind. It runs at start and
// returns how many chats it settled; a chat it cannot settle is reported
// in the error and left for the next touch, the others are settled.
func (s *Service) Recover(ctx context.Context) (int, error) {
	n, after := 0, ""
	var failed error
	for {
		convs, err := s.st.Conversations.PendingConversations(ctx, after, 100)
		if err != nil {
			return n, errors.Join(failed, err)
		}
		for _, c := range convs {
			after = c.ID
			if len(c.Pending) == 0 {
				continue // miscounted (an operation begun twice at once): nothing to finish
			}
			if _, err := s.settle(ctx, c, &opRun{}); err != nil {
				failed = errors.Join(failed, fmt.Errorf("chat %s: %w", c.ID, err))
				continue
			}
			n++
		}
		if len(convs) < 100 {
			return n, failed
		}
	}
}
