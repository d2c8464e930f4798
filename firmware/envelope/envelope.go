// Package envelope owns the signed envelope the backend's downlink
// messages travel in (issue 22): remote configuration bundles
// (firmware/remoteconfig) and update triggers (firmware/update). An
// envelope is the JSON object {"payload": base64, "signature": base64}: an
// Ed25519 signature (RFC 8032), by the operator's key, over exactly the
// payload bytes, which are the JSON of the message. The device trusts one
// public key per kind of message, set on the device.
//
// It checks only the signature and the envelope's shape; what the payload
// means (its target, validity window and version floor) is its package's
// check, made after Open returned the signed bytes.
//
// It imports only the standard library; it must not import any package of
// the project.
package envelope

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxBytes bounds an envelope (the downlink's own limit is 1 MiB).
const MaxBytes = 1 << 20

// Sentinel errors: callers map them to their reason codes.
var (
	// ErrMalformed: not an envelope (not JSON, missing parts, too large).
	ErrMalformed = errors.New("envelope: malformed")
	// ErrSignature: the signature does not verify with the key (or the
	// key is not an Ed25519 public key).
	ErrSignature = errors.New("envelope: signature does not verify")
)

// Envelope is the wire form: the payload and an Ed25519 signature over
// exactly those bytes; base64 in JSON.
type Envelope struct {
	Payload   []byte `json:"payload"`
	Signature []byte `json:"signature"`
}

// Seal signs payload with key and returns the envelope's JSON: the
// operator's side (kioskd config bundle, kioskd update sign, the tests).
func Seal(key ed25519.PrivateKey, payload []byte) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("envelope: seal: not an Ed25519 private key")
	}
	if len(payload) == 0 || len(payload) > MaxBytes/2 {
		return nil, fmt.Errorf("envelope: seal: payload of %d bytes, want 1 to %d", len(payload), MaxBytes/2)
	}
	return json.Marshal(Envelope{Payload: payload, Signature: ed25519.Sign(key, payload)})
}

// SealJSON is Seal of v's JSON.
func SealJSON(key ed25519.PrivateKey, v any) ([]byte, error) {
	p, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("envelope: seal: %w", err)
	}
	return Seal(key, p)
}

// Open checks body's signature with pub and returns the signed payload.
// Errors wrap ErrMalformed or ErrSignature.
func Open(pub ed25519.PublicKey, body []byte) ([]byte, error) {
	if len(body) > MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrMalformed, len(body), MaxBytes)
	}
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(e.Payload) == 0 {
		return nil, fmt.Errorf("%w: no payload", ErrMalformed)
	}
	if len(pub) != ed25519.PublicKeySize || len(e.Signature) != ed25519.SignatureSize || !ed25519.Verify(pub, e.Payload, e.Signature) {
		return nil, ErrSignature
	}
	return e.Payload, nil
}
