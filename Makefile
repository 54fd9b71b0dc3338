# hookcheck: every target a developer or CI needs. `make help` lists them.
SHELL       := /bin/bash
.SHELLFLAGS := -eo pipefail -c
GO        ?= go
BIN       := bin/hookcheck
PKGS      := ./...
BENCHTIME ?= 1x
FUZZTIME  ?= 10s

.PHONY: load-sweep load-memory verdict-stability help build build-static image image-deps release-check test test-race bench fuzz demo lint fmt clean mutants run test-target capture-flood test-browser inspector-screenshot bench-browser

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# A release stamps its version: `make build VERSION=0.2.0` passes
# -ldflags "-X github.com/hookcheck/hookcheck.releaseVersion=0.2.0".
# Without it, `hookcheck version` reads the module's build info (the
# version `go install` fetched, or "(devel)" plus the commit in a checkout).
VERSION ?=
build: ## build bin/hookcheck (VERSION=x.y.z stamps a release version)
	$(GO) build $(if $(VERSION),-ldflags "-X github.com/hookcheck/hookcheck.releaseVersion=$(VERSION)") -o $(BIN) ./cmd/hookcheck

# The release binary: static, -trimpath, stripped, version stamped; what
# goreleaser builds for each platform and what the image holds.
STATIC_BIN := bin/image/hookcheck
LDFLAGS    := -s -w $(if $(VERSION),-X github.com/hookcheck/hookcheck.releaseVersion=$(VERSION))
build-static: ## build the static release binary bin/image/hookcheck (CGO_ENABLED=0, -trimpath, VERSION stamped)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(STATIC_BIN) ./cmd/hookcheck

# The release image, built as goreleaser's docker step does: Dockerfile.release
# around the binary already built, FROM scratch, so no base image is pulled.
# buildah's vfs driver works without privileges or overlay support.
IMAGE   ?= hookcheck:$(or $(VERSION),dev)
BUILDAH := buildah --storage-driver vfs
image: build-static ## build the release image IMAGE with buildah (FROM scratch) and check it (entrypoint, user, labels, size)
	@command -v buildah >/dev/null || { echo "buildah not installed: run 'make image-deps'"; exit 2; }
	cp /etc/ssl/certs/ca-certificates.crt bin/image/
	$(BUILDAH) build --quiet -f Dockerfile.release -t $(IMAGE) \
	    --build-arg VERSION=$(or $(VERSION),dev) \
	    --build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null) \
	    --build-arg CREATED=$$(date -u +%Y-%m-%dT%H:%M:%SZ) bin/image
	HOOKCHECK_IMAGE=$(IMAGE) $(GO) test -count=1 -run TestReleaseImage -v ./internal/packaging/ | grep -E '^(---|ok|FAIL|\s+image_test)'

# goreleaser, pinned (v2.15.1); installed into bin/ with `go install` on first
# use. A large build (several minutes), so it is not part of make lint or CI.
GORELEASER_VERSION := v2.15.1
GORELEASER         := bin/goreleaser-$(GORELEASER_VERSION)

$(GORELEASER):
	@mkdir -p bin
	GOFLAGS= GOBIN=$(CURDIR)/bin/.tools $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)
	mv bin/.tools/goreleaser $@ && rmdir bin/.tools

release-check: $(GORELEASER) ## goreleaser check: validate .goreleaser.yaml
	$(GORELEASER) check

image-deps: ## install buildah (Debian) for make image
	apt-get install -y buildah

test: ## run every test (unit, fidelity suite, CLI); fast, no real-time waits
	$(GO) test -count=1 $(PKGS)

test-browser: ## drive Debian's Chromium through the live inspector (needs /usr/bin/chromium or HOOKCHECK_CHROMIUM)
	$(GO) test -count=1 -tags browser -run Browser -v ./simulator/inspect/ ./cmd/hookcheck/ | grep -E '^(=== RUN|--- |\s+[a-z_]+_test.go|ok|FAIL|PASS)'

bench-browser: ## the live inspector's figures in BENCHMARKS.md: delivery to row, 10,000 deliveries, page weight, memory (needs Chromium)
	HOOKCHECK_BROWSER_BENCH=1 $(GO) test -count=1 -tags browser -run 'TestBrowserBenchmarks|TestMemory' -v ./simulator/inspect/ | grep -E '(_test.go|^--- |^ok|^FAIL)'

inspector-screenshot: ## write docs/inspector.png, the live inspector in Chromium (as test-browser)
	HOOKCHECK_SCREENSHOT=$(CURDIR)/docs/inspector.png $(GO) test -count=1 -tags browser -run TestBrowserInspector ./simulator/inspect/

# Real time, loopback only: RUNS (default 10) runs of `run --api --fast`
# against a reference receiver (BEHAVIOUR, default single-thread-fetch)
# must give the same verdict; figures in BENCHMARKS.md.
verdict-stability: ## RUNS real-time runs against one receiver give one verdict (BEHAVIOUR=single-thread-fetch; PROVIDER=stripe BEHAVIOUR=stripe-no-dedup)
	RUNS=$(or $(RUNS),10) BEHAVIOUR=$(or $(BEHAVIOUR),single-thread-fetch) PROVIDER=$(PROVIDER) GO=$(GO) scripts/verdict-stability.sh

test-race: ## run every test with the race detector
	$(GO) test -count=1 -race $(PKGS)

bench: ## run the benchmarks (figures in BENCHMARKS.md)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS)

# Go runs one fuzz target per invocation: find every `func FuzzX` in the
# test files and run each for FUZZTIME. Their seed corpora live in each
# package's testdata/fuzz/FuzzX (checked in; a failing input Go finds is
# written there too, and then replays in every `make test`).
# A target that ends in "context deadline exceeded" with no crasher written
# is Go 1.26's fuzz coordinator racing its own -fuzztime deadline
# (go.dev/issue/75804, fixed in Go 1.27), not a finding: it is reported and
# the run goes on; any other failure, or a new file in testdata/fuzz, fails.
fuzz: ## run every fuzz target for FUZZTIME each (default 10s), e.g. make fuzz FUZZTIME=1m
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			d=$$(dirname $$f); echo "== $$t in $$d for $(FUZZTIME)"; \
			before=$$( (ls $$d/testdata/fuzz/$$t 2>/dev/null || true) | wc -l); \
			if ! $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$d 2>&1 | tee .fuzz.log; then \
				after=$$( (ls $$d/testdata/fuzz/$$t 2>/dev/null || true) | wc -l); \
				if grep -q 'context deadline exceeded' .fuzz.log && [ "$$after" = "$$before" ]; then \
					echo "== $$t: Go's fuzz deadline race (go.dev/issue/75804), no crasher written: not a finding"; \
				else rm -f .fuzz.log; exit 1; fi; \
			fi; \
		done; \
	done; rm -f .fuzz.log

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

# actionlint, pinned, installed the same way: it checks the workflows in
# .github/workflows and, through the one that uses `./`, action.yml's inputs
# and outputs.
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT         := bin/actionlint-$(ACTIONLINT_VERSION)

$(ACTIONLINT):
	@mkdir -p bin
	GOFLAGS= GOBIN=$(CURDIR)/bin/.tools $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	mv bin/.tools/actionlint $@ && rmdir bin/.tools

lint: $(GOLANGCI) $(ACTIONLINT) ## golangci-lint (.golangci.yml), go vet with the mutants tag, actionlint (action.yml, workflows), hadolint when installed
	$(GOLANGCI) run $(PKGS)
	$(GO) vet -tags mutants ./features/
	$(GO) vet -tags browser ./simulator/inspect/ ./cmd/hookcheck/
	$(ACTIONLINT)
	@if command -v hadolint >/dev/null; then hadolint Dockerfile; \
	else echo "hadolint not installed: Dockerfile checked by go test ./internal/packaging instead"; fi

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build output and reports
	rm -rf bin hookcheck-report

-include timing.mk
-include report.mk

mutants: ## break each rule in the engine's source; its fidelity scenarios must fail
	$(GO) test -count=1 -tags mutants -run TestMutantsAreCaught -v ./features/ | grep -E '^(=== RUN|--- |\s+mutants_test|ok|FAIL|PASS)'

# The signed-webhook vectors (docs/vectors/*.json) against the official
# libraries: stripe-go, and the npm ones pinned in VECTORS_NODE (install
# them first with `npm ci --prefix $(VECTORS_NODE)`; node is required).
VECTORS_NODE := simulator/signing/vectors/testdata/node
.PHONY: test-vectors
test-vectors: ## every signed-webhook vector agrees with the official libraries (npm ci --prefix VECTORS_NODE first)
	HOOKCHECK_NODE_VECTORS=1 $(GO) test -count=1 -v -run 'TestCommittedVectors|TestStripeGo|TestNodeLibraries' ./simulator/signing/vectors/ | grep -E '^(---|\s+node_test|\s+stripego_test|ok|FAIL|PASS)'

# The Express reference receivers (simulator/receiver/node) driven with
# signed requests: compliant routes on the official libraries, broken ones
# showing their flaw (install them first with `npm ci --prefix $(RECEIVERS_NODE)`).
RECEIVERS_NODE := simulator/receiver/node
.PHONY: test-node-receivers
test-node-receivers: ## the Express reference receivers accept and refuse as they should (npm ci --prefix RECEIVERS_NODE first)
	HOOKCHECK_NODE_RECEIVERS=1 $(GO) test -count=1 -v -run 'TestNode|TestProviderSuite' ./$(RECEIVERS_NODE)/ | grep -E '^(---|\s+--- |\s+node_test|\s+suite_test|ok|FAIL|PASS)'

FLOOD_ARGS ?= -n 5000 -body 1048576 -concurrency 64
capture-flood: build ## flood `hookcheck capture` on loopback (FLOOD_ARGS): peak RSS, no acknowledged request lost
	$(GO) run ./simulator/capture/internal/flood -bin $(BIN) $(FLOOD_ARGS)

load-sweep: ## hookcheck load at RATES against a trivial receiver: the generator's lag and peak RSS at each
	GO=$(GO) ./scripts/load-sweep.sh

load-memory: ## hookcheck load: memory of 200/s against a receiver that never answers, in virtual time (about a minute of CPU)
	HOOKCHECK_LOAD_MEMORY=1 $(GO) test -count=1 -run TestSilentReceiverMemory -v -timeout 20m ./simulator/load/
