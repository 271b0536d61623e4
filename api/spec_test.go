package api_test

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard"
)

var echoParam = regexp.MustCompile(`:([a-zA-Z_]+)`)

// TestSpecMatchesRoutes fails when a route exists that openapi.yaml lacks, or
// the spec documents an operation no route serves.
func TestSpecMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	doc, _ := spec(t)
	served := map[string]bool{}
	for _, r := range e.srv.Echo().Routes() {
		if strings.HasPrefix(r.Path, "/*") || r.Method == "echo_route_not_found" {
			continue
		}
		served[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes not in openapi.yaml: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("openapi.yaml operations with no route: %v", extra)
	}
	if len(served) < 20 {
		t.Errorf("only %d routes found; the route listing is broken", len(served))
	}
}

func TestSpecIsServed(t *testing.T) {
	e := newEnv(t)
	r := e.call("GET", "/openapi.yaml", "", nil)
	wantStatus(t, r, http.StatusOK)
	if string(r.Body) != string(switchboard.OpenAPI) {
		t.Fatal("served spec differs from openapi.yaml")
	}
	doc, _ := spec(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi version %q, want 3.1", doc.OpenAPI)
	}
}
