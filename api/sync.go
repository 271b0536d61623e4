package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
	syncsvc "github.com/switchboardhq/switchboard/sync"
)

// Sync is what the delta-sync handlers need.
type Sync interface {
	Pull(ctx context.Context, p models.Principal, me *models.Member, in syncsvc.PullInput) (*syncsvc.PullResult, error)
	Push(ctx context.Context, p models.Principal, me *models.Member, lastPulledAt int64, body []byte) (*syncsvc.PushResult, error)
	Head(ctx context.Context, p models.Principal, me *models.Member) (int64, error)
}

// syncHeadResponse is the answer of GET /v1/sync/head.
type syncHeadResponse struct {
	Timestamp int64 `json:"timestamp"`
}

// queryInt reads an integer query parameter; absent (or WatermelonDB's
// "null" and "undefined" for a first sync) is def.
func queryInt(c echo.Context, name string, def int64, fields *[]models.FieldError) int64 {
	v := c.QueryParam(name)
	if v == "" || v == "null" || v == "undefined" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		*fields = append(*fields, models.FieldError{Field: name, Message: "must be an integer"})
		return def
	}
	return n
}

func (s *Server) syncService() (Sync, error) {
	if s.opt.Sync == nil {
		return nil, models.Errorf(models.CodeUnavailable, "sync is not enabled on this server")
	}
	return s.opt.Sync, nil
}

func (s *Server) pull(c echo.Context) error {
	svc, err := s.syncService()
	if err != nil {
		return err
	}
	var fields []models.FieldError
	in := syncsvc.PullInput{LastPulledAt: queryInt(c, "last_pulled_at", 0, &fields)}
	if c.QueryParams().Has("limit") {
		// An explicit 0 is refused, not taken as "the default".
		if in.Limit = int(queryInt(c, "limit", 0, &fields)); in.Limit == 0 {
			in.Limit = -1
		}
	}
	wait := queryInt(c, "wait", 0, &fields)
	if wait < 0 || wait > 1<<20 {
		wait = -1
	}
	in.Wait = time.Duration(wait) * time.Second
	if len(fields) > 0 {
		return models.Invalid("bad pull parameters", fields...)
	}
	me, _ := c.Get(memberKey).(*models.Member)
	res, err := svc.Pull(c.Request().Context(), principal(c), me, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) syncHead(c echo.Context) error {
	svc, err := s.syncService()
	if err != nil {
		return err
	}
	me, _ := c.Get(memberKey).(*models.Member)
	ts, err := svc.Head(c.Request().Context(), principal(c), me)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, syncHeadResponse{Timestamp: ts})
}

func (s *Server) push(c echo.Context) error {
	svc, err := s.syncService()
	if err != nil {
		return err
	}
	var fields []models.FieldError
	last := queryInt(c, "last_pulled_at", 0, &fields)
	if len(fields) > 0 {
		return models.Invalid("bad push parameters", fields...)
	}
	body, err := rawJSON(c)
	if err != nil {
		return err
	}
	me, _ := c.Get(memberKey).(*models.Member)
	res, err := svc.Push(c.Request().Context(), principal(c), me, last, body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
