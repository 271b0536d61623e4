package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/store/storetest"
)

// pushEnv is a server with a push gateway on the same database. The
// gateway runs on the inbox clock and is driven by step (one turn of its
// loops), so every test is exact about time.
type pushEnv struct {
	*env
	g     *push.Gateway
	preg  *prometheus.Registry
	cfg   push.Config
	stors push.Stores
}

func gatewayStores(db models.Store) push.Stores {
	return push.Stores{Sync: db, State: db, Alerts: db, Devices: db, Members: db, Conversations: db, Messages: db, Bots: db}
}

// newPushEnv wires a gateway with senders (providers without one are off).
func newPushEnv(t testing.TB, cfg push.Config, senders map[push.Provider]push.Sender, opts ...func(*push.Gateway, *apiOptions)) *pushEnv {
	t.Helper()
	db := storetest.Open(t)
	pe := &pushEnv{preg: prometheus.NewRegistry(), stors: gatewayStores(db)}
	if cfg.AppURL == "" {
		cfg.AppURL = "https://app.example.com"
	}
	var e *env
	now := func() time.Time { return e.inboxClock.Now() }
	pe.g = push.New(pe.stors, cfg, senders, now, pe.preg)
	pe.cfg = pe.g.Config()
	e = newSyncEnv(t, db, testSync, func(_ *authConfig, o *apiOptions) {
		o.Push = pe.g
		for _, f := range opts {
			f(pe.g, o)
		}
	})
	pe.g.WithActions(inbox.AlertActions{S: e.inbox})
	pe.env = e
	return pe
}

// step runs one turn of the gateway and returns how many alerts it sent.
func (pe *pushEnv) step() int {
	pe.t.Helper()
	n, err := pe.g.Step(context.Background())
	if err != nil {
		pe.t.Fatal(err)
	}
	return n
}

// alerts lists the workspace's alerts as its admin sees them.
func (pe *pushEnv) alerts(admin string, query string) []models.Alert {
	pe.t.Helper()
	r := pe.call("GET", "/v1/push/alerts"+query, admin, nil)
	wantStatus(pe.t, r, http.StatusOK)
	var l struct{ Items []models.Alert }
	r.JSON(pe.t, &l)
	return l.Items
}

// device registers a device through the API and wants 201.
func (pe *pushEnv) device(token string, body map[string]any) models.Device {
	pe.t.Helper()
	r := pe.call("POST", "/v1/push/devices", token, body)
	wantStatus(pe.t, r, http.StatusCreated)
	var d models.Device
	r.JSON(pe.t, &d)
	return d
}

func (pe *pushEnv) devices(token string) []models.Device {
	pe.t.Helper()
	r := pe.call("GET", "/v1/push/devices", token, nil)
	wantStatus(pe.t, r, http.StatusOK)
	var l struct{ Items []models.Device }
	r.JSON(pe.t, &l)
	return l.Items
}

// counter reads a gateway counter.
func (pe *pushEnv) counter(provider, outcome string) float64 {
	mfs, err := pe.preg.Gather()
	if err != nil {
		pe.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "switchboard_push_deliveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["provider"] == provider && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// apnsToken is a valid-looking APNs device token for n.
func apnsToken(n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 64)
	for i := range b {
		b[i] = hex[(n+i)%16]
	}
	return string(b)
}
