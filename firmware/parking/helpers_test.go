package parking

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// quiet discards logs in tests.
var quiet = slog.New(slog.DiscardHandler)

var testKey = []byte("parking-operator-key-0123456789abcdef")

const testQR = "001090012345|123456789|Nguyen Van Thu|15031990|Nam|So 1 Duong Thu, Ha Noi|01012022"

// clock is a settable test clock with a wall and a time-since-boot part:
// Add lets time pass (both move), Jump steps the wall clock alone (NTP, or
// a hand setting the time).
type clock struct {
	mu   sync.Mutex
	t    time.Time
	mono time.Duration
}

func (c *clock) Now() time.Time       { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Mono() time.Duration  { c.mu.Lock(); defer c.mu.Unlock(); return c.mono }
func (c *clock) Add(d time.Duration)  { c.mu.Lock(); c.t, c.mono = c.t.Add(d), c.mono+d; c.mu.Unlock() }
func (c *clock) Jump(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// testBoot is the boot the test lanes run in, unless a test reboots.
const testBoot = "boot-1"

// printer captures documents.
type printer struct {
	mu   sync.Mutex
	docs []*escpos.Document
}

func (p *printer) Print(_ context.Context, d *escpos.Document) (escpos.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs = append(p.docs, d)
	return escpos.Result{}, nil
}

// texts flattens the text of document i.
func (p *printer) texts(i int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, blk := range p.docs[i].Blocks {
		switch x := blk.(type) {
		case escpos.Text:
			b.WriteString(x.Text + "\n")
		case escpos.Row:
			b.WriteString(x.Left + " " + x.Right + "\n")
		case escpos.QR:
			b.WriteString("QR:" + x.Data + "\n")
		}
	}
	return b.String()
}

func (p *printer) count() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.docs) }

// lane is a terminal with gpiotest barrier and loop pins.
type lane struct {
	t       *Terminal
	clock   *clock
	store   *store.Store
	printer *printer
	relay   *gpiotest.Pin
	loop    *gpiotest.Pin
	pay     *payBackend
	mu      sync.Mutex
	states  []Phase
}

func (l *lane) phases() []Phase {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Phase(nil), l.states...)
}

// vehiclePasses drives the loop: a vehicle arrives then leaves.
func (l *lane) vehiclePasses() {
	l.loop.EdgesChan <- pgpio.High
	time.Sleep(30 * time.Millisecond)
	l.loop.EdgesChan <- pgpio.Low
}

func openStore(t testing.TB) *store.Store {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "p.db"), KeyFile: filepath.Join(dir, "p.key"), DeviceID: "parking-test-1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// payBackend is the payment back-end: GET /v1/payments/{ref}. A ref listed
// in paid answers "paid"; others 404 (no transfer yet).
type payBackend struct {
	mu   sync.Mutex
	paid map[string]int64
	srv  *httptest.Server
}

func (b *payBackend) pay(ref string, amount int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paid[ref] = amount
}

func (b *payBackend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ref := strings.TrimPrefix(r.URL.Path, "/v1/payments/")
	b.mu.Lock()
	amount, ok := b.paid[ref]
	b.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	now := time.Now()
	body, _ := session.SignConfirmation(payKey, session.Confirmation{Ref: ref, Status: "paid", TransactionID: "FT" + ref, Amount: amount, PaidAt: now,
		Account: "0011001234567", SignedAt: now}) // signed as a real back-end must (payments/session)
	_, _ = w.Write(body)
}

// payKey is the back-end's checksum key.
var payKey = []byte("parking-test-checksum-key-0123456789abcdef")

func newLane(t *testing.T, st *store.Store, mutate func(*Config, *Deps)) *lane {
	t.Helper()
	l := &lane{clock: &clock{t: time.Date(2026, 11, 22, 8, 0, 0, 0, tariff.Location()), mono: time.Minute}, store: st, printer: &printer{}}
	l.relay = &gpiotest.Pin{N: "GPIO23", EdgesChan: make(chan pgpio.Level, 1)}
	l.loop = &gpiotest.Pin{N: "GPIO24", EdgesChan: make(chan pgpio.Level, 16)}
	relay, err := gpio.NewOutput(l.relay, false)
	if err != nil {
		t.Fatal(err)
	}
	loop, err := gpio.NewLoopSensor(l.loop, false, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	l.pay = &payBackend{paid: map[string]int64{}}
	l.pay.srv = httptest.NewServer(l.pay)
	t.Cleanup(l.pay.srv.Close)
	mgr, err := session.New(session.Config{DeviceID: "parking-test-1", RefPrefix: "PK", BIN: "970436", Account: "0011001234567", Name: "BAI XE A", City: "HA NOI",
		BaseURL: l.pay.srv.URL, HTTPClient: l.pay.srv.Client(), ConfirmKey: payKey, PollInitial: 5 * time.Millisecond, PollMax: 20 * time.Millisecond, Logger: quiet}, records.NewSessionRecorder(st), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Gate: "A1", Tariff: tariff.DefaultParking(), PaymentTimeout: 2 * time.Second, BarrierTimeout: 2 * time.Second, Now: l.clock.Now, Mono: l.clock.Mono, BootID: testBoot, Logger: quiet,
		OnState: func(s State) { l.mu.Lock(); l.states = append(l.states, s.Phase); l.mu.Unlock() }}
	deps := Deps{Store: st, Printer: l.printer, Barrier: relay, Loop: loop, VietQR: mgr}
	if mutate != nil {
		mutate(&cfg, &deps)
	}
	l.t, err = New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func tokenizer(t testing.TB) *identity.Tokenizer {
	tk, err := identity.NewTokenizer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func credential(t testing.TB, qr string) Credential {
	c, err := NewCredential(tokenizer(t), identity.PresentQR(qr))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enter admits a vehicle, driving the loop so the barrier closes.
func (l *lane) enter(t *testing.T, req EntryRequest) EntryResult {
	t.Helper()
	go l.waitOpenThenPass()
	res, err := l.t.Entry(context.Background(), req)
	if err != nil {
		t.Fatalf("Entry: %v", err)
	}
	return res
}

// waitOpenThenPass waits for the relay to open, then a vehicle passes.
func (l *lane) waitOpenThenPass() {
	deadline := time.Now().Add(3 * time.Second)
	for l.relay.Read() != pgpio.High && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	l.vehiclePasses()
}

// accounts is a CCCD-linked account service.
type accounts struct {
	err     error
	charged map[identity.Token]tariff.VND
}

func (a *accounts) Charge(_ context.Context, h identity.Token, amount tariff.VND, ref string) (string, error) {
	if a.err != nil {
		return "", a.err
	}
	if a.charged == nil {
		a.charged = map[identity.Token]tariff.VND{}
	}
	a.charged[h] += amount
	return "ACC-" + ref, nil
}
