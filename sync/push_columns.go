package sync

import (
	"strconv"
	"unicode/utf8"

	// The JSON text of list and object columns is read as strictly as the
	// request body: duplicate names and invalid UTF-8 are refused.
	json "github.com/go-json-experiment/json"
	"github.com/switchboardhq/switchboard/models"
)

// Readers of pushed columns: each checks its value and reports a bad one
// at its path.

// str reads a string column: ok is false when present but not a string.
func str(r map[string]any, key string) (v string, present, ok bool) {
	x, present := r[key]
	if !present || x == nil {
		return "", false, true
	}
	v, ok = x.(string)
	return v, true, ok
}

// id reads a record's id, reporting a bad one.
func (c *pushCheck) id(path string, r map[string]any) (string, bool) {
	id, _, ok := str(r, "id")
	if !ok || !models.ValidID(id) {
		c.bad(path+".id", "must be 1 to 64 letters, digits, '-' or '_'")
		return "", false
	}
	return id, true
}

// required reads a non-empty string column.
func (c *pushCheck) required(path string, r map[string]any, key string) (string, bool) {
	v, present, ok := str(r, key)
	if !present || !ok || v == "" {
		c.bad(path+"."+key, "is required")
		return "", false
	}
	return v, true
}

func (c *pushCheck) text(path string, r map[string]any, max int) (string, bool) {
	v, _, ok := str(r, "text")
	if n := utf8.RuneCountInString(v); !ok || n < 1 || n > max {
		c.bad(path+".text", "must be 1 to "+strconv.Itoa(max)+" characters")
		return "", false
	}
	return v, true
}

// list reads a list column, sent as JSON text (a WatermelonDB string
// column) or as an array.
func list(v any) ([]string, bool) {
	if s, ok := v.(string); ok {
		var out []string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, false
		}
		return out, true
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// object reads an object of strings, sent as JSON text or as an object.
func object(v any) (map[string]string, bool) {
	if s, ok := v.(string); ok {
		var out map[string]string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, false
		}
		return out, true
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(obj))
	for k, x := range obj {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out[k] = s
	}
	return out, true
}

// tags reads and checks a tags column (at most 50 tags of 1..50 characters).
func (c *pushCheck) tags(path string, v any) ([]string, bool) {
	tags, ok := list(v)
	if ok && len(tags) <= 50 {
		for _, t := range tags {
			if n := utf8.RuneCountInString(t); n < 1 || n > 50 {
				ok = false
			}
		}
	}
	if !ok || len(tags) > 50 {
		c.bad(path+".tags", "must be a list (or its JSON text) of at most 50 tags of 1 to 50 characters")
		return nil, false
	}
	return tags, true
}

func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// boolean reads a boolean column; ok is false when absent or bad (reported).
func (c *pushCheck) boolean(path string, r map[string]any, key string) (v, ok bool) {
	x, present := r[key]
	if !present {
		return false, false
	}
	if v, ok = x.(bool); !ok {
		c.bad(path+"."+key, "must be a boolean")
	}
	return v, ok
}
