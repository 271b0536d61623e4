package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/switchboardhq/switchboard/models"
)

// requestID takes a well-formed X-Request-ID from the client or makes one,
// echoes it in the response and puts it in the request's context.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !models.ValidID(id) {
			id = models.NewID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.SetRequest(c.Request().WithContext(WithRequestID(c.Request().Context(), id)))
		return next(c)
	}
}

// accessLog writes one structured line per request.
func accessLog() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogLatency: true, LogMethod: true, LogURIPath: true, LogRoutePath: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			}
			slog.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.String("route", v.RoutePath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency))
			return nil
		},
	})
}

// recoverPanics turns a panic into a logged 500 without internals.
func recoverPanics() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			slog.ErrorContext(c.Request().Context(), "panic", "error", err.Error(), "stack", string(stack))
			return models.Internal(fmt.Errorf("panic: %w", err))
		},
	})
}

// bodyLimit refuses bodies over limit bytes (the file upload route allows
// an attachment's size): at once when Content-Length says so, and while
// reading otherwise.
func bodyLimit(def int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			limit := def
			if c.Path() == uploadRoute {
				limit = models.MaxFileSize + uploadOverhead
			}
			req := c.Request()
			if req.ContentLength > limit {
				return tooLarge(limit)
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
			return next(c)
		}
	}
}

// securityHeaders sets conservative headers on every response.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		return next(c)
	}
}

const (
	principalKey = "principal"
	memberKey    = "member"
)

// authenticate requires a bearer credential (access token or API key) and
// puts the caller in the context.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, cred, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
			return models.Errorf(models.CodeUnauthorized, "an Authorization: Bearer credential is required")
		}
		p, m, err := s.auth.Authenticate(c.Request().Context(), strings.TrimSpace(cred))
		if err != nil {
			return err
		}
		if m != nil && m.PasswordChangeRequired && !allowedBeforePasswordChange[c.Request().Method+" "+c.Path()] {
			return models.Errorf(models.CodePasswordChange, "change the password you were given first: POST /v1/me/password")
		}
		c.Set(principalKey, p)
		if m != nil {
			c.Set(memberKey, m)
		}
		return next(c)
	}
}

// allowedBeforePasswordChange are the routes a member with a given
// (one-time) password may use before choosing their own.
var allowedBeforePasswordChange = map[string]bool{
	"GET /v1/me":           true,
	"POST /v1/me/password": true,
}

// membersOnly refuses API keys on routes meant for people.
func membersOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !principal(c).IsMember() {
			return models.Errorf(models.CodeForbidden, "this endpoint needs a member's access token, not an API key")
		}
		return next(c)
	}
}

func principal(c echo.Context) models.Principal {
	p, _ := c.Get(principalKey).(models.Principal)
	return p
}
