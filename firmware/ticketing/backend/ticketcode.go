package backend

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A ticket's QR carries a code the backend signed, so a conductor's phone
// (or a coach operator's scanner) can check it offline with the backend's
// public key:
//
//	VE1.<base64url(JSON claims)>.<base64url(Ed25519 signature over "VE1.<claims>")>
//
// The claims name the ticket and what it is for — never the passenger's
// name or ID number; Holder is the first 16 hex digits of the passenger's
// citizen token, which the scanner compares with the token of the CCCD the
// passenger shows. A ticket a kiosk issued offline (OfflineCode) carries
// no signature the kiosk could make: it names the sale for the backend.

// Ticket code prefixes.
const (
	CodePrefix        = "VE1."
	OfflineCodePrefix = "VEK1."
	maxCodeLen        = 600
)

// ErrBadCode: a ticket code that is malformed or not signed by the key.
var ErrBadCode = errors.New("backend: invalid ticket code")

// TicketClaims is what a signed ticket code says.
type TicketClaims struct {
	Ticket    string `json:"t"`
	Operator  string `json:"o"`
	Departure string `json:"d,omitempty"`
	Seat      string `json:"s,omitempty"`
	Product   string `json:"p,omitempty"`
	From      int64  `json:"f"` // valid from, Unix seconds
	Until     int64  `json:"u"` // valid until, Unix seconds
	Holder    string `json:"h"` // the passenger's token, first 16 hex digits
}

// MakeTicketCode signs c (the backend's side).
func MakeTicketCode(key ed25519.PrivateKey, c TicketClaims) (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("backend: ticket code: %w", err)
	}
	body := CodePrefix + base64.RawURLEncoding.EncodeToString(b)
	code := body + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, []byte(body)))
	if len(code) > maxCodeLen {
		return "", fmt.Errorf("%w: %d characters", ErrBadCode, len(code))
	}
	return code, nil
}

// OpenTicketCode checks a signed ticket code and returns its claims.
func OpenTicketCode(pub ed25519.PublicKey, code string) (TicketClaims, error) {
	var c TicketClaims
	if len(code) > maxCodeLen || !strings.HasPrefix(code, CodePrefix) {
		return c, fmt.Errorf("%w: not a %s code", ErrBadCode, strings.TrimSuffix(CodePrefix, "."))
	}
	i := strings.LastIndexByte(code, '.')
	if i <= len(CodePrefix) {
		return c, fmt.Errorf("%w: no signature", ErrBadCode)
	}
	body, sig := code[:i], code[i+1:]
	s, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, []byte(body), s) {
		return c, fmt.Errorf("%w: bad signature", ErrBadCode)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body[len(CodePrefix):])
	if err != nil {
		return c, fmt.Errorf("%w: claims: %v", ErrBadCode, err)
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Ticket == "" {
		return TicketClaims{}, fmt.Errorf("%w: claims", ErrBadCode)
	}
	return c, nil
}

// OfflineCode is the QR of a ticket a kiosk issued offline: the device and
// the ticket id, for the backend to look up (validators go by the CCCD).
func OfflineCode(device, ticket string) string { return OfflineCodePrefix + device + "." + ticket }
