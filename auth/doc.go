// Package auth holds the team and identity rules: login with rate limits,
// short-lived access tokens with rotating refresh tokens, API keys for
// machine clients, and member management by admins. It depends only on the
// store interfaces of package models.
package auth
