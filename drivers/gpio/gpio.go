// Package gpio owns the kiosk's simple digital I/O on periph.io pins:
// debounced inputs (push buttons, vehicle loop sensors, door switches) and
// outputs (LEDs, buzzer, relay / gate barrier).
//
// It takes periph's gpio.PinIn / gpio.PinOut interfaces, never pin names,
// so tests hand it gpiotest.Pin and the firmware hands it pins looked up
// with gpioreg after host.Init (character device GPIO on periph host v3.8).
// It imports nothing of the project and knows no flow.
package gpio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// ErrNilPin is returned when a constructor is given no pin.
var ErrNilPin = errors.New("gpio: nil pin")

// InputOptions configure a debounced input.
type InputOptions struct {
	// Pull is the internal resistor; buttons wired to ground use PullUp.
	Pull gpio.Pull
	// ActiveLow: the input is active (pressed, vehicle present) when Low.
	ActiveLow bool
	// Debounce is how long the level must stay unchanged (no edges) to be
	// accepted; 0 means 30 ms.
	Debounce time.Duration
	// Poll bounds each edge wait so cancellation is noticed and missed edges
	// are caught by reading the level; 0 means 100 ms.
	Poll time.Duration
}

// Input is a debounced digital input. Use it from one goroutine.
type Input struct {
	pin    gpio.PinIn
	opts   InputOptions
	active bool // last accepted (debounced) state
}

// NewInput configures pin for input with edge detection on both edges.
func NewInput(pin gpio.PinIn, opts *InputOptions) (*Input, error) {
	if pin == nil {
		return nil, ErrNilPin
	}
	var o InputOptions
	if opts != nil {
		o = *opts
	}
	if o.Debounce <= 0 {
		o.Debounce = 30 * time.Millisecond
	}
	if o.Poll <= 0 {
		o.Poll = 100 * time.Millisecond
	}
	if err := pin.In(o.Pull, gpio.BothEdges); err != nil {
		return nil, fmt.Errorf("gpio: %s: input: %w", pin, err)
	}
	in := &Input{pin: pin, opts: o}
	in.active = in.read()
	return in, nil
}

func (in *Input) read() bool { return (in.pin.Read() == gpio.High) != in.opts.ActiveLow }

// Active is the last debounced state (true: pressed / present).
func (in *Input) Active() bool { return in.active }

// Next waits for the next debounced change of state and returns the new
// state. Bounces shorter than Debounce are ignored.
func (in *Input) Next(ctx context.Context) (bool, error) {
	for {
		if err := ctx.Err(); err != nil {
			return in.active, err
		}
		edge := in.pin.WaitForEdge(in.opts.Poll)
		if !edge && in.read() == in.active {
			continue // nothing happened this poll
		}
		if err := in.settle(ctx); err != nil {
			return in.active, err
		}
		if now := in.read(); now != in.active {
			in.active = now
			return now, nil
		}
	}
}

// settle waits until no edge has been seen for the debounce time.
func (in *Input) settle(ctx context.Context) error {
	for in.pin.WaitForEdge(in.opts.Debounce) {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// WaitActive waits for a debounced transition to active: a button press or
// a vehicle arriving on the loop.
func (in *Input) WaitActive(ctx context.Context) error {
	for {
		active, err := in.Next(ctx)
		if err != nil {
			return err
		}
		if active {
			return nil
		}
	}
}

// String names the pin.
func (in *Input) String() string { return in.pin.String() }

// Button is a push button wired to ground with the internal pull-up.
type Button struct{ *Input }

// NewButton configures pin as an active-low button with pull-up; debounce
// 0 means 30 ms.
func NewButton(pin gpio.PinIn, debounce time.Duration) (*Button, error) {
	in, err := NewInput(pin, &InputOptions{Pull: gpio.PullUp, ActiveLow: true, Debounce: debounce})
	if err != nil {
		return nil, err
	}
	return &Button{in}, nil
}

// Press waits for the next debounced press.
func (b *Button) Press(ctx context.Context) error { return b.WaitActive(ctx) }

// LoopSensor is an inductive loop detector's output (active when a vehicle
// is over the loop). Detectors switch slowly; debounce is usually ~200 ms.
type LoopSensor struct{ *Input }

// NewLoopSensor configures pin as a loop detector input.
func NewLoopSensor(pin gpio.PinIn, activeLow bool, debounce time.Duration) (*LoopSensor, error) {
	if debounce <= 0 {
		debounce = 200 * time.Millisecond
	}
	pull := gpio.PullDown
	if activeLow {
		pull = gpio.PullUp
	}
	in, err := NewInput(pin, &InputOptions{Pull: pull, ActiveLow: activeLow, Debounce: debounce})
	if err != nil {
		return nil, err
	}
	return &LoopSensor{in}, nil
}

// Present reports whether a vehicle is on the loop (debounced).
func (l *LoopSensor) Present() bool { return l.Active() }
