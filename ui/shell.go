package ui

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/ui/simpanel"
)

// Shell is what Run shows: the running profile's screen and, in a --sim
// run, the simulator panel.
type Shell struct {
	// Config is the running configuration ([ui] decides whether the
	// screen shows).
	Config *config.Config
	// Running is the profile that runs.
	Running *profile.Running
	// Screens are the profiles' screens by profile name (one line per
	// profile with a screen, in firmware/cmd/kioskd).
	Screens map[string]Mount
	// PanelStates are the panel's state lines by profile name, for a
	// profile without a screen.
	PanelStates map[string]PanelState
	// Simulator is the simulator panel's content; nil outside --sim.
	Simulator *Simulator
}

// Simulator is what the panel offers: controls as data, run by Run.
type Simulator struct {
	// Title is the panel window's title ("" : a Vietnamese default).
	Title string
	// Controls are the groups of buttons: the profile's and the simulated
	// devices'.
	Controls []profile.SimGroup
	// Run runs a control's commands on the simulated devices.
	Run func(ctx context.Context, a profile.SimAction) error
}

// Run shows what sh describes and runs the Fyne event loop until ctx ends
// or a window closes (both return nil); it returns at once with nil when
// there is nothing to show (no screen for the profile, or [ui] disabled,
// and no panel) after ctx ends. Call it from the main goroutine.
func Run(ctx context.Context, sh Shell) error {
	r := sh.Running
	mount, hasScreen := sh.Screens[r.Profile]
	showScreen := sh.Config.UI.Enabled && r.Screen != nil && hasScreen
	if !showScreen && sh.Simulator == nil {
		<-ctx.Done()
		return nil
	}
	a := app.NewWithID("vn.kiosk06")
	var panel *simpanel.Panel
	if sh.Simulator != nil {
		title := sh.Simulator.Title
		if title == "" {
			title = "kiosk06 — bảng mô phỏng thiết bị"
		}
		panel = simpanel.New(ctx, a, title, panelGroups(sh.Simulator))
		if follow, ok := sh.PanelStates[r.Profile]; ok && r.Screen != nil {
			follow(ctx, r.Screen, func(text string) { fyne.Do(func() { panel.SetState(text) }) })
		}
		panel.Window().Show()
	}
	var err error
	if showScreen {
		err = mount(ctx, a, sh.Config, r.Screen)
	} else {
		err = simpanel.Run(ctx, a, panel)
	}
	if errors.Is(err, ErrWindowClosed) || errors.Is(err, simpanel.ErrClosed) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ui: %s: %w", r.Profile, err)
	}
	return nil
}

// panelGroups turns the controls (data) into the panel's buttons, each
// running its commands.
func panelGroups(s *Simulator) []simpanel.Group {
	out := make([]simpanel.Group, 0, len(s.Controls))
	for _, g := range s.Controls {
		pg := simpanel.Group{Title: g.Title}
		for _, a := range g.Actions {
			pg.Actions = append(pg.Actions, simpanel.Action{Label: a.Label, Do: func(ctx context.Context) error { return s.Run(ctx, a) }})
		}
		out = append(out, pg)
	}
	return out
}
