package pcsc

import (
	"errors"
	"fmt"

	"github.com/ebfe/scard"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Errors specific to PC/SC that callers branch on. Card-level conditions
// use the nfc sentinels (nfc.ErrNoCard, nfc.ErrCardRemoved, nfc.ErrTimeout,
// nfc.ErrProtocol) so flows treat every transport alike.
var (
	// ErrReaderGone: the reader was unplugged or is unknown to pcscd
	// (SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE,
	// SCARD_E_NO_READERS_AVAILABLE). Reopen when it returns.
	ErrReaderGone = errors.New("pcsc: reader not available")
	// ErrNoService: pcscd is not running or stopped
	// (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, SCARD_E_INVALID_HANDLE
	// after a daemon restart). Reopen when it is back.
	ErrNoService = errors.New("pcsc: pcscd not running")
)

// classify maps a PC/SC return code (pcsc-lite pcsclite.h, PC/SC part 5
// §3.1) to the sentinel callers branch on. It returns nil for codes that
// have no sentinel.
func classify(code scard.Error) error {
	switch code {
	case scard.ErrNoSmartcard:
		return nfc.ErrNoCard
	case scard.ErrRemovedCard, scard.ErrResetCard, scard.ErrUnpoweredCard:
		// A reset by another application loses any secure-messaging
		// session exactly as a removal does.
		return nfc.ErrCardRemoved
	case scard.ErrUnresponsiveCard, scard.ErrTimeout:
		return nfc.ErrTimeout
	case scard.ErrUnknownReader, scard.ErrReaderUnavailable, scard.ErrNoReadersAvailable:
		return ErrReaderGone
	case scard.ErrNoService, scard.ErrServiceStopped, scard.ErrInvalidHandle:
		return ErrNoService
	case scard.ErrCommError, scard.ErrCommDataLost, scard.ErrNotTransacted,
		scard.ErrProtoMismatch, scard.ErrInvalidAtr, scard.ErrUnsupportedCard:
		return nfc.ErrProtocol
	}
	return nil
}

// wrap prefixes err with the package and operation and, when it is a PC/SC
// return code, adds the matching sentinel while keeping the scard.Error in
// the chain: errors.Is(err, nfc.ErrCardRemoved) and
// errors.As(err, new(scard.Error)) both work.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var code scard.Error
	if errors.As(err, &code) {
		if s := classify(code); s != nil {
			return fmt.Errorf("pcsc: %s: %w (%w)", op, s, err)
		}
	}
	return fmt.Errorf("pcsc: %s: %w", op, err)
}
