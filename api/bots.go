package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

type botRequest struct {
	Channel     models.Channel       `json:"channel" validate:"omitempty,oneof=telegram whatsapp instagram messenger viber livechat"`
	Name        *string              `json:"name" validate:"omitnil,min=1,max=100"`
	Credentials map[string]string    `json:"credentials" validate:"omitempty,max=20,dive,keys,min=1,max=64,excludesall=.$,endkeys,max=4096"`
	Queue       *[]string            `json:"queue" validate:"omitnil,max=100,dive,min=1,max=64"`
	PipelineID  *string              `json:"pipeline_id" validate:"omitnil,max=64"`
	StageID     *string              `json:"stage_id" validate:"omitnil,max=64"`
	Greeting    *string              `json:"greeting" validate:"omitnil,max=1024"`
	AutoReply   *string              `json:"auto_reply" validate:"omitnil,max=1024"`
	Delivery    *models.DeliveryMode `json:"delivery" validate:"omitnil,oneof=native engine"`
	OpenOn      *models.OpenOn       `json:"open_on" validate:"omitnil,oneof=message engine"`
}

func (r botRequest) input() inbox.BotInput {
	return inbox.BotInput{Channel: r.Channel, Name: r.Name, Credentials: r.Credentials, Queue: r.Queue,
		PipelineID: r.PipelineID, StageID: r.StageID, Greeting: r.Greeting, AutoReply: r.AutoReply, Delivery: r.Delivery, OpenOn: r.OpenOn}
}

type botList struct {
	Items []*models.Bot `json:"items"`
}

func (s *Server) listBots(c echo.Context) error {
	bots, err := s.inbox.Bots(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, botList{Items: bots})
}

func (s *Server) createBot(c echo.Context) error {
	var in botRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	var missing []models.FieldError
	if in.Channel == "" {
		missing = append(missing, models.FieldError{Field: "channel", Message: "is required"})
	}
	if in.Name == nil {
		missing = append(missing, models.FieldError{Field: "name", Message: "is required"})
	}
	if len(missing) > 0 {
		return models.Invalid("some fields are invalid", missing...)
	}
	var b *models.Bot
	var err error
	if s.native(in) {
		if s.opt.Channels == nil || !s.opt.Channels.Supports(in.Channel) {
			return models.Invalid("this channel cannot be connected natively yet",
				models.FieldError{Field: "delivery", Message: "must be engine for " + string(in.Channel) + " bots"})
		}
		b, err = s.opt.Channels.Connect(c.Request().Context(), principal(c), in.input())
	} else {
		b, err = s.inbox.CreateBot(c.Request().Context(), principal(c), in.input())
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, b)
}

func (s *Server) updateBot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in botRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Channel != "" {
		return models.Invalid("a bot's channel cannot change", models.FieldError{Field: "channel", Message: "cannot change; connect a new bot"})
	}
	b, err := s.inbox.UpdateBot(c.Request().Context(), principal(c), id, in.input())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// deleteBot deletes a bot; a native bot's webhook is removed and its
// polling stopped.
func (s *Server) deleteBot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, p := c.Request().Context(), principal(c)
	b, err := s.inbox.Bot(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.inbox.DeleteBot(ctx, p, id); err != nil {
		return err
	}
	if s.opt.Channels != nil {
		s.opt.Channels.Forget(ctx, b)
	}
	return c.NoContent(http.StatusNoContent)
}
