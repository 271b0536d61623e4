// Package switchboard holds the API contract. The Go packages of the server
// live below: models, store, auth, api and cmd/switchboard.
package switchboard

import _ "embed"

// OpenAPI is openapi.yaml, the contract served at GET /openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
