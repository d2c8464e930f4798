//go:build !nogui

package main

import (
	"context"
	"log/slog"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/checkinui"
	"github.com/kiosk06/kiosk/ui/hospitalui"
	"github.com/kiosk06/kiosk/ui/onestopui"
	"github.com/kiosk06/kiosk/ui/parkingui"
	"github.com/kiosk06/kiosk/ui/ticketingui"
	"github.com/kiosk06/kiosk/ui/transitui"
)

// guiBuilt: this binary includes the Fyne UI (built without -tags nogui).
// This file imports ui rooms only, never Fyne itself (ui's imports test).
const guiBuilt = true

// screens are the profiles' screens, one line per profile with a screen of
// its own: the profile's name and its ui room's Mount (a profile without
// one — the bus validator — runs headless, and under --sim shows its state
// on the simulator panel).
func screens() map[string]ui.Mount {
	return map[string]ui.Mount{
		hospital.Name:  hospitalui.Mount,
		parking.Name:   parkingui.Mount,
		ticketing.Name: ticketingui.Mount,
		onestop.Name:   onestopui.Mount,
		checkin.Name:   checkinui.Mount,
	}
}

// panelStates are one-line summaries, on the simulator panel, of what a
// profile without a screen signals.
func panelStates() map[string]ui.PanelState {
	return map[string]ui.PanelState{
		transit.Name: transitui.PanelState,
	}
}

// kioskUI returns the window runner for what the profile runs: its screen
// when [ui] enabled, and the simulator panel beside it under --sim with the
// profile's and the simulated devices' controls; nil (headless) when there
// is no display.
func kioskUI(e *env, cfg *config.Config, sim simulator, panel bool, log *slog.Logger) func(context.Context, *profile.Running) error {
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" {
		log.Warn("no display (DISPLAY/WAYLAND_DISPLAY unset): running headless, no window; to see the screens on a machine without one, " +
			"run it on a virtual display (make run starts Xvfb and says how to take a screenshot): README, \"Seeing the screens without a display\"")
		return nil
	}
	return func(ctx context.Context, r *profile.Running) error {
		sh := ui.Shell{Config: cfg, Running: r, Screens: screens(), PanelStates: panelStates()}
		if sim != nil && panel {
			sh.Simulator = &ui.Simulator{Controls: append(append([]profile.SimGroup(nil), r.Sim...), sim.Controls()...), Run: sim.Run}
		}
		return ui.Run(ctx, sh)
	}
}
