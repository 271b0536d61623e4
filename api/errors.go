package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// statusOf is the one table from application error codes to HTTP statuses.
var statusOf = map[models.Code]int{
	models.CodeInvalid:          http.StatusBadRequest,
	models.CodeUnauthorized:     http.StatusUnauthorized,
	models.CodeForbidden:        http.StatusForbidden,
	models.CodePasswordChange:   http.StatusForbidden,
	models.CodeNotFound:         http.StatusNotFound,
	models.CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	models.CodeConflict:         http.StatusConflict,
	models.CodeRateLimited:      http.StatusTooManyRequests,
	models.CodeTooLarge:         http.StatusRequestEntityTooLarge,
	models.CodeUnsupported:      http.StatusUnsupportedMediaType,
	models.CodeUnavailable:      http.StatusServiceUnavailable,
	models.CodeInternal:         http.StatusInternalServerError,
}

// titleOf gives each code a short human title.
var titleOf = map[models.Code]string{
	models.CodeInvalid:          "Invalid request",
	models.CodeUnauthorized:     "Unauthorized",
	models.CodeForbidden:        "Forbidden",
	models.CodePasswordChange:   "Password change required",
	models.CodeNotFound:         "Not found",
	models.CodeMethodNotAllowed: "Method not allowed",
	models.CodeConflict:         "Conflict",
	models.CodeRateLimited:      "Too many requests",
	models.CodeTooLarge:         "Payload too large",
	models.CodeUnsupported:      "Unsupported media type",
	models.CodeUnavailable:      "Service unavailable",
	models.CodeInternal:         "Internal error",
}

// codeOfStatus turns the framework's own HTTP errors (unknown route, wrong
// method) into application codes.
var codeOfStatus = map[int]models.Code{
	http.StatusBadRequest:            models.CodeInvalid,
	http.StatusUnauthorized:          models.CodeUnauthorized,
	http.StatusForbidden:             models.CodeForbidden,
	http.StatusNotFound:              models.CodeNotFound,
	http.StatusMethodNotAllowed:      models.CodeMethodNotAllowed,
	http.StatusRequestEntityTooLarge: models.CodeTooLarge,
	http.StatusUnsupportedMediaType:  models.CodeUnsupported,
	http.StatusTooManyRequests:       models.CodeRateLimited,
	http.StatusServiceUnavailable:    models.CodeUnavailable,
}

// Problem is an RFC 9457 problem+json body with Switchboard's stable code.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Code      models.Code         `json:"code"`
	Detail    string              `json:"detail"`
	Errors    []models.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// StatusClientClosed is the status a request is logged and counted with
// when its client went away before the answer (nginx's 499): a client
// abort is not a server error. Nobody is left to read it.
const StatusClientClosed = 499

// resolve maps err to the application error the client is answered with
// and its status; internal causes stay in the returned error's Cause.
func resolve(err error) (*models.Error, int) {
	var appErr *models.Error
	var httpErr *echo.HTTPError
	switch {
	case errors.As(err, &appErr):
	case errors.As(err, &httpErr):
		code, ok := codeOfStatus[httpErr.Code]
		if !ok {
			code = models.CodeInternal
		}
		msg := http.StatusText(httpErr.Code)
		if s, ok := httpErr.Message.(string); ok && httpErr.Code < 500 {
			msg = s
		}
		appErr = &models.Error{Code: code, Message: msg}
	default:
		appErr = models.Internal(err)
	}
	status, ok := statusOf[appErr.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return appErr, status
}

// clientGone reports whether err ended the request only because its client
// went away: the request's context is canceled (the connection closed or
// the stream was reset) and err is that cancellation, or a failure (5xx)
// that the cancellation caused. A 4xx stays what it is.
func clientGone(c echo.Context, err error, status int) bool {
	if !errors.Is(c.Request().Context().Err(), context.Canceled) {
		return false
	}
	return errors.Is(err, context.Canceled) || status >= http.StatusInternalServerError
}

// statusFor is the status handleError answers err with: the one table
// above, or StatusClientClosed when the client went away. The metrics
// count requests by it.
func statusFor(c echo.Context, err error) int {
	_, status := resolve(err)
	if clientGone(c, err, status) {
		return StatusClientClosed
	}
	return status
}

// handleError is echo's error handler: every error leaves as problem+json,
// and internal details are logged, never sent. A request whose client went
// away is logged at debug level and answered StatusClientClosed with no
// body.
func handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	appErr, status := resolve(err)
	if clientGone(c, err, status) {
		slog.DebugContext(c.Request().Context(), "client closed the request", "error", err.Error(),
			"method", c.Request().Method, "route", c.Path())
		c.Response().WriteHeader(StatusClientClosed)
		return
	}
	if appErr.Code == models.CodeInternal {
		slog.ErrorContext(c.Request().Context(), "request failed", "error", err.Error(),
			"method", c.Request().Method, "route", c.Path())
		appErr = models.Internal(nil)
	}
	if appErr.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(appErr.RetryAfter))
	}
	if status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	writeProblem(c, status, appErr)
}

func writeProblem(c echo.Context, status int, e *models.Error) {
	p := Problem{
		Type:      "https://switchboard.dev/problems/" + string(e.Code),
		Title:     titleOf[e.Code],
		Status:    status,
		Code:      e.Code,
		Detail:    e.Message,
		Errors:    e.Fields,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = jsonEncode(c.Response(), p)
}
