package escpos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/serialport"
)

// Transport is the serial line a Printer talks over; *serialport.Port
// implements it.
type Transport interface {
	Read(ctx context.Context, b []byte) (int, error)
	Write(ctx context.Context, b []byte) error
	// Flush discards pending input and output.
	Flush(ctx context.Context) error
}

// Options configure a Printer. The zero value prints raster on 80 mm paper.
type Options struct {
	EncoderOptions
	// Baud of the line, used to bound how long a job's bytes may take to
	// send; 0 means DefaultBaud.
	Baud int
	// StatusTimeout bounds the wait for each DLE EOT answer; 0 means 500 ms.
	StatusTimeout time.Duration
	// Logger for job outcomes (never ticket contents); nil means slog.Default().
	Logger *slog.Logger
}

// Result is what a print job reports besides an error.
type Result struct {
	// Status after the job.
	Status Status
	// PaperNearEnd is a warning: the job printed, but the roll is low.
	PaperNearEnd bool
	// Bytes sent to the printer.
	Bytes int
}

// Printer is an ESC/POS printer on a Transport. Its methods may be called
// from several goroutines; jobs are serialised.
type Printer struct {
	t      Transport
	closer io.Closer
	enc    *Encoder
	opts   Options

	mu sync.Mutex
}

// New returns a Printer on t.
func New(t Transport, opts *Options) (*Printer, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Baud <= 0 {
		o.Baud = DefaultBaud
	}
	if o.StatusTimeout <= 0 {
		o.StatusTimeout = 500 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	enc, err := NewEncoder(o.EncoderOptions)
	if err != nil {
		return nil, err
	}
	o.EncoderOptions = enc.opts
	return &Printer{t: t, enc: enc, opts: o}, nil
}

// Open opens the serial device (8N1) and returns a Printer on it; the baud
// rate in dev overrides opts.Baud.
func Open(dev Device, opts *Options) (*Printer, error) {
	port, err := serialport.Open(serialport.Config{Path: dev.Path, Baud: dev.Baud})
	if err != nil {
		return nil, fmt.Errorf("escpos: %w", err)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Baud = dev.Baud
	p, err := New(port, &o)
	if err != nil {
		port.Close()
		return nil, err
	}
	p.closer = port
	return p, nil
}

// Close closes the serial line if Open opened it.
func (p *Printer) Close() error {
	if p.closer == nil {
		return nil
	}
	return p.closer.Close()
}

// Width is the paper width in dots.
func (p *Printer) Width() int { return p.enc.Width() }

// Status flushes the line and queries DLE EOT 1..4.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status(ctx, true, 0)
}

// status asks DLE EOT 1..4. flush discards stale input first; it must be
// false right after a job, since serialport's Flush (TCIOFLUSH) would also
// drop print data still queued for the wire. extra adds to each wait (the
// time queued data needs to drain ahead of the query).
func (p *Printer) status(ctx context.Context, flush bool, extra time.Duration) (Status, error) {
	if flush {
		if err := p.t.Flush(ctx); err != nil {
			return Status{}, fmt.Errorf("escpos: status: flush: %w", err)
		}
	}
	var raw [4]byte
	for n := byte(1); n <= 4; n++ {
		b, err := p.query(ctx, n, p.opts.StatusTimeout+extra)
		if errors.Is(err, ErrOffline) && ctx.Err() == nil {
			b, err = p.query(ctx, n, p.opts.StatusTimeout) // one retry: a byte can be lost on the line
		}
		if err != nil {
			return Status{}, err
		}
		raw[n-1] = b
		extra = 0
	}
	return DecodeStatus(raw)
}

// query sends DLE EOT n and reads its one-byte answer, skipping bytes that
// do not have the status shape (e.g. stray or late answers).
func (p *Printer) query(ctx context.Context, n byte, wait time.Duration) (byte, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := p.t.Write(ctx, []byte{DLE, EOT, n}); err != nil {
		return 0, fmt.Errorf("escpos: DLE EOT %d: %w", n, err)
	}
	var b [1]byte
	for {
		if _, err := p.t.Read(ctx, b[:]); err != nil {
			if errors.Is(err, serialport.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
				return 0, fmt.Errorf("%w: no answer to DLE EOT %d within %v", ErrOffline, n, wait)
			}
			return 0, fmt.Errorf("escpos: DLE EOT %d: %w", n, err)
		}
		if ValidStatusByte(b[0]) {
			return b[0], nil
		}
	}
}

// Print checks the printer, sends doc, and checks again. Before sending, any
// error state (paper end, cover open, cutter, offline) aborts the job with
// its sentinel error and nothing is printed. After sending, an error state
// means the job may not have printed completely and is reported the same way.
// A roll near its end is reported in Result.PaperNearEnd, not as an error.
func (p *Printer) Print(ctx context.Context, doc *Document) (Result, error) {
	data, err := p.enc.Encode(doc)
	if err != nil {
		return Result{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	before, err := p.status(ctx, true, 0)
	if err != nil {
		return Result{}, fmt.Errorf("escpos: print: status before: %w", err)
	}
	if err := before.Err(); err != nil {
		return Result{Status: before}, fmt.Errorf("escpos: print: not started: %w", err)
	}
	sendTime := p.sendTime(len(data))
	wctx, cancel := context.WithTimeout(ctx, sendTime+time.Second)
	err = p.t.Write(wctx, data)
	cancel()
	if err != nil {
		return Result{Bytes: len(data)}, fmt.Errorf("escpos: print: send %d bytes: %w", len(data), err)
	}
	after, err := p.status(ctx, false, p.sendTime(4096)+time.Second)
	if err != nil {
		return Result{Bytes: len(data)}, fmt.Errorf("escpos: print: status after: %w", err)
	}
	res := Result{Status: after, PaperNearEnd: after.Paper == PaperNearEnd, Bytes: len(data)}
	if err := after.Err(); err != nil {
		return res, fmt.Errorf("escpos: print: incomplete: %w", err)
	}
	if res.PaperNearEnd {
		p.opts.Logger.Warn("escpos: paper near end")
	}
	return res, nil
}

// sendTime is how long n bytes take on the wire (10 bits per byte).
func (p *Printer) sendTime(n int) time.Duration {
	return time.Duration(n) * 10 * time.Second / time.Duration(p.opts.Baud)
}

// Send writes raw commands (built with Builder) without status checks.
func (p *Printer) Send(ctx context.Context, cmds []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, p.sendTime(len(cmds))+time.Second)
	defer cancel()
	if err := p.t.Write(wctx, cmds); err != nil {
		return fmt.Errorf("escpos: send: %w", err)
	}
	return nil
}
