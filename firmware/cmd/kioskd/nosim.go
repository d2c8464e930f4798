//go:build !sim

package main

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/kiosk"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// simBuilt: this kioskd carries no simulator (the packaged build: `make
// arm64`, `make deb`, cross/build). It links no …sim package, no test PKI,
// no fake back-end and no collector (cross/crosstest's TestProductDeps
// checks the dependency list).
const simBuilt = false

// startSim: there is no simulator in this build.
func startSim(context.Context, *config.Config, profile.Profile, string, *slog.Logger, string, *kiosk.Options) (simulator, error) {
	return nil, errNoSim
}

func cmdSim(_ context.Context, e *env, _ []string) int {
	return failf(e, exitUsage, "sim: %v", errNoSim)
}
