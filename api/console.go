package api

import (
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// consoleRoutes serves the browser console (Options.Console) at every GET
// path the API does not own; an unknown /v1/ path stays the API's 404.
func (s *Server) consoleRoutes() {
	if s.opt.Console == nil {
		return
	}
	serve := func(c echo.Context) error {
		p := c.Request().URL.Path
		if p == "/v1" || strings.HasPrefix(p, "/v1/") {
			return models.NotFound("route")
		}
		// The console sets its own caching and headers.
		c.Response().Header().Del("Cache-Control")
		s.opt.Console.ServeHTTP(c.Response(), c.Request())
		return nil
	}
	s.e.GET("/*", serve)
	s.e.HEAD("/*", serve)
}
