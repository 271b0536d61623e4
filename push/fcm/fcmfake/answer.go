package fcmfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Code is an FCM error code (google.firebase.fcm.v1.FcmError errorCode).
type Code string

// The error codes the fake can answer with.
const (
	Unregistered     Code = "UNREGISTERED"       // 404 NOT_FOUND
	SenderIDMismatch Code = "SENDER_ID_MISMATCH" // 403 PERMISSION_DENIED
	QuotaExceeded    Code = "QUOTA_EXCEEDED"     // 429 RESOURCE_EXHAUSTED
	Internal         Code = "INTERNAL"           // 500 INTERNAL
	Unavailable      Code = "UNAVAILABLE"        // 503 UNAVAILABLE
	InvalidArgument  Code = "INVALID_ARGUMENT"   // 400 INVALID_ARGUMENT
)

// Answer is a programmed error answer for one registration token.
type Answer struct {
	// Code is the FCM error code to answer with; a code not listed above
	// gets a 500 INTERNAL with that code as the FcmError detail.
	Code Code
	// RetryAfter, when positive, is sent as a Retry-After header in
	// seconds.
	RetryAfter time.Duration
	// Times is how many sends get this answer before the token succeeds
	// again; 0 means every send.
	Times int
}

// fcmError is how FCM states one error code: HTTP status, canonical
// status and message.
type fcmError struct {
	status    int
	canonical string
	message   string
}

// errorsByCode are FCM's answers, as FCM HTTP v1 sends them.
var errorsByCode = map[Code]fcmError{
	Unregistered:     {http.StatusNotFound, "NOT_FOUND", "Requested entity was not found."},
	SenderIDMismatch: {http.StatusForbidden, "PERMISSION_DENIED", "SenderId mismatch"},
	QuotaExceeded:    {http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests per device'."},
	Internal:         {http.StatusInternalServerError, "INTERNAL", "Internal error encountered."},
	Unavailable:      {http.StatusServiceUnavailable, "UNAVAILABLE", "The service is currently unavailable."},
	InvalidArgument:  {http.StatusBadRequest, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"},
}

// writeAnswer sends a's error in FCM's format: a google.rpc.Status with
// an FcmError detail (and a BadRequest detail for INVALID_ARGUMENT).
func writeAnswer(w http.ResponseWriter, a *Answer) {
	e, ok := errorsByCode[a.Code]
	if !ok {
		e = fcmError{http.StatusInternalServerError, "INTERNAL", "Internal error encountered."}
	}
	details := []any{map[string]any{
		"@type":     "type.googleapis.com/google.firebase.fcm.v1.FcmError",
		"errorCode": string(a.Code),
	}}
	if a.Code == InvalidArgument {
		details = append(details, map[string]any{
			"@type": "type.googleapis.com/google.rpc.BadRequest",
			"fieldViolations": []any{map[string]string{
				"field": "message.token", "description": e.message,
			}},
		})
	}
	if a.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(a.RetryAfter/time.Second)))
	}
	writeStatus(w, e.status, e.canonical, e.message, details)
}

// writeStatus writes a google.rpc.Status error body.
func writeStatus(w http.ResponseWriter, code int, status, message string, details []any) {
	body := map[string]any{"code": code, "message": message, "status": status}
	if len(details) > 0 {
		body["details"] = details
	}
	writeJSON(w, code, map[string]any{"error": body})
}

// writeJSON writes v as a JSON answer with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
