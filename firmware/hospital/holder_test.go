package hospital

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/fingerprint"
	"github.com/kiosk06/kiosk/drivers/fingerprint/fingerprintsim"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// realHolder wires the real identity.Holder, the real fingerprint driver and
// fingerprintsim on a pty, with the holder's prompts routed to the flow.
func realHolder(t *testing.T, withModule bool) (rigOpt, *fingerprintsim.Sim) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	var sim *fingerprintsim.Sim
	var mod identity.FingerprintModule
	if withModule {
		var err error
		sim, err = fingerprintsim.Start(ctx, &fingerprintsim.Options{Capacity: 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sim.Close() })
		dev, err := fingerprint.Open(ctx, sim.DeviceString(), fingerprint.Opts{Poll: 10 * time.Millisecond, Timeout: 500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { dev.Close() })
		mod = dev
	}
	return func(_ *Config, d *Deps, r *rig) {
		h, err := identity.NewHolder(mod, identity.NewMemBindingStore(), &identity.MemHolderAuditor{}, identity.HolderOptions{
			DeviceKey: []byte("0123456789abcdef-test-device-key"), CaptureTimeout: 2 * time.Second,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Prompt: func(s fingerprint.Step) { r.flow.FingerPrompt(FingerStep(s)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		d.Holder = h
	}, sim
}

func TestRealHolderEnrolVerifyMismatch(t *testing.T) {
	opt, sim := realHolder(t, true)
	r := newRig(t, opt)

	// First visit: no binding → consent → enrolment with two captures.
	r.tapCard(adult)
	r.tap(IntentContinue)
	r.wait("offer", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderOffer })
	sim.Touch("an-index", 2)
	r.send(Intent{Kind: IntentConsent, Yes: true})
	r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance })
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)

	// Second visit: the same finger matches.
	sim.Touch("an-index", 1)
	r.tapCard(adult)
	r.tap(IntentContinue)
	r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance })
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)

	// Third visit: someone else's finger does not.
	sim.Touch("mallory", 1)
	r.tapCard(adult)
	r.tap(IntentContinue)
	r.wait("mismatch", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderMismatch })

	var got []any
	for _, rec := range r.rec.kinds(KindHolder) {
		got = append(got, payloadOf[records.HospitalHolder](rec).Outcome)
	}
	if len(got) != 3 || got[0] != "enrolled" || got[1] != "matched" || got[2] != "mismatch" {
		t.Fatalf("holder outcomes %v", got)
	}
}

// A Holder built without a module answers Verify with ErrNotEnrolled (it
// looks the binding up first), so the flow offers enrolment; the enrolment
// then fails with ErrModuleAbsent and the flow goes on. The lead should pass
// Deps.Holder = nil when no module is fitted (see TestHolderCheck).
func TestRealHolderWithoutModule(t *testing.T) {
	opt, _ := realHolder(t, false)
	r := newRig(t, opt)
	r.tapCard(adult)
	r.tap(IntentContinue)
	r.wait("offer", func(s State) bool { return s.Holder != nil && s.Holder.Phase == HolderOffer })
	r.send(Intent{Kind: IntentConsent, Yes: true})
	r.wait("insurance", func(s State) bool { return s.Screen == ScreenInsurance })
	if got := payloadOf[records.HospitalHolder](r.rec.kinds(KindHolder)[0]).Outcome; got != "module_absent" {
		t.Fatalf("outcome %v", got)
	}
}
