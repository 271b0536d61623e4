// Package benchseed fills a store with a busy workspace for benchmarks:
// a workspace, an admin, agents, bots and many subscribers, each with one
// chat and its history, written through the models store interfaces (so
// the rows, sequences, change log and full-text indexes are exactly what
// the store writes itself), a batch of writes per transaction where the
// engine offers one. It is test code: only _test files import it.
package benchseed

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/models"
)

// Version changes whenever Fill writes different data, so that cached
// seeds of an older version are not reused.
const Version = 1

// Config says how much to seed. Zero fields take the defaults.
type Config struct {
	// Chats is the number of subscribers, each with one chat (1,000).
	Chats int
	// Messages is the number of messages per chat (10).
	Messages int
	// Agents is the number of employees besides the admin (6).
	Agents int
	// Bots is the number of bots the subscribers are spread over (3).
	Bots int
	// BatchSize is how many writes go into one batch (5,000).
	BatchSize int
	// Batch, when set, runs fn with a context whose writes join one
	// transaction (sqlite.Store.Batch); nil runs every write alone.
	Batch func(ctx context.Context, fn func(ctx context.Context) error) error
	// Clock, when set, is moved to each record's time before it is
	// written, for stores whose clock it is (sqlite.Options.Now).
	Clock *Clock
}

func (c Config) withDefaults() Config {
	if c.Chats <= 0 {
		c.Chats = 1000
	}
	if c.Messages <= 0 {
		c.Messages = 10
	}
	if c.Agents <= 0 {
		c.Agents = 6
	}
	if c.Bots <= 0 {
		c.Bots = 3
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 5000
	}
	return c
}

// Password is every seeded member's password.
const Password = "bench-password-1"

// PasswordParams is the (cheap) argon2id cost of the seeded members'
// password hashes: a login checks the hash with the cost it records.
var PasswordParams = auth.PasswordParams{MemoryKiB: 256, Iterations: 1, Parallelism: 1}

// Seed is what a benchmark needs to know of the seeded data.
type Seed struct {
	Chats    int `json:"chats"`
	Messages int `json:"messages"` // per chat
	// Workspace is the workspace id.
	Workspace string `json:"workspace"`
	// Admin is the admin member's id; AdminEmail and Password log in.
	Admin      string `json:"admin"`
	AdminEmail string `json:"admin_email"`
	// Agents are the employees' ids, AgentEmails their emails (Password).
	Agents      []string `json:"agents"`
	AgentEmails []string `json:"agent_emails"`
	// Bots are the bots' ids.
	Bots []string `json:"bots"`
	// Chat is a chat with a known history: open, assigned to the admin,
	// with History (its messages' ids, newest first).
	Chat           string   `json:"chat"`
	ChatSubscriber string   `json:"chat_subscriber"`
	History        []string `json:"history"`
	// SearchTerm is a word in Chat's history (and in about one message
	// in SearchShare of all); SearchHits is how many of Chat's messages
	// contain it.
	SearchTerm  string  `json:"search_term"`
	SearchHits  int     `json:"search_hits"`
	SearchShare float64 `json:"search_share"`
	// HighWater is the workspace's last sequence once seeded.
	HighWater int64 `json:"high_water"`
	// Writes is the number of store writes the seed made.
	Writes int64 `json:"writes"`
	// Took is how long seeding took (when the seed was made).
	Took time.Duration `json:"took"`
	// Open, Closed, Idle count the chats by status; Unread the open
	// chats with the red dot; Mine the admin's open chats.
	Open, Closed, Idle, Unread, Mine int
}

// Clock is a settable clock for the store being seeded.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the time last set (the Unix epoch before any).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Unix(0, 0)
	}
	return c.t
}

// Set sets the time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Start is the time of the first seeded record; chats follow a minute
// apart, their messages a few seconds apart.
var Start = time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)

// Fill seeds st as cfg says and returns what it made.
func Fill(ctx context.Context, st models.Store, cfg Config) (*Seed, error) {
	cfg = cfg.withDefaults()
	began := time.Now()
	f := &filler{st: st, cfg: cfg, seed: &Seed{Chats: cfg.Chats, Messages: cfg.Messages}}
	f.setTime(Start)
	if err := f.team(ctx); err != nil {
		return nil, err
	}
	// Chats in chunks of about BatchSize writes.
	perChat := cfg.Messages + 3
	chunk := max(1, cfg.BatchSize/perChat)
	for from := 0; from < cfg.Chats; from += chunk {
		to := min(cfg.Chats, from+chunk)
		err := f.batch(ctx, func(ctx context.Context) error {
			for i := from; i < to; i++ {
				if err := f.chat(ctx, i); err != nil {
					return fmt.Errorf("chat %d: %w", i, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	hw, err := st.ReservedSeq(ctx, f.seed.Workspace)
	if err != nil {
		return nil, err
	}
	f.seed.HighWater = hw
	f.seed.SearchTerm = searchTerm
	f.seed.SearchShare = float64(f.hits) / float64(cfg.Chats*cfg.Messages)
	f.seed.Took = time.Since(began)
	return f.seed, nil
}

type filler struct {
	st     models.Store
	cfg    Config
	seed   *Seed
	writes int64
	hits   int // messages with the search term
}

func (f *filler) setTime(t time.Time) {
	if f.cfg.Clock != nil {
		f.cfg.Clock.Set(t)
	}
}

func (f *filler) batch(ctx context.Context, fn func(ctx context.Context) error) error {
	if f.cfg.Batch == nil {
		return fn(ctx)
	}
	return f.cfg.Batch(ctx, fn)
}

// team writes the workspace, the admin, the agents and the bots.
func (f *filler) team(ctx context.Context) error {
	h, err := auth.NewHasher(PasswordParams)
	if err != nil {
		return err
	}
	hash, err := h.Hash(Password)
	if err != nil {
		return err
	}
	return f.batch(ctx, func(ctx context.Context) error {
		ws := &models.Workspace{ID: models.NewID(), Name: "Bench", CreatedAt: Start, UpdatedAt: Start}
		if err := f.st.CreateWorkspace(ctx, ws); err != nil {
			return err
		}
		f.seed.Workspace = ws.ID
		member := func(email, name string, role models.Role) (string, error) {
			m := &models.Member{ID: models.NewID(), Email: email, Name: name, Role: role, Status: models.MemberActive,
				CreatedAt: Start, PasswordHash: hash, Stamp: models.Stamp{WS: ws.ID}}
			f.writes++
			return m.ID, f.st.CreateMember(ctx, m)
		}
		f.seed.AdminEmail = "admin@bench.example"
		if f.seed.Admin, err = member(f.seed.AdminEmail, "Admin", models.RoleAdmin); err != nil {
			return err
		}
		for i := 0; i < f.cfg.Agents; i++ {
			email := fmt.Sprintf("agent%d@bench.example", i+1)
			id, err := member(email, fmt.Sprintf("Agent %d", i+1), models.RoleEmployee)
			if err != nil {
				return err
			}
			f.seed.Agents, f.seed.AgentEmails = append(f.seed.Agents, id), append(f.seed.AgentEmails, email)
		}
		channels := []models.Channel{models.ChannelTelegram, models.ChannelWhatsApp, models.ChannelInstagram}
		for i := 0; i < f.cfg.Bots; i++ {
			b := &models.Bot{ID: models.NewID(), Channel: channels[i%len(channels)], Name: fmt.Sprintf("Bot %d", i+1),
				Credentials: map[string]string{"token": "t"}, CredentialsHint: map[string]string{"token": "…"},
				Queue: append([]string{f.seed.Admin}, f.seed.Agents...), CreatedAt: Start, Stamp: models.Stamp{WS: ws.ID}}
			f.writes++
			if err := f.st.CreateBot(ctx, b); err != nil {
				return err
			}
			f.seed.Bots = append(f.seed.Bots, b.ID)
		}
		return nil
	})
}

// chatTime is when chat i began: chats a minute apart, so the list's
// order by activity is the order of i (the newest last).
func chatTime(i int) time.Time { return Start.Add(time.Duration(i) * time.Minute) }

// chat writes subscriber i, their chat, its messages and the chat's
// state (status, assignee, followers, red dot, last message).
func (f *filler) chat(ctx context.Context, i int) error {
	ws, cfg := f.seed.Workspace, f.cfg
	bot := f.seed.Bots[i%len(f.seed.Bots)]
	at := chatTime(i)
	f.setTime(at)
	name := personName(i)
	sub := &models.Subscriber{ID: models.SubscriberID(ws, bot, fmt.Sprint(i)), BotID: bot, ExternalID: fmt.Sprint(i),
		Channel: models.ChannelTelegram, Name: name, Subscribed: true, Stamp: models.Stamp{WS: ws}}
	if _, _, err := f.st.EnsureSubscriber(ctx, sub); err != nil {
		return err
	}
	conv := &models.Conversation{ID: models.ConversationID(sub.ID), BotID: bot, SubscriberID: sub.ID,
		Channel: sub.Channel, Status: models.StatusIdle, SubscriberName: name, Stamp: models.Stamp{WS: ws}}
	if _, _, err := f.st.EnsureConversation(ctx, conv); err != nil {
		return err
	}
	known := i == f.knownChat()
	status, assignee, followers, unread := f.shape(i)
	if known {
		status, assignee, unread = models.StatusOpen, f.seed.Admin, true
		f.seed.Chat, f.seed.ChatSubscriber = conv.ID, sub.ID
	}
	var last *models.Message
	for j := 0; j < cfg.Messages; j++ {
		m := &models.Message{ID: models.NewID(), ConversationID: conv.ID, SubscriberID: sub.ID, BotID: bot,
			Kind: models.KindText, Text: messageText(i, j, known), CreatedAt: at.Add(time.Duration(j) * 5 * time.Second)}
		switch {
		case j%3 == 1 && assignee != "":
			m.Sender, m.AuthorID, m.Status = models.SenderAgent, assignee, models.DeliveryDelivered
		case j%3 == 2:
			m.Sender, m.Status = models.SenderBot, models.DeliveryDelivered
		default:
			m.Sender = models.SenderSubscriber
		}
		f.setTime(m.CreatedAt)
		if err := f.st.CreateMessage(ctx, ws, m); err != nil {
			return err
		}
		if containsWord(m.Text, searchTerm) {
			f.hits++
		}
		if known {
			f.seed.History = append([]string{m.ID}, f.seed.History...)
			if containsWord(m.Text, searchTerm) {
				f.seed.SearchHits++
			}
		}
		last = m
	}
	upd := models.ConversationUpdate{Status: &status, Followers: &followers, Activity: &last.CreatedAt,
		LastMessageAt: &last.CreatedAt, LastInboundAt: &last.CreatedAt, LastMessagePreview: &last.Text}
	if status != models.StatusIdle {
		t, yes := at, true
		upd.StartedAt, upd.EverOpened = &t, &yes
	}
	if assignee != "" {
		upd.AssigneeID = &assignee
	}
	if unread {
		n := 1 + i%3
		upd.Unread, upd.UnreadCount = &unread, &n
	}
	if _, err := f.st.UpdateConversation(ctx, ws, conv.ID, upd); err != nil {
		return err
	}
	f.writes += int64(cfg.Messages) + 3
	f.seed.Writes = f.writes
	switch status {
	case models.StatusOpen:
		f.seed.Open++
		if unread {
			f.seed.Unread++
		}
		if assignee == f.seed.Admin {
			f.seed.Mine++
		}
	case models.StatusClosed:
		f.seed.Closed++
	default:
		f.seed.Idle++
	}
	return nil
}

// knownChat is the index of the chat with the known history: in the
// middle, so that neither end of the list is special.
func (f *filler) knownChat() int { return f.cfg.Chats / 2 }

// shape spreads the chats over the tabs and groups: 60% open, 25%
// closed, 15% idle; of the open and closed, a fifth unassigned and the
// rest round the admin and the agents; a fifth of the chats followed by
// an agent; a third of the open ones unread.
func (f *filler) shape(i int) (models.ConversationStatus, string, []string, bool) {
	status := models.StatusOpen
	switch r := i % 20; {
	case r >= 12 && r < 17:
		status = models.StatusClosed
	case r >= 17:
		status = models.StatusIdle
	}
	assignee := ""
	team := append([]string{f.seed.Admin}, f.seed.Agents...)
	if status != models.StatusIdle && i%5 != 0 {
		assignee = team[(i/5)%len(team)]
	}
	followers := []string{}
	if i%5 == 3 {
		followers = append(followers, f.seed.Agents[i%len(f.seed.Agents)])
	}
	return status, assignee, followers, status == models.StatusOpen && i%3 == 0
}
