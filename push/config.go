package push

import (
	"time"
)

// Config tunes the gateway. Zero values take the defaults of Defaults.
type Config struct {
	// Holder names this instance in leases.
	Holder string
	// TTL is how long an alert is tried before its undelivered routes are
	// given up; events older than it are not alerted at all.
	TTL time.Duration
	// Lease is how long a worker holds an alert it is sending.
	Lease time.Duration
	// DispatchSlot is the length of the lease on reading a workspace's log.
	DispatchSlot time.Duration
	// PollInterval is how often idle loops look for work other instances made.
	PollInterval time.Duration
	// Alone says that this instance is the only one on its store (the
	// embedded store): the dispatcher takes no lease and reads a
	// workspace's log when this instance wrote to it, polling every
	// workspace only every AlonePoll as a safety net.
	Alone bool
	// Batch is how many log entries one dispatch reads.
	Batch int
	// Workers is how many batches of alerts this instance sends at once.
	Workers int
	// SendBatch is how many due alerts one worker leases and sends together.
	SendBatch int
	// Concurrency bounds the sends in flight per provider on this instance.
	Concurrency map[Provider]int
	// BackoffBase and BackoffMax shape the retry delays (exponential, with jitter).
	BackoffBase, BackoffMax time.Duration
	// EmailEvery is the least time between two alert emails to a member.
	EmailEvery time.Duration
	// Retention is how long finished alerts stay queryable.
	Retention time.Duration
	// AppURL is the web app's base URL; a chat opens at AppURL/chats/<id>.
	AppURL string
	// TelegramBot is the notifications bot's username, for deep links.
	TelegramBot string
	// SendTimeout bounds one provider call; it is kept under half the
	// Lease, since no send starts later than Lease*3/4-SendTimeout into
	// one (what is left is sent under the next lease).
	SendTimeout time.Duration
}

// AlonePoll is how often an instance alone on its store reads every
// workspace's log anyway (Config.Alone).
const AlonePoll = time.Minute

// Defaults fills the zero fields of c.
func (c Config) Defaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.TTL, 6*time.Hour)
	def(&c.Lease, 60*time.Second)
	def(&c.DispatchSlot, 10*time.Second)
	def(&c.PollInterval, time.Second)
	def(&c.BackoffBase, 2*time.Second)
	def(&c.BackoffMax, 10*time.Minute)
	def(&c.EmailEvery, time.Hour)
	def(&c.Retention, 7*24*time.Hour)
	def(&c.SendTimeout, 30*time.Second)
	if c.Batch <= 0 {
		c.Batch = 500
	}
	if c.SendTimeout > c.Lease/2 {
		c.SendTimeout = c.Lease / 2
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.SendBatch <= 0 {
		c.SendBatch = 50
	}
	conc := map[Provider]int{ProviderFCM: 64, ProviderAPNs: 64, ProviderWebPush: 32, ProviderTelegram: 8, ProviderEmail: 4}
	for p, n := range c.Concurrency {
		if n > 0 {
			conc[p] = n
		}
	}
	c.Concurrency = conc
	if c.Holder == "" {
		c.Holder = "switchboard"
	}
	return c
}

// ChatURL is where the web app opens chat id ("" without an AppURL).
func (c Config) ChatURL(id string) string {
	if c.AppURL == "" || id == "" {
		return ""
	}
	return c.AppURL + "/chats/" + id
}
