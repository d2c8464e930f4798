package onestopui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/staffui"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// Flow is the one-stop flow as the screen sees it.
type Flow = profile.Flow[onestop.State, onestop.Intent]

// Screen is the kiosk window's content bound to a flow: Apply shows a
// state, taps are sent to the flow. Apply and the taps run on the Fyne
// goroutine.
type Screen struct {
	flow  Flow
	loc   *time.Location
	root  *fyne.Container
	state onestop.State
	entry Entry
	app   fyne.App
	opts  Options
	// display is the citizen's switches, reset for each new session.
	display *kiosktheme.Session
	// staff draws the staff menu while it shows (its keypad keeps the
	// digits typed across states); nil elsewhere.
	staff *staffui.Screen
}

// Options are what the window adds to the screens.
type Options struct {
	// Display is the kiosk's default display preferences (config [ui]),
	// restored for each new citizen; "Chữ lớn" and "Tương phản cao" on the
	// top bar change them, and large text turns on by itself for a
	// citizen whose card says 60 or older (ui/theme.Session).
	Display kiosktheme.Options
	// Listen, when set, is the "Nghe hướng dẫn" button under every screen:
	// it says the screen's guidance again (it must not block). Nil: no
	// button (a kiosk without a voice).
	Listen func()
}

// NewScreen returns the screen showing the welcome screen until the first
// Apply; loc is the configured time zone. It has no display switches and
// no listen button (NewKioskScreen has).
func NewScreen(flow Flow, loc *time.Location) *Screen {
	return NewKioskScreen(nil, flow, loc, Options{})
}

// NewKioskScreen is NewScreen with the display switches on the top bar,
// applying the theme to a (nil: no switches), and opts.Listen's button.
func NewKioskScreen(a fyne.App, flow Flow, loc *time.Location, opts Options) *Screen {
	s := &Screen{flow: flow, loc: loc, root: container.NewStack(), app: a, opts: opts, display: kiosktheme.NewSession(opts.Display)}
	s.entry.Changed = s.render
	s.state = onestop.State{Screen: onestop.ScreenWelcome, Lang: onestop.LangVI, Welcome: &onestop.Welcome{}}
	s.render()
	return s
}

// Display returns the current display preferences.
func (s *Screen) Display() kiosktheme.Options { return s.display.Options() }

// Content is the window content (the same object across Apply).
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// Apply shows st. Leaving the form (or the search) ends the typing there.
func (s *Screen) Apply(st onestop.State) {
	if st.Screen != onestop.ScreenForm {
		s.entry.Field, s.entry.Composer = "", nil
	}
	if st.Screen != onestop.ScreenSearch {
		s.entry.Search, s.entry.Typing = "", false
	}
	if st.Identify == nil || !st.Identify.NeedCAN {
		s.entry.CAN = ""
	}
	if st.Screen != onestop.ScreenStaff {
		s.staff = nil // the next staff menu starts with an empty keypad
	} else if s.staff == nil {
		s.staff = NewStaffScreen(st.Lang, s.send)
	}
	changed := false
	if st.Screen == onestop.ScreenWelcome && s.state.Screen != onestop.ScreenWelcome {
		changed = s.display.Reset() // the next citizen starts with the kiosk's settings
	}
	if st.Citizen != nil && s.display.Aged(st.Citizen.Age) {
		changed = true
	}
	if changed && s.app != nil {
		ui.ApplyTheme(s.app, s.display.Options())
	}
	s.state = st
	s.render()
}

// toggle changes a display switch: the theme, activity, a new render.
func (s *Screen) toggle(f func()) func() {
	return func() {
		f()
		ui.ApplyTheme(s.app, s.display.Options())
		s.send(onestop.Intent{Kind: onestop.IntentActivity})
		s.render()
	}
}

// listen: "Nghe hướng dẫn" — the guidance again; a tap is activity.
func (s *Screen) listen() {
	s.send(onestop.Intent{Kind: onestop.IntentActivity})
	s.opts.Listen()
}

func (s *Screen) send(in onestop.Intent) {
	if s.flow != nil {
		s.flow.Send(in)
	}
}

func (s *Screen) render() {
	env := Env{Send: s.send, Location: s.loc, Entry: &s.entry, Staff: s.staff}
	if s.app != nil {
		o := s.display.Options()
		env.Display = Display{HighContrast: o.HighContrast, LargeText: o.LargeText,
			ToggleContrast: s.toggle(s.display.ToggleContrast), ToggleLargeText: s.toggle(s.display.ToggleLargeText)}
	}
	content := Render(s.state, env)
	if s.opts.Listen != nil && s.state.Screen != onestop.ScreenStaff {
		content = widgets.WithListen(content, widgets.ListenButton(shared(s.state.Lang).T("voice.listen"), s.listen))
	}
	s.root.Objects = []fyne.CanvasObject{content}
	s.root.Refresh()
	widgets.Relayout(s.root)
}

// Mount runs the onestop profile's screen (ui.Mount, registered in
// firmware/cmd/kioskd's gui.go): the typed flow from the running profile's
// Screen, in a window of a until it closes (ui.ErrWindowClosed) or ctx ends.
func Mount(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	return MountSpeaking(nil)(ctx, a, cfg, s)
}

// Repeater says the current screen's guidance again (ui/voice.Voice).
type Repeater interface {
	Repeat(ctx context.Context) error
}

// MountSpeaking is Mount with the kiosk's voice: a large "Nghe hướng dẫn"
// button under every screen says its guidance again on v (the voice itself
// follows the flow's states, ui/voice.Voice.Follower); nil v: no button.
func MountSpeaking(v Repeater) ui.Mount {
	return func(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
		f, ok := profile.FlowOf[onestop.State, onestop.Intent](s)
		if !ok {
			return fmt.Errorf("onestopui: the onestop profile's screen is %T", s)
		}
		var listen func()
		if v != nil {
			listen = func() { go func() { _ = v.Repeat(ctx) }() }
		}
		return run(ctx, a, cfg.UI, cfg.Device.Location(), f, listen)
	}
}

// Run opens the kiosk window (Size, or full screen) with the kiosk theme,
// shows the flow's states and runs the Fyne event loop until ctx ends
// (nil) or the window is closed (ui.ErrWindowClosed). Call it from the
// main goroutine.
func Run(ctx context.Context, a fyne.App, uc config.UI, loc *time.Location, flow Flow) error {
	return run(ctx, a, uc, loc, flow, nil)
}

func run(ctx context.Context, a fyne.App, uc config.UI, loc *time.Location, flow Flow, listen func()) error {
	def := kiosktheme.Options{HighContrast: uc.HighContrast, LargeText: uc.LargeText}
	ui.ApplyTheme(a, def)
	scr := NewKioskScreen(a, flow, loc, Options{Display: def, Listen: listen})
	win := ui.NewWindow(a, "Bộ phận Một cửa – kiosk", Size, uc.Fullscreen)
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
