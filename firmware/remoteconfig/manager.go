package remoteconfig

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// ErrRestart asks for a restart: kioskd must exit and start again (a
// bundle was written and is to be tried, or a failed one was rolled back).
var ErrRestart = errors.New("remoteconfig: restart to take the configuration")

// FloorKey is the store's sealed KV entry holding the version floor.
const FloorKey = "remoteconfig.floor"

// maxDetail bounds a record's detail text.
const maxDetail = 2048

// Store is what the Manager needs of the store (*store.Store).
type Store interface {
	records.Appender
	PutSealed(ctx context.Context, key string, value []byte) error
	GetSealed(ctx context.Context, key string) ([]byte, error)
}

// Options configure a Manager.
type Options struct {
	// Config is the running configuration (Running's): Config.File is
	// the base file, Config.Managed the managed configuration when it runs.
	Config *config.Config
	// Parse is the configuration checker kioskd starts with (config.Parse
	// with this kioskd's profiles, run as Config runs).
	Parse ParseFunc
	// Restart ends the run so that kioskd exits and is started again
	// (the kiosk wiring: its run context's cancel with ErrRestart).
	Restart func()
	Log     *slog.Logger
	Now     func() time.Time // default time.Now
}

// Status is what the heartbeat and metrics show.
type Status struct {
	Enabled        bool   // [remote_config] public_key is set
	RunningSHA256  string // of the configuration file kioskd started with
	AppliedVersion uint64 // the last bundle kept (0: none)
	AppliedSHA256  string
	Trying         uint64 // the version being tried (0: none)
	Floor          uint64
	// Drift: a bundle was applied, and the running configuration is not it.
	Drift bool
}

// Manager takes configuration bundles for one running kioskd. Safe for
// concurrent use.
type Manager struct {
	o         Options
	key       ed25519.PublicKey
	file      string // the base configuration file ("" when there is none to manage)
	managed   string // the managed configuration's file (ManagedPath)
	statePath string
	base      []byte // the base file as this start read it
	running   []byte // the configuration this start runs (base or managed)
	log       *slog.Logger

	mu      sync.Mutex
	st      state
	store   Store
	started bool
	timer   *time.Timer   // start timeout, then healthy period
	settled chan struct{} // closed once no trial is pending
}

// Begin runs at start, before the store opens. When the previous start
// was trying a bundle and never kept it, Begin puts the previous
// configuration back, keeps the rollback to record and returns ErrRestart:
// kioskd must exit and start again with it. When this start tries a
// bundle, the start timeout runs from now (Started stops it).
func Begin(o Options) (*Manager, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cfg := o.Config
	m := &Manager{o: o, key: cfg.RemoteConfig.Key(), log: o.Log, settled: make(chan struct{}),
		statePath: filepath.Join(cfg.Device.DataDir, StateFile)}
	if cfg.File == "" || cfg.File == "embedded" {
		close(m.settled)
		return m, nil // nothing to manage: the embedded --sim default
	}
	if err := os.MkdirAll(cfg.Device.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("remoteconfig: data dir: %w", err)
	}
	base, err := os.ReadFile(cfg.File)
	running := base
	if err == nil && cfg.Managed != "" {
		running, err = os.ReadFile(cfg.Managed)
	}
	if err != nil {
		// Remote configuration never stops a start: it is off this run.
		m.log.Warn("remote config: off: the configuration file cannot be read", "err", err)
		close(m.settled)
		return m, nil
	}
	m.file, m.managed, m.base, m.running = cfg.File, ManagedPath(cfg.Device.DataDir), base, running
	if m.st, err = loadState(m.statePath); err != nil {
		return nil, err
	}
	t := m.st.Trying
	switch {
	case t == nil:
		close(m.settled)
	case t.SHA256 != Hash(running):
		// The bundle never got in place (a crash between its steps), or
		// a technician edited the base file since it was applied (the
		// edit runs): nothing to try.
		m.log.Warn("remote config: the bundle being tried is not the running configuration; not trying it", "version", t.Version)
		m.st.Trying = nil
		close(m.settled)
		if err := saveState(m.statePath, m.st); err != nil {
			return nil, err
		}
	case t.Starts >= 1:
		m.log.Error("remote config: the last start with this bundle never became healthy; rolling back", "version", t.Version)
		if err := m.rollbackLocked("died_unhealthy", "kioskd stopped before the configuration was kept (crash, hang, kill or a start systemd gave up on)"); err != nil {
			return nil, err
		}
		return m, ErrRestart
	default:
		t.Starts++
		if err := saveState(m.statePath, m.st); err != nil {
			return nil, err
		}
		m.log.Info("remote config: trying a bundle", "version", t.Version, "start_timeout", cfg.RemoteConfig.StartTimeout.D())
		m.timer = time.AfterFunc(cfg.RemoteConfig.StartTimeout.D(), func() {
			m.fail("start_timeout", fmt.Sprintf("not ready within %v", cfg.RemoteConfig.StartTimeout.D()))
		})
	}
	return m, nil
}

// Attach hands the opened store over: rollbacks made before it opened are
// recorded, the version floor is reconciled with the store's, and drift
// is recorded once per distinct running configuration.
func (m *Manager) Attach(ctx context.Context, st Store) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.store = st
	if m.file == "" {
		return nil
	}
	dirty := false
	for _, rb := range m.st.RolledBack {
		if _, err := records.Append(ctx, st, time.Time{}, &rb, nil); err != nil {
			return fmt.Errorf("remoteconfig: %w", err)
		}
		dirty = true
	}
	m.st.RolledBack = nil
	kv, err := st.GetSealed(ctx, FloorKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("remoteconfig: floor: %w", err)
	case len(kv) == 8:
		if f := binary.BigEndian.Uint64(kv); f > m.st.Floor {
			m.st.Floor, dirty = f, true
		}
	}
	if err := m.putFloorLocked(ctx); err != nil {
		return err
	}
	if a, sum := m.st.Applied, Hash(m.running); a != nil && m.st.Trying == nil && sum != a.SHA256 && m.st.DriftReported != sum {
		m.log.Warn("remote config: the running configuration is not the last bundle applied (edited on the device)", "applied_version", a.Version)
		if _, err := records.Append(ctx, st, time.Time{}, &records.ConfigDrift{SHA256: sum, AppliedVersion: a.Version, AppliedSHA256: a.SHA256}, nil); err != nil {
			return fmt.Errorf("remoteconfig: %w", err)
		}
		m.st.DriftReported, dirty = sum, true
	}
	if dirty {
		return saveState(m.statePath, m.st)
	}
	return nil
}

func (m *Manager) putFloorLocked(ctx context.Context) error {
	if m.store == nil {
		return nil
	}
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], m.st.Floor)
	if err := m.store.PutSealed(ctx, FloorKey, b[:]); err != nil {
		return fmt.Errorf("remoteconfig: floor: %w", err)
	}
	return nil
}

// Started says the profile started and kioskd is ready. A bundle being
// tried is kept once kioskd stayed up for [remote_config] healthy_for.
func (m *Manager) Started(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.started = true
	if m.st.Trying == nil {
		return
	}
	if m.timer != nil {
		m.timer.Stop()
	}
	m.timer = time.AfterFunc(m.o.Config.RemoteConfig.HealthyFor.D(), func() { m.keep(context.WithoutCancel(ctx)) })
}

// keep makes the bundle being tried the applied one.
func (m *Manager) keep(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.st.Trying
	if t == nil {
		return
	}
	m.st.Applied, m.st.Trying = &applied{Version: t.Version, SHA256: t.SHA256, BaseSHA256: t.BaseSHA256}, nil
	m.st.DriftReported = ""
	if t.Version > m.st.Floor {
		m.st.Floor = t.Version
	}
	if err := saveState(m.statePath, m.st); err != nil {
		m.log.Error("remote config: could not keep the bundle", "err", err)
		return
	}
	if err := m.putFloorLocked(ctx); err != nil {
		m.log.Error("remote config", "err", err)
	}
	m.appendLocked(ctx, &records.ConfigApplied{Version: t.Version, SHA256: t.SHA256, State: "kept"})
	m.log.Info("remote config: bundle kept", "version", t.Version)
	close(m.settled)
}

// StartFailed says the start failed with err. If a bundle is being
// tried, the previous configuration is put back and StartFailed returns
// ErrRestart (joined with err); otherwise it returns err.
func (m *Manager) StartFailed(ctx context.Context, err error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st.Trying == nil {
		return err
	}
	if rerr := m.rollbackLocked("start_failed", err.Error()); rerr != nil {
		return errors.Join(err, rerr)
	}
	m.flushLocked(ctx)
	return errors.Join(ErrRestart, err)
}

// fail rolls a bundle being tried back from a timer, and restarts.
func (m *Manager) fail(reason, detail string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st.Trying == nil || m.started && reason == "start_timeout" {
		return
	}
	m.log.Error("remote config: rolling back", "version", m.st.Trying.Version, "reason", reason, "detail", detail)
	if err := m.rollbackLocked(reason, detail); err != nil {
		m.log.Error("remote config: rollback failed", "err", err)
		return
	}
	m.flushLocked(context.Background())
	if m.o.Restart != nil {
		m.o.Restart()
	}
}

// rollbackLocked puts the managed configuration the bundle replaced
// (kiosk.toml.prev) back, or removes the bundle when it replaced the base
// file, raises the floor past the failed version (it is never retried)
// and queues the record.
func (m *Manager) rollbackLocked(reason, detail string) error {
	t := m.st.Trying
	prev, err := os.ReadFile(m.managed + PrevSuffix)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Remove(m.managed); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remoteconfig: rollback: %w", err)
		}
		prev = m.base
	case err != nil:
		return fmt.Errorf("remoteconfig: rollback: %w", err)
	default:
		if err := writeAtomic(m.managed, prev, 0o600); err != nil {
			return fmt.Errorf("remoteconfig: rollback: %w", err)
		}
	}
	m.st.RolledBack = append(m.st.RolledBack, records.ConfigRolledBack{Version: t.Version, SHA256: t.SHA256, RestoredSHA256: Hash(prev),
		Reason: reason, Detail: clip(detail), At: m.o.Now().UTC().Format(time.RFC3339)})
	if t.Version > m.st.Floor {
		m.st.Floor = t.Version
	}
	m.st.Trying = nil
	return saveState(m.statePath, m.st)
}

// flushLocked records queued rollbacks if the store is open.
func (m *Manager) flushLocked(ctx context.Context) {
	if m.store == nil || len(m.st.RolledBack) == 0 {
		return
	}
	for _, rb := range m.st.RolledBack {
		if _, err := records.Append(ctx, m.store, time.Time{}, &rb, nil); err != nil {
			m.log.Error("remote config: rollback not recorded yet (next start)", "err", err)
			return
		}
	}
	m.st.RolledBack = nil
	_ = m.putFloorLocked(ctx)
	if err := saveState(m.statePath, m.st); err != nil {
		m.log.Error("remote config", "err", err)
	}
}

func (m *Manager) appendLocked(ctx context.Context, p records.Payload) {
	if m.store == nil {
		return
	}
	if _, err := records.Append(ctx, m.store, time.Time{}, p, nil); err != nil {
		m.log.Error("remote config: not recorded", "kind", p.RecordKind(), "err", err)
	}
}

// Status returns what the heartbeat and metrics show.
func (m *Manager) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Status{Enabled: m.key != nil, Floor: m.st.Floor}
	if m.file == "" {
		return s
	}
	s.RunningSHA256 = Hash(m.running)
	if a := m.st.Applied; a != nil {
		s.AppliedVersion, s.AppliedSHA256 = a.Version, a.SHA256
		s.Drift = m.st.Trying == nil && a.SHA256 != s.RunningSHA256
	}
	if t := m.st.Trying; t != nil {
		s.Trying = t.Version
	}
	return s
}

// Close stops the timers (a trial not kept by then is rolled back at the
// next start).
func (m *Manager) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.timer != nil {
		m.timer.Stop()
	}
}

// Handle is the downlink handler of kind config. It waits until no bundle
// is being tried, then checks the bundle (signature, target, validity,
// version floor, the configuration checker, keys a bundle may not
// change) and applies it, or records why not.
func (m *Manager) Handle(ctx context.Context, msg downlink.Message) error {
	m.mu.Lock()
	settled := m.settled
	m.mu.Unlock()
	select {
	case <-settled:
	case <-ctx.Done():
		return ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st.Trying != nil {
		return errors.New("remoteconfig: a bundle is being tried; this one waits for the restart")
	}
	msgSum := Hash(msg.Payload)
	b, err := m.check(msg.Payload)
	if err == nil && b.Version <= m.st.Floor {
		if a := m.st.Applied; a != nil && a.Version == b.Version && a.SHA256 == b.SHA256 {
			return nil // the bundle running now, redelivered (retained)
		}
		err = refuse(ReasonVersionFloor, "version %d is not above %d, the highest version this device took", b.Version, m.st.Floor)
	}
	if err == nil {
		err = m.applyLocked(ctx, b)
		if err == nil {
			return nil
		}
	}
	r := &Refusal{Reason: ReasonMalformed, Detail: err.Error()}
	errors.As(err, &r)
	if m.st.Refused == msgSum {
		return err // recorded at its first delivery
	}
	rec := &records.ConfigRejected{Version: b.Version, Reason: r.Reason, Detail: clip(r.Detail)}
	if b.Version != 0 {
		rec.SHA256 = b.SHA256
	}
	m.appendLocked(ctx, rec)
	m.st.Refused = msgSum
	if serr := saveState(m.statePath, m.st); serr != nil {
		m.log.Error("remote config", "err", serr)
	}
	return err
}

// check opens and checks a bundle, up to the version floor.
func (m *Manager) check(payload []byte) (Bundle, error) {
	if m.key == nil {
		return Bundle{}, refuse(ReasonDisabled, "remote configuration is off on this device ([remote_config] public_key is empty)")
	}
	if m.file == "" {
		return Bundle{}, refuse(ReasonDisabled, "kioskd runs the embedded configuration: there is no file to replace")
	}
	b, err := Open(m.key, payload)
	if err != nil {
		return Bundle{}, err
	}
	cur := m.o.Config
	now := m.o.Now()
	switch {
	case b.Device != cur.Device.ID:
		return b, refuse(ReasonTarget, "the bundle is for device %q, this is %q", b.Device, cur.Device.ID)
	case now.Before(b.NotBefore):
		return b, refuse(ReasonNotYetValid, "valid from %s, the device clock reads %s", b.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case !now.Before(b.Expires):
		return b, refuse(ReasonExpired, "expired %s, the device clock reads %s", b.Expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if b.Version <= m.st.Floor {
		return b, nil // Handle decides: the running bundle again, or refused
	}
	name := fmt.Sprintf("bundle-v%d.toml", b.Version)
	next, err := m.o.Parse(name, []byte(b.Config))
	if err != nil {
		return b, refuse(ReasonInvalidConfig, "%v", err)
	}
	was, got := protectedKeys(cur), protectedKeys(next)
	for i, k := range was {
		if k.value != got[i].value {
			return b, refuse(ReasonImmutableKey, "%s: %s = %q, the device has %q; a bundle may not change it (set it on the device)", name, k.key, got[i].value, k.value)
		}
	}
	return b, nil
}

// applyLocked writes the bundle as the managed configuration (the managed
// one running now kept as kiosk.toml.prev; none when the base runs),
// marks it as being tried and asks for a restart. The base file is never
// written: kioskd writes only its data directory.
func (m *Manager) applyLocked(ctx context.Context, b Bundle) error {
	cur := m.running
	if err := os.MkdirAll(filepath.Dir(m.managed), 0o700); err != nil {
		return refuse(ReasonWriteFailed, "%v", err)
	}
	prev := m.managed + PrevSuffix
	if m.o.Config.Managed != "" {
		if err := writeAtomic(prev, cur, 0o600); err != nil {
			return refuse(ReasonWriteFailed, "%v", err)
		}
	} else if err := os.Remove(prev); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return refuse(ReasonWriteFailed, "%v", err)
	}
	// The base's hash as this start read it: a technician's edit made
	// since then, not yet run, wins at the restart.
	m.st.Trying = &trial{Version: b.Version, SHA256: b.SHA256, PrevSHA256: Hash(cur), BaseSHA256: Hash(m.base),
		Since: m.o.Now().UTC().Format(time.RFC3339)}
	if !b.Signed.IsZero() {
		m.st.Trying.Signed = b.Signed.UTC().Format(time.RFC3339)
	}
	if err := saveState(m.statePath, m.st); err != nil {
		m.st.Trying = nil
		return refuse(ReasonWriteFailed, "%v", err)
	}
	if err := writeAtomic(m.managed, []byte(b.Config), 0o600); err != nil {
		m.st.Trying = nil
		if serr := saveState(m.statePath, m.st); serr != nil {
			m.log.Error("remote config", "err", serr)
		}
		return refuse(ReasonWriteFailed, "%v (the managed configuration lives in the data directory)", err)
	}
	m.settled = make(chan struct{})
	m.appendLocked(ctx, &records.ConfigApplied{Version: b.Version, SHA256: b.SHA256, PreviousSHA256: Hash(cur), State: "trying", Signed: m.st.Trying.Signed})
	m.log.Info("remote config: bundle written; restarting to try it", "version", b.Version, "file", m.managed)
	if m.o.Restart != nil {
		m.o.Restart()
	}
	return nil
}

func clip(s string) string {
	if len(s) > maxDetail {
		return s[:maxDetail-3] + "..."
	}
	return s
}
