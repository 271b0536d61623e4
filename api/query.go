package api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// strictQuery holds every route to one rule for its query string: it must
// parse, every name and value must be valid UTF-8, and every parameter is
// single-valued, so a repeated one (limit=1&limit=500) is a 400 naming it
// rather than a silent choice of one of the values.
func strictQuery(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := c.Request().URL.RawQuery
		if raw == "" {
			return next(c)
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			return models.Invalid("malformed query string", models.FieldError{Field: "(query)", Message: "is not a valid URL query"})
		}
		var fields []models.FieldError
		for name, vs := range q {
			switch {
			case !utf8.ValidString(name):
				fields = append(fields, models.FieldError{Field: strings.ToValidUTF8(name, "\uFFFD"), Message: "must be valid UTF-8"})
			case len(vs) > 1:
				fields = append(fields, models.FieldError{Field: name, Message: "must be given once"})
			case !utf8.ValidString(vs[0]):
				fields = append(fields, models.FieldError{Field: name, Message: "must be valid UTF-8"})
			}
		}
		if len(fields) > 0 {
			return models.Invalid("bad query parameters", fields...)
		}
		return next(c)
	}
}

// Paged lists hand out opaque cursors: base64url of "<list>:<position>",
// where the position is what the store pages by. A cursor that does not
// decode, was made by another list or holds a malformed position is a 400
// naming cursor on every list, never an empty page.
const (
	listMembers       = "members"
	listSubscribers   = "subscribers"
	listConversations = "conversations"
)

// maxCursor bounds a cursor's length.
const maxCursor = 256

// nextCursor wraps the store's position of list's next page ("" on the last).
func nextCursor(list, pos string) string {
	if pos == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(list + ":" + pos))
}

// readCursor unwraps a cursor nextCursor made for list; ok is false for
// anything else.
func readCursor(list, s string) (pos string, ok bool) {
	if len(s) > maxCursor {
		return "", false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return "", false
	}
	got, pos, found := strings.Cut(string(raw), ":")
	if !found || got != list || !validPosition(list, pos) {
		return "", false
	}
	return pos, true
}

// validPosition checks a position has the shape list's store pages by:
// an id, or for conversations the store's own URL-safe token.
func validPosition(list, pos string) bool {
	if list != listConversations {
		return models.ValidID(pos)
	}
	if pos == "" || len(pos) > maxCursor {
		return false
	}
	for _, r := range pos {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// pageParams reads the limit and cursor query parameters of list.
func pageParams(c echo.Context, list string) (models.Page, error) {
	p := models.Page{Limit: 50}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return p, models.Invalid("bad paging", models.FieldError{Field: "limit", Message: "must be an integer from 1 to 200"})
		}
		p.Limit = n
	}
	if s := c.QueryParam("cursor"); s != "" {
		pos, ok := readCursor(list, s)
		if !ok {
			return p, models.Invalid("bad paging", models.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
		}
		p.Cursor = pos
	}
	return p, nil
}
