package telegramfake

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// maxMessageLen is Telegram's limit on a message's text, in UTF-16 code
// units after entity parsing.
const maxMessageLen = 4096

// htmlTags are the tags of the HTML parse mode.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
	"tg-time": true,
}

// plainText is what the user sees of text in parse mode mode.
func plainText(text, mode string) (string, error) {
	switch mode {
	case "":
		return text, nil
	case "HTML":
		return parseHTML(text)
	case "Markdown", "MarkdownV2":
		return text, nil // not parsed by the fake; counted as sent
	}
	return "", fmt.Errorf("unsupported parse_mode %q", mode)
}

// parseHTML strips the tags of Telegram's HTML mode and decodes its
// entities, failing as Telegram does on an unknown or unbalanced tag. Like
// Telegram, it leaves an "&" that starts no entity as it is.
func parseHTML(s string) (string, error) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("can't parse entities: Unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				name = strings.TrimSpace(name)
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("can't parse entities: Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top(open), name)
				}
				open = open[:len(open)-1]
			} else {
				name, _, _ := strings.Cut(tag, " ")
				if !htmlTags[name] {
					return "", fmt.Errorf("can't parse entities: Unsupported start tag %q at byte offset %d", name, i)
				}
				open = append(open, name)
			}
			i += end + 1
		case '&':
			r, n := htmlEntity(s[i:])
			if n == 0 {
				out.WriteByte('&')
				i++
				continue
			}
			out.WriteString(r)
			i += n
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't parse entities: Can't find end tag corresponding to start tag \"%s\"", open[len(open)-1])
	}
	return out.String(), nil
}

func top(open []string) string {
	if len(open) == 0 {
		return ""
	}
	return open[len(open)-1]
}

// htmlEntity decodes the entity at the start of s: the named ones Telegram
// supports and numeric ones. n is 0 when s starts no entity.
func htmlEntity(s string) (string, int) {
	semi := strings.IndexByte(s, ';')
	if semi < 2 || semi > 10 {
		return "", 0
	}
	name := s[1:semi]
	switch name {
	case "lt":
		return "<", semi + 1
	case "gt":
		return ">", semi + 1
	case "amp":
		return "&", semi + 1
	case "quot":
		return `"`, semi + 1
	}
	if num, ok := strings.CutPrefix(name, "#"); ok {
		base := 10
		if h, ok := strings.CutPrefix(num, "x"); ok {
			num, base = h, 16
		}
		if v, err := strconv.ParseUint(num, base, 32); err == nil && v > 0 && v <= 0x10FFFF {
			return string(rune(v)), semi + 1
		}
	}
	return "", 0
}

// utf16Len is the length Telegram measures: UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
