// Package scanner reads a serial 2D barcode/QR scanner in its plain serial
// mode: each scan arrives as text followed by a suffix (CR, LF or CRLF by
// default, or a configured byte sequence). It owns line framing, UTF-8
// validation, a maximum length, suppression of an identical scan repeated
// within a window (a code held in front of the window is read many times a
// second), and carrying on after the scanner is unplugged and plugged back
// (drivers/serialport reopens the line).
//
// It takes its line as a Port interface (a *serialport.Port in production)
// and imports drivers/serialport only to open one and for its errors. Scan contents may be personal data
// (the CCCD QR carries name, ID number and date of birth): they are never
// logged.
package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/kiosk06/kiosk/drivers/serialport"
)

// Errors callers branch on. After either, the bad line has been discarded
// and Next can be called again.
var (
	// ErrTooLong: a line exceeded Opts.MaxLen before its suffix.
	ErrTooLong = errors.New("scanner: scan too long")
	// ErrInvalidUTF8: a line was not valid UTF-8 (noise on the line, or the
	// scanner set to a legacy code page).
	ErrInvalidUTF8 = errors.New("scanner: scan is not valid UTF-8")
)

// Opts configures a Scanner. Zero fields take their defaults.
type Opts struct {
	// Suffix ends a scan. Empty means any of CR, LF or CRLF (empty lines are
	// ignored, so CRLF does not yield an empty scan).
	Suffix []byte
	// MaxLen bounds a scan in bytes (default 4096; a version-40 QR code
	// holds at most 2953 bytes).
	MaxLen int
	// RepeatWindow suppresses a scan identical to the previous one that
	// arrives less than this long after it (default 1 s; negative disables).
	// The window slides: a code held in front of the scanner stays
	// suppressed until it has been away for the whole window.
	RepeatWindow time.Duration
	// Now is the clock (default time.Now), for tests.
	Now func() time.Time
	// Logger for reconnect events (never scan contents). nil means
	// slog.Default().
	Logger *slog.Logger
}

func (o Opts) withDefaults() Opts {
	if o.MaxLen <= 0 {
		o.MaxLen = 4096
	}
	if o.RepeatWindow == 0 {
		o.RepeatWindow = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// ParseSuffix maps a configuration value (firmware/config scanner suffix)
// to Opts.Suffix: "cr", "lf", "crlf", or "any"/"" for any line end.
func ParseSuffix(name string) ([]byte, error) {
	switch name {
	case "", "any":
		return nil, nil
	case "cr":
		return []byte("\r"), nil
	case "lf":
		return []byte("\n"), nil
	case "crlf":
		return []byte("\r\n"), nil
	}
	return nil, fmt.Errorf("scanner: suffix %q: want cr, lf, crlf or any", name)
}

// Scan is one decoded scan.
type Scan struct {
	Text string
	At   time.Time // when its suffix arrived
}

// Port is the serial line a Scanner reads; *serialport.Port implements it.
// Read returns serialport.ErrDisconnected (wrapped) when the device went
// away, and the next Read waits for it to come back.
type Port interface {
	Read(ctx context.Context, b []byte) (int, error)
	Close() error
	// String names the line for logs.
	String() string
}

var _ Port = (*serialport.Port)(nil)

// Scanner reads scans from one serial port. It is meant for one reading
// goroutine.
type Scanner struct {
	port Port
	opts Opts

	buf      []byte // bytes received, not yet framed
	line     []byte // current line
	overflow bool   // current line exceeded MaxLen; skip to its end
	last     string
	lastAt   time.Time
	haveLast bool
}

// New reads scans from an open port (a *serialport.Port, or a fake in
// tests).
func New(port Port, opts *Opts) *Scanner {
	var o Opts
	if opts != nil {
		o = *opts
	}
	return &Scanner{port: port, opts: o.withDefaults()}
}

// Open opens the scanner's serial port (baud 0 means 9600, the usual
// factory setting of serial 2D scanners).
func Open(path string, baud int, opts *Opts) (*Scanner, error) {
	if baud == 0 {
		baud = 9600
	}
	var logger *slog.Logger
	if opts != nil {
		logger = opts.Logger
	}
	p, err := serialport.Open(serialport.Config{Path: path, Baud: baud, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("scanner: %w", err)
	}
	return New(p, opts), nil
}

// String names the scanner for logs.
func (s *Scanner) String() string { return "scanner " + s.port.String() }

// Close closes the port.
func (s *Scanner) Close() error { return s.port.Close() }

// Next waits for the next scan until ctx is done. When the scanner is
// unplugged the partial line is dropped and Next keeps waiting while the
// port reopens. It returns ErrTooLong or ErrInvalidUTF8 (wrapped) for a
// bad line, and the context's error (serialport.ErrTimeout for a passed
// deadline) when ctx ends.
func (s *Scanner) Next(ctx context.Context) (Scan, error) {
	for {
		if sc, ok, err := s.frame(); ok || err != nil {
			return sc, err
		}
		var chunk [256]byte
		n, err := s.port.Read(ctx, chunk[:])
		s.buf = append(s.buf, chunk[:n]...)
		switch {
		case err == nil:
		case errors.Is(err, serialport.ErrDisconnected):
			s.opts.Logger.Warn("scanner disconnected, waiting for it to come back", "port", s.port.String())
			s.buf, s.line, s.overflow = s.buf[:0], s.line[:0], false
			if ctx.Err() != nil {
				return Scan{}, fmt.Errorf("scanner: %w", err)
			}
		default:
			return Scan{}, fmt.Errorf("scanner: %w", err)
		}
	}
}

// frame takes complete lines out of s.buf until one yields a scan or an
// error.
func (s *Scanner) frame() (Scan, bool, error) {
	for {
		body, rest, found := s.cut()
		if !found {
			s.appendLine(body)
			s.buf = append(s.buf[:0], rest...)
			return Scan{}, false, nil
		}
		s.appendLine(body)
		s.buf = rest
		sc, ok, err := s.finish()
		if ok || err != nil {
			return sc, ok, err
		}
	}
}

// cut splits s.buf at the first suffix. Without one, body is everything
// except a trailing partial suffix, which stays in rest.
func (s *Scanner) cut() (body, rest []byte, found bool) {
	if len(s.opts.Suffix) == 0 {
		if i := bytes.IndexAny(s.buf, "\r\n"); i >= 0 {
			return s.buf[:i], s.buf[i+1:], true
		}
		return s.buf, nil, false
	}
	if i := bytes.Index(s.buf, s.opts.Suffix); i >= 0 {
		return s.buf[:i], s.buf[i+len(s.opts.Suffix):], true
	}
	keep := 0
	for k := min(len(s.opts.Suffix)-1, len(s.buf)); k > 0; k-- {
		if bytes.HasSuffix(s.buf, s.opts.Suffix[:k]) {
			keep = k
			break
		}
	}
	return s.buf[:len(s.buf)-keep], s.buf[len(s.buf)-keep:], false
}

// appendLine adds b to the current line, bounded by MaxLen.
func (s *Scanner) appendLine(b []byte) {
	if s.overflow {
		return
	}
	if len(s.line)+len(b) > s.opts.MaxLen {
		s.overflow = true
		s.line = s.line[:0]
		return
	}
	s.line = append(s.line, b...)
}

// finish ends the current line: validate, suppress repeats, emit.
func (s *Scanner) finish() (Scan, bool, error) {
	line, overflow := s.line, s.overflow
	s.line, s.overflow = nil, false
	switch {
	case overflow:
		return Scan{}, false, fmt.Errorf("%w (over %d bytes)", ErrTooLong, s.opts.MaxLen)
	case len(line) == 0:
		return Scan{}, false, nil
	case !utf8.Valid(line):
		return Scan{}, false, fmt.Errorf("%w (%d bytes)", ErrInvalidUTF8, len(line))
	}
	now := s.opts.Now()
	text := string(line)
	repeat := s.haveLast && text == s.last && s.opts.RepeatWindow > 0 && now.Sub(s.lastAt) < s.opts.RepeatWindow
	s.last, s.lastAt, s.haveLast = text, now, true
	if repeat {
		return Scan{}, false, nil
	}
	return Scan{Text: text, At: now}, true, nil
}
