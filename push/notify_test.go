package push

import (
	"fmt"
	"testing"
)

// TestNotifyLosesNoWorkspace: however many workspaces are notified while
// the dispatcher is busy, it gets every one of them, once.
func TestNotifyLosesNoWorkspace(t *testing.T) {
	g := New(Stores{}, Config{}, nil, nil, nil)
	const n = 5000
	for i := 0; i < n; i++ {
		g.Notify(fmt.Sprintf("ws%d", i))
		g.Notify(fmt.Sprintf("ws%d", i))
	}
	got := g.takeNotified()
	seen := map[string]bool{}
	for _, ws := range got {
		seen[ws] = true
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("took %d workspaces (%d distinct), want %d", len(got), len(seen), n)
	}
	if again := g.takeNotified(); len(again) != 0 {
		t.Fatalf("took %d workspaces again", len(again))
	}
}
