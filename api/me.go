package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// meResponse describes the caller: a member, or an API key.
type meResponse struct {
	Kind      string            `json:"kind"`
	Member    *models.Member    `json:"member,omitempty"`
	APIKey    *models.APIKey    `json:"api_key,omitempty"`
	Workspace *models.Workspace `json:"workspace"`
}

func (s *Server) me(c echo.Context) error {
	ctx, p := c.Request().Context(), principal(c)
	ws, err := s.auth.Workspace(ctx, p)
	if err != nil {
		return err
	}
	if !p.IsMember() {
		k, err := s.auth.APIKey(ctx, p, p.APIKeyID)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, meResponse{Kind: "api_key", APIKey: k, Workspace: ws})
	}
	m, _ := c.Get(memberKey).(*models.Member)
	return c.JSON(http.StatusOK, meResponse{Kind: "member", Member: m, Workspace: ws})
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password" validate:"required,max=1024"`
	NewPassword     string `json:"new_password" validate:"required,min=8,max=1024"`
}

func (s *Server) changePassword(c echo.Context) error {
	var in changePasswordRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.auth.ChangePassword(c.Request().Context(), principal(c), in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type updateWorkspaceRequest struct {
	Name *string `json:"name" validate:"omitnil,min=1,max=100"`
}

func (s *Server) workspace(c echo.Context) error {
	ws, err := s.auth.Workspace(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ws)
}

func (s *Server) updateWorkspace(c echo.Context) error {
	var in updateWorkspaceRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	ws, err := s.auth.UpdateWorkspace(c.Request().Context(), principal(c), models.WorkspaceUpdate{Name: in.Name})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ws)
}
