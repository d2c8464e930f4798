// Package dispenser is the queue-ticket dispenser: a push button, a receipt
// printer and an optional "ready" LED. A debounced press issues the next
// number for the configured service and prints its ticket.
//
// A number is never consumed without a ticket in the patient's hand: the
// printer's status is checked before a number is taken, and if printing
// fails after that (paper ran out, cover opened) the number is cancelled
// through the Issuer. A roll near its end is a warning kept in Health for
// metrics and selftest.
//
// It must not import queue/ (the Issuer interface is what the queue service
// implements) nor the ui; it uses drivers/escpos for the printer state.
package dispenser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Issuer hands out queue numbers. Issue takes the next number for a service;
// Cancel returns a number whose ticket could not be printed, so it is not
// counted as consumed (never called) by the queue.
type Issuer interface {
	Issue(ctx context.Context, service string) (tickets.Queue, error)
	Cancel(ctx context.Context, id string) error
}

// Printer is what the dispenser needs of *escpos.Printer.
type Printer interface {
	Status(ctx context.Context) (escpos.Status, error)
	Print(ctx context.Context, doc *escpos.Document) (escpos.Result, error)
}

// Button is a debounced push button (*gpio.Button).
type Button interface {
	Press(ctx context.Context) error
}

// Light is an indicator LED (*gpio.Output).
type Light interface {
	Set(on bool) error
}

// ErrNotReady is wrapped around the printer error when a press is refused
// before a number was taken.
var ErrNotReady = errors.New("dispenser: printer not ready, no number issued")

// ErrClosed: staff closed the service (the staff menu); no number issued.
var ErrClosed = errors.New("dispenser: service closed by staff, no number issued")

// Config wires a dispenser.
type Config struct {
	Service string // service / clinic the button issues numbers for
	// Open, when set, says whether staff left Service open (the staff
	// menu's ServiceOpen); a press while it is closed issues nothing and
	// the LED stays off. Called from the dispenser's goroutine.
	Open    func(service string) bool
	Header  tickets.Header // organisation printed on the ticket
	Printer Printer
	Issuer  Issuer
	Button  Button // needed by Run only
	LED     Light  // optional: on when ready
	// Cooldown ignores presses for a while after a ticket (a child pressing
	// repeatedly); 0 means 1 s.
	Cooldown time.Duration
	Logger   *slog.Logger // nil means slog.Default(); tickets are logged by number only
}

// Health is the dispenser's state for metrics and the selftest.
type Health struct {
	Ready     bool         `json:"ready"`
	Paper     escpos.Paper `json:"paper"`
	Warning   string       `json:"warning,omitempty"`
	LastError string       `json:"last_error,omitempty"`
	Issued    int          `json:"issued"`    // tickets printed
	Refused   int          `json:"refused"`   // presses refused before issuing
	Cancelled int          `json:"cancelled"` // numbers issued then cancelled
}

// Dispenser issues and prints tickets.
type Dispenser struct {
	cfg Config

	mu     sync.Mutex
	health Health
}

// New checks cfg and returns a Dispenser.
func New(cfg Config) (*Dispenser, error) {
	if cfg.Printer == nil || cfg.Issuer == nil || cfg.Service == "" {
		return nil, errors.New("dispenser: Printer, Issuer and Service are required")
	}
	if cfg.Cooldown <= 0 {
		cfg.Cooldown = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Dispenser{cfg: cfg, health: Health{Paper: escpos.PaperOK}}, nil
}

// Health returns the current state.
func (d *Dispenser) Health() Health {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.health
}

// CheckPrinter queries the printer and updates Health (for the selftest and
// an idle-time poll); it returns the printer's blocking error, if any.
func (d *Dispenser) CheckPrinter(ctx context.Context) error {
	st, err := d.cfg.Printer.Status(ctx)
	if err != nil {
		d.record(func(h *Health) { h.Ready, h.LastError = false, err.Error() })
		return fmt.Errorf("dispenser: printer status: %w", err)
	}
	d.noteStatus(st)
	return st.Err()
}

// Run waits for presses and dispenses until ctx ends. Failures are logged
// and kept in Health; the LED is on while the dispenser is ready.
func (d *Dispenser) Run(ctx context.Context) error {
	if d.cfg.Button == nil {
		return errors.New("dispenser: Run needs a Button")
	}
	d.light(d.CheckPrinter(ctx) == nil && d.open())
	for {
		if err := d.cfg.Button.Press(ctx); err != nil {
			d.light(false)
			return err
		}
		d.light(false)
		q, err := d.Dispense(ctx)
		if err != nil {
			d.cfg.Logger.Warn("dispenser: no ticket", "service", d.cfg.Service, "err", err)
		} else {
			d.cfg.Logger.Info("dispenser: ticket", "number", q.Number, "service", d.cfg.Service)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-time.After(d.cfg.Cooldown):
		case <-ctx.Done():
			return ctx.Err()
		}
		d.light(d.Health().Ready && d.open())
	}
}

// open reports whether staff left the service open.
func (d *Dispenser) open() bool { return d.cfg.Open == nil || d.cfg.Open(d.cfg.Service) }

func (d *Dispenser) light(on bool) {
	if d.cfg.LED == nil {
		return
	}
	if err := d.cfg.LED.Set(on); err != nil {
		d.cfg.Logger.Warn("dispenser: LED", "err", err)
	}
}

// Dispense issues one number and prints its ticket. If the printer cannot
// print, no number is taken (the error wraps ErrNotReady and the escpos
// sentinel, e.g. escpos.ErrPaperEnd); if printing fails after the number was
// taken, the number is cancelled and the print error returned.
func (d *Dispenser) Dispense(ctx context.Context) (tickets.Queue, error) {
	if !d.open() {
		d.record(func(h *Health) { h.Refused++; h.LastError = ErrClosed.Error() })
		return tickets.Queue{}, ErrClosed
	}
	if err := d.CheckPrinter(ctx); err != nil {
		d.record(func(h *Health) { h.Refused++; h.LastError = err.Error() })
		return tickets.Queue{}, fmt.Errorf("%w: %w", ErrNotReady, err)
	}
	q, err := d.cfg.Issuer.Issue(ctx, d.cfg.Service)
	if err != nil {
		d.record(func(h *Health) { h.LastError = err.Error() })
		return tickets.Queue{}, fmt.Errorf("dispenser: issue: %w", err)
	}
	res, err := d.cfg.Printer.Print(ctx, tickets.QueueTicket(d.cfg.Header, q))
	if err != nil {
		return tickets.Queue{}, d.cancel(ctx, q, res, err)
	}
	d.noteStatus(res.Status)
	d.record(func(h *Health) { h.Issued++; h.LastError = "" })
	return q, nil
}

// cancel returns q's number after a failed print, even if ctx has ended.
func (d *Dispenser) cancel(ctx context.Context, q tickets.Queue, res escpos.Result, printErr error) error {
	cctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer stop()
	cerr := d.cfg.Issuer.Cancel(cctx, q.ID)
	if res.Status.Paper != "" {
		d.noteStatus(res.Status)
	}
	d.record(func(h *Health) { h.Ready, h.LastError = false, printErr.Error() })
	if cerr != nil {
		return fmt.Errorf("dispenser: print %s failed: %w; cancelling it also failed: %v", q.Number, printErr, cerr)
	}
	d.record(func(h *Health) { h.Cancelled++ })
	return fmt.Errorf("dispenser: print %s failed, number cancelled: %w", q.Number, printErr)
}

func (d *Dispenser) noteStatus(st escpos.Status) {
	d.record(func(h *Health) {
		h.Paper = st.Paper
		h.Ready = st.Err() == nil
		h.Warning = ""
		if st.Paper == escpos.PaperNearEnd {
			h.Warning = "paper near end"
		}
	})
}

func (d *Dispenser) record(f func(*Health)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(&d.health)
}
