package identity_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/emrtd/emrtdsim"
	"github.com/kiosk06/kiosk/drivers/emrtd/testpki"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/identity"
)

// These tests drive the Acquirer in-process: a virtual CCCD (emrtdsim) on a
// fake reader, a fake scanner, the real pipeline. firmware/kiosk's tests
// run it through the wiring over ptys.

// qrText is the QR printed on the card, in the 2021–2024 CCCD format.
func qrText(c *testpki.Card) string {
	z := c.Citizen
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", z.ID, z.OldID, z.FullName, z.DateOfBirth.Format("02012006"),
		z.Sex, z.Residence, z.IssueDate.Format("02012006"))
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

// countObserver counts what an Observer hears.
type countObserver struct {
	mu       sync.Mutex
	reads    map[identity.ReadResult]int
	verdicts map[identity.Verdict]int
}

func (o *countObserver) CardRead(r identity.ReadResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.reads[r]++
}

func (o *countObserver) Verdict(v identity.Verdict, _ identity.Reason) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.verdicts[v]++
}

func (o *countObserver) read(r identity.ReadResult) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.reads[r]
}

type acqRig struct {
	t       *testing.T
	acq     *identity.Acquirer
	reader  *fakeReader
	scanner *fakeScanner
	card    *testpki.Card
	logs    *bytes.Buffer
	obs     *countObserver
	events  chan identity.Event
}

type rigOption func(*identity.Policy, *identity.Sources)

func noScanner() rigOption { return func(_ *identity.Policy, s *identity.Sources) { s.QR = nil } }

func withPolicy(f func(*identity.Policy)) rigOption {
	return func(p *identity.Policy, _ *identity.Sources) { f(p) }
}

func newAcqRig(t *testing.T, opts ...rigOption) *acqRig {
	t.Helper()
	c := card(t, testpki.Genuine)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := &acqRig{t: t, reader: &fakeReader{cards: make(chan nfc.Card, 1)}, scanner: &fakeScanner{texts: make(chan string, 1)},
		card: c, logs: &logs, events: make(chan identity.Event, 256),
		obs: &countObserver{reads: map[identity.ReadResult]int{}, verdicts: map[identity.Verdict]int{}}}
	pol := identity.Policy{ReadTimeout: 20 * time.Second, CANWait: 100 * time.Millisecond, PresencePoll: 20 * time.Millisecond, QRAlone: true}
	src := identity.Sources{Reader: r.reader, QR: r.scanner}
	for _, o := range opts {
		o(&pol, &src)
	}
	if src.QR == nil {
		r.scanner = nil
	}
	r.acq = identity.NewAcquirer(src, pol, identity.Options{Trust: trust(t, c), Logger: log}, r.obs)
	return r
}

// tap puts a fresh virtual chip of the genuine card on the reader.
func (r *acqRig) tap() *presenceCard {
	r.t.Helper()
	pc := &presenceCard{}
	pc.chip = chip(r.t, r.card, nil)
	pc.Card = emrtdsim.Card(pc.chip)
	r.reader.cards <- pc
	return pc
}

func (r *acqRig) onEvent(e identity.Event) { r.events <- e }

// waitEvent waits for an event of kind (and wrong, for EventNeedCAN).
func (r *acqRig) waitEvent(kind identity.EventKind, wrong bool) {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e := <-r.events:
			if e.Kind == kind && e.WrongCAN == wrong {
				return
			}
		case <-deadline:
			r.t.Fatalf("no %s (wrong %v) event", kind, wrong)
		}
	}
}

type outcome struct {
	id  identity.Identity
	err error
}

// start runs Acquire in the background.
func (r *acqRig) start(ctx context.Context, cans <-chan string) <-chan outcome {
	out := make(chan outcome, 1)
	go func() {
		id, err := r.acq.Acquire(ctx, identity.Request{CAN: cans, OnEvent: r.onEvent})
		out <- outcome{id, err}
	}()
	return out
}

func (r *acqRig) outcome(out <-chan outcome) outcome {
	r.t.Helper()
	select {
	case o := <-out:
		return o
	case <-time.After(30 * time.Second):
		r.t.Fatal("Acquire did not return")
		return outcome{}
	}
}

func TestAcquireCANWrongThenRight(t *testing.T) {
	r := newAcqRig(t)
	cans := make(chan string, 1)
	out := r.start(context.Background(), cans)
	pc := r.tap()
	r.waitEvent(identity.EventNeedCAN, false)
	before := pc.chip.APDUs()
	cans <- "12345x" // malformed: never reaches the card
	r.waitEvent(identity.EventNeedCAN, true)
	if pc.chip.APDUs() != before {
		t.Fatal("a malformed CAN reached the card")
	}
	cans <- "111111"
	r.waitEvent(identity.EventNeedCAN, true)
	if pc.chip.APDUs() == before {
		t.Fatal("the wrong CAN never reached the card")
	}
	cans <- r.card.CAN
	o := r.outcome(out)
	if o.err != nil || o.id.Verdict != identity.Genuine || o.id.Method != identity.MethodChipCAN || o.id.Citizen.ID != r.card.Citizen.ID {
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
	if r.obs.read(identity.ReadWrongKey) != 1 || r.obs.read(identity.ReadOK) != 1 {
		t.Fatalf("observer heard %v", r.obs.reads)
	}
}

func TestAcquireCANNoScannerAsksAtOnce(t *testing.T) {
	r := newAcqRig(t, noScanner(), withPolicy(func(p *identity.Policy) { p.CANWait = time.Hour }))
	cans := make(chan string, 1)
	out := r.start(context.Background(), cans)
	r.tap()
	r.waitEvent(identity.EventNeedCAN, false)
	cans <- r.card.CAN
	if o := r.outcome(out); o.err != nil || o.id.Method != identity.MethodChipCAN {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
}

func TestAcquireCANQRWins(t *testing.T) {
	r := newAcqRig(t)
	cans := make(chan string, 1)
	out := r.start(context.Background(), cans)
	r.tap()
	r.waitEvent(identity.EventNeedCAN, false)
	r.scanner.texts <- qrText(r.card)
	o := r.outcome(out)
	if o.err != nil || o.id.Verdict != identity.Genuine || o.id.Method != identity.MethodChipQR {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
}

func TestAcquireCANCardRemoved(t *testing.T) {
	r := newAcqRig(t)
	out := r.start(context.Background(), make(chan string, 1))
	pc := r.tap()
	r.waitEvent(identity.EventNeedCAN, false)
	pc.gone.Store(true)
	if o := r.outcome(out); !errors.Is(o.err, identity.ErrCardRemoved) {
		t.Fatalf("err %v, want identity.ErrCardRemoved", o.err)
	}
	if r.obs.read(identity.ReadCardRemoved) != 1 {
		t.Fatalf("observer heard %v", r.obs.reads)
	}
}

func TestAcquireCancelFreesTheAcquirer(t *testing.T) {
	r := newAcqRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	out := r.start(ctx, make(chan string, 1))
	pc := r.tap()
	r.waitEvent(identity.EventNeedCAN, false)
	cancel()
	if o := r.outcome(out); !errors.Is(o.err, context.Canceled) {
		t.Fatalf("err %v", o.err)
	}
	if pc.released.Load() != 1 {
		t.Fatal("card not released on cancel")
	}
	// The next call gets the reader and scanner: a QR, then the card.
	out = r.start(context.Background(), make(chan string, 1))
	r.scanner.texts <- qrText(r.card)
	r.waitEvent(identity.EventDetected, false)
	r.tap()
	if o := r.outcome(out); o.err != nil || o.id.Method != identity.MethodChipQR || o.id.Verdict != identity.Genuine {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
}

// TestAcquireOneAtATime: a call that supersedes another (whose ctx its
// caller cancelled without waiting) starts only once the other returned,
// so the sources never have two readers.
func TestAcquireOneAtATime(t *testing.T) {
	r := newAcqRig(t)
	ctx, cancel := context.WithCancel(context.Background())
	first := r.start(ctx, nil)
	r.waitEvent(identity.EventWaiting, false)
	second := r.start(context.Background(), nil)
	select {
	case <-second:
		t.Fatal("the second call returned while the first ran")
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if o := r.outcome(first); !errors.Is(o.err, context.Canceled) {
		t.Fatalf("first: %v", o.err)
	}
	r.waitEvent(identity.EventWaiting, false)
	r.scanner.texts <- qrText(r.card)
	r.tap()
	if o := r.outcome(second); o.err != nil || o.id.Method != identity.MethodChipQR {
		t.Fatalf("second: %+v, %v", o.id, o.err)
	}
}

func TestAcquireWithoutCANChannelNeverAsks(t *testing.T) {
	r := newAcqRig(t, noScanner())
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	out := r.start(ctx, nil)
	r.tap()
	o := r.outcome(out)
	if !errors.Is(o.err, context.DeadlineExceeded) {
		t.Fatalf("err %v", o.err)
	}
	for len(r.events) > 0 {
		if e := <-r.events; e.Kind == identity.EventNeedCAN || e.Kind == identity.EventNeedQR {
			t.Fatalf("asked (%s) with nowhere to answer", e.Kind)
		}
	}
}

// TestAcquireCardAsksForQR: without a CAN channel, a card tapped first asks
// for its QR, and the read goes on with it.
func TestAcquireCardAsksForQR(t *testing.T) {
	r := newAcqRig(t)
	out := r.start(context.Background(), nil)
	pc := r.tap()
	r.waitEvent(identity.EventNeedQR, false)
	r.scanner.texts <- qrText(r.card)
	o := r.outcome(out)
	if o.err != nil || o.id.Method != identity.MethodChipQR || o.id.Verdict != identity.Genuine {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
	if pc.released.Load() != 1 {
		t.Fatalf("card released %d times", pc.released.Load())
	}
}

func TestAcquireCardWithoutKeyGivesUp(t *testing.T) {
	r := newAcqRig(t, withPolicy(func(p *identity.Policy) { p.PairWindow = 50 * time.Millisecond }))
	out := r.start(context.Background(), nil)
	r.tap()
	if o := r.outcome(out); !errors.Is(o.err, identity.ErrNoKey) {
		t.Fatalf("err %v, want ErrNoKey", o.err)
	}
}

func TestAcquireQRAlone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		alone   bool
		reader  bool
		wantErr error
	}{
		{"no reader, QR accepted", true, false, nil},
		{"card never came, QR accepted", true, true, nil},
		{"no reader, chip required", false, false, identity.ErrNoChip},
		{"card never came, chip required", false, true, identity.ErrNoChip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newAcqRig(t, withPolicy(func(p *identity.Policy) { p.QRAlone, p.PairWindow = tc.alone, 50*time.Millisecond }),
				func(_ *identity.Policy, s *identity.Sources) {
					if !tc.reader {
						s.Reader = nil
					}
				})
			out := r.start(context.Background(), nil)
			r.scanner.texts <- qrText(r.card)
			o := r.outcome(out)
			if !errors.Is(o.err, tc.wantErr) {
				t.Fatalf("err %v, want %v", o.err, tc.wantErr)
			}
			if tc.wantErr == nil && (o.id.Method != identity.MethodQR || o.id.Verdict != identity.Unverified ||
				o.id.Reason != identity.ReasonQROnly || o.id.Citizen.ID != r.card.Citizen.ID) {
				t.Fatalf("%+v", o.id)
			}
		})
	}
}

func TestAcquireUnsupportedQR(t *testing.T) {
	r := newAcqRig(t)
	out := r.start(context.Background(), nil)
	r.scanner.texts <- "https://example.com/"
	if o := r.outcome(out); !errors.Is(o.err, cccd.ErrUnsupportedQR) {
		t.Fatalf("err %v", o.err)
	}
}

// TestAcquireStaticUID: a card with a fixed UID and no key is a MethodUID
// identity only where the policy accepts UIDs; a random UID never is.
func TestAcquireStaticUID(t *testing.T) {
	fixed := []byte{0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6}
	for _, tc := range []struct {
		name    string
		allow   bool
		uid     []byte
		wantErr error
	}{
		{"fixed, accepted", true, fixed, nil},
		{"fixed, not accepted", false, fixed, identity.ErrNoKey},
		{"random", true, []byte{0x08, 1, 2, 3}, identity.ErrNoKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newAcqRig(t, noScanner(), withPolicy(func(p *identity.Policy) { p.StaticUID, p.PairWindow = tc.allow, 20*time.Millisecond }))
			out := r.start(context.Background(), nil)
			r.reader.cards <- fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: tc.uid}}
			o := r.outcome(out)
			if !errors.Is(o.err, tc.wantErr) {
				t.Fatalf("err %v, want %v", o.err, tc.wantErr)
			}
			if tc.wantErr == nil && (o.id.Method != identity.MethodUID || !bytes.Equal(o.id.UID, tc.uid) || o.id.Reason != identity.ReasonUIDOnly) {
				t.Fatalf("%+v", o.id)
			}
		})
	}
}

// lateReader activates its card just as the acquisition is cancelled (a
// reader's poll that was already answering when ctx ended).
type lateReader struct {
	card    nfc.Card
	polling chan struct{} // closed once WaitCard is called
}

func (r *lateReader) WaitCard(ctx context.Context) (nfc.Card, error) {
	if r.card != nil {
		close(r.polling)
	}
	<-ctx.Done()
	if c := r.card; c != nil {
		r.card = nil
		return c, nil
	}
	return nil, ctx.Err()
}

func (r *lateReader) Close() error { return nil }

// TestAcquireReleasesLateCard: a card the reader activated while the
// acquisition was already ending is released, not left selected in the
// field.
func TestAcquireReleasesLateCard(t *testing.T) {
	pc := &presenceCard{Card: fakeCard{nfc.CardInfo{Type: nfc.TypeA, UID: []byte{0x08, 1, 2, 3}}}}
	rd := &lateReader{card: pc, polling: make(chan struct{})}
	a := identity.NewAcquirer(identity.Sources{Reader: rd}, identity.Policy{}, identity.Options{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := a.Acquire(ctx, identity.Request{})
		done <- err
	}()
	<-rd.polling
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if n := pc.released.Load(); n != 1 {
		t.Fatalf("the late card was released %d times", n)
	}
}

// fakeCard is a card that only has an identity (no chip application).
type fakeCard struct{ info nfc.CardInfo }

func (c fakeCard) Transmit(context.Context, []byte) ([]byte, error) { return []byte{0x6A, 0x82}, nil }
func (c fakeCard) Info() nfc.CardInfo                               { return c.info }
func (c fakeCard) Release(context.Context) error                    { return nil }

// A kiosk that starts the next acquisition at once must not read a card
// left lying on the reader a second time: under Request.Hold the card stays
// selected and AwaitRemoval returns only once it has left the reader,
// after telling the caller (once) that it is still there.
func TestAcquireHoldAwaitRemoval(t *testing.T) {
	r := newAcqRig(t)
	out := make(chan outcome, 1)
	go func() {
		id, err := r.acq.Acquire(context.Background(), identity.Request{OnEvent: r.onEvent, Hold: true})
		out <- outcome{id, err}
	}()
	r.scanner.texts <- qrText(r.card)
	pc := r.tap()
	if o := r.outcome(out); o.err != nil || o.id.Verdict != identity.Genuine {
		t.Fatalf("%+v, %v", o.id, o.err)
	}
	if pc.released.Load() != 0 {
		t.Fatal("the held card was released")
	}
	still := make(chan struct{}, 4)
	done := make(chan error, 1)
	go func() { done <- r.acq.AwaitRemoval(context.Background(), func() { still <- struct{}{} }) }()
	select {
	case <-still:
	case <-time.After(10 * time.Second):
		t.Fatal("never told the card is still on the reader")
	}
	select {
	case err := <-done:
		t.Fatalf("AwaitRemoval returned %v with the card on the reader", err)
	default:
	}
	pc.gone.Store(true)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("AwaitRemoval did not notice the card was taken")
	}
	if len(still) != 0 || pc.released.Load() != 1 {
		t.Fatalf("told %d more times, released %d times", len(still), pc.released.Load())
	}
	// Nothing kept now: at once.
	if err := r.acq.AwaitRemoval(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

// Without Hold, or after a QR alone, nothing is kept; a reader that cannot
// tell presence gets the card released and ErrNoPresence.
func TestAwaitRemovalNothingHeldOrNoPresence(t *testing.T) {
	r := newAcqRig(t)
	out := make(chan outcome, 1)
	go func() {
		id, err := r.acq.Acquire(context.Background(), identity.Request{Hold: true})
		out <- outcome{id, err}
	}()
	r.scanner.texts <- qrText(r.card)
	pc := r.tap()
	if o := r.outcome(out); o.err != nil {
		t.Fatal(o.err)
	}
	noPresence := identity.NewAcquirer(identity.Sources{}, identity.Policy{PresencePoll: -1}, identity.Options{}, nil)
	if err := noPresence.AwaitRemoval(context.Background(), nil); err != nil {
		t.Fatalf("nothing held: %v", err)
	}
	// A new Acquire drops a card its caller did not wait for.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _ = r.acq.Acquire(ctx, identity.Request{})
	if pc.released.Load() != 1 {
		t.Fatalf("held card released %d times by the next Acquire", pc.released.Load())
	}
	if err := r.acq.AwaitRemoval(context.Background(), nil); err != nil {
		t.Fatalf("nothing held after the next Acquire: %v", err)
	}
}
