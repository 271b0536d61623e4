package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// The one strict JSON decoder of request bodies. Every route that takes a
// JSON body reads it here, so one rule holds everywhere:
//   - a Content-Type other than application/json (or +json) is 415;
//   - a body over the limit is 413;
//   - invalid UTF-8 (raw bytes or a lone surrogate escape), a duplicate
//     object member name, malformed JSON or more than one value is 400;
//   - a member name holding U+0000 is 400 (no store keeps it as a key);
//   - for bodies decoded into a struct, an unknown member (names match
//     exactly, case included) or a value of the wrong type is 400.
// Each 400 names the field as a path such as changes.notes.created[0].text.

// strictOptions are the decoding rules: encoding/json/v2 semantics, which
// refuse duplicate names and invalid UTF-8 and match names exactly, plus
// unknown members refused.
var strictOptions = json.RejectUnknownMembers(true)

// jsonBody checks the media type and reads the whole body (the server's
// body limit applies while reading).
func jsonBody(c echo.Context) ([]byte, error) {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, models.Errorf(models.CodeUnsupported, "request body must be application/json")
	}
	body, err := io.ReadAll(req.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge(mbe.Limit)
	}
	if err != nil {
		return nil, models.Invalid("the request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, models.Invalid("request body is empty; a JSON object is required")
	}
	return body, nil
}

// decodeStrict decodes body into dst under strictOptions.
func decodeStrict(body []byte, dst any) error {
	if err := json.Unmarshal(body, dst, strictOptions); err != nil {
		return jsonError(body, err)
	}
	return nulNames(body)
}

// rawJSON reads a JSON body that a handler passes on as bytes (a sync push,
// a webhook update) after the same checks as decodeStrict's, but without a
// Go type: one well-formed value, valid UTF-8, no duplicate names.
func rawJSON(c echo.Context) ([]byte, error) {
	body, err := jsonBody(c)
	if err != nil {
		return nil, err
	}
	var v jsontext.Value
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, jsonError(body, err)
	}
	if err := nulNames(body); err != nil {
		return nil, err
	}
	return body, nil
}

// escapedNUL is the only way U+0000 can be written in JSON text.
var escapedNUL = []byte(`\u0000`)

// nulNames refuses a member name holding U+0000, which no field of the API
// has and no store can keep as a document key (a map's key, such as a
// variable's name, would otherwise fail in the store as a 500). U+0000 in
// a value is text like any other. body is well-formed JSON.
func nulNames(body []byte) error {
	if !bytes.Contains(body, escapedNUL) {
		return nil
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil // the end (body was decoded already)
		}
		if tok.Kind() != '"' || !strings.ContainsRune(tok.String(), 0) {
			continue
		}
		// In an object, an odd count of tokens read means a name was last.
		if kind, n := dec.StackIndex(dec.StackDepth()); kind == '{' && n%2 == 1 {
			field := strings.ReplaceAll(fieldPath(body, dec.StackPointer()), "\x00", `\u0000`)
			return models.Invalid("a field name holds U+0000",
				models.FieldError{Field: field, Message: "must not contain U+0000 in its name"})
		}
	}
}

func tooLarge(limit int64) error {
	return models.Errorf(models.CodeTooLarge, "request body is larger than %d bytes", limit)
}

// jsonError turns a decoding error into a 400 naming the field.
func jsonError(body []byte, err error) error {
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	switch {
	case errors.As(err, &syn):
		field := fieldPath(body, syn.JSONPointer)
		switch {
		case errors.Is(syn.Err, jsontext.ErrDuplicateName):
			return models.Invalid("the body names a field twice",
				models.FieldError{Field: field, Message: "appears more than once in its object"})
		case invalidText(syn.Err):
			return models.Invalid("the body is not valid UTF-8",
				models.FieldError{Field: field, Message: "must be valid UTF-8 (no stray bytes or lone surrogate escapes)"})
		case errors.Is(syn.Err, io.ErrUnexpectedEOF):
			return models.Invalid("malformed JSON: unexpected end of body")
		case syn.JSONPointer == "" && strings.Contains(syn.Err.Error(), "after top-level value"):
			return models.Invalid("request body must hold a single JSON value")
		}
		return models.Invalid(fmt.Sprintf("malformed JSON at byte %d", syn.ByteOffset),
			models.FieldError{Field: field, Message: "is malformed JSON"})
	case errors.As(err, &sem):
		field := fieldPath(body, sem.JSONPointer)
		if errors.Is(sem.Err, json.ErrUnknownName) {
			return models.Invalid("the body has a field this endpoint does not accept",
				models.FieldError{Field: field, Message: "unknown field"})
		}
		return models.Invalid("a field has the wrong type",
			models.FieldError{Field: field, Message: "must be " + jsonType(sem.GoType)})
	}
	return models.Invalid("malformed JSON body")
}

// invalidText reports the decoder's refusal of bytes that are not UTF-8
// text: stray bytes, or escapes of lone UTF-16 surrogates.
func invalidText(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UTF-8") || strings.Contains(s, "surrogate")
}

var timeType = reflect.TypeFor[time.Time]()

func jsonType(t reflect.Type) string {
	if t == nil {
		return "of the documented type"
	}
	if t == timeType {
		return "an RFC 3339 time"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number in range"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonType(t.Elem())
	default:
		return "an object"
	}
}

// maxFieldPath bounds a field path echoed back to the client.
const maxFieldPath = 200

// fieldPath spells a JSON Pointer into body as the API names fields:
// members joined by dots, array elements as [i] ("(body)" for the whole
// body). It walks body to tell an array index from a member named by
// digits; where the walk cannot go on, the rest is joined by dots.
func fieldPath(body []byte, ptr jsontext.Pointer) string {
	if ptr == "" {
		return "(body)"
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	var b strings.Builder
	walking := true
	for tok := range ptr.Tokens() {
		if walking {
			walking = step(dec, tok)
			if walking && dec.StackDepth() > 0 {
				if kind, _ := dec.StackIndex(dec.StackDepth()); kind == '[' {
					b.WriteString("[" + tok + "]")
					continue
				}
			}
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	s := b.String()
	if len(s) > maxFieldPath {
		s = strings.ToValidUTF8(s[:maxFieldPath], "") + "..."
	}
	return s
}

// step moves dec from the start of a container's value to the start of the
// value tok names inside it, reporting false where that is not possible.
func step(dec *jsontext.Decoder, tok string) bool {
	t, err := dec.ReadToken()
	if err != nil {
		return false
	}
	switch t.Kind() {
	case '[':
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return false
		}
		for range n {
			if dec.PeekKind() == ']' || dec.SkipValue() != nil {
				return false
			}
		}
		return dec.PeekKind() != ']'
	case '{':
		for dec.PeekKind() != '}' {
			name, err := dec.ReadToken()
			if err != nil {
				return false
			}
			if name.String() == tok {
				return true
			}
			if dec.SkipValue() != nil {
				return false
			}
		}
	}
	return false
}
