package inbox

import (
	"strings"
	"unicode"
)

// fallbackFileName names a file whose given name has nothing usable left.
const fallbackFileName = "file"

// CleanFileName turns the name a client gave an upload into a safe base
// name: only what follows the last '/' or '\' is kept; control characters
// (NUL, CR, LF, ...) and bidirectional overrides (which can disguise an
// extension) are removed; invalid UTF-8 becomes U+FFFD (the API refuses such a name before, with a 400 naming file); leading spaces and
// trailing spaces and dots are trimmed; and a name left empty or made only
// of dots ("", ".", "..") becomes "file". The result never names a directory or another path.
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || isBidiControl(r) {
			return -1
		}
		return r
	}, name)
	// Windows drops trailing dots and spaces when saving, which would turn
	// "setup.exe." into an executable the extension check did not see.
	name = strings.TrimRight(strings.TrimSpace(name), ". ")
	if strings.Trim(name, ".") == "" {
		return fallbackFileName
	}
	return name
}

// isBidiControl reports the invisible characters that reorder text, such as
// U+202E, which shows "photo\u202Egnp.exe" as "photoexe.png".
func isBidiControl(r rune) bool {
	switch {
	case r == '\u061C', r == '\u200E', r == '\u200F':
		return true
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}
