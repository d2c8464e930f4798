// Holder verification — proving the person is the card holder with the
// kiosk's own fingerprint module, since the chip's fingerprints (DG3) need
// state Terminal Authentication keys.
//
// Holder binding: with the citizen's explicit consent a finger is enrolled
// (two captures → model → a module slot) and bound to an HMAC-SHA256 of the
// verified ID number under a device key. Later visits verify 1:1 against
// the bound slot; 1:N search is opt-in per deployment. Bindings expire and
// are erased on request; every enrol, verify, search and delete is audited.
// Templates never leave the module: this code never uploads one.

package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/serialport"
)

// Holder-verification errors the flows branch on. ErrModuleAbsent and
// ErrNotVerified both lead to the "call staff" fallback.
var (
	// ErrModuleAbsent: no fingerprint module, or it does not answer or
	// misbehaves.
	ErrModuleAbsent = errors.New("identity: fingerprint module absent or not working")
	// ErrNotVerified: the person could not be verified as the holder (no
	// match, score below threshold, no finger in time, unusable image).
	ErrNotVerified = errors.New("identity: holder not verified")
	// ErrNotEnrolled: no (unexpired) binding for this ID number.
	ErrNotEnrolled = errors.New("identity: no fingerprint enrolled for this ID")
	// ErrNoConsent: enrolment was asked for without recorded consent.
	ErrNoConsent = errors.New("identity: fingerprint enrolment needs the citizen's consent")
	// ErrSearchDisabled: 1:N search is not enabled for this deployment.
	ErrSearchDisabled = errors.New("identity: fingerprint search is disabled")
	// ErrLibraryFull: every module slot is bound.
	ErrLibraryFull = errors.New("identity: fingerprint library full")
)

// FingerprintModule is what holder verification needs of a module;
// *fingerprint.Dev implements it.
type FingerprintModule interface {
	SysPara() fingerprint.SysPara
	Enroll(ctx context.Context, slot int, prompt func(fingerprint.Step)) error
	VerifySlot(ctx context.Context, slot int, prompt func(fingerprint.Step)) (score int, err error)
	Identify(ctx context.Context, prompt func(fingerprint.Step)) (slot, score int, err error)
	DeleteChar(ctx context.Context, slot, count int) error
}

// Consent records the citizen's agreement to enrolment.
type Consent struct {
	Given   bool
	Version string    // version of the consent text shown
	At      time.Time // when it was given
}

// Binding ties a module slot to an ID number's keyed hash. It holds no
// personal data in clear.
type Binding struct {
	IDHash         string    // hex HMAC-SHA256(device key, ID number)
	Slot           int       // module library slot
	Created        time.Time // enrolment time
	Expires        time.Time // zero: never
	ConsentVersion string
	ConsentAt      time.Time
}

// BindingStore persists bindings (firmware/records.HolderStore adapts
// firmware/store's sealed fields to it). GetBinding returns ErrNotEnrolled when there is none.
type BindingStore interface {
	PutBinding(ctx context.Context, b Binding) error
	GetBinding(ctx context.Context, idHash string) (Binding, error)
	DeleteBinding(ctx context.Context, idHash string) error
	ListBindings(ctx context.Context) ([]Binding, error)
}

// HolderAction names an audited operation.
type HolderAction string

// Audited actions.
const (
	ActionEnrol  HolderAction = "enrol"
	ActionVerify HolderAction = "verify"
	ActionSearch HolderAction = "search"
	ActionDelete HolderAction = "delete"
	ActionExpire HolderAction = "expire"
)

// HolderEvent is one audit record. Outcome is "ok" or a reason code:
// no_match, no_finger, bad_image, module_absent, not_enrolled, no_consent,
// library_full, error.
type HolderEvent struct {
	Time    time.Time
	Action  HolderAction
	IDHash  string // empty for a search that found nobody
	Slot    int    // -1 when none
	Outcome string
	Score   int
}

// HolderAuditor records audit events durably.
type HolderAuditor interface {
	AuditHolder(ctx context.Context, ev HolderEvent) error
}

// HolderOptions configures a Holder.
type HolderOptions struct {
	DeviceKey      []byte        // HMAC key for ID hashes, ≥ 16 bytes
	Threshold      int           // minimum match score; 0 means 50
	Search         bool          // allow 1:N search (opt-in per deployment)
	Retention      time.Duration // binding lifetime; 0 means no expiry
	CaptureTimeout time.Duration // per enrol/verify/search; 0 means 30 s
	Now            func() time.Time
	Prompt         func(fingerprint.Step) // screen prompts; may be nil
	Logger         *slog.Logger
}

// Holder enrols and verifies card holders on a fingerprint module.
type Holder struct {
	mod   FingerprintModule // nil: no module fitted
	store BindingStore
	audit HolderAuditor
	opts  HolderOptions
	mu    sync.Mutex // one enrol/verify at a time (one sensor)
}

// NewHolder makes a Holder. mod may be nil (no module fitted): every
// operation then fails with ErrModuleAbsent.
func NewHolder(mod FingerprintModule, store BindingStore, audit HolderAuditor, opts HolderOptions) (*Holder, error) {
	if store == nil || audit == nil {
		return nil, errors.New("identity: NewHolder: store and auditor are required")
	}
	if len(opts.DeviceKey) < 16 {
		return nil, errors.New("identity: NewHolder: device key shorter than 16 bytes")
	}
	if opts.Threshold <= 0 {
		opts.Threshold = 50
	}
	if opts.CaptureTimeout <= 0 {
		opts.CaptureTimeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Holder{mod: mod, store: store, audit: audit, opts: opts}, nil
}

// IDHash is the keyed hash bindings are stored under.
func (h *Holder) IDHash(id string) string {
	m := hmac.New(sha256.New, h.opts.DeviceKey)
	m.Write([]byte("kiosk06/holder/v1|" + id))
	return hex.EncodeToString(m.Sum(nil))
}

func checkID(id string) error {
	if id == "" || len(id) > 32 {
		return errors.New("identity: ID number empty or too long")
	}
	return nil
}

// outcome classifies an error for audit records.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrModuleAbsent):
		return "module_absent"
	case errors.Is(err, ErrNotEnrolled):
		return "not_enrolled"
	case errors.Is(err, ErrNoConsent):
		return "no_consent"
	case errors.Is(err, ErrLibraryFull):
		return "library_full"
	case errors.Is(err, fingerprint.ErrNoMatch), errors.Is(err, fingerprint.ErrNotFound), errors.Is(err, errLowScore):
		return "no_match"
	case errors.Is(err, fingerprint.ErrNoFinger):
		return "no_finger"
	case errors.Is(err, fingerprint.ErrBadImage), errors.Is(err, fingerprint.ErrCombine):
		return "bad_image"
	}
	return "error"
}

var errLowScore = errors.New("identity: match score below threshold")

// moduleErr maps a driver error to ErrModuleAbsent (transport, device
// failure) or ErrNotVerified (the person, not the module).
func moduleErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fingerprint.ErrTimeout), errors.Is(err, serialport.ErrDisconnected),
		errors.Is(err, serialport.ErrClosed), errors.Is(err, serialport.ErrTimeout),
		errors.Is(err, fingerprint.ErrChecksum), errors.Is(err, fingerprint.ErrFrame),
		errors.Is(err, fingerprint.ErrComm), errors.Is(err, fingerprint.ErrDevice),
		errors.Is(err, fingerprint.ErrWrongPassword), errors.Is(err, fingerprint.ErrTemplate),
		errors.Is(err, fingerprint.ErrBadSlot):
		return fmt.Errorf("identity: %s: %w: %w", op, ErrModuleAbsent, err)
	}
	return fmt.Errorf("identity: %s: %w: %w", op, ErrNotVerified, err)
}

// record writes an audit event; its failure is returned.
func (h *Holder) record(ctx context.Context, a HolderAction, idHash string, slot, score int, err error) error {
	ev := HolderEvent{Time: h.opts.Now(), Action: a, IDHash: idHash, Slot: slot, Outcome: outcome(err), Score: score}
	h.opts.Logger.Info("holder verification", "action", a, "outcome", ev.Outcome, "slot", slot)
	if aerr := h.audit.AuditHolder(ctx, ev); aerr != nil {
		return fmt.Errorf("identity: audit %s: %w", a, aerr)
	}
	return nil
}
