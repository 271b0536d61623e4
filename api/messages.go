package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

type messageList struct {
	Items []*models.Message `json:"items"`
}

func (s *Server) listMessages(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := models.MessageFilter{ConversationID: id, Before: c.QueryParam("before"), After: c.QueryParam("after"), Query: c.QueryParam("q"), Limit: 50}
	if f.Before != "" && f.After != "" {
		return models.Invalid("bad paging", models.FieldError{Field: "after", Message: "use before or after, not both"})
	}
	for name, v := range map[string]string{"before": f.Before, "after": f.After} {
		if v != "" && !models.ValidID(v) {
			return models.Invalid("bad paging", models.FieldError{Field: name, Message: "is not a message id"})
		}
	}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return models.Invalid("bad paging", models.FieldError{Field: "limit", Message: "must be an integer from 1 to 200"})
		}
		f.Limit = n
	}
	if len(f.Query) > 200 {
		return models.Invalid("bad search", models.FieldError{Field: "q", Message: "must be at most 200 characters"})
	}
	msgs, err := s.inbox.History(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, messageList{Items: msgs})
}

type sendRequest struct {
	// Text length (1..512 characters) is checked by the inbox rules.
	Text     string `json:"text" validate:"max=8192"`
	ReplyTo  string `json:"reply_to" validate:"max=64"`
	Template string `json:"template" validate:"max=512"`
	Tag      string `json:"tag" validate:"omitempty,oneof=human_agent"`
	FileID   string `json:"file_id" validate:"max=64"`
	// ConfirmPaid accepts a Viber send past the month's free chatbot-initiated messages.
	ConfirmPaid bool `json:"confirm_paid"`
}

func (s *Server) sendMessage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in sendRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	key := c.Request().Header.Get("Idempotency-Key")
	if len(key) > 200 {
		return models.Invalid("bad header", models.FieldError{Field: "Idempotency-Key", Message: "must be at most 200 characters"})
	}
	m, replayed, err := s.inbox.Send(c.Request().Context(), principal(c), id, inbox.SendInput{Text: in.Text, ReplyTo: in.ReplyTo,
		Template: in.Template, Tag: in.Tag, IdempotencyKey: key, FileID: in.FileID, ConfirmPaid: in.ConfirmPaid})
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set("Idempotent-Replayed", "true")
		return c.JSON(http.StatusOK, m)
	}
	return c.JSON(http.StatusCreated, m)
}

// chatMessage reads the chat and message ids of a message's path.
func chatMessage(c echo.Context) (convID, msgID string, err error) {
	if convID, err = pathID(c, "id"); err != nil {
		return "", "", err
	}
	msgID, err = pathID(c, "message_id")
	return convID, msgID, err
}

func (s *Server) deleteMessage(c echo.Context) error {
	id, mid, err := chatMessage(c)
	if err != nil {
		return err
	}
	if err := s.inbox.DeleteMessage(c.Request().Context(), principal(c), id, mid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type retryRequest struct {
	// ConfirmPaid accepts a Viber send past the month's free chatbot-initiated messages.
	ConfirmPaid bool `json:"confirm_paid"`
}

func (s *Server) retryMessage(c echo.Context) error {
	id, mid, err := chatMessage(c)
	if err != nil {
		return err
	}
	// The body is optional: {"confirm_paid": true} confirms a paid Viber send.
	var in retryRequest
	if c.Request().ContentLength != 0 {
		if err := bind(c, &in); err != nil {
			return err
		}
	}
	m, err := s.inbox.RetrySend(c.Request().Context(), principal(c), id, mid, in.ConfirmPaid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, m)
}
