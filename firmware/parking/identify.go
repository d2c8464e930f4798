package parking

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kiosk06/kiosk/firmware/identity"
)

// Sentinel errors callers branch on.
var (
	ErrUnusable       = errors.New("parking: no usable identity")
	ErrAlreadyInside  = errors.New("parking: this vehicle or card is already inside")
	ErrAlreadyExited  = errors.New("parking: ticket already used to exit")
	ErrUnknownTicket  = errors.New("parking: no entry for this ticket, card or plate")
	ErrPaymentTimeout = errors.New("parking: payment not confirmed in time")
	ErrPaymentFailed  = errors.New("parking: payment failed")
	ErrOffline        = errors.New("parking: payment back-end unreachable")
	ErrBusy           = errors.New("parking: lane busy with another vehicle")
	ErrNoPayment      = errors.New("parking: no payment method available")
	ErrClosed         = errors.New("parking: staff closed this direction of the lane")
)

// MaxPlateLen bounds a typed licence plate (bytes).
const MaxPlateLen = 16

// Credential identifies a driver at the gate: a CCCD token, a typed plate,
// or both. A zero Token means no card.
type Credential struct {
	Source string // "cccd_qr", "cccd_chip" or "plate"
	Token  identity.Token
}

// HasCard reports whether the credential carries a CCCD token.
func (c Credential) HasCard() bool { return !c.Token.IsZero() }

// NewCredential makes the credential of a CCCD presented at the lane (its
// printed QR, or a chip read): the citizen token under the operator key.
// Anything else — another QR, a UID, a VNeID QR — is ErrUnusable.
func NewCredential(tk *identity.Tokenizer, p identity.Presentation) (Credential, error) {
	if p.Err != nil {
		return Credential{}, fmt.Errorf("%w: %w", ErrUnusable, p.Err)
	}
	source := ""
	switch p.Method {
	case identity.MethodQR:
		source = "cccd_qr"
	case identity.MethodChip, identity.MethodChipQR, identity.MethodChipCAN:
		source = "cccd_chip"
	default:
		return Credential{}, fmt.Errorf("%w: not a CCCD (%s)", ErrUnusable, p.Method)
	}
	tok, err := tk.Of(p)
	if err != nil {
		return Credential{}, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	return Credential{Source: source, Token: tok}, nil
}

// NormalizePlate upper-cases a typed plate and keeps letters, digits, '-'
// and '.', so "29a-123.45 " and "29A-123.45" match.
func NormalizePlate(s string) (string, error) {
	if len(s) > 4*MaxPlateLen || !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: plate too long", ErrUnusable)
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			b.WriteRune(r)
		}
	}
	p := b.String()
	if len(p) < 4 || len(p) > MaxPlateLen {
		return "", fmt.Errorf("%w: plate must have 4–%d letters or digits", ErrUnusable, MaxPlateLen)
	}
	return p, nil
}

// plateKey is what plates are matched on: letters and digits only, so
// "29A-123.45", "29a 12345" and "29A12345" are one vehicle.
func plateKey(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
