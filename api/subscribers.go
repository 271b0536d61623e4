package api

import (
	"context"
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
	page, err := pageParams(c, listSubscribers)
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
	return c.JSON(http.StatusOK, subscriberList{Items: subs, NextCursor: nextCursor(listSubscribers, next)})
}

type subscriberEditRequest struct {
	FirstName *string           `json:"first_name" validate:"omitnil,max=100"`
	LastName  *string           `json:"last_name" validate:"omitnil,max=100"`
	Phone     *string           `json:"phone" validate:"omitnil,max=50"`
	Email     *string           `json:"email" validate:"omitnil,max=254"` // an address, or "" to clear
	Variables map[string]string `json:"variables" validate:"omitempty,max=100,dive,keys,min=1,max=64,excludesall=.$,endkeys,max=2000"`
	Tags      *[]string         `json:"tags" validate:"omitnil,max=50,dive,min=1,max=50"`
}

type automationRequest struct {
	Action inbox.PauseAction `json:"action" validate:"required,oneof=extend resume"`
}

// setDisabled stops or allows again bot messages to the subscriber.
func (s *Server) setDisabled(disabled bool) echo.HandlerFunc {
	return byID(http.StatusOK, func(ctx context.Context, p models.Principal, id string) (*models.Subscriber, error) {
		return s.inbox.SetDisabled(ctx, p, id, disabled)
	})
}

type noteRequest struct {
	// Length (1..2000 characters) is checked by the inbox rules.
	Text string `json:"text" validate:"max=16000"`
}

type noteList struct {
	Items []*models.Note `json:"items"`
}

func (s *Server) listNotes(c echo.Context) error {
	return byID(http.StatusOK, func(ctx context.Context, p models.Principal, id string) (noteList, error) {
		notes, err := s.inbox.Notes(ctx, p, id)
		return noteList{Items: notes}, err
	})(c)
}

// subscriberHandlers makes the subscriber and note handlers of the one
// shape byID and byIDWithBody cover.
func (s *Server) subscriberHandlers() (get, edit, automation, del, addNote, editNote, delNote echo.HandlerFunc) {
	get = byID(http.StatusOK, s.inbox.Subscriber)
	edit = byIDWithBody(http.StatusOK, func(ctx context.Context, p models.Principal, id string, in *subscriberEditRequest) (*models.Subscriber, error) {
		if in.Email != nil && *in.Email != "" && validate.Var(*in.Email, "email") != nil {
			return nil, models.Invalid("some fields are invalid", models.FieldError{Field: "email", Message: "must be a valid email address"})
		}
		return s.inbox.EditSubscriber(ctx, p, id, inbox.SubscriberEdit{FirstName: in.FirstName, LastName: in.LastName,
			Phone: in.Phone, Email: in.Email, Variables: in.Variables, Tags: in.Tags})
	})
	automation = byIDWithBody(http.StatusOK, func(ctx context.Context, p models.Principal, id string, in *automationRequest) (*models.Subscriber, error) {
		return s.inbox.Automation(ctx, p, id, in.Action)
	})
	del = byID(http.StatusNoContent, noContent(s.inbox.DeleteSubscriber))
	addNote = byIDWithBody(http.StatusCreated, func(ctx context.Context, p models.Principal, id string, in *noteRequest) (*models.Note, error) {
		return s.inbox.AddNote(ctx, p, id, in.Text)
	})
	editNote = byIDWithBody(http.StatusOK, func(ctx context.Context, p models.Principal, id string, in *noteRequest) (*models.Note, error) {
		return s.inbox.EditNote(ctx, p, id, in.Text)
	})
	delNote = byID(http.StatusNoContent, noContent(s.inbox.DeleteNote))
	return
}
