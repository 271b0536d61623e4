package fcm

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
)

// TestFakeChecksRequests shows the fake refuses what FCM refuses, so the
// sender's tests would catch a broken request.
func TestFakeChecksRequests(t *testing.T) {
	fake := fcmfake.New(t)
	sa := fake.ServiceAccountJSON("demo")
	ctx := context.Background()

	// A token for a scope that does not cover FCM is refused.
	narrow, err := google.JWTConfigFromJSON(sa, "https://www.googleapis.com/auth/userinfo.email")
	if err != nil {
		t.Fatal(err)
	}
	var re *oauth2.RetrieveError
	if _, err := narrow.TokenSource(ctx).Token(); !errors.As(err, &re) || re.Response.StatusCode != 400 ||
		!strings.Contains(string(re.Body), "invalid_grant") {
		t.Fatalf("token for a narrow scope: %v", err)
	}
	conf, err := google.JWTConfigFromJSON(sa, scopeMessaging)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := conf.TokenSource(ctx).Token()
	if err != nil {
		t.Fatal(err)
	}

	send := func(project, bearer, body string) int {
		req, _ := http.NewRequest(http.MethodPost, fake.URL()+"/projects/"+project+"/messages:send", strings.NewReader(body))
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	ok := `{"message":{"token":"t1","data":{"badge":"1"}}}`
	tests := []struct {
		name, project, bearer, body string
		want                        int
	}{
		{"good", "demo", tok.AccessToken, ok, 200},
		{"no token", "demo", "", ok, 401},
		{"unknown token", "demo", "ya29.made-up", ok, 401},
		{"other project", "other", tok.AccessToken, ok, 403},
		{"not JSON", "demo", tok.AccessToken, `{"message":`, 400},
		{"unknown field", "demo", tok.AccessToken, `{"message":{"token":"t1","colour":"red"}}`, 400},
		{"no registration token", "demo", tok.AccessToken, `{"message":{"topic":"news"}}`, 400},
		{"data not strings", "demo", tok.AccessToken, `{"message":{"token":"t1","data":{"badge":1}}}`, 400},
		{"bad ttl", "demo", tok.AccessToken, `{"message":{"token":"t1","android":{"ttl":"1h"}}}`, 400},
		{"too big", "demo", tok.AccessToken, `{"message":{"token":"t1","data":{"x":"` + strings.Repeat("x", fcmfake.MaxMessage) + `"}}}`, 400},
	}
	for _, tc := range tests {
		if got := send(tc.project, tc.bearer, tc.body); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := len(fake.Messages()); n != 1 {
		t.Errorf("fake accepted %d messages, want 1", n)
	}
}
