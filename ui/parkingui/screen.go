package parkingui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/staffui"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// ErrWindowClosed is returned by Run when the window closed (or the app
// quit) before ctx ended: the shared ui.ErrWindowClosed.
var ErrWindowClosed = ui.ErrWindowClosed

// Mount is the parking room's entry point (ui.Mount): the exit lane's
// screen for the parking flow s exposes.
func Mount(ctx context.Context, a fyne.App, cfg *config.Config, s profile.Screen) error {
	f, ok := profile.FlowOf[parking.State, parking.Intent](s)
	lane, isLane := f.(Lane)
	if !ok || !isLane {
		return fmt.Errorf("parkingui: the screen is %T, not the parking lane", s)
	}
	states, unsub := f.Subscribe()
	defer unsub()
	return Run(ctx, a, lane, states, cfg.UI.Fullscreen)
}

var _ ui.Mount = Mount

// Options configures a Screen.
type Options struct {
	// T is the catalogue; nil loads Vietnamese.
	T *i18n.Catalog
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Live runs the payment countdown's once-a-second ticker (Run sets it;
	// tests leave it off: their clock is fixed).
	Live bool
}

// Screen is the lane screen bound to a Lane. Apply, Press and the taps
// run on the Fyne goroutine; Lane.Exit runs in its own goroutine and its
// outcome comes back through fyne.Do.
type Screen struct {
	ctx  context.Context
	lane Lane
	opts Options
	root *fyne.Container

	// staff draws the staff menu; one for the screen's life, so the PIN
	// keypad keeps its digits across the menu's republished states.
	staff *staffui.Screen

	state      parking.State
	plate      string
	note       string
	busy       bool
	stopTicker context.CancelFunc

	exits sync.WaitGroup
}

// NewScreen returns the screen showing the idle state; ctx bounds the
// Exit calls it starts.
func NewScreen(ctx context.Context, lane Lane, opts Options) (*Screen, error) {
	if opts.T == nil {
		cat, err := i18n.Load(i18n.Vietnamese)
		if err != nil {
			return nil, fmt.Errorf("parkingui: %w", err)
		}
		opts.T = cat
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Screen{ctx: ctx, lane: lane, opts: opts, root: container.NewStack()}
	s.staff = &staffui.Screen{T: opts.T, Send: func(in staffmenu.Intent) {
		lane.Send(parking.Intent{Kind: parking.IntentStaff, Staff: &in})
	}}
	s.state = parking.State{Phase: parking.PhaseIdle}
	s.render()
	return s, nil
}

// Content is the window content; it stays the same object across Apply.
func (s *Screen) Content() fyne.CanvasObject { return s.root }

// State is the state shown.
func (s *Screen) State() parking.State { return s.state }

// Plate is the plate typed so far.
func (s *Screen) Plate() string { return s.plate }

// Apply shows st (wire parking.Config.OnState to it through fyne.Do).
func (s *Screen) Apply(st parking.State) {
	s.state = st
	s.render()
}

// Press is one plate-keyboard key (see Attendant.Press).
func (s *Screen) Press(r rune) {
	if p := typePlate(s.plate, r); p != s.plate {
		s.plate, s.note = p, ""
		s.render()
	}
}

// Wait blocks until the Exit calls started so far have returned and their
// outcome is shown (tests; Run's shutdown).
func (s *Screen) Wait() { s.exits.Wait() }

// Close stops the countdown ticker.
func (s *Screen) Close() {
	if s.stopTicker != nil {
		s.stopTicker()
		s.stopTicker = nil
	}
}

// exit starts Lane.Exit for the typed plate off the UI goroutine.
func (s *Screen) exit(lost bool) {
	if s.busy || len(s.plate) < 4 {
		return
	}
	req := parking.ExitRequest{Plate: s.plate, Lost: lost}
	s.busy, s.note = true, ""
	s.render()
	s.exits.Add(1)
	go func() {
		defer s.exits.Done()
		_, err := s.lane.Exit(s.ctx, req)
		fyne.DoAndWait(func() { s.exitDone(err) })
	}()
}

// exitDone shows an Exit's outcome. Refusals the terminal published
// (unknown, already exited, timeout…) are on the driver's side already;
// the note covers the ones it did not.
func (s *Screen) exitDone(err error) {
	s.busy = false
	switch {
	case err == nil:
		s.plate = ""
	case errors.Is(err, parking.ErrUnusable):
		s.note = s.opts.T.T("parking.bad_plate")
	case errors.Is(err, parking.ErrBusy):
		s.note = s.opts.T.T("parking.lane_busy")
	default:
		s.note = s.opts.T.T("parking.exit_failed")
	}
	s.render()
}

// cancelPayment asks the lane to stop waiting for the transfer.
func (s *Screen) cancelPayment() {
	if s.state.Phase == parking.PhaseAwaitingPayment {
		s.lane.CancelPayment()
	}
}

// openStaff asks the lane to open the staff menu (it refuses while a
// vehicle is in progress; the state it publishes says what happened).
func (s *Screen) openStaff() {
	if s.state.StaffOffered && !s.busy {
		s.lane.Send(parking.Intent{Kind: parking.IntentStaff})
	}
}

func (s *Screen) render() {
	s.Close()
	env := Env{T: s.opts.T, Now: s.opts.Now, Attendant: Attendant{
		Plate: s.plate, Busy: s.busy, Note: s.note, Press: s.Press,
		Exit: func() { s.exit(false) }, Lost: func() { s.exit(true) }, Cancel: s.cancelPayment, Staff: s.openStaff,
	}, Staff: s.staff}
	if s.opts.Live {
		env.OnCountdown = func(c *widgets.Countdown) {
			ctx, cancel := context.WithCancel(s.ctx)
			s.stopTicker = cancel
			go c.Run(ctx)
		}
	}
	content := Render(s.state, env)
	s.root.Objects = []fyne.CanvasObject{content}
	s.root.Refresh()
	widgets.Relayout(s.root)
}

// Run opens the lane window (Size, or full screen) with the kiosk theme,
// shows every state received on states (via fyne.Do) and runs the Fyne
// event loop until ctx ends (then it returns nil) or the window is closed
// (ErrWindowClosed). Call it from the main goroutine; a is app.NewWithID(…)
// in kioskd (test.NewApp() in tests). Wire parking.Config.OnState to send
// on states without blocking (a buffered channel, latest state wins).
func Run(ctx context.Context, a fyne.App, lane Lane, states <-chan parking.State, fullscreen bool) error {
	scr, err := NewScreen(ctx, lane, Options{Live: true})
	if err != nil {
		return err
	}
	ui.ApplyTheme(a, kiosktheme.Options{})
	w := ui.NewWindow(a, scr.opts.T.T("parking.app_name"), Size, fullscreen)
	w.SetContent(scr.Content())
	followCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); follow(followCtx, ctx, a, scr, states) }()
	w.ShowAndRun()
	cancel()
	wg.Wait()
	scr.Close() // the event loop has ended: no UI goroutine left
	if ctx.Err() != nil {
		return nil
	}
	return ErrWindowClosed
}

// follow applies states until followCtx ends; when the caller's ctx ended
// it quits the app.
func follow(followCtx, ctx context.Context, a fyne.App, scr *Screen, states <-chan parking.State) {
	for {
		select {
		case <-followCtx.Done():
			if ctx.Err() != nil {
				fyne.Do(a.Quit)
			}
			return
		case st, ok := <-states:
			if !ok {
				states = nil
				continue
			}
			fyne.Do(func() { scr.Apply(st) })
		}
	}
}
