//go:build nogui

package main

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/kiosk"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// guiBuilt: this binary was built with -tags nogui (headless validators).
const guiBuilt = false

// kioskUI: a nogui build has no window.
func kioskUI(_ *env, cfg *config.Config, _ *simrig.Rig, log *slog.Logger) func(context.Context, kiosk.Screens) error {
	if cfg.Device.Profile != config.ProfileTransit && cfg.UI.Enabled {
		log.Warn("this kioskd was built with -tags nogui: the profile runs without its screen")
	}
	return nil
}
