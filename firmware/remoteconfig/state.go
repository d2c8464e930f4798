package remoteconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/statefile"
)

// StateFile is the state's name in the data directory.
const StateFile = "remote-config.json"

// PrevSuffix names the managed configuration a bundle replaced
// (DATA_DIR/remote-config/kiosk.toml.prev), which a rollback puts back.
const PrevSuffix = ".prev"

// applied is a bundle kioskd ran healthily with.
type applied struct {
	Version uint64 `json:"version"`
	SHA256  string `json:"sha256"`
	// BaseSHA256 is the base file's hash when the bundle was applied: a
	// base edited since then runs instead of the bundle (drift).
	BaseSHA256 string `json:"base_sha256,omitempty"`
}

// trial is a bundle written as the managed configuration and not yet kept.
type trial struct {
	Version uint64 `json:"version"`
	SHA256  string `json:"sha256"`
	// PrevSHA256 is the configuration that ran when it was applied.
	PrevSHA256 string `json:"prev_sha256"`
	// BaseSHA256 is the base file's hash as the kioskd that applied it
	// read it (applied's).
	BaseSHA256 string `json:"base_sha256,omitempty"`
	Signed     string `json:"signed,omitempty"`
	// Starts counts the starts made with it: a second start finds the
	// first one never kept it (it died, hung or was killed) and rolls back.
	Starts int    `json:"starts"`
	Since  string `json:"since"`
}

// state is DATA_DIR/remote-config.json.
type state struct {
	Applied *applied `json:"applied,omitempty"`
	Trying  *trial   `json:"trying,omitempty"`
	// Floor is the highest version kept or rolled back (also in the
	// store's sealed KV; the higher of the two wins).
	Floor uint64 `json:"floor"`
	// DriftReported is the running configuration's hash last reported as
	// drift (one config.drift per distinct configuration).
	DriftReported string `json:"drift_reported,omitempty"`
	// Refused is the last refused message's hash: a retained bundle the
	// broker hands over at each reconnection is recorded once.
	Refused string `json:"refused,omitempty"`
	// RolledBack are rollbacks not yet recorded (they may happen before
	// the store is open); written at the next Attach.
	RolledBack []records.ConfigRolledBack `json:"rolled_back,omitempty"`
}

func loadState(path string) (state, error) {
	var s state
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("remoteconfig: state: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("remoteconfig: state %s: %w", path, err)
	}
	return s, nil
}

func saveState(path string, s state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("remoteconfig: state: %w", err)
	}
	return writeAtomic(path, append(b, '\n'), 0o600)
}

// writeAtomic replaces path with data, atomically and durably
// (firmware/statefile).
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	if err := statefile.Write(path, data, mode); err != nil {
		return fmt.Errorf("remoteconfig: %w", err)
	}
	return nil
}
