package telegramfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// maxBody bounds a JSON or form request body, as a guard for the tests.
const maxBody = 10 << 20

// maxUpload is the largest multipart body Telegram takes (50 MB).
const maxUpload = 50 << 20

// errTooLarge is a body over its bound.
var errTooLarge = errors.New("request body is too large")

func tooLarge(err error) bool { return errors.Is(err, errTooLarge) }

// params are a call's parameters as decoded JSON (json.Number numbers).
type params map[string]any

// readParams collects a call's parameters the ways the Bot API accepts
// them: the query string, and a JSON, urlencoded or multipart body. Form
// and query values are strings; each is read as the JSON value its spec
// type needs (a number, a boolean, a JSON-serialized object), except where
// the spec allows a String.
//
// A multipart body's files are left in r.MultipartForm for the handler.
func readParams(r *http.Request, m *specMethod, uploadLimit int64) (params, error) {
	out := params{}
	addForm := func(vals url.Values) {
		for k, vs := range vals {
			if len(vs) > 0 {
				out[k] = formValue(vs[0], m.field(k))
			}
		}
	}
	addForm(r.URL.Query())
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	bound := int64(maxBody)
	if ct == "multipart/form-data" {
		bound = uploadLimit
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, bound+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > bound {
		return nil, errTooLarge
	}
	if len(body) == 0 {
		return out, nil
	}
	switch ct {
	case "application/json":
		v, err := decodeJSON(body)
		if err != nil {
			return nil, errors.New("can't parse JSON: " + err.Error())
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("the JSON body must be an object")
		}
		for k, x := range obj {
			out[k] = x
		}
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errors.New("can't parse the form: " + err.Error())
		}
		addForm(vals)
	case "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(bound); err != nil {
			return nil, errors.New("can't parse the multipart form: " + err.Error())
		}
		addForm(r.MultipartForm.Value)
		for k := range r.MultipartForm.File {
			out[k] = "attach://" + k
		}
	default:
		return nil, errors.New("unsupported Content-Type " + strconv.Quote(r.Header.Get("Content-Type")))
	}
	return out, nil
}

// formValue reads a form value as its parameter's type wants it.
func formValue(raw string, f *specField) any {
	if f == nil || slices.Contains(f.Types, "String") {
		return raw
	}
	if v, err := decodeJSON([]byte(raw)); err == nil {
		return v
	}
	return raw
}

// Accessors for parameters that passed the spec checks.

func (p params) str(k string) string {
	s, _ := p[k].(string)
	return s
}

func (p params) boolean(k string) bool {
	b, _ := p[k].(bool)
	return b
}

// int64 reads an Integer, or an "Integer or String" given as digits.
func (p params) int64(k string) (int64, bool) {
	switch v := p[k].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// decode fills out from parameter k; false when k is absent.
func (p params) decode(k string, out any) bool {
	v, ok := p[k]
	if !ok {
		return false
	}
	data, err := json.Marshal(v)
	return err == nil && json.Unmarshal(data, out) == nil
}
