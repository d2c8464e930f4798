package update

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/envelope"
)

// Package is the Debian package a trigger may name.
const Package = "kiosk06"

// MaxDevices bounds a trigger's device list.
const MaxDevices = 10000

// Trigger is the signed payload of down/update: install Version of
// Package on the devices of its stage.
type Trigger struct {
	Package string `json:"package"` // always "kiosk06"
	Version string `json:"version"` // the Debian version to install
	// Stage is the canary percentage, 0–100: a device takes the trigger
	// when Bucket(device, version) < Stage. Publish the same version again
	// with a higher stage to reach more devices; those already in stay in.
	Stage int `json:"stage"`
	// Devices, when not empty, are the only devices that may take it
	// (stage still applies).
	Devices   []string  `json:"devices,omitempty"`
	Signed    time.Time `json:"signed"`
	NotBefore time.Time `json:"not_before"`
	Expires   time.Time `json:"expires"` // required
}

// Reasons a trigger is refused (records.UpdateRejected's reason codes).
const (
	ReasonDisabled     = "disabled"
	ReasonMalformed    = "malformed"
	ReasonSignature    = "signature"
	ReasonPackage      = "package"
	ReasonTarget       = "target"
	ReasonNotYetValid  = "not_yet_valid"
	ReasonExpired      = "expired"
	ReasonNotInStage   = "not_in_stage"
	ReasonVersionFloor = "version_floor"
	ReasonRolledBack   = "rolled_back"
	ReasonNoRollback   = "no_rollback"
	ReasonFetchFailed  = "fetch_failed"
	ReasonBusy         = "busy"
)

// Refusal is why a trigger was not taken.
type Refusal struct {
	Reason string // a Reason* code
	Detail string
}

func (r *Refusal) Error() string { return "update: " + r.Reason + ": " + r.Detail }

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

// ErrCurrent: the trigger names the version installed now (a redelivered
// trigger after its update): nothing to do, nothing to record.
var ErrCurrent = errors.New("update: the trigger names the installed version")

// Sign returns the envelope of t signed with key: the operator's side
// (kioskd update sign, the tests).
func Sign(key ed25519.PrivateKey, t Trigger) ([]byte, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	out, err := envelope.SealJSON(key, t)
	if err != nil {
		return nil, fmt.Errorf("update: sign: %w", err)
	}
	return out, nil
}

// Opened is a trigger whose signature verified.
type Opened struct {
	Trigger
	// SHA256 is the hex SHA-256 of the signed payload: the trigger's name
	// in records and state.
	SHA256 string
}

// Open checks the envelope's signature with pub and decodes its trigger,
// checking its shape. Target, window, stage and floor are Admit's.
func Open(pub ed25519.PublicKey, body []byte) (Opened, error) {
	payload, err := envelope.Open(pub, body)
	switch {
	case errors.Is(err, envelope.ErrSignature):
		return Opened{}, refuse(ReasonSignature, "the signature does not verify with the [update] key")
	case err != nil:
		return Opened{}, refuse(ReasonMalformed, "%v", err)
	}
	sum := sha256.Sum256(payload)
	o := Opened{SHA256: hex.EncodeToString(sum[:])}
	if err := json.Unmarshal(payload, &o.Trigger); err != nil {
		return o, refuse(ReasonMalformed, "payload: %v", err)
	}
	if err := o.validate(); err != nil {
		return o, err
	}
	return o, nil
}

func (t Trigger) validate() error {
	switch {
	case t.Package != Package:
		return refuse(ReasonPackage, "package %q, this device runs %q", clip(t.Package, 64), Package)
	case ValidVersion(t.Version) != nil:
		return refuse(ReasonMalformed, "%v", ValidVersion(t.Version))
	case t.Stage < 0 || t.Stage > 100:
		return refuse(ReasonMalformed, "stage %d: want a percentage from 0 to 100", t.Stage)
	case t.Expires.IsZero():
		return refuse(ReasonMalformed, "no expiry")
	case len(t.Devices) > MaxDevices:
		return refuse(ReasonMalformed, "%d devices, at most %d", len(t.Devices), MaxDevices)
	}
	return nil
}

// Bucket is the device's place in the stages of version: 0–99, stable
// for a (device, version) pair, independent between versions (so the same
// devices are not always the canaries).
func Bucket(deviceID, version string) int {
	h := sha256.Sum256([]byte("kiosk06-stage\x00" + deviceID + "\x00" + version))
	return int(binary.BigEndian.Uint64(h[:8]) % 100)
}

// Facts are what Admit compares a trigger with.
type Facts struct {
	DeviceID  string
	Now       time.Time
	Installed string   // the installed version ("" unknown)
	Floor     string   // the last version a trigger applied ("" none)
	Bad       []string // versions rolled back: never again by a trigger
}

// Admit decides whether this device takes t now: nil (install it),
// ErrCurrent (it runs that version) or a *Refusal.
func Admit(t Trigger, f Facts) error {
	now := f.Now
	switch {
	case len(t.Devices) > 0 && !slices.Contains(t.Devices, f.DeviceID):
		return refuse(ReasonTarget, "the trigger names %d devices, not %q", len(t.Devices), f.DeviceID)
	case now.Before(t.NotBefore):
		return refuse(ReasonNotYetValid, "valid from %s, the device clock reads %s", rfc3339(t.NotBefore), rfc3339(now))
	case !now.Before(t.Expires):
		return refuse(ReasonExpired, "expired %s, the device clock reads %s", rfc3339(t.Expires), rfc3339(now))
	case f.Installed != "" && CompareVersions(t.Version, f.Installed) == 0:
		return ErrCurrent
	case slices.Contains(f.Bad, t.Version):
		return refuse(ReasonRolledBack, "version %s failed its health gate on this device and was rolled back; publish a newer version", t.Version)
	}
	for _, floor := range []string{f.Floor, f.Installed} {
		if floor != "" && CompareVersions(t.Version, floor) <= 0 {
			return refuse(ReasonVersionFloor, "version %s is not above %s (the last version applied or installed)", t.Version, floor)
		}
	}
	if b := Bucket(f.DeviceID, t.Version); b >= t.Stage {
		return refuse(ReasonNotInStage, "stage %d%%: this device's bucket for %s is %d", t.Stage, t.Version, b)
	}
	return nil
}

// LoadKey reads the trigger key file: a base64 Ed25519 public key (32
// bytes), as kioskd update keygen prints it.
func LoadKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("update: key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("update: key %s: not a base64 Ed25519 public key (kioskd update keygen prints one)", path)
	}
	return ed25519.PublicKey(k), nil
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// maxDetail bounds a record's detail text.
const maxDetail = 2048

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}
