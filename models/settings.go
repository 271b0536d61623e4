package models

import "context"

// SettingStore keeps small installation-wide values shared by every
// instance, such as the generated token-signing secret.
type SettingStore interface {
	// EnsureSetting stores value under key unless a value exists, and returns
	// the stored value: concurrent callers all get the first writer's value.
	EnsureSetting(ctx context.Context, key, value string) (string, error)
}
