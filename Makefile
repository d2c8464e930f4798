# kiosk06 — the two commands are `make run` and `make test`; `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO       ?= go
# The module needs Go 1.27.3 (go.mod); machines start on an older Go, which
# fetches this toolchain from the module proxy by itself.
export GOTOOLCHAIN := go1.27.3
BIN      := $(CURDIR)/.bin
PKG      := github.com/kiosk06/kiosk
# A Debian version that sorts: every commit's is greater than its parents'
# (cross/version says how). Recursively expanded: only targets that stamp
# a version run git.
VERSION  ?= $(or $(shell cross/version),0.0.0~unknown)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS   = -X $(PKG)/firmware/buildinfo.version=$(VERSION) -X $(PKG)/firmware/buildinfo.commit=$(COMMIT)
# staticcheck v0.8.2 (2026.2.2) reads Go 1.27 export data; v0.7.0 cannot.
STATICCHECK_VERSION := v0.8.2
# govulncheck, and the vulnerability database as the golang.org/x/vulndb
# module ships it (no other download site is reachable).
GOVULNCHECK_VERSION := v1.9.0
VULNDB_VERSION      := v0.0.0-20261105234957-e22db6528018
GOVULNCHECK         := $(BIN)/govulncheck-$(GOVULNCHECK_VERSION)
VULNDB              := $(BIN)/vulndb-$(VULNDB_VERSION)
FUZZTIME ?= 30s
# -parallel 4: the end-to-end tests marked t.Parallel (tests/) mostly wait
# on kioskd processes of their own (spoken clips in real time, payment and
# broker round trips), so four at once on 2 cores cut the package's time
# from about 500 s to about 260 s (BENCHMARKS.md); the default is GOMAXPROCS.
TESTFLAGS ?= -race -count=1 -timeout 45m -parallel 4
# vet, staticcheck and govulncheck build every dependency to type-check
# against it. They build it without -race, as the end-to-end tests' kioskd
# is built (tests/main_test.go: -tags sim,libsqlite3, no -race, which starts
# fast enough for their timings): a cold run needs both trees, the race one
# for `go test -race` and the plain one for that kioskd, and this way the
# plain one is compiled here, while nothing else runs, instead of by the
# end-to-end package's TestMain after every other package, alone on the
# machine for 460 s of a 1677 s cold run. Measured (BENCHMARKS.md,
# 2026-12-06): the end-to-end package then takes 212 s, but the cold total
# is unchanged (1727 s): the run is CPU-bound, the work only moves.
export CGO_ENABLED := 1
# The simulator (firmware/simrig: the …sim devices, the test PKI, the fake
# back-ends, the local collector) is linked only with -tags sim: `make
# build`/`make run` and the tests use it; the packaged binaries (cross/build:
# make arm64, make deb …) do not (cross/crosstest's TestProductDeps checks).
# -tags libsqlite3: the store links Debian's SQLite, as every packaged
# build does (cross/build says why); the tests run against the same.
PRODTAGS := libsqlite3
SIMTAGS  := sim,$(PRODTAGS)

.PHONY: help deps deps-cross build run test vet staticcheck tidy-check vulncheck gotest bench fuzz soak screenshots clean

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

deps: ## install missing Debian packages (idempotent; names each one it installs)
	@.ci/deps base
	@.ci/check-go

deps-cross: ## install the ARM cross compilers and target libraries (multiarch, else a sysroot in .sysroot/)
	@.ci/deps cross

build: deps ## build ./kioskd for development: with the simulator (-tags sim; packaged builds have none)
	$(GO) build -tags $(SIMTAGS) -ldflags '$(LDFLAGS)' -o kioskd ./firmware/cmd/kioskd

run: build ## build and start kioskd with simulated devices (state in ./var); no display: on Xvfb, says how to see it
	@.ci/run-kiosk

test: deps deps-cross tidy-check vet staticcheck vulncheck gotest ## tidy check, vet, staticcheck, govulncheck and the full test suite (what CI runs)

vet: ## go vet (with the simulator, and the command once without it as packaged)
	$(GO) vet -tags $(SIMTAGS) ./...
	$(GO) vet -tags $(PRODTAGS) ./firmware/cmd/kioskd

$(BIN)/staticcheck-$(STATICCHECK_VERSION):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@mv $(BIN)/staticcheck $@

staticcheck: $(BIN)/staticcheck-$(STATICCHECK_VERSION) ## staticcheck (pinned version, installed here)
	$(BIN)/staticcheck-$(STATICCHECK_VERSION) -tags $(SIMTAGS) ./...

tidy-check: ## fail when `go mod tidy` would change go.mod or go.sum
	@tmp=$$(mktemp -d) && cp go.mod go.sum "$$tmp"/ && \
	$(GO) mod tidy && \
	if ! cmp -s go.mod "$$tmp/go.mod" || ! cmp -s go.sum "$$tmp/go.sum"; then \
	  diff -u "$$tmp/go.mod" go.mod; cp "$$tmp/go.mod" "$$tmp/go.sum" .; rm -rf "$$tmp"; \
	  echo "tidy-check: go mod tidy changes go.mod/go.sum; run it and commit the result" >&2; exit 1; \
	fi; rm -rf "$$tmp"

$(GOVULNCHECK):
	@mkdir -p $(BIN)
	GOBIN=$(BIN) $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	@mv $(BIN)/govulncheck $@

$(VULNDB):
	@mkdir -p $(BIN)
	dir=$$(cd / && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p') && \
	  test -n "$$dir" && $(GO) run ./.ci/vulnindex -osv "$$dir/data/osv" -out $@

vulncheck: $(GOVULNCHECK) $(VULNDB) ## govulncheck against the pinned golang.org/x/vulndb: fails on any reachable finding
	$(GOVULNCHECK) -tags $(PRODTAGS) -db file://$(VULNDB) ./...

gotest: ## go test -race -tags sim ./...
	$(GO) test $(TESTFLAGS) -tags $(SIMTAGS) ./...

bench: deps ## run the benchmarks (results go into BENCHMARKS.md by hand)
	$(GO) test -tags $(SIMTAGS) -run '^$$' -bench . -benchmem -timeout 30m ./...

fuzz: deps ## run every fuzz target for FUZZTIME each (default 30s)
	@.ci/fuzz $(FUZZTIME)

soak: deps ## long crash/kill -9 and drain runs (KIOSK_SOAK=1)
	KIOSK_SOAK=1 $(GO) test -tags $(SIMTAGS) -count=1 -timeout 90m -run 'Soak|Crash|Drain' ./tests/... ./queue/...

# --- cross builds and packages (cross/, docs/OPERATIONS.md) -------------------
DEB_VARIANT  ?=
.PHONY: arm64 armv7 arm64-nogui armv7-nogui cross deb deb-arm64 deb-armv7 cross-sizes version

version: ## print the version builds and packages get (cross/version)
	@echo $(VERSION)

arm64: deps-cross ## cross-compile kioskd for arm64 with cgo and Fyne → dist/arm64/kioskd
	cross/build arm64 gui dist/arm64/kioskd '$(LDFLAGS)'

armv7: deps-cross ## cross-compile kioskd for ARMv7 hard-float → dist/armv7/kioskd
	cross/build armv7 gui dist/armv7/kioskd '$(LDFLAGS)'

arm64-nogui: deps-cross ## arm64 without Fyne (-tags nogui) → dist/arm64-nogui/kioskd
	cross/build arm64 nogui dist/arm64-nogui/kioskd '$(LDFLAGS)'

armv7-nogui: deps-cross ## ARMv7 without Fyne (-tags nogui) → dist/armv7-nogui/kioskd
	cross/build armv7 nogui dist/armv7-nogui/kioskd '$(LDFLAGS)'

cross: arm64 armv7 arm64-nogui armv7-nogui ## all four ARM variants

cross-sizes: ## print the stripped size of every built variant (for BENCHMARKS.md)
	@for v in arm64 armv7 arm64-nogui armv7-nogui; do \
	  f=dist/$$v/kioskd; [ -f $$f ] && stat -c %s $$f | awk -v v=$$v '{printf "| %-12s | %10d | %6.1f MiB |\n", v, $$1, $$1/1048576}'; \
	done; true

deb: deb-arm64 deb-armv7 ## .deb per architecture (DEB_VARIANT=-nogui for headless) → dist/*.deb, then lintian
	lintian --fail-on error,warning dist/kiosk06_$(VERSION)_arm64.deb dist/kiosk06_$(VERSION)_armhf.deb

deb-arm64: arm64$(DEB_VARIANT) ## the arm64 .deb only
	cross/deb arm64 dist/arm64$(DEB_VARIANT)/kioskd dist '$(VERSION)'

deb-armv7: armv7$(DEB_VARIANT) ## the armhf (ARMv7) .deb only
	cross/deb armv7 dist/armv7$(DEB_VARIANT)/kioskd dist '$(VERSION)'

screenshots: ## regenerate docs/screens/*.png (every kiosk screen at 1080x1920) from the UI tests
	$(GO) test -tags $(SIMTAGS) ./ui/hospitalui -run TestScreens -count=1 -update-screens ../../docs/screens
	$(GO) test -tags $(SIMTAGS) ./ui/parkingui -run TestScreens -count=1 -update-screens ../../docs/screens
	$(GO) test -tags $(SIMTAGS) ./ui/onestopui -run TestScreens -count=1 -update-screens ../../docs/screens

clean: ## remove build output and ./var (keeps .bin and .sysroot: tools, not output)
	rm -rf kioskd dist var
