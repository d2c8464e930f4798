package kiosk

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/pa"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/metrics"
	"github.com/kiosk06/kiosk/firmware/simrig"
)

// These tests drive cardIdentifier in-process: a virtual CCCD (emrtdsim)
// on a fake reader, a fake scanner, the real identity pipeline. The
// through-the-wiring test over ptys is in kiosk_test.go.

var (
	identPKIOnce sync.Once
	identPKI     *testpki.PKI
	identCard    *testpki.Card
	identErr     error
)

func genuineCard(t *testing.T) *testpki.Card {
	t.Helper()
	identPKIOnce.Do(func() {
		if identPKI, identErr = testpki.NewPKI("kiosk-identify-test"); identErr == nil {
			identCard, identErr = testpki.NewCCCD(&testpki.Options{Seed: "kiosk-identify-genuine", PKI: identPKI})
		}
	})
	if identErr != nil {
		t.Fatal(identErr)
	}
	return identCard
}

// presenceCard is the virtual chip as an activated card whose reader can
// tell whether it is still in the field.
type presenceCard struct {
	nfc.Card
	chip     *emrtdsim.Chip
	gone     atomic.Bool
	released atomic.Int32
}

func (c *presenceCard) Present(context.Context) (bool, error) { return !c.gone.Load(), nil }

func (c *presenceCard) Release(context.Context) error { c.released.Add(1); return nil }

// fakeReader hands out the cards put on it.
type fakeReader struct{ cards chan nfc.Card }

func (r *fakeReader) WaitCard(ctx context.Context) (nfc.Card, error) {
	select {
	case c := <-r.cards:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (r *fakeReader) Close() error { return nil }

// fakeScanner hands out the QR texts scanned.
type fakeScanner struct{ texts chan string }

func (s *fakeScanner) ReadQR(ctx context.Context) (string, error) {
	select {
	case t := <-s.texts:
		return t, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

type identRig struct {
	t       *testing.T
	ident   *cardIdentifier
	reader  *fakeReader
	scanner *fakeScanner
	card    *testpki.Card
	logs    *bytes.Buffer
	steps   chan hospital.Progress
}

func newIdentRig(t *testing.T, withScanner bool) *identRig {
	t.Helper()
	c := genuineCard(t)
	trust := pa.NewTrustStore()
	for _, der := range c.PKI.TrustAnchors() {
		if err := trust.AddDER(der); err != nil {
			t.Fatal(err)
		}
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := &identRig{t: t, reader: &fakeReader{cards: make(chan nfc.Card, 1)}, card: c, logs: &logs, steps: make(chan hospital.Progress, 256)}
	r.ident = &cardIdentifier{reader: r.reader, log: log, m: metrics.New(), readTimeout: 20 * time.Second, busy: make(chan struct{}, 1),
		canWait: 100 * time.Millisecond, presencePoll: 20 * time.Millisecond,
		pipeline: identity.Options{Trust: trust, Logger: log}}
	if withScanner {
		r.scanner = &fakeScanner{texts: make(chan string, 1)}
		r.ident.qr = r.scanner
	}
	return r
}

// tap puts a fresh virtual chip of the genuine card on the reader.
func (r *identRig) tap() *presenceCard {
	r.t.Helper()
	chip, err := emrtdsim.NewCCCD(r.card, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	chip.Reset()
	pc := &presenceCard{Card: emrtdsim.Card(chip), chip: chip}
	r.reader.cards <- pc
	return pc
}

func (r *identRig) progress(p hospital.Progress) { r.steps <- p }

// waitStep waits for a progress report of step (and wrong, for ReadNeedCAN).
func (r *identRig) waitStep(step hospital.ReadStep, wrong bool) {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case p := <-r.steps:
			if p.Step == step && p.WrongCAN == wrong {
				return
			}
		case <-deadline:
			r.t.Fatalf("no %s (wrong %v) progress", step, wrong)
		}
	}
}

type identOutcome struct {
	id  hospital.Identity
	err error
}

// start runs IdentifyCAN in the background.
func (r *identRig) start(ctx context.Context, cans <-chan string) <-chan identOutcome {
	out := make(chan identOutcome, 1)
	go func() {
		id, err := r.ident.IdentifyCAN(ctx, r.progress, cans)
		out <- identOutcome{id, err}
	}()
	return out
}

func (r *identRig) outcome(out <-chan identOutcome) identOutcome {
	r.t.Helper()
	select {
	case o := <-out:
		return o
	case <-time.After(30 * time.Second):
		r.t.Fatal("IdentifyCAN did not return")
		return identOutcome{}
	}
}

func TestIdentifyCANWrongThenRight(t *testing.T) {
	r := newIdentRig(t, true)
	cans := make(chan string, 1)
	out := r.start(context.Background(), cans)
	pc := r.tap()
	r.waitStep(hospital.ReadNeedCAN, false)
	before := pc.chip.APDUs()
	cans <- "12345x" // malformed: never reaches the card
	r.waitStep(hospital.ReadNeedCAN, true)
	if pc.chip.APDUs() != before {
		t.Fatal("a malformed CAN reached the card")
	}
	cans <- "111111"
	r.waitStep(hospital.ReadNeedCAN, true)
	if pc.chip.APDUs() == before {
		t.Fatal("the wrong CAN never reached the card")
	}
	cans <- r.card.CAN
	o := r.outcome(out)
	if o.err != nil || o.id.Verdict != hospital.Genuine || o.id.Method != hospital.MethodChipCAN || o.id.Citizen.ID != r.card.Citizen.ID {
		t.Fatalf("identity %+v, %v", o.id, o.err)
	}
	if pc.released.Load() != 1 {
		t.Fatalf("card released %d times", pc.released.Load())
	}
	for _, secret := range []string{r.card.CAN, "111111", r.card.Citizen.ID} {
		if bytes.Contains(r.logs.Bytes(), []byte(secret)) {
			t.Fatalf("%q in the logs:\n%s", secret, r.logs.String())
		}
	}
}

func TestIdentifyCANNoScannerAsksAtOnce(t *testing.T) {
	r := newIdentRig(t, false)
	r.ident.canWait = time.Hour
	cans := make(chan string, 1)
	out := r.start(context.Background(), cans)
	r.tap()
	r.waitStep(hospital.ReadNeedCAN, false)
	cans <- r.card.CAN
	if o := r.outcome(out); o.err != nil || o.id.Method != hospital.MethodChipCAN {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
}

func TestIdentifyCANQRWins(t *testing.T) {
	r := newIdentRig(t, true)
	cans := make(chan string, 1)
	out := r.start(context.Background(), cans)
	r.tap()
	r.waitStep(hospital.ReadNeedCAN, false)
	r.scanner.texts <- simrig.QRPayload(r.card)
	o := r.outcome(out)
	if o.err != nil || o.id.Verdict != hospital.Genuine || o.id.Method != hospital.MethodChipQR {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
}

func TestIdentifyCANCardRemoved(t *testing.T) {
	r := newIdentRig(t, true)
	out := r.start(context.Background(), make(chan string, 1))
	pc := r.tap()
	r.waitStep(hospital.ReadNeedCAN, false)
	pc.gone.Store(true)
	if o := r.outcome(out); !errors.Is(o.err, identity.ErrCardRemoved) {
		t.Fatalf("err %v, want identity.ErrCardRemoved", o.err)
	}
}

func TestIdentifyCANCancelFreesTheIdentifier(t *testing.T) {
	r := newIdentRig(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	out := r.start(ctx, make(chan string, 1))
	pc := r.tap()
	r.waitStep(hospital.ReadNeedCAN, false)
	cancel()
	if o := r.outcome(out); !errors.Is(o.err, context.Canceled) {
		t.Fatalf("err %v", o.err)
	}
	if pc.released.Load() != 1 {
		t.Fatal("card not released on cancel")
	}
	// The next call gets the reader and scanner: a QR, then the card.
	out = r.start(context.Background(), make(chan string, 1))
	r.scanner.texts <- simrig.QRPayload(r.card)
	r.waitStep(hospital.ReadDetected, false)
	r.tap()
	if o := r.outcome(out); o.err != nil || o.id.Method != hospital.MethodChipQR || o.id.Verdict != hospital.Genuine {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
}

func TestIdentifyWithoutCANChannelNeverAsks(t *testing.T) {
	r := newIdentRig(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	out := r.start(ctx, nil)
	r.tap()
	o := r.outcome(out)
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("err %v", o.err)
	}
	for len(r.steps) > 0 {
		if p := <-r.steps; p.Step == hospital.ReadNeedCAN {
			t.Fatal("asked for a CAN with nowhere to send it")
		}
	}
}
