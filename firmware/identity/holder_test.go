package identity

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
)

const (
	aliceID = "001089012345"
	bobID   = "079058001234"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type rig struct {
	sim   *fingerprintsim.Sim
	dev   *fingerprint.Dev
	store *MemBindingStore
	audit *MemHolderAuditor
	clock *fakeClock
	h     *Holder
}

// newRig runs the real driver over a pty against fingerprintsim.
func newRig(t *testing.T, opts HolderOptions) *rig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	sim, err := fingerprintsim.Start(ctx, &fingerprintsim.Options{Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	dev, err := fingerprint.Open(ctx, sim.DeviceString(), fingerprint.Opts{Poll: 10 * time.Millisecond, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	r := &rig{sim: sim, dev: dev, store: NewMemBindingStore(), audit: &MemHolderAuditor{},
		clock: &fakeClock{t: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}}
	opts.DeviceKey = []byte("0123456789abcdef-test-device-key")
	opts.Now = r.clock.Now
	if opts.CaptureTimeout == 0 {
		opts.CaptureTimeout = 2 * time.Second
	}
	r.h, err = NewHolder(dev, r.store, r.audit, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var consent = Consent{Given: true, Version: "vi-2026-01", At: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}

func outcomes(evs []HolderEvent) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Action)+":"+e.Outcome)
	}
	return strings.Join(s, " ")
}

func TestHolderEndToEnd(t *testing.T) {
	r := newRig(t, HolderOptions{})
	ctx := ctxFor(t)

	r.sim.Touch("alice-index", 2)
	b, err := r.h.Enrol(ctx, aliceID, consent)
	if err != nil {
		t.Fatalf("Enrol: %v", err)
	}
	if b.Slot != 0 || b.IDHash == "" || strings.Contains(b.IDHash, aliceID) || b.ConsentVersion != "vi-2026-01" || !r.sim.SlotHolds(0, "alice-index") {
		t.Fatalf("binding %+v", b)
	}
	if got, _ := r.store.GetBinding(ctx, r.h.IDHash(aliceID)); got != b {
		t.Fatalf("stored %+v, want %+v", got, b)
	}

	r.sim.Touch("alice-index", 1)
	res, err := r.h.Verify(ctx, aliceID)
	if err != nil || res.Slot != 0 || res.Score < 100 {
		t.Fatalf("Verify(alice) = %+v, %v", res, err)
	}

	r.sim.Touch("mallory", 1) // wrong finger
	if _, err := r.h.Verify(ctx, aliceID); !errors.Is(err, ErrNotVerified) || !errors.Is(err, fingerprint.ErrNoMatch) {
		t.Fatalf("Verify(mallory) err = %v", err)
	}

	if _, err := r.h.Verify(ctx, bobID); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("Verify(bob) err = %v", err)
	}
	if ok, err := r.h.Enrolled(ctx, aliceID); !ok || err != nil {
		t.Fatalf("Enrolled(alice) = %v, %v", ok, err)
	}
	if ok, err := r.h.Enrolled(ctx, bobID); ok || err != nil {
		t.Fatalf("Enrolled(bob) = %v, %v", ok, err)
	}

	if err := r.h.Delete(ctx, aliceID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if r.sim.Templates() != 0 {
		t.Fatalf("%d templates left on the module", r.sim.Templates())
	}
	if _, err := r.h.Verify(ctx, aliceID); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("Verify after delete err = %v", err)
	}
	want := "enrol:ok verify:ok verify:no_match verify:not_enrolled delete:ok verify:not_enrolled"
	if got := outcomes(r.audit.Events()); got != want {
		t.Errorf("audit = %q\nwant    %q", got, want)
	}
	for _, ev := range r.audit.Events() {
		if strings.Contains(ev.IDHash, aliceID) {
			t.Errorf("audit event carries the ID: %+v", ev)
		}
	}
	// Templates never left the module: no UpChar was ever sent.
	for _, c := range r.sim.Received() {
		if c == fingerprint.CmdUpChar {
			t.Fatal("UpChar sent: a template left the module")
		}
	}
}

func TestHolderConsentAndThreshold(t *testing.T) {
	r := newRig(t, HolderOptions{Threshold: 250})
	ctx := ctxFor(t)
	r.sim.Touch("alice-index", 2)
	if _, err := r.h.Enrol(ctx, aliceID, Consent{}); !errors.Is(err, ErrNoConsent) || r.sim.Templates() != 0 {
		t.Fatalf("no consent: err = %v, templates %d", err, r.sim.Templates())
	}
	if _, err := r.h.Enrol(ctx, aliceID, consent); err != nil {
		t.Fatal(err)
	}
	r.sim.Touch("alice-index", 1)
	if _, err := r.h.Verify(ctx, aliceID); !errors.Is(err, ErrNotVerified) {
		t.Fatalf("score below threshold 250: err = %v", err)
	}
	// Re-enrolment replaces the binding and frees the old slot.
	r.sim.Touch("alice-thumb", 2)
	b, err := r.h.Enrol(ctx, aliceID, consent)
	if err != nil || r.sim.Templates() != 1 || !r.sim.SlotHolds(b.Slot, "alice-thumb") {
		t.Fatalf("re-enrol: %+v, %v, templates %d", b, err, r.sim.Templates())
	}
}

func TestHolderModuleAbsent(t *testing.T) {
	h, err := NewHolder(nil, NewMemBindingStore(), &MemHolderAuditor{}, HolderOptions{DeviceKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxFor(t)
	if _, err := h.Enrol(ctx, aliceID, consent); !errors.Is(err, ErrModuleAbsent) {
		t.Fatalf("Enrol err = %v", err)
	}

	r := newRig(t, HolderOptions{})
	r.sim.Touch("alice-index", 2)
	if _, err := r.h.Enrol(ctx, aliceID, consent); err != nil {
		t.Fatal(err)
	}
	r.sim.SetFault(fingerprintsim.FaultTimeout)
	if _, err := r.h.Verify(ctx, aliceID); !errors.Is(err, ErrModuleAbsent) {
		t.Fatalf("silent module: err = %v", err)
	}
	r.sim.SetFault(fingerprintsim.FaultNone)
	r.sim.LiftFinger() // nobody puts a finger on: verification fails, not the module
	if _, err := r.h.Verify(ctx, aliceID); !errors.Is(err, ErrNotVerified) || !errors.Is(err, fingerprint.ErrNoFinger) {
		t.Fatalf("no finger: err = %v", err)
	}
	evs := r.audit.Events()
	if got := outcomes(evs[len(evs)-2:]); got != "verify:module_absent verify:no_finger" {
		t.Errorf("audit = %q", got)
	}
}

func TestHolderExpiry(t *testing.T) {
	r := newRig(t, HolderOptions{Retention: 24 * time.Hour})
	ctx := ctxFor(t)
	r.sim.Touch("alice-index", 2)
	if _, err := r.h.Enrol(ctx, aliceID, consent); err != nil {
		t.Fatal(err)
	}
	r.sim.Touch("bob-index", 2)
	if _, err := r.h.Enrol(ctx, bobID, consent); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(25 * time.Hour)
	if _, err := r.h.Verify(ctx, aliceID); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("expired: err = %v", err)
	}
	if n, err := r.h.ExpireBindings(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireBindings = %d, %v", n, err)
	}
	if bs, _ := r.store.ListBindings(ctx); len(bs) != 0 || r.sim.Templates() != 0 {
		t.Fatalf("left: %d bindings, %d templates", len(bs), r.sim.Templates())
	}
	want := "enrol:ok enrol:ok expire:ok verify:not_enrolled expire:ok"
	if got := outcomes(r.audit.Events()); got != want {
		t.Errorf("audit = %q, want %q", got, want)
	}
}

func TestHolderSearch(t *testing.T) {
	ctx := ctxFor(t)
	off := newRig(t, HolderOptions{})
	if _, _, err := off.h.Search(ctx); !errors.Is(err, ErrSearchDisabled) {
		t.Fatalf("disabled: err = %v", err)
	}
	r := newRig(t, HolderOptions{Search: true})
	for _, p := range []struct{ id, finger string }{{aliceID, "alice-index"}, {bobID, "bob-index"}} {
		r.sim.Touch(p.finger, 2)
		if _, err := r.h.Enrol(ctx, p.id, consent); err != nil {
			t.Fatal(err)
		}
	}
	r.sim.Touch("bob-index", 1)
	b, _, err := r.h.Search(ctx)
	if err != nil || b.IDHash != r.h.IDHash(bobID) {
		t.Fatalf("Search(bob) = %+v, %v", b, err)
	}
	r.sim.Touch("stranger", 1)
	if _, _, err := r.h.Search(ctx); !errors.Is(err, ErrNotVerified) {
		t.Fatalf("Search(stranger) err = %v", err)
	}
}

func TestHolderAuditFailureRollsBack(t *testing.T) {
	r := newRig(t, HolderOptions{})
	ctx := ctxFor(t)
	r.audit.Fail = errors.New("disk full")
	r.sim.Touch("alice-index", 2)
	if _, err := r.h.Enrol(ctx, aliceID, consent); err == nil {
		t.Fatal("Enrol succeeded without an audit record")
	}
	if bs, _ := r.store.ListBindings(ctx); len(bs) != 0 || r.sim.Templates() != 0 {
		t.Fatalf("not rolled back: %d bindings, %d templates", len(bs), r.sim.Templates())
	}
}

func TestNewHolderValidates(t *testing.T) {
	if _, err := NewHolder(nil, NewMemBindingStore(), &MemHolderAuditor{}, HolderOptions{DeviceKey: []byte("short")}); err == nil {
		t.Error("short key accepted")
	}
	if _, err := NewHolder(nil, nil, &MemHolderAuditor{}, HolderOptions{DeviceKey: make([]byte, 32)}); err == nil {
		t.Error("nil store accepted")
	}
}
