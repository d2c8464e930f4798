package records

// Record kinds of remote configuration (issue 22.3, firmware/remoteconfig):
// what became of each signed configuration bundle, and local edits.
const (
	KindConfigApplied    = "config.applied"
	KindConfigRejected   = "config.rejected"
	KindConfigRolledBack = "config.rolled_back"
	KindConfigDrift      = "config.drift"
)

// ConfigApplied is the payload of config.applied: a bundle's configuration
// was written in place of the running one and kioskd restarts to try it
// ("trying"), or the restarted kioskd ran it healthily for the healthy
// period and keeps it ("kept").
type ConfigApplied struct {
	Version        uint64 `json:"version"`                   // the bundle's version (the new version floor)
	SHA256         string `json:"sha256"`                    // of the configuration text (hex)
	PreviousSHA256 string `json:"previous_sha256,omitempty"` // of the configuration it replaced (kept as FILE.prev)
	State          string `json:"state"`                     // "trying" or "kept"
	Signed         string `json:"signed,omitempty"`          // the bundle's signing time, RFC 3339
}

// RecordKind implements Payload.
func (ConfigApplied) RecordKind() string { return KindConfigApplied }

// ConfigRejected is the payload of config.rejected: a bundle refused
// before anything was written; the running configuration is unchanged.
type ConfigRejected struct {
	Version uint64 `json:"version,omitempty"` // the bundle's version (0: not even readable)
	SHA256  string `json:"sha256,omitempty"`  // of the configuration text, when readable
	// Reason is a stable code: signature, malformed, target, not_yet_valid,
	// expired, version_floor, checksum, invalid_config, immutable_key,
	// disabled, write_failed.
	Reason string `json:"reason"`
	// Detail says what exactly (the checker's file:line errors, at most
	// 2 KiB); never personal data (configurations carry none).
	Detail string `json:"detail"`
}

// RecordKind implements Payload.
func (ConfigRejected) RecordKind() string { return KindConfigRejected }

// ConfigRolledBack is the payload of config.rolled_back: a bundle's
// configuration did not bring kioskd to a healthy start, and the previous
// configuration was put back.
type ConfigRolledBack struct {
	Version        uint64 `json:"version"`          // the bundle's version (it stays the floor: never retried)
	SHA256         string `json:"sha256"`           // of the configuration that failed
	RestoredSHA256 string `json:"restored_sha256"`  // of the configuration put back
	Reason         string `json:"reason"`           // start_failed, start_timeout, died_unhealthy
	Detail         string `json:"detail,omitempty"` // the start error, when known
	At             string `json:"at"`               // when the rollback happened, RFC 3339 (the record may be written on the next start)
}

// RecordKind implements Payload.
func (ConfigRolledBack) RecordKind() string { return KindConfigRolledBack }

// ConfigDrift is the payload of config.drift: the configuration kioskd
// started with is not the last bundle applied (a technician edited it on
// the device). Written once per distinct configuration.
type ConfigDrift struct {
	SHA256         string `json:"sha256"`                    // of the running configuration file
	AppliedVersion uint64 `json:"applied_version,omitempty"` // the last bundle applied
	AppliedSHA256  string `json:"applied_sha256,omitempty"`  // its configuration text
}

// RecordKind implements Payload.
func (ConfigDrift) RecordKind() string { return KindConfigDrift }
