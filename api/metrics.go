package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics counts and times every request but /metrics in reg, as
// switchboard_http_* by code, method, host and url. Every label is
// bounded, whatever the clients send:
//   - code is the status the client is answered (statusOf an error, as
//     handleError writes it; StatusClientClosed for a client that left);
//   - method is one of the standard methods, or "OTHER";
//   - host is always empty (the Host header is the client's to choose);
//   - url is the route pattern, "" for a path no route matches.
func httpMetrics(reg prometheus.Registerer) echo.MiddlewareFunc {
	return echoprometheus.NewMiddlewareWithConfig(echoprometheus.MiddlewareConfig{
		Namespace: "switchboard", Subsystem: "http", Registerer: reg, DoNotUseRequestPathFor404: true,
		Skipper: func(c echo.Context) bool { return c.Path() == "/metrics" },
		StatusCodeResolver: func(c echo.Context, err error) int {
			if err == nil || c.Response().Committed {
				return c.Response().Status
			}
			return statusFor(c, err)
		},
		LabelFuncs: map[string]echoprometheus.LabelValueFunc{
			"host":   func(echo.Context, error) string { return "" },
			"method": func(c echo.Context, _ error) string { return methodLabel(c.Request().Method) },
			"url": func(c echo.Context, err error) string {
				if errors.Is(err, echo.ErrNotFound) {
					return "" // the router found no route: c.Path() is a node of its tree, not a route
				}
				return c.Path()
			},
		},
	})
}

// standardMethods are the methods a metric is labelled with by name.
var standardMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true,
	http.MethodDelete: true, http.MethodOptions: true, http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel is m when it is a standard method, else "OTHER": any token is
// a valid method, so a client could otherwise make one series per request.
func methodLabel(m string) string {
	if standardMethods[m] {
		return m
	}
	return "OTHER"
}
