// Package ui is what every profile's screen shares, and the shell that
// runs one: it opens a kiosk window (full screen per config [ui]
// fullscreen, portrait 1080×1920 or landscape 1920×1080), applies the kiosk
// theme, runs the Fyne event loop until the context ends or the window
// closes (ErrWindowClosed), and Run shows the running profile's screen —
// its ui/<profile>ui room's Mount, looked up by profile name — with, under
// --sim, the simulator panel (ui/simpanel) beside it.
//
// Each profile's screen lives in its own room with the same entry point,
// a Mount: ui/hospitalui (the self-registration kiosk), ui/parkingui (the
// exit lane); ui/transitui has no screen, only a PanelState line for the
// panel. This package knows no profile.
//
// Run's API has no Fyne type: firmware/cmd/kioskd calls it without
// importing Fyne. Nothing outside ui/ imports Fyne (imports_test.go checks
// the whole dependency closure of every other package of the module), and
// the UI imports no drivers/… package and not firmware/simrig: the
// simulator reaches the panel as data (profile.SimGroup) and a function.
package ui

import (
	"context"
	"errors"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// ErrWindowClosed is returned when a kiosk window was closed (or the app
// quit) before the context ended.
var ErrWindowClosed = errors.New("ui: kiosk window closed")

// Portrait and landscape panel sizes in Fyne units.
var (
	PortraitSize  = fyne.NewSize(1080, 1920)
	LandscapeSize = fyne.NewSize(1920, 1080)
)

// Mount runs a profile's screen, for the flow s exposes (take the typed
// flow back with profile.FlowOf), in a window of a until ctx ends (nil) or
// the window closes (ErrWindowClosed). Call it from the main goroutine:
// Fyne's desktop driver must own it. Every ui/<profile>ui room exports one.
type Mount func(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error

// PanelState follows a profile's states until ctx ends, showing each as a
// line on the simulator panel (for a profile without a screen); false when
// s is not that profile's flow.
type PanelState func(ctx context.Context, s profile.Screen, show func(string)) bool

// NewWindow opens a kiosk window (not shown yet): unpadded, size, and in
// full screen without a way to close it from the keyboard when fullscreen.
func NewWindow(a fyne.App, title string, size fyne.Size, fullscreen bool) fyne.Window {
	w := a.NewWindow(title)
	w.SetPadded(false)
	w.Resize(size)
	if fullscreen {
		w.SetFullScreen(true)
		w.SetCloseIntercept(func() {}) // kiosk mode: no closing from the keyboard
	}
	return w
}

// ApplyTheme sets the kiosk theme with the display preferences o on a.
func ApplyTheme(a fyne.App, o kiosktheme.Options) {
	a.Settings().SetTheme(kiosktheme.New(o))
}

// ShowAndRun shows w and runs the event loop until ctx ends (nil; the app
// quits) or the window closes (ErrWindowClosed).
func ShowAndRun(ctx context.Context, a fyne.App, w fyne.Window) error {
	loop, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-loop.Done()
		if ctx.Err() != nil {
			fyne.Do(a.Quit)
		}
	}()
	w.ShowAndRun()
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return ErrWindowClosed
}
