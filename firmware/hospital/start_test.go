//go:build sim

// The wiring tests run the hospital profile on firmware/simrig, whose fake
// BHYT, HIS and payment back-ends the profile asks for through its
// Simulate hook (simulate.go), which only a -tags sim build has: `make
// test` runs them (go test -tags sim ./firmware/hospital).

package hospital_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/kiosk"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// pick is the first action of kind k on s, if offered.
func pick(s hospital.State, k hospital.IntentKind) (hospital.Intent, bool) {
	for _, a := range s.Actions {
		if a.Kind == k {
			return a.Intent(), true
		}
	}
	return hospital.Intent{}, false
}

// TestHospitalRegistrationThroughTheWiring runs the hospital profile as
// kioskd run --sim does (simulators on ptys, BHYT and HIS fakes, the local
// collector), with a scripted UI in place of Fyne: the patient scans the
// CCCD's QR and taps the card, the chip reads as genuine, BHYT answers,
// a clinic is chosen, the ticket is printed, the fee is paid by VietQR (the
// simulator plays the bank transfer), the receipt is printed, and the records
// reach the collector — while the database never holds the ID number in clear.
func TestHospitalRegistrationThroughTheWiring(t *testing.T) {
	dir := t.TempDir()
	cfg := simConfig(t, dir)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rig := startRig(ctx, t, cfg, dir, log)
	defer rig.Close()
	card, err := rig.Card(testpki.Adult, testpki.Genuine)
	if err != nil {
		t.Fatal(err)
	}

	var ticket *hospital.Ticket
	var paying, receipt bool
	script := func(ctx context.Context, flow *hospital.Flow) error {
		states, unsub := flow.Subscribe()
		defer unsub()
		presented := false
		for {
			var s hospital.State
			select {
			case s = <-states:
			case <-ctx.Done():
				return fmt.Errorf("flow stuck on %s", flow.State().Screen)
			}
			if presented && s.Screen != hospital.ScreenWelcome && s.Screen != hospital.ScreenIdentify {
				// The patient takes the card back once it is read, as at a
				// real kiosk (states are "latest wins": any later screen counts).
				rig.RemoveCard()
			}
			switch s.Screen {
			case hospital.ScreenWelcome:
				if ticket != nil {
					return nil // back to welcome after the registration
				}
				if !presented {
					presented = true
					if err := rig.ScanQR(testpki.Adult, testpki.Genuine); err != nil {
						return err
					}
					if err := rig.TapCard(testpki.Adult, testpki.Genuine, 0); err != nil {
						return err
					}
				}
			case hospital.ScreenCardResult:
				if s.Card.Verdict != identity.Genuine {
					return fmt.Errorf("card verdict %s: %s", s.Card.Verdict, s.Card.Reason.VI)
				}
				if in, ok := pick(s, hospital.IntentContinue); ok {
					flow.Send(in)
				}
			case hospital.ScreenHolder:
				// Offered fingerprint enrolment: the patient declines (or skips).
				sent := false
				for _, a := range s.Actions {
					if a.Kind == hospital.IntentConsent && !a.Yes {
						flow.Send(a.Intent())
						sent = true
						break
					}
				}
				if in, ok := pick(s, hospital.IntentSkip); ok && !sent {
					flow.Send(in)
				}
			case hospital.ScreenInsurance:
				if in, ok := pick(s, hospital.IntentContinue); ok {
					flow.Send(in)
				}
			case hospital.ScreenClinic:
				if s.Clinic != nil && len(s.Clinic.Clinics) > 0 {
					flow.Send(hospital.Intent{Kind: hospital.IntentChoose, Clinic: s.Clinic.Clinics[0].Code})
				}
			case hospital.ScreenTicket:
				ticket = s.Ticket
				if in, ok := pick(s, hospital.IntentContinue); ok {
					flow.Send(in)
				} else if in, ok := pick(s, hospital.IntentDone); ok {
					flow.Send(in)
				}
			case hospital.ScreenPayment:
				if !paying {
					paying = true
					go func() { // the patient's bank transfer, once the session is uploaded
						for ctx.Err() == nil {
							if _, err := rig.PayPending(cfg.Device.ID); err == nil {
								return
							}
							time.Sleep(100 * time.Millisecond)
						}
					}()
				}
			case hospital.ScreenReceipt:
				receipt = true
				if in, ok := pick(s, hospital.IntentDone); ok {
					flow.Send(in)
				}
			case hospital.ScreenError:
				return fmt.Errorf("error screen: %s", s.Title.VI)
			}
		}
	}
	runHospital(ctx, t, kiosk.Options{Config: cfg, Profiles: profiles(), Log: log}, 20*time.Second, script, &logs)
	if ticket == nil || !ticket.Printed || ticket.Number == "" {
		t.Fatalf("no printed ticket (%+v); logs:\n%s", ticket, logs.String())
	}
	if !receipt {
		t.Fatal("the payment never reached the receipt screen")
	}
	if pages := rig.Printer.Pages(); len(pages) < 2 {
		t.Fatalf("the simulated printer printed %d pages, want the ticket and the receipt", len(pages))
	}
	kinds := map[string]int{}
	for _, r := range rig.Collector.Records(cfg.Device.ID) {
		kinds[r.Kind]++
	}
	for _, k := range []string{hospital.KindIdentify, hospital.KindInsurance, hospital.KindRegistration, "payment.session"} {
		if kinds[k] == 0 {
			t.Errorf("collector has no %s record (has %v)", k, kinds)
		}
	}
	for _, f := range []string{"kiosk.db", "kiosk.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, "var", f))
		if bytes.Contains(b, []byte(card.Citizen.ID)) {
			t.Fatalf("ID number in clear in %s", f)
		}
	}
	if bytes.Contains(logs.Bytes(), []byte(card.Citizen.ID)) {
		t.Fatal("ID number in the logs")
	}
}

// TestDispenserButtonThroughTheWiring presses the simulated dispenser button
// of a hospital kiosk: a numbered ticket comes out of the simulated printer
// and its queue event reaches the collector.
func TestDispenserButtonThroughTheWiring(t *testing.T) {
	dir := t.TempDir()
	cfg := simConfig(t, dir)
	cfg.Devices["button"] = config.DeviceSpec{Driver: "gpio-in", Pin: "sim", Pull: "up", ActiveLow: true, Debounce: config.Duration(5 * time.Millisecond)}
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rig := startRig(ctx, t, cfg, dir, log)
	defer rig.Close()
	pins := rig.Pins
	done := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() {
		done <- kiosk.Run(runCtx, kiosk.Options{Config: cfg, Profiles: profiles(), Log: log, Pins: pins})
	}()

	var btn *gpiotest.Pin
	for btn == nil && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		btn = rig.SimPin("button")
	}
	time.Sleep(200 * time.Millisecond) // the dispenser checks the printer first
	btn.EdgesChan <- gpio.Low
	for len(rig.Printer.Pages()) == 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	var issued bool
	for !issued && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		for _, r := range rig.Collector.Records(cfg.Device.ID) {
			issued = issued || (r.Kind == "queue.event" && bytes.Contains(r.Payload, []byte(`"issued"`)))
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(rig.Printer.Pages()) != 1 || !issued {
		t.Fatalf("pages %d, queue event uploaded %v", len(rig.Printer.Pages()), issued)
	}
}

// TestHospitalCANThroughTheWiring taps the simulated genuine CCCD on the
// simulated PN532 without scanning its QR: after the QR wait the flow asks
// for the CAN, a wrong one is refused by the chip (PACE), the right one (the
// last 6 digits of the ID number) opens it and the card reads as genuine.
// The typed digits reach no record, log or database.
func TestHospitalCANThroughTheWiring(t *testing.T) {
	dir := t.TempDir()
	cfg := simConfig(t, dir)
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	rig := startRig(ctx, t, cfg, dir, log)
	defer rig.Close()
	card, err := rig.Card(testpki.Adult, testpki.Genuine)
	if err != nil {
		t.Fatal(err)
	}
	const wrongCAN = "987654"
	if card.CAN == wrongCAN || card.CAN != card.Citizen.ID[6:] {
		t.Fatalf("fixture CAN %q of ID %q", card.CAN, card.Citizen.ID)
	}

	var asked, refused bool
	var result *hospital.CardResult
	uploaded := func() bool {
		kinds := map[string]int{}
		for _, r := range rig.Collector.Records(cfg.Device.ID) {
			kinds[r.Kind]++
		}
		return kinds[hospital.KindIdentify] > 0 && kinds[hospital.KindCAN] > 0 && kinds[hospital.KindAbandoned] > 0
	}
	script := func(ctx context.Context, flow *hospital.Flow) error {
		states, unsub := flow.Subscribe()
		defer unsub()
		tapped := false
		for {
			var s hospital.State
			select {
			case s = <-states:
			case <-ctx.Done():
				return fmt.Errorf("flow stuck on %s (%+v)", flow.State().Screen, flow.State().Identify)
			}
			switch {
			case s.Screen == hospital.ScreenWelcome && result != nil:
				rig.RemoveCard()
				for !uploaded() {
					select {
					case <-ctx.Done():
						return errors.New("records never reached the collector")
					case <-time.After(50 * time.Millisecond):
					}
				}
				return nil
			case s.Screen == hospital.ScreenWelcome && !tapped:
				tapped = true
				if err := rig.TapCard(testpki.Adult, testpki.Genuine, 0); err != nil { // no QR scan
					return err
				}
			case s.Identify != nil && s.Identify.NeedCAN && !asked:
				asked = true
				if !s.Identify.CANError.IsZero() || s.Identify.CANAttemptsLeft != 3 {
					return fmt.Errorf("first ask: %+v", s.Identify)
				}
				flow.Send(hospital.Intent{Kind: hospital.IntentCAN, Digits: wrongCAN})
			case s.Identify != nil && s.Identify.NeedCAN && !refused:
				refused = true
				if s.Identify.CANError.Key != "identify.can_wrong" || s.Identify.CANAttemptsLeft != 2 {
					return fmt.Errorf("after the wrong CAN: %+v", s.Identify)
				}
				flow.Send(hospital.Intent{Kind: hospital.IntentCAN, Digits: card.CAN})
			case s.Identify != nil && s.Identify.NeedCAN:
				return fmt.Errorf("asked a third time: %+v", s.Identify)
			case s.Screen == hospital.ScreenCardResult && result == nil:
				result = s.Card
				if in, ok := pick(s, hospital.IntentCancel); ok {
					flow.Send(in)
				}
			case s.Screen == hospital.ScreenError:
				return fmt.Errorf("error screen: %s", s.Title.VI)
			}
		}
	}
	runHospital(ctx, t, kiosk.Options{Config: cfg, Profiles: profiles(), Log: log}, 45*time.Second, script, &logs)
	if !asked || !refused || result == nil || result.Verdict != identity.Genuine || result.Method != identity.MethodChipCAN {
		t.Fatalf("asked %v, refused %v, result %+v", asked, refused, result)
	}
	for _, r := range rig.Collector.Records(cfg.Device.ID) {
		var p map[string]json.RawMessage
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			t.Fatal(err)
		}
		var personal map[string]string
		if raw, ok := p["personal"]; ok {
			if err := json.Unmarshal(raw, &personal); err != nil {
				t.Fatal(err)
			}
			delete(p, "personal")
		}
		for k, v := range personal {
			if v == card.CAN || v == wrongCAN || strings.Contains(strings.ToLower(k), "can") {
				t.Errorf("%s record: personal field %s=%s", r.Kind, k, v)
			}
		}
		clear, _ := json.Marshal(p)
		for _, secret := range []string{card.CAN, wrongCAN, card.Citizen.ID} {
			if bytes.Contains(clear, []byte(secret)) {
				t.Errorf("%s record carries %s outside its sealed personal fields: %s", r.Kind, secret, clear)
			}
		}
		if r.Kind == hospital.KindIdentify && !bytes.Contains(clear, []byte(`"chip+can"`)) {
			t.Errorf("identify record %s", clear)
		}
	}
	for _, f := range []string{"kiosk.db", "kiosk.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, "var", f))
		for _, secret := range []string{card.Citizen.ID, wrongCAN} {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s in clear in %s", secret, f)
			}
		}
	}
	for _, secret := range []string{card.CAN, wrongCAN, card.Citizen.ID} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("%s in the logs", secret)
		}
	}
}

// simConfig is the embedded simulation config with its state under dir,
// a quick upload interval and no metrics listener.
func simConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	cfg, err := config.SimDefault(profiles())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Device.DataDir = filepath.Join(dir, "var")
	cfg.Store.Path, cfg.Store.KeyFile = filepath.Join(dir, "var", "kiosk.db"), filepath.Join(dir, "var", "seal.key")
	cfg.Uplink.Interval = config.Duration(200 * time.Millisecond)
	cfg.Metrics.Listen = ""
	return cfg
}

// startRig starts the simulators of cfg with their files under dir/sim.
func startRig(ctx context.Context, t *testing.T, cfg *config.Config, dir string, log *slog.Logger) *simrig.Rig {
	t.Helper()
	rig, err := simrig.Start(ctx, cfg, simrig.Options{Dir: filepath.Join(dir, "sim"), Logger: log, Profile: hospital.Profile{}})
	if err != nil {
		t.Fatal(err)
	}
	return rig
}

// runHospital runs the kiosk with opts until script, given the hospital
// flow as the UI would get it, returns (or timeout passes); an error of
// either fails the test with the logs.
func runHospital(ctx context.Context, t *testing.T, opts kiosk.Options, timeout time.Duration, script func(context.Context, *hospital.Flow) error, logs fmt.Stringer) {
	t.Helper()
	uiCtx, uiCancel := context.WithTimeout(ctx, timeout)
	defer uiCancel()
	var scriptErr error
	opts.UI = func(_ context.Context, r *profile.Running) error {
		defer uiCancel()
		f, ok := profile.FlowOf[hospital.State, hospital.Intent](r.Screen)
		if !ok {
			scriptErr = fmt.Errorf("the running profile's screen is %T, not the hospital flow", r.Screen)
			return scriptErr
		}
		scriptErr = script(uiCtx, f.(*hospital.Flow))
		return scriptErr
	}
	if err := kiosk.Run(uiCtx, opts); err != nil || scriptErr != nil {
		t.Fatalf("run: %v; script: %v\nlogs:\n%s", err, scriptErr, logs)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (log handlers
// on many goroutines) and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
