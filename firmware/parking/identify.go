package parking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/kiosk06/kiosk/drivers/cccd"
)

// Sentinel errors callers branch on.
var (
	ErrKey            = errors.New("parking: token key unusable")
	ErrUnusable       = errors.New("parking: no usable identity")
	ErrAlreadyInside  = errors.New("parking: this vehicle or card is already inside")
	ErrAlreadyExited  = errors.New("parking: ticket already used to exit")
	ErrUnknownTicket  = errors.New("parking: no entry for this ticket, card or plate")
	ErrPaymentTimeout = errors.New("parking: payment not confirmed in time")
	ErrPaymentFailed  = errors.New("parking: payment failed")
	ErrOffline        = errors.New("parking: payment back-end unreachable")
	ErrBusy           = errors.New("parking: lane busy with another vehicle")
	ErrNoPayment      = errors.New("parking: no payment method available")
)

// MinKeyLen is the shortest operator token key accepted (bytes).
const MinKeyLen = 32

// MaxPlateLen bounds a typed licence plate (bytes).
const MaxPlateLen = 16

// Hash is a CCCD token: HMAC-SHA256 of the ID number under the operator key.
type Hash [32]byte

// String is the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Credential identifies a driver at the gate: a CCCD token, a typed plate,
// or both. Zero Hash means no card.
type Credential struct {
	Source string // "cccd_qr", "cccd_chip" or "plate"
	Hash   Hash
}

// HasCard reports whether the credential carries a CCCD token.
func (c Credential) HasCard() bool { return c.Hash != Hash{} }

// Identifier turns CCCD QR payloads and chip-read ID numbers into tokens.
type Identifier struct{ key []byte }

// NewIdentifier makes an Identifier with the operator key.
func NewIdentifier(key []byte) (*Identifier, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrKey, len(key), MinKeyLen)
	}
	return &Identifier{key: append([]byte(nil), key...)}, nil
}

// LoadKey reads an operator token key file (raw bytes, or hex), the
// same format as the transit validator's.
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	if d, err := hex.DecodeString(strings.TrimSpace(string(b))); err == nil && len(d) >= MinKeyLen {
		return d, nil
	}
	if len(b) < MinKeyLen {
		return nil, fmt.Errorf("%w: %s holds %d bytes, want at least %d", ErrKey, path, len(b), MinKeyLen)
	}
	return b, nil
}

// FromQR makes a credential from a CCCD QR.
func (id *Identifier) FromQR(payload string) (Credential, error) {
	q, err := cccd.ParseQR(payload)
	if err != nil {
		return Credential{}, fmt.Errorf("%w: %w", ErrUnusable, err)
	}
	return Credential{Source: "cccd_qr", Hash: id.hash(q.ID)}, nil
}

// FromChipID makes a credential from the ID number a verified chip read
// gave (the identity pipeline): the same token as the card's QR.
func (id *Identifier) FromChipID(number string) (Credential, error) {
	if len(number) != 12 || strings.Trim(number, "0123456789") != "" {
		return Credential{}, fmt.Errorf("%w: not a 12-digit ID number", ErrUnusable)
	}
	return Credential{Source: "cccd_chip", Hash: id.hash(number)}, nil
}

func (id *Identifier) hash(number string) Hash {
	m := hmac.New(sha256.New, id.key)
	m.Write([]byte("cccd:"))
	m.Write([]byte(number))
	var h Hash
	m.Sum(h[:0])
	return h
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

func parseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("%w: bad token hash", ErrUnusable)
	}
	_, err := hex.Decode(h[:], []byte(s))
	return h, err
}
