// Package remoteconfig owns remote configuration (issue 22.3): signed
// configuration bundles that arrive on the downlink (firmware/downlink,
// kind "config"), are checked exactly as a configuration file is checked
// at start, written atomically as the managed configuration, tried by
// restarting kioskd, kept once kioskd ran healthily with them and rolled
// back when it did not; and drift, a running configuration that is not the
// last bundle applied because a technician edited the base file on the
// device (allowed: the edit runs, and is reported).
//
// The base file is the one kioskd is started with (/etc/kiosk06/kiosk.toml,
// read-only under the packaged unit); it is never written. The managed
// configuration is DATA_DIR/remote-config/kiosk.toml, with the managed one
// it replaced as kiosk.toml.prev (none: the base ran). Running decides at
// start which one runs: the managed one when it is the bundle being tried
// or kept and the base is unchanged since that bundle was applied (the
// base's SHA-256 is kept in the state), with the keys a bundle may never
// change taken from the base; the base otherwise.
//
// A bundle travels in the signed envelope of firmware/envelope (shared with
// the update triggers of firmware/update): the payload is the JSON of a Bundle — target device, version, validity
// window, the configuration's TOML text and its SHA-256 — and the
// signature covers exactly those bytes. The device trusts one key, its
// [remote_config] public_key. Versions only go up: the version floor is
// kept in the store's sealed KV and in the state file, and a bundle at or
// below it is refused (no replay of an old configuration).
//
// State that must survive restarts (the bundle being tried, the last one
// kept, the floor, drift already reported, records not yet written) lives
// in DATA_DIR/remote-config.json, written with temp file, fsync and rename.
// docs/OPERATIONS.md ("Remote configuration") and docs/PROTOCOL.md
// ("Downlink") describe the protocol and the technician's side.
//
// It may import firmware/config, firmware/records, firmware/store,
// firmware/downlink, firmware/envelope and firmware/statefile; it must not import firmware/kiosk, a profile, drivers
// or UI code.
package remoteconfig

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/envelope"
)

// MaxConfigBytes bounds a bundle's configuration text.
const MaxConfigBytes = 256 << 10

// Bundle is one signed configuration for one device.
type Bundle struct {
	// Device is the device id the bundle is for: a configuration names
	// its device ([device] id), so a bundle is made per device (a fleet
	// tool signs one for each).
	Device    string    `json:"device"`
	Version   uint64    `json:"version"`    // above every version the device took before
	Signed    time.Time `json:"signed"`     // when the operator signed it
	NotBefore time.Time `json:"not_before"` // not applied before (device clock)
	Expires   time.Time `json:"expires"`    // not applied after (required)
	Config    string    `json:"config"`     // the whole configuration file (TOML)
	SHA256    string    `json:"sha256"`     // hex SHA-256 of Config
}

// Envelope is the wire form of a bundle: the payload (JSON of a Bundle)
// and an Ed25519 signature over exactly those bytes; base64 in JSON.
type Envelope = envelope.Envelope

// Reasons a bundle is refused (records.ConfigRejected's reason codes).
const (
	ReasonSignature     = "signature"
	ReasonMalformed     = "malformed"
	ReasonTarget        = "target"
	ReasonNotYetValid   = "not_yet_valid"
	ReasonExpired       = "expired"
	ReasonVersionFloor  = "version_floor"
	ReasonChecksum      = "checksum"
	ReasonInvalidConfig = "invalid_config"
	ReasonImmutableKey  = "immutable_key"
	ReasonDisabled      = "disabled"
	ReasonWriteFailed   = "write_failed"
)

// Refusal is why a bundle was not applied.
type Refusal struct {
	Reason string // a Reason* code
	Detail string
}

func (r *Refusal) Error() string { return "remoteconfig: " + r.Reason + ": " + r.Detail }

func refuse(reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// ReasonOf returns the refusal code of err ("" if it is no Refusal).
func ReasonOf(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// Hash is the hex SHA-256 the bundle and the records use.
func Hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Sign returns the envelope of b (JSON) signed with key, filling in the
// configuration's SHA-256: the operator's side (kioskd config bundle, the
// tests).
func Sign(key ed25519.PrivateKey, b Bundle) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("remoteconfig: sign: not an Ed25519 private key")
	}
	if len(b.Config) > MaxConfigBytes {
		return nil, fmt.Errorf("remoteconfig: sign: configuration of %d bytes, at most %d", len(b.Config), MaxConfigBytes)
	}
	b.SHA256 = Hash([]byte(b.Config))
	out, err := envelope.SealJSON(key, b)
	if err != nil {
		return nil, fmt.Errorf("remoteconfig: sign: %w", err)
	}
	return out, nil
}

// Open checks the envelope's signature with pub and decodes its bundle;
// the configuration's SHA-256 must match. Target, validity and version
// are the Manager's checks.
func Open(pub ed25519.PublicKey, body []byte) (Bundle, error) {
	var b Bundle
	payload, err := envelope.Open(pub, body)
	switch {
	case errors.Is(err, envelope.ErrSignature):
		return b, refuse(ReasonSignature, "the signature does not verify with [remote_config] public_key")
	case err != nil:
		return b, refuse(ReasonMalformed, "%v", err)
	}
	if err := json.Unmarshal(payload, &b); err != nil {
		return b, refuse(ReasonMalformed, "payload: %v", err)
	}
	switch {
	case b.Version == 0:
		return b, refuse(ReasonMalformed, "version 0 (versions start at 1)")
	case b.Expires.IsZero():
		return b, refuse(ReasonMalformed, "no expiry")
	case len(b.Config) > MaxConfigBytes:
		return b, refuse(ReasonMalformed, "configuration of %d bytes, at most %d", len(b.Config), MaxConfigBytes)
	case Hash([]byte(b.Config)) != b.SHA256:
		return b, refuse(ReasonChecksum, "the configuration's SHA-256 is not the bundle's sha256")
	}
	return b, nil
}
