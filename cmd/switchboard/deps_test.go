package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryLeavesTestStandInsOut: the shipped binary links neither
// FerretDB (the MongoDB stand-in of the tests) nor any test fake.
func TestBinaryLeavesTestStandInsOut(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "FerretDB") || strings.Contains(pkg, "/internal/fakes/") || strings.HasSuffix(pkg, "fake") {
			t.Errorf("the binary links %s", pkg)
		}
	}
}
