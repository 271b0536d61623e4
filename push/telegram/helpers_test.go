package telegram

import (
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	tg "github.com/switchboardhq/switchboard/telegram"
)

const testToken = "123456:AAE-secret_Token-value"

// newTest starts a fake Bot API and a client for it, with rate limits high
// enough not to slow the tests.
func newTest(t *testing.T) (*telegramfake.Server, *tg.Client) {
	t.Helper()
	fake := telegramfake.New(t, testToken)
	return fake, tg.New(tg.Config{Token: testToken, BaseURL: fake.URL(), GlobalRate: 1e6, PerChatRate: 1e6})
}
