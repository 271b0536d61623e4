package telegram

import (
	"testing"
)

func TestParseCallback(t *testing.T) {
	tests := []struct {
		data, action, id string
		ok               bool
	}{
		{"as:" + convID, ActionAssign, convID, true},
		{"cl:" + convID, ActionClose, convID, true},
		{"pa:" + convID, ActionPause, convID, true},
		{"pa:a:b", ActionPause, "a:b", true},
		{CallbackData(ActionClose, "x"), ActionClose, "x", true},
		{"as:", "", "", false},
		{"as", "", "", false},
		{"zz:" + convID, "", "", false},
		{":" + convID, "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		action, id, ok := ParseCallback(tt.data)
		if action != tt.action || id != tt.id || ok != tt.ok {
			t.Errorf("ParseCallback(%q) = %q, %q, %v", tt.data, action, id, ok)
		}
	}
}
