package models

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients switch on it; the
// API maps each code to one HTTP status in a single table.
type Code string

// Error codes. Their string values are part of the API contract.
const (
	CodeInvalid          Code = "invalid"                  // bad input: a field failed validation, malformed body or parameter
	CodeUnauthorized     Code = "unauthorized"             // missing, expired or forged credentials
	CodeForbidden        Code = "forbidden"                // authenticated, but the role does not allow it
	CodePasswordChange   Code = "password_change_required" // the member must change a given password first
	CodeNotFound         Code = "not_found"                // no such record in the caller's workspace
	CodeMethodNotAllowed Code = "method_not_allowed"       // the path exists, the method does not
	CodeConflict         Code = "conflict"                 // the write conflicts with the current state (duplicate, last admin, ...)
	CodeRateLimited      Code = "rate_limited"             // too many attempts; retry later
	CodeTooLarge         Code = "payload_too_large"        // request body over the configured limit
	CodeUnsupported      Code = "unsupported_media"        // request body is not of an accepted media type
	CodeUnavailable      Code = "unavailable"              // a dependency (the store) is not reachable
	CodeInternal         Code = "internal"                 // a bug or an unexpected failure; details are only logged
)

// FieldError names one input field that failed validation and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one application error type. Message is safe to show to a
// client; Cause is internal and never leaves the process except in logs.
type Error struct {
	Code       Code
	Message    string
	Fields     []FieldError
	RetryAfter int // seconds, for CodeRateLimited and CodeUnavailable
	Cause      error
}

// Error returns the client-safe message followed by the internal cause, for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap exposes the internal cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Errorf returns an application error with a client-safe formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure; the client sees only a generic message.
func Internal(cause error) *Error {
	return &Error{Code: CodeInternal, Message: "internal error", Cause: cause}
}

// Invalid returns a validation error naming the failing fields.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: CodeInvalid, Message: message, Fields: fields}
}

// NotFound returns the typed not-found error for a kind of record.
func NotFound(kind string) *Error {
	return Errorf(CodeNotFound, "%s not found", kind)
}

// ErrorCode returns the code of an application error, CodeInternal for any
// other non-nil error and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// IsNotFound reports whether err is a not-found application error.
func IsNotFound(err error) bool { return ErrorCode(err) == CodeNotFound }
