package transit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/drivers/nfc"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

var testKey = []byte("operator-key-for-tests-0123456789abcdef")

// testQR is a made-up CCCD QR; born 15/03/1990.
const testQR = "001090012345|123456789|Nguyen Van Thu|15031990|Nam|So 1 Duong Thu, Ha Noi|01012022"

func tokenizer(t testing.TB) *identity.Tokenizer {
	tk, err := identity.NewTokenizer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// qrBorn is a CCCD QR of someone born on dob (DDMMYYYY) with ID id.
func qrBorn(id, dob string) string {
	return id + "||Tran Thi Thu|" + dob + "|Nữ|Thon 2, Hue|01012022"
}

// memStore is an in-memory Store; fail makes Append fail.
type memStore struct {
	mu   sync.Mutex
	recs []store.Record
	fail error
}

func (m *memStore) Append(_ context.Context, r store.Record) (store.Seq, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return 0, m.fail
	}
	r.Seq = store.Seq(len(m.recs) + 1)
	m.recs = append(m.recs, r)
	return r.Seq, nil
}

func (m *memStore) Records(_ context.Context, kind string, since store.Seq, limit int) ([]store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Record
	for _, r := range m.recs {
		if r.Seq > since && (kind == "" || r.Kind == kind) && len(out) < limit {
			out = append(out, r)
		}
	}
	return out, nil
}

// clock is a settable test clock with a wall and a monotonic part: Add
// lets time pass (both move), Jump steps the wall clock alone (NTP, or a
// hand setting the time).
type clock struct {
	mu   sync.Mutex
	t    time.Time
	mono time.Duration
}

func (c *clock) Now() time.Time       { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Mono() time.Duration  { c.mu.Lock(); defer c.mu.Unlock(); return c.mono }
func (c *clock) Add(d time.Duration)  { c.mu.Lock(); c.t, c.mono = c.t.Add(d), c.mono+d; c.mu.Unlock() }
func (c *clock) Jump(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// noon22Nov2026 is 22/11/2026 12:00 in Hà Nội.
var noon22Nov2026 = time.Date(2026, 11, 22, 12, 0, 0, 0, tariff.Location())

func testConfig(c *clock) Config {
	return Config{Route: "47", Vehicle: "29B-123.45",
		Tariff:       tariff.Bus{Routes: map[string]tariff.VND{"47": 7000}, Concessions: tariff.DefaultConcessions()},
		RepeatWindow: 2 * time.Minute, MaxTapsPerDay: 4, MaxValuePerDay: 20000, Now: c.Now, Mono: c.Mono}
}

func newTestValidator(t testing.TB, st Store, fb Feedback, lists *Lists) (*Validator, *clock) {
	c := &clock{t: noon22Nov2026}
	v, err := New(testConfig(c), Deps{Store: st, Tokens: tokenizer(t), Feedback: fb, Lists: lists})
	if err != nil {
		t.Fatal(err)
	}
	return v, c
}

// openStore opens a real store in a temp dir.
func openStore(t testing.TB) *store.Store {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"), DeviceID: "bus-test-1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// fakeCard is an nfc.Card with a given UID.
type fakeCard struct{ info nfc.CardInfo }

func (c fakeCard) Transmit(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("fake card: no APDUs")
}
func (c fakeCard) Info() nfc.CardInfo            { return c.info }
func (c fakeCard) Release(context.Context) error { return nil }

// pins are the validator's outputs on gpiotest pins.
type pins struct{ green, red, buzzer *gpiotest.Pin }

func newPins() pins {
	mk := func(n string) *gpiotest.Pin { return &gpiotest.Pin{N: n, EdgesChan: make(chan pgpio.Level, 1)} }
	return pins{mk("GPIO27"), mk("GPIO22"), mk("GPIO18")}
}

func (p pins) feedback(t testing.TB, screen Screen) *GPIOFeedback {
	out := func(pin *gpiotest.Pin) *gpio.Output {
		o, err := gpio.NewOutput(pin, false)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	return &GPIOFeedback{Green: out(p.green), Red: out(p.red), Buzzer: out(p.buzzer), Screen: screen, Light: 40 * time.Millisecond, Beep: 5 * time.Millisecond}
}

// signKey is the back-end's list signing key in tests.
func signKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "transit-list-signing-seed-000000")
	priv := ed25519.NewKeyFromSeed(seed)
	return priv.Public().(ed25519.PublicKey), priv
}

// memFloors is an in-memory FloorStore; putErr makes PutSealed fail.
type memFloors struct {
	mu     sync.Mutex
	m      map[string][]byte
	putErr error
}

func (f *memFloors) GetSealed(_ context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.m[key]
	if !ok {
		return nil, fmt.Errorf("%w: key %q", store.ErrNotFound, key)
	}
	return b, nil
}

func (f *memFloors) PutSealed(_ context.Context, key string, value []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.putErr != nil {
		return f.putErr
	}
	if f.m == nil {
		f.m = map[string][]byte{}
	}
	f.m[key] = append([]byte(nil), value...)
	return nil
}

// syncLog is a log destination safe for the syncer's goroutines.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newListStore opens a ListStore on dir with the test signing key; its log
// is returned.
func newListStore(t testing.TB, dir string, floors FloorStore) (*ListStore, *syncLog) {
	t.Helper()
	pub, _ := signKey(t)
	log := &syncLog{}
	ls, err := NewListStore(dir, pub, floors, slog.New(slog.NewTextHandler(log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return ls, log
}

// envelope is the wire form of d signed with priv.
func envelope(t testing.TB, priv ed25519.PrivateKey, d Document) []byte {
	t.Helper()
	env, err := SignDocument(priv, d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
