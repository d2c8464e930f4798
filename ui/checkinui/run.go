package checkinui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/staffui"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Flow is the check-in flow as the screen sees it.
type Flow = profile.Flow[checkin.State, checkin.Intent]

// Screen is the window content bound to a flow: Apply shows a state, taps
// are sent to the flow. Apply and the taps run on the Fyne goroutine.
type Screen struct {
	flow    Flow
	loc     *time.Location
	english bool
	root    *fyne.Container
	state   checkin.State
	entry   Entry
	app     fyne.App
	opts    Options
	// display is the person's switches, reset for each new person.
	display *kiosktheme.Session
	// staff is the staff menu's screen while it shows (its keypad keeps
	// the digits typed across states); dropped when the menu leaves.
	staff *staffui.Screen
}

// Options are what the window adds to the screens.
type Options struct {
	// Display is the point's default display preferences (config [ui]),
	// restored for each new person; "Chữ lớn" and "Tương phản cao" in the
	// header change them, and large text turns on by itself for a person
	// whose card says 60 or older (ui/theme.Session).
	Display kiosktheme.Options
	// Listen, when set, is the "Nghe hướng dẫn" button: it says the
	// screen's guidance again (it must not block). Nil: no button.
	Listen func()
}

// NewScreen returns the screen showing an empty ready screen until the
// first Apply; loc is the configured time zone, english the [ui] language.
// It has no display switches and no listen button (NewKioskScreen has).
func NewScreen(flow Flow, loc *time.Location, english bool) *Screen {
	return NewKioskScreen(nil, flow, loc, english, Options{})
}

// NewKioskScreen is NewScreen with the display switches in the header,
// applying the theme to a (nil: no switches), and opts.Listen's button.
func NewKioskScreen(a fyne.App, flow Flow, loc *time.Location, english bool, opts Options) *Screen {
	s := &Screen{flow: flow, loc: loc, english: english, root: container.NewStack(), app: a, opts: opts, display: kiosktheme.NewSession(opts.Display)}
	s.entry.Changed = s.render
	s.state = checkin.State{Screen: checkin.ScreenReady, Ready: &checkin.Ready{}}
	s.render()
	return s
}

// Display returns the current display preferences.
func (s *Screen) Display() kiosktheme.Options { return s.display.Options() }

// Content is the window content (the same object across Apply).
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// Apply shows st. Leaving the CAN keypad or the lodging form drops what
// was typed there.
func (s *Screen) Apply(st checkin.State) {
	if st.Reading == nil || !st.Reading.NeedCAN {
		s.entry.CAN = ""
	}
	if st.Screen != checkin.ScreenLodging {
		s.entry.Room, s.entry.RoomTyped = "", false
	}
	if st.Screen != checkin.ScreenStaff {
		s.staff = nil // the next opening starts with an empty keypad
	}
	changed := false
	if st.Screen == checkin.ScreenReady && s.state.Screen != checkin.ScreenReady {
		changed = s.display.Reset() // the next person starts with the point's settings
	}
	if st.Person != nil && s.display.Aged(st.Person.Age) {
		changed = true
	}
	if changed && s.app != nil {
		ui.ApplyTheme(s.app, s.display.Options())
	}
	s.state = st
	s.render()
}

// toggle changes a display switch: the theme and a new render.
func (s *Screen) toggle(f func()) func() {
	return func() {
		f()
		ui.ApplyTheme(s.app, s.display.Options())
		s.render()
	}
}

func (s *Screen) send(in checkin.Intent) {
	if s.flow != nil {
		s.flow.Send(in)
	}
}

func (s *Screen) render() {
	if s.state.Screen == checkin.ScreenStaff && s.staff == nil {
		s.staff = NewStaffScreen(s.english, s.send)
	}
	env := Env{Send: s.send, Location: s.loc, English: s.english, Entry: &s.entry, Listen: s.opts.Listen, Staff: s.staff}
	if s.app != nil {
		o := s.display.Options()
		env.Display = Display{HighContrast: o.HighContrast, LargeText: o.LargeText,
			ToggleContrast: s.toggle(s.display.ToggleContrast), ToggleLargeText: s.toggle(s.display.ToggleLargeText)}
	}
	s.root.Objects = []fyne.CanvasObject{Render(s.state, env)}
	s.root.Refresh()
	widgets.Relayout(s.root)
}

// Mount runs the checkin profile's screen (ui.Mount, registered in
// firmware/cmd/kioskd's gui.go): the typed flow from the running profile's
// Screen, in a window of a until it closes (ui.ErrWindowClosed) or ctx ends.
func Mount(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	return MountSpeaking(nil)(ctx, a, cfg, s)
}

// Repeater says the current screen's guidance again (ui/voice.Voice).
type Repeater interface {
	Repeat(ctx context.Context) error
}

// MountSpeaking is Mount with the point's voice: a "Nghe hướng dẫn" button
// on every screen says its guidance again on v (the voice itself follows
// the flow's states, ui/voice.Voice.Follower); nil v: no button.
func MountSpeaking(v Repeater) ui.Mount {
	return func(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
		f, ok := profile.FlowOf[checkin.State, checkin.Intent](s)
		if !ok {
			return fmt.Errorf("checkinui: the checkin profile's screen is %T", s)
		}
		var listen func()
		if v != nil {
			listen = func() { go func() { _ = v.Repeat(ctx) }() }
		}
		return run(ctx, a, cfg.UI, cfg.Device.Location(), f, listen)
	}
}

// Run opens the check-in window (Size, or full screen) with the kiosk
// theme, shows the flow's states and runs the Fyne event loop until ctx
// ends (nil) or the window is closed (ui.ErrWindowClosed). Call it from
// the main goroutine.
func Run(ctx context.Context, a fyne.App, uc config.UI, loc *time.Location, flow Flow) error {
	return run(ctx, a, uc, loc, flow, nil)
}

func run(ctx context.Context, a fyne.App, uc config.UI, loc *time.Location, flow Flow, listen func()) error {
	def := kiosktheme.Options{HighContrast: uc.HighContrast, LargeText: uc.LargeText}
	ui.ApplyTheme(a, def)
	scr := NewKioskScreen(a, flow, loc, uc.Language == "en", Options{Display: def, Listen: listen})
	win := ui.NewWindow(a, "Điểm kiểm tra danh tính", Size, uc.Fullscreen)
	win.SetContent(scr.Content())
	states, unsub := flow.Subscribe()
	defer unsub()
	followCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-followCtx.Done():
				return
			case st := <-states:
				fyne.Do(func() { scr.Apply(st) })
			}
		}
	}()
	err := ui.ShowAndRun(ctx, a, win)
	cancel()
	<-done
	return err
}
