package api_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/switchboardhq/switchboard"
)

// The shape rules of openapi.yaml: requests are closed (a client learns at
// once that it sent a field the server does not take), responses are open
// (a field added later does not break a validating client), and every
// schema has one type besides null, which code generators can map.

// walkSchema calls visit on s and every schema inside it, once each.
func walkSchema(s *openapi3.SchemaRef, path string, seen map[*openapi3.Schema]bool, visit func(*openapi3.Schema, string)) {
	if s == nil || s.Value == nil || seen[s.Value] {
		return
	}
	seen[s.Value] = true
	v := s.Value
	visit(v, path)
	names := make([]string, 0, len(v.Properties))
	for n := range v.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		walkSchema(v.Properties[n], path+"."+n, seen, visit)
	}
	walkSchema(v.Items, path+"[]", seen, visit)
	walkSchema(v.AdditionalProperties.Schema, path+".*", seen, visit)
	for i, group := range [][]*openapi3.SchemaRef{v.AllOf, v.OneOf, v.AnyOf} {
		for j, p := range group {
			walkSchema(p, fmt.Sprintf("%s/%s[%d]", path, [...]string{"allOf", "oneOf", "anyOf"}[i], j), seen, visit)
		}
	}
}

// isObject says whether s describes a JSON object.
func isObject(s *openapi3.Schema) bool {
	return s.Type.Is("object") || len(s.Properties) > 0
}

// bodySchemas returns each operation's request or response body schemas.
func bodySchemas(doc *openapi3.T, requests bool) map[string]*openapi3.SchemaRef {
	out := map[string]*openapi3.SchemaRef{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if requests {
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					for ct, mt := range op.RequestBody.Value.Content {
						out[name+" request "+ct] = mt.Schema
					}
				}
				continue
			}
			for status, r := range op.Responses.Map() {
				if r.Value == nil {
					continue
				}
				for ct, mt := range r.Value.Content {
					out[name+" "+status+" "+ct] = mt.Schema
				}
			}
		}
	}
	return out
}

// publishedSpec loads openapi.yaml as clients get it.
func publishedSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(switchboard.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestSpecRequestsClosedResponsesOpen: every object in a request body says
// whether it takes other members (false, or a schema for maps; true only
// where the sender's records are open by nature: a Telegram Update, a
// WatermelonDB raw record), and no response object forbids members.
func TestSpecRequestsClosedResponsesOpen(t *testing.T) {
	t.Parallel()
	doc := publishedSpec(t)
	var bad []string
	for name, s := range bodySchemas(doc, true) {
		walkSchema(s, name, map[*openapi3.Schema]bool{}, func(v *openapi3.Schema, path string) {
			if isObject(v) && v.AdditionalProperties.Has == nil && v.AdditionalProperties.Schema == nil {
				bad = append(bad, path+": request object without additionalProperties")
			}
			if len(v.AllOf) > 0 {
				// allOf of a closed part admits nothing the other parts add.
				bad = append(bad, path+": request schema composed with allOf")
			}
		})
	}
	for name, s := range bodySchemas(doc, false) {
		walkSchema(s, name, map[*openapi3.Schema]bool{}, func(v *openapi3.Schema, path string) {
			if h := v.AdditionalProperties.Has; h != nil && !*h {
				bad = append(bad, path+": closed response object (additionalProperties: false)")
			}
			if h := v.UnevaluatedProperties.Has; h != nil && !*h {
				bad = append(bad, path+": closed response object (unevaluatedProperties: false)")
			}
		})
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
}

// TestSpecSchemasHaveOneType: a schema may be one type or one type and
// null; [integer, string] and the like have no Go or TypeScript type the
// generators agree on.
func TestSpecSchemasHaveOneType(t *testing.T) {
	t.Parallel()
	doc := publishedSpec(t)
	seen := map[*openapi3.Schema]bool{}
	check := func(v *openapi3.Schema, path string) {
		n := 0
		for _, ty := range v.Type.Slice() {
			if ty != "null" {
				n++
			}
		}
		if n > 1 {
			t.Errorf("%s: types %v", path, v.Type.Slice())
		}
	}
	names := make([]string, 0, len(doc.Components.Schemas))
	for n := range doc.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		walkSchema(doc.Components.Schemas[n], "#/components/schemas/"+n, seen, check)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...) {
				if p.Value != nil {
					walkSchema(p.Value.Schema, method+" "+path+" parameter "+p.Value.Name, seen, check)
				}
			}
		}
	}
}

// closeResponses closes every response object of doc in place, so the
// API tests, which validate each real response against the spec, still
// catch a field the server sends but the contract does not name (a leaked
// hash, a debug field), although the published contract leaves responses
// open. The parts of an allOf stay open and the composed schema gets
// unevaluatedProperties: false instead.
func closeResponses(doc *openapi3.T) {
	parts := map[*openapi3.Schema]bool{}
	for _, s := range doc.Components.Schemas {
		if s.Value != nil {
			for _, p := range s.Value.AllOf {
				if p.Value != nil {
					parts[p.Value] = true
				}
			}
		}
	}
	no := false
	seen := map[*openapi3.Schema]bool{}
	for _, s := range bodySchemas(doc, false) {
		walkSchema(s, "", seen, func(v *openapi3.Schema, _ string) {
			switch {
			case parts[v] || !isObject(v) && len(v.AllOf) == 0:
			case v.AdditionalProperties.Has != nil || v.AdditionalProperties.Schema != nil:
				// Says itself what it takes (maps).
			case len(v.AllOf) > 0:
				v.UnevaluatedProperties = openapi3.BoolSchema{Has: &no}
			case len(v.Properties) > 0:
				v.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
			}
		})
	}
}
