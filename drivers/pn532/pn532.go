// Package pn532 is the host-side driver for the NXP PN532 NFC front end,
// following the PN532 User Manual (UM0701, rev. 02) with libnfc as the
// reference implementation. It owns the frame layer (normal and extended
// information frames, ACK, NACK, error frame, LCS/DCS, the HSU wake-up and
// abort by ACK), the commands a reader needs (GetFirmwareVersion,
// SAMConfiguration, SetParameters, RFConfiguration, InListPassiveTarget for
// Type A and Type B at 106 kbps, InDataExchange with MI chaining both ways,
// InPSL, InRelease, Diagnose), and the three host interfaces: HSU (UART,
// through drivers/serialport), I²C and SPI (through periph.io).
//
// Dev implements nfc.Reader; the cards it returns implement nfc.Card.
//
// Terms: TFI is the frame identifier (D4 host→PN532, D5 PN532→host); Tg is
// the target number the PN532 gives an activated card; MI is the "more
// information" chaining bit; ATS is the ISO/IEC 14443-4 answer to select;
// ATQB is the Type B answer to request, whose bytes 1..4 are the PUPI.
//
// It imports drivers/nfc, drivers/serialport and periph.io/x/conn only,
// never a flow, a simulator or periph's host: the caller initialises the
// host (firmware/devices) before a bus is opened by name. APDU contents are
// never logged.
package pn532

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/drivers/serialport"
)

// Errors callers branch on (see also ErrChecksum, ErrFrame, ErrApplication
// and StatusError).
var (
	// ErrNoResponse: the PN532 did not ACK or answer in time.
	ErrNoResponse = errors.New("pn532: PN532 did not answer")
	// ErrNACK: the PN532 kept answering NACK to a command.
	ErrNACK = errors.New("pn532: PN532 answered NACK")
	// ErrUnexpected: a response that does not belong to the command sent.
	ErrUnexpected = errors.New("pn532: unexpected response")
	// ErrClosed: the Dev was closed.
	ErrClosed = errors.New("pn532: device closed")
)

// Opts configures a Dev. The zero value of a field means its default.
type Opts struct {
	// ACKTimeout bounds the wait for the ACK after a command (default
	// 250 ms: the PN532 ACKs within a millisecond, but serialport notices
	// data only at its 100 ms poll granularity in the worst case).
	ACKTimeout time.Duration
	// ResponseTimeout bounds the wait for a response (default 1 s); it
	// should exceed the RF timeout the PN532 itself applies.
	ResponseTimeout time.Duration
	// Retries is how many times a command is sent again after a NACK or
	// how many NACKs the host sends after a corrupted response (default 2).
	Retries int
	// PollInterval is the pause between two InListPassiveTarget rounds
	// while WaitCard finds no card (default 50 ms).
	PollInterval time.Duration
	// TypeAOnly skips the Type B polling rounds (by default Type A and
	// Type B rounds alternate).
	TypeAOnly bool
	// MaxBitRate is the highest bit rate negotiated with InPSL for Type A
	// (106, 212 or 424; default 424; 106 disables InPSL).
	MaxBitRate int
	// Logger gets init and error events, never APDU contents. nil means
	// slog.Default().
	Logger *slog.Logger
}

// DefaultOpts are the defaults spelled out.
var DefaultOpts = Opts{
	ACKTimeout:      250 * time.Millisecond,
	ResponseTimeout: time.Second,
	Retries:         2,
	PollInterval:    50 * time.Millisecond,
	MaxBitRate:      424,
}

func (o Opts) withDefaults() Opts {
	d := DefaultOpts
	if o.ACKTimeout <= 0 {
		o.ACKTimeout = d.ACKTimeout
	}
	if o.ResponseTimeout <= 0 {
		o.ResponseTimeout = d.ResponseTimeout
	}
	if o.Retries <= 0 {
		o.Retries = d.Retries
	}
	if o.PollInterval <= 0 {
		o.PollInterval = d.PollInterval
	}
	if o.MaxBitRate == 0 {
		o.MaxBitRate = d.MaxBitRate
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Firmware is the answer to GetFirmwareVersion (UM0701 §7.2.2).
type Firmware struct {
	IC      byte // 0x32 for a PN532
	Ver     byte
	Rev     byte
	Support byte // bit 0 ISO/IEC 14443 A, bit 1 B, bit 2 ISO 18092
}

// String is e.g. "PN532 1.6".
func (f Firmware) String() string {
	return fmt.Sprintf("PN5%02X %d.%d", f.IC, f.Ver, f.Rev)
}

// Dev is one PN532. Its methods are safe for concurrent use; commands are
// serialised.
type Dev struct {
	t    Transport
	opts Opts

	mu       sync.Mutex
	gen      uint64 // link generation the PN532 was initialised for
	inited   bool
	closed   bool
	fw       Firmware
	session  uint64 // bumped at every (re)initialisation; cards check it
	lastType nfc.Type
}

// New initialises the PN532 behind t: wake-up, GetFirmwareVersion,
// SAMConfiguration (normal mode), SetParameters and RFConfiguration.
// It fails if the PN532 does not answer. nil opts means DefaultOpts.
func New(t Transport, opts *Opts) (*Dev, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	d := &Dev{t: t, opts: o.withDefaults()}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.ensureInit(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// String names the reader.
func (d *Dev) String() string { return d.t.String() }

// Firmware is what GetFirmwareVersion returned at the last initialisation.
func (d *Dev) Firmware() Firmware {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.fw
}

// Close releases the transport.
func (d *Dev) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.t.Close()
}

// ensureInit (re)initialises the PN532 when the link generation changed
// (the device was replugged and lost its configuration) or a previous
// initialisation failed. d.mu is held.
func (d *Dev) ensureInit(ctx context.Context) error {
	if d.closed {
		return ErrClosed
	}
	gen, err := d.t.Sync(ctx)
	if err != nil {
		d.inited = false
		return fmt.Errorf("pn532: %w", err)
	}
	if d.inited && gen == d.gen {
		return nil
	}
	d.inited = false
	d.session++
	if err := d.initialise(ctx); err != nil {
		return err
	}
	d.gen, d.inited = gen, true
	d.opts.Logger.Info("pn532 initialised", "link", d.t.String(), "firmware", d.fw.String(), "generation", gen)
	return nil
}

func (d *Dev) initialise(ctx context.Context) error {
	if err := d.t.Wake(ctx); err != nil {
		return fmt.Errorf("pn532: wake-up: %w", err)
	}
	// SAMConfiguration comes first after an HSU wake-up (UM0701 §7.2.10).
	if err := d.samConfiguration(ctx); err != nil {
		return err
	}
	fw, err := d.getFirmwareVersion(ctx)
	if err != nil {
		return err
	}
	d.fw = fw
	if err := d.setParameters(ctx, paramAutomaticATR|paramAutomaticRATS); err != nil {
		return err
	}
	// MxRtyATR, MxRtyPSL default; one passive activation attempt per
	// InListPassiveTarget so that WaitCard stays responsive (libnfc does
	// the same when polling).
	if err := d.rfConfiguration(ctx, cfgMaxRetries, 0xFF, 0x01, 0x01); err != nil {
		return err
	}
	// fATR_RES_Timeout 102.4 ms, fRetryTimeout 51.2 ms (UM0701 §7.3.1).
	return d.rfConfiguration(ctx, cfgTimings, 0x00, 0x0B, 0x0A)
}

// command sends one command (code and parameters) and returns the response
// parameters after the response code. d.mu is held.
func (d *Dev) command(ctx context.Context, name string, code byte, params ...byte) ([]byte, error) {
	data := make([]byte, 0, 2+len(params))
	data = append(append(data, tfiHostToPN532, code), params...)
	f, err := encodeFrame(data)
	if err != nil {
		return nil, fmt.Errorf("pn532: %s: %w", name, err)
	}
	resp, err := d.exchangeFrame(ctx, f, code+1)
	if err != nil {
		return nil, fmt.Errorf("pn532: %s: %w", name, err)
	}
	return resp[2:], nil
}

// exchangeFrame sends f, waits for the ACK (resending after a NACK), then
// reads the response whose code is want (sending NACK after a corrupted
// one, and skipping a late answer to an earlier, resent command). When no
// response comes it aborts the command with an ACK (UM0701 §6.2.1.3).
func (d *Dev) exchangeFrame(ctx context.Context, f []byte, want byte) ([]byte, error) {
	if err := d.sendAcked(ctx, f); err != nil {
		return nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, d.opts.ResponseTimeout)
	defer cancel()
	for attempt, stale := 0, 0; ; {
		fr, err := d.t.Receive(rctx, false)
		switch {
		case err == nil && fr.Kind == kindInfo && len(fr.Data) >= 2 && fr.Data[0] == tfiPN532ToHost && fr.Data[1] == want:
			return fr.Data, nil
		case err == nil && fr.Kind == kindInfo && stale < 2:
			stale++ // the answer to a command sent twice
		case err == nil && fr.Kind == kindInfo:
			return nil, fmt.Errorf("%w: % X", ErrUnexpected, fr.Data[:min(len(fr.Data), 2)])
		case err == nil && fr.Kind == kindACK:
			// A second ACK, for a command that was resent: skip it.
		case err == nil && fr.Kind == kindError:
			return nil, ErrApplication
		case err == nil:
			return nil, fmt.Errorf("%w: %s frame instead of a response", ErrUnexpected, fr.Kind)
		case errors.Is(err, ErrChecksum) && attempt < d.opts.Retries:
			attempt++
			if err := d.t.Send(ctx, nackFrame); err != nil {
				return nil, err
			}
		case isTimeout(err):
			d.abort(ctx)
			return nil, fmt.Errorf("%w: no response: %w", ErrNoResponse, err)
		default:
			return nil, err
		}
	}
}

// sendAcked writes f and waits for its ACK, resending on NACK, garbage or
// a missing ACK up to Retries times.
func (d *Dev) sendAcked(ctx context.Context, f []byte) error {
	var last error
	for attempt := 0; attempt <= d.opts.Retries; attempt++ {
		if err := d.t.Send(ctx, f); err != nil {
			return err
		}
		actx, cancel := context.WithTimeout(ctx, d.opts.ACKTimeout)
		fr, err := d.t.Receive(actx, true)
		cancel()
		switch {
		case err == nil && fr.Kind == kindACK:
			return nil
		case err == nil && fr.Kind == kindNACK:
			last = ErrNACK
		case err == nil:
			last = fmt.Errorf("%w: %s frame instead of ACK", ErrUnexpected, fr.Kind)
		case isTimeout(err):
			last = fmt.Errorf("%w: no ACK: %w", ErrNoResponse, err)
		case errors.Is(err, ErrChecksum), errors.Is(err, ErrFrame):
			last = err
		default:
			return err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return last
}

// abort cancels the pending command by sending an ACK (UM0701 §6.2.1.3).
func (d *Dev) abort(ctx context.Context) {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 100*time.Millisecond)
		defer cancel()
	}
	_ = d.t.Send(ctx, ackFrame)
}

func isTimeout(err error) bool {
	return errors.Is(err, serialport.ErrTimeout) || errors.Is(err, ErrNoResponse) ||
		errors.Is(err, context.DeadlineExceeded)
}
