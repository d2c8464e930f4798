// Package scannersim is the device side of a serial 2D scanner in plain
// serial mode: it writes scans (text and a suffix, CRLF by default) to the
// master end of a pseudo-terminal, optionally in small pieces with pauses
// (as a slow UART or a USB-serial bridge delivers them), and can write
// garbage bytes on request. The host opens Path like the real device.
//
// It is test and simulation code; it imports drivers/serialport/ptypair.
package scannersim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/serialport/ptypair"
)

// Options configure a simulated scanner. The zero value (or nil) is a
// scanner that ends every scan with CRLF.
type Options struct {
	// Suffix follows every scan (default "\r\n").
	Suffix string
	// Chunk, if positive, splits every write into pieces of this many
	// bytes with ChunkDelay between them (partial writes).
	Chunk      int
	ChunkDelay time.Duration
	// Link, if set, is a stable symlink to the host side (for Unplug and
	// Replug).
	Link string
}

// Sim is a simulated scanner on its own pty.
type Sim struct {
	opts Options
	pair *ptypair.Pair
	stop func() bool // ends the context watch
	mu   sync.Mutex  // serialises writes
}

// Start opens a pty pair for the scanner. It is released when ctx is done
// or Close is called.
func Start(ctx context.Context, opts *Options) (*Sim, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Suffix == "" {
		o.Suffix = "\r\n"
	}
	pair, err := ptypair.Open(&ptypair.Options{Link: o.Link})
	if err != nil {
		return nil, fmt.Errorf("scannersim: %w", err)
	}
	s := &Sim{opts: o, pair: pair}
	s.stop = context.AfterFunc(ctx, func() { s.release() })
	return s, nil
}

// Path is the host side of the pty.
func (s *Sim) Path() string { return s.pair.Path() }

// DeviceString names the device for configuration and diagnostics, e.g.
// scanner:/dev/pts/4@9600.
func (s *Sim) DeviceString() string { return "scanner:" + s.Path() + "@9600" }

// Scan writes one scan: text followed by the suffix.
func (s *Sim) Scan(text string) error { return s.WriteRaw([]byte(text + s.opts.Suffix)) }

// WriteRaw writes bytes as they are (garbage, a partial scan, a scan
// with another suffix), split into chunks when Options.Chunk is set.
func (s *Sim) WriteRaw(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.pair.Master()
	if m == nil {
		return errors.New("scannersim: scanner is unplugged")
	}
	step := len(b)
	if s.opts.Chunk > 0 {
		step = s.opts.Chunk
	}
	for len(b) > 0 {
		n := min(step, len(b))
		if _, err := m.Write(b[:n]); err != nil {
			return fmt.Errorf("scannersim: %w", err)
		}
		b = b[n:]
		if len(b) > 0 && s.opts.ChunkDelay > 0 {
			time.Sleep(s.opts.ChunkDelay)
		}
	}
	return nil
}

// Unplug pulls the scanner: the host sees a hang-up.
func (s *Sim) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pair.Unplug()
}

// Replug plugs it back at the same link (needs Options.Link).
func (s *Sim) Replug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pair.Replug()
}

// Close releases the pty. It may be called more than once.
func (s *Sim) Close() error {
	s.stop()
	return s.release()
}

func (s *Sim) release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pair.Close()
}
