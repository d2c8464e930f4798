//go:build !nogui

package main

import (
	"context"
	"log/slog"
	"sync"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/checkinui"
	"github.com/kiosk06/kiosk/ui/hospitalui"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/onestopui"
	"github.com/kiosk06/kiosk/ui/parkingui"
	"github.com/kiosk06/kiosk/ui/ticketingui"
	"github.com/kiosk06/kiosk/ui/transitui"
	"github.com/kiosk06/kiosk/ui/voice"
)

// guiBuilt: this binary includes the Fyne UI (built without -tags nogui).
// This file imports ui rooms only, never Fyne itself (ui's imports test).
const guiBuilt = true

// screens are the profiles' screens, one line per profile with a screen of
// its own: the profile's name and its ui room's Mount (a profile without
// one — the bus validator — runs headless, and under --sim shows its state
// on the simulator panel).
// v is the kiosk's voice (nil: silent): the "Nghe hướng dẫn" button of the
// hospital, ticketing, one-stop and check-in screens says the guidance
// again on it.
func screens(v *voice.Voice) map[string]ui.Mount {
	if v == nil {
		return map[string]ui.Mount{
			hospital.Name:  hospitalui.Mount,
			parking.Name:   parkingui.Mount,
			ticketing.Name: ticketingui.Mount,
			onestop.Name:   onestopui.Mount,
			checkin.Name:   checkinui.Mount,
		}
	}
	return map[string]ui.Mount{
		hospital.Name:  hospitalui.MountSpeaking(v),
		parking.Name:   parkingui.Mount,
		ticketing.Name: ticketingui.MountSpeaking(v),
		onestop.Name:   onestopui.MountSpeaking(v),
		checkin.Name:   checkinui.MountSpeaking(v),
	}
}

// panelStates are one-line summaries, on the simulator panel, of what a
// profile without a screen signals.
func panelStates() map[string]ui.PanelState {
	return map[string]ui.PanelState{
		transit.Name: transitui.PanelState,
	}
}

// kioskUI returns the runner of what the person sees and hears: its voice
// (ui/voice over the kiosk's speech engine, speaking each screen's guidance
// and results from the profile's states, with or without a display, when
// [ui] enabled: a kiosk with its screen off says no screen's guidance), its
// screen when [ui] enabled, and the simulator panel beside it under --sim
// with the profile's and the simulated devices' controls (unless --no-panel); no window when
// there is no display. voices are the voice books the kiosk's number calls
// are said from (nil when they cannot be loaded: the kiosk is silent).
func kioskUI(e *env, cfg *config.Config, sim simulator, panel bool, log *slog.Logger) (func(context.Context, *profile.Running) error, speech.Voices) {
	books, err := voice.New(nil)
	if err != nil {
		log.Error("voice: the voice books did not load: the kiosk will not speak", "err", err)
		books = nil
	}
	display := e.getenv("DISPLAY") != "" || e.getenv("WAYLAND_DISPLAY") != ""
	if !display {
		log.Warn("no display (DISPLAY/WAYLAND_DISPLAY unset): running headless, no window; to see the screens on a machine without one, " +
			"run it on a virtual display (make run starts Xvfb and says how to take a screenshot): README, \"Seeing the screens without a display\"")
	}
	run := func(ctx context.Context, r *profile.Running) error {
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() { cancel(); wg.Wait() }()
		var v *voice.Voice
		if books != nil && r.Speech != nil && cfg.UI.Enabled {
			v = books.With(r.Speech)
			v.Location = cfg.Device.Location()
			v.Screen = i18n.Lang(cfg.UI.Language)
			if follow, ok := v.Follower(r.Screen, log); ok {
				wg.Add(1)
				go func() { defer wg.Done(); follow(ctx) }()
			}
		}
		if !display {
			<-ctx.Done()
			return nil
		}
		sh := ui.Shell{Config: cfg, Running: r, Screens: screens(v), PanelStates: panelStates()}
		if sim != nil && panel {
			sh.Simulator = &ui.Simulator{Controls: append(append([]profile.SimGroup(nil), r.Sim...), sim.Controls()...), Run: sim.Run}
		}
		return ui.Run(ctx, sh)
	}
	if books == nil {
		return run, nil
	}
	return run, books
}
