package api

import (
	"crypto/subtle"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// telegramSecretHeader carries the secret token set with setWebhook.
const telegramSecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// telegramWebhook takes the notifications bot's updates. The secret token
// is checked before the body is read; an update that cannot be handled is
// still answered 200 (Telegram would only redeliver it); a body that is not
// strict JSON (see strictjson.go) is refused before it is handled.
func (s *Server) telegramWebhook(c echo.Context) error {
	if s.opt.TelegramWebhook == nil || s.opt.TelegramSecret == "" {
		return models.NotFound("telegram webhook (the notifications bot uses long polling or is off)")
	}
	got := c.Request().Header.Get(telegramSecretHeader)
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.opt.TelegramSecret)) != 1 {
		return models.Errorf(models.CodeUnauthorized, "missing or wrong %s header", telegramSecretHeader)
	}
	body, err := rawJSON(c)
	if err != nil {
		return err
	}
	s.opt.TelegramWebhook(c.Request().Context(), body)
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}
