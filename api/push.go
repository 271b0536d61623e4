package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/push"
)

// Push is what the push-gateway handlers need.
type Push interface {
	RegisterDevice(ctx context.Context, p models.Principal, in push.DeviceInput) (*models.Device, error)
	Devices(ctx context.Context, p models.Principal) ([]*models.Device, error)
	RemoveDevice(ctx context.Context, p models.Principal, id string) error
	TestPush(ctx context.Context, p models.Principal, id string) (*push.TestResult, error)
	Prefs(ctx context.Context, p models.Principal) (map[models.AlertEvent]map[models.PushChannel]bool, error)
	SetPrefs(ctx context.Context, p models.Principal, set map[string]map[string]bool) (map[models.AlertEvent]map[models.PushChannel]bool, error)
	Alerts(ctx context.Context, p models.Principal, f models.AlertFilter) ([]*models.Alert, error)
	Alert(ctx context.Context, p models.Principal, id string) (*models.Alert, error)
	TelegramLink(ctx context.Context, p models.Principal) (*push.Link, error)
	UnlinkTelegram(ctx context.Context, p models.Principal) error
}

type webPushKeys struct {
	P256dh string `json:"p256dh" validate:"required,max=200"`
	Auth   string `json:"auth" validate:"required,max=100"`
}

type webPushSubscription struct {
	Endpoint       string      `json:"endpoint" validate:"required,max=2048"`
	ExpirationTime *int64      `json:"expirationTime"`
	Keys           webPushKeys `json:"keys"`
}

type deviceRequest struct {
	Kind         models.DeviceKind    `json:"kind" validate:"required,oneof=fcm apns webpush"`
	Name         string               `json:"name" validate:"max=100"`
	Token        string               `json:"token" validate:"required_unless=Kind webpush,max=4096"`
	Topic        string               `json:"topic" validate:"required_if=Kind apns,max=255"`
	Sandbox      bool                 `json:"sandbox"`
	Subscription *webPushSubscription `json:"subscription" validate:"required_if=Kind webpush"`
}

type deviceList struct {
	Items []*models.Device `json:"items"`
}

// testPushResponse is a test push's answer: the outcome class and reason
// in the provider's terms. Web Push results carry no status or message id
// (push.TestResult): the endpoint is the member's choice, and nothing it
// sent is given back.
type testPushResponse struct {
	Provider   push.Provider `json:"provider"`
	Outcome    push.Outcome  `json:"outcome"`
	Reason     string        `json:"reason,omitempty"`
	Status     int           `json:"status,omitempty"`
	ProviderID string        `json:"provider_id,omitempty"`
	Removed    bool          `json:"removed"`
}

type prefsBody struct {
	Events map[models.AlertEvent]map[models.PushChannel]bool `json:"events"`
}

type prefsRequest struct {
	Events map[string]map[string]bool `json:"events" validate:"required"`
}

type linkResponse struct {
	Code      string    `json:"code"`
	URL       string    `json:"url,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

type alertList struct {
	Items []*models.Alert `json:"items"`
}

func (s *Server) pushService() (Push, error) {
	if s.opt.Push == nil {
		return nil, models.Errorf(models.CodeUnavailable, "the push gateway is not enabled on this server")
	}
	return s.opt.Push, nil
}

// pushRoutes adds the push gateway's routes.
func (s *Server) pushRoutes(people []echo.MiddlewareFunc) {
	e := s.e
	e.GET("/v1/push/vapid-public-key", s.vapidKey)
	e.GET("/v1/push/devices", s.listDevices, people...)
	e.POST("/v1/push/devices", s.registerDevice, people...)
	e.DELETE("/v1/push/devices/:id", s.pushByID(http.StatusNoContent, func(ctx context.Context, svc Push, p models.Principal, id string) (any, error) {
		return nil, svc.RemoveDevice(ctx, p, id)
	}), people...)
	e.POST("/v1/push/devices/:id/test", s.pushByID(http.StatusOK, func(ctx context.Context, svc Push, p models.Principal, id string) (any, error) {
		r, err := svc.TestPush(ctx, p, id)
		if err != nil {
			return nil, err
		}
		return testPushResponse{Provider: r.Provider, Outcome: r.Outcome, Reason: r.Reason, Status: r.Status, ProviderID: r.ProviderID, Removed: r.Removed}, nil
	}), people...)
	e.GET("/v1/push/preferences", s.getPrefs, people...)
	e.PATCH("/v1/push/preferences", s.setPrefs, people...)
	e.POST("/v1/push/telegram/link", s.telegramLink, people...)
	e.DELETE("/v1/push/telegram/link", s.telegramUnlink, people...)
	e.POST("/v1/push/telegram/webhook", s.telegramWebhook)
	e.GET("/v1/push/alerts", s.listAlerts, people...)
	e.GET("/v1/push/alerts/:id", s.pushByID(http.StatusOK, func(ctx context.Context, svc Push, p models.Principal, id string) (any, error) {
		return svc.Alert(ctx, p, id)
	}), people...)
}

// pushByID is byID for the push service.
func (s *Server) pushByID(status int, do func(ctx context.Context, svc Push, p models.Principal, id string) (any, error)) echo.HandlerFunc {
	return byID(status, func(ctx context.Context, p models.Principal, id string) (any, error) {
		svc, err := s.pushService()
		if err != nil {
			return nil, err
		}
		return do(ctx, svc, p, id)
	})
}

func (s *Server) vapidKey(c echo.Context) error {
	if s.opt.VAPIDPublicKey == "" {
		return models.NotFound("web push key (web push is not configured on this server)")
	}
	return c.JSON(http.StatusOK, map[string]string{"public_key": s.opt.VAPIDPublicKey})
}

func (s *Server) listDevices(c echo.Context) error {
	svc, err := s.pushService()
	if err != nil {
		return err
	}
	list, err := svc.Devices(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, deviceList{Items: list})
}

func (s *Server) registerDevice(c echo.Context) error {
	svc, err := s.pushService()
	if err != nil {
		return err
	}
	var in deviceRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	di := push.DeviceInput{Kind: in.Kind, Name: in.Name, Token: in.Token, Topic: in.Topic, Sandbox: in.Sandbox}
	if in.Subscription != nil {
		di.Endpoint, di.P256dh, di.Auth = in.Subscription.Endpoint, in.Subscription.Keys.P256dh, in.Subscription.Keys.Auth
	}
	d, err := svc.RegisterDevice(c.Request().Context(), principal(c), di)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) getPrefs(c echo.Context) error {
	svc, err := s.pushService()
	if err != nil {
		return err
	}
	prefs, err := svc.Prefs(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, prefsBody{Events: prefs})
}

func (s *Server) setPrefs(c echo.Context) error {
	svc, err := s.pushService()
	if err != nil {
		return err
	}
	var in prefsRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	prefs, err := svc.SetPrefs(c.Request().Context(), principal(c), in.Events)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, prefsBody{Events: prefs})
}

func (s *Server) telegramLink(c echo.Context) error {
	svc, err := s.pushService()
	if err != nil {
		return err
	}
	l, err := svc.TelegramLink(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, linkResponse{Code: l.Code, URL: l.URL, ExpiresAt: l.ExpiresAt})
}

func (s *Server) telegramUnlink(c echo.Context) error {
	svc, err := s.pushService()
	if err != nil {
		return err
	}
	if err := svc.UnlinkTelegram(c.Request().Context(), principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listAlerts(c echo.Context) error {
	svc, err := s.pushService()
	if err != nil {
		return err
	}
	var fields []models.FieldError
	f := models.AlertFilter{ConversationID: c.QueryParam("conversation_id"), MemberID: c.QueryParam("member_id"),
		Limit: int(queryInt(c, "limit", 50, &fields))}
	if f.Limit < 1 || f.Limit > 200 {
		fields = append(fields, models.FieldError{Field: "limit", Message: "must be 1 to 200"})
	}
	if len(fields) > 0 {
		return models.Invalid("bad query", fields...)
	}
	list, err := svc.Alerts(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, alertList{Items: list})
}
