package store

import (
	"context"
	"crypto/rand"
	"fmt"
)

// kvAAD binds a sealed KV value to this device and its key, so a value
// cannot be moved to another key or device unnoticed.
func kvAAD(deviceID, key string) []byte {
	return append(append(append([]byte(sealAAD+"kv\x00"), deviceID...), 0), key...)
}

// PutSealed durably stores value under key, AES-256-GCM sealed with the
// device key like a record's personal fields (for data that must not sit
// in clear, such as fingerprint holder bindings).
func (s *Store) PutSealed(ctx context.Context, key string, value []byte) error {
	a := s.sealer.aead
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+len(value)+a.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return fmt.Errorf("store: seal: random: %w", err)
	}
	out = a.Seal(out, out[1:], value, kvAAD(s.opts.DeviceID, key))
	return s.put(ctx, key, out, true)
}

// GetSealed returns the value PutSealed stored under key, or ErrNotFound.
func (s *Store) GetSealed(ctx context.Context, key string) ([]byte, error) {
	blob, err := s.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.sealer.openKV(s.opts.DeviceID, key, blob)
}

// openKV decrypts a sealed KV value.
func (s *sealer) openKV(deviceID, key string, blob []byte) ([]byte, error) {
	a := s.aead
	ns := a.NonceSize()
	if len(blob) < 1+ns+a.Overhead() || blob[0] != sealVersion {
		return nil, fmt.Errorf("%w: key %q: malformed sealed value", ErrKey, key)
	}
	plain, err := a.Open(nil, blob[1:1+ns], blob[1+ns:], kvAAD(deviceID, key))
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: cannot unseal (wrong key?)", ErrKey, key)
	}
	return plain, nil
}
