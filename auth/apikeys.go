package auth

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

const apiKeyPrefix = "sbk_"

// CreateAPIKey makes a key for machine clients of the admin's workspace and
// returns its secret, which is shown this once: only a hash is stored.
// The secret has the form sbk_<key id>.<random>.
func (s *Service) CreateAPIKey(ctx context.Context, p models.Principal, name string) (*models.APIKey, string, error) {
	if err := requireAdmin(p); err != nil {
		return nil, "", err
	}
	id := models.NewID()
	secret := apiKeyPrefix + id + "." + newSecret("")
	k := &models.APIKey{ID: id, WS: p.WS, Name: name, Prefix: secret[:len(apiKeyPrefix)+8],
		Hash: hashSecret(secret), CreatedBy: p.MemberID}
	if err := s.st.APIKeys.CreateAPIKey(ctx, k); err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// APIKeys lists the workspace's keys (admins only); secrets are never returned.
func (s *Service) APIKeys(ctx context.Context, p models.Principal) ([]*models.APIKey, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return s.st.APIKeys.APIKeys(ctx, p.WS)
}

// RevokeAPIKey disables a key at once (admins only).
func (s *Service) RevokeAPIKey(ctx context.Context, p models.Principal, id string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	return s.st.APIKeys.RevokeAPIKey(ctx, p.WS, id)
}

func (s *Service) authenticateAPIKey(ctx context.Context, secret string) (models.Principal, error) {
	id, _, ok := strings.Cut(strings.TrimPrefix(secret, apiKeyPrefix), ".")
	if !ok || !models.ValidID(id) {
		return models.Principal{}, errBadToken
	}
	k, err := s.st.APIKeys.APIKey(ctx, id)
	if models.IsNotFound(err) {
		return models.Principal{}, errBadToken
	}
	if err != nil {
		return models.Principal{}, err
	}
	if k.Revoked || subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hashSecret(secret))) != 1 {
		return models.Principal{}, errBadToken
	}
	s.touchAPIKey(ctx, k)
	return models.Principal{WS: k.WS, APIKeyID: k.ID}, nil
}

// APIKey returns a key of the caller's workspace: any key to an admin, its
// own record to an API key.
func (s *Service) APIKey(ctx context.Context, p models.Principal, id string) (*models.APIKey, error) {
	if p.IsMember() {
		if err := requireAdmin(p); err != nil {
			return nil, err
		}
	} else if id != p.APIKeyID {
		return nil, models.NotFound("api key")
	}
	k, err := s.st.APIKeys.APIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.WS != p.WS {
		return nil, models.NotFound("api key")
	}
	return k, nil
}

// apiKeyTouchEvery bounds how often a key's last-use time is written: a
// write per request would double the cost of every machine call.
const apiKeyTouchEvery = time.Minute

// touchAPIKey records the use of k when its stored last use is older than
// apiKeyTouchEvery. A failure is only logged: the request goes on.
func (s *Service) touchAPIKey(ctx context.Context, k *models.APIKey) {
	now := s.now()
	if k.LastUsedAt != nil && now.Sub(*k.LastUsedAt) < apiKeyTouchEvery {
		return
	}
	if err := s.st.APIKeys.TouchAPIKey(ctx, k.ID, now); err != nil {
		slog.WarnContext(ctx, "record api key use", "api_key_id", k.ID, "error", err.Error())
	}
}
