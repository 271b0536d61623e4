package viber

import "strconv"

// Status is the status code Viber answers in every response body (the
// HTTP status stays 200 for these refusals).
type Status int

// Viber's status codes, from the REST Bot API's error-code table.
const (
	StatusOK                           Status = 0
	StatusInvalidURL                   Status = 1
	StatusInvalidAuthToken             Status = 2
	StatusBadData                      Status = 3
	StatusMissingData                  Status = 4
	StatusReceiverNotRegistered        Status = 5
	StatusReceiverNotSubscribed        Status = 6
	StatusPublicAccountBlocked         Status = 7
	StatusPublicAccountNotFound        Status = 8
	StatusPublicAccountSuspended       Status = 9
	StatusWebhookNotSet                Status = 10
	StatusReceiverNoSuitableDevice     Status = 11
	StatusTooManyRequests              Status = 12
	StatusAPIVersionNotSupported       Status = 13
	StatusIncompatibleWithVersion      Status = 14
	StatusPublicAccountNotAuthorized   Status = 15
	StatusInchatReplyMessageNotAllowed Status = 16
	StatusPublicAccountIsNotInline     Status = 17
	StatusNoPublicChat                 Status = 18
	StatusCannotSendBroadcast          Status = 19
	StatusBroadcastNotAllowed          Status = 20
	StatusUnsupportedCountry           Status = 21
	StatusPaymentUnsupported           Status = 22
	StatusFreeMessagesExceeded         Status = 23
	StatusNoBalance                    Status = 24
)

var statusNames = map[Status]string{
	StatusOK:                           "ok",
	StatusInvalidURL:                   "invalidUrl",
	StatusInvalidAuthToken:             "invalidAuthToken",
	StatusBadData:                      "badData",
	StatusMissingData:                  "missingData",
	StatusReceiverNotRegistered:        "receiverNotRegistered",
	StatusReceiverNotSubscribed:        "receiverNotSubscribed",
	StatusPublicAccountBlocked:         "publicAccountBlocked",
	StatusPublicAccountNotFound:        "publicAccountNotFound",
	StatusPublicAccountSuspended:       "publicAccountSuspended",
	StatusWebhookNotSet:                "webhookNotSet",
	StatusReceiverNoSuitableDevice:     "receiverNoSuitableDevice",
	StatusTooManyRequests:              "tooManyRequests",
	StatusAPIVersionNotSupported:       "apiVersionNotSupported",
	StatusIncompatibleWithVersion:      "incompatibleWithVersion",
	StatusPublicAccountNotAuthorized:   "publicAccountNotAuthorized",
	StatusInchatReplyMessageNotAllowed: "inchatReplyMessageNotAllowed",
	StatusPublicAccountIsNotInline:     "publicAccountIsNotInline",
	StatusNoPublicChat:                 "noPublicChat",
	StatusCannotSendBroadcast:          "cannotSendBroadcast",
	StatusBroadcastNotAllowed:          "broadcastNotAllowed",
	StatusUnsupportedCountry:           "unsupportedCountry",
	StatusPaymentUnsupported:           "paymentUnsupported",
	StatusFreeMessagesExceeded:         "freeMessagesExceeded",
	StatusNoBalance:                    "noBalance",
}

// String is the status's name in Viber's table ("generalError" for a code
// the table does not list).
func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return "generalError"
}

// APIError is Viber's refusal of a call: a non-zero status in the body, or
// an HTTP status other than 200. It never holds the auth token.
type APIError struct {
	// Method is the API method called ("send_message").
	Method string
	// Status is Viber's status code (0 when HTTPStatus tells the failure).
	Status Status
	// Message is Viber's status_message.
	Message string
	// HTTPStatus is the HTTP status when it was not 200 (0 otherwise).
	HTTPStatus int
}

func (e *APIError) Error() string {
	if e.HTTPStatus != 0 {
		return "viber " + e.Method + ": HTTP " + strconv.Itoa(e.HTTPStatus)
	}
	s := "viber " + e.Method + ": status " + strconv.Itoa(int(e.Status)) + " " + e.Status.String()
	if e.Message != "" && e.Message != e.Status.String() {
		s += ": " + e.Message
	}
	return s
}
