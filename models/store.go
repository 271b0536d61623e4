package models

import "context"

// Store is every store interface the server uses, as one engine provides
// them: the embedded SQLite store (store/sqlite) or the MongoDB store
// (store). Both pass the shared suite of store/conformance.
type Store interface {
	WorkspaceStore
	MemberStore
	SessionStore
	APIKeyStore
	SettingStore
	NoteStore
	ProcessedEventStore
	CRMStore
	FlowStore
	BotStore
	SubscriberStore
	ConversationStore
	MessageStore
	StatsStore
	FileStore
	SyncStore
	DeviceStore
	AlertStore
	PushStateStore
	JobStore
	UpdateStore
	// OnChange sets the function called after a write of workspace ws
	// commits in this process: it wakes waiting pulls and the push
	// gateway. Set it once, before serving.
	OnChange(f func(ws string))
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
}

// Atomic is offered by a store whose writes can share one transaction
// (the embedded SQLite store; not the MongoDB store, which has no
// multi-document transactions).
type Atomic interface {
	// Atomically runs fn so that every write made through the context fn
	// is given commits together, or none does, and reads through it see
	// those writes. fn must not use the store through another context.
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error
}
