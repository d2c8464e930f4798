package pcsc

import (
	"context"
	"fmt"

	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Transport-level status-word handling (ISO/IEC 7816-4:2020 §5.6 and
// §5.3.4 "GET RESPONSE"). pcsc-lite passes SW 61xx and 6Cxx through to
// the application, so the driver completes them here:
//
//   - 61xx: more response bytes are waiting; send GET RESPONSE
//     (00 C0 00 00 xx) and append the data until the card answers with a
//     final status word;
//   - 6Cxx: wrong Le; re-issue the same command once with Le = xx.
const (
	insGetResponse = 0xC0
	// maxResponse bounds a chained response: extended-length Ne maximum
	// (65536) plus SW1 SW2.
	maxResponse = 65536 + 2
	// maxGetResponse bounds the GET RESPONSE loop (256 × 256 bytes).
	maxGetResponse = 256
)

// txFunc sends one command APDU and returns the raw response APDU.
type txFunc func(apdu []byte) ([]byte, error)

// exchange sends apdu through tx and completes 61xx and 6Cxx answers.
// It never panics on a hostile response: every length is checked.
func exchange(ctx context.Context, tx txFunc, apdu []byte) ([]byte, error) {
	if len(apdu) == 0 {
		return nil, fmt.Errorf("pcsc: Transmit: empty command APDU")
	}
	rsp, err := tx(apdu)
	if err != nil {
		return nil, err
	}
	if len(rsp) < 2 {
		return nil, fmt.Errorf("pcsc: Transmit: response of %d bytes has no status word: %w", len(rsp), nfc.ErrProtocol)
	}
	if sw1, sw2 := rsp[len(rsp)-2], rsp[len(rsp)-1]; sw1 == 0x6C {
		fixed, ok := withLe(apdu, sw2)
		if ok {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("pcsc: Transmit: %w", err)
			}
			if rsp, err = tx(fixed); err != nil {
				return nil, err
			}
			if len(rsp) < 2 {
				return nil, fmt.Errorf("pcsc: Transmit: response of %d bytes has no status word: %w", len(rsp), nfc.ErrProtocol)
			}
		}
	}
	return getResponses(ctx, tx, apdu[0], rsp)
}

// getResponses follows SW 61xx with GET RESPONSE commands, concatenating
// the data fields. rsp has at least two bytes.
func getResponses(ctx context.Context, tx txFunc, cla byte, rsp []byte) ([]byte, error) {
	if rsp[len(rsp)-2] != 0x61 {
		return rsp, nil
	}
	data := append([]byte(nil), rsp[:len(rsp)-2]...)
	for range maxGetResponse {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("pcsc: GET RESPONSE: %w", err)
		}
		next, err := tx([]byte{getResponseCLA(cla), insGetResponse, 0x00, 0x00, rsp[len(rsp)-1]})
		if err != nil {
			return nil, err
		}
		if len(next) < 2 {
			return nil, fmt.Errorf("pcsc: GET RESPONSE: response of %d bytes has no status word: %w", len(next), nfc.ErrProtocol)
		}
		if len(data)+len(next) > maxResponse {
			return nil, fmt.Errorf("pcsc: GET RESPONSE: chained response exceeds %d bytes: %w", maxResponse, nfc.ErrProtocol)
		}
		data = append(data, next[:len(next)-2]...)
		rsp = next
		if rsp[len(rsp)-2] != 0x61 {
			return append(data, rsp[len(rsp)-2:]...), nil
		}
	}
	return nil, fmt.Errorf("pcsc: GET RESPONSE: more than %d chained responses: %w", maxGetResponse, nfc.ErrProtocol)
}

// getResponseCLA keeps the logical channel of an interindustry class byte
// (ISO/IEC 7816-4 §5.4.1, first interindustry values 0x00–0x1F keep b2 b1)
// and drops chaining and secure-messaging bits: GET RESPONSE is a
// transport command, never protected.
func getResponseCLA(cla byte) byte {
	if cla&0xE0 == 0x00 {
		return cla & 0x03
	}
	if cla&0xC0 == 0x40 { // further interindustry: channel in b4..b1
		return 0x40 | cla&0x0F
	}
	return 0x00
}

// withLe returns a copy of a short command APDU with its Le byte set to
// le, for re-issuing after SW 6Cxx. ok is false when the command carries
// no short Le (cases 1 and 3, or extended length).
func withLe(apdu []byte, le byte) ([]byte, bool) {
	switch {
	case len(apdu) == 5: // case 2 short: CLA INS P1 P2 Le
	case len(apdu) > 5 && apdu[4] != 0 && len(apdu) == 5+int(apdu[4])+1: // case 4 short
	default:
		return nil, false
	}
	out := append([]byte(nil), apdu...)
	out[len(out)-1] = le
	return out, true
}
