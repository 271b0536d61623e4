package telegram

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxMessageLen is the most a message's text may hold: UTF-16 code units,
// counted after entity parsing (what the user sees).
const MaxMessageLen = 4096

// MaxCaptionLen is the most a photo's or document's caption may hold.
const MaxCaptionLen = 1024

// Ellipsis ends a cut text; it is one UTF-16 code unit.
const Ellipsis = "…"

// Cut returns s when it fits in max UTF-16 code units; otherwise its
// longest prefix of whole runes that fits with an ellipsis after it.
// Invalid UTF-8 is replaced first, so what is measured is what is sent.
func Cut(s string, max int) string {
	s = Valid(s)
	if UTF16Len(s) <= max {
		return s
	}
	room := max - UTF16Len(Ellipsis)
	if room < 0 {
		return ""
	}
	used, end := 0, 0
	for i, r := range s {
		if used += utf16.RuneLen(r); used > room {
			break
		}
		end = i + utf8.RuneLen(r)
	}
	return s[:end] + Ellipsis
}

// UTF16Len is the length Telegram measures.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Valid replaces invalid UTF-8 (which Telegram refuses, and the JSON
// encoder would replace byte by byte).
func Valid(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}
