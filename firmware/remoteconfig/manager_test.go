package remoteconfig

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

// demoProfiles is one profile without a table of its own.
type demoProfiles struct{}

func (demoProfiles) Names() []string                  { return []string{"demo"} }
func (demoProfiles) NewSection(string) config.Section { return nil }
func parse(file string, doc []byte) (*config.Config, error) {
	return config.Parse(file, doc, config.Options{Profiles: demoProfiles{}})
}

// fakeStore keeps records and sealed values in memory.
type fakeStore struct {
	mu   sync.Mutex
	recs []store.Record
	kv   map[string][]byte
}

func (s *fakeStore) Append(_ context.Context, r store.Record) (store.Seq, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, r)
	return store.Seq(len(s.recs)), nil
}

func (s *fakeStore) PutSealed(_ context.Context, k string, v []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv == nil {
		s.kv = map[string][]byte{}
	}
	s.kv[k] = append([]byte(nil), v...)
	return nil
}

func (s *fakeStore) GetSealed(_ context.Context, k string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.kv[k]; ok {
		return v, nil
	}
	return nil, store.ErrNotFound
}

// kinds returns the record kinds written, with their payloads.
func (s *fakeStore) take() []store.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.recs
	s.recs = nil
	return out
}

// rig is one device: its base configuration file in a read-only
// directory (as ProtectSystem=strict makes /etc), data dir, key and store.
type rig struct {
	t        *testing.T
	dir      string
	file     string // the base file kioskd is started with (read-only)
	edit     string // the same file as a technician writes it
	managed  string // DATA_DIR/remote-config/kiosk.toml
	readOnly bool   // the base's directory really refuses kioskd's writes
	choice   Choice // what the last begin ran
	pub      ed25519.PublicKey
	priv     ed25519.PrivateKey
	st       *fakeStore
	now      time.Time
	restarts int
}

func newRig(t *testing.T) *rig {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := &rig{t: t, dir: dir, pub: pub, priv: priv, st: &fakeStore{},
		managed: ManagedPath(filepath.Join(dir, "var")), now: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	etc := filepath.Join(dir, "etc")
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	r.edit = filepath.Join(etc, "kiosk.toml")
	if err := os.WriteFile(r.edit, []byte(r.toml("info")), 0o640); err != nil {
		t.Fatal(err)
	}
	var ro string
	ro, r.readOnly = readOnlyDir(t, etc)
	r.file = filepath.Join(ro, "kiosk.toml")
	return r
}

// readOnlyDir makes dir read-only for this process, as ProtectSystem=strict
// makes /etc for kioskd, and returns the path to read it by (where writes
// fail) and whether writes there really fail. A non-root process gets
// dir itself, mode 0555; root, whom modes do not stop, a read-only bind
// mount of dir (the same as systemd's), when it may mount. dir stays
// writable for the test's own edits.
func readOnlyDir(t *testing.T, dir string) (string, bool) {
	t.Helper()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	if probe(dir) {
		return dir, true
	}
	ro := dir + "-ro"
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount(dir, ro, "", syscall.MS_BIND, ""); err != nil {
		t.Logf("cannot make %s read-only for root (no bind mount: %v): writes there do not fail", dir, err)
		return dir, false
	}
	t.Cleanup(func() { _ = syscall.Unmount(ro, 0) })
	if err := syscall.Mount("", ro, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Logf("cannot remount %s read-only: %v", ro, err)
		return dir, false
	}
	return ro, probe(ro)
}

// probe reports whether creating a file in dir fails.
func probe(dir string) bool {
	f, err := os.CreateTemp(dir, "probe")
	if err != nil {
		return true
	}
	f.Close()
	os.Remove(f.Name())
	return false
}

// toml is a valid configuration of the rig's device with a log level.
func (r *rig) toml(level string) string {
	return fmt.Sprintf("[device]\nid = \"k-001\"\nprofile = \"demo\"\ndata_dir = %q\n\n[log]\nlevel = %q\n\n[remote_config]\npublic_key = %q\nhealthy_for = \"1h\"\n",
		filepath.Join(r.dir, "var"), level, base64.StdEncoding.EncodeToString(r.pub))
}

// begin starts a "kioskd" on the file as it is now.
func (r *rig) begin() (*Manager, error) {
	r.t.Helper()
	base, err := config.Load(r.file, config.Options{Profiles: demoProfiles{}})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.MkdirAll(base.Device.DataDir, 0o700); err != nil {
		r.t.Fatal(err)
	}
	var cfg *config.Config
	cfg, r.choice = Running(base, parse)
	return Begin(Options{Config: cfg, Parse: parse, Restart: func() { r.restarts++ }, Now: func() time.Time { return r.now },
		Log: slog.New(slog.DiscardHandler)})
}

// started is begin + Attach, failing on any error.
func (r *rig) started() *Manager {
	r.t.Helper()
	m, err := r.begin()
	if err != nil {
		r.t.Fatal(err)
	}
	if err := m.Attach(context.Background(), r.st); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(m.Close)
	return m
}

func (r *rig) bundle(b Bundle) Bundle {
	if b.Device == "" {
		b.Device = "k-001"
	}
	if b.Expires.IsZero() {
		b.Expires = r.now.Add(24 * time.Hour)
	}
	if b.NotBefore.IsZero() {
		b.NotBefore = r.now.Add(-time.Hour)
	}
	return b
}

func (r *rig) sign(b Bundle) []byte {
	r.t.Helper()
	p, err := Sign(r.priv, r.bundle(b))
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

func (r *rig) send(m *Manager, payload []byte) error {
	return m.Handle(context.Background(), downlink.Message{Kind: downlink.Config, Payload: payload})
}

func (r *rig) read(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// one returns the single record written and decodes it into p.
func one(t *testing.T, st *fakeStore, p records.Payload) {
	t.Helper()
	recs := st.take()
	if len(recs) != 1 || recs[0].Kind != p.RecordKind() {
		var kinds []string
		for _, r := range recs {
			kinds = append(kinds, r.Kind+" "+string(r.Payload))
		}
		t.Fatalf("want one %s record, got %q", p.RecordKind(), kinds)
	}
	if err := json.Unmarshal(recs[0].Payload, p); err != nil {
		t.Fatal(err)
	}
}

// TestRefused: every bundle that must not be applied is refused with its
// reason, recorded once (a retained bundle comes back at every
// reconnection), and leaves the configuration untouched.
func TestRefused(t *testing.T) {
	r := newRig(t)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	wrongSum := func() []byte {
		b := r.bundle(Bundle{Version: 3, Config: r.toml("debug")})
		b.SHA256 = Hash([]byte("something else"))
		p, _ := json.Marshal(b)
		e, _ := json.Marshal(Envelope{Payload: p, Signature: ed25519.Sign(r.priv, p)})
		return e
	}
	otherKey, _ := Sign(other, r.bundle(Bundle{Version: 3, Config: r.toml("debug")}))
	var e Envelope
	_ = json.Unmarshal(r.sign(Bundle{Version: 3, Config: r.toml("debug")}), &e)
	e.Payload = []byte(strings.Replace(string(e.Payload), `"version":3`, `"version":30`, 1))
	tampered, _ := json.Marshal(e)
	for _, c := range []struct {
		name, reason string
		payload      []byte
	}{
		{"other key", ReasonSignature, otherKey},
		{"tampered", ReasonSignature, tampered},
		{"not json", ReasonMalformed, []byte("hello")},
		{"unsigned", ReasonSignature, []byte(`{"payload":"e30=","signature":""}`)},
		{"checksum", ReasonChecksum, wrongSum()},
		{"other device", ReasonTarget, r.sign(Bundle{Device: "k-002", Version: 3, Config: r.toml("debug")})},
		{"expired", ReasonExpired, r.sign(Bundle{Version: 3, Config: r.toml("debug"), Expires: r.now.Add(-time.Minute)})},
		{"not yet valid", ReasonNotYetValid, r.sign(Bundle{Version: 3, Config: r.toml("debug"), NotBefore: r.now.Add(time.Hour)})},
		{"no expiry", ReasonMalformed, func() []byte {
			b := r.bundle(Bundle{Version: 3, Config: r.toml("debug")})
			b.Expires = time.Time{}
			b.SHA256 = Hash([]byte(b.Config))
			p, _ := json.Marshal(b)
			e, _ := json.Marshal(Envelope{Payload: p, Signature: ed25519.Sign(r.priv, p)})
			return e
		}()},
		{"below floor", ReasonVersionFloor, r.sign(Bundle{Version: 2, Config: r.toml("debug")})},
		{"checker", ReasonInvalidConfig, r.sign(Bundle{Version: 3, Config: r.toml("loud")})},
		{"syntax", ReasonInvalidConfig, r.sign(Bundle{Version: 3, Config: "[device\nid = 1"})},
		{"moves data", ReasonImmutableKey, r.sign(Bundle{Version: 3, Config: strings.Replace(r.toml("debug"), "/var", "/elsewhere", 1)})},
		{"changes key", ReasonImmutableKey, r.sign(Bundle{Version: 3, Config: strings.Replace(r.toml("debug"), "public_key = \"", "public_key = \"\"\n#", 1)})},
		{"changes update key", ReasonImmutableKey, r.sign(Bundle{Version: 3, Config: r.toml("debug") + "\n[update]\npublic_key_file = \"/var/tmp/mine.pub\"\n"})},
	} {
		t.Run(c.name, func(t *testing.T) {
			r.st.take()
			_ = r.st.PutSealed(context.Background(), FloorKey, []byte{0, 0, 0, 0, 0, 0, 0, 2})
			m := r.started()
			before := r.read(r.file)
			err := r.send(m, c.payload)
			if ReasonOf(err) != c.reason {
				t.Fatalf("got %v, want reason %s", err, c.reason)
			}
			var rec records.ConfigRejected
			one(t, r.st, &rec)
			if rec.Reason != c.reason || rec.Detail == "" {
				t.Fatalf("record %+v", rec)
			}
			if c.reason == ReasonInvalidConfig && !strings.Contains(rec.Detail, "bundle-v3.toml:") {
				t.Errorf("the checker's detail lacks file:line: %q", rec.Detail)
			}
			if err := r.send(m, c.payload); ReasonOf(err) != c.reason {
				t.Fatalf("again: %v", err)
			}
			if recs := r.st.take(); len(recs) != 0 {
				t.Fatalf("a redelivered refused bundle was recorded again")
			}
			if r.read(r.file) != before || r.restarts != 0 {
				t.Fatal("a refused bundle changed the configuration or restarted kioskd")
			}
			if _, err := os.Stat(filepath.Dir(r.managed)); err == nil {
				t.Fatal("a refused bundle left a managed configuration")
			}
		})
	}
}

// TestDisabled: without a public key nothing is taken.
func TestDisabled(t *testing.T) {
	r := newRig(t)
	if err := os.WriteFile(r.edit, []byte(strings.Replace(r.toml("info"), "public_key", "# public_key", 1)), 0o640); err != nil {
		t.Fatal(err)
	}
	m := r.started()
	if err := r.send(m, r.sign(Bundle{Version: 1, Config: r.toml("debug")})); ReasonOf(err) != ReasonDisabled {
		t.Fatalf("got %v", err)
	}
	var rec records.ConfigRejected
	one(t, r.st, &rec)
}

// TestApplyTryKeep: a good bundle is written as the managed configuration
// in the data directory while the base's directory is read-only (the base
// is never written; previous: none), kioskd restarts, runs and tries it,
// keeps it once healthy, and the same bundle redelivered (retained) is a
// no-op.
func TestApplyTryKeep(t *testing.T) {
	r := newRig(t)
	if !r.readOnly {
		t.Skip("the base's directory cannot be made read-only here (root without mount)")
	}
	old := r.read(r.file)
	m := r.started()
	if r.choice.Managed || r.choice.File != r.file {
		t.Fatalf("before any bundle: %+v", r.choice)
	}
	payload := r.sign(Bundle{Version: 4, Config: r.toml("debug"), Signed: r.now})
	if err := r.send(m, payload); err != nil {
		t.Fatal(err)
	}
	if r.read(r.managed) != r.toml("debug") || r.read(r.file) != old || r.restarts != 1 {
		t.Fatalf("not applied: restarts %d, managed %q", r.restarts, r.read(r.managed))
	}
	if _, err := os.Stat(r.managed + PrevSuffix); err == nil {
		t.Fatal("a previous managed configuration where the base ran")
	}
	var a records.ConfigApplied
	one(t, r.st, &a)
	if a.State != "trying" || a.Version != 4 || a.SHA256 != Hash([]byte(r.toml("debug"))) || a.PreviousSHA256 != Hash([]byte(old)) {
		t.Fatalf("applied %+v", a)
	}
	m.Close()

	// The restart: the new configuration is tried, then kept.
	m = r.started()
	if !r.choice.Managed || r.choice.File != r.managed || r.choice.Version != 4 || m.o.Config.Log.Level != "debug" {
		t.Fatalf("the restart runs %+v, log level %q", r.choice, m.o.Config.Log.Level)
	}
	if s := m.Status(); s.Trying != 4 || s.Drift || s.RunningSHA256 != Hash([]byte(r.toml("debug"))) {
		t.Fatalf("status while trying %+v", s)
	}
	m.Started(context.Background())
	m.keep(context.Background())
	one(t, r.st, &a)
	if a.State != "kept" || a.Version != 4 {
		t.Fatalf("kept %+v", a)
	}
	if s := m.Status(); s.AppliedVersion != 4 || s.Trying != 0 || s.Drift || s.Floor != 4 {
		t.Fatalf("status %+v", s)
	}
	if f, _ := r.st.GetSealed(context.Background(), FloorKey); len(f) != 8 || f[7] != 4 {
		t.Fatalf("floor in the store %v", f)
	}
	if err := r.send(m, payload); err != nil || len(r.st.take()) != 0 || r.restarts != 1 {
		t.Fatalf("the running bundle redelivered: %v, restarts %d", err, r.restarts)
	}
	// A later start keeps it without trying anything.
	m.Close()
	if s := r.started().Status(); s.AppliedVersion != 4 || s.Trying != 0 || s.Drift || !r.choice.Managed || r.choice.Why != "bundle v4 kept" {
		t.Fatalf("after another restart %+v, %+v", s, r.choice)
	}
}

// TestRollbackToPreviousBundle: a bundle applied over a kept one keeps it
// as kiosk.toml.prev; when the new one fails, the kept one runs again.
func TestRollbackToPreviousBundle(t *testing.T) {
	r := newRig(t)
	if err := r.send(r.started(), r.sign(Bundle{Version: 4, Config: r.toml("debug")})); err != nil {
		t.Fatal(err)
	}
	m := r.started()
	m.keep(context.Background())
	m.Close()
	m = r.started()
	if err := r.send(m, r.sign(Bundle{Version: 5, Config: r.toml("warn")})); err != nil {
		t.Fatal(err)
	}
	if r.read(r.managed+PrevSuffix) != r.toml("debug") || r.read(r.managed) != r.toml("warn") {
		t.Fatal("the kept bundle is not kiosk.toml.prev")
	}
	m.Close()
	m = r.started()
	r.st.take()
	if err := m.StartFailed(context.Background(), errors.New("no printer")); !errors.Is(err, ErrRestart) {
		t.Fatalf("got %v", err)
	}
	var rb records.ConfigRolledBack
	one(t, r.st, &rb)
	if rb.Version != 5 || rb.RestoredSHA256 != Hash([]byte(r.toml("debug"))) {
		t.Fatalf("rolled back %+v", rb)
	}
	m.Close()
	if s := r.started().Status(); !r.choice.Managed || r.choice.Version != 4 || s.Drift || s.AppliedVersion != 4 || s.Floor != 5 {
		t.Fatalf("after the rollback: %+v, %+v", r.choice, s)
	}
}

// TestProtectedFromBase: whatever the managed file says of the keys a
// bundle may never change, the base's values run (the data directory is
// kioskd's to write; the base's trust is not).
func TestProtectedFromBase(t *testing.T) {
	r := newRig(t)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forged := strings.NewReplacer(
		`id = "k-001"`, `id = "k-666"`,
		base64.StdEncoding.EncodeToString(r.pub), base64.StdEncoding.EncodeToString(other.Public().(ed25519.PublicKey)),
		`healthy_for = "1h"`, `healthy_for = "0s"`,
	).Replace(r.toml("debug")) + "\n[store]\npath = \"/tmp/elsewhere.db\"\n\n[update]\npublic_key_file = \"/var/tmp/mine.pub\"\n"
	if err := os.MkdirAll(filepath.Dir(r.managed), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.managed, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	st := state{Applied: &applied{Version: 3, SHA256: Hash([]byte(forged)), BaseSHA256: Hash([]byte(r.read(r.file)))}, Floor: 3}
	if err := saveState(filepath.Join(r.dir, "var", StateFile), st); err != nil {
		t.Fatal(err)
	}
	base, err := config.Load(r.file, config.Options{Profiles: demoProfiles{}})
	if err != nil {
		t.Fatal(err)
	}
	run, ch := Running(base, parse)
	if !ch.Managed || run.Log.Level != "debug" {
		t.Fatalf("the managed configuration does not run: %+v", ch)
	}
	if got, want := protectedKeys(run), protectedKeys(base); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("protected keys from the managed file:\n got %v\nwant %v", got, want)
	}
	if run.File != r.file || run.Managed != r.managed {
		t.Fatalf("File %q, Managed %q", run.File, run.Managed)
	}
}

// TestRollbackStartFailed: the profile did not start with the bundle: the
// previous configuration is back, kioskd restarts, the rollback is
// recorded, and the failed version is never tried again.
func TestRollbackStartFailed(t *testing.T) {
	r := newRig(t)
	old := r.read(r.file)
	payload := r.sign(Bundle{Version: 5, Config: r.toml("warn")})
	if err := r.send(r.started(), payload); err != nil {
		t.Fatal(err)
	}
	r.st.take()
	m := r.started()
	err := m.StartFailed(context.Background(), errors.New("profile demo: printer: no such file"))
	if !errors.Is(err, ErrRestart) {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(r.managed); err == nil || r.read(r.file) != old {
		t.Fatal("the bundle is still the managed configuration")
	}
	var rb records.ConfigRolledBack
	one(t, r.st, &rb)
	if rb.Version != 5 || rb.Reason != "start_failed" || !strings.Contains(rb.Detail, "printer") || rb.RestoredSHA256 != Hash([]byte(old)) {
		t.Fatalf("rolled back %+v", rb)
	}
	m.Close()
	m = r.started()
	if err := r.send(m, payload); ReasonOf(err) != ReasonVersionFloor {
		t.Fatalf("the failed version again: %v", err)
	}
}

// TestRollbackNeverHealthy: kioskd died (or hung and was killed) while
// trying a bundle: the next start puts the previous configuration back
// before anything else and restarts; the start after that records it.
func TestRollbackNeverHealthy(t *testing.T) {
	r := newRig(t)
	old := r.read(r.file)
	if err := r.send(r.started(), r.sign(Bundle{Version: 6, Config: r.toml("error")})); err != nil {
		t.Fatal(err)
	}
	r.st.take()
	if _, err := r.begin(); err != nil { // tries it, then "crashes"
		t.Fatal(err)
	}
	if _, err := r.begin(); !errors.Is(err, ErrRestart) {
		t.Fatalf("second start with an unkept bundle: %v", err)
	}
	if _, err := os.Stat(r.managed); err == nil || r.read(r.file) != old {
		t.Fatal("the bundle is still the managed configuration")
	}
	m := r.started()
	if r.choice.Managed {
		t.Fatalf("after the rollback %+v", r.choice)
	}
	var rb records.ConfigRolledBack
	one(t, r.st, &rb)
	if rb.Version != 6 || rb.Reason != "died_unhealthy" {
		t.Fatalf("rolled back %+v", rb)
	}
	if s := m.Status(); s.Floor != 6 || s.Trying != 0 {
		t.Fatalf("status %+v", s)
	}
}

// TestRollbackStartTimeout: not ready within start_timeout: rolled back
// and restarted from the timer.
func TestRollbackStartTimeout(t *testing.T) {
	r := newRig(t)
	old := r.read(r.file)
	if err := r.send(r.started(), r.sign(Bundle{Version: 7, Config: r.toml("warn")})); err != nil {
		t.Fatal(err)
	}
	r.st.take()
	m := r.started()
	m.fail("start_timeout", "not ready within 1m0s") // what the timer calls
	if _, err := os.Stat(r.managed); err == nil || r.read(r.file) != old || r.restarts != 2 {
		t.Fatalf("restarts %d", r.restarts)
	}
	var rb records.ConfigRolledBack
	one(t, r.st, &rb)
	if rb.Reason != "start_timeout" {
		t.Fatalf("%+v", rb)
	}
}

// TestDrift: a technician edits the base file after a bundle was applied:
// the next start runs the edit, not the bundle, records config.drift once
// for that configuration, and shows it.
func TestDrift(t *testing.T) {
	r := newRig(t)
	if err := r.send(r.started(), r.sign(Bundle{Version: 8, Config: r.toml("debug")})); err != nil {
		t.Fatal(err)
	}
	m := r.started()
	m.keep(context.Background())
	m.Close()
	r.st.take()
	if err := os.WriteFile(r.edit, []byte(r.toml("warn")), 0o640); err != nil {
		t.Fatal(err)
	}
	m = r.started()
	if r.choice.Managed || r.choice.File != r.file || !strings.Contains(r.choice.Why, "edited") || m.o.Config.Log.Level != "warn" {
		t.Fatalf("after the edit: %+v", r.choice)
	}
	var d records.ConfigDrift
	one(t, r.st, &d)
	if d.SHA256 != Hash([]byte(r.toml("warn"))) || d.AppliedVersion != 8 || d.AppliedSHA256 != Hash([]byte(r.toml("debug"))) {
		t.Fatalf("drift %+v", d)
	}
	if s := m.Status(); !s.Drift {
		t.Fatalf("status %+v", s)
	}
	m.Close()
	m = r.started()
	if recs := r.st.take(); len(recs) != 0 {
		t.Fatal("the same drift recorded twice")
	}
	// A newer bundle still applies over a local edit.
	if err := r.send(m, r.sign(Bundle{Version: 9, Config: r.toml("info")})); err != nil {
		t.Fatal(err)
	}
}

// TestFloorFromStore: a state file lost or restored from an old copy does
// not lower the floor the store keeps.
func TestFloorFromStore(t *testing.T) {
	r := newRig(t)
	_ = r.st.PutSealed(context.Background(), FloorKey, []byte{0, 0, 0, 0, 0, 0, 0, 9})
	m := r.started()
	if err := r.send(m, r.sign(Bundle{Version: 9, Config: r.toml("debug")})); ReasonOf(err) != ReasonVersionFloor {
		t.Fatalf("got %v", err)
	}
}

// FuzzOpen: hostile envelopes never panic and never open without the key.
func FuzzOpen(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	good, _ := Sign(priv, Bundle{Device: "k-001", Version: 1, Expires: time.Now(), Config: "[device]\n"})
	f.Add(good)
	f.Add([]byte(`{"payload":"e30=","signature":"AAAA"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := Open(pub, body)
		if err == nil && Hash([]byte(b.Config)) != b.SHA256 {
			t.Fatal("opened with a wrong checksum")
		}
	})
}
