package store

import (
	"context"
	"errors"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

func notFound(kind string) error { return models.NotFound(kind) }

func conflict(kind string) error {
	return models.Errorf(models.CodeConflict, "%s already exists", kind)
}

// internal maps an unexpected driver error: an unreachable server is
// CodeUnavailable (503, retry), anything else CodeInternal.
func internal(err error) error {
	if mongo.IsTimeout(err) || mongo.IsNetworkError(err) || errors.Is(err, mongo.ErrClientDisconnected) ||
		errors.Is(err, context.DeadlineExceeded) {
		// Also a burst that waited too long for a pooled connection.
		return &models.Error{Code: models.CodeUnavailable, Message: "the database is busy or not reachable; try again shortly",
			Cause: err, RetryAfter: 1}
	}
	return models.Internal(err)
}

func isNotFound(err error) bool { return models.IsNotFound(err) }

func isDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }
