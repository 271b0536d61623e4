package webpushfake

import (
	"encoding/json"
	"io"
	"net/http"
)

// answer writes an error answer as autopush does: a JSON body with the
// status, its text and a message.
func answer(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": status, "error": http.StatusText(status), "message": message})
}

// readFull reads r's body into buf and reports how much it read.
func readFull(r *http.Request, buf []byte) (int, error) {
	n, err := io.ReadFull(r.Body, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return n, err
}

// validTopic reports whether t is 1 to 32 characters of the URL-safe
// base64 alphabet (RFC 8030, section 5.4).
func validTopic(t string) bool {
	if t == "" || len(t) > 32 {
		return false
	}
	for _, c := range []byte(t) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
