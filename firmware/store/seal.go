package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Sealed blob layout: version(1) || nonce(12) || AES-256-GCM(ciphertext||tag).
// The additional data binds the blob to its (device_id, seq), so a sealed
// field cannot be moved to another record.
const (
	sealVersion = 1
	keySize     = 32
	sealAAD     = "kiosk06/store/seal/v1\x00"
)

// KeyAbsent is what the packaged unit passes as the seal.key credential
// when the real one is missing (SetCredential=seal.key:absent): a key file
// holding exactly this, or nothing, counts as missing, so that kioskd —
// not systemd — refuses, with a message that says what to do.
const KeyAbsent = "absent"

// errKeyEmpty is an empty or KeyAbsent key file: treated as missing.
var errKeyEmpty = errors.New("store: key file empty")

type sealer struct {
	aead  cipher.AEAD
	check string // keyCheck of the key
}

// newSealer makes the AES-256-GCM sealer for key.
func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	return &sealer{aead: aead, check: keyCheck(key)}, nil
}

func readKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v, want 0600", ErrKey, path, fi.Mode().Perm())
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	if len(key) == 0 || string(key) == KeyAbsent {
		return nil, errKeyEmpty
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("%w: %s holds %d bytes, want %d", ErrKey, path, len(key), keySize)
	}
	return key, nil
}

// createKey writes a fresh random key to a temporary file, fsyncs it and
// links it into place, so a crash never leaves a short key file behind.
// The key's directory is created 0700 if missing.
func createKey(path string) ([]byte, error) {
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("%w: random: %v", ErrKey, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: create %s: %v", ErrKey, dir, err)
	}
	f, err := os.CreateTemp(dir, ".sealkey-*")
	if err != nil {
		return nil, fmt.Errorf("%w: create: %v", ErrKey, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := writeSync(f, key); err != nil {
		return nil, fmt.Errorf("%w: write: %v", ErrKey, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKey(path) // another process won the race
		}
		return nil, fmt.Errorf("%w: link: %v", ErrKey, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return key, nil
}

func writeSync(f *os.File, b []byte) error {
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		return err
	}
	return f.Sync()
}

func aad(deviceID string, seq Seq) []byte {
	b := make([]byte, 0, len(sealAAD)+len(deviceID)+9)
	b = append(b, sealAAD...)
	b = append(b, deviceID...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint64(b, uint64(seq))
}

// seal encrypts the personal fields of record (deviceID, seq); nil in, nil out.
func (s *sealer) seal(deviceID string, seq Seq, fields map[string]string) ([]byte, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	plain, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("store: seal: random: %w", err)
	}
	out = s.aead.Seal(out, out[1:], plain, aad(deviceID, seq))
	clear(plain)
	return out, nil
}

// open decrypts a sealed blob; nil in, nil out.
func (s *sealer) open(deviceID string, seq Seq, blob []byte) (map[string]string, error) {
	if blob == nil {
		return nil, nil
	}
	ns := s.aead.NonceSize()
	if len(blob) < 1+ns+s.aead.Overhead() || blob[0] != sealVersion {
		return nil, fmt.Errorf("%w: seq %d: malformed sealed fields", ErrKey, seq)
	}
	plain, err := s.aead.Open(nil, blob[1:1+ns], blob[1+ns:], aad(deviceID, seq))
	if err != nil {
		return nil, fmt.Errorf("%w: seq %d: cannot unseal (wrong key?)", ErrKey, seq)
	}
	var fields map[string]string
	err = json.Unmarshal(plain, &fields)
	clear(plain)
	if err != nil {
		return nil, fmt.Errorf("store: unseal seq %d: %w", seq, err)
	}
	return fields, nil
}
