package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// currency is an ISO 4217 code in any letter case.
	_ = v.RegisterValidation("currency", func(fl validator.FieldLevel) bool {
		return v.Var(strings.ToUpper(fl.Field().String()), "iso4217") == nil
	})
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// bind decodes a JSON body into dst strictly (unknown fields, wrong types,
// trailing data and oversized bodies are refused) and validates it. Every
// failure is a 4xx naming the field where there is one.
func bind(c echo.Context, dst any) error {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return models.Errorf(models.CodeUnsupported, "request body must be application/json")
	}
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		return models.Invalid("request body must hold a single JSON value")
	}
	return validateStruct(dst)
}

func tooLarge(limit int64) error {
	return models.Errorf(models.CodeTooLarge, "request body is larger than %d bytes", limit)
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.Is(err, io.EOF):
		return models.Invalid("request body is empty; a JSON object is required")
	case errors.As(err, &syn):
		return models.Invalid(fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return models.Invalid("malformed JSON: unexpected end of body")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return models.Invalid("a field has the wrong type",
			models.FieldError{Field: field, Message: "must be " + jsonType(typ.Type)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return models.Invalid("the body has a field this endpoint does not accept",
			models.FieldError{Field: field, Message: "unknown field"})
	default:
		return models.Invalid("malformed JSON body")
	}
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonType(t.Elem())
	default:
		return "an object"
	}
}

// validateStruct runs the validate tags and reports every failing field.
func validateStruct(v any) error {
	err := validate.Struct(v)
	var verrs validator.ValidationErrors
	if err == nil || !errors.As(err, &verrs) {
		return err
	}
	fields := make([]models.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		ns := fe.Namespace()
		if _, rest, ok := strings.Cut(ns, "."); ok {
			ns = rest
		}
		fields = append(fields, models.FieldError{Field: ns, Message: fieldMessage(fe)})
	}
	return models.Invalid("some fields are invalid", fields...)
}

func fieldMessage(fe validator.FieldError) string {
	unit := ""
	if fe.Kind() == reflect.String {
		unit = " characters"
	} else if fe.Kind() == reflect.Slice {
		unit = " items"
	}
	switch fe.Tag() {
	case "required":
		return "is required"
	case "email":
		return "must be a valid email address"
	case "min":
		return "must be at least " + fe.Param() + unit
	case "max":
		return "must be at most " + fe.Param() + unit
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "notblank":
		return "must not be blank"
	case "excludesall":
		return "must not contain any of " + fe.Param()
	case "currency":
		return "must be an ISO 4217 currency code, such as EUR"
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	default:
		return "is invalid (" + fe.Tag() + ")"
	}
}

// pathID returns the path parameter name as a record ID, or a 400 naming it.
func pathID(c echo.Context, name string) (string, error) {
	id := c.Param(name)
	if !models.ValidID(id) {
		return "", models.Invalid("malformed id", models.FieldError{Field: name, Message: "must be 1..64 letters, digits, '-' or '_'"})
	}
	return id, nil
}

// validCursor accepts what the API hands out as cursors: ids and
// URL-safe base64, at most 256 characters.
func validCursor(s string) bool {
	if len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// pageParams reads limit and cursor query parameters.
func pageParams(c echo.Context) (models.Page, error) {
	p := models.Page{Limit: 50}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return p, models.Invalid("bad paging", models.FieldError{Field: "limit", Message: "must be an integer from 1 to 200"})
		}
		p.Limit = n
	}
	if s := c.QueryParam("cursor"); s != "" {
		if !validCursor(s) {
			return p, models.Invalid("bad paging", models.FieldError{Field: "cursor", Message: "is not a cursor this API returned"})
		}
		p.Cursor = s
	}
	return p, nil
}
