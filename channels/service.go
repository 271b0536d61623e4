package channels

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
)

// Stores are the persistence interfaces the connections need.
type Stores struct {
	Bots        models.BotStore
	Members     models.MemberStore
	Subscribers models.SubscriberStore
	Messages    models.MessageStore
	Files       models.FileStore
	Updates     models.UpdateStore
	Jobs        models.JobStore
	// State holds the polling leases (one instance polls a bot at a time).
	State models.PushStateStore
	// Native lists the native bots of every workspace.
	Native interface {
		NativeBots(ctx context.Context) ([]*models.Bot, error)
	}
}

// Config configures the connections.
type Config struct {
	// PublicURL is where the messengers reach this server
	// (SWITCHBOARD_PUBLIC_URL): with it bots use webhooks, without it
	// Telegram bots use long polling and Viber bots cannot connect.
	PublicURL string
	// MediaKey signs the expiring URLs of files sent to Viber.
	MediaKey []byte
	// PollWait is a long poll's wait (25 s); Rescan how often the set of
	// polling bots is read again (30 s).
	PollWait time.Duration
	Rescan   time.Duration
	// Holder names this instance in the polling leases.
	Holder string
	Now    func() time.Time
}

// Service connects native bots and runs their updates, sends and files.
type Service struct {
	st       Stores
	cfg      Config
	adapters map[models.Channel]Adapter
	inbox    *inbox.Service
	runner   *jobs.Runner
	log      *slog.Logger
	// hooks is the public URL's base for webhooks ("" without one).
	hooks string

	mu      sync.Mutex
	pollers map[string]*poller // by bot id
	// checked is when each webhook bot's delivery was last checked.
	checked map[string]time.Time
	kick    chan struct{}
	wg      sync.WaitGroup
}

// New returns the service. The runner gets the connections' job kinds;
// adapters maps each natively supported channel to its adapter.
func New(st Stores, cfg Config, adapters map[models.Channel]Adapter, ib *inbox.Service, runner *jobs.Runner, log *slog.Logger) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PollWait <= 0 {
		cfg.PollWait = 25 * time.Second
	}
	if cfg.Rescan <= 0 {
		cfg.Rescan = 30 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Service{st: st, cfg: cfg, adapters: adapters, inbox: ib, runner: runner, log: log,
		hooks: strings.TrimRight(cfg.PublicURL, "/"), pollers: map[string]*poller{}, checked: map[string]time.Time{}, kick: make(chan struct{}, 1)}
	runner.Handle(jobs.Kind{Name: models.JobUpdate, Handler: s.processUpdate, Workers: 4})
	runner.Handle(jobs.Kind{Name: models.JobSend, Handler: s.send, Workers: 8})
	runner.Handle(jobs.Kind{Name: models.JobFetch, Handler: s.fetch, Workers: 2, Lease: 3 * time.Minute})
	runner.Handle(jobs.Kind{Name: models.JobProfile, Handler: s.profile, Workers: 2})
	ib.WithDeleter(s.deleteOnMessenger)
	return s
}

// Supports reports whether Switchboard connects bots of ch natively.
func (s *Service) Supports(ch models.Channel) bool { return s.adapters[ch] != nil }

// PublicURL is the configured public URL ("" none).
func (s *Service) PublicURL() string { return s.hooks }

// hookURL is the webhook of bot b.
func (s *Service) hookURL(b *models.Bot) string {
	return s.hooks + "/v1/hooks/" + string(b.Channel) + "/" + url.PathEscape(b.WS) + "/" + url.PathEscape(b.ID)
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// system is the principal the connections act as in the inbox: the
// messenger, like a bot engine's API key.
func system(ws string) models.Principal {
	return models.Principal{WS: ws, APIKeyID: "messenger"}
}
