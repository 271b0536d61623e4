package telegram

import (
	"crypto/subtle"
	"regexp"
	"strings"
)

// SecretHeader carries setWebhook's secret_token on every webhook call.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// VerifySecret reports whether the secret header got equals want, in
// constant time; it is false whenever want is empty.
func VerifySecret(got, want string) bool {
	if want == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// startPayload is what a deep link may carry: 1-64 of A-Z, a-z, 0-9, _ and -.
var startPayload = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// botName is the bot username a command may be addressed to ("@BotName").
var botName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

// ParseStart reads a deep link's "/start <code>" (or "/start@BotName
// <code>"). ok is false for any other text, "/start" alone included, and
// for a code a deep link cannot carry.
func ParseStart(text string) (code string, ok bool) {
	f := strings.Fields(text)
	if len(f) != 2 {
		return "", false
	}
	cmd, bot, addressed := strings.Cut(f[0], "@")
	if cmd != "/start" || (addressed && !botName.MatchString(bot)) {
		return "", false
	}
	if !startPayload.MatchString(f[1]) {
		return "", false
	}
	return f[1], true
}
