package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

type stageRequest struct {
	ID   string `json:"id" validate:"omitempty,max=64"`
	Name string `json:"name" validate:"required,max=100"`
}

type pipelineRequest struct {
	Name   *string         `json:"name" validate:"omitnil,min=1,max=100"`
	Stages *[]stageRequest `json:"stages" validate:"omitnil,min=1,max=50,dive"`
}

func (r pipelineRequest) input() inbox.PipelineInput {
	in := inbox.PipelineInput{Name: r.Name}
	if r.Stages != nil {
		stages := make([]models.Stage, len(*r.Stages))
		for i, st := range *r.Stages {
			stages[i] = models.Stage{ID: st.ID, Name: st.Name}
		}
		in.Stages = &stages
	}
	return in
}

type pipelineList struct {
	Items []*models.Pipeline `json:"items"`
}

func (s *Server) listPipelines(c echo.Context) error {
	items, err := s.inbox.Pipelines(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pipelineList{Items: items})
}

func (s *Server) createPipeline(c echo.Context) error {
	var in pipelineRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return models.Invalid("some fields are invalid", models.FieldError{Field: "name", Message: "is required"})
	}
	pl, err := s.inbox.CreatePipeline(c.Request().Context(), principal(c), in.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, pl)
}

type dealRequest struct {
	PipelineID     string   `json:"pipeline_id" validate:"required,max=64"`
	StageID        string   `json:"stage_id" validate:"max=64"`
	Name           string   `json:"name" validate:"required,max=200"`
	Amount         *float64 `json:"amount" validate:"omitnil,gte=0,lte=1e15"`
	Currency       string   `json:"currency" validate:"omitempty,currency"`
	SubscriberID   string   `json:"subscriber_id" validate:"max=64"`
	ConversationID string   `json:"conversation_id" validate:"max=64"`
}

type dealUpdateRequest struct {
	StageID  *string  `json:"stage_id" validate:"omitnil,min=1,max=64"`
	Name     *string  `json:"name" validate:"omitnil,min=1,max=200"`
	Amount   *float64 `json:"amount" validate:"omitnil,gte=0,lte=1e15"`
	Currency *string  `json:"currency" validate:"omitnil,currency"`
}

type dealList struct {
	Items []*models.Deal `json:"items"`
}

func (s *Server) listDeals(c echo.Context) error {
	f := models.DealFilter{PipelineID: c.QueryParam("pipeline_id"), SubscriberID: c.QueryParam("subscriber_id"), ConversationID: c.QueryParam("conversation_id")}
	for name, v := range map[string]string{"pipeline_id": f.PipelineID, "subscriber_id": f.SubscriberID, "conversation_id": f.ConversationID} {
		if v != "" && !models.ValidID(v) {
			return models.Invalid("bad filter", models.FieldError{Field: name, Message: "is not an id"})
		}
	}
	items, err := s.inbox.Deals(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, dealList{Items: items})
}

func (s *Server) createDeal(c echo.Context) error {
	var in dealRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	amount := 0.0
	if in.Amount != nil {
		amount = *in.Amount
	}
	d, err := s.inbox.CreateDeal(c.Request().Context(), principal(c), inbox.DealInput{PipelineID: in.PipelineID, StageID: in.StageID,
		Name: in.Name, Amount: amount, Currency: in.Currency, SubscriberID: in.SubscriberID, ConversationID: in.ConversationID})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, d)
}

type linksRequest struct {
	Links []linkRequest `json:"links" validate:"max=20,dive"`
}

type linkRequest struct {
	Kind  string `json:"kind" validate:"required,oneof=task project"`
	Ref   string `json:"ref" validate:"required,max=200"`
	Title string `json:"title" validate:"max=200"`
}

func (s *Server) setLinks(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in linksRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Links == nil {
		return models.Invalid("links are required", models.FieldError{Field: "links", Message: "is required (an empty list clears)"})
	}
	links := make([]models.Link, len(in.Links))
	for i, l := range in.Links {
		links[i] = models.Link{Kind: l.Kind, Ref: l.Ref, Title: l.Title}
	}
	conv, err := s.inbox.SetLinks(c.Request().Context(), principal(c), id, links)
	return s.oneView(c, conv, err)
}

// crmHandlers makes the pipeline and deal handlers of the shape byID covers.
func (s *Server) crmHandlers() (getPipeline, updatePipeline, deletePipeline, getDeal, updateDeal, deleteDeal echo.HandlerFunc) {
	getPipeline = byID(http.StatusOK, s.inbox.Pipeline)
	updatePipeline = byIDWithBody(http.StatusOK, func(ctx context.Context, p models.Principal, id string, in *pipelineRequest) (*models.Pipeline, error) {
		return s.inbox.UpdatePipeline(ctx, p, id, in.input())
	})
	deletePipeline = byID(http.StatusNoContent, noContent(s.inbox.DeletePipeline))
	getDeal = byID(http.StatusOK, s.inbox.Deal)
	updateDeal = byIDWithBody(http.StatusOK, func(ctx context.Context, p models.Principal, id string, in *dealUpdateRequest) (*models.Deal, error) {
		return s.inbox.UpdateDeal(ctx, p, id, models.DealUpdate{StageID: in.StageID, Name: in.Name, Amount: in.Amount, Currency: in.Currency})
	})
	deleteDeal = byID(http.StatusNoContent, noContent(s.inbox.DeleteDeal))
	return
}
