// Package serialport owns the kiosk's serial lines: opening a port on
// github.com/tarm/serial with baud, parity and stop bits; reads bounded by a
// context deadline; write-all; and reopening with backoff after the device
// disappears (a USB adapter pulled and plugged back in).
//
// It imports nothing of the project: drivers (pn532, escpos, fingerprint,
// scanner) build on it, and it knows no device protocol.
//
// # Read deadlines over tarm/serial
//
// tarm/serial only offers a per-Read timeout, implemented with the termios
// VTIME field: it is rounded to 100 ms steps (minimum 100 ms), and a Read that
// times out returns (0, io.EOF). This package therefore always opens the port
// with a short ReadTimeout (the poll interval, 100 ms by default) and loops:
// each Read either returns data at once or returns (0, io.EOF) after one poll
// interval, and between polls the context is checked. A read's deadline is thus
// honoured to within one poll interval. A zero-byte read that returns much
// sooner than the poll interval is not a timeout: it is what a hung-up tty
// returns, so the port probes it with an empty write (EIO on a hang-up) and
// reports ErrDisconnected. Always having a ReadTimeout also avoids tarm's
// deadlock where Close waits for a Read blocked forever.
package serialport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/tarm/serial"
)

// Parity of a serial line.
type Parity byte

// Parity values, as in configuration files.
const (
	ParityNone Parity = 'N'
	ParityEven Parity = 'E'
	ParityOdd  Parity = 'O'
)

// Errors callers branch on.
var (
	// ErrTimeout: the context deadline passed before the requested bytes arrived.
	ErrTimeout = errors.New("serialport: read timed out")
	// ErrDisconnected: the device went away (hang-up, EIO, node removed).
	// The next operation tries to reopen it.
	ErrDisconnected = errors.New("serialport: device disconnected")
	// ErrClosed: the port was closed by its owner.
	ErrClosed = errors.New("serialport: port closed")
)

// Config describes one serial line.
type Config struct {
	Path     string // device node, e.g. /dev/ttyUSB0 or /dev/kiosk-nfc
	Baud     int    // e.g. 115200
	DataBits int    // 5..8; 0 means 8
	Parity   Parity // 0 means ParityNone
	StopBits int    // 1 or 2; 0 means 1
	// Poll is the tarm/serial ReadTimeout used for each underlying Read: the
	// granularity at which deadlines and cancellation are noticed. Rounded
	// up to 100 ms steps by the kernel; 0 means 100 ms.
	Poll time.Duration
	// Backoff bounds for reopening: first wait and maximum wait.
	// 0 means 50 ms and 2 s.
	BackoffMin, BackoffMax time.Duration
	// Logger for open/reopen events (never data). nil means slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.DataBits == 0 {
		c.DataBits = 8
	}
	if c.Parity == 0 {
		c.Parity = ParityNone
	}
	if c.StopBits == 0 {
		c.StopBits = 1
	}
	if c.Poll <= 0 {
		c.Poll = 100 * time.Millisecond
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 50 * time.Millisecond
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 2 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

func (c Config) tarm() (*serial.Config, error) {
	tc := &serial.Config{Name: c.Path, Baud: c.Baud, ReadTimeout: c.Poll, Size: byte(c.DataBits)}
	switch c.Parity {
	case ParityNone:
		tc.Parity = serial.ParityNone
	case ParityEven:
		tc.Parity = serial.ParityEven
	case ParityOdd:
		tc.Parity = serial.ParityOdd
	default:
		return nil, fmt.Errorf("serialport: parity %q not supported (want N, E or O)", rune(c.Parity))
	}
	switch c.StopBits {
	case 1:
		tc.StopBits = serial.Stop1
	case 2:
		tc.StopBits = serial.Stop2
	default:
		return nil, fmt.Errorf("serialport: %d stop bits not supported (want 1 or 2)", c.StopBits)
	}
	if c.DataBits < 5 || c.DataBits > 8 {
		return nil, fmt.Errorf("serialport: %d data bits not supported (want 5..8)", c.DataBits)
	}
	return tc, nil
}

// Port is an open serial line. Its methods are safe for one reader and one
// writer at a time; Close may be called from any goroutine.
type Port struct {
	cfg Config
	tc  *serial.Config

	mu     sync.Mutex // guards p, gen, closed
	p      *serial.Port
	gen    uint64
	closed bool
}

// Open opens the line once; it fails at once if the device is absent.
func Open(cfg Config) (*Port, error) {
	cfg = cfg.withDefaults()
	tc, err := cfg.tarm()
	if err != nil {
		return nil, err
	}
	sp, err := serial.OpenPort(tc)
	if err != nil {
		return nil, openError(cfg.Path, err)
	}
	return &Port{cfg: cfg, tc: tc, p: sp, gen: 1}, nil
}

// String names the port for logs.
func (p *Port) String() string { return fmt.Sprintf("serial %s@%d", p.cfg.Path, p.cfg.Baud) }

// Config returns the configuration the port was opened with.
func (p *Port) Config() Config { return p.cfg }

// Generation counts successful opens: it changes after a reopen, which tells a
// driver the device may have been power-cycled and needs initialising again.
func (p *Port) Generation() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gen
}

// conn returns the open port, reopening with backoff (bounded by ctx) if the
// device went away earlier.
func (p *Port) conn(ctx context.Context) (*serial.Port, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if p.p != nil {
		sp := p.p
		p.mu.Unlock()
		return sp, nil
	}
	p.mu.Unlock()
	return p.reopen(ctx)
}

func (p *Port) reopen(ctx context.Context) (*serial.Port, error) {
	wait := p.cfg.BackoffMin
	for attempt := 1; ; attempt++ {
		sp, err := serial.OpenPort(p.tc)
		if err == nil {
			p.mu.Lock()
			if p.closed {
				p.mu.Unlock()
				sp.Close()
				return nil, ErrClosed
			}
			p.p = sp
			p.gen++
			p.mu.Unlock()
			p.cfg.Logger.Info("serial port reopened", "port", p.cfg.Path, "attempt", attempt)
			return sp, nil
		}
		// Full jitter keeps a fleet of devices from retrying in lock step.
		d := wait/2 + rand.N(wait/2+1)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w: %s: reopen: %v", ErrDisconnected, p.cfg.Path, err)
		case <-t.C:
		}
		wait = min(wait*2, p.cfg.BackoffMax)
	}
}

// markGone drops the current handle after an I/O error that means the device
// is gone, so the next operation reopens.
func (p *Port) markGone(sp *serial.Port) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.p == sp {
		p.p = nil
		go sp.Close() // tarm Close can take up to one poll interval
	}
}

func isGone(err error) bool {
	return errors.Is(err, syscall.EIO) || errors.Is(err, syscall.ENXIO) ||
		errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.EBADF) ||
		errors.Is(err, os.ErrClosed)
}

// Read reads at least one byte into b, waiting until ctx is done. It returns
// ErrTimeout if ctx's deadline passed, ctx.Err() if it was cancelled, and
// ErrDisconnected if the device went away.
func (p *Port) Read(ctx context.Context, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	sp, err := p.conn(ctx)
	if err != nil {
		return 0, err
	}
	for {
		if err := ctxErr(ctx); err != nil {
			return 0, err
		}
		start := time.Now()
		n, err := sp.Read(b)
		if n > 0 {
			return n, nil
		}
		switch {
		case err == nil || errors.Is(err, io.EOF):
			// A timeout takes one poll interval; an immediate empty read
			// is what a hung-up line returns.
			if time.Since(start) < p.cfg.Poll/4 && p.hungUp(sp) {
				p.markGone(sp)
				return 0, fmt.Errorf("%w: %s", ErrDisconnected, p.cfg.Path)
			}
		case isGone(err):
			p.markGone(sp)
			return 0, fmt.Errorf("%w: %s: %v", ErrDisconnected, p.cfg.Path, err)
		default:
			return 0, fmt.Errorf("serialport: read %s: %w", p.cfg.Path, err)
		}
	}
}

// hungUp probes the line with an empty write: a hung-up tty answers EIO.
func (p *Port) hungUp(sp *serial.Port) bool {
	_, err := sp.Write(nil)
	return err != nil
}

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w (%w)", ErrTimeout, err)
		}
		return err
	}
	return nil
}

// ReadFull reads exactly len(b) bytes or fails as Read does.
func (p *Port) ReadFull(ctx context.Context, b []byte) error {
	for got := 0; got < len(b); {
		n, err := p.Read(ctx, b[got:])
		got += n
		if err != nil {
			return err
		}
	}
	return nil
}

// ReadOne reads one byte.
func (p *Port) ReadOne(ctx context.Context) (byte, error) {
	var b [1]byte
	if err := p.ReadFull(ctx, b[:]); err != nil {
		return 0, err
	}
	return b[0], nil
}

// Write writes all of b. A tty write does not block indefinitely on these
// lines (no hardware flow control in tarm/serial), so the context is checked
// between partial writes.
func (p *Port) Write(ctx context.Context, b []byte) error {
	sp, err := p.conn(ctx)
	if err != nil {
		return err
	}
	for len(b) > 0 {
		if err := ctxErr(ctx); err != nil {
			return err
		}
		n, err := sp.Write(b)
		b = b[n:]
		if err != nil {
			if isGone(err) {
				p.markGone(sp)
				return fmt.Errorf("%w: %s: %v", ErrDisconnected, p.cfg.Path, err)
			}
			if errors.Is(err, syscall.EAGAIN) {
				time.Sleep(time.Millisecond)
				continue
			}
			return fmt.Errorf("serialport: write %s: %w", p.cfg.Path, err)
		}
	}
	return nil
}

// Flush discards bytes received but not yet read, e.g. before a status query
// whose answer must not mix with stale bytes. tarm/serial flushes with
// TCIOFLUSH, so output still queued in the kernel is discarded too: call it
// only when nothing written is still in flight (after the device answered).
func (p *Port) Flush(ctx context.Context) error {
	sp, err := p.conn(ctx)
	if err != nil {
		return err
	}
	if err := sp.Flush(); err != nil {
		if isGone(err) {
			p.markGone(sp)
			return fmt.Errorf("%w: %s: %v", ErrDisconnected, p.cfg.Path, err)
		}
		return fmt.Errorf("serialport: flush %s: %w", p.cfg.Path, err)
	}
	return nil
}

// Reopen closes the line and opens it again, waiting with backoff until the
// device is back or ctx is done.
func (p *Port) Reopen(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	old := p.p
	p.p = nil
	p.mu.Unlock()
	if old != nil {
		old.Close()
	}
	_, err := p.reopen(ctx)
	return err
}

// Close closes the line. Pending reads return within one poll interval.
func (p *Port) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if p.p != nil {
		err := p.p.Close()
		p.p = nil
		return err
	}
	return nil
}

// openError wraps a failed open of path. An *os.PathError already names
// the operation and the path ("open /dev/x: no such file or directory"):
// naming them again made technicians read "open /dev/x: open /dev/x: …".
func openError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("serialport: %w", err)
	}
	return fmt.Errorf("serialport: open %s: %w", path, err)
}
