package session

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The wire format of a confirmation (docs/PAYMENTS.md) follows payOS's
// webhook and payment-request signature ("Kiểm tra dữ liệu với signature",
// payos.vn/docs): the transaction is a flat JSON object "data", and
//
//	signature = lowercase hex of HMAC-SHA256(checksum key, canonical(data))
//	canonical(data) = k1=v1&k2=v2&…  over every key of data, sorted
//	                  byte-wise ascending; a string is its decoded text, a
//	                  number its JSON literal, null the empty string.
//
// The key is the checksum key's text as bytes (payOS uses the 64-character
// hex string itself, not its decoded bytes). Objects, arrays and booleans
// are refused: payOS's own SDKs disagree on how to write them.
//
// A reply or push is {"data": {...}, "signature": "..."}; other top-level
// members (payOS's code/desc/success) are ignored, never trusted.

// Field names of the signed data object.
const (
	fieldRef      = "ref"           // the session reference (VietQR tag 62.01)
	fieldStatus   = "status"        // pending, paid or failed
	fieldTxnID    = "transactionId" // the bank's / provider's transaction id
	fieldAmount   = "amount"        // integer VND received
	fieldPaidAt   = "paidAt"        // RFC 3339: when the bank booked the transfer
	fieldAccount  = "accountNumber" // the beneficiary account credited
	fieldReason   = "reason"        // why a payment failed
	fieldSignedAt = "signedAt"      // RFC 3339: when the back-end signed this
)

// Errors of verification. Both wrap ErrUnauthorized: nothing was changed.
var (
	ErrBadSignature = fmt.Errorf("%w: missing or wrong signature", ErrUnauthorized)
	ErrStale        = fmt.Errorf("%w: confirmation outside its time window", ErrUnauthorized)
)

// MinKeyLen is the shortest checksum key accepted (payOS issues 64 hex characters).
const MinKeyLen = 32

// Signed is the envelope of a signed confirmation.
type Signed struct {
	Data      json.RawMessage `json:"data"`
	Signature string          `json:"signature"`
}

// Canonical returns the canonical form of the flat JSON object data.
func Canonical(data []byte) (string, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("%w: signed data: %v", ErrInvalid, err)
	}
	if m == nil {
		return "", fmt.Errorf("%w: signed data is not an object", ErrInvalid)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		v, err := canonicalValue(m[k])
		if err != nil {
			return "", fmt.Errorf("%w: signed data %q: %v", ErrInvalid, k, err)
		}
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String(), nil
}

func canonicalValue(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return "", errors.New("empty value")
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case string(raw) == "null":
		return "", nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return string(raw), nil // the literal as the signer wrote it
	}
	return "", errors.New("only strings, numbers and null are signed")
}

// Sign returns the signature of the flat JSON object data under key.
func Sign(key, data []byte) (string, error) {
	c, err := Canonical(data)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(mac(key, c)), nil
}

func mac(key []byte, canonical string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(canonical))
	return h.Sum(nil)
}

// SignConfirmation returns the signed envelope of c as JSON: what a
// payment back-end replies to a poll or pushes. c.SignedAt should be the
// time of this reply (each delivery is signed anew).
func SignConfirmation(key []byte, c Confirmation) ([]byte, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("session: sign: %w", err)
	}
	sig, err := Sign(key, data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Signed{Data: data, Signature: sig})
}

// Verify checks body's signature under key and decodes its data. It checks
// nothing about time or sessions (Manager does). ErrBadSignature for a
// missing or wrong signature, ErrInvalid for a malformed body.
func Verify(key, body []byte) (Confirmation, error) {
	var env Signed
	if err := json.Unmarshal(body, &env); err != nil {
		return Confirmation{}, fmt.Errorf("%w: confirmation: %v", ErrInvalid, err)
	}
	if len(env.Data) == 0 || env.Signature == "" {
		return Confirmation{}, fmt.Errorf("%w (unsigned reply)", ErrBadSignature)
	}
	canonical, err := Canonical(env.Data)
	if err != nil {
		return Confirmation{}, err
	}
	got, err := hex.DecodeString(env.Signature)
	if len(key) < MinKeyLen || err != nil || !hmac.Equal(got, mac(key, canonical)) {
		return Confirmation{}, ErrBadSignature
	}
	return decodeData(env.Data)
}

// decodeData reads the fields the kiosk acts on, by exact name (Go's
// case-insensitive struct matching would let an unsigned "Amount" stand in
// for the signed "amount").
func decodeData(data []byte) (Confirmation, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return Confirmation{}, fmt.Errorf("%w: confirmation data: %v", ErrInvalid, err)
	}
	var c Confirmation
	var errs []error
	str := func(k string, dst *string, max int) {
		raw, ok := m[k]
		if !ok || string(raw) == "null" {
			return
		}
		if err := json.Unmarshal(raw, dst); err != nil || len(*dst) > max {
			errs = append(errs, fmt.Errorf("%s: want a string of at most %d bytes", k, max))
		}
	}
	when := func(k string, dst *time.Time) {
		var s string
		if str(k, &s, 40); s == "" {
			return
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: want an RFC 3339 time", k))
		}
		*dst = t
	}
	str(fieldRef, &c.Ref, 25)
	str(fieldStatus, &c.Status, 16)
	str(fieldTxnID, &c.TransactionID, 64)
	str(fieldAccount, &c.Account, 32)
	str(fieldReason, &c.Reason, 200)
	when(fieldPaidAt, &c.PaidAt)
	when(fieldSignedAt, &c.SignedAt)
	if raw, ok := m[fieldAmount]; ok {
		n, err := strconv.ParseInt(string(bytes.TrimSpace(raw)), 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("%s: want a whole number of VND", fieldAmount))
		}
		c.Amount = n
	}
	if err := errors.Join(errs...); err != nil {
		return Confirmation{}, fmt.Errorf("%w: confirmation data: %v", ErrInvalid, err)
	}
	return c, nil
}

// LoadKey reads a checksum key file: its text, trimmed of surrounding
// white space, is the key (as payOS uses it); at least MinKeyLen bytes.
func LoadKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("session: confirmation key: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Size() > 4096 {
		return nil, fmt.Errorf("session: confirmation key %s: not a small regular file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("session: confirmation key: %w", err)
	}
	key := bytes.TrimSpace(b)
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("session: confirmation key %s: %d characters, want at least %d", path, len(key), MinKeyLen)
	}
	return key, nil
}
