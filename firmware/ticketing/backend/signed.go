package backend

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"
)

// Envelope is a signed reply on the wire: the reply's JSON bytes and an
// Ed25519 signature over exactly those bytes (both base64 in JSON).
type Envelope struct {
	Payload   []byte `json:"payload"`
	Signature []byte `json:"signature"`
}

// MaxReplyBytes bounds a reply (a catalogue snapshot is the largest).
const MaxReplyBytes = 80 << 20

// errorReply is the body of a signed refusal.
type errorReply struct {
	Header
	Code    string   `json:"code"`
	Message string   `json:"message,omitempty"`
	Taken   []string `json:"taken,omitempty"` // seat_taken
}

// Sign makes the envelope of reply (the backend's side: ticketingsim and
// tools). reply is any JSON object with a Header.
func Sign(key ed25519.PrivateKey, reply any) ([]byte, error) {
	p, err := json.Marshal(reply)
	if err != nil {
		return nil, fmt.Errorf("backend: sign: %w", err)
	}
	return json.Marshal(Envelope{Payload: p, Signature: ed25519.Sign(key, p)})
}

// SignError makes a signed refusal answering key from device.
func SignError(key ed25519.PrivateKey, h Header, code, message string, taken []string) ([]byte, error) {
	h.Kind = KindError
	return Sign(key, errorReply{Header: h, Code: code, Message: message, Taken: taken})
}

// Verifier checks signed replies.
type Verifier struct {
	Key    ed25519.PublicKey
	Device string
	// MaxAge bounds how old a request-bound reply may be (default 2 min);
	// ClockSkew how far in the future its signing time may lie (default
	// 2 min).
	MaxAge, ClockSkew time.Duration
	Now               func() time.Time
}

// open checks body's signature and returns its payload and header.
func (v Verifier) open(body []byte) ([]byte, Header, error) {
	var h Header
	if len(body) > MaxReplyBytes {
		return nil, h, fmt.Errorf("%w: %d bytes", ErrUnverified, len(body))
	}
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, h, fmt.Errorf("%w: envelope: %v", ErrUnverified, err)
	}
	if len(v.Key) != ed25519.PublicKeySize || !ed25519.Verify(v.Key, e.Payload, e.Signature) {
		return nil, h, fmt.Errorf("%w: bad signature", ErrUnverified)
	}
	if err := json.Unmarshal(e.Payload, &h); err != nil {
		return nil, h, fmt.Errorf("%w: header: %v", ErrUnverified, err)
	}
	return e.Payload, h, nil
}

// Open verifies a reply to the request with key (empty for the
// catalogue): signature, device, key and age, then decodes it into out.
// A signed refusal (kind "error") comes back as a *SeatsTakenError or
// *RejectedError; any failed check as ErrUnverified.
func (v Verifier) Open(body []byte, kind, key string, out any) error {
	payload, h, err := v.open(body)
	if err != nil {
		return err
	}
	if key != "" {
		if err := v.bound(h, key); err != nil {
			return err
		}
	}
	if h.Kind == KindError {
		var e errorReply
		if err := json.Unmarshal(payload, &e); err != nil {
			return fmt.Errorf("%w: refusal: %v", ErrUnverified, err)
		}
		if e.Code == CodeSeatTaken {
			return &SeatsTakenError{Seats: e.Taken}
		}
		return &RejectedError{Code: e.Code, Message: e.Message}
	}
	if h.Kind != kind {
		return fmt.Errorf("%w: a %q reply where %q was asked", ErrUnverified, h.Kind, kind)
	}
	if err := json.Unmarshal(payload, out); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnverified, kind, err)
	}
	return nil
}

// bound checks that h answers the request key of this device, recently.
func (v Verifier) bound(h Header, key string) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	maxAge, skew := v.MaxAge, v.ClockSkew
	if maxAge <= 0 {
		maxAge = 2 * time.Minute
	}
	if skew <= 0 {
		skew = 2 * time.Minute
	}
	t := now()
	switch {
	case h.Key != key:
		return fmt.Errorf("%w: answers another request", ErrUnverified)
	case h.Device != v.Device:
		return fmt.Errorf("%w: answers another device", ErrUnverified)
	case h.SignedAt.Before(t.Add(-maxAge)):
		return fmt.Errorf("%w: signed %s ago", ErrUnverified, t.Sub(h.SignedAt).Round(time.Second))
	case h.SignedAt.After(t.Add(skew)):
		return fmt.Errorf("%w: signed in the future", ErrUnverified)
	}
	return nil
}
