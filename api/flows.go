package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

type flowRequest struct {
	Name  *string            `json:"name" validate:"omitnil,min=1,max=100"`
	Steps *[]models.FlowStep `json:"steps" validate:"omitnil,min=1,max=100"`
}

func (r flowRequest) check() error {
	if r.Steps != nil {
		for i, st := range *r.Steps {
			if err := inbox.CheckText("steps["+strconv.Itoa(i)+"].text", st.Text, 4096); err != nil {
				return err
			}
		}
	}
	return nil
}

type flowList struct {
	Items []*models.Flow `json:"items"`
}

func (s *Server) listFlows(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	flows, err := s.inbox.Flows(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, flowList{Items: flows})
}

func (s *Server) createFlow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in flowRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	f, err := s.inbox.CreateFlow(c.Request().Context(), principal(c), id, inbox.FlowInput{Name: in.Name, Steps: in.Steps})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, f)
}

func (s *Server) updateFlow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in flowRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	f, err := s.inbox.UpdateFlow(c.Request().Context(), principal(c), id, inbox.FlowInput{Name: in.Name, Steps: in.Steps})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, f)
}

func (s *Server) deleteFlow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.inbox.DeleteFlow(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type startFlowRequest struct {
	FlowID string `json:"flow_id" validate:"required,max=64"`
}

func (s *Server) startFlow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in startFlowRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	sub, err := s.inbox.StartFlow(c.Request().Context(), principal(c), id, in.FlowID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

func (s *Server) stopFlow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sub, err := s.inbox.StopFlow(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

type commandList struct {
	Items []*models.Command `json:"items"`
	// Next is the cursor for the following call (after=Next).
	Next int64 `json:"next"`
}

func (s *Server) listCommands(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	after, limit := int64(0), 100
	if v := c.QueryParam("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return models.Invalid("bad cursor", models.FieldError{Field: "after", Message: "must be a non-negative integer the API returned as next"})
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return models.Invalid("bad paging", models.FieldError{Field: "limit", Message: "must be an integer from 1 to 500"})
		}
	}
	cmds, next, err := s.inbox.Commands(c.Request().Context(), principal(c), id, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, commandList{Items: cmds, Next: next})
}
