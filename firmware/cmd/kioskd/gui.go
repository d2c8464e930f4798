//go:build !nogui

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/onestopui"
	"github.com/kiosk06/kiosk/ui/parkingui"
	"github.com/kiosk06/kiosk/ui/simpanel"
)

// guiBuilt: this binary includes the Fyne UI (built without -tags nogui).
const guiBuilt = true

// screen runs a profile's screen in a window of a until the window closes
// or ctx ends.
type screen func(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error

// screens are the profiles' screens, one line per profile with a screen of
// its own (a profile without one — the bus validator — runs headless, and
// under --sim shows its state on the simulator panel).
func screens() map[string]screen {
	return map[string]screen{
		hospital.Name: hospitalScreen,
		parking.Name:  parkingScreen,
		onestop.Name:  onestopScreen,
	}
}

// panelState follows a profile's states until ctx ends, showing each as a
// line; false when s is not the profile's flow.
type panelState func(ctx context.Context, s profile.Screen, show func(string)) bool

// panelStates are one-line summaries, on the simulator panel, of what a
// profile without a screen signals.
func panelStates() map[string]panelState {
	return map[string]panelState{
		transit.Name: transitPanelState,
	}
}

// kioskUI returns the window runner for what the profile runs: its screen
// when [ui] enabled, and the simulator panel beside it under --sim with the
// profile's and the simulated devices' controls; nil (headless) when there
// is no display.
func kioskUI(e *env, cfg *config.Config, rig *simrig.Rig, log *slog.Logger) func(context.Context, *profile.Running) error {
	if e.getenv("DISPLAY") == "" && e.getenv("WAYLAND_DISPLAY") == "" {
		log.Warn("no display (DISPLAY/WAYLAND_DISPLAY unset): running headless")
		return nil
	}
	return func(ctx context.Context, r *profile.Running) error {
		run, hasScreen := screens()[r.Profile]
		showScreen := cfg.UI.Enabled && r.Screen != nil && hasScreen
		if !showScreen && rig == nil {
			<-ctx.Done()
			return nil
		}
		a := app.NewWithID("vn.kiosk06")
		var panel *simpanel.Panel
		if rig != nil {
			panel = simpanel.New(ctx, a, "kiosk06 — bảng mô phỏng thiết bị", panelGroups(rig, append(append([]profile.SimGroup(nil), r.Sim...), rig.Controls()...)))
			if follow, ok := panelStates()[r.Profile]; ok && r.Screen != nil {
				follow(ctx, r.Screen, func(text string) { fyne.Do(func() { panel.SetState(text) }) })
			}
			panel.Window().Show()
		}
		var err error
		if showScreen {
			err = run(ctx, a, cfg, r.Screen)
		} else {
			err = simpanel.Run(ctx, a, panel)
		}
		if errors.Is(err, ui.ErrWindowClosed) || errors.Is(err, parkingui.ErrWindowClosed) || errors.Is(err, simpanel.ErrClosed) || errors.Is(err, onestopui.ErrWindowClosed) {
			return nil
		}
		return err
	}
}

func hospitalScreen(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	f, ok := profile.FlowOf[hospital.State, hospital.Intent](s)
	if !ok {
		return fmt.Errorf("gui: the hospital profile's screen is %T", s)
	}
	return ui.Run(ctx, a, cfg.UI, f)
}

func onestopScreen(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	f, ok := profile.FlowOf[onestop.State, onestop.Intent](s)
	if !ok {
		return fmt.Errorf("gui: the onestop profile's screen is %T", s)
	}
	return onestopui.Run(ctx, a, cfg.UI, cfg.Device.Location(), f)
}

func parkingScreen(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	f, ok := profile.FlowOf[parking.State, parking.Intent](s)
	lane, isLane := f.(parkingui.Lane)
	if !ok || !isLane {
		return fmt.Errorf("gui: the parking profile's screen is %T", s)
	}
	states, unsub := f.Subscribe()
	defer unsub()
	return parkingui.Run(ctx, a, lane, states, cfg.UI.Fullscreen)
}

// transitPanelState follows the validator's state: its lights, buzzer and
// last message, for the panel's state line.
func transitPanelState(ctx context.Context, s profile.Screen, show func(string)) bool {
	f, ok := profile.FlowOf[transit.State, profile.NoIntent](s)
	if !ok {
		return false
	}
	go func() {
		states, unsub := f.Subscribe()
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case st := <-states:
				show(transitLine(st))
			}
		}
	}()
	return true
}

// transitLine is the validator's state in a line: "Đèn xanh ● · Đèn đỏ ○ ·
// Còi ○ — Mời lên xe – 7.000 ₫".
func transitLine(st transit.State) string {
	lamp := func(on bool) string {
		if on {
			return "●"
		}
		return "○"
	}
	parts := []string{"Đèn xanh " + lamp(st.Lights.Green), "Đèn đỏ " + lamp(st.Lights.Red), "Còi " + lamp(st.Lights.Buzzer)}
	line := strings.Join(parts, " · ")
	if st.Last != nil {
		line += " — " + st.Last.Message
	}
	return line
}

// panelGroups turns the controls (data) into the panel's buttons, each
// running its commands on the rig.
func panelGroups(rig *simrig.Rig, groups []profile.SimGroup) []simpanel.Group {
	out := make([]simpanel.Group, 0, len(groups))
	for _, g := range groups {
		pg := simpanel.Group{Title: g.Title}
		for _, a := range g.Actions {
			pg.Actions = append(pg.Actions, simpanel.Action{Label: a.Label, Do: func(ctx context.Context) error { return rig.Run(ctx, a) }})
		}
		out = append(out, pg)
	}
	return out
}
