package push

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// event is an alertable change found in the log.
type event struct {
	kind   models.AlertEvent
	convID string
	source string // the message id, or "<conv>@<seq>" for a read
	actor  string
	target string
	text   string
	at     time.Time
	seq    int64 // the log entry's sequence
	// opening marks the entry of a chat's opening.
	opening bool
	// bot is the broken bot of a bot_broken event, as its write left it.
	bot *models.Bot
}

// eventsOf finds the alertable changes in a page of the log: subscriber
// messages, chats opened or reopened, assignments, reads (the write
// whose sequence the chat records as ReadSeq), and bots' breaks (see
// botBreak). An assignment made by the opening itself is part of the
// new-chat alert.
func eventsOf(changes []models.Change) []event {
	var out []event
	breaks := map[string]bool{}
	for _, ch := range changes {
		switch r := ch.Record.(type) {
		case *models.Bot:
			if e, ok := botBreak(r, ch.Seq); ok && !breaks[e.source] {
				breaks[e.source] = true
				out = append(out, e)
			}
		case *models.Message:
			if !ch.Created || r.Deleted {
				continue
			}
			e := event{convID: r.ConversationID, source: r.ID, actor: r.AuthorID, at: r.CreatedAt, seq: ch.Seq, opening: r.Opening}
			switch {
			case r.Sender == models.SenderSubscriber:
				e.kind, e.text = models.EventChatMessage, messageText(r)
			case isOpening(r):
				e.kind = models.EventNewChat
			case r.Kind == models.KindEvent && r.Event == "assigned":
				e.kind, e.target = models.EventAssigned, r.Target
			default:
				continue
			}
			out = append(out, e)
		case *models.Conversation:
			if r.ReadSeq == ch.Seq && !r.Deleted {
				out = append(out, event{kind: models.EventBadge, convID: r.ID, source: r.ID + "@" + strconv.FormatInt(ch.Seq, 10), at: r.UpdatedAt, seq: ch.Seq})
			}
		}
	}
	// New chats and assignments first: within a page, a member gets one
	// alert per chat, the most telling one.
	rank := map[models.AlertEvent]int{models.EventNewChat: 0, models.EventAssigned: 1, models.EventChatMessage: 2, models.EventBadge: 3, models.EventBotBroken: 4}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].kind] < rank[out[j].kind] })
	return out
}

// messageText is what an alert quotes of a subscriber message.
func messageText(m *models.Message) string {
	if m.Text == "" && m.File != nil {
		return "📎 " + m.File.Name
	}
	return m.Text
}

// AlertID is the id of the alert of event kind made from source: the same
// change seen twice makes the same alert.
func AlertID(ws string, kind models.AlertEvent, source string) string {
	sum := sha256.Sum256([]byte(ws + "\x00" + string(kind) + "\x00" + source))
	return "a" + hex.EncodeToString(sum[:16])
}

// dispatchWS turns ws's new log entries into stored alerts, page by page,
// and moves its cursor past them. A crash anywhere repeats the page, which
// makes the same alerts (same ids) again: nothing is lost or doubled. A
// page that cannot yet judge a subscriber message (see chatLog.judge) is
// taken up to it, and the rest is read again on the next dispatch.
func (g *Gateway) dispatchWS(ctx context.Context, ws string) (int, error) {
	made := 0
	for {
		cursor, err := g.st.State.PushCursor(ctx, ws)
		if err != nil {
			return made, err
		}
		if cursor < 0 {
			cursor = 0
		}
		safe, err := g.st.Sync.SafeSeq(ctx, ws)
		if err != nil || safe <= cursor {
			return made, err
		}
		changes, err := g.st.Sync.Changes(ctx, ws, cursor, safe, g.cfg.Batch)
		if err != nil {
			return made, err
		}
		full := len(changes) >= g.cfg.Batch
		n, held, err := g.alertsFor(ctx, ws, changes, full)
		made += n
		if err != nil {
			return made, err
		}
		next := safe
		if full {
			next = changes[len(changes)-1].Seq
		}
		if held > 0 {
			next = held - 1
		}
		if next > cursor {
			if err := g.st.State.SavePushCursor(ctx, ws, next); err != nil {
				return made, err
			}
		}
		if held > 0 || next == safe {
			return made, nil
		}
	}
}

// batch is what one page's alerts share: read once per page.
type batch struct {
	members map[string]*models.Member
	devices []*models.Device
	prefs   map[string]*models.PushPrefs
	convs   map[string]*models.Conversation
	bots    map[string]*models.Bot
	seen    map[string]bool   // conv + member already alerted in this page
	said    map[string]string // each chat's last subscriber message in this page
	log     *chatLog
	// verdicts are the page's subscriber messages judged, by message id.
	verdicts map[string]verdict
}

// alertsFor stores the alerts of a page of ws's log. When a subscriber
// message of the page cannot be judged yet, it returns the message's
// sequence as held: only the events before it are taken. A full page
// (whose next entries are not read) that starts with such a message is
// judged by its chat as it now is, so that reading always moves on.
func (g *Gateway) alertsFor(ctx context.Context, ws string, changes []models.Change, full bool) (made int, held int64, err error) {
	now := g.now()
	var b *batch
	var live []event
	for _, e := range eventsOf(changes) {
		if now.Sub(e.at) > g.cfg.TTL {
			continue // too old to be worth a push; the apps have it
		}
		if b == nil {
			if b, err = g.loadBatch(ctx, ws); err != nil {
				return 0, 0, err
			}
			b.log = newChatLog(changes)
			b.verdicts = map[string]verdict{}
		}
		live = append(live, e)
	}
	for _, e := range live {
		if e.kind != models.EventChatMessage {
			continue
		}
		v, err := g.judge(ctx, ws, b, e)
		if err != nil {
			return 0, 0, err
		}
		if v == verdictLater && full && e.seq == changes[0].Seq {
			v = verdictSilent
			if c, err := b.conv(ctx, g.st, ws, e.convID); err == nil && c.Status == models.StatusOpen {
				v = verdictAlert
			}
		}
		b.verdicts[e.source] = v
		if v == verdictLater && (held == 0 || e.seq < held) {
			held = e.seq
		}
	}
	if held > 0 {
		kept := live[:0]
		for _, e := range live {
			if e.seq < held {
				kept = append(kept, e)
			}
		}
		live = kept
	}
	if b != nil {
		b.said = lastSaid(live)
	}
	var alerts []*models.Alert
	for _, e := range live {
		a, err := g.buildAlert(ctx, ws, b, e, now)
		if err != nil {
			return 0, held, err
		}
		if a != nil {
			alerts = append(alerts, a)
		}
	}
	created, err := g.st.Alerts.CreateAlerts(ctx, alerts)
	if err != nil {
		return 0, held, err
	}
	for i, ok := range created {
		if ok {
			made++
			g.metrics.alerts.WithLabelValues(string(alerts[i].Event)).Inc()
		}
	}
	if made > 0 {
		g.Wake()
	}
	return made, held, nil
}

// judge tells what subscriber message e makes (see chatLog.judge); a
// chat gone makes nothing.
func (g *Gateway) judge(ctx context.Context, ws string, b *batch, e event) (verdict, error) {
	c, err := b.conv(ctx, g.st, ws, e.convID)
	if models.IsNotFound(err) {
		return verdictSilent, nil
	}
	if err != nil {
		return verdictSilent, err
	}
	if err := g.logged(ctx, ws, b.log, c, e.seq); err != nil {
		return verdictSilent, err
	}
	var lookErr error
	recorded := func(op *models.PendingOp) bool {
		m, err := g.st.Messages.Message(ctx, ws, models.OpEntryID(ws, c.ID, op.ID, "timeline:"+op.OpeningEntry()))
		if err != nil && !models.IsNotFound(err) {
			lookErr = err
		}
		return err == nil && m.Seq > 0 && m.Seq < e.seq
	}
	v := b.log.judge(e.seq, c, recorded)
	return v, lookErr
}

// lookBack is how far before a subscriber message the dispatcher looks
// in the log for its chat's last write (the message's own operation
// records itself in the chat just before it stores the message).
const lookBack = 256

// logged adds to l the chat as its last logged write before seq left it,
// when the page does not hold that write: neither the chat as it is now
// nor its next logged write tells, since ending an operation is written
// in place, without a sequence.
func (g *Gateway) logged(ctx context.Context, ws string, l *chatLog, c *models.Conversation, seq int64) error {
	states := l.states[c.ID]
	if len(states) > 0 && states[0].seq < seq {
		return nil
	}
	// The message's own write is usually a few entries back: look near first.
	for _, back := range []int64{16, lookBack} {
		from := seq - 1 - back
		if c.Seq < seq && c.Seq > from {
			from = c.Seq - 1 // the chat's last write: nothing older is needed
		}
		if from < 0 {
			from = 0
		}
		changes, err := g.st.Sync.Changes(ctx, ws, from, seq-1, int(back)+1)
		if err != nil {
			return err
		}
		for i := len(changes) - 1; i >= 0; i-- {
			if r, ok := changes[i].Record.(*models.Conversation); ok && r.ID == c.ID {
				if !r.Deleted {
					l.states[c.ID] = append([]chatState{stateOf(changes[i].Seq, r)}, states...)
				}
				return nil
			}
		}
		if from == 0 || c.Seq < seq {
			return nil // looked back to the start, or to the chat's last write
		}
	}
	return nil
}

func (g *Gateway) loadBatch(ctx context.Context, ws string) (*batch, error) {
	b := &batch{members: map[string]*models.Member{}, convs: map[string]*models.Conversation{}, bots: map[string]*models.Bot{}, seen: map[string]bool{}}
	list, _, err := g.st.Members.Members(ctx, ws, models.MemberFilter{Status: models.MemberActive, Page: models.Page{Limit: 100_000}})
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		b.members[m.ID] = m
	}
	if b.devices, err = g.st.Devices.Devices(ctx, ws, nil); err != nil {
		return nil, err
	}
	if b.prefs, err = g.st.Devices.PushPrefs(ctx, ws, nil); err != nil {
		return nil, err
	}
	return b, nil
}

// buildAlert makes the alert of one event, or nil when nobody gets it.
func (g *Gateway) buildAlert(ctx context.Context, ws string, b *batch, e event, now time.Time) (*models.Alert, error) {
	if e.kind == models.EventBotBroken {
		return g.botAlert(ctx, ws, b, e, now)
	}
	c, err := b.conv(ctx, g.st, ws, e.convID)
	if models.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if e.kind == models.EventChatMessage && b.verdicts[e.source] != verdictAlert {
		return nil, nil // the bot's, or carried by an opening's alert
	}
	if e.kind == models.EventAssigned && (e.opening || e.actor == "" && c.StartedAt != nil && c.StartedAt.Equal(e.at)) {
		// The round-robin of the opening, by an event or by an agent's
		// hand: the new-chat alert tells the assignee.
		return nil, nil
	}
	aud := Audience(e.kind, c, e.actor, e.target, b.members)
	if e.kind != models.EventBadge {
		for id := range aud {
			if b.seen[c.ID+"\x00"+id] {
				delete(aud, id)
			}
			b.seen[c.ID+"\x00"+id] = true
		}
	}
	id := AlertID(ws, e.kind, e.source)
	dels := Deliveries(aud, b.devices, b.prefs, g.enabled)
	if e.kind != models.EventBadge && g.enabled(ProviderEmail) {
		for member, ev := range aud {
			if b.members[member].Email == "" || !b.prefs[member].Enabled(ev, models.RouteEmail) {
				continue
			}
			ok, err := g.st.State.TakeEmailSlot(ctx, ws, member, id, now, g.cfg.EmailEvery)
			if err != nil {
				return nil, err
			}
			if ok {
				dels = append(dels, EmailDelivery(member, ev))
			}
		}
	}
	if len(dels) == 0 {
		return nil, nil
	}
	sort.SliceStable(dels, func(i, j int) bool { return dels[i].MemberID < dels[j].MemberID })
	a := &models.Alert{ID: id, WS: ws, Event: e.kind, ConversationID: c.ID, Source: e.source,
		ActorID: e.actor, SubscriberName: c.SubscriberName, Channel: c.Channel, Preview: e.text,
		State: models.AlertPending, Deliveries: dels, CreatedAt: now, ExpiresAt: now.Add(g.cfg.TTL), DueAt: now}
	if a.Preview == "" && e.kind != models.EventBadge {
		if a.Preview = b.said[c.ID]; a.Preview == "" {
			a.Preview = g.lastInbound(ctx, ws, c)
		}
	}
	if bot, err := b.bot(ctx, g.st, ws, c.BotID); err == nil {
		a.BotName = bot.Name
	}
	return a, nil
}

// lastSaid is each chat's last subscriber message among events (in log
// order within a kind): a new chat's alert quotes it without a query.
func lastSaid(events []event) map[string]string {
	out := map[string]string{}
	for _, e := range events {
		if e.kind == models.EventChatMessage && e.text != "" {
			out[e.convID] = e.text
		}
	}
	return out
}

// lastInbound is the subscriber's last message of chat c, whole; the
// chat's short preview when none is found.
func (g *Gateway) lastInbound(ctx context.Context, ws string, c *models.Conversation) string {
	msgs, err := g.st.Messages.Messages(ctx, ws, models.MessageFilter{ConversationID: c.ID, Limit: 20})
	if err == nil {
		for _, m := range msgs {
			if m.Sender == models.SenderSubscriber {
				return messageText(m)
			}
		}
	}
	return c.LastMessagePreview
}

func (b *batch) conv(ctx context.Context, st Stores, ws, id string) (*models.Conversation, error) {
	if c, ok := b.convs[id]; ok {
		return c, nil
	}
	c, err := st.Conversations.Conversation(ctx, ws, id)
	if err == nil {
		b.convs[id] = c
	}
	return c, err
}

func (b *batch) bot(ctx context.Context, st Stores, ws, id string) (*models.Bot, error) {
	if x, ok := b.bots[id]; ok {
		return x, nil
	}
	x, err := st.Bots.Bot(ctx, ws, id)
	if err == nil {
		b.bots[id] = x
	}
	return x, err
}
