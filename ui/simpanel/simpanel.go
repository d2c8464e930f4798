// Package simpanel owns the simulator panel: a second window, next to the
// kiosk window in `make run`, with one button per simulated event (tap a
// genuine or forged virtual CCCD, scan its QR code, place a finger, take
// the paper out of the printer, confirm a payment, make the BHYT service
// fail) and a status line saying what the last one did.
//
// It knows nothing of the simulators: the caller (firmware/cmd/kioskd,
// which owns firmware/simrig) hands in labelled actions. Actions run in
// their own goroutine, never on the UI goroutine, and report back via
// fyne.Do. It must NOT import drivers/… or firmware/simrig.
package simpanel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Action is one simulated event.
type Action struct {
	Label string
	// Do performs the event; it may block (a card read) and must honour ctx.
	Do func(ctx context.Context) error
}

// Group is a titled set of actions ("Thẻ CCCD", "Máy in", …).
type Group struct {
	Title   string
	Actions []Action
}

// ActionTimeout bounds one action.
const ActionTimeout = 30 * time.Second

// Panel is the simulator panel window.
type Panel struct {
	win     fyne.Window
	state   *widget.Label // what the device shows (SetState), hidden until set
	status  *widget.Label
	buttons map[string]*widget.Button
	ctx     context.Context
	wg      sync.WaitGroup
}

// New builds the panel window (not shown) for groups. Actions started from
// it are cancelled when ctx ends.
func New(ctx context.Context, a fyne.App, title string, groups []Group) *Panel {
	p := &Panel{win: a.NewWindow(title), state: widget.NewLabel(""), status: widget.NewLabel("—"), buttons: map[string]*widget.Button{}, ctx: ctx}
	p.status.Wrapping = fyne.TextWrapWord
	p.state.Wrapping = fyne.TextWrapWord
	p.state.TextStyle.Bold = true
	p.state.Hide()
	col := container.NewVBox()
	for _, g := range groups {
		col.Add(widget.NewLabelWithStyle(g.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, act := range g.Actions {
			b := widget.NewButton(act.Label, nil)
			b.OnTapped = func() { p.run(act, b) }
			p.buttons[act.Label] = b
			col.Add(b)
		}
	}
	p.win.SetContent(container.NewBorder(p.state, p.status, nil, nil, container.NewVScroll(col)))
	p.win.Resize(fyne.NewSize(420, 900))
	return p
}

// SetState shows a line of what the simulated device shows or signals
// (a validator's LEDs and buzzer, which have no screen of their own). Call
// it on the Fyne goroutine (fyne.Do).
func (p *Panel) SetState(text string) {
	p.state.SetText(text)
	p.state.Show()
}

// State returns the state line.
func (p *Panel) State() string { return p.state.Text }

// Run shows the panel alone and runs the app until the panel window is
// closed (ErrClosed) or ctx ends (nil): for a device without a screen of
// its own.
func Run(ctx context.Context, a fyne.App, p *Panel) error {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fyne.Do(a.Quit)
		case <-done:
		}
	}()
	p.win.ShowAndRun()
	close(done)
	p.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return ErrClosed
}

// ErrClosed is returned by Run when the panel window was closed before ctx
// ended.
var ErrClosed = errors.New("simpanel: panel closed")

// Window returns the panel window.
func (p *Panel) Window() fyne.Window { return p.win }

// Button returns the button of the action labelled label (nil if none).
func (p *Panel) Button(label string) *widget.Button { return p.buttons[label] }

// Status returns the status line.
func (p *Panel) Status() string { return p.status.Text }

// Wait waits for running actions to finish.
func (p *Panel) Wait() { p.wg.Wait() }

// run starts act off the UI goroutine; its button is disabled until it
// finishes, so a double tap does not queue two card taps.
func (p *Panel) run(act Action, b *widget.Button) {
	b.Disable()
	p.status.SetText(act.Label + "…")
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		ctx, cancel := context.WithTimeout(p.ctx, ActionTimeout)
		defer cancel()
		err := act.Do(ctx)
		msg := act.Label + ": OK"
		if err != nil {
			msg = fmt.Sprintf("%s: %v", act.Label, err)
		}
		fyne.Do(func() {
			b.Enable()
			p.status.SetText(msg)
		})
	}()
}
