package hospitalui

// The hospital kiosk's shell (this file): it opens the kiosk window (ui),
// applies the kiosk theme (high contrast and large text, toggled by the
// patient and reset for each new session), follows the hospital flow's
// states and re-renders them through Render, forwards taps as intents, and
// refreshes the idle "are you still there?" banner once a second. It keeps
// what is typed on the identify screen's CAN keypad across re-renders
// (typing is activity, and activity publishes a state) and drops it as soon
// as the flow no longer asks for the CAN. Mount is the room's entry point
// (ui.Mount), which firmware/cmd/kioskd registers for the hospital profile;
// MountSpeaking is Mount with the kiosk's voice: a large "Nghe hướng dẫn"
// button under every screen says its guidance again (the voice itself
// follows the flow's states, ui/voice.Voice.Follower, not this window).

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/ui"
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

// Options configures the kiosk window.
type Options struct {
	Fullscreen bool
	Landscape  bool
	// Display is the default display preference, restored at each new
	// session (when the flow returns to the welcome screen).
	Display kiosktheme.Options
	// Now is the clock for the idle banner; nil means time.Now.
	Now func() time.Time
	// Listen, when set, is the "Nghe hướng dẫn" button under every
	// screen: it says the screen's guidance again (it must not block).
	// Nil: no button (a kiosk without a voice).
	Listen func()
	// Remind, when set, is called once a second (on the Fyne goroutine;
	// it must not block) while the last card lies on the reader
	// (State.CardLeft): for a buzzer a deployment adds. The window blinks
	// its banner anyway, and the voice (ui/voice's Follower) says the
	// reminder with the chime until the card is taken.
	Remind func()
}

// Repeater says the current screen's guidance again (ui/voice.Voice).
type Repeater interface {
	Repeat(ctx context.Context) error
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

// ElderAge is the age from which large text turns on by itself once the
// card is read (Luật Người cao tuổi 2009: người cao tuổi is 60 or older).
const ElderAge = 60

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
	// elder is set once this session turned large text on by itself for a
	// patient of ElderAge or more; they may turn it off again.
	elder   bool
	warning bool // the idle banner is showing
	blink   bool // the card-left banner's phase
	// entry is what was typed on the CAN keypad, kept across renders while
	// the flow asks for it and dropped as soon as it does not.
	entry string
	// child is what a parent typed for a child without a card, kept and
	// dropped the same way (Identify.NeedChild).
	child *ChildEntry
	// more: "Lựa chọn khác" is open; closed again on the next screen or
	// when the choices change.
	more bool
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
	size := ui.PortraitSize
	if opts.Landscape {
		size = ui.LandscapeSize
	}
	k.win = ui.NewWindow(a, cats[hospital.LangVI].T("shell.app_name"), size, opts.Fullscreen)
	ui.ApplyTheme(a, k.display)
	return k, nil
}

// Window returns the kiosk window.
func (k *Kiosk) Window() fyne.Window { return k.win }

// Display returns the current display preferences.
func (k *Kiosk) Display() kiosktheme.Options { return k.display }

// Apply shows s. A return to the welcome screen starts a new session and
// restores the default display preferences.
func (k *Kiosk) Apply(s hospital.State) {
	if s.Screen == hospital.ScreenWelcome && k.state.Screen != hospital.ScreenWelcome {
		k.elder = false
		if k.display != k.opts.Display {
			k.display = k.opts.Display
			ui.ApplyTheme(k.app, k.display)
		}
	}
	if p := s.Patient; p != nil && p.Age >= ElderAge && !k.elder {
		// The card says the patient is 60 or older: large text, once; a
		// tap on "Chữ lớn" turns it off and it stays off.
		k.elder = true
		if !k.display.LargeText {
			k.display.LargeText = true
			ui.ApplyTheme(k.app, k.display)
		}
	}
	if s.Identify == nil || !s.Identify.NeedCAN {
		k.entry = ""
	}
	k.keepChild(s)
	if s.Screen != k.state.Screen || moreKey(s) != moreKey(k.state) {
		k.more = false
	}
	k.state = s
	k.render()
}

// Tick re-renders while the idle banner is due (its seconds count down)
// and once more when it stops being due.
func (k *Kiosk) Tick() {
	if k.state.CardLeft {
		k.remindCardLeft()
		return
	}
	due := IdleWarningDue(k.state, k.opts.Now())
	if due || due != k.warning {
		k.render()
	}
}

func (k *Kiosk) render() {
	k.warning = IdleWarningDue(k.state, k.opts.Now())
	cat := k.cats[k.state.Lang]
	if cat == nil {
		cat = k.cats[hospital.LangVI]
	}
	env := Env{
		T: cat, Send: k.flow.Send, Landscape: k.opts.Landscape, Now: k.opts.Now,
		Display: Display{
			HighContrast: k.display.HighContrast, LargeText: k.display.LargeText,
			ToggleContrast: k.toggleContrast, ToggleLargeText: k.toggleLargeText,
		},
		Entry: Entry{Digits: k.entry, OnChanged: func(d string) { k.entry = d }},
		Child: k.child, Blink: k.blink,
		More: More{Open: k.more, Toggle: k.toggleMore},
	}
	content := Render(k.state, env)
	if k.opts.Listen != nil {
		// An accessibility control like the top bar's toggles, not one of
		// the screen's choices: in a bar of its own, in body-size text.
		listen := widgets.NewButton(cat.T("voice.listen"), widgets.Secondary, k.listen)
		listen.Icon = fynetheme.VolumeUpIcon()
		listen.TextSize = fynetheme.SizeNameText
		content = container.NewBorder(nil, container.NewPadded(listen), nil, nil, content)
	}
	k.win.SetContent(content)
	widgets.Relayout(content)
}

// listen: "Nghe hướng dẫn" — the guidance again; a tap is activity.
func (k *Kiosk) listen() {
	k.flow.Send(hospital.Intent{Kind: hospital.IntentActivity})
	k.opts.Listen()
}

// toggleMore opens or closes "Lựa chọn khác".
func (k *Kiosk) toggleMore() {
	k.more = !k.more
	k.render()
}

// moreKey names the choices behind "Lựa chọn khác" of s.
func moreKey(s hospital.State) string {
	key := ""
	for _, a := range s.Actions {
		if a.More {
			key += string(a.Kind) + "/" + strconv.FormatBool(a.Yes) + ","
		}
	}
	return key
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
	ui.ApplyTheme(k.app, k.display)
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

// Mount is the hospital room's entry point (ui.Mount): the kiosk window
// for the hospital flow s exposes.
func Mount(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	f, ok := profile.FlowOf[hospital.State, hospital.Intent](s)
	if !ok {
		return fmt.Errorf("hospitalui: the screen is %T, not the hospital flow", s)
	}
	return Run(ctx, a, cfg.UI, f)
}

var _ ui.Mount = Mount

// MountSpeaking is Mount with the "Nghe hướng dẫn" button saying the
// guidance again on v (nil: Mount, no button).
func MountSpeaking(v Repeater) ui.Mount {
	if v == nil {
		return Mount
	}
	return func(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
		f, ok := profile.FlowOf[hospital.State, hospital.Intent](s)
		if !ok {
			return fmt.Errorf("hospitalui: the screen is %T, not the hospital flow", s)
		}
		o := OptionsFromConfig(cfg.UI)
		o.Listen = func() { go func() { _ = v.Repeat(ctx) }() }
		return run(ctx, a, o, f)
	}
}

// Run opens the kiosk window for flow and runs the Fyne event loop until
// ctx ends (then it returns nil) or the window is closed
// (ui.ErrWindowClosed). Call it from the main goroutine: Fyne's desktop
// driver must own it. a is app.NewWithID(…) in kioskd (test.NewApp() in
// tests).
func Run(ctx context.Context, a fyne.App, cfg config.UI, flow HospitalFlow) error {
	return run(ctx, a, OptionsFromConfig(cfg), flow)
}

func run(ctx context.Context, a fyne.App, opts Options, flow HospitalFlow) error {
	k, err := NewKiosk(a, opts, flow)
	if err != nil {
		return err
	}
	followCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); k.Follow(followCtx) }()
	err = ui.ShowAndRun(ctx, a, k.win)
	cancel()
	wg.Wait()
	return err
}
