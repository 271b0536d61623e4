package api

import (
	"context"
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

// flowHandlers makes the flow handlers of the shape byID covers.
func (s *Server) flowHandlers() (create, update, del, start, stop echo.HandlerFunc) {
	create = byIDWithBody(http.StatusCreated, func(ctx context.Context, p models.Principal, id string, in *flowRequest) (*models.Flow, error) {
		if err := in.check(); err != nil {
			return nil, err
		}
		return s.inbox.CreateFlow(ctx, p, id, inbox.FlowInput{Name: in.Name, Steps: in.Steps})
	})
	update = byIDWithBody(http.StatusOK, func(ctx context.Context, p models.Principal, id string, in *flowRequest) (*models.Flow, error) {
		if err := in.check(); err != nil {
			return nil, err
		}
		return s.inbox.UpdateFlow(ctx, p, id, inbox.FlowInput{Name: in.Name, Steps: in.Steps})
	})
	del = byID(http.StatusNoContent, noContent(s.inbox.DeleteFlow))
	start = byIDWithBody(http.StatusOK, func(ctx context.Context, p models.Principal, id string, in *startFlowRequest) (*models.Subscriber, error) {
		return s.inbox.StartFlow(ctx, p, id, in.FlowID)
	})
	stop = byID(http.StatusOK, s.inbox.StopFlow)
	return
}

type startFlowRequest struct {
	FlowID string `json:"flow_id" validate:"required,max=64"`
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
