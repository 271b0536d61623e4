package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// Config is every setting of the server, loaded once at start from
// SWITCHBOARD_* environment variables over an optional env-style file.
type Config struct {
	Addr                   string
	MongoURI               string
	Database               string
	DataDir                string
	ConnectTimeout         time.Duration
	SigningKey             string
	AccessTokenTTL         time.Duration
	RefreshTokenTTL        time.Duration
	InviteTTL              time.Duration
	LoginAttempts          int
	LoginWindow            time.Duration
	PasswordMemoryKiB      int
	PasswordIterations     int
	BodyLimit              int64
	TrustProxy             bool
	LogLevel               slog.Level
	LogFormat              string
	ShutdownTimeout        time.Duration
	BootstrapEmail         string
	BootstrapWorkspace     string
	SyncLease              time.Duration
	SyncHistoryDays        int
	SyncHistoryPerChat     int
	SyncTombstoneRetention time.Duration
	SyncPageLimit          int
	SyncMaxPageLimit       int
	SyncPollInterval       time.Duration
	SyncStatsInterval      time.Duration
	Push                   PushConfig
	Channels               ChannelsConfig
	// OutboundAllowPrivate lets requests to addresses members choose
	// (Web Push endpoints) reach loopback and private addresses.
	OutboundAllowPrivate bool
}

// setting is one configurable value: its variable, default, help and parser.
type setting struct {
	env, def, help string
	secret         bool
	set            func(c *Config, v string) error
}

var settings = []setting{
	{"SWITCHBOARD_ADDR", ":8080", "address the HTTP server listens on", false, func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return errors.New("must be host:port, for example :8080 or 127.0.0.1:8080")
		}
		c.Addr = v
		return nil
	}},
	{"SWITCHBOARD_MONGODB_URI", "", "MongoDB connection string; empty uses the embedded SQLite store in SWITCHBOARD_DATA_DIR", true, func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "mongodb://") && !strings.HasPrefix(v, "mongodb+srv://") {
			return errors.New("must start with mongodb:// or mongodb+srv://, or be empty for the embedded store")
		}
		c.MongoURI = v
		return nil
	}},
	{"SWITCHBOARD_MONGODB_DATABASE", "switchboard", "database name", false, func(c *Config, v string) error {
		if v == "" || strings.ContainsAny(v, `/\. "$`) || len(v) > 63 {
			return errors.New("must be 1..63 characters without / \\ . space \" or $")
		}
		c.Database = v
		return nil
	}},
	{"SWITCHBOARD_MONGODB_CONNECT_TIMEOUT", "10s", "how long to wait for the database at start", false, durationSetting(func(c *Config) *time.Duration { return &c.ConnectTimeout })},
	{"SWITCHBOARD_DATA_DIR", "./data", "directory of the embedded store: its database file and attachments (created if missing)", false, func(c *Config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{"SWITCHBOARD_JWT_SECRET", "", "key that signs access tokens, at least 32 characters; empty generates one and keeps it in the database, shared by all instances", true, func(c *Config, v string) error {
		if v != "" && len(v) < 32 {
			return errors.New("must be at least 32 characters (try: openssl rand -hex 32), or empty to generate one")
		}
		c.SigningKey = v
		return nil
	}},
	{"SWITCHBOARD_ACCESS_TOKEN_TTL", "15m", "lifetime of access tokens", false, durationSetting(func(c *Config) *time.Duration { return &c.AccessTokenTTL })},
	{"SWITCHBOARD_REFRESH_TOKEN_TTL", "720h", "lifetime of a login session (refresh tokens)", false, durationSetting(func(c *Config) *time.Duration { return &c.RefreshTokenTTL })},
	{"SWITCHBOARD_INVITE_TTL", "168h", "how long an invite token stays valid", false, durationSetting(func(c *Config) *time.Duration { return &c.InviteTTL })},
	{"SWITCHBOARD_LOGIN_ATTEMPTS", "10", "login attempts allowed per client address and email per window (ten times as many per address, five times as many per email from clients without its device token)", false, intSetting(1, 10000, func(c *Config, n int) { c.LoginAttempts = n })},
	{"SWITCHBOARD_LOGIN_WINDOW", "15m", "window of the login attempt limit", false, durationSetting(func(c *Config) *time.Duration { return &c.LoginWindow })},
	{"SWITCHBOARD_PASSWORD_MEMORY_KIB", "19456", "argon2id memory cost in KiB", false, intSetting(64, 4<<20, func(c *Config, n int) { c.PasswordMemoryKiB = n })},
	{"SWITCHBOARD_PASSWORD_ITERATIONS", "2", "argon2id passes", false, intSetting(1, 100, func(c *Config, n int) { c.PasswordIterations = n })},
	{"SWITCHBOARD_BODY_LIMIT", "1048576", "largest accepted request body in bytes", false, func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 || n > 1<<30 {
			return errors.New("must be a whole number of bytes from 1024 to 1073741824")
		}
		c.BodyLimit = n
		return nil
	}},
	{"SWITCHBOARD_TRUST_PROXY", "false", "take the client address from X-Forwarded-For (only behind a proxy you run)", false, func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		c.TrustProxy = b
		return nil
	}},
	{"SWITCHBOARD_LOG_LEVEL", "info", "debug, info, warn or error", false, func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"SWITCHBOARD_LOG_FORMAT", "json", "json or text", false, func(c *Config, v string) error {
		if v != "json" && v != "text" {
			return errors.New("must be json or text")
		}
		c.LogFormat = v
		return nil
	}},
	{"SWITCHBOARD_SHUTDOWN_TIMEOUT", "15s", "how long shutdown waits for requests in flight", false, durationSetting(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"SWITCHBOARD_SYNC_LEASE", "10s", "longest a change-feed write may stay in flight; a writer that died holds syncing apps back at most this long", false, durationSetting(func(c *Config) *time.Duration { return &c.SyncLease })},
	{"SWITCHBOARD_SYNC_HISTORY_DAYS", "30", "a first sync sends messages of the last days only (0: any age)", false, intSetting(0, 36500, func(c *Config, n int) { c.SyncHistoryDays = n })},
	{"SWITCHBOARD_SYNC_HISTORY_PER_CHAT", "50", "a first sync sends at most this many newest messages per chat (0: no cap)", false, intSetting(0, 100000, func(c *Config, n int) { c.SyncHistoryPerChat = n })},
	{"SWITCHBOARD_SYNC_TOMBSTONE_RETENTION", "2160h", "how long deletions are kept for syncing apps; a device away longer gets a full resync", false, durationSetting(func(c *Config) *time.Duration { return &c.SyncTombstoneRetention })},
	{"SWITCHBOARD_SYNC_PAGE_LIMIT", "500", "changes per pull page when the app sends no limit", false, intSetting(1, 100000, func(c *Config, n int) { c.SyncPageLimit = n })},
	{"SWITCHBOARD_SYNC_MAX_PAGE_LIMIT", "5000", "largest limit a pull may ask for", false, intSetting(1, 100000, func(c *Config, n int) { c.SyncMaxPageLimit = n })},
	{"SWITCHBOARD_SYNC_POLL_INTERVAL", "1s", "how often a workspace with waiting pulls looks for changes other instances wrote", false, durationSetting(func(c *Config) *time.Duration { return &c.SyncPollInterval })},
	{"SWITCHBOARD_SYNC_STATS_INTERVAL", "2s", "how often changed statistics are published to syncing apps", false, durationSetting(func(c *Config) *time.Duration { return &c.SyncStatsInterval })},
	{"SWITCHBOARD_BOOTSTRAP_EMAIL", "admin@switchboard.local", "email of the admin created on first run of an empty database", false, func(c *Config, v string) error {
		if !strings.Contains(v, "@") {
			return errors.New("must be an email address")
		}
		c.BootstrapEmail = v
		return nil
	}},
	{"SWITCHBOARD_BOOTSTRAP_WORKSPACE", "My workspace", "name of the workspace created on first run", false, func(c *Config, v string) error {
		if v == "" || len(v) > 100 {
			return errors.New("must be 1..100 characters")
		}
		c.BootstrapWorkspace = v
		return nil
	}},
}

func durationSetting(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("must be a positive duration such as 30s, 15m or 24h")
		}
		*field(c) = d
		return nil
	}
}

func intSetting(min, max int, set func(*Config, int)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			return fmt.Errorf("must be a whole number from %d to %d", min, max)
		}
		set(c, n)
		return nil
	}
}

// LoadConfig reads the settings: defaults, then the file (if any), then the
// environment. Every bad value is reported, each naming its variable.
func LoadConfig(getenv func(string) (string, bool), file string) (*Config, error) {
	fromFile := map[string]string{}
	if file != "" {
		m, err := godotenv.Read(file)
		if err != nil {
			return nil, fmt.Errorf("config file %s cannot be read: %v", file, err)
		}
		known := map[string]bool{}
		for _, s := range settings {
			known[s.env] = true
		}
		for k := range m {
			if !known[k] {
				return nil, fmt.Errorf("config file %s: unknown setting %s (see switchboard --help)", file, k)
			}
		}
		fromFile = m
	}
	c := &Config{}
	var errs []error
	for _, s := range settings {
		v := s.def
		if fv, ok := fromFile[s.env]; ok {
			v = fv
		}
		if ev, ok := getenv(s.env); ok {
			v = ev
		}
		if err := s.set(c, v); err != nil {
			shown := v
			if s.secret {
				shown = "(hidden)"
			}
			errs = append(errs, fmt.Errorf("%s=%q: %v", s.env, shown, err))
		}
	}
	if len(errs) == 0 {
		if c.SyncPageLimit > c.SyncMaxPageLimit {
			errs = append(errs, fmt.Errorf("SWITCHBOARD_SYNC_PAGE_LIMIT=%d: must not exceed SWITCHBOARD_SYNC_MAX_PAGE_LIMIT=%d", c.SyncPageLimit, c.SyncMaxPageLimit))
		}
		if c.SyncHistoryDays == 0 && c.SyncHistoryPerChat == 0 {
			errs = append(errs, errors.New("SWITCHBOARD_SYNC_HISTORY_DAYS and SWITCHBOARD_SYNC_HISTORY_PER_CHAT are both 0: a first sync would send every message ever; set at least one"))
		}
		errs = append(errs, c.checkPush()...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// SyncConfig is the sync service's part of the configuration.
func (c *Config) SyncConfig() syncsvc.Config {
	return syncsvc.Config{HistoryDays: c.SyncHistoryDays, HistoryPerChat: c.SyncHistoryPerChat,
		TombstoneRetention: c.SyncTombstoneRetention, DefaultLimit: c.SyncPageLimit, MaxLimit: c.SyncMaxPageLimit,
		PollInterval: c.SyncPollInterval, StatsInterval: c.SyncStatsInterval}
}

// printSettings writes the settings table of --help.
func printSettings(w io.Writer) {
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  %-36s %s (default %s)\n", s.env, s.help, def)
	}
}
