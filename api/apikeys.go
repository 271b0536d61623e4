package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

type createAPIKeyRequest struct {
	Name string `json:"name" validate:"required,max=100"`
}

type createAPIKeyResponse struct {
	*models.APIKey
	// Secret is the key itself, shown this once.
	Secret string `json:"secret"`
}

type apiKeyList struct {
	Items []*models.APIKey `json:"items"`
}

func (s *Server) listAPIKeys(c echo.Context) error {
	keys, err := s.auth.APIKeys(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiKeyList{Items: keys})
}

func (s *Server) createAPIKey(c echo.Context) error {
	var in createAPIKeyRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	k, secret, err := s.auth.CreateAPIKey(c.Request().Context(), principal(c), in.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createAPIKeyResponse{APIKey: k, Secret: secret})
}

func (s *Server) getAPIKey(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	k, err := s.auth.APIKey(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

func (s *Server) revokeAPIKey(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.auth.RevokeAPIKey(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
