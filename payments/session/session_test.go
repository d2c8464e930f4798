package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/payments/vietqr"
)

// fakeClock is a manual clock whose Sleep advances time.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	c.Advance(d)
	return nil
}

type memPrinter struct {
	mu       sync.Mutex
	receipts []Receipt
}

func (p *memPrinter) PrintReceipt(_ context.Context, r Receipt) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.receipts = append(p.receipts, r)
	return nil
}

// testKey is the back-end's checksum key in these tests.
var testKey = []byte("5f0c8a3b9e2d4f61a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4")

const testAccount = "0011001234567"

// backend fakes GET /v1/payments/{ref}: 404 until paid[ref] is set, then
// that confirmation signed at the time of the reply (ref, account, paidAt
// filled in when empty); raw[ref], when set, is sent as is instead.
type backend struct {
	mu    sync.Mutex
	clock *fakeClock
	paid  map[string]Confirmation
	raw   map[string][]byte
	calls int
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	ref, ok := strings.CutPrefix(r.URL.Path, "/v1/payments/")
	if raw, forged := b.raw[ref]; forged && ok {
		_, _ = w.Write(raw)
		return
	}
	c, paid := b.paid[ref]
	if !ok || r.Method != http.MethodGet || !paid {
		http.NotFound(w, r)
		return
	}
	body, err := SignConfirmation(testKey, b.complete(ref, c))
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	_, _ = w.Write(body)
}

// complete fills what a real back-end would: the ref asked about, the
// account credited, the booking time and the signing time.
func (b *backend) complete(ref string, c Confirmation) Confirmation {
	if c.Ref == "" {
		c.Ref = ref
	}
	if c.Account == "" {
		c.Account = testAccount
	}
	if c.PaidAt.IsZero() && c.Status == "paid" {
		c.PaidAt = b.clock.Now()
	}
	if c.SignedAt.IsZero() {
		c.SignedAt = b.clock.Now()
	}
	return c
}

func (b *backend) setPaid(ref string, c Confirmation) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.paid[ref] = c
}

// setRaw serves body for ref as is (nil: back to signed confirmations).
func (b *backend) setRaw(ref string, body []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if body == nil {
		delete(b.raw, ref)
		return
	}
	b.raw[ref] = body
}

type fixture struct {
	m     *Manager
	clock *fakeClock
	rec   *MemoryRecorder
	print *memPrinter
	be    *backend
	srv   *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}, rec: &MemoryRecorder{},
		print: &memPrinter{}}
	f.be = &backend{clock: f.clock, paid: map[string]Confirmation{}, raw: map[string][]byte{}}
	f.srv = httptest.NewServer(f.be)
	t.Cleanup(f.srv.Close)
	var err error
	f.m, err = New(f.config(), f.rec, f.print)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) config() Config {
	return Config{DeviceID: "kiosk-06", RefPrefix: "K06", BIN: "970436", Account: testAccount, Name: "BENH VIEN A",
		ShowTimeout: 30 * time.Second, QRTimeout: 5 * time.Minute, BaseURL: f.srv.URL, HTTPClient: f.srv.Client(),
		PollInitial: time.Second, PollMax: 15 * time.Second, ConfirmKey: testKey, Now: f.clock.Now, Sleep: f.clock.Sleep,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func (f *fixture) states(ref string) []State {
	ts, _ := f.rec.Load(context.Background())
	var out []State
	for _, t := range ts {
		if t.Ref == ref {
			out = append(out, t.To)
		}
	}
	return out
}

func (f *fixture) shown(t *testing.T, amount int64) Info {
	t.Helper()
	ctx := context.Background()
	s, err := f.m.Create(ctx, amount, "Viện phí")
	if err != nil {
		t.Fatal(err)
	}
	if s, err = f.m.Shown(ctx, s.Ref); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPaidByPolling(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.shown(t, 50000)
	p, err := vietqr.Decode(s.Payload)
	if err != nil || p.Bill != s.Ref || p.Amount != 50000 || !strings.HasPrefix(p.Purpose, s.Ref+" Vien phi") {
		t.Fatalf("payload %s decodes to %+v, %v", s.Payload, p, err)
	}
	f.be.setPaid(s.Ref, Confirmation{Status: "paid", TransactionID: "FT26326ABC", Amount: 50000})
	got, err := f.m.Await(ctx, s.Ref)
	if err != nil || got.State != Paid || got.TxnID != "FT26326ABC" {
		t.Fatalf("Await = %+v, %v", got, err)
	}
	if want := []State{Created, QRShown, Paid}; fmt.Sprint(f.states(s.Ref)) != fmt.Sprint(want) {
		t.Fatalf("transitions %v, want %v", f.states(s.Ref), want)
	}
	if len(f.print.receipts) != 1 || f.print.receipts[0].Account != "*********4567" || f.print.receipts[0].Bank != "Vietcombank" {
		t.Fatalf("receipts %+v", f.print.receipts)
	}
}

func TestPollBackoffAndExpiry(t *testing.T) {
	f := newFixture(t)
	f.m.cfg.QRTimeout = 100 * time.Second
	s := f.shown(t, 12000)
	got, err := f.m.Await(context.Background(), s.Ref)
	if err != nil || got.State != Expired {
		t.Fatalf("Await = %+v, %v; want expired", got, err)
	}
	// 1, 2, 4, 8, 15, 15, … the last wait cut at the deadline (100 s after showing).
	want := []time.Duration{1, 2, 4, 8, 15, 15, 15, 15, 15, 10}
	for i := range want {
		want[i] *= time.Second
	}
	if fmt.Sprint(f.clock.sleeps) != fmt.Sprint(want) {
		t.Fatalf("sleeps %v\nwant   %v", f.clock.sleeps, want)
	}
	if want := []State{Created, QRShown, Expired}; fmt.Sprint(f.states(s.Ref)) != fmt.Sprint(want) {
		t.Fatalf("transitions %v, want %v", f.states(s.Ref), want)
	}
}

func TestIdempotentConfirmations(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.shown(t, 50000)
	c := Confirmation{Ref: s.Ref, Status: "paid", TransactionID: "SEPAY-991", Amount: 50000}
	var wg sync.WaitGroup
	for range 20 { // a webhook retried 20 times concurrently
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.m.Confirm(ctx, c); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	f.be.setPaid(s.Ref, c) // and the poller sees it too
	if got, err := f.m.Poll(ctx, s.Ref); err != nil || got.State != Paid {
		t.Fatalf("Poll after push = %+v, %v", got, err)
	}
	if n := len(f.states(s.Ref)); n != 3 {
		t.Fatalf("%d transitions, want 3 (created, qr_shown, paid)", n)
	}
	if len(f.print.receipts) != 1 {
		t.Fatalf("%d receipts, want 1", len(f.print.receipts))
	}
	// After a restart the dedupe set is rebuilt from the recorder.
	m2, err := New(f.config(), f.rec, f.print)
	if err != nil {
		t.Fatal(err)
	}
	if err := m2.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := m2.Confirm(ctx, c); err != nil || got.State != Paid {
		t.Fatalf("Confirm after restart = %+v, %v", got, err)
	}
	if n := len(f.states(s.Ref)); n != 3 || len(f.print.receipts) != 1 {
		t.Fatalf("after restart: %d transitions, %d receipts", n, len(f.print.receipts))
	}
	// The same transaction ID claimed for another session is a conflict.
	other := f.shown(t, 50000)
	if _, err := f.m.Confirm(ctx, Confirmation{Ref: other.Ref, Status: "paid", TransactionID: "SEPAY-991", Amount: 50000}); !errors.Is(err, ErrConflict) {
		t.Fatalf("reused transaction ID: %v", err)
	}
}

func TestTransitions(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		run    func(f *fixture, ref string) error
		want   []State
		errIs  error
		reason string
	}{
		{"amount mismatch fails", func(f *fixture, ref string) error {
			_, err := f.m.Confirm(ctx, Confirmation{Ref: ref, Status: "paid", TransactionID: "T1", Amount: 5000})
			return err
		}, []State{Created, QRShown, Failed}, nil, "amount mismatch: paid 5000, expected 50000"},
		{"back-end failure", func(f *fixture, ref string) error {
			_, err := f.m.Confirm(ctx, Confirmation{Ref: ref, Status: "failed", Reason: "rejected"})
			return err
		}, []State{Created, QRShown, Failed}, nil, "back-end: rejected"},
		{"cancel", func(f *fixture, ref string) error {
			_, err := f.m.Cancel(ctx, ref, "user pressed back")
			return err
		}, []State{Created, QRShown, Cancelled}, nil, "user pressed back"},
		{"payment after cancel is recorded for refund", func(f *fixture, ref string) error {
			if _, err := f.m.Cancel(ctx, ref, "user"); err != nil {
				return err
			}
			_, err := f.m.Confirm(ctx, Confirmation{Ref: ref, Status: "paid", TransactionID: "T2", Amount: 50000})
			return err
		}, []State{Created, QRShown, Cancelled, Cancelled}, ErrConflict, "payment on a closed session: refund due"},
		{"late confirmation after expiry", func(f *fixture, ref string) error {
			f.clock.Advance(6 * time.Minute)
			if err := f.m.Sweep(ctx); err != nil {
				return err
			}
			_, err := f.m.Confirm(ctx, Confirmation{Ref: ref, Status: "paid", TransactionID: "T3", Amount: 50000})
			return err
		}, []State{Created, QRShown, Expired, Paid}, nil, "late confirmation"},
		{"cancel after paid refused", func(f *fixture, ref string) error {
			if _, err := f.m.Confirm(ctx, Confirmation{Ref: ref, Status: "paid", TransactionID: "T4", Amount: 50000}); err != nil {
				return err
			}
			_, err := f.m.Cancel(ctx, ref, "too late")
			return err
		}, []State{Created, QRShown, Paid}, ErrBadState, ""},
		{"double payment", func(f *fixture, ref string) error {
			if _, err := f.m.Confirm(ctx, Confirmation{Ref: ref, Status: "paid", TransactionID: "T5", Amount: 50000}); err != nil {
				return err
			}
			_, err := f.m.Confirm(ctx, Confirmation{Ref: ref, Status: "paid", TransactionID: "T6", Amount: 50000})
			return err
		}, []State{Created, QRShown, Paid, Paid}, ErrConflict, "payment on a closed session: refund due"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.shown(t, 50000)
			if err := tc.run(f, s.Ref); !errors.Is(err, tc.errIs) {
				t.Fatalf("error %v, want %v", err, tc.errIs)
			}
			if fmt.Sprint(f.states(s.Ref)) != fmt.Sprint(tc.want) {
				t.Fatalf("transitions %v, want %v", f.states(s.Ref), tc.want)
			}
			ts, _ := f.rec.Load(ctx)
			if last := ts[len(ts)-1]; last.Reason != tc.reason && tc.reason != "" {
				t.Fatalf("last reason %q, want %q", last.Reason, tc.reason)
			}
			for i, tr := range ts {
				if tr.Seq != i+1 {
					t.Fatalf("transition %d has seq %d", i, tr.Seq)
				}
			}
		})
	}
}

func TestShowTimeout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s, err := f.m.Create(ctx, 1000, "")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(31 * time.Second)
	if _, err := f.m.Shown(ctx, s.Ref); !errors.Is(err, ErrBadState) {
		t.Fatalf("Shown after timeout: %v", err)
	}
	if want := []State{Created, Failed}; fmt.Sprint(f.states(s.Ref)) != fmt.Sprint(want) {
		t.Fatalf("transitions %v", f.states(s.Ref))
	}
}

func TestRecorderFailureKeepsState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := f.shown(t, 50000)
	f.rec.Fail = errors.New("disk full")
	if _, err := f.m.Create(ctx, 1000, ""); err == nil {
		t.Fatal("Create succeeded without a durable record")
	}
	_, err := f.m.Confirm(ctx, Confirmation{Ref: s.Ref, Status: "paid", TransactionID: "T9", Amount: 50000})
	if err == nil {
		t.Fatal("Confirm succeeded without a durable record")
	}
	if got, _ := f.m.Get(ctx, s.Ref); got.State != QRShown || len(f.print.receipts) != 0 {
		t.Fatalf("state %s after a failed record, %d receipts", got.State, len(f.print.receipts))
	}
	// The provider retries once the disk is back: applied exactly once.
	f.rec.Fail = nil
	if got, err := f.m.Confirm(ctx, Confirmation{Ref: s.Ref, Status: "paid", TransactionID: "T9", Amount: 50000}); err != nil || got.State != Paid {
		t.Fatalf("retry = %+v, %v", got, err)
	}
}

func TestPushHandler(t *testing.T) {
	f := newFixture(t)
	s := f.shown(t, 50000)
	srv := httptest.NewServer(f.m.PushHandler())
	defer srv.Close()
	post := func(body []byte) int {
		resp, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	signed := func(c Confirmation) []byte {
		b, err := SignConfirmation(testKey, f.be.complete(s.Ref, c))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ok := signed(Confirmation{Status: "paid", TransactionID: "PAYOS-1", Amount: 50000})
	unsigned, _ := json.Marshal(map[string]any{"ref": s.Ref, "status": "paid", "transaction_id": "PAYOS-9", "amount": 50000})
	for _, tc := range []struct {
		name string
		body []byte
		want int
	}{
		{"unsigned (the old shape)", unsigned, 401},
		{"tampered amount", bytes.Replace(ok, []byte(`"amount":50000`), []byte(`"amount":500000`), 1), 401},
		{"bad json", []byte("{"), 400},
		{"bad status", signed(Confirmation{Status: "maybe"}), 400},
		{"unknown ref", signed(Confirmation{Ref: "K06XXXXXXXX", Status: "paid", TransactionID: "X", Amount: 1}), 404},
		{"too large", append(bytes.Repeat([]byte(" "), maxBody), ok...), 413},
		{"paid", ok, 200},
		{"retried", ok, 200},
		{"second transaction", signed(Confirmation{Status: "paid", TransactionID: "PAYOS-2", Amount: 50000}), 409},
	} {
		if got := post(tc.body); got != tc.want {
			t.Errorf("%s: HTTP %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := f.print.receipts; len(got) != 1 || got[0].TxnID != "PAYOS-1" {
		t.Fatalf("receipts %+v", got)
	}
	f.rec.Fail = errors.New("disk full")
	if got := post(signed(Confirmation{Status: "paid", TransactionID: "PAYOS-3", Amount: 50000})); got != 503 {
		t.Errorf("record failure: HTTP %d, want 503", got)
	}
	if r := f.m.Rejected(); r["bad_signature"] != 2 {
		t.Errorf("rejected %v, want 2 bad signatures", r)
	}
}

func TestReferences(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	re := regexp.MustCompile(`^K06[0-9A-HJKMNP-TV-Z]{8}$`)
	seen := map[string]bool{}
	for range 500 {
		s, err := f.m.Create(ctx, 1000, "")
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(s.Ref) || seen[s.Ref] {
			t.Fatalf("reference %q malformed or repeated", s.Ref)
		}
		seen[s.Ref] = true
	}
	// A stuck random source cannot produce a duplicate.
	cfg := f.config()
	cfg.Rand = bytes.NewReader(make([]byte, 1<<10))
	m, _ := New(cfg, &MemoryRecorder{}, nil)
	if _, err := m.Create(ctx, 1000, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Create(ctx, 1000, ""); err == nil {
		t.Fatal("second Create with a constant random source reused the reference")
	}
}

func TestConfigRejects(t *testing.T) {
	for _, mod := range []func(*Config){
		func(c *Config) { c.RefPrefix = "" },
		func(c *Config) { c.RefPrefix = "K-06" },
		func(c *Config) { c.BIN = "12" },
	} {
		cfg := Config{RefPrefix: "K06", BIN: "970436", Account: "1"}
		mod(&cfg)
		if _, err := New(cfg, &MemoryRecorder{}, nil); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}

func TestAwaitCancelled(t *testing.T) {
	f := newFixture(t)
	s := f.shown(t, 50000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := f.m.Await(ctx, s.Ref)
	if !errors.Is(err, context.Canceled) || got.State != QRShown {
		t.Fatalf("Await on a cancelled ctx = %+v, %v", got, err)
	}
}
