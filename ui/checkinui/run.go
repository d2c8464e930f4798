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
}

// NewScreen returns the screen showing an empty ready screen until the
// first Apply; loc is the configured time zone, english the [ui] language.
func NewScreen(flow Flow, loc *time.Location, english bool) *Screen {
	s := &Screen{flow: flow, loc: loc, english: english, root: container.NewStack()}
	s.entry.Changed = s.render
	s.state = checkin.State{Screen: checkin.ScreenReady, Ready: &checkin.Ready{}}
	s.render()
	return s
}

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
	s.state = st
	s.render()
}

func (s *Screen) send(in checkin.Intent) {
	if s.flow != nil {
		s.flow.Send(in)
	}
}

func (s *Screen) render() {
	s.root.Objects = []fyne.CanvasObject{Render(s.state, Env{Send: s.send, Location: s.loc, English: s.english, Entry: &s.entry})}
	s.root.Refresh()
	widgets.Relayout(s.root)
}

// Mount runs the checkin profile's screen (ui.Mount, registered in
// firmware/cmd/kioskd's gui.go): the typed flow from the running profile's
// Screen, in a window of a until it closes (ui.ErrWindowClosed) or ctx ends.
func Mount(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	f, ok := profile.FlowOf[checkin.State, checkin.Intent](s)
	if !ok {
		return fmt.Errorf("checkinui: the checkin profile's screen is %T", s)
	}
	return Run(ctx, a, cfg.UI, cfg.Device.Location(), f)
}

// Run opens the check-in window (Size, or full screen) with the kiosk
// theme, shows the flow's states and runs the Fyne event loop until ctx
// ends (nil) or the window is closed (ui.ErrWindowClosed). Call it from
// the main goroutine.
func Run(ctx context.Context, a fyne.App, uc config.UI, loc *time.Location, flow Flow) error {
	ui.ApplyTheme(a, kiosktheme.Options{HighContrast: uc.HighContrast, LargeText: uc.LargeText})
	scr := NewScreen(flow, loc, uc.Language == "en")
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
