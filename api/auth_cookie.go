package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/models"
)

// sessionCookie carries the refresh token of a cookie session (a login or
// invite acceptance with "session": "cookie", as the console signs in):
// HttpOnly, so no script in the page can read it; SameSite=Strict, so no
// other site's request carries it; sent only to /v1/auth/. Every refresh
// replaces it, as it replaces a refresh token.
const (
	sessionCookie     = "switchboard_session"
	sessionCookiePath = "/v1/auth"
)

// answerTokens answers new tokens: the refresh token in the body, or, for
// a cookie session, in sessionCookie only.
func answerTokens(c echo.Context, t *auth.Tokens, cookie bool) error {
	body := tokensJSON(t)
	if cookie {
		c.SetCookie(&http.Cookie{Name: sessionCookie, Value: t.RefreshToken, Path: sessionCookiePath,
			Expires: t.RefreshExpiresAt.UTC(), HttpOnly: true, Secure: c.Scheme() == "https", SameSite: http.SameSiteStrictMode})
		body.RefreshToken = ""
	}
	return c.JSON(http.StatusOK, body)
}

// clearSessionCookie tells the browser to forget the session cookie.
func clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: sessionCookiePath, Expires: time.Unix(0, 0),
		MaxAge: -1, HttpOnly: true, Secure: c.Scheme() == "https", SameSite: http.SameSiteStrictMode})
}

// refreshTokenOf is the refresh token a refresh or logout names: the
// body's, else the session cookie's (cookie true). Neither is a 400
// naming refresh_token.
func refreshTokenOf(c echo.Context, in refreshRequest) (token string, cookie bool, err error) {
	if in.RefreshToken != "" {
		return in.RefreshToken, false, nil
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		return ck.Value, true, nil
	}
	return "", false, models.Invalid("no refresh token", models.FieldError{Field: "refresh_token",
		Message: "is required (or the session cookie of a login with \"session\": \"cookie\")"})
}
