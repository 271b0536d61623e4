package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

type subscriberList struct {
	Items      []*models.Subscriber `json:"items"`
	NextCursor string               `json:"next_cursor"`
}

func (s *Server) listSubscribers(c echo.Context) error {
	page, err := pageParams(c)
	if err != nil {
		return err
	}
	f := models.SubscriberFilter{BotID: c.QueryParam("bot_id"), NamePrefix: c.QueryParam("q"), Page: page}
	if f.BotID != "" && !models.ValidID(f.BotID) {
		return models.Invalid("bad filter", models.FieldError{Field: "bot_id", Message: "is not an id"})
	}
	if len(f.NamePrefix) > 100 {
		return models.Invalid("bad filter", models.FieldError{Field: "q", Message: "must be at most 100 characters"})
	}
	subs, next, err := s.inbox.Subscribers(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, subscriberList{Items: subs, NextCursor: next})
}

func (s *Server) getSubscriber(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sub, err := s.inbox.Subscriber(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

type subscriberEditRequest struct {
	FirstName *string           `json:"first_name" validate:"omitnil,max=100"`
	LastName  *string           `json:"last_name" validate:"omitnil,max=100"`
	Phone     *string           `json:"phone" validate:"omitnil,max=50"`
	Variables map[string]string `json:"variables" validate:"omitempty,max=100,dive,keys,min=1,max=64,excludesall=.$,endkeys,max=2000"`
	Tags      *[]string         `json:"tags" validate:"omitnil,max=50,dive,min=1,max=50"`
}

func (s *Server) editSubscriber(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in subscriberEditRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	sub, err := s.inbox.EditSubscriber(c.Request().Context(), principal(c), id, inbox.SubscriberEdit{FirstName: in.FirstName,
		LastName: in.LastName, Phone: in.Phone, Variables: in.Variables, Tags: in.Tags})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

type automationRequest struct {
	Action inbox.PauseAction `json:"action" validate:"required,oneof=extend resume"`
}

func (s *Server) subscriberAutomation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in automationRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	sub, err := s.inbox.Automation(c.Request().Context(), principal(c), id, in.Action)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

func (s *Server) setDisabled(disabled bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		sub, err := s.inbox.SetDisabled(c.Request().Context(), principal(c), id, disabled)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, sub)
	}
}

func (s *Server) deleteSubscriber(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.inbox.DeleteSubscriber(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type noteRequest struct {
	// Length (1..2000 characters) is checked by the inbox rules.
	Text string `json:"text" validate:"max=16000"`
}

type noteList struct {
	Items []*models.Note `json:"items"`
}

func (s *Server) listNotes(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	notes, err := s.inbox.Notes(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, noteList{Items: notes})
}

func (s *Server) addNote(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in noteRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	n, err := s.inbox.AddNote(c.Request().Context(), principal(c), id, in.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, n)
}

func (s *Server) editNote(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in noteRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	n, err := s.inbox.EditNote(c.Request().Context(), principal(c), id, in.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

func (s *Server) deleteNote(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.inbox.DeleteNote(c.Request().Context(), principal(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
