//go:build nogui

package main

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/speech"
)

// guiBuilt: this binary was built with -tags nogui (headless validators).
const guiBuilt = false

// kioskUI: a nogui build has no window (said once at start when [ui]
// enabled asks for one) and no voice books (they live in ui/: the kiosk
// does not speak); the profile runs headless.
func kioskUI(_ *env, cfg *config.Config, _ simulator, _ bool, log *slog.Logger) (func(context.Context, *profile.Running) error, speech.Voices) {
	return func(ctx context.Context, r *profile.Running) error {
		if r.Screen != nil && cfg.UI.Enabled {
			log.Info("this kioskd was built with -tags nogui: no window, the profile runs headless", "profile", r.Profile)
		}
		<-ctx.Done()
		return nil
	}, nil
}
