package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// conversationView is a chat as the list and detail show it: the stored
// chat plus what is derived for the caller.
type conversationView struct {
	*models.Conversation
	// ReplyWindowOpen says whether an agent may write freely now.
	ReplyWindowOpen bool `json:"reply_window_open"`
	// ReplyWindowEndsAt is when it closes: null when the channel has no
	// window, or the subscriber never wrote.
	ReplyWindowEndsAt     *time.Time `json:"reply_window_ends_at"`
	AutomationPausedUntil *time.Time `json:"automation_paused_until"`
	Muted                 bool       `json:"muted"`
}

type conversationList struct {
	Items      []conversationView `json:"items"`
	NextCursor string             `json:"next_cursor"`
}

// views adds the derived fields; the subscribers of a page are read in one query.
func (s *Server) views(ctx context.Context, p models.Principal, convs []*models.Conversation) ([]conversationView, error) {
	ids := make([]string, 0, len(convs))
	for _, c := range convs {
		ids = append(ids, c.SubscriberID)
	}
	paused := map[string]*time.Time{}
	if len(ids) > 0 {
		subs, _, err := s.inbox.Subscribers(ctx, p, models.SubscriberFilter{IDs: ids, Page: models.Page{Limit: len(ids)}})
		if err != nil {
			return nil, err
		}
		for _, sub := range subs {
			paused[sub.ID] = sub.AutomationPausedUntil
		}
	}
	now := s.inbox.Now()
	out := make([]conversationView, 0, len(convs))
	for _, c := range convs {
		v := conversationView{Conversation: c, AutomationPausedUntil: paused[c.SubscriberID]}
		end := inbox.WindowEnd(c.Channel, c.LastInboundAt)
		v.ReplyWindowOpen = end == nil || now.Before(*end)
		if end != nil && !end.IsZero() {
			v.ReplyWindowEndsAt = end
		}
		for _, m := range c.MutedBy {
			v.Muted = v.Muted || m == p.MemberID
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) oneView(c echo.Context, conv *models.Conversation, err error) error {
	if err != nil {
		return err
	}
	v, err := s.views(c.Request().Context(), principal(c), []*models.Conversation{conv})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v[0])
}

func (s *Server) listConversations(c echo.Context) error {
	page, err := pageParams(c, listConversations)
	if err != nil {
		return err
	}
	in := inbox.ListInput{Tab: c.QueryParam("tab"), Group: models.Group(c.QueryParam("group")), BotID: c.QueryParam("bot_id"),
		Channel: models.Channel(c.QueryParam("channel")), Tag: c.QueryParam("tag"), AssigneeID: c.QueryParam("assignee_id"),
		Search: c.QueryParam("q"), Page: page}
	switch in.Tab {
	case "", "open", "closed", "all":
	default:
		return models.Invalid("bad filter", models.FieldError{Field: "tab", Message: "must be open, closed or all"})
	}
	switch in.Group {
	case "", models.GroupMine, models.GroupUnassigned, models.GroupOthers, models.GroupClosed:
	default:
		return models.Invalid("bad filter", models.FieldError{Field: "group", Message: "must be mine, unassigned, others or closed"})
	}
	if in.Channel != "" && !in.Channel.Valid() {
		return models.Invalid("bad filter", models.FieldError{Field: "channel", Message: "is not a known channel"})
	}
	for name, v := range map[string]string{"bot_id": in.BotID, "assignee_id": in.AssigneeID} {
		if v != "" && !models.ValidID(v) {
			return models.Invalid("bad filter", models.FieldError{Field: name, Message: "is not an id"})
		}
	}
	if len(in.Tag) > 100 || len(in.Search) > 100 {
		return models.Invalid("bad filter", models.FieldError{Field: "q", Message: "must be at most 100 characters"})
	}
	convs, next, err := s.inbox.Conversations(c.Request().Context(), principal(c), in)
	if err != nil {
		return err
	}
	items, err := s.views(c.Request().Context(), principal(c), convs)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, conversationList{Items: items, NextCursor: nextCursor(listConversations, next)})
}

type countsResponse struct {
	Open       int64 `json:"open"`
	Closed     int64 `json:"closed"`
	All        int64 `json:"all"`
	Mine       int64 `json:"mine"`
	Unassigned int64 `json:"unassigned"`
	Others     int64 `json:"others"`
	Badge      int64 `json:"badge"`
}

func (s *Server) conversationCounts(c echo.Context) error {
	n, err := s.inbox.Counts(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, countsResponse{Open: n.Open, Closed: n.Closed, All: n.All, Mine: n.Mine,
		Unassigned: n.Unassigned, Others: n.Others, Badge: n.Badge})
}

type openRequest struct {
	SubscriberID string `json:"subscriber_id" validate:"required,max=64"`
}

func (s *Server) openConversation(c echo.Context) error {
	var in openRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if !models.ValidID(in.SubscriberID) {
		return models.Invalid("bad id", models.FieldError{Field: "subscriber_id", Message: "is not an id"})
	}
	conv, err := s.inbox.OpenManually(c.Request().Context(), principal(c), in.SubscriberID)
	return s.oneView(c, conv, err)
}

// convAction runs an action on the chat named in the path.
func (s *Server) convAction(do func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		conv, err := do(c.Request().Context(), principal(c), id)
		return s.oneView(c, conv, err)
	}
}

type assignRequest struct {
	MemberID *string `json:"member_id" validate:"omitnil,max=64"`
}

func (s *Server) assignConversation(c echo.Context) error {
	var in assignRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	member := ""
	if in.MemberID != nil {
		if !models.ValidID(*in.MemberID) {
			return models.Invalid("bad id", models.FieldError{Field: "member_id", Message: "is not an id"})
		}
		member = *in.MemberID
	}
	return s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
		return s.inbox.Assign(ctx, p, id, member)
	})(c)
}

func (s *Server) setFollower(follow bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		member, err := pathID(c, "member_id")
		if err != nil {
			return err
		}
		return s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
			return s.inbox.SetFollower(ctx, p, id, member, follow)
		})(c)
	}
}

type tagsRequest struct {
	Tags []string `json:"tags" validate:"max=50,dive,min=1,max=50"`
}

func (s *Server) setConversationTags(c echo.Context) error {
	var in tagsRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.Tags == nil {
		return models.Invalid("tags are required", models.FieldError{Field: "tags", Message: "is required (an empty list clears)"})
	}
	return s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
		return s.inbox.SetTags(ctx, p, id, in.Tags)
	})(c)
}

func (s *Server) setMuted(muted bool) echo.HandlerFunc {
	return s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
		return s.inbox.SetMuted(ctx, p, id, muted)
	})
}
