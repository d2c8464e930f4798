//go:build nogui

package main

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// guiBuilt: this binary was built with -tags nogui (headless validators).
const guiBuilt = false

// hospitalUI: a nogui build has no kiosk window.
func hospitalUI(_ *env, cfg *config.Config, _ *simrig.Rig, log *slog.Logger) func(context.Context, *hospital.Flow) error {
	if cfg.Device.Profile == config.ProfileHospital && cfg.UI.Enabled {
		log.Warn("this kioskd was built with -tags nogui: the hospital flow runs without its screen")
	}
	return nil
}
