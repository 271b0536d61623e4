package api

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// Channels is what the handlers need of the native messenger connections.
type Channels interface {
	Supports(ch models.Channel) bool
	Connect(ctx context.Context, p models.Principal, in inbox.BotInput) (*models.Bot, error)
	Reconnect(ctx context.Context, p models.Principal, id string, creds map[string]string) (*models.Bot, error)
	Disconnect(ctx context.Context, p models.Principal, id string) (*models.Bot, error)
	Forget(ctx context.Context, b *models.Bot)
	Intake(ctx context.Context, ch models.Channel, ws, id string, h http.Header, body []byte) (int, error)
	Updates(ctx context.Context, p models.Principal, f models.UpdateFilter) ([]*models.InboundUpdate, error)
	Retry(ctx context.Context, p models.Principal, botID, id string) (*models.InboundUpdate, error)
	Media(ctx context.Context, ws, id, exp, sig string, w func(*models.File) io.Writer) error
}

// channelRoutes adds the native connections' routes: the admins' connect,
// disconnect and update views, and the messengers' own webhooks and file
// fetches, which carry no credentials of ours (a webhook is verified by
// its signature, a file URL by its own).
func (s *Server) channelRoutes(people []echo.MiddlewareFunc) {
	e := s.e
	e.POST("/v1/bots/:id/connect", s.reconnectBot, people...)
	e.POST("/v1/bots/:id/disconnect", byID(http.StatusOK, s.withChannels(func(ch Channels) func(context.Context, models.Principal, string) (*models.Bot, error) {
		return ch.Disconnect
	})), people...)
	e.GET("/v1/bots/:id/updates", s.listUpdates, people...)
	e.POST("/v1/bots/:id/updates/:update_id/retry", s.retryUpdate, people...)
	e.POST("/v1/hooks/:channel/:ws/:id", s.messengerHook)
	e.GET("/v1/media/:ws/:id", s.media)
	e.POST("/v1/conversations/:id/messages/:message_id/retry", s.retryMessage, people...)
}

// noChannels answers where the native connections are not wired in.
var noChannels = models.Errorf(models.CodeUnavailable, "native messenger connections are not running on this server")

func (s *Server) withChannels(f func(Channels) func(context.Context, models.Principal, string) (*models.Bot, error)) func(context.Context, models.Principal, string) (*models.Bot, error) {
	return func(ctx context.Context, p models.Principal, id string) (*models.Bot, error) {
		if s.opt.Channels == nil {
			return nil, noChannels
		}
		return f(s.opt.Channels)(ctx, p, id)
	}
}

// native reports whether a new bot is to be connected natively: as asked,
// or by default when its channel is supported and credentials are given.
func (s *Server) native(in botRequest) bool {
	if in.Delivery != nil {
		return *in.Delivery == models.DeliveryNative
	}
	return s.opt.Channels != nil && s.opt.Channels.Supports(in.Channel) && len(in.Credentials) > 0
}

type connectRequest struct {
	Credentials map[string]string `json:"credentials" validate:"omitempty,max=20,dive,keys,min=1,max=64,excludesall=.$,endkeys,max=4096"`
}

func (s *Server) reconnectBot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in connectRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if s.opt.Channels == nil {
		return noChannels
	}
	b, err := s.opt.Channels.Reconnect(c.Request().Context(), principal(c), id, in.Credentials)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

type updateList struct {
	Items []*models.InboundUpdate `json:"items"`
}

func (s *Server) listUpdates(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := models.UpdateFilter{BotID: id, Limit: 50}
	switch st := models.UpdateState(c.QueryParam("state")); st {
	case "", models.UpdatePending, models.UpdateDone, models.UpdateFailed:
		f.State = st
	default:
		return models.Invalid("bad state", models.FieldError{Field: "state", Message: "must be pending, done or failed"})
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			return models.Invalid("bad limit", models.FieldError{Field: "limit", Message: "must be 1 to 200"})
		}
		f.Limit = n
	}
	if s.opt.Channels == nil {
		return noChannels
	}
	items, err := s.opt.Channels.Updates(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, updateList{Items: items})
}

// rawPathParam is path parameter name unescaped: echo routes on the
// escaped path when the request's path has escapes (an update id's ':'
// sent as %3A), and then leaves its parameters escaped.
func rawPathParam(c echo.Context, name string) (string, error) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	return url.PathUnescape(v)
}

func (s *Server) retryUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	uid, err := rawPathParam(c, "update_id")
	if err != nil || uid == "" || len(uid) > 200 {
		return models.Invalid("malformed id", models.FieldError{Field: "update_id", Message: "must be 1..200 characters"})
	}
	if s.opt.Channels == nil {
		return noChannels
	}
	u, err := s.opt.Channels.Retry(c.Request().Context(), principal(c), id, uid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

// messengerHook takes a messenger's webhook request. The body is read raw
// and verified by the service before anything parses it; the messenger
// gets its 200 only once every update is stored.
func (s *Server) messengerHook(c echo.Context) error {
	ch := models.Channel(c.Param("channel"))
	ws, id := c.Param("ws"), c.Param("id")
	if s.opt.Channels == nil || !s.opt.Channels.Supports(ch) || !models.ValidID(ws) || !models.ValidID(id) {
		return models.NotFound("webhook")
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, s.opt.BodyLimit+1))
	if err != nil {
		return models.Invalid("the body could not be read", models.FieldError{Field: "body", Message: "was cut off"})
	}
	if int64(len(body)) > s.opt.BodyLimit {
		return models.Errorf(models.CodeTooLarge, "the body is over %d bytes", s.opt.BodyLimit)
	}
	if _, err := s.opt.Channels.Intake(c.Request().Context(), ch, ws, id, c.Request().Header, body); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]bool{"ok": true})
}

// media serves a file by a signed, expiring URL (files sent to Viber).
func (s *Server) media(c echo.Context) error {
	ws, id := c.Param("ws"), c.Param("id")
	if s.opt.Channels == nil || !models.ValidID(ws) || !models.ValidID(id) {
		return models.NotFound("file")
	}
	return s.opt.Channels.Media(c.Request().Context(), ws, id, c.QueryParam("exp"), c.QueryParam("sig"), func(f *models.File) io.Writer {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, f.MimeType)
		h.Set(echo.HeaderContentLength, strconv.FormatInt(f.Size, 10))
		h.Set("Cache-Control", "private, max-age=3600")
		c.Response().WriteHeader(http.StatusOK)
		return c.Response()
	})
}
