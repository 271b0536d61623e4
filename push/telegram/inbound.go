package telegram

import (
	"strings"
)

// The actions of an alert's buttons, the prefixes of their callback data.
const (
	ActionAssign = "as" // assign the chat to me
	ActionClose  = "cl" // close the chat
	ActionPause  = "pa" // pause the chat's automation for 60 more minutes
)

// CallbackData is a button's callback data: "<action>:<conversation id>".
func CallbackData(action, conversationID string) string {
	return action + ":" + conversationID
}

// ParseCallback reads a button's callback data made by CallbackData. ok
// is false for an unknown action or an empty conversation id.
func ParseCallback(data string) (action, conversationID string, ok bool) {
	action, conversationID, found := strings.Cut(data, ":")
	if !found || conversationID == "" {
		return "", "", false
	}
	switch action {
	case ActionAssign, ActionClose, ActionPause:
		return action, conversationID, true
	}
	return "", "", false
}
