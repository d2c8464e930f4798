package gpio

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Output is a digital output: an LED, a buzzer, a relay. Safe for one
// goroutine at a time.
type Output struct {
	pin       gpio.PinOut
	activeLow bool
	on        bool
}

// NewOutput drives pin, initially off. activeLow: the load is on when the
// pin is Low (a sinking driver).
func NewOutput(pin gpio.PinOut, activeLow bool) (*Output, error) {
	if pin == nil {
		return nil, ErrNilPin
	}
	o := &Output{pin: pin, activeLow: activeLow}
	if err := o.Set(false); err != nil {
		return nil, err
	}
	return o, nil
}

// Set switches the output on or off.
func (o *Output) Set(on bool) error {
	lvl := gpio.Level(on != o.activeLow)
	if err := o.pin.Out(lvl); err != nil {
		return fmt.Errorf("gpio: %s: out: %w", o.pin, err)
	}
	o.on = on
	return nil
}

// On is the last state set.
func (o *Output) On() bool { return o.on }

// Pulse switches on for d, then off (a relay opening a barrier, one beep).
// It returns early, switched off, if ctx ends.
func (o *Output) Pulse(ctx context.Context, d time.Duration) error {
	if err := o.Set(true); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	var cerr error
	select {
	case <-t.C:
	case <-ctx.Done():
		cerr = ctx.Err()
	}
	if err := o.Set(false); err != nil {
		return err
	}
	return cerr
}

// Beep pulses n times, on for on and off for off (buzzer patterns, a
// blinking LED).
func (o *Output) Beep(ctx context.Context, n int, on, off time.Duration) error {
	for i := 0; i < n; i++ {
		if err := o.Pulse(ctx, on); err != nil {
			return err
		}
		if i == n-1 {
			break
		}
		select {
		case <-time.After(off):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// String names the pin.
func (o *Output) String() string { return o.pin.String() }
