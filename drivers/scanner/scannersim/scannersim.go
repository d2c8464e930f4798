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

// Opts configures a simulated scanner.
type Opts struct {
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

// Server is a simulated scanner on its own pty.
type Server struct {
	opts Opts
	pair *ptypair.Pair
	mu   sync.Mutex // serialises writes
}

// Start opens a pty pair for the scanner; it is closed when ctx is done
// or Close is called.
func Start(ctx context.Context, opts *Opts) (*Server, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if o.Suffix == "" {
		o.Suffix = "\r\n"
	}
	var pair *ptypair.Pair
	var err error
	pair, err = ptypair.Open(&ptypair.Options{Link: o.Link})
	if err != nil {
		return nil, fmt.Errorf("scannersim: %w", err)
	}
	s := &Server{opts: o, pair: pair}
	context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

// Path is the host side of the pty.
func (s *Server) Path() string { return s.pair.Path() }

// DeviceString names the device for configuration and diagnostics, e.g.
// scanner:/dev/pts/4@9600.
func (s *Server) DeviceString() string { return "scanner:" + s.Path() + "@9600" }

// Scan writes one scan: text followed by the suffix.
func (s *Server) Scan(text string) error { return s.WriteRaw([]byte(text + s.opts.Suffix)) }

// WriteRaw writes bytes as they are (garbage, a partial scan, a scan
// with another suffix), split into chunks when Opts.Chunk is set.
func (s *Server) WriteRaw(b []byte) error {
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
func (s *Server) Unplug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pair.Unplug()
}

// Replug plugs it back at the same link (needs Opts.Link).
func (s *Server) Replug() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pair.Replug()
}

// Close releases the pty.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pair.Close()
}
