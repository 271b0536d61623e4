package models

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ChatListCursor is the position after a chat in a list ordered by
// activity then id, opaque to clients; both stores make and read it.
func ChatListCursor(activity time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(activity.UnixNano(), 10) + "|" + id))
}

// ParseChatListCursor reads what ChatListCursor made: an error for
// anything else, so a forged position is refused, not paged.
func ParseChatListCursor(s string) (time.Time, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", err
	}
	ns, id, ok := strings.Cut(string(raw), "|")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || !ValidID(id) {
		return time.Time{}, "", errors.New("bad cursor")
	}
	return time.Unix(0, n).UTC(), id, nil
}
