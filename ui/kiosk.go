// Package ui owns the kiosk window: it opens the Fyne window full screen
// (config [ui] fullscreen) in portrait 1080×1920 or landscape 1920×1080,
// applies the kiosk theme (high contrast and large text, toggled by the
// patient and reset for each new session), follows the hospital flow's
// states and re-renders them through ui/hospitalui, forwards taps as
// intents, and refreshes the idle "are you still there?" banner once a
// second. It keeps what is typed on the identify screen's CAN keypad across
// re-renders (typing is activity, and activity publishes a state) and drops
// it as soon as the flow no longer asks for the CAN.
//
// The UI renders flow state and sends intents; it must NOT import any
// drivers/… package, and nothing outside ui/ may import Fyne
// (firmware/cmd/kioskd links this package, in gui.go, only in builds without
// -tags nogui).
package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/hospitalui"
	"github.com/kiosk06/kiosk/ui/i18n"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// HospitalFlow is what the window needs from the hospital flow;
// *hospital.Flow implements it.
type HospitalFlow interface {
	// Subscribe returns latest-wins states (the current one first) and a
	// function ending the subscription.
	Subscribe() (<-chan hospital.State, func())
	// Send hands an intent to the flow without blocking.
	Send(hospital.Intent)
}

// ErrWindowClosed is returned by Run when the window was closed (or the app
// quit) before ctx ended.
var ErrWindowClosed = errors.New("ui: kiosk window closed")

// Portrait and landscape panel sizes in Fyne units.
var (
	PortraitSize  = fyne.NewSize(1080, 1920)
	LandscapeSize = fyne.NewSize(1920, 1080)
)

// Options configures the kiosk window.
type Options struct {
	Fullscreen bool
	Landscape  bool
	// Display is the default display preference, restored at each new
	// session (when the flow returns to the welcome screen).
	Display kiosktheme.Options
	// Now is the clock for the idle banner; nil means time.Now.
	Now func() time.Time
}

// OptionsFromConfig maps the [ui] section. The language is the flow's
// (State.Lang); config.UI.Language configures the flow, not the window.
func OptionsFromConfig(c config.UI) Options {
	return Options{
		Fullscreen: c.Fullscreen,
		Landscape:  c.Orientation == "landscape",
		Display:    kiosktheme.Options{HighContrast: c.HighContrast, LargeText: c.LargeText},
	}
}

// Kiosk is the kiosk window bound to a flow. Apply, Tick and the toggles
// run on the Fyne goroutine; Follow runs in its own goroutine.
type Kiosk struct {
	app  fyne.App
	win  fyne.Window
	flow HospitalFlow
	opts Options
	cats map[hospital.Lang]*i18n.Catalog

	state   hospital.State
	display kiosktheme.Options
	warning bool // the idle banner is showing
	// entry is what was typed on the CAN keypad, kept across renders while
	// the flow asks for it and dropped as soon as it does not.
	entry string
}

// NewKiosk creates the window (not shown yet) and applies the theme.
func NewKiosk(a fyne.App, opts Options, flow HospitalFlow) (*Kiosk, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cats := map[hospital.Lang]*i18n.Catalog{}
	for _, l := range i18n.Languages() {
		c, err := i18n.Load(l)
		if err != nil {
			return nil, fmt.Errorf("ui: %w", err)
		}
		cats[hospital.Lang(l)] = c
	}
	k := &Kiosk{app: a, flow: flow, opts: opts, cats: cats, display: opts.Display}
	k.win = a.NewWindow(cats[hospital.LangVI].T("shell.app_name"))
	k.win.SetPadded(false)
	size := PortraitSize
	if opts.Landscape {
		size = LandscapeSize
	}
	k.win.Resize(size)
	if opts.Fullscreen {
		k.win.SetFullScreen(true)
		k.win.SetCloseIntercept(func() {}) // kiosk mode: no closing from the keyboard
	}
	a.Settings().SetTheme(kiosktheme.New(k.display))
	return k, nil
}

// Window returns the kiosk window.
func (k *Kiosk) Window() fyne.Window { return k.win }

// Display returns the current display preferences.
func (k *Kiosk) Display() kiosktheme.Options { return k.display }

// Apply shows s. A return to the welcome screen starts a new session and
// restores the default display preferences.
func (k *Kiosk) Apply(s hospital.State) {
	if s.Screen == hospital.ScreenWelcome && k.state.Screen != hospital.ScreenWelcome && k.display != k.opts.Display {
		k.display = k.opts.Display
		k.app.Settings().SetTheme(kiosktheme.New(k.display))
	}
	if s.Identify == nil || !s.Identify.NeedCAN {
		k.entry = ""
	}
	k.state = s
	k.render()
}

// Tick re-renders while the idle banner is due (its seconds count down)
// and once more when it stops being due.
func (k *Kiosk) Tick() {
	due := hospitalui.IdleWarningDue(k.state, k.opts.Now())
	if due || due != k.warning {
		k.render()
	}
}

func (k *Kiosk) render() {
	k.warning = hospitalui.IdleWarningDue(k.state, k.opts.Now())
	cat := k.cats[k.state.Lang]
	if cat == nil {
		cat = k.cats[hospital.LangVI]
	}
	env := hospitalui.Env{
		T: cat, Send: k.flow.Send, Landscape: k.opts.Landscape, Now: k.opts.Now,
		Display: hospitalui.Display{
			HighContrast: k.display.HighContrast, LargeText: k.display.LargeText,
			ToggleContrast: k.toggleContrast, ToggleLargeText: k.toggleLargeText,
		},
		Entry: hospitalui.Entry{Digits: k.entry, OnChanged: func(d string) { k.entry = d }},
	}
	content := hospitalui.Render(k.state, env)
	k.win.SetContent(content)
	widgets.Relayout(content)
}

func (k *Kiosk) toggleContrast() {
	k.display.HighContrast = !k.display.HighContrast
	k.setDisplay()
}

func (k *Kiosk) toggleLargeText() {
	k.display.LargeText = !k.display.LargeText
	k.setDisplay()
}

func (k *Kiosk) setDisplay() {
	k.app.Settings().SetTheme(kiosktheme.New(k.display))
	k.flow.Send(hospital.Intent{Kind: hospital.IntentActivity})
	k.render()
}

// Follow applies every state the flow publishes (via fyne.Do) and ticks
// the idle banner once a second, until ctx ends.
func (k *Kiosk) Follow(ctx context.Context) {
	states, stop := k.flow.Subscribe()
	defer stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-states:
			fyne.Do(func() { k.Apply(s) })
		case <-tick.C:
			fyne.Do(k.Tick)
		}
	}
}

// Run opens the kiosk window for flow and runs the Fyne event loop until
// ctx ends (then it returns nil) or the window is closed (ErrWindowClosed).
// Call it from the main goroutine: Fyne's desktop driver must own it. a is
// app.NewWithID(…) in kioskd (test.NewApp() in tests).
func Run(ctx context.Context, a fyne.App, cfg config.UI, flow HospitalFlow) error {
	k, err := NewKiosk(a, OptionsFromConfig(cfg), flow)
	if err != nil {
		return err
	}
	followCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); k.Follow(followCtx) }()
	go func() {
		defer wg.Done()
		<-followCtx.Done()
		if ctx.Err() != nil {
			fyne.Do(a.Quit)
		}
	}()
	k.win.ShowAndRun()
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return ErrWindowClosed
}
