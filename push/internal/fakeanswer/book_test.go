package fakeanswer

import "testing"

func TestBook(t *testing.T) {
	var b Book[string]
	if _, ok := b.Take("k"); ok {
		t.Fatal("an empty book answered")
	}
	b.Set("k", "twice", 2)
	b.Set("always", "yes", 0)
	for i := range 2 {
		if a, ok := b.Take("k"); !ok || a != "twice" {
			t.Fatalf("use %d: %q %v", i, a, ok)
		}
	}
	if _, ok := b.Take("k"); ok {
		t.Fatal("answered a third time")
	}
	for range 5 {
		if a, ok := b.Take("always"); !ok || a != "yes" {
			t.Fatalf("until replaced: %q %v", a, ok)
		}
	}
	b.Clear("always")
	if _, ok := b.Take("always"); ok {
		t.Fatal("answered after Clear")
	}
}
