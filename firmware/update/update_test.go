package update

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/downlink"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
)

var t0 = time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.DiscardHandler)

type keys struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newKeys(t testing.TB) keys {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return keys{pub, priv}
}

func (k keys) sign(t testing.TB, version string, stage int, mod ...func(*Trigger)) []byte {
	t.Helper()
	tr := Trigger{Package: Package, Version: version, Stage: stage, Signed: t0, NotBefore: t0.Add(-time.Minute), Expires: t0.Add(72 * time.Hour)}
	for _, m := range mod {
		m(&tr)
	}
	b, err := Sign(k.priv, tr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCompareVersions: the order dpkg --compare-versions gives, checked
// against dpkg itself when it is installed.
func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0}, {"1.0.0", "1.0.1", -1}, {"1.10", "1.9", 1}, {"1.0~rc1", "1.0", -1},
		{"1.0", "1.0+1.g0123", -1}, {"0.0.0+132.gabc", "0.0.0+99.gdef", 1}, {"1:0.1", "9.9", 1},
		{"1.0-1", "1.0-2", -1}, {"1.0a", "1.0", 1}, {"1.0~", "1.0~~", 1}, {"1.0.", "1.0+", 1}, {"01.2", "1.02", 0},
	}
	dpkg, _ := exec.LookPath("dpkg")
	for _, c := range cases {
		if got := CompareVersions(c.a, c.b); got != c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := CompareVersions(c.b, c.a); got != -c.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", c.b, c.a, got, -c.want)
		}
		if dpkg != "" {
			op := map[int]string{-1: "lt", 0: "eq", 1: "gt"}[c.want]
			if err := exec.Command(dpkg, "--compare-versions", c.a, op, c.b).Run(); err != nil {
				t.Errorf("dpkg --compare-versions %s %s %s disagrees: %v", c.a, op, c.b, err)
			}
		}
	}
	for _, bad := range []string{"", "v1.0", "1.0-", "a:1", "1 0", strings.Repeat("1", 65), "1.0_2"} {
		if ValidVersion(bad) == nil {
			t.Errorf("ValidVersion(%q) = nil", bad)
		}
	}
}

// TestOpenTrigger: a signed trigger opens; another key, a tampered
// payload, another package, a bad version or stage, no expiry are refused
// with their reason code.
func TestOpenTrigger(t *testing.T) {
	k, other := newKeys(t), newKeys(t)
	o, err := Open(k.pub, k.sign(t, "1.2.0", 5))
	if err != nil || o.Version != "1.2.0" || o.Stage != 5 || len(o.SHA256) != 64 {
		t.Fatalf("Open = %+v, %v", o, err)
	}
	bad := func(name string, body []byte, reason string) {
		t.Helper()
		if _, err := Open(k.pub, body); ReasonOf(err) != reason {
			t.Errorf("%s: %v, want %s", name, err, reason)
		}
	}
	bad("other key", other.sign(t, "1.2.0", 5), ReasonSignature)
	bad("unsigned", []byte(`{"payload":"eyJ2ZXJzaW9uIjoiOS45In0=","signature":""}`), ReasonSignature)
	bad("garbage", []byte("not json"), ReasonMalformed)
	forge := func(mod func(*Trigger)) []byte {
		tr := Trigger{Package: Package, Version: "1.2.0", Stage: 5, Expires: t0.Add(time.Hour)}
		mod(&tr)
		b, err := envelopeSeal(k.priv, tr)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bad("package", forge(func(tr *Trigger) { tr.Package = "openssh-server" }), ReasonPackage)
	bad("version", forge(func(tr *Trigger) { tr.Version = "latest" }), ReasonMalformed)
	bad("stage", forge(func(tr *Trigger) { tr.Stage = 101 }), ReasonMalformed)
	bad("expiry", forge(func(tr *Trigger) { tr.Expires = time.Time{} }), ReasonMalformed)
	if _, err := Sign(k.priv, Trigger{Package: Package, Version: "x", Expires: t0}); err == nil {
		t.Error("Sign took a bad version")
	}
}

// TestStages: a device's bucket is stable, raising the percentage only
// adds devices, 0 takes none and 100 takes all, and about the stage's
// share of a fleet is in it.
func TestStages(t *testing.T) {
	if b := Bucket("bus-01", "1.2.0"); b != 19 {
		t.Fatalf("Bucket(bus-01, 1.2.0) = %d, want 19: the stage hash changed, and with it which devices are canaries", b)
	}
	in := map[int]int{}
	for i := range 2000 {
		dev := fmt.Sprintf("bus-%04d", i)
		b := Bucket(dev, "1.2.0")
		if b < 0 || b > 99 {
			t.Fatalf("bucket %d", b)
		}
		was := false
		for _, stage := range []int{0, 5, 50, 100} {
			now := b < stage
			if was && !now {
				t.Fatalf("%s left the rollout going to stage %d", dev, stage)
			}
			if now {
				in[stage]++
			}
			was = now
		}
	}
	if in[0] != 0 || in[100] != 2000 || in[5] < 50 || in[5] > 160 || in[50] < 850 || in[50] > 1150 {
		t.Errorf("devices in stage: %v of 2000", in)
	}
	same := 0
	for i := range 200 {
		dev := fmt.Sprintf("bus-%04d", i)
		if Bucket(dev, "1.2.0") < 5 && Bucket(dev, "1.3.0") < 5 {
			same++
		}
	}
	if same > 5 {
		t.Errorf("%d devices are canaries of both versions: the buckets should differ by version", same)
	}
}

// TestAdmit: target, window, stage, the version floor (no replay, no
// downgrade), a version rolled back before, and the installed version.
func TestAdmit(t *testing.T) {
	dev := "bus-0001"
	stage := Bucket(dev, "1.2.0") + 1 // the smallest stage that includes dev
	base := Trigger{Package: Package, Version: "1.2.0", Stage: stage, NotBefore: t0.Add(-time.Minute), Expires: t0.Add(time.Hour)}
	f := Facts{DeviceID: dev, Now: t0, Installed: "1.1.0", Floor: "1.1.0"}
	if err := Admit(base, f); err != nil {
		t.Fatalf("a good trigger: %v", err)
	}
	cases := []struct {
		name string
		mod  func(*Trigger, *Facts)
		want string
	}{
		{"other devices", func(tr *Trigger, _ *Facts) { tr.Devices = []string{"bus-0002"} }, ReasonTarget},
		{"not yet", func(tr *Trigger, _ *Facts) { tr.NotBefore = t0.Add(time.Minute) }, ReasonNotYetValid},
		{"expired", func(tr *Trigger, _ *Facts) { tr.Expires = t0 }, ReasonExpired},
		{"below stage", func(tr *Trigger, _ *Facts) { tr.Stage = stage - 1 }, ReasonNotInStage},
		{"replay of an older trigger", func(tr *Trigger, f *Facts) { tr.Version = "1.0.5"; tr.Stage = 100 }, ReasonVersionFloor},
		{"below the floor", func(tr *Trigger, f *Facts) { f.Floor = "1.3.0" }, ReasonVersionFloor},
		{"below installed", func(tr *Trigger, f *Facts) { f.Installed = "1.2.1"; f.Floor = "" }, ReasonVersionFloor},
		{"rolled back before", func(tr *Trigger, f *Facts) { f.Bad = []string{"1.2.0"} }, ReasonRolledBack},
	}
	for _, c := range cases {
		tr, ff := base, f
		c.mod(&tr, &ff)
		if err := Admit(tr, ff); ReasonOf(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	ff := f
	ff.Installed = "1.2.0"
	if err := Admit(base, ff); !errors.Is(err, ErrCurrent) {
		t.Errorf("installed version: %v, want ErrCurrent", err)
	}
	tr := base
	tr.Devices = []string{"bus-0002", dev}
	if err := Admit(tr, f); err != nil {
		t.Errorf("listed device: %v", err)
	}
}

// fakeInstaller is a package system in memory.
type fakeInstaller struct {
	installed  string
	published  map[string]bool // versions the repository has
	brokenDeb  bool            // Install leaves the package half installed
	refreshErr error
	calls      []string
}

func (f *fakeInstaller) Installed(context.Context) (string, error) { return f.installed, nil }
func (f *fakeInstaller) Repair(context.Context) error {
	f.calls = append(f.calls, "repair")
	return nil
}
func (f *fakeInstaller) Refresh(context.Context) error {
	f.calls = append(f.calls, "refresh")
	return f.refreshErr
}
func (f *fakeInstaller) Keep(_ context.Context, v, dir string) (string, error) {
	f.calls = append(f.calls, "keep "+v)
	p := filepath.Join(dir, "kiosk06_"+v+"_amd64.deb")
	return p, os.WriteFile(p, []byte("deb "+v), 0o644)
}
func (f *fakeInstaller) Install(_ context.Context, v string) error {
	f.calls = append(f.calls, "install "+v)
	if !f.published[v] {
		return errors.New("E: Version '" + v + "' for 'kiosk06' was not found")
	}
	if f.brokenDeb {
		f.installed = ""
		return errors.New("dpkg: error processing package kiosk06 (--configure)")
	}
	f.installed = v
	return nil
}
func (f *fakeInstaller) Reinstall(_ context.Context, deb string) error {
	b, err := os.ReadFile(deb)
	if err != nil {
		return err
	}
	f.installed = strings.TrimPrefix(string(b), "deb ")
	f.calls = append(f.calls, "reinstall "+f.installed)
	return nil
}

// fakeCheck passes when ok says so; it counts its calls.
type fakeCheck struct {
	ok     func() bool
	reason string
	n      int
}

func (c *fakeCheck) Check(context.Context) error {
	c.n++
	if c.ok() {
		return nil
	}
	return errors.New("FAIL store")
}
func (c *fakeCheck) Reason() string { return c.reason }

// memStore is a records.Appender in memory.
type memStore struct{ kinds []string }

func (m *memStore) Append(_ context.Context, r store.Record) (store.Seq, error) {
	m.kinds = append(m.kinds, r.Kind)
	return store.Seq(len(m.kinds)), nil
}

// rig is one device: kioskd's receiver, the updater, a fake clock.
type rig struct {
	t        *testing.T
	k        keys
	dev      string
	data     string
	state    string
	now      time.Time
	inst     *fakeInstaller
	check    *fakeCheck
	healthy  func(version string) bool
	kioskd   *memStore
	recv     *Receiver
	upd      *Updater
	slept    time.Duration
	storeMem *memStore
}

func newRig(t *testing.T, installed string) *rig {
	r := &rig{t: t, k: newKeys(t), dev: "bus-0001", data: t.TempDir(), state: filepath.Join(t.TempDir(), "update"), now: t0,
		inst: &fakeInstaller{installed: installed, published: map[string]bool{}}, kioskd: &memStore{}, storeMem: &memStore{}}
	r.healthy = func(string) bool { return true }
	r.check = &fakeCheck{ok: func() bool { return r.healthy(r.inst.installed) }, reason: "selftest_failed"}
	clock := func() time.Time { return r.now }
	r.recv = NewReceiver(ReceiverOptions{DeviceID: r.dev, DataDir: r.data, StateDir: r.state, Key: r.k.pub, Installed: installed,
		Recorder: StoreRecorder{Store: r.kioskd}, Now: clock, Log: quiet})
	r.upd = NewUpdater(Options{DeviceID: r.dev, DataDir: r.data, StateDir: r.state, Key: r.k.pub, HealthTimeout: time.Minute,
		Installer: r.inst, Checks: []Check{r.check}, Poll: 5 * time.Second, Now: clock, Log: quiet,
		Sleep: func(_ context.Context, d time.Duration) error { r.now = r.now.Add(d); r.slept += d; return nil },
		OpenStore: func(context.Context) (records.Appender, func() error, []string, error) {
			return r.storeMem, func() error { return nil }, nil, nil
		}})
	return r
}

// trigger delivers a trigger over the downlink for the stage that takes
// this device.
func (r *rig) trigger(version string) error {
	r.t.Helper()
	body := r.k.sign(r.t, version, 100, func(tr *Trigger) { tr.NotBefore, tr.Expires = r.now.Add(-time.Minute), r.now.Add(time.Hour) })
	return r.recv.Handle(context.Background(), downlink.Message{Kind: downlink.Update, Payload: body})
}

// TestApplyAndRollback: v2 triggered, installed and gated; a broken v3
// fails the gate at the timeout and the kept v2 .deb goes back; v3 is
// never retried; the records reach the store once each.
func TestApplyAndRollback(t *testing.T) {
	r := newRig(t, "1.0.0")
	r.inst.published["1.1.0"], r.inst.published["1.2.0"] = true, true
	if err := r.trigger("1.1.0"); err != nil {
		t.Fatal(err)
	}
	res, err := r.upd.Apply(context.Background())
	if err != nil || res.Outcome != OutcomeApplied || r.inst.installed != "1.1.0" {
		t.Fatalf("apply 1.1.0: %+v %v, installed %s, calls %v", res, err, r.inst.installed, r.inst.calls)
	}
	if r.check.n != 2 {
		t.Errorf("gate: %d checks, want 2 (two passing rounds)", r.check.n)
	}
	st, _ := LoadState(r.state)
	if st.Floor != "1.1.0" || st.Applying != nil || st.Last.Outcome != OutcomeApplied {
		t.Errorf("state after apply: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(r.state, "kiosk06_1.0.0_amd64.deb")); err != nil {
		t.Errorf("the previous .deb is not kept: %v", err)
	}

	// The next run finds the same trigger: nothing to do.
	r.inst.calls = nil
	if res, err := r.upd.Apply(context.Background()); err != nil || res.Outcome != "" || len(r.inst.calls) != 0 {
		t.Errorf("second run: %+v %v %v", res, err, r.inst.calls)
	}

	// v3 is broken: the gate fails until the timeout, v2 goes back.
	r.recv.o.Installed = "1.1.0"
	r.healthy = func(v string) bool { return v != "1.2.0" }
	if err := r.trigger("1.2.0"); err != nil {
		t.Fatal(err)
	}
	r.slept = 0
	res, err = r.upd.Apply(context.Background())
	if err != nil || res.Outcome != OutcomeRolledBack || res.Reason != "selftest_failed" || r.inst.installed != "1.1.0" {
		t.Fatalf("apply 1.2.0: %+v %v, installed %s, calls %v", res, err, r.inst.installed, r.inst.calls)
	}
	if r.slept < 55*time.Second || r.slept > time.Minute {
		t.Errorf("the gate waited %s, want about health_timeout (1m)", r.slept)
	}
	st, _ = LoadState(r.state)
	if st.Floor != "1.1.0" || len(st.Bad) != 1 || st.Bad[0] != "1.2.0" || st.Last.Outcome != OutcomeRolledBack {
		t.Errorf("state after rollback: %+v", st)
	}
	// The same trigger again, and a fresh one for 1.2.0: refused.
	r.inst.calls = nil
	if res, _ := r.upd.Apply(context.Background()); res.Outcome != "" || len(r.inst.calls) != 0 {
		t.Errorf("the rolled-back trigger ran again: %+v %v", res, r.inst.calls)
	}
	r.now = r.now.Add(time.Second)
	if err := r.trigger("1.2.0"); ReasonOf(err) != ReasonRolledBack {
		t.Errorf("1.2.0 again: %v, want %s", err, ReasonRolledBack)
	}
	want := []string{records.KindUpdateApplied, records.KindUpdateRolledBack}
	if fmt.Sprint(r.storeMem.kinds) != fmt.Sprint(want) {
		t.Errorf("records in the store: %v, want %v", r.storeMem.kinds, want)
	}
	if fmt.Sprint(r.kioskd.kinds) != fmt.Sprint([]string{records.KindUpdateRejected}) {
		t.Errorf("kioskd's records: %v", r.kioskd.kinds)
	}
	// kioskd's Flush finds nothing left to write.
	if n, err := Flush(context.Background(), r.kioskd, r.data, r.state); n != 0 || err != nil {
		t.Errorf("Flush after the updater wrote them: %d %v", n, err)
	}
}

// TestRecordsWaitForKioskd: when the store is held (kioskd runs), the
// updater's records wait in its state and kioskd's Flush writes each once.
func TestRecordsWaitForKioskd(t *testing.T) {
	r := newRig(t, "1.0.0")
	r.inst.published["1.1.0"] = true
	r.upd.o.OpenStore = func(context.Context) (records.Appender, func() error, []string, error) {
		return nil, nil, nil, errors.New("store: locked")
	}
	if err := r.trigger("1.1.0"); err != nil {
		t.Fatal(err)
	}
	if res, err := r.upd.Apply(context.Background()); err != nil || res.Outcome != OutcomeApplied {
		t.Fatalf("%+v %v", res, err)
	}
	s, _ := ReadStatus(r.data, r.state)
	if s.Waiting != 1 {
		t.Errorf("waiting records: %d", s.Waiting)
	}
	for range 2 {
		if _, err := Flush(context.Background(), r.kioskd, r.data, r.state); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(r.kioskd.kinds) != "["+records.KindUpdateApplied+"]" {
		t.Errorf("kioskd wrote %v", r.kioskd.kinds)
	}
	if s, _ := ReadStatus(r.data, r.state); s.Waiting != 0 {
		t.Errorf("waiting after Flush: %d", s.Waiting)
	}
}

// TestReceiverRefuses: an unsigned or wrongly signed trigger, updates
// off, and a trigger outside the stage write nothing and are recorded once
// per distinct message; the updater installs nothing.
func TestReceiverRefuses(t *testing.T) {
	r := newRig(t, "1.0.0")
	r.inst.published["1.1.0"] = true
	evil := newKeys(t)
	forged := evil.sign(t, "1.1.0", 100)
	for range 2 { // a retained message comes back: recorded once
		if err := r.recv.Handle(context.Background(), downlink.Message{Kind: downlink.Update, Payload: forged}); ReasonOf(err) != ReasonSignature {
			t.Fatalf("forged: %v", err)
		}
	}
	outside := r.k.sign(t, "1.1.0", Bucket(r.dev, "1.1.0")) // bucket == stage: not in
	if _, err := r.recv.Take(context.Background(), outside); ReasonOf(err) != ReasonNotInStage {
		t.Errorf("outside the stage: %v", err)
	}
	off := NewReceiver(ReceiverOptions{DeviceID: r.dev, DataDir: r.data, StateDir: r.state, Recorder: StoreRecorder{Store: r.kioskd}, Log: quiet})
	if _, err := off.Take(context.Background(), r.k.sign(t, "1.1.0", 100)); ReasonOf(err) != ReasonDisabled {
		t.Errorf("updates off: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.data, TriggerFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused trigger was written: %v", err)
	}
	if len(r.kioskd.kinds) != 3 {
		t.Errorf("records: %v, want 3 update.rejected", r.kioskd.kinds)
	}
	// A trigger file put there by someone without the key: the updater
	// checks it again and installs nothing.
	if err := os.WriteFile(filepath.Join(r.data, TriggerFile), forged, 0o640); err != nil {
		t.Fatal(err)
	}
	res, err := r.upd.Apply(context.Background())
	if err != nil || res.Outcome != OutcomeRejected || res.Reason != ReasonSignature || r.inst.installed != "1.0.0" || len(r.inst.calls) != 0 {
		t.Errorf("forged trigger file: %+v %v, installed %s, calls %v", res, err, r.inst.installed, r.inst.calls)
	}
	// The next run (at boot) does not record it again.
	if res, err := r.upd.Apply(context.Background()); err != nil || res.Outcome != "" {
		t.Errorf("forged trigger file, second run: %+v %v", res, err)
	}
}

// TestFetchFailedInstallsNothing: apt refusing the archive (bad
// signature, hash mismatch) leaves the running version and a trigger the
// next run tries again.
func TestFetchFailedInstallsNothing(t *testing.T) {
	r := newRig(t, "1.0.0")
	r.inst.refreshErr = errors.New("E: The repository is not signed")
	if err := r.trigger("1.1.0"); err != nil {
		t.Fatal(err)
	}
	res, err := r.upd.Apply(context.Background())
	if err != nil || res.Reason != ReasonFetchFailed || r.inst.installed != "1.0.0" {
		t.Fatalf("%+v %v", res, err)
	}
	// The index is fine again but the .deb is not (apt: hash mismatch).
	r.inst.refreshErr = nil
	res, err = r.upd.Apply(context.Background())
	if err != nil || res.Reason != ReasonFetchFailed || r.inst.installed != "1.0.0" {
		t.Fatalf("%+v %v", res, err)
	}
	r.inst.published["1.1.0"] = true
	if res, err := r.upd.Apply(context.Background()); err != nil || res.Outcome != OutcomeApplied {
		t.Fatalf("retry: %+v %v", res, err)
	}
}

// TestResume: a run that died at each step resumes it: gating again, or
// rolling back an install that did not finish.
func TestResume(t *testing.T) {
	for _, c := range []struct {
		step, installed, want string
	}{
		{StepGating, "1.1.0", OutcomeApplied},
		{StepInstalling, "1.1.0", OutcomeApplied},
		{StepInstalling, "", OutcomeRolledBack},
		{StepRollingBack, "", OutcomeRolledBack},
	} {
		r := newRig(t, c.installed)
		prev := filepath.Join(r.state, "kiosk06_1.0.0_amd64.deb")
		_ = os.MkdirAll(r.state, 0o755)
		_ = os.WriteFile(prev, []byte("deb 1.0.0"), 0o644)
		sum, _ := fileSHA256(prev)
		_ = saveState(r.state, State{Applying: &Applying{Version: "1.1.0", From: "1.0.0", Trigger: "t", Step: c.step, Started: rfc3339(t0),
			PrevDeb: prev, PrevSHA256: sum}})
		res, err := r.upd.Apply(context.Background())
		if err != nil || res.Outcome != c.want {
			t.Errorf("%s with %q installed: %+v %v (calls %v)", c.step, c.installed, res, err, r.inst.calls)
		}
		if c.want == OutcomeRolledBack && r.inst.installed != "1.0.0" {
			t.Errorf("%s: installed %q after the rollback", c.step, r.inst.installed)
		}
	}
}

// TestInstallFailedRollsBack: an install that fails half way (postinst)
// is rolled back from the kept .deb.
func TestInstallFailedRollsBack(t *testing.T) {
	r := newRig(t, "1.0.0")
	r.inst.published["1.1.0"], r.inst.brokenDeb = true, true
	if err := r.trigger("1.1.0"); err != nil {
		t.Fatal(err)
	}
	res, err := r.upd.Apply(context.Background())
	if err != nil || res.Outcome != OutcomeRolledBack || res.Reason != "install_failed" || r.inst.installed != "1.0.0" {
		t.Fatalf("%+v %v installed %q", res, err, r.inst.installed)
	}
}

// TestManualRollback: kioskd update rollback reinstalls the kept .deb and
// marks the version bad.
func TestManualRollback(t *testing.T) {
	r := newRig(t, "1.0.0")
	r.inst.published["1.1.0"] = true
	_ = r.trigger("1.1.0")
	if _, err := r.upd.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := r.upd.Rollback(context.Background())
	if err != nil || res.Outcome != OutcomeRolledBack || res.Reason != "manual" || r.inst.installed != "1.0.0" {
		t.Fatalf("%+v %v %q", res, err, r.inst.installed)
	}
	st, _ := LoadState(r.state)
	if len(st.Bad) != 1 || st.Bad[0] != "1.1.0" {
		t.Errorf("bad: %v", st.Bad)
	}
}

// FuzzOpen: any bytes are refused or opened into a trigger that passes
// its own shape checks, never a panic.
func FuzzOpen(f *testing.F) {
	k := newKeys(f)
	f.Add(k.sign(f, "1.2.0", 5))
	f.Add([]byte(`{"payload":"e30=","signature":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := Open(k.pub, b)
		if err == nil && (o.Package != Package || ValidVersion(o.Version) != nil || o.Stage < 0 || o.Stage > 100) {
			t.Fatalf("opened a bad trigger: %+v", o)
		}
	})
}

// FuzzTrigger: any payload, signed, is refused or admitted by its checks,
// never a panic; versions compare without panicking.
func FuzzTrigger(f *testing.F) {
	k := newKeys(f)
	f.Add([]byte(`{"package":"kiosk06","version":"1.2.0","stage":5,"expires":"2030-01-01T00:00:00Z"}`), "1.1.0")
	f.Add([]byte(`{"package":"kiosk06","version":"1:2~x","stage":100,"devices":["a"],"expires":"2030-01-01T00:00:00Z"}`), "1:2~")
	f.Fuzz(func(t *testing.T, payload []byte, installed string) {
		body, err := envelopeSealRaw(k.priv, payload)
		if err != nil {
			return
		}
		o, err := Open(k.pub, body)
		if err != nil {
			return
		}
		_ = Admit(o.Trigger, Facts{DeviceID: "d", Now: t0, Installed: installed, Floor: installed})
		if c := CompareVersions(o.Version, installed); c != -CompareVersions(installed, o.Version) {
			t.Fatalf("CompareVersions(%q, %q) is not antisymmetric", o.Version, installed)
		}
	})
}
