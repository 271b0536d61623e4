package telegram

import (
	"strings"
	"testing"
)

func TestVerifySecret(t *testing.T) {
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"s3cret", "s3cret", true},
		{"s3cret", "s3creT", false},
		{"s3cre", "s3cret", false},
		{"", "s3cret", false},
		{"", "", false}, // no secret configured: nothing verifies
		{"anything", "", false},
	}
	for _, tt := range tests {
		if ok := VerifySecret(tt.got, tt.want); ok != tt.ok {
			t.Errorf("VerifySecret(%q, %q) = %v", tt.got, tt.want, ok)
		}
	}
}

func TestParseStart(t *testing.T) {
	code := "AbC-12_xyzAbC-12_xyzAbCd"
	tests := []struct {
		text, code string
		ok         bool
	}{
		{"/start " + code, code, true},
		{"/start@Switchboard_Alerts_bot " + code, code, true},
		{"  /start\t" + code + "\n", code, true},
		{"/start", "", false},
		{"/start@Switchboard_bot", "", false},
		{"/start@ " + code, "", false},
		{"/start@a@b " + code, "", false},
		{"/start " + code + " extra", "", false},
		{"/starts " + code, "", false},
		{"/START " + code, "", false},
		{"start " + code, "", false},
		{"/start bad!code", "", false},
		{"/start " + strings.Repeat("a", 64), strings.Repeat("a", 64), true},
		{"/start " + strings.Repeat("a", 65), "", false},
		{"/help", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		code, ok := ParseStart(tt.text)
		if code != tt.code || ok != tt.ok {
			t.Errorf("ParseStart(%q) = %q, %v; want %q, %v", tt.text, code, ok, tt.code, tt.ok)
		}
	}
}
