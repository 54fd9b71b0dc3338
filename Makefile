# hookcheck: every target a developer or CI needs. `make help` lists them.
SHELL       := /bin/bash
.SHELLFLAGS := -eo pipefail -c
GO        ?= go
BIN       := bin/hookcheck
PKGS      := ./...
BENCHTIME ?= 1x

.PHONY: help build test test-race bench demo lint fmt clean mutants run test-target capture-flood

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# A release stamps its version: `make build VERSION=0.2.0` passes
# -ldflags "-X github.com/hookcheck/hookcheck.releaseVersion=0.2.0".
# Without it, `hookcheck version` reads the module's build info (the
# version `go install` fetched, or "(devel)" plus the commit in a checkout).
VERSION ?=
build: ## build bin/hookcheck (VERSION=x.y.z stamps a release version)
	$(GO) build $(if $(VERSION),-ldflags "-X github.com/hookcheck/hookcheck.releaseVersion=$(VERSION)") -o $(BIN) ./cmd/hookcheck

test: ## run every test (unit, fidelity suite, CLI); fast, no real-time waits
	$(GO) test -count=1 $(PKGS)

test-race: ## run every test with the race detector
	$(GO) test -count=1 -race $(PKGS)

bench: ## run the benchmarks (figures in BENCHMARKS.md)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

demo: build ## deliver to a reference receiver that fails 3 times, then succeeds
	@set -e; \
	$(BIN) receiver --listen 127.0.0.1:18080 --behaviour fail-first & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT; sleep 0.5; \
	$(BIN) send --target 'http://127.0.0.1:18080/webhook?customer_id=1234' --fast || true

run: ## the main job: check the built-in receiver (or TARGET=URL) and write hookcheck-report/
	$(GO) run ./cmd/hookcheck run $(if $(TARGET),--target "$(TARGET)")

test-target: ## run the suite against HOOKCHECK_TARGET=URL (auth value from HOOKCHECK_AUTH_HEADER_VALUE)
	@test -n "$(HOOKCHECK_TARGET)" || { echo "set HOOKCHECK_TARGET=URL"; exit 2; }
	$(GO) run ./cmd/hookcheck run --target "$(HOOKCHECK_TARGET)" --fast $(HOOKCHECK_ARGS)

# golangci-lint, pinned; installed into bin/ with `go install` on first use.
GOLANGCI_VERSION := v2.15.0
GOLANGCI         := bin/golangci-lint-$(GOLANGCI_VERSION)

$(GOLANGCI):
	@mkdir -p bin
	GOFLAGS= GOBIN=$(CURDIR)/bin/.tools $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	mv bin/.tools/golangci-lint $@ && rmdir bin/.tools

lint: $(GOLANGCI) ## golangci-lint (.golangci.yml: vet, staticcheck, errcheck, gosec, revive, ...) and go vet with the mutants tag
	$(GOLANGCI) run $(PKGS)
	$(GO) vet -tags mutants ./features/

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build output and reports
	rm -rf bin hookcheck-report

-include timing.mk
-include report.mk

mutants: ## break each rule in the engine's source; its fidelity scenarios must fail
	$(GO) test -count=1 -tags mutants -run TestMutantsAreCaught -v ./features/ | grep -E '^(=== RUN|--- |\s+mutants_test|ok|FAIL|PASS)'

FLOOD_ARGS ?= -n 5000 -body 1048576 -concurrency 64
capture-flood: build ## flood `hookcheck capture` on loopback (FLOOD_ARGS): peak RSS, no acknowledged request lost
	$(GO) run ./simulator/capture/internal/flood -bin $(BIN) $(FLOOD_ARGS)
