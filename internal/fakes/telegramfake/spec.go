package telegramfake

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed api.json
var specJSON []byte

// spec is the part of api.json the checks use.
type spec struct {
	Version string                 `json:"version"`
	Methods map[string]*specMethod `json:"methods"`
	Types   map[string]*specType   `json:"types"`
	lower   map[string]*specMethod // method names are case-insensitive
}

type specField struct {
	Name     string   `json:"name"`
	Types    []string `json:"types"`
	Required bool     `json:"required"`
}

type specMethod struct {
	Name    string      `json:"name"`
	Returns []string    `json:"returns"`
	Fields  []specField `json:"fields"`
}

type specType struct {
	Name     string      `json:"name"`
	Fields   []specField `json:"fields"`
	Subtypes []string    `json:"subtypes"`
}

var (
	specOnce   sync.Once
	loadedSpec *spec
	specErr    error
)

// loadSpec parses the embedded api.json once.
func loadSpec() (*spec, error) {
	specOnce.Do(func() {
		s := &spec{}
		if err := json.Unmarshal(specJSON, s); err != nil {
			specErr = fmt.Errorf("telegramfake: api.json: %w", err)
			return
		}
		s.lower = map[string]*specMethod{}
		for name, m := range s.Methods {
			s.lower[strings.ToLower(name)] = m
		}
		loadedSpec = s
	})
	return loadedSpec, specErr
}

// method finds a method by its case-insensitive name.
func (s *spec) method(name string) *specMethod {
	return s.lower[strings.ToLower(name)]
}

// field finds a method's parameter.
func (m *specMethod) field(name string) *specField {
	for i := range m.Fields {
		if m.Fields[i].Name == name {
			return &m.Fields[i]
		}
	}
	return nil
}

// mismatch says where a value breaks the spec and how.
type mismatch struct {
	path string
	msg  string
}

func (e *mismatch) Error() string { return e.path + ": " + e.msg }

// depth ranks mismatches of union alternatives: the one found deepest is
// the alternative the caller most likely meant.
func (e *mismatch) depth() int {
	return strings.Count(e.path, ".") + strings.Count(e.path, "[")
}

// checkParams checks a call's parameters; the mismatches are sorted by
// parameter name.
func (s *spec) checkParams(m *specMethod, params map[string]any) []*mismatch {
	var out []*mismatch
	for name, v := range params {
		f := m.field(name)
		if f == nil {
			out = append(out, &mismatch{name, "unknown parameter"})
			continue
		}
		if e := s.check(name, v, f.Types); e != nil {
			out = append(out, e)
		}
	}
	for _, f := range m.Fields {
		if _, ok := params[f.Name]; f.Required && !ok {
			out = append(out, &mismatch{f.Name, "required parameter is missing"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// check reports why v (decoded with json.Number numbers) is none of types,
// or nil when it is one of them.
func (s *spec) check(path string, v any, types []string) *mismatch {
	var best *mismatch
	for _, t := range types {
		e := s.checkOne(path, v, t)
		if e == nil {
			return nil
		}
		if best == nil || e.depth() > best.depth() {
			best = e
		}
	}
	if best != nil && best.path == path && len(types) > 1 {
		return &mismatch{path, "must be " + orList(types) + ", got " + kind(v)}
	}
	return best
}

func (s *spec) checkOne(path string, v any, t string) *mismatch {
	want := func() *mismatch { return &mismatch{path, "must be " + t + ", got " + kind(v)} }
	switch t {
	case "Integer":
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
				return nil
			}
		}
		return want()
	case "Float":
		if n, ok := v.(json.Number); ok {
			if _, err := strconv.ParseFloat(string(n), 64); err == nil {
				return nil
			}
		}
		return want()
	case "String":
		if _, ok := v.(string); ok {
			return nil
		}
		return want()
	case "Boolean", "True":
		if b, ok := v.(bool); ok && (b || t == "Boolean") {
			return nil
		}
		return want()
	case "InputFile":
		if _, ok := v.(string); ok { // a file_id, a URL or attach://<name>
			return nil
		}
		return want()
	}
	if elem, ok := strings.CutPrefix(t, "Array of "); ok {
		arr, ok := v.([]any)
		if !ok {
			return want()
		}
		for i, x := range arr {
			if e := s.checkOne(path+"["+strconv.Itoa(i)+"]", x, elem); e != nil {
				return e
			}
		}
		return nil
	}
	st := s.Types[t]
	if st == nil {
		return &mismatch{path, "the spec names unknown type " + t}
	}
	if len(st.Subtypes) > 0 {
		return s.check(path, v, st.Subtypes)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return want()
	}
	return s.checkObject(path, obj, st)
}

// checkObject checks an object field by field: no unknown fields, every
// required one present, each of its type.
func (s *spec) checkObject(path string, obj map[string]any, st *specType) *mismatch {
	if len(st.Fields) == 0 {
		return nil // a placeholder type that holds no information
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		var f *specField
		for i := range st.Fields {
			if st.Fields[i].Name == k {
				f = &st.Fields[i]
			}
		}
		if f == nil {
			return &mismatch{path + "." + k, "unknown field of " + st.Name}
		}
		if e := s.check(path+"."+k, obj[k], f.Types); e != nil {
			return e
		}
	}
	for _, f := range st.Fields {
		if _, ok := obj[f.Name]; f.Required && !ok {
			return &mismatch{path + "." + f.Name, "required field of " + st.Name + " is missing"}
		}
	}
	return nil
}

// kind names a decoded JSON value's type for messages.
func kind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number " + string(v)
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func orList(types []string) string {
	if len(types) == 1 {
		return types[0]
	}
	return strings.Join(types[:len(types)-1], ", ") + " or " + types[len(types)-1]
}

// decodeJSON decodes data keeping numbers exact.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// generic turns a Go value into decoded JSON, for checking results.
func generic(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(data)
}
