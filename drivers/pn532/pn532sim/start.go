package pn532sim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/kiosk06/kiosk/drivers/serialport/ptypair"
)

// Sim is a simulated PN532 running on its own pseudo-terminal, the way
// httptest.Server runs a handler: start it, point the driver at Path or
// DeviceString, close it. The Device's methods (SetCard, Inject, Stats …)
// are promoted.
type Sim struct {
	*Device
	pair   *ptypair.Pair
	ctx    context.Context
	cancel context.CancelFunc
	stop   func() bool // ends the context watch
	wg     sync.WaitGroup
	baud   int

	mu     sync.Mutex
	master *os.File // the pair master being served
}

// Start makes a pty pair and serves a new simulated PN532 on its master
// side, with opts.Card in the field, until ctx is done or Close is called.
// With opts.Link set, the host path is that stable symlink and
// Unplug/Replug work. nil opts means defaults.
func Start(ctx context.Context, opts *Options) (*Sim, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	pair, err := ptypair.Open(&ptypair.Options{Link: o.Link})
	if err != nil {
		return nil, fmt.Errorf("pn532sim: %w", err)
	}
	s := &Sim{Device: NewDevice(&o), pair: pair, baud: 115200}
	if o.Timing != nil && o.Timing.Baud > 0 {
		s.baud = o.Timing.Baud
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	if err := s.serve(); err != nil {
		s.cancel()
		pair.Close()
		return nil, err
	}
	s.stop = context.AfterFunc(ctx, func() { s.release() })
	return s, nil
}

func (s *Sim) serve() error {
	m, err := pollableMaster(s.pair)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.master = m
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.Serve(s.ctx, m); err != nil && s.ctx.Err() == nil {
			s.opts.Logger.Debug("pn532sim stopped serving", "err", err)
		}
	}()
	return nil
}

// pollableMaster returns the pair's master, which ptypair keeps registered
// with Go's poller so that Close and SetReadDeadline unblock a pending Read.
func pollableMaster(pair *ptypair.Pair) (*os.File, error) {
	m := pair.Master()
	if m == nil {
		return nil, errors.New("pn532sim: pty is unplugged")
	}
	return m, nil
}

// closeMaster closes the served master and waits for Serve to return.
func (s *Sim) closeMaster() {
	s.mu.Lock()
	m := s.master
	s.master = nil
	s.mu.Unlock()
	if m != nil {
		m.Close()
	}
	s.wg.Wait()
}

// Path is the host side of the pty (the stable link if Options.Link was set).
func (s *Sim) Path() string { return s.pair.Path() }

// DeviceString is the device as `kioskd diag nfc --device` takes it,
// e.g. pn532:uart:/dev/pts/3@115200.
func (s *Sim) DeviceString() string {
	return fmt.Sprintf("pn532:uart:%s@%d", s.Path(), s.baud)
}

// Unplug pulls the device: the host sees a hang-up.
func (s *Sim) Unplug() error {
	err := s.pair.Unplug()
	s.closeMaster()
	return err
}

// Replug plugs the device back in at the same link; the PN532 comes back
// powered down, as after a real power cycle, and needs a wake-up.
func (s *Sim) Replug() error {
	if err := s.pair.Replug(); err != nil {
		return fmt.Errorf("pn532sim: %w", err)
	}
	s.PowerDown()
	return s.serve()
}

// Close stops the simulator and releases the pty. It may be called more
// than once.
func (s *Sim) Close() error {
	s.stop()
	return s.release()
}

func (s *Sim) release() error {
	s.cancel()
	err := s.pair.Close()
	s.closeMaster()
	return err
}
