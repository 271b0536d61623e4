package sync

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
	"golang.org/x/sync/singleflight"
)

// Config holds the sync settings; zero values take the defaults below.
type Config struct {
	// HistoryDays bounds a first sync to messages of the last days (0: any age).
	HistoryDays int
	// HistoryPerChat bounds a first sync to the newest messages of each chat (0: no cap).
	HistoryPerChat int
	// TombstoneRetention is how long deletions are kept for devices to learn of them.
	TombstoneRetention time.Duration
	// DefaultLimit and MaxLimit bound the changes of one pull page.
	DefaultLimit, MaxLimit int
	// MaxWait is the longest a pull may wait for a change.
	MaxWait time.Duration
	// PollInterval is how often a workspace with waiting pulls looks for
	// changes written by other instances.
	PollInterval time.Duration
	// StatsInterval is how often changed statistics buckets are stamped.
	StatsInterval time.Duration
	// PurgeInterval is how often tombstones past retention are purged.
	PurgeInterval time.Duration
}

// Defaults of Config.
const (
	DefaultHistoryDays        = 30
	DefaultHistoryPerChat     = 50
	DefaultTombstoneRetention = 90 * 24 * time.Hour
	DefaultLimit              = 500
	DefaultMaxLimit           = 5000
	DefaultMaxWait            = 30 * time.Second
	DefaultPollInterval       = time.Second
	DefaultStatsInterval      = 2 * time.Second
	DefaultPurgeInterval      = time.Hour
)

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.HistoryDays < 0 {
		c.HistoryDays = 0
	}
	if c.HistoryPerChat < 0 {
		c.HistoryPerChat = 0
	}
	def(&c.DefaultLimit, DefaultLimit)
	def(&c.MaxLimit, DefaultMaxLimit)
	defDur(&c.TombstoneRetention, DefaultTombstoneRetention)
	defDur(&c.MaxWait, DefaultMaxWait)
	defDur(&c.PollInterval, DefaultPollInterval)
	defDur(&c.StatsInterval, DefaultStatsInterval)
	defDur(&c.PurgeInterval, DefaultPurgeInterval)
	return c
}

// Inbox is what pushes need of the inbox: the same calls, and so the same
// rules and role checks, as the REST API.
type Inbox interface {
	Conversation(ctx context.Context, p models.Principal, id string) (*models.Conversation, error)
	Subscriber(ctx context.Context, p models.Principal, id string) (*models.Subscriber, error)
	EditableNote(ctx context.Context, p models.Principal, id string) (*models.Note, error)
	Send(ctx context.Context, p models.Principal, convID string, in inbox.SendInput) (*models.Message, bool, error)
	AddNoteWithID(ctx context.Context, p models.Principal, id, subscriberID, text string) (*models.Note, error)
	EditNote(ctx context.Context, p models.Principal, id, text string) (*models.Note, error)
	DeleteNote(ctx context.Context, p models.Principal, id string) error
	MarkRead(ctx context.Context, p models.Principal, id string) (*models.Conversation, error)
	SetTags(ctx context.Context, p models.Principal, id string, tags []string) (*models.Conversation, error)
	SetMuted(ctx context.Context, p models.Principal, id string, muted bool) (*models.Conversation, error)
	EditSubscriber(ctx context.Context, p models.Principal, id string, in inbox.SubscriberEdit) (*models.Subscriber, error)
}

// Service answers pulls and pushes.
type Service struct {
	st    models.SyncStore
	inbox Inbox
	cfg   Config
	now   func() time.Time
	hub   *Hub
	reads singleflight.Group // change-log pages being read, by range
}

// New returns the service. now is the clock (time.Now when nil); hub
// wakes waiting pulls (nil: pulls do not wait).
func New(st models.SyncStore, in Inbox, cfg Config, hub *Hub, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, inbox: in, cfg: cfg.withDefaults(), now: now, hub: hub}
}

// Config returns the settings in effect, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// maxTimestamp is the largest timestamp WatermelonDB carries exactly (2^53-1).
const maxTimestamp = 1<<53 - 1

func requireMember(p models.Principal, me *models.Member) error {
	if !p.IsMember() || me == nil {
		return models.Errorf(models.CodeForbidden, "sync needs a member's access token, not an API key")
	}
	return nil
}
