package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/models"
)

type loginRequest struct {
	Email    string `json:"email" validate:"required,email,max=254"`
	Password string `json:"password" validate:"required,max=1024"`
	// Workspace picks the account of that workspace when the email has
	// accounts in several.
	Workspace string `json:"workspace" validate:"omitempty,max=64"`
	// DeviceToken is the device_token of an earlier login as Email.
	DeviceToken string `json:"device_token" validate:"max=256"`
	// Session "cookie" keeps the refresh token in an HttpOnly cookie
	// instead of the answer (see sessionCookie).
	Session string `json:"session" validate:"omitempty,oneof=token cookie"`
}

// refreshRequest names the refresh token; without it, the session
// cookie of a cookie login is used.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token" validate:"max=512"`
}

type acceptInviteRequest struct {
	Token    string `json:"token" validate:"required,max=512"`
	Password string `json:"password" validate:"required,min=8,max=1024"`
	Name     string `json:"name" validate:"max=100"`
	// Session is as in loginRequest.
	Session string `json:"session" validate:"omitempty,oneof=token cookie"`
}

type tokenResponse struct {
	AccessToken      string            `json:"access_token"`
	TokenType        string            `json:"token_type"`
	ExpiresIn        int64             `json:"expires_in"`
	ExpiresAt        time.Time         `json:"expires_at"`
	RefreshToken     string            `json:"refresh_token,omitempty"`
	RefreshExpiresAt time.Time         `json:"refresh_expires_at"`
	Member           *models.Member    `json:"member"`
	Workspace        *models.Workspace `json:"workspace"`
	DeviceToken      string            `json:"device_token,omitempty"`
	// OtherWorkspaces are the other workspaces the same email and password
	// open (a login without workspace opens the oldest).
	OtherWorkspaces []*models.Workspace `json:"other_workspaces,omitempty"`
}

func tokensJSON(t *auth.Tokens) tokenResponse {
	return tokenResponse{
		AccessToken: t.AccessToken, TokenType: "Bearer",
		ExpiresIn: int64(t.AccessExpiresIn.Seconds()), ExpiresAt: t.AccessExpiresAt.UTC(),
		RefreshToken: t.RefreshToken, RefreshExpiresAt: t.RefreshExpiresAt.UTC(),
		Member: t.Member, Workspace: t.Workspace, DeviceToken: t.DeviceToken,
		OtherWorkspaces: t.OtherWorkspaces,
	}
}

func (s *Server) login(c echo.Context) error {
	var in loginRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	t, err := s.auth.Login(c.Request().Context(), auth.LoginAttempt{Email: in.Email, Password: in.Password, Workspace: in.Workspace,
		DeviceToken: in.DeviceToken, ClientAddr: c.RealIP(), UserAgent: c.Request().UserAgent()})
	if err != nil {
		return err
	}
	return answerTokens(c, t, in.Session == "cookie")
}

func (s *Server) refresh(c echo.Context) error {
	var in refreshRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	token, cookie, err := refreshTokenOf(c, in)
	if err != nil {
		return err
	}
	t, err := s.auth.Refresh(c.Request().Context(), token)
	if err != nil {
		if cookie {
			clearSessionCookie(c)
		}
		return err
	}
	return answerTokens(c, t, cookie)
}

func (s *Server) logout(c echo.Context) error {
	var in refreshRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	token, cookie, err := refreshTokenOf(c, in)
	if err != nil {
		return err
	}
	if cookie {
		clearSessionCookie(c)
	}
	if err := s.auth.Logout(c.Request().Context(), token); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) acceptInvite(c echo.Context) error {
	var in acceptInviteRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	t, err := s.auth.AcceptInvite(c.Request().Context(), in.Token, in.Password, in.Name, c.Request().UserAgent())
	if err != nil {
		return err
	}
	return answerTokens(c, t, in.Session == "cookie")
}
