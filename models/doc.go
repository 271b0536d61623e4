// Package models holds Switchboard's domain: plain types, filters, update
// types, the store interfaces the rest of the system depends on, and the one
// application error type with its codes. It imports neither the HTTP
// framework nor the database driver; storage implements these interfaces and
// is wired in by cmd/switchboard only.
package models
