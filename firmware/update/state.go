package update

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/statefile"
)

// Files.
const (
	// TriggerFile is the accepted trigger, as received, in kioskd's data
	// directory: written by kioskd, read by the updater, watched by
	// kiosk06-update.path.
	TriggerFile = "update-trigger.json"
	// DeviceFile is kioskd's own update state in its data directory: the
	// updater's records it wrote to the store, the refusal it recorded last.
	DeviceFile = "update-device.json"
	// StateFile is the updater's state in [update] state_dir (root's,
	// readable by kioskd).
	StateFile = "state.json"
	lockFile  = "lock"
)

// Steps of an update in progress (Applying.Step), saved before each runs.
const (
	StepFetching    = "fetching"     // apt-get update, keeping the running version's .deb
	StepInstalling  = "installing"   // apt-get install kiosk06=VERSION
	StepGating      = "gating"       // the health gate
	StepRollingBack = "rolling_back" // reinstalling the kept .deb
)

// Outcomes (Last.Outcome).
const (
	OutcomeApplied    = "applied"
	OutcomeRolledBack = "rolled_back"
	OutcomeRejected   = "rejected"
)

// Applying is an update in progress.
type Applying struct {
	Version string `json:"version"`
	From    string `json:"from"`    // the version installed before
	Trigger string `json:"trigger"` // the trigger's SHA-256 (of its signed payload)
	Message string `json:"message"` // the trigger file's SHA-256 (State.Handled once done)
	Stage   int    `json:"stage"`
	Step    string `json:"step"`
	Started string `json:"started"`
	// PrevDeb is the running version's .deb, kept in the state
	// directory, and its SHA-256 (checked before a rollback installs it).
	PrevDeb    string `json:"prev_deb,omitempty"`
	PrevSHA256 string `json:"prev_sha256,omitempty"`
	// Resumed counts the runs that found this update unfinished.
	Resumed int `json:"resumed,omitempty"`
}

// Outcome is how the last update ended (the heartbeat's update member).
type Outcome struct {
	Outcome string `json:"outcome"` // applied, rolled_back, rejected
	Version string `json:"version,omitempty"`
	From    string `json:"from,omitempty"`
	Reason  string `json:"reason,omitempty"`
	At      string `json:"at"`
}

// Queued is a record the updater made, waiting for a process holding the
// store (exactly one payload set).
type Queued struct {
	N          uint64                    `json:"n"`
	Applied    *records.UpdateApplied    `json:"applied,omitempty"`
	Rejected   *records.UpdateRejected   `json:"rejected,omitempty"`
	RolledBack *records.UpdateRolledBack `json:"rolled_back,omitempty"`
}

func (q Queued) payload() records.Payload {
	switch {
	case q.Applied != nil:
		return q.Applied
	case q.Rejected != nil:
		return q.Rejected
	case q.RolledBack != nil:
		return q.RolledBack
	}
	return nil
}

// State is STATE_DIR/state.json, the updater's (root's) state.
type State struct {
	// Floor is the last version a trigger applied: no trigger may install
	// a version at or below it.
	Floor string `json:"floor,omitempty"`
	// Bad are versions rolled back: no trigger installs them again.
	Bad []string `json:"bad,omitempty"`
	// Handled is the SHA-256 of the last trigger file acted on (applied,
	// rolled back or refused): the same trigger file is not run twice.
	Handled  string    `json:"handled,omitempty"`
	Applying *Applying `json:"applying,omitempty"`
	Last     *Outcome  `json:"last,omitempty"`
	// Records wait for the store; Next numbers them; Flushed is the
	// highest number the updater itself wrote to the store (kioskd keeps
	// its own in DATA_DIR/update-device.json; the higher wins).
	Records []Queued `json:"records,omitempty"`
	Next    uint64   `json:"next,omitempty"`
	Flushed uint64   `json:"flushed,omitempty"`
}

// maxQueued bounds the waiting records (the oldest go first).
const maxQueued = 64

func (s *State) queue(p records.Payload) {
	s.Next++
	q := Queued{N: s.Next}
	switch v := p.(type) {
	case *records.UpdateApplied:
		q.Applied = v
	case *records.UpdateRejected:
		q.Rejected = v
	case *records.UpdateRolledBack:
		q.RolledBack = v
	default:
		return
	}
	s.Records = append(s.Records, q)
	if len(s.Records) > maxQueued {
		s.Records = s.Records[len(s.Records)-maxQueued:]
	}
}

// LoadState reads STATE_DIR/state.json (a zero State when there is none).
func LoadState(stateDir string) (State, error) {
	var s State
	if _, err := statefile.LoadJSON(filepath.Join(stateDir, StateFile), &s); err != nil {
		return s, fmt.Errorf("update: state: %w", err)
	}
	return s, nil
}

// saveState writes the state, readable by kioskd (it holds versions and
// outcomes, no secret).
func saveState(stateDir string, s State) error {
	if err := statefile.SaveJSON(filepath.Join(stateDir, StateFile), s, 0o644); err != nil {
		return fmt.Errorf("update: state: %w", err)
	}
	return nil
}

// deviceState is DATA_DIR/update-device.json, kioskd's.
type deviceState struct {
	Flushed uint64 `json:"flushed"`
	Refused string `json:"refused,omitempty"` // the last refused trigger's hash (recorded once)
}

func loadDevice(dataDir string) (deviceState, error) {
	var d deviceState
	if _, err := statefile.LoadJSON(filepath.Join(dataDir, DeviceFile), &d); err != nil {
		return d, fmt.Errorf("update: %w", err)
	}
	return d, nil
}

func saveDevice(dataDir string, d deviceState) error {
	path := filepath.Join(dataDir, DeviceFile)
	if err := statefile.SaveJSON(path, d, 0o640); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if err := matchOwner(path); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return nil
}

// ErrBusy: another updater holds the state directory's lock.
var ErrBusy = errors.New("update: another `kioskd update` runs")

// lock takes the state directory's lock (flock, non-blocking), creating
// the directory (0755: kioskd reads the state) if needed.
func lock(stateDir string) (*os.File, error) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return nil, fmt.Errorf("update: state dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(stateDir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("update: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("update: lock: %w", err)
	}
	return f, nil
}

// Flush writes the updater's waiting records to the store st (kioskd's,
// or the updater's own when kioskd does not run), each once: it returns
// how many it wrote. Called by kioskd at start and every few seconds.
func Flush(ctx context.Context, st records.Appender, dataDir, stateDir string) (int, error) {
	s, err := LoadState(stateDir)
	if err != nil || len(s.Records) == 0 {
		return 0, err
	}
	d, err := loadDevice(dataDir)
	if err != nil {
		return 0, err
	}
	through := max(d.Flushed, s.Flushed)
	n := 0
	for _, q := range s.Records {
		p := q.payload()
		if q.N <= through || p == nil {
			continue
		}
		if _, err := records.Append(ctx, st, time.Time{}, p, nil); err != nil {
			return n, fmt.Errorf("update: %w", err)
		}
		through, n = q.N, n+1
		d.Flushed = through
		if err := saveDevice(dataDir, d); err != nil {
			return n, err
		}
	}
	return n, nil
}

// QueueRecorder keeps records in the updater's state until kioskd (or the
// updater) writes them to the store: for a technician's `kioskd update
// trigger`, run as root while kioskd holds the store.
type QueueRecorder struct{ StateDir string }

// Record implements Recorder.
func (q QueueRecorder) Record(_ context.Context, p records.Payload) error {
	l, err := lock(q.StateDir)
	if err != nil {
		return err
	}
	defer l.Close()
	s, err := LoadState(q.StateDir)
	if err != nil {
		return err
	}
	s.queue(p)
	return saveState(q.StateDir, s)
}
