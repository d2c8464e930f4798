package records

// Record kinds of signed updates (issue 22.2, firmware/update): what became
// of each update trigger and each installation.
const (
	KindUpdateApplied    = "update.applied"
	KindUpdateRejected   = "update.rejected"
	KindUpdateRolledBack = "update.rolled_back"
)

// UpdateApplied is the payload of update.applied: the updater installed a
// version and it passed the health gate (active and selftest within
// [update] health_timeout).
type UpdateApplied struct {
	Version string  `json:"version"`          // the Debian version installed (the new version floor)
	From    string  `json:"from"`             // the version it replaced (kept for rollback)
	Trigger string  `json:"trigger"`          // hex SHA-256 of the trigger's signed payload
	Stage   int     `json:"stage"`            // the trigger's canary percentage
	TookS   float64 `json:"took_s"`           // from the start of the install to the gate's pass
	At      string  `json:"at"`               // when the gate passed, RFC 3339
	Detail  string  `json:"detail,omitempty"` // e.g. "resumed after a restart"
}

// RecordKind implements Payload.
func (UpdateApplied) RecordKind() string { return KindUpdateApplied }

// UpdateRejected is the payload of update.rejected: a trigger refused, or
// a fetch that failed, before anything was installed.
type UpdateRejected struct {
	Version string `json:"version,omitempty"` // the trigger's version, when readable
	Trigger string `json:"trigger,omitempty"` // hex SHA-256 of the signed payload, when readable
	// Reason is a stable code: disabled, malformed, signature, package,
	// target, not_yet_valid, expired, not_in_stage, version_floor,
	// rolled_back (the version failed its health gate before),
	// no_rollback (the running version's .deb could not be kept),
	// fetch_failed (apt refused or could not get it: a bad signature or
	// hash in the archive, no network), busy.
	Reason string `json:"reason"`
	Detail string `json:"detail"` // what exactly (at most 2 KiB)
	At     string `json:"at"`     // RFC 3339
}

// RecordKind implements Payload.
func (UpdateRejected) RecordKind() string { return KindUpdateRejected }

// UpdateRolledBack is the payload of update.rolled_back: an installed
// version failed its health gate (or its installation failed half way, or
// a technician asked) and the previous version was installed again from
// the .deb the updater kept. The failed version is never installed again
// by a trigger.
type UpdateRolledBack struct {
	Version  string `json:"version"`  // the version that failed
	Restored string `json:"restored"` // the version installed again
	// Reason: not_active, selftest_failed (the gate's last check, at
	// health_timeout), install_failed, interrupted (a restart found the
	// update half done), manual (kioskd update rollback).
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"` // the last check's output, clipped
	At     string `json:"at"`               // RFC 3339
}

// RecordKind implements Payload.
func (UpdateRolledBack) RecordKind() string { return KindUpdateRolledBack }
