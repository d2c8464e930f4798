// Package vpcdsim is the device side of a PC/SC contactless reader for
// tests: a small client of the vsmartcard vpcd socket protocol that hosts
// an nfc.Emulated card, so the real pcscd (with the vpcd driver,
// libifdvpcd.so) sees a real reader with that card in its field.
//
// vpcd listens on TCP (the reader.conf.d CHANNELID / DEVICENAME port,
// 35963 = 0x8C7B by default, port+1 for its second slot); the virtual card
// connects as a client and answers vpcd's messages (see frame.go). The
// connection is the card's presence: closing it is a card removal.
//
// The simulator also plays the reader's firmware for the PC/SC part 3
// pseudo-APDUs of class FF (GET DATA FF CA, §3.2.2.1.3), which a real
// contactless reader answers itself, and it builds the PC/SC part 3 ATR
// for contactless cards from the card's ATS or ATQB.
//
// It imports only drivers/nfc of the project and must not import the
// host-side pcsc package.
package vpcdsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// DefaultAddr is where an unmodified vsmartcard-vpcd install listens.
const DefaultAddr = "127.0.0.1:35963"

// Options configure a simulated contactless reader. The zero value (or
// nil) attaches an empty field to vpcd at DefaultAddr.
type Options struct {
	// Addr is where vpcd listens for its virtual card; "" means
	// DefaultAddr (pcsctest's PCSCD.Addr for a private pcscd).
	Addr string
	// Card is put in the field at start (nil: an empty field).
	Card nfc.Emulated
	// Logger for connection events (never APDU contents); nil means
	// slog.Default().
	Logger *slog.Logger
}

// Sim is a virtual card attached to vpcd. Its methods are safe for
// concurrent use.
type Sim struct {
	addr string
	log  *slog.Logger
	stop func() bool // ends the context watch

	mu     sync.Mutex
	conn   net.Conn      // nil when no card is in the field
	served chan struct{} // closed when conn's serve loop ended
	closed bool
	wg     sync.WaitGroup // serve goroutines
}

// Start attaches the simulator to the vpcd reader at opts.Addr, with
// opts.Card in the field, until ctx is done or Close is called. ctx also
// bounds the first connection attempt. nil opts means defaults.
func Start(ctx context.Context, opts *Options) (*Sim, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Sim{addr: o.Addr, log: o.Logger.With("component", "vpcdsim")}
	if o.Card != nil {
		if err := s.SetCard(ctx, o.Card); err != nil {
			return nil, err
		}
	}
	s.stop = context.AfterFunc(ctx, func() { s.release() })
	return s, nil
}

// Addr is the vpcd address the simulator connects to.
func (s *Sim) Addr() string { return s.addr }

// SetCard puts card into the field. A card already present is removed
// first, so pcscd sees a removal and a new insertion.
func (s *Sim) SetCard(ctx context.Context, card nfc.Emulated) error {
	if card == nil {
		return s.RemoveCard()
	}
	if err := s.RemoveCard(); err != nil {
		return err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("vpcdsim: connect to vpcd at %s: %w", s.addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = conn.Close()
		return errors.New("vpcdsim: SetCard after Close")
	}
	s.conn = conn
	s.served = make(chan struct{})
	s.wg.Add(1)
	go s.serve(conn, newSession(card), s.served)
	return nil
}

// RemoveCard takes the card out of the field by closing the vpcd
// connection; vpcd reports the card absent at its next presence poll.
func (s *Sim) RemoveCard() error {
	s.mu.Lock()
	conn, served := s.conn, s.served
	s.conn, s.served = nil, nil
	s.mu.Unlock()
	if conn == nil {
		return nil
	}
	err := conn.Close()
	<-served
	if err != nil {
		return fmt.Errorf("vpcdsim: RemoveCard: %w", err)
	}
	return nil
}

// Close removes the card and stops the simulator. It may be called more
// than once.
func (s *Sim) Close() error {
	s.stop()
	return s.release()
}

func (s *Sim) release() error {
	err := s.RemoveCard()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// serve answers vpcd's messages on conn until it closes.
func (s *Sim) serve(conn net.Conn, sess *session, done chan struct{}) {
	defer s.wg.Done()
	defer close(done)
	var out []byte
	for {
		quickACK(conn)
		msg, err := readMessage(conn)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.log.Debug("vpcdsim: connection ended", "err", err)
			}
			_ = conn.Close()
			return
		}
		reply, ok := sess.handle(msg)
		if sess.left {
			_ = conn.Close() // vpcd reports the card gone
			return
		}
		if !ok {
			continue
		}
		if out, err = appendMessage(out[:0], reply); err != nil {
			s.log.Warn("vpcdsim: reply dropped", "err", err)
			continue
		}
		if _, err := conn.Write(out); err != nil {
			_ = conn.Close()
			return
		}
	}
}
