# Switchboard developer tasks.
.PHONY: run test bench lint build docker

run: ## run the server on the embedded store (./data)
	go run ./cmd/switchboard

test: ## the whole suite, as CI runs it
	go test -race -count=1 -timeout 30m ./...

bench: ## HTTP vs direct-call benchmarks, with database commands per request
	go test -run '^$$' -bench . -benchtime 3s -count 3 ./api/

lint: ## formatting and vet, as CI checks them
	@test -z "$$(gofmt -l .)" || (gofmt -l . && false)
	go vet ./...

build: ## a static binary in ./bin
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o bin/switchboard ./cmd/switchboard

docker: ## the container image
	docker build -t switchboard .
