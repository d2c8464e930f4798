package update

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
)

// Installer is what the updater asks of the package system; System is
// apt and dpkg, a test gives a fake.
type Installer interface {
	// Installed returns the installed version of Package ("" if none).
	Installed(ctx context.Context) (string, error)
	// Repair finishes an interrupted dpkg run (dpkg --configure -a).
	Repair(ctx context.Context) error
	// Refresh fetches the kiosk06 source's indexes (apt verifies their
	// signatures).
	Refresh(ctx context.Context) error
	// Keep puts the .deb of version (installed now) into dir and returns
	// its path.
	Keep(ctx context.Context, version, dir string) (string, error)
	// Install installs version from the repository (apt verifies the
	// .deb's hash against the signed index), keeping conffiles.
	Install(ctx context.Context, version string) error
	// Reinstall installs a kept .deb (a rollback: a downgrade).
	Reinstall(ctx context.Context, deb string) error
}

// Check is one question the health gate asks the new version; System's
// are the unit's state and `kioskd selftest`, a test gives fakes.
type Check interface {
	// Check returns nil when the new version passes, else why not.
	Check(ctx context.Context) error
	// Reason is the rollback's reason code when this check still fails
	// at the deadline (not_active, selftest_failed).
	Reason() string
}

// StoreOpener opens the store for the updater's own records when kioskd
// does not hold it (an error: leave them to kioskd).
type StoreOpener func(ctx context.Context) (records.Appender, func() error, []string, error)

// Options configure an Updater.
type Options struct {
	DeviceID string
	DataDir  string // kioskd's (the trigger file)
	StateDir string // the updater's (root's)
	Key      ed25519.PublicKey
	// HealthTimeout bounds the gate ([update] health_timeout).
	HealthTimeout time.Duration
	Installer     Installer
	Checks        []Check
	// Poll is the pause between the gate's rounds (default 5 s); the gate
	// passes after Stable rounds in a row with every check passing
	// (default 2).
	Poll   time.Duration
	Stable int
	// OpenStore, when set, lets the updater write its records itself.
	OpenStore StoreOpener
	Now       func() time.Time
	// Sleep waits d or until ctx ends (tests: no real waiting).
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
}

// Updater applies update triggers: `kioskd update apply`.
type Updater struct {
	o  Options
	st State
}

// Result says what a run did.
type Result struct {
	Outcome string // applied, rolled_back, rejected, or "" (nothing to do)
	Version string
	Reason  string
	Detail  string
}

// NewUpdater returns an Updater.
func NewUpdater(o Options) *Updater {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.Stable <= 0 {
		o.Stable = 2
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Updater{o: o}
}

// Apply runs once: it resumes an update a previous run left unfinished,
// or takes the trigger kioskd wrote, and writes its records to the store
// when it can. ErrBusy: another run holds the lock.
func (u *Updater) Apply(ctx context.Context) (Result, error) {
	l, err := lock(u.o.StateDir)
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	if u.st, err = LoadState(u.o.StateDir); err != nil {
		return Result{}, err
	}
	var res Result
	if u.st.Applying != nil {
		res, err = u.resume(ctx)
	} else {
		res, err = u.take(ctx)
	}
	u.flush(ctx)
	return res, err
}

func (u *Updater) save() error { return saveState(u.o.StateDir, u.st) }

func (u *Updater) now() string { return rfc3339(u.o.Now()) }

// take checks the trigger file and, if this device takes it, installs.
func (u *Updater) take(ctx context.Context) (Result, error) {
	body, err := os.ReadFile(filepath.Join(u.o.DataDir, TriggerFile))
	if errors.Is(err, os.ErrNotExist) {
		return Result{}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("update: trigger: %w", err)
	}
	installed, err := u.o.Installer.Installed(ctx)
	if err != nil {
		return Result{}, err
	}
	msg := sha256.Sum256(body)
	message := hex.EncodeToString(msg[:])
	if message == u.st.Handled {
		return Result{}, nil // done before (applied, rolled back or refused)
	}
	o, err := Open(u.o.Key, body)
	if err == nil {
		err = Admit(o.Trigger, Facts{DeviceID: u.o.DeviceID, Now: u.o.Now(), Installed: installed, Floor: u.st.Floor, Bad: u.st.Bad})
	}
	if errors.Is(err, ErrCurrent) {
		u.st.Handled = message
		return Result{}, u.save()
	}
	if err != nil {
		return u.rejected(o, message, err, true)
	}
	u.st.Applying = &Applying{Version: o.Version, From: installed, Trigger: o.SHA256, Message: message, Stage: o.Stage, Step: StepFetching, Started: u.now()}
	if err := u.save(); err != nil {
		return Result{}, err
	}
	u.o.Log.Info("update: installing", "version", o.Version, "from", installed, "stage", o.Stage)
	return u.fetchAndInstall(ctx)
}

// rejected records a refusal; handled marks the trigger file (message:
// its hash) as acted on (a failed fetch is not: the next run tries again).
func (u *Updater) rejected(o Opened, message string, err error, handled bool) (Result, error) {
	rf := &Refusal{Reason: ReasonMalformed, Detail: err.Error()}
	errors.As(err, &rf)
	u.o.Log.Warn("update: not installed", "reason", rf.Reason, "version", o.Version, "detail", rf.Detail)
	u.st.queue(&records.UpdateRejected{Version: o.Version, Trigger: o.SHA256, Reason: rf.Reason, Detail: clip(rf.Detail, maxDetail), At: u.now()})
	u.st.Last = &Outcome{Outcome: OutcomeRejected, Version: o.Version, Reason: rf.Reason, At: u.now()}
	u.st.Applying = nil
	if handled {
		u.st.Handled = message
	}
	return Result{Outcome: OutcomeRejected, Version: o.Version, Reason: rf.Reason, Detail: rf.Detail}, u.save()
}

func (u *Updater) fetchAndInstall(ctx context.Context) (Result, error) {
	a := u.st.Applying
	o := Opened{Trigger: Trigger{Version: a.Version}, SHA256: a.Trigger}
	if err := u.o.Installer.Refresh(ctx); err != nil {
		return u.rejected(o, a.Message, refuse(ReasonFetchFailed, "apt-get update: %v", err), false)
	}
	if a.From != "" {
		deb, err := u.o.Installer.Keep(ctx, a.From, u.o.StateDir)
		if err != nil {
			return u.rejected(o, a.Message, refuse(ReasonNoRollback, "the running version's .deb could not be kept for a rollback: %v", err), true)
		}
		sum, err := fileSHA256(deb)
		if err != nil {
			return u.rejected(o, a.Message, refuse(ReasonNoRollback, "%v", err), true)
		}
		a.PrevDeb, a.PrevSHA256 = deb, sum
	}
	a.Step = StepInstalling
	if err := u.save(); err != nil {
		return Result{}, err
	}
	if err := u.o.Installer.Install(ctx, a.Version); err != nil {
		now, ierr := u.o.Installer.Installed(ctx)
		if ierr == nil && now == a.From {
			// apt refused before dpkg ran (a signature or hash that does
			// not match, no network): nothing changed.
			return u.rejected(o, a.Message, refuse(ReasonFetchFailed, "apt-get install %s=%s: %v", Package, a.Version, err), false)
		}
		return u.rollback(ctx, "install_failed", err.Error())
	}
	return u.gate(ctx, "")
}

// resume continues an update a previous run left unfinished (a crash, a
// reboot, the unit stopped): docs/OPERATIONS.md "Updates" says which step
// resumes how.
func (u *Updater) resume(ctx context.Context) (Result, error) {
	a := u.st.Applying
	a.Resumed++
	if err := u.save(); err != nil {
		return Result{}, err
	}
	u.o.Log.Warn("update: resuming an unfinished update", "version", a.Version, "step", a.Step, "resumed", a.Resumed)
	switch a.Step {
	case StepFetching:
		// Nothing was installed: start the fetch again.
		return u.fetchAndInstall(ctx)
	case StepInstalling:
		if err := u.o.Installer.Repair(ctx); err != nil {
			return u.rollback(ctx, "interrupted", "dpkg --configure -a: "+err.Error())
		}
		now, err := u.o.Installer.Installed(ctx)
		if err != nil {
			return Result{}, err
		}
		if now != a.Version {
			return u.rollback(ctx, "interrupted", fmt.Sprintf("the install of %s was interrupted; %q is installed", a.Version, now))
		}
		return u.gate(ctx, "resumed after an interrupted install")
	case StepGating:
		return u.gate(ctx, "gate restarted after an interruption")
	case StepRollingBack:
		return u.rollback(ctx, "interrupted", "a rollback was interrupted and is finished now")
	}
	return u.rollback(ctx, "interrupted", "unknown step "+a.Step)
}

// gate waits for the new version to pass every check in Stable rounds in
// a row, within HealthTimeout.
func (u *Updater) gate(ctx context.Context, detail string) (Result, error) {
	a := u.st.Applying
	a.Step = StepGating
	if err := u.save(); err != nil {
		return Result{}, err
	}
	start := u.o.Now()
	deadline := start.Add(u.o.HealthTimeout)
	passes := 0
	var last Check
	var lastErr error
	for {
		last, lastErr = nil, nil
		for _, c := range u.o.Checks {
			if err := c.Check(ctx); err != nil {
				last, lastErr = c, err
				break
			}
		}
		if lastErr == nil {
			passes++
			if passes >= u.o.Stable {
				return u.applied(start, detail)
			}
		} else {
			passes = 0
		}
		if !u.o.Now().Add(u.o.Poll).Before(deadline) {
			break
		}
		if err := u.o.Sleep(ctx, u.o.Poll); err != nil {
			return Result{}, fmt.Errorf("update: health gate interrupted (it resumes at the next run): %w", err)
		}
	}
	reason := "gate_timeout"
	if last != nil {
		reason = last.Reason()
	}
	msg := fmt.Sprintf("not healthy within %s", u.o.HealthTimeout)
	if lastErr != nil {
		msg += ": " + lastErr.Error()
	}
	return u.rollback(ctx, reason, msg)
}

func (u *Updater) applied(start time.Time, detail string) (Result, error) {
	a := u.st.Applying
	started, _ := time.Parse(time.RFC3339, a.Started)
	took := u.o.Now().Sub(start)
	if !started.IsZero() && a.Resumed == 0 {
		took = u.o.Now().Sub(started)
	}
	u.st.queue(&records.UpdateApplied{Version: a.Version, From: a.From, Trigger: a.Trigger, Stage: a.Stage,
		TookS: took.Round(100 * time.Millisecond).Seconds(), At: u.now(), Detail: detail})
	u.st.Last = &Outcome{Outcome: OutcomeApplied, Version: a.Version, From: a.From, At: u.now()}
	if u.st.Floor == "" || CompareVersions(a.Version, u.st.Floor) > 0 {
		u.st.Floor = a.Version
	}
	u.st.Handled, u.st.Applying = a.Message, nil
	if err := u.save(); err != nil {
		return Result{}, err
	}
	u.prune(a.PrevDeb)
	u.o.Log.Info("update: applied", "version", a.Version, "from", a.From)
	return Result{Outcome: OutcomeApplied, Version: a.Version}, nil
}

// rollback reinstalls the kept .deb, marks the version bad and records
// why. An error leaves the step saved for the next run.
func (u *Updater) rollback(ctx context.Context, reason, detail string) (Result, error) {
	a := u.st.Applying
	a.Step = StepRollingBack
	if err := u.save(); err != nil {
		return Result{}, err
	}
	u.o.Log.Error("update: rolling back", "version", a.Version, "to", a.From, "reason", reason, "detail", detail)
	if a.PrevDeb == "" {
		return Result{}, fmt.Errorf("update: %s must be rolled back but no previous .deb was kept (a first install): reinstall by hand", a.Version)
	}
	sum, err := fileSHA256(a.PrevDeb)
	if err != nil || sum != a.PrevSHA256 {
		return Result{}, fmt.Errorf("update: the kept %s is missing or changed (%v): reinstall %s by hand", a.PrevDeb, err, a.From)
	}
	if err := u.o.Installer.Reinstall(ctx, a.PrevDeb); err != nil {
		return Result{}, fmt.Errorf("update: rollback to %s: %w (the next `kioskd update apply` tries again)", a.From, err)
	}
	if !slices.Contains(u.st.Bad, a.Version) {
		u.st.Bad = append(u.st.Bad, a.Version)
	}
	u.st.queue(&records.UpdateRolledBack{Version: a.Version, Restored: a.From, Reason: reason, Detail: clip(detail, maxDetail), At: u.now()})
	u.st.Last = &Outcome{Outcome: OutcomeRolledBack, Version: a.Version, From: a.From, Reason: reason, At: u.now()}
	if a.Message != "" {
		u.st.Handled = a.Message
	}
	u.st.Applying = nil
	if err := u.save(); err != nil {
		return Result{}, err
	}
	return Result{Outcome: OutcomeRolledBack, Version: a.Version, Reason: reason, Detail: detail}, nil
}

// prune deletes kept .debs but keep (the version before the one
// installed now: what `kioskd update rollback` reinstalls).
func (u *Updater) prune(keep string) {
	ents, err := os.ReadDir(u.o.StateDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		p := filepath.Join(u.o.StateDir, e.Name())
		if strings.HasSuffix(e.Name(), ".deb") && p != keep {
			_ = os.Remove(p)
		}
	}
}

// flush writes the waiting records to the store if this process can open
// it (kioskd does not run); otherwise kioskd does (Flush).
func (u *Updater) flush(ctx context.Context) {
	if u.o.OpenStore == nil || len(u.st.Records) == 0 {
		return
	}
	d, err := loadDevice(u.o.DataDir)
	if err != nil {
		return
	}
	through := max(d.Flushed, u.st.Flushed)
	var todo []Queued
	for _, q := range u.st.Records {
		if q.N > through && q.payload() != nil {
			todo = append(todo, q)
		}
	}
	if len(todo) == 0 {
		return
	}
	st, closeStore, files, err := u.o.OpenStore(ctx)
	if err != nil {
		u.o.Log.Info("update: records wait for kioskd to write them", "records", len(todo), "why", err)
		return
	}
	for _, q := range todo {
		if _, err := records.Append(ctx, st, time.Time{}, q.payload(), nil); err != nil {
			u.o.Log.Error("update: record not written (kioskd writes it)", "err", err)
			break
		}
		u.st.Flushed = q.N
	}
	if err := closeStore(); err != nil {
		u.o.Log.Error("update: store", "err", err)
	}
	if err := matchOwner(files...); err != nil {
		u.o.Log.Error("update: store files", "err", err)
	}
	if err := u.save(); err != nil {
		u.o.Log.Error("update", "err", err)
	}
}

// Rollback is the technician's `kioskd update rollback`: reinstall the
// .deb kept from the version before the installed one, mark the installed
// version bad and record it (reason manual).
func (u *Updater) Rollback(ctx context.Context) (Result, error) {
	l, err := lock(u.o.StateDir)
	if err != nil {
		return Result{}, err
	}
	defer l.Close()
	if u.st, err = LoadState(u.o.StateDir); err != nil {
		return Result{}, err
	}
	if u.st.Applying != nil {
		return Result{}, fmt.Errorf("update: an update to %s is in progress (step %s): run kioskd update apply to finish it", u.st.Applying.Version, u.st.Applying.Step)
	}
	installed, err := u.o.Installer.Installed(ctx)
	if err != nil {
		return Result{}, err
	}
	deb, from, err := u.kept()
	if err != nil {
		return Result{}, err
	}
	sum, err := fileSHA256(deb)
	if err != nil {
		return Result{}, err
	}
	u.st.Applying = &Applying{Version: installed, From: from, Step: StepRollingBack, Started: u.now(), PrevDeb: deb, PrevSHA256: sum}
	res, err := u.rollback(ctx, "manual", "kioskd update rollback")
	u.flush(ctx)
	return res, err
}

// kept returns the kept .deb and its version (kiosk06_VERSION_ARCH.deb,
// the epoch's colon escaped as %3a by apt).
func (u *Updater) kept() (string, string, error) {
	ents, err := os.ReadDir(u.o.StateDir)
	if err != nil {
		return "", "", fmt.Errorf("update: %w", err)
	}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".deb") || !strings.HasPrefix(n, Package+"_") {
			continue
		}
		f := strings.Split(strings.TrimSuffix(n, ".deb"), "_")
		if len(f) == 3 {
			return filepath.Join(u.o.StateDir, n), strings.ReplaceAll(f[1], "%3a", ":"), nil
		}
	}
	return "", "", fmt.Errorf("update: no previous .deb kept in %s (none was updated by kioskd update yet)", u.o.StateDir)
}

// Status is what `kioskd update status` and the heartbeat show.
type Status struct {
	Floor    string    `json:"floor,omitempty"`
	Bad      []string  `json:"bad,omitempty"`
	Applying *Applying `json:"applying,omitempty"`
	Last     *Outcome  `json:"last,omitempty"`
	// Waiting records not yet in the store.
	Waiting int `json:"waiting_records"`
}

// ReadStatus reads the updater's state (read only, no lock).
func ReadStatus(dataDir, stateDir string) (Status, error) {
	st, err := LoadState(stateDir)
	if err != nil {
		return Status{}, err
	}
	d, _ := loadDevice(dataDir)
	s := Status{Floor: st.Floor, Bad: st.Bad, Applying: st.Applying, Last: st.Last}
	through := max(d.Flushed, st.Flushed)
	for _, q := range st.Records {
		if q.N > through {
			s.Waiting++
		}
	}
	return s, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
