package auth

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// Config holds the auth settings.
type Config struct {
	// SigningKey signs access tokens (HS256); at least 32 bytes.
	SigningKey      []byte
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	InviteTTL       time.Duration
	// LoginAttempts is how many login attempts one client address may make
	// at one email per LoginWindow (and a trusted device at its email); one
	// address may make ten times as many at any emails (and as many again
	// with device tokens), and untrusted clients together five times as
	// many at one email (see loginLimits).
	LoginAttempts int
	LoginWindow   time.Duration
	Password      PasswordParams
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Stores are the persistence interfaces the service needs.
type Stores struct {
	Workspaces models.WorkspaceStore
	Members    models.MemberStore
	Sessions   models.SessionStore
	APIKeys    models.APIKeyStore
}

// Service implements login, tokens, API keys and member management.
type Service struct {
	st      Stores
	cfg     Config
	hasher  *Hasher
	signer  *signer
	limits  *loginLimits
	devices *deviceSigner
	now     func() time.Time
}

// New returns a service; it fails on a short signing key.
func New(st Stores, cfg Config) (*Service, error) {
	if len(cfg.SigningKey) < 32 {
		return nil, models.Errorf(models.CodeInvalid, "token signing key must be at least 32 bytes")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AccessTokenTTL <= 0 {
		cfg.AccessTokenTTL = 15 * time.Minute
	}
	if cfg.RefreshTokenTTL <= 0 {
		cfg.RefreshTokenTTL = 30 * 24 * time.Hour
	}
	if cfg.InviteTTL <= 0 {
		cfg.InviteTTL = 7 * 24 * time.Hour
	}
	if cfg.LoginAttempts <= 0 {
		cfg.LoginAttempts = 10
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.Password == (PasswordParams{}) {
		cfg.Password = DefaultPasswordParams
	}
	h, err := NewHasher(cfg.Password)
	if err != nil {
		return nil, err
	}
	return &Service{
		st:      st,
		cfg:     cfg,
		hasher:  h,
		signer:  &signer{key: cfg.SigningKey, ttl: cfg.AccessTokenTTL, now: cfg.Now},
		limits:  newLoginLimits(cfg.LoginAttempts, cfg.LoginWindow, cfg.Now),
		devices: newDeviceSigner(cfg.SigningKey, cfg.Now),
		now:     cfg.Now,
	}, nil
}

// Tokens is what a successful login or refresh returns.
type Tokens struct {
	AccessToken      string
	AccessExpiresIn  time.Duration
	AccessExpiresAt  time.Time
	RefreshToken     string
	RefreshExpiresAt time.Time
	Member           *models.Member
	Workspace        *models.Workspace
	// DeviceToken, set by a login or an accepted invite, lets the client
	// log in again as this email on a budget of its own (see Login).
	DeviceToken string
	// OtherWorkspaces, set by a login without a workspace, are the other
	// workspaces where this email has an account with the same password,
	// oldest first; log in with one of their IDs to open one of them.
	OtherWorkspaces []*models.Workspace
}

var errBadCredentials = models.Errorf(models.CodeUnauthorized, "invalid email or password")

// NormalizeEmail trims and lower-cases an email address.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// LoginAttempt is one login request.
type LoginAttempt struct {
	Email, Password string
	// Workspace, when set, picks the account of that workspace: an email
	// may be a member of several workspaces, each account with its own
	// password. When empty, the oldest account the password opens is used.
	Workspace string
	// DeviceToken is the token a previous successful login as Email gave
	// this client; empty, expired, forged, another email's or another
	// Workspace's counts as none. A valid one makes the login try only the
	// account it was issued for, on the token's own budget.
	DeviceToken string
	// ClientAddr is the client's address (the proxy's X-Forwarded-For
	// entry when the proxy is trusted); UserAgent is kept with the session.
	ClientAddr, UserAgent string
}

// Login checks email and password and opens a session: of the account in
// in.Workspace when set, else of the oldest account the password opens
// (the other workspaces it opens are listed in OtherWorkspaces). Unknown
// emails, wrong passwords and accounts that may not log in get the same
// answer after the same work, whether the email has accounts in no, one or
// several workspaces. Attempts are limited (rate_limited, with the wait)
// per client address and email, per address, and per email for clients
// without a device token; a client with one tries only the token's account
// and spends from the token's budget and its address's budget for such
// logins only, so strangers cannot lock the owner out of a device that
// logged in before. A successful login returns
// a new device token.
func (s *Service) Login(ctx context.Context, in LoginAttempt) (*Tokens, error) {
	email := NormalizeEmail(in.Email)
	workspace := in.Workspace
	device, deviceWS, trusted := s.devices.check(in.DeviceToken, email)
	if trusted && (workspace == "" || workspace == deviceWS) {
		workspace = deviceWS // the token vouches for its account only
	} else {
		device = ""
	}
	if err := s.limits.allow(email, in.ClientAddr, device); err != nil {
		slog.InfoContext(ctx, "login refused", "reason", "rate limited", "trusted_device", device != "")
		return nil, err
	}
	accounts, err := s.st.Members.MembersByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	var candidates []*models.Member
	var hashes []string
	for _, m := range accounts {
		if m.Status == models.MemberActive && (workspace == "" || m.WS == workspace) {
			candidates, hashes = append(candidates, m), append(hashes, m.PasswordHash)
		}
	}
	// One argon2id computation whatever the number of accounts: the
	// accounts of an email share their salt (see hashFor).
	var opened []*models.Member
	for i, ok := range s.hasher.VerifyEach(in.Password, hashes) {
		if ok {
			opened = append(opened, candidates[i])
		}
	}
	if len(opened) == 0 {
		slog.InfoContext(ctx, "login refused", "reason", "bad credentials")
		return nil, errBadCredentials
	}
	t, err := s.openSession(ctx, opened[0], in.UserAgent)
	if err != nil {
		return nil, err
	}
	for _, m := range opened[1:] {
		ws, err := s.st.Workspaces.Workspace(ctx, m.WS)
		if err != nil {
			return nil, err
		}
		t.OtherWorkspaces = append(t.OtherWorkspaces, ws)
	}
	return t, nil
}

// hashFor hashes password for an account of email with the cost and salt
// of the email's other accounts, if any, so that a login checks all of
// them with one argon2id computation: the work of a login then does not
// depend on whether the email has accounts in other workspaces.
func (s *Service) hashFor(ctx context.Context, email, password string) (string, error) {
	accounts, err := s.st.Members.MembersByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	sibling := ""
	for _, m := range accounts {
		if m.PasswordHash != "" {
			sibling = m.PasswordHash
			break
		}
	}
	hash, err := s.hasher.HashLike(password, sibling)
	if err != nil {
		return "", models.Internal(err)
	}
	return hash, nil
}

func (s *Service) openSession(ctx context.Context, m *models.Member, userAgent string) (*Tokens, error) {
	now := s.now().UTC()
	sess := &models.Session{ID: models.NewID(), WS: m.WS, MemberID: m.ID, CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.RefreshTokenTTL), UserAgent: truncate(userAgent, 256)}
	refresh := newSecret("sbr_")
	first := &models.RefreshToken{Hash: hashSecret(refresh), SessionID: sess.ID, CreatedAt: now, ExpiresAt: sess.ExpiresAt}
	if err := s.st.Sessions.CreateSession(ctx, sess, first); err != nil {
		return nil, err
	}
	t, err := s.tokens(ctx, m, sess, refresh)
	if err != nil {
		return nil, err
	}
	t.DeviceToken = s.devices.issue(m.Email, m.WS)
	return t, nil
}

func (s *Service) tokens(ctx context.Context, m *models.Member, sess *models.Session, refresh string) (*Tokens, error) {
	access, exp, err := s.signer.issue(m.WS, m.ID, sess.ID)
	if err != nil {
		return nil, models.Internal(err)
	}
	ws, err := s.st.Workspaces.Workspace(ctx, m.WS)
	if err != nil {
		return nil, err
	}
	return &Tokens{AccessToken: access, AccessExpiresIn: s.cfg.AccessTokenTTL, AccessExpiresAt: exp, RefreshToken: refresh,
		RefreshExpiresAt: sess.ExpiresAt, Member: m, Workspace: ws}, nil
}

var errBadRefresh = models.Errorf(models.CodeUnauthorized, "refresh token is invalid, expired or revoked")

// RefreshRetryGrace is how long after its first use a refresh token may be
// presented again without counting as theft: a phone that lost the answer
// to its refresh retries with the same token and stays logged in.
const RefreshRetryGrace = 30 * time.Second

// Refresh exchanges a refresh token for new tokens. Each refresh token works
// once; presenting a used one again is treated as theft and revokes the whole
// session (every token of the family).
func (s *Service) Refresh(ctx context.Context, refresh string) (*Tokens, error) {
	if !strings.HasPrefix(refresh, "sbr_") {
		return nil, errBadRefresh
	}
	t, err := s.st.Sessions.UseRefreshToken(ctx, hashSecret(refresh))
	switch models.ErrorCode(err) {
	case "":
	case models.CodeConflict:
		if s.now().Sub(t.UsedAt) < RefreshRetryGrace {
			// A client retrying after a lost response: issue another
			// successor in the same session rather than logging it out.
			break
		}
		slog.WarnContext(ctx, "refresh token reused; session revoked", "session_id", t.SessionID)
		if err := s.st.Sessions.RevokeSession(ctx, t.SessionID); err != nil {
			return nil, err
		}
		return nil, errBadRefresh
	case models.CodeNotFound:
		return nil, errBadRefresh
	default:
		return nil, err
	}
	now := s.now()
	sess, err := s.st.Sessions.Session(ctx, t.SessionID)
	if err != nil {
		if models.IsNotFound(err) {
			return nil, errBadRefresh
		}
		return nil, err
	}
	if sess.Revoked || now.After(sess.ExpiresAt) || now.After(t.ExpiresAt) {
		return nil, errBadRefresh
	}
	m, err := s.st.Members.Member(ctx, sess.WS, sess.MemberID)
	if err != nil || m.Status != models.MemberActive {
		if err == nil || models.IsNotFound(err) {
			return nil, errBadRefresh
		}
		return nil, err
	}
	next := newSecret("sbr_")
	if err := s.st.Sessions.AddRefreshToken(ctx, &models.RefreshToken{Hash: hashSecret(next), SessionID: sess.ID,
		CreatedAt: now.UTC(), ExpiresAt: sess.ExpiresAt}); err != nil {
		return nil, err
	}
	return s.tokens(ctx, m, sess, next)
}

// Logout revokes the session of a refresh token. Unknown tokens are ignored
// so that logging out twice is harmless.
func (s *Service) Logout(ctx context.Context, refresh string) error {
	t, err := s.st.Sessions.UseRefreshToken(ctx, hashSecret(refresh))
	switch models.ErrorCode(err) {
	case "", models.CodeConflict:
		return s.st.Sessions.RevokeSession(ctx, t.SessionID)
	case models.CodeNotFound:
		return nil
	default:
		return err
	}
}

var errBadToken = models.Errorf(models.CodeUnauthorized, "missing, invalid or expired credentials")

// Authenticate resolves a bearer credential (access token or API key) to
// the caller. The member and the session are read on every call, so that
// deactivation, role changes and logout apply at once.
func (s *Service) Authenticate(ctx context.Context, credential string) (models.Principal, *models.Member, error) {
	if strings.HasPrefix(credential, apiKeyPrefix) {
		p, err := s.authenticateAPIKey(ctx, credential)
		return p, nil, err
	}
	c, err := s.signer.parse(credential)
	if err != nil {
		return models.Principal{}, nil, errBadToken
	}
	m, err := s.st.Members.Member(ctx, c.WS, c.Subject)
	if err != nil {
		if models.IsNotFound(err) {
			return models.Principal{}, nil, errBadToken
		}
		return models.Principal{}, nil, err
	}
	if m.Status != models.MemberActive {
		return models.Principal{}, nil, errBadToken
	}
	sess, err := s.st.Sessions.Session(ctx, c.SID)
	if err != nil {
		if models.IsNotFound(err) {
			return models.Principal{}, nil, errBadToken
		}
		return models.Principal{}, nil, err
	}
	if sess.Revoked || sess.MemberID != m.ID || !s.now().Before(sess.ExpiresAt) {
		return models.Principal{}, nil, errBadToken
	}
	return models.Principal{WS: m.WS, MemberID: m.ID, Role: m.Role, SessionID: c.SID}, m, nil
}

// ChangePassword sets a new password after checking the current one,
// clears the one-time-password flag and ends the member's other sessions.
func (s *Service) ChangePassword(ctx context.Context, p models.Principal, current, next string) error {
	if !p.IsMember() {
		return models.Errorf(models.CodeForbidden, "API keys have no password")
	}
	m, err := s.st.Members.Member(ctx, p.WS, p.MemberID)
	if err != nil {
		return err
	}
	if !s.hasher.Verify(current, m.PasswordHash) {
		return models.Invalid("current password is wrong", models.FieldError{Field: "current_password", Message: "does not match"})
	}
	hash, err := s.hashFor(ctx, m.Email, next)
	if err != nil {
		return err
	}
	no := false
	if _, err = s.st.Members.UpdateMember(ctx, p.WS, p.MemberID, models.MemberUpdate{PasswordHash: &hash, PasswordChangeRequired: &no}); err != nil {
		return err
	}
	return s.st.Sessions.RevokeMemberSessions(ctx, p.WS, p.MemberID, p.SessionID)
}

// addrKey groups IPv6 clients by /64, the block one subscriber usually
// holds, so that rotating addresses within it does not dodge the limit.
func addrKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Is4() || ip.Is4In6() {
		return addr
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
