package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/switchboardhq/switchboard/channels"
	tgchan "github.com/switchboardhq/switchboard/channels/telegram"
	vbchan "github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/jobs"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/outbound"
)

// updateRetention is how long applied inbound updates are kept.
const updateRetention = 7 * 24 * time.Hour

// jobsIdlePoll is the longest an idle job runner waits between looks for
// due jobs it was not told of (a job another instance queued and did not
// run, a dead holder's lease run out).
const jobsIdlePoll = 30 * time.Second

// channelStore is the store the job runner and the messenger connections
// use: the app's store. It is a variable only so that the crash tests'
// server process can die at a chosen write (see crash_channels_test.go);
// nothing else sets it.
var channelStore = func(db models.Store) models.Store { return db }

// openChannels builds the durable job runner and the native messenger
// connections (Telegram and Viber), and logs how bots receive updates.
func (a *app) openChannels(ctx context.Context) error {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	key, err := a.db.EnsureSetting(ctx, "media_signing_key", hex.EncodeToString(b))
	if err != nil {
		return fmt.Errorf("load the media signing key: %w", err)
	}
	db := channelStore(a.db)
	a.jobs = jobs.New(db, nil, a.log)
	// Every local write wakes the runner (app.go), and it follows its own
	// retries: an idle server looks for other work less often.
	a.jobs.IdlePoll = jobsIdlePoll
	// Inbound files come from URLs the messengers give: fetched through
	// the guarded client, as every address from outside is.
	files := outbound.NewClient(outbound.Options{Policy: outbound.Policy{AllowPrivate: a.cfg.OutboundAllowPrivate},
		Timeout: 3 * time.Minute, MaxBody: models.MaxFileSize + 1})
	viber := vbchan.New(a.cfg.Channels.ViberAPIURL, &http.Client{Timeout: 30 * time.Second})
	viber.Files = files
	adapters := map[models.Channel]channels.Adapter{
		models.ChannelTelegram: tgchan.New(tgchan.Config{BaseURL: a.cfg.Push.TelegramAPIURL}),
		models.ChannelViber:    viber,
	}
	host, _ := os.Hostname()
	a.channels = channels.New(channels.Stores{Bots: db, Members: db, Subscribers: db, Messages: db, Files: db,
		Updates: db, Jobs: db, State: db, Native: db},
		channels.Config{PublicURL: a.cfg.Channels.PublicURL, MediaKey: []byte(key), Holder: host + "-" + hex.EncodeToString(b[:4])},
		adapters, a.inbox, a.jobs, a.log)
	a.chores = append(a.chores, chore{"purge of applied messenger updates", func(ctx context.Context) error {
		_, err := a.db.PurgeUpdates(ctx, time.Now().Add(-updateRetention))
		return err
	}})
	if pub := a.cfg.Channels.PublicURL; pub != "" {
		a.log.Info("messengers: native bots receive updates by webhook", "public_url", pub)
	} else {
		a.log.Info("messengers: no SWITCHBOARD_PUBLIC_URL; Telegram bots use long polling, Viber bots cannot connect",
			"setting", "SWITCHBOARD_PUBLIC_URL")
	}
	return nil
}

// runChannels runs the job runner and the long polls until ctx ends; it
// returns when both have stopped.
func (a *app) runChannels(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); a.jobs.Run(ctx) }()
	a.channels.Run(ctx)
	<-done
}
