package onestopui

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/profile"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// ErrWindowClosed is returned by Run when the window closed before ctx
// ended.
var ErrWindowClosed = errors.New("onestopui: window closed")

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
}

// NewScreen returns the screen showing the welcome screen until the first
// Apply; loc is the configured time zone.
func NewScreen(flow Flow, loc *time.Location) *Screen {
	s := &Screen{flow: flow, loc: loc, root: container.NewStack()}
	s.entry.Changed = s.render
	s.state = onestop.State{Screen: onestop.ScreenWelcome, Lang: onestop.LangVI, Welcome: &onestop.Welcome{}}
	s.render()
	return s
}

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
	s.state = st
	s.render()
}

func (s *Screen) send(in onestop.Intent) {
	if s.flow != nil {
		s.flow.Send(in)
	}
}

func (s *Screen) render() {
	s.root.Objects = []fyne.CanvasObject{Render(s.state, Env{Send: s.send, Location: s.loc, Entry: &s.entry})}
	s.root.Refresh()
	widgets.Relayout(s.root)
}

// Run opens the kiosk window (Size, or full screen) with the kiosk theme,
// shows the flow's states and runs the Fyne event loop until ctx ends
// (nil) or the window is closed (ErrWindowClosed). Call it from the main
// goroutine.
func Run(ctx context.Context, a fyne.App, ui config.UI, loc *time.Location, flow Flow) error {
	a.Settings().SetTheme(kiosktheme.New(kiosktheme.Options{HighContrast: ui.HighContrast, LargeText: ui.LargeText}))
	scr := NewScreen(flow, loc)
	win := a.NewWindow("Bộ phận Một cửa – kiosk")
	win.SetPadded(false)
	win.Resize(Size)
	win.SetContent(scr.Content())
	if ui.Fullscreen {
		win.SetFullScreen(true)
		win.SetCloseIntercept(func() {})
	}
	states, unsub := flow.Subscribe()
	defer unsub()
	followCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-followCtx.Done():
				if ctx.Err() != nil {
					fyne.Do(a.Quit)
				}
				return
			case st := <-states:
				fyne.Do(func() { scr.Apply(st) })
			}
		}
	}()
	win.ShowAndRun()
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return ErrWindowClosed
}
