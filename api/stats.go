package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

type statsResponse struct {
	Totals *models.BotTotals     `json:"totals"`
	Days   []*models.BotDayStats `json:"days"`
	// ChatbotInitiated is a Viber bot's month of sends outside the window.
	ChatbotInitiated *inbox.Initiated `json:"chatbot_initiated,omitempty"`
}

func (s *Server) botStats(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	to := s.inbox.Now().UTC()
	from := to.AddDate(0, 0, -29)
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if v := c.QueryParam(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return models.Invalid("bad range", models.FieldError{Field: name, Message: "must be a date, YYYY-MM-DD"})
			}
			*dst = t
		}
	}
	st, err := s.inbox.Stats(c.Request().Context(), principal(c), id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, statsResponse{Totals: st.Totals, Days: st.Days, ChatbotInitiated: st.Initiated})
}
