package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Step is a point in a capture sequence a screen may prompt for.
type Step string

// Capture steps reported to a prompt callback.
const (
	StepPlace   Step = "place"   // put the finger on the sensor
	StepLift    Step = "lift"    // take it off
	StepAgain   Step = "again"   // put the same finger on again
	StepCapture Step = "capture" // image taken, processing
)

// WaitFinger polls GenImg until a finger image is captured. It returns
// ErrNoFinger (wrapping the context's error) if ctx ends first; other
// module errors (bad image, transport) end the wait at once.
func (d *Dev) WaitFinger(ctx context.Context) error {
	for {
		err := d.GenImg(ctx)
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("fingerprint: wait for finger: %w (%w)", ErrNoFinger, ctx.Err())
		}
		if !errors.Is(err, ErrNoFinger) {
			return err
		}
		if werr := d.sleep(ctx); werr != nil {
			return fmt.Errorf("fingerprint: wait for finger: %w (%w)", ErrNoFinger, werr)
		}
	}
}

// WaitLift polls GenImg until the sensor is empty.
func (d *Dev) WaitLift(ctx context.Context) error {
	for {
		err := d.GenImg(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return fmt.Errorf("fingerprint: wait for lift: %w", ctx.Err())
		case errors.Is(err, ErrNoFinger):
			return nil
		case err != nil && !errors.Is(err, ErrBadImage):
			return err
		}
		if werr := d.sleep(ctx); werr != nil {
			return fmt.Errorf("fingerprint: wait for lift: %w", werr)
		}
	}
}

func (d *Dev) sleep(ctx context.Context) error {
	t := time.NewTimer(d.opts.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Capture waits for a finger and converts its image into buffer.
func (d *Dev) Capture(ctx context.Context, buffer int) error {
	if err := d.WaitFinger(ctx); err != nil {
		return err
	}
	return d.Img2Tz(ctx, buffer)
}

// Enroll captures a finger twice (lifting in between), combines the
// captures and stores the template at slot. prompt (may be nil) is told
// each step for the screen.
func (d *Dev) Enroll(ctx context.Context, slot int, prompt func(Step)) error {
	say := func(s Step) {
		if prompt != nil {
			prompt(s)
		}
	}
	say(StepPlace)
	if err := d.Capture(ctx, Buffer1); err != nil {
		return err
	}
	say(StepLift)
	if err := d.WaitLift(ctx); err != nil {
		return err
	}
	say(StepAgain)
	if err := d.Capture(ctx, Buffer2); err != nil {
		return err
	}
	say(StepCapture)
	if err := d.RegModel(ctx); err != nil {
		return err
	}
	return d.Store(ctx, Buffer1, slot)
}

// VerifySlot loads slot's template, captures a finger and matches them
// (1:1). It returns the module's score; ErrNoMatch when they differ.
func (d *Dev) VerifySlot(ctx context.Context, slot int, prompt func(Step)) (score int, err error) {
	if err := d.LoadChar(ctx, Buffer2, slot); err != nil {
		return 0, err
	}
	if prompt != nil {
		prompt(StepPlace)
	}
	if err := d.Capture(ctx, Buffer1); err != nil {
		return 0, err
	}
	return d.Match(ctx)
}

// Identify captures a finger and searches the whole library (1:N).
func (d *Dev) Identify(ctx context.Context, prompt func(Step)) (slot, score int, err error) {
	if prompt != nil {
		prompt(StepPlace)
	}
	if err := d.Capture(ctx, Buffer1); err != nil {
		return 0, 0, err
	}
	capacity := d.SysPara().Capacity
	if capacity <= 0 {
		capacity = 0xFFFF
	}
	return d.Search(ctx, Buffer1, 0, capacity)
}
