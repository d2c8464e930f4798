// Package pcsc is the host side of a PC/SC contactless reader: it
// implements nfc.Reader and nfc.Card on top of pcscd (pcsc-lite) through
// github.com/ebfe/scard (cgo, libpcsclite). A USB CCID reader, or the
// vsmartcard vpcd virtual reader driven by package vpcdsim, both appear
// here as a PC/SC reader.
//
// It follows PC/SC part 5 (SCardGetStatusChange, SCardConnect,
// SCardTransmit) and PC/SC part 3 v2.01 §3.2.2.1.3 (the GET DATA
// pseudo-APDU FF CA 00 00 00 that returns the card's UID), and completes
// ISO/IEC 7816-4 §5.6 status words 61xx (GET RESPONSE) and 6Cxx (wrong Le)
// itself because pcsc-lite passes them through.
//
// It imports only drivers/nfc of the project; it must not import flows,
// firmware or UI packages.
package pcsc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ebfe/scard"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Opts tunes a Reader. The zero value (or nil) is a sensible default.
type Opts struct {
	// PollInterval bounds each SCardGetStatusChange call in WaitCard so
	// ctx is honoured within this time (default 200 ms).
	PollInterval time.Duration
	// NoGetResponse disables the driver's own 61xx/6Cxx handling, for a
	// reader whose firmware already does it.
	NoGetResponse bool
	// RemovalGrace is how long a failed exchange waits for pcscd to
	// report the card gone before calling the failure a protocol error
	// (default 600 ms: pcscd polls readers without hot-plug events, such
	// as vpcd, every 400 ms).
	RemovalGrace time.Duration
	// Logger receives debug lines (never APDU data); default slog.Default().
	Logger *slog.Logger
}

// Reader is a PC/SC reader slot. It implements nfc.Reader.
type Reader struct {
	ctx  *scard.Context
	name string
	opts Opts
	log  *slog.Logger
}

var _ nfc.Reader = (*Reader)(nil)

// Open connects to pcscd and selects a reader: readerName is an exact
// PC/SC reader name or a unique prefix of one ("Virtual PCD" matches
// "Virtual PCD 00 00"); empty means the first reader pcscd lists.
func Open(ctx context.Context, readerName string, opts *Opts) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pcsc: Open: %w", err)
	}
	o := Opts{}
	if opts != nil {
		o = *opts
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 200 * time.Millisecond
	}
	if o.RemovalGrace <= 0 {
		o.RemovalGrace = 600 * time.Millisecond
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	sc, err := scard.EstablishContext()
	if err != nil {
		return nil, wrap("SCardEstablishContext", err)
	}
	readers, err := sc.ListReaders()
	if err != nil {
		_ = sc.Release()
		return nil, wrap("SCardListReaders", err)
	}
	name, err := pickReader(readers, readerName)
	if err != nil {
		_ = sc.Release()
		return nil, err
	}
	o.Logger.Debug("pcsc: reader opened", "reader", name)
	return &Reader{ctx: sc, name: name, opts: o, log: o.Logger}, nil
}

// pickReader chooses the reader named want among those pcscd lists.
func pickReader(readers []string, want string) (string, error) {
	if len(readers) == 0 {
		return "", fmt.Errorf("pcsc: Open: no reader connected: %w", ErrReaderGone)
	}
	if want == "" {
		return readers[0], nil
	}
	var prefixed []string
	for _, r := range readers {
		if r == want {
			return r, nil
		}
		if strings.HasPrefix(r, want) {
			prefixed = append(prefixed, r)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0], nil
	}
	if len(prefixed) > 1 {
		return "", fmt.Errorf("pcsc: Open: reader name %q is ambiguous (%q): %w", want, prefixed, ErrReaderGone)
	}
	return "", fmt.Errorf("pcsc: Open: no reader %q (have %q): %w", want, readers, ErrReaderGone)
}

// Name is the PC/SC name of the selected reader.
func (r *Reader) Name() string { return r.name }

// String describes the reader for logs.
func (r *Reader) String() string { return "pcsc:" + r.name }

// WaitCard waits until a card is present, connects to it and reads its
// ATR and UID. It returns nfc.ErrNoCard when ctx's deadline passes first,
// ErrReaderGone when the reader disappears and ErrNoService when pcscd
// stops.
func (r *Reader) WaitCard(ctx context.Context) (nfc.Card, error) {
	states := []scard.ReaderState{{Reader: r.name, CurrentState: scard.StateUnaware}}
	for {
		if err := ctx.Err(); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, fmt.Errorf("pcsc: WaitCard: %w (%w)", nfc.ErrNoCard, err)
			}
			return nil, fmt.Errorf("pcsc: WaitCard: %w", err)
		}
		err := r.ctx.GetStatusChange(states, r.pollTimeout(ctx))
		if err != nil && !errors.Is(err, scard.ErrTimeout) {
			return nil, wrap("SCardGetStatusChange", err)
		}
		ev := states[0].EventState
		if err == nil {
			states[0].CurrentState = ev &^ scard.StateChanged
		}
		if ev&(scard.StateUnknown|scard.StateUnavailable) != 0 {
			return nil, fmt.Errorf("pcsc: WaitCard: reader %q: %w", r.name, ErrReaderGone)
		}
		if ev&scard.StatePresent == 0 || ev&scard.StateMute != 0 {
			continue
		}
		c, err := r.connect(ctx)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, nfc.ErrNoCard) && !errors.Is(err, nfc.ErrCardRemoved) && !errors.Is(err, nfc.ErrTimeout) {
			return nil, err
		}
		// The card left between the event and SCardConnect: wait again.
		r.log.Debug("pcsc: card went away during connect", "err", err)
		states[0].CurrentState = scard.StateUnaware
	}
}

// pollTimeout is the next SCardGetStatusChange timeout: PollInterval, or
// less when ctx's deadline is nearer.
func (r *Reader) pollTimeout(ctx context.Context) time.Duration {
	d := r.opts.PollInterval
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left < d {
			d = max(left, time.Millisecond)
		}
	}
	return d
}

// connect opens the present card (T=1 preferred, T=0 accepted; a
// contactless reader reports T=1 for T=CL) and learns ATR and UID.
func (r *Reader) connect(ctx context.Context) (*Card, error) {
	h, err := r.ctx.Connect(r.name, scard.ShareShared, scard.ProtocolT1|scard.ProtocolT0)
	if err != nil {
		return nil, wrap("SCardConnect", err)
	}
	c := &Card{h: h, reader: r.name, opts: r.opts}
	st, err := h.Status()
	if err != nil {
		_ = h.Disconnect(scard.LeaveCard)
		return nil, wrap("SCardStatus", err)
	}
	c.info.ATR = append([]byte(nil), st.Atr...)
	c.info.UID = c.readUID(ctx)
	c.info.UIDRandom = nfc.RandomUID(c.info.UID)
	c.info.Type = guessType(c.info.UID)
	r.log.Debug("pcsc: card connected", "reader", r.name, "protocol", h.ActiveProtocol(), "uid_len", len(c.info.UID))
	return c, nil
}

// guessType infers the card type from the UID length: ISO/IEC 14443-3
// Type A UIDs are 4, 7 or 10 bytes and a Type B PUPI is 4 bytes, so only
// double and triple UIDs are certain. PC/SC exposes nothing better.
func guessType(uid []byte) nfc.Type {
	if len(uid) == 7 || len(uid) == 10 {
		return nfc.TypeA
	}
	return 0
}

// Close releases the PC/SC context.
func (r *Reader) Close() error {
	return wrap("SCardReleaseContext", r.ctx.Release())
}

// Card is a connected card. It implements nfc.Card; its methods are safe
// for concurrent use (exchanges are serialised).
type Card struct {
	mu     sync.Mutex
	h      *scard.Card
	reader string
	opts   Opts
	info   nfc.CardInfo
	closed bool
}

var _ nfc.Card = (*Card)(nil)

// getUID is the PC/SC part 3 §3.2.2.1.3 GET DATA pseudo-APDU for the UID
// (Type A UID or Type B PUPI), answered by the reader itself.
var getUID = []byte{0xFF, 0xCA, 0x00, 0x00, 0x00}

// readUID asks the reader for the UID; nil when the reader does not
// support GET DATA (any status other than 9000).
func (c *Card) readUID(ctx context.Context) []byte {
	rsp, err := c.Transmit(ctx, getUID)
	if err != nil || len(rsp) < 2 || rsp[len(rsp)-2] != 0x90 || rsp[len(rsp)-1] != 0x00 {
		return nil
	}
	return rsp[:len(rsp)-2]
}

// Info returns the ATR, the UID when the reader reported one, and the
// type when it can be inferred.
func (c *Card) Info() nfc.CardInfo {
	i := c.info
	i.ATR = append([]byte(nil), c.info.ATR...)
	i.UID = append([]byte(nil), c.info.UID...)
	return i
}

// Transmit sends one command APDU with SCardTransmit and returns the
// response APDU, after completing 61xx/6Cxx. A single SCardTransmit is not
// interruptible; ctx is checked before each exchange.
func (c *Card) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if len(apdu) < 4 {
		return nil, fmt.Errorf("pcsc: Transmit: command APDU of %d bytes is shorter than a header", len(apdu))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pcsc: Transmit: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, fmt.Errorf("pcsc: Transmit: card released: %w", nfc.ErrCardRemoved)
	}
	if c.opts.NoGetResponse {
		return c.transmitOnce(apdu)
	}
	return exchange(ctx, c.transmitOnce, apdu)
}

// transmitOnce is one SCardTransmit. On failure (or an empty response) it
// asks pcscd whether the card is still there, so a removal mid-exchange is reported as
// nfc.ErrCardRemoved rather than a transport error.
func (c *Card) transmitOnce(apdu []byte) ([]byte, error) {
	rsp, err := c.h.Transmit(apdu)
	if err == nil && len(rsp) < 2 && c.removedWithin(c.opts.RemovalGrace) {
		// Some readers (vpcd among them) answer an exchange with the card
		// gone by an empty response rather than an error.
		return nil, fmt.Errorf("pcsc: SCardTransmit: empty response: %w", nfc.ErrCardRemoved)
	}
	if err == nil {
		return rsp, nil
	}
	if errors.Is(err, scard.ErrRemovedCard) || c.removedWithin(c.opts.RemovalGrace) {
		return nil, fmt.Errorf("pcsc: SCardTransmit: %w (%w)", nfc.ErrCardRemoved, err)
	}
	return nil, wrap("SCardTransmit", err)
}

// removedWithin watches the reader (on a context of its own, so it never
// waits behind another call) for up to d and reports whether the card
// left or was replaced (the event counter in the high 16 bits of
// dwEventState changed, pcsc-lite convention).
func (c *Card) removedWithin(d time.Duration) bool {
	sc, err := scard.EstablishContext()
	if err != nil {
		return false
	}
	defer func() { _ = sc.Release() }()
	rs := []scard.ReaderState{{Reader: c.reader, CurrentState: scard.StateUnaware}}
	if err := sc.GetStatusChange(rs, 0); err != nil {
		return false
	}
	first := rs[0].EventState
	deadline := time.Now().Add(d)
	for {
		ev := rs[0].EventState
		if ev&scard.StatePresent == 0 || ev>>16 != first>>16 {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		rs[0].CurrentState = ev &^ scard.StateChanged
		if err := sc.GetStatusChange(rs, left); err != nil {
			return false
		}
	}
}

var _ nfc.PresenceChecker = (*Card)(nil)

// Present reports whether the card this handle was connected to is still in
// the reader (nfc.PresenceChecker), without an APDU: pcscd answers
// SCardStatus from its own reader state, and a card removed or replaced
// since SCardConnect makes it SCARD_W_REMOVED_CARD. pcscd learns of a
// removal at its next poll of the reader driver, so a card pulled a moment
// ago may still read as present.
func (c *Card) Present(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("pcsc: Present: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false, nil
	}
	_, err := c.h.Status()
	if err == nil {
		return true, nil
	}
	err = wrap("SCardStatus", err)
	if errors.Is(err, nfc.ErrCardRemoved) {
		return false, nil
	}
	return false, err
}

// Release disconnects from the card (SCardDisconnect with
// SCARD_RESET_CARD, so the next session starts from a fresh activation).
func (c *Card) Release(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.h.Disconnect(scard.ResetCard)
	if errors.Is(err, scard.ErrRemovedCard) || errors.Is(err, scard.ErrResetCard) {
		return nil
	}
	return wrap("SCardDisconnect", err)
}

// Reader is the PC/SC name of the reader the card is in.
func (c *Card) Reader() string { return c.reader }
