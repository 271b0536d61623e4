package models

// Principal is the authenticated caller of a request: a member (through an
// access token) or a machine client (through an API key). WS scopes every
// query made on its behalf.
type Principal struct {
	WS        string
	MemberID  string // empty for API keys
	Role      Role   // the member's current role; RoleAdmin-free for API keys
	SessionID string // the session of the access token
	APIKeyID  string // set for API keys
}

// IsMember reports whether the caller is a person rather than an API key.
func (p Principal) IsMember() bool { return p.MemberID != "" }
