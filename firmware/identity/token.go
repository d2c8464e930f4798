package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// MinKeyLen is the shortest operator token key accepted (bytes): RFC 2104
// §3 discourages HMAC keys shorter than the hash output, 32 bytes for
// SHA-256.
const MinKeyLen = 32

// ErrKey: the operator token key is missing or too short.
var ErrKey = errors.New("identity: token key unusable")

// Token is the keyed citizen token: HMAC-SHA256 under the operator's key of
// a domain prefix and the value ("cccd:" and the 12-digit ID number; "uid:"
// and a fixed chip UID; "vneid:" and the SHA-256 of a VNeID app QR). The
// back-end computes the same value to build deny and pass lists; records
// carry it (String) instead of the ID number. A zero Token is no token.
type Token [32]byte

// String is the token in lower-case hex: what lists and records carry.
func (t Token) String() string { return hex.EncodeToString(t[:]) }

// IsZero reports whether t is no token.
func (t Token) IsZero() bool { return t == Token{} }

// ParseToken decodes a token from its 64 hex digits.
func ParseToken(s string) (Token, error) {
	var t Token
	if len(s) != 2*len(t) {
		return t, fmt.Errorf("identity: token %q: want 64 hex digits", truncate(s, 16))
	}
	if _, err := hex.Decode(t[:], []byte(s)); err != nil {
		return t, fmt.Errorf("identity: token: %w", err)
	}
	return t, nil
}

// Tokenizer makes citizen tokens under one operator key. Safe for
// concurrent use.
type Tokenizer struct{ key []byte }

// NewTokenizer makes a Tokenizer with the operator key (at least MinKeyLen
// bytes; LoadKey reads it from a file).
func NewTokenizer(key []byte) (*Tokenizer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrKey, len(key), MinKeyLen)
	}
	return &Tokenizer{key: append([]byte(nil), key...)}, nil
}

// LoadKey reads an operator token key file: hex (64 or more digits,
// surrounding white space ignored) or at least MinKeyLen raw bytes.
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

// ID is the token of a 12-digit ID number (from a parsed QR or a verified
// chip read). The QR and the chip of one card give the same token.
func (t *Tokenizer) ID(number string) Token { return t.mac("cccd:", []byte(number)) }

// UID is the token of a fixed chip UID (ISO/IEC 14443-3): it names a card,
// not a person.
func (t *Tokenizer) UID(uid []byte) Token { return t.mac("uid:", uid) }

// VNeID is the token of a VNeID app QR (its format is not public, so the
// payload's SHA-256 stands for it until it is checked online).
func (t *Tokenizer) VNeID(payload string) Token {
	h := sha256.Sum256([]byte(payload))
	return t.mac("vneid:", h[:])
}

// Of is the token of a presentation: its ID number (MethodQR, MethodChip),
// its UID (MethodUID) or its VNeID payload (MethodVNeID, whose Err is
// ErrNeedsOnline: the token is still what records carry). Anything else, or
// an ID number that is not 12 digits, is ErrUnusable.
func (t *Tokenizer) Of(p Presentation) (Token, error) {
	switch p.Method {
	case MethodQR, MethodChip, MethodChipQR, MethodChipCAN:
		if !isDigits(p.ID, 12) {
			return Token{}, fmt.Errorf("%w: not a 12-digit ID number", ErrUnusable)
		}
		return t.ID(p.ID), nil
	case MethodUID:
		if len(p.UID) == 0 {
			return Token{}, fmt.Errorf("%w: no UID", ErrUnusable)
		}
		return t.UID(p.UID), nil
	case MethodVNeID:
		return t.VNeID(p.Other), nil
	}
	if p.Err != nil {
		return Token{}, p.Err
	}
	return Token{}, fmt.Errorf("%w: nothing to make a token of", ErrUnusable)
}

func (t *Tokenizer) mac(domain string, b []byte) Token {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(domain))
	m.Write(b)
	var out Token
	m.Sum(out[:0])
	return out
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
