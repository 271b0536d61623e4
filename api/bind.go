package api

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
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

// bind decodes a JSON body into dst with the one strict decoder (see
// strictjson.go) and validates it. Every failure is a 4xx naming the field
// where there is one.
func bind(c echo.Context, dst any) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	if err := decodeStrict(body, dst); err != nil {
		return err
	}
	return validateStruct(dst)
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
