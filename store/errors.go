package store

import "github.com/switchboardhq/switchboard/models"

func notFound(kind string) error { return models.NotFound(kind) }

func conflict(kind string) error {
	return models.Errorf(models.CodeConflict, "%s already exists", kind)
}

func internal(err error) error { return models.Internal(err) }
