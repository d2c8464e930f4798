package update

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/statefile"
)

// Recorder keeps a record: the store (kioskd), or the updater's queue
// (a technician's `kioskd update trigger` while kioskd holds the store).
type Recorder interface {
	Record(ctx context.Context, p records.Payload) error
}

// StoreRecorder records into a store.
type StoreRecorder struct{ Store records.Appender }

// Record implements Recorder.
func (s StoreRecorder) Record(ctx context.Context, p records.Payload) error {
	_, err := records.Append(ctx, s.Store, time.Time{}, p, nil)
	return err
}

// ReceiverOptions configure a Receiver.
type ReceiverOptions struct {
	DeviceID string
	DataDir  string // kioskd's: the trigger file goes there
	StateDir string // the updater's: floor, bad versions
	// Key is the trigger key ([update] public_key_file); nil: updates are
	// off and every trigger is refused (disabled).
	Key ed25519.PublicKey
	// Installed is the version running now (the package's, as stamped in
	// the binary).
	Installed string
	Recorder  Recorder
	// Start asks for the updater to run (nil: kiosk06-update.path starts
	// it when the trigger file changes).
	Start func(ctx context.Context) error
	Now   func() time.Time
	Log   *slog.Logger
}

// Receiver takes update triggers for one device (kioskd's downlink
// handler, kioskd update trigger). Safe for concurrent use.
type Receiver struct {
	o  ReceiverOptions
	mu sync.Mutex
}

// NewReceiver returns a Receiver.
func NewReceiver(o ReceiverOptions) *Receiver {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Receiver{o: o}
}

// Handle is the downlink handler of kind update.
func (r *Receiver) Handle(ctx context.Context, m downlink.Message) error {
	_, err := r.Take(ctx, m.Payload)
	if errors.Is(err, ErrCurrent) {
		return nil
	}
	return err
}

// Take checks a trigger as received and, if this device takes it, writes
// it to DATA_DIR/update-trigger.json and asks for the updater. A refusal
// is recorded (update.rejected) once per distinct message and returned.
func (r *Receiver) Take(ctx context.Context, body []byte) (Opened, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, err := r.check(body)
	if errors.Is(err, ErrCurrent) {
		return o, err
	}
	if err == nil {
		err = r.write(body)
		if err == nil {
			r.o.Log.Info("update: trigger taken; the updater installs it", "version", o.Version, "stage", o.Stage)
			if r.o.Start != nil {
				if serr := r.o.Start(ctx); serr != nil {
					r.o.Log.Warn("update: could not start the updater (kiosk06-update.path starts it)", "err", serr)
				}
			}
			return o, nil
		}
	}
	r.reject(ctx, o, body, err)
	return o, err
}

func (r *Receiver) check(body []byte) (Opened, error) {
	if r.o.Key == nil {
		return Opened{}, refuse(ReasonDisabled, "updates are off on this device ([update] enabled = false, or no key)")
	}
	o, err := Open(r.o.Key, body)
	if err != nil {
		return o, err
	}
	st, err := LoadState(r.o.StateDir)
	if err != nil {
		return o, refuse(ReasonBusy, "%v", err)
	}
	if st.Applying != nil {
		return o, refuse(ReasonBusy, "an update to %s is in progress (step %s); send the trigger again after it", st.Applying.Version, st.Applying.Step)
	}
	return o, Admit(o.Trigger, Facts{DeviceID: r.o.DeviceID, Now: r.o.Now(), Installed: r.o.Installed, Floor: st.Floor, Bad: st.Bad})
}

// write keeps the trigger for the updater (atomically: the path unit fires
// on the rename).
func (r *Receiver) write(body []byte) error {
	if err := os.MkdirAll(r.o.DataDir, 0o750); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	path := filepath.Join(r.o.DataDir, TriggerFile)
	if err := statefile.Write(path, body, 0o640); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if err := matchOwner(path); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return nil
}

// reject records a refusal once per distinct message (a retained trigger
// comes back at every reconnection).
func (r *Receiver) reject(ctx context.Context, o Opened, body []byte, err error) {
	sum := sha256.Sum256(body)
	msg := hex.EncodeToString(sum[:])
	d, lerr := loadDevice(r.o.DataDir)
	if lerr == nil && d.Refused == msg {
		return
	}
	rf := &Refusal{Reason: ReasonMalformed, Detail: err.Error()}
	errors.As(err, &rf)
	r.o.Log.Warn("update: trigger refused", "reason", rf.Reason, "version", o.Version, "detail", rf.Detail)
	if r.o.Recorder == nil {
		return
	}
	rec := &records.UpdateRejected{Version: o.Version, Trigger: o.SHA256, Reason: rf.Reason, Detail: clip(rf.Detail, maxDetail),
		At: rfc3339(r.o.Now())}
	if err := r.o.Recorder.Record(ctx, rec); err != nil {
		r.o.Log.Error("update: refusal not recorded", "err", err)
		return
	}
	if lerr == nil {
		d.Refused = msg
		if err := saveDevice(r.o.DataDir, d); err != nil {
			r.o.Log.Error("update", "err", err)
		}
	}
}
