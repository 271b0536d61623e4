package viber_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/channels/viber"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

var creds = map[string]string{viber.CredAuthToken: viberfake.Token}

// hook is a webhook endpoint doing what the caller of the adapter does:
// verify on the raw body, split, keep the updates, answer 200 (403 for a
// bad signature, 400 for a body that is not Viber's).
type hook struct {
	*httptest.Server
	mu      sync.Mutex
	updates []channels.RawUpdate
	checks  int
}

func newHook(t *testing.T, a *viber.Adapter) *hook {
	h := &hook{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !a.Verify(creds, "", r.Header, body) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		ups, err := a.Split(body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		if len(ups) == 0 {
			h.checks++
		}
		h.updates = append(h.updates, ups...)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) got() []channels.RawUpdate {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]channels.RawUpdate(nil), h.updates...)
}

func setup(t *testing.T) (*viberfake.Fake, *viber.Adapter) {
	t.Helper()
	f := viberfake.New()
	t.Cleanup(f.Close)
	f.AddUser(viberfake.User{ID: "u1==", Name: "Olena", Subscribed: true, Language: "uk", Country: "UA", Avatar: "http://127.0.0.1:1/avatar.jpg"})
	f.AddUser(viberfake.User{ID: "gone==", Name: "Left"})
	return f, viber.New(f.BaseURL(), nil)
}

func update(key string, raw []byte) *models.InboundUpdate {
	return &models.InboundUpdate{ID: models.UpdateID("b1", key), BotID: "b1", Channel: models.ChannelViber, Key: key, Raw: raw}
}
