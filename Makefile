# dockvet — see README.md. Every target works on a fresh machine with only Go.
GO      ?= go
BIN     := bin/dockvet
CORPUS  ?= ../shared/corpus
GOLANGCI_VERSION ?= v2.15.0

.PHONY: all build demo test test-race test-poison test-integration bench bench-cli corpus lint fuzz docs clean release release-check image buildkit-parity buildkit-cases

all: build test

## build: a static binary (no cgo: no dynamic loader at start-up, as the
## releases are built by internal/distbuild)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/dockvet

## demo: lint the bundled examples, show --diff's fixes of the bad one, and lint a built image of it (findings exit 1, as CI would)
demo: build
	@echo '$$ dockvet lint examples/bad/Dockerfile'
	@./$(BIN) lint --color=always examples/bad/Dockerfile || true
	@echo
	@echo '$$ dockvet lint examples/good/Dockerfile'
	@./$(BIN) lint --color=always examples/good/Dockerfile
	@echo
	@echo '$$ dockvet lint examples/node-bad/Dockerfile    # the 3 GB Node.js service'
	@./$(BIN) lint --color=always examples/node-bad/Dockerfile || true
	@echo
	@echo '$$ dockvet lint examples/node-good/Dockerfile   # multi-stage: build tools stay in the build stage'
	@./$(BIN) lint --color=always examples/node-good/Dockerfile
	@echo
	@echo '$$ dockvet lint --diff examples/bad/Dockerfile    # the safe fixes, as a patch (--fix applies them)'
	@./$(BIN) lint --diff --offline examples/bad/Dockerfile || true
	@echo
	@echo '$$ dockvet image --deep --layers oci-layout:bin/demo-image:v1    # the same service, as built'
	@$(GO) run ./scripts/demoimage bin/demo-image
	@./$(BIN) image --deep --layers --color=always oci-layout:bin/demo-image:v1 || true
	@echo
	@echo '$$ dockvet explain DV101'
	@./$(BIN) explain DV101
	@echo
	@echo '$$ dockvet manifests --offline testdata/manifests/model-serving.yaml    # an init container copies a model at every pod start'
	@./$(BIN) manifests --offline --color=always testdata/manifests/model-serving.yaml || true
	@echo
	@echo '$$ dockvet manifests --offline testdata/manifests/model-serving-fixed.yaml    # the same Deployment with an image volume'
	@./$(BIN) manifests --offline --color=always testdata/manifests/model-serving-fixed.yaml

## test: unit, golden and CLI tests
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

test-race:
	$(GO) test -race -count=1 ./...

## test-poison: lint's paths with released file models overwritten by
## sentinels (build tag dockvet_poison): a read after File.Release shows
test-poison:
	$(GO) test -tags dockvet_poison -count=1 ./internal/dockerfile ./internal/engine ./cmd/dockvet

## test-integration: dockvet against Debian's docker-registry (TLS + htpasswd)
## on loopback; needs docker-registry and htpasswd (test/integration/setup.sh)
test-integration:
	$(GO) test -tags integration -count=1 -v -timeout 10m ./test/integration/...

## bench: Go benchmarks (front end vs. BuildKit floor, engine over the corpus, registry request counts)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x -count 3 ./internal/dockerfile ./internal/engine ./internal/registry ./internal/buildctx
	$(GO) test -run "^$$" -bench "Deep500MB|ManyFiles" -benchtime 2x ./internal/layers

## bench-cli: the dockvet binary against its floors in one paired run:
## corpus wall/CPU vs BuildKit's parser alone (scripts/bench-cli/floor),
## files/s, peak RSS at 1x and 4x the corpus, one-file cold start vs a
## hello-world binary (BIN_UNDER_TEST=path measures a given binary;
## BASELINE=path measures an earlier build in the same runs)
bench-cli:
	$(GO) run ./scripts/bench-cli -corpus $(CORPUS) $(if $(BIN_UNDER_TEST),-bin $(BIN_UNDER_TEST)) $(if $(BASELINE),-baseline $(BASELINE))

## corpus: lint every corpus file; fails on a panic or an exit code 2
corpus: build
	$(GO) run ./scripts/corpus -bin $(BIN) -dir $(CORPUS)

## buildkit-parity: BuildKit's own linter (tools/bkoracle, a nested module)
## against dockvet's BuildKit-check rules on the corpus and the case files;
## fails when dockvet misses a finding BuildKit reports
BUILDKIT_CASES := rules/testdata/buildkit
buildkit-parity:
	cd tools/bkoracle && $(GO) run . -compare -manifest $(abspath $(CORPUS))/MANIFEST.tsv $(abspath $(BUILDKIT_CASES))

## buildkit-cases: regenerate the .want files of the BuildKit check cases
## from BuildKit's own linter
buildkit-cases:
	cd tools/bkoracle && $(GO) run . -write-cases $(abspath $(BUILDKIT_CASES))

## fuzz: fuzz the front end and BuildKit's checks on it (FUZZTIME=5m each by
## default)
FUZZTIME ?= 5m
fuzz:
	$(GO) test ./internal/dockerfile -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)
	$(GO) test ./internal/bkcheck -run '^$$' -fuzz FuzzCheck -fuzztime $(FUZZTIME)

## lint: gofmt, go vet and golangci-lint (the pinned version, installed into
## bin/tools on first use: a fresh machine has none on PATH, and another
## version on PATH may read .golangci.yml differently)
GOLANGCI := bin/tools/golangci-lint-$(GOLANGCI_VERSION)
lint: $(GOLANGCI)
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GOLANGCI) run ./...

$(GOLANGCI):
	mkdir -p bin/tools/$(GOLANGCI_VERSION)
	GOBIN=$(CURDIR)/bin/tools/$(GOLANGCI_VERSION) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	mv bin/tools/$(GOLANGCI_VERSION)/golangci-lint $@
	rmdir bin/tools/$(GOLANGCI_VERSION)

## docs: regenerate docs/rules.md and the README rule table from the rule definitions
docs:
	$(GO) test ./cmd/dockvet -run TestRulesDocUpToDate -update

## release: static, stamped binaries for linux/darwin/windows x amd64/arm64
## in dist/ with dist/SHA256SUMS (VERSION=v1.2.3 to stamp a version other
## than `git describe`; SOURCE_DATE_EPOCH overrides the commit date)
release:
	$(GO) run ./scripts/release -out dist

## release-check: rebuild linux/amd64 from a copy of the checkout at another
## path and compare it with dist/SHA256SUMS (after make release)
release-check:
	$(GO) run ./scripts/release -out dist -check linux/amd64

## image: dockvet's own image (linux/amd64 + linux/arm64 index), built
## without Docker, as an OCI layout in bin/image; IMAGE=registry/repo:tag
## also pushes it (Docker credentials, as docker push)
IMAGE_DIR ?= bin/image
image:
	$(GO) run ./scripts/image -out $(IMAGE_DIR) $(if $(IMAGE),-push $(IMAGE))

clean:
	rm -rf bin dist
