# kiosk06 — the two commands are `make run` and `make test`; `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO       ?= go
BIN      := $(CURDIR)/.bin
PKG      := github.com/kiosk06/kiosk
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X $(PKG)/firmware/buildinfo.version=$(VERSION) -X $(PKG)/firmware/buildinfo.commit=$(COMMIT)
# staticcheck v0.7.0 is the 2026.1 release, the first to understand Go 1.26.
STATICCHECK_VERSION := v0.7.0
FUZZTIME ?= 30s
TESTFLAGS ?= -race -count=1 -timeout 20m
export CGO_ENABLED := 1

.PHONY: help deps deps-cross build run test vet staticcheck gotest bench fuzz soak clean

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

deps: ## install missing Debian packages (idempotent; names each one it installs)
	@.ci/deps base
	@.ci/check-go

deps-cross: ## install the ARM cross compilers and multiarch libraries
	@.ci/deps cross

build: deps ## build ./kioskd
	$(GO) build -ldflags '$(LDFLAGS)' -o kioskd ./firmware/cmd/kioskd

run: build ## build and start kioskd with simulated devices (state in ./var)
	./kioskd run --sim

test: deps vet staticcheck gotest ## vet, staticcheck and the full test suite (what CI runs)

vet: ## go vet
	$(GO) vet ./...

$(BIN)/staticcheck-$(STATICCHECK_VERSION):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@mv $(BIN)/staticcheck $@

staticcheck: $(BIN)/staticcheck-$(STATICCHECK_VERSION) ## staticcheck (pinned version, installed here)
	$(BIN)/staticcheck-$(STATICCHECK_VERSION) ./...

gotest: ## go test -race ./...
	$(GO) test $(TESTFLAGS) ./...

bench: deps ## run the benchmarks (results go into BENCHMARKS.md by hand)
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

fuzz: deps ## run every fuzz target for FUZZTIME each (default 30s)
	@.ci/fuzz $(FUZZTIME)

soak: deps ## long crash/kill -9 and drain runs (KIOSK_SOAK=1)
	KIOSK_SOAK=1 $(GO) test -count=1 -timeout 90m -run 'Soak|Crash|Drain' ./tests/... ./queue/...

clean: ## remove build output and ./var
	rm -rf kioskd dist var
