package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/models"
)

type createMemberRequest struct {
	Email    string      `json:"email" validate:"required,email,max=254"`
	Name     string      `json:"name" validate:"required,max=100"`
	Role     models.Role `json:"role" validate:"required,oneof=admin employee follower"`
	Password string      `json:"password" validate:"omitempty,min=8,max=1024"`
}

type createMemberResponse struct {
	*models.Member
	// InviteToken is returned once, when the member was invited rather than
	// given a password.
	InviteToken string `json:"invite_token,omitempty"`
}

type updateMemberRequest struct {
	Name   *string              `json:"name" validate:"omitnil,min=1,max=100"`
	Role   *models.Role         `json:"role" validate:"omitnil,oneof=admin employee follower"`
	Status *models.MemberStatus `json:"status" validate:"omitnil,oneof=active deactivated"`
}

type memberList struct {
	Items      []*models.Member `json:"items"`
	NextCursor string           `json:"next_cursor"`
}

func (s *Server) listMembers(c echo.Context) error {
	page, err := pageParams(c, listMembers)
	if err != nil {
		return err
	}
	f := models.MemberFilter{Page: page, Role: models.Role(c.QueryParam("role")), Status: models.MemberStatus(c.QueryParam("status"))}
	if f.Role != "" && !f.Role.Valid() {
		return models.Invalid("bad filter", models.FieldError{Field: "role", Message: "must be one of: admin, employee, follower"})
	}
	switch f.Status {
	case "", models.MemberActive, models.MemberInvited, models.MemberDeactivated:
	default:
		return models.Invalid("bad filter", models.FieldError{Field: "status", Message: "must be one of: active, invited, deactivated"})
	}
	items, next, err := s.auth.Members(c.Request().Context(), principal(c), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*models.Member{}
	}
	return c.JSON(http.StatusOK, memberList{Items: items, NextCursor: nextCursor(listMembers, next)})
}

func (s *Server) createMember(c echo.Context) error {
	var in createMemberRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	m, invite, err := s.auth.CreateMember(c.Request().Context(), principal(c),
		auth.NewMember{Email: in.Email, Name: in.Name, Role: in.Role, Password: in.Password})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createMemberResponse{Member: m, InviteToken: invite})
}

func (s *Server) getMember(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := s.auth.Member(c.Request().Context(), principal(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) updateMember(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in updateMemberRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	m, err := s.auth.UpdateMember(c.Request().Context(), principal(c), id,
		models.MemberUpdate{Name: in.Name, Role: in.Role, Status: in.Status})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}
