package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Seq is a record's per-device sequence number: 1, 2, 3… without gaps.
type Seq int64

// Limits on what Append accepts (a record must fit a 1 MiB upload batch).
const (
	maxDeviceID    = 128
	maxKind        = 64
	maxPayload     = 256 << 10
	maxPersonal    = 64 << 10
	maxPersonalKey = 64
)

// ReservedPersonalKey is the payload member under which the uploader sends
// a record's unsealed personal fields; payloads must not use it.
const ReservedPersonalKey = "personal"

// Personal field names (design §6). Other names are allowed; these are the
// conventional ones.
const (
	FieldName        = "name"
	FieldIDNumber    = "id_number"
	FieldDateOfBirth = "date_of_birth"
	FieldAddress     = "address"
	FieldPhone       = "phone"
	FieldFingerprint = "fingerprint_binding"
)

// Origin is the first identity of a record that a salvage re-homed from an
// earlier store epoch: the backend dedupes it on (device_id, Epoch, Seq).
type Origin struct {
	Epoch string
	Seq   Seq
}

// Record is one durable transaction record.
//
// Callers of Append set Kind, Payload and Personal; the store fills
// DeviceID, Epoch, Seq and, when zero, CreatedAt/BootID/Mono.
type Record struct {
	DeviceID  string
	Epoch     string // the store epoch the record was read from (reads only)
	Seq       Seq
	Kind      string            // e.g. "queue.ticket", "payment.vietqr", "transit.tap"
	CreatedAt time.Time         // wall clock (UTC)
	BootID    string            // kernel boot id: a new boot restarts Mono
	Mono      time.Duration     // time since boot (CLOCK_BOOTTIME): exposes wall-clock jumps
	Payload   json.RawMessage   // a JSON object, stored in clear
	Personal  map[string]string // sealed at rest (AES-256-GCM), nil if none; binary values (fingerprint binding) base64

	AckedAt     time.Time // zero until the backend acknowledged it
	Quarantined bool      // the backend rejected it (4xx); never resent
	Origin      *Origin   // set on records re-homed by a salvage
}

// validate checks r and returns its compacted payload.
func (r *Record) validate() ([]byte, error) {
	if r.Kind == "" || len(r.Kind) > maxKind || strings.ContainsAny(r.Kind, "\x00\n") {
		return nil, fmt.Errorf("%w: kind must be 1..%d bytes", ErrInvalid, maxKind)
	}
	if len(r.Payload) > maxPayload {
		return nil, fmt.Errorf("%w: payload %d bytes > %d", ErrInvalid, len(r.Payload), maxPayload)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, r.Payload); err != nil {
		return nil, fmt.Errorf("%w: payload is not JSON: %v", ErrInvalid, err)
	}
	if buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return nil, fmt.Errorf("%w: payload must be a JSON object", ErrInvalid)
	}
	if r.Origin != nil && (len(r.Origin.Epoch) != 32 || r.Origin.Seq <= 0) {
		return nil, fmt.Errorf("%w: origin needs a 32-hex-digit epoch and a positive seq", ErrInvalid)
	}
	if len(r.Personal) > 0 {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
			return nil, fmt.Errorf("%w: payload: %v", ErrInvalid, err)
		}
		if _, ok := top[ReservedPersonalKey]; ok {
			return nil, fmt.Errorf("%w: payload member %q is reserved for sealed fields", ErrInvalid, ReservedPersonalKey)
		}
	}
	size := 0
	for k, v := range r.Personal {
		if k == "" || len(k) > maxPersonalKey {
			return nil, fmt.Errorf("%w: personal field name must be 1..%d bytes", ErrInvalid, maxPersonalKey)
		}
		size += len(k) + len(v)
	}
	if size > maxPersonal {
		return nil, fmt.Errorf("%w: personal fields %d bytes > %d", ErrInvalid, size, maxPersonal)
	}
	return buf.Bytes(), nil
}

// clockSource stamps records with wall clock, boot id and boot-time offset.
type clockSource struct {
	bootID string
}

func newClock() clockSource { return clockSource{bootID: BootID()} }

// BootID is the kernel's boot id (/proc/sys/kernel/random/boot_id): a new
// boot restarts SinceBoot, and records of one boot compare their Mono. On a
// system without one it is a random id, new at every call: call it once
// per process (the records of that process then compare, no others).
func BootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if id := strings.TrimSpace(string(b)); err == nil && id != "" {
		return id
	}
	// No kernel boot id (non-Linux): a random id per process still
	// tells the backend that Mono restarted.
	var r [16]byte
	_, _ = rand.Read(r[:])
	return "proc-" + hex.EncodeToString(r[:])
}

// stamp fills the clock fields of r that are zero.
func (c clockSource) stamp(r *Record) {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	r.CreatedAt = r.CreatedAt.Round(0).UTC()
	if r.BootID == "" {
		r.BootID = c.bootID
		r.Mono = SinceBoot()
	}
}

// SinceBoot reads CLOCK_BOOTTIME, which keeps counting in suspend and never
// jumps with the wall clock: the Mono the store stamps records with.
func SinceBoot() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
