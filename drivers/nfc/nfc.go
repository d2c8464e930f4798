// Package nfc defines what every contactless card transport offers the rest
// of the firmware: a Reader that waits for a card, and a Card (an activated
// ISO/IEC 14443-4 card) that exchanges APDUs. PN532 (UART, I2C, SPI) and
// PC/SC readers implement Reader; the eMRTD layer above only sees Card.
//
// It also defines Emulated, the card side that device simulators (pn532sim,
// the vpcd bridge) host in their field, so a virtual chip plugs into either.
//
// It imports nothing of the project.
package nfc

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
)

// Type is the ISO/IEC 14443 card type.
type Type byte

// Card types.
const (
	TypeA Type = 'A'
	TypeB Type = 'B'
)

// String implements fmt.Stringer.
func (t Type) String() string {
	switch t {
	case TypeA, TypeB:
		return string(rune(t))
	}
	return "?"
}

// CardInfo is what the reader learned while activating a card.
type CardInfo struct {
	Type Type
	// UID is the Type A UID (NFCID1) or the Type B PUPI.
	UID []byte
	// UIDRandom: the UID changes at every activation (ISO/IEC 14443-3: a
	// 4-byte Type A UID starting with 0x08), so it identifies nothing.
	UIDRandom bool
	ATQA      uint16 // Type A only
	SAK       byte   // Type A only
	ATS       []byte // Type A: answer to select, if the card sent one
	ATQB      []byte // Type B: answer to request
	ATR       []byte // PC/SC: the ATR the reader built
	// BitRate in kbit/s after any speed negotiation (106, 212, 424, 848).
	BitRate int
}

// RandomUID reports whether a UID is a random one per ISO/IEC 14443-3
// (single-size UID whose first byte is 0x08).
func RandomUID(uid []byte) bool { return len(uid) == 4 && uid[0] == 0x08 }

// UIDHex is the UID in upper-case hex, for diagnostics (it is not personal
// data when random; a fixed UID is treated as a pseudonymous identifier).
func (c CardInfo) UIDHex() string { return strings.ToUpper(hex.EncodeToString(c.UID)) }

// Card is an activated ISO/IEC 14443-4 card.
type Card interface {
	// Transmit sends one command APDU and returns the response APDU
	// (data followed by SW1 SW2).
	Transmit(ctx context.Context, apdu []byte) ([]byte, error)
	// Info describes the card.
	Info() CardInfo
	// Release deselects the card (InRelease, SCardDisconnect).
	Release(ctx context.Context) error
}

// PresenceChecker is implemented by a Card whose reader can tell, without
// an APDU and without disturbing the card's state, whether the card is
// still in the field (PN532: Diagnose card presence; PC/SC: SCardStatus).
// Callers waiting with an activated card (for a PIN or CAN to be typed)
// poll it.
type PresenceChecker interface {
	// Present reports whether the card still answers; an error means the
	// reader could not tell.
	Present(ctx context.Context) (bool, error)
}

// Reader is a card reader front end.
type Reader interface {
	// WaitCard polls until a card is in the field or ctx is done
	// (ErrNoCard when ctx's deadline passes without a card).
	WaitCard(ctx context.Context) (Card, error)
	// Close releases the reader and its port or bus.
	Close() error
}

// Errors callers branch on; transports wrap them with details.
var (
	ErrNoCard      = errors.New("nfc: no card in the field")
	ErrCardRemoved = errors.New("nfc: card removed")
	ErrTimeout     = errors.New("nfc: card did not answer in time")
	ErrProtocol    = errors.New("nfc: protocol error")
)

// Emulated is a card's side of the exchange, hosted by a simulator's field.
type Emulated interface {
	// Info is what the card presents at activation.
	Info() CardInfo
	// Transmit answers one command APDU with a response APDU (a card that
	// cannot process a command still answers a status word such as 6F00).
	// An empty answer means the card has left the field: the simulator
	// hosting it then behaves as with a pulled card.
	Transmit(apdu []byte) []byte
	// Reset is called when the card enters the field (power-up): any
	// session state is lost.
	Reset()
}
