package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// byID makes a handler for a route with an :id: it calls do with the
// caller and the id and answers status with what do returns (204 for a nil
// result with status 204).
func byID[Out any](status int, do func(ctx context.Context, p models.Principal, id string) (Out, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		out, err := do(c.Request().Context(), principal(c), id)
		if err != nil {
			return err
		}
		if status == http.StatusNoContent {
			return c.NoContent(status)
		}
		return c.JSON(status, out)
	}
}

// byIDWithBody is byID for routes that also take a JSON body In, which is
// decoded strictly and validated before do runs.
func byIDWithBody[In, Out any](status int, do func(ctx context.Context, p models.Principal, id string, in *In) (Out, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var in In
		if err := bind(c, &in); err != nil {
			return err
		}
		out, err := do(c.Request().Context(), principal(c), id, &in)
		if err != nil {
			return err
		}
		return c.JSON(status, out)
	}
}

// none is the result of an action that answers 204.
type none struct{}

// noContent adapts an action that returns only an error to byID.
func noContent(do func(ctx context.Context, p models.Principal, id string) error) func(context.Context, models.Principal, string) (none, error) {
	return func(ctx context.Context, p models.Principal, id string) (none, error) {
		return none{}, do(ctx, p, id)
	}
}
