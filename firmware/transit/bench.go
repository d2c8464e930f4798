package transit

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiosk06/kiosk/drivers/gpio"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
	pgpio "periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
)

// BenchOptions configure Bench.
type BenchOptions struct {
	Taps        int    // taps to time (default 1000)
	Concurrency int    // readers tapping back to back (default 1)
	DenyEntries int    // deny-list size (default 0)
	Dir         string // where the temporary store goes (default os.TempDir())
	Logger      *slog.Logger
}

// BenchResult is the latency of token → verdict → durable record → feedback.
type BenchResult struct {
	Taps        int     `json:"taps"`
	Concurrency int     `json:"concurrency"`
	DenyEntries int     `json:"deny_entries"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	TapsPerSec  float64 `json:"taps_per_s"`
}

// Bench runs the whole hot path against a temporary store with the real
// SQLite fsync (synchronous=FULL) and GPIO feedback on in-memory pins (benchPin): each
// tap parses a distinct CCCD QR payload, decides, appends a transit.tap
// record and signals. For `kioskd diag bench transit`.
func Bench(ctx context.Context, o BenchOptions) (BenchResult, error) {
	o = o.withDefaults()
	dir, err := os.MkdirTemp(o.Dir, "transit-bench-*")
	if err != nil {
		return BenchResult{}, fmt.Errorf("transit: bench: %w", err)
	}
	defer os.RemoveAll(dir)
	v, st, err := benchValidator(ctx, dir, o.DenyEntries, o.Logger)
	if err != nil {
		return BenchResult{}, err
	}
	defer st.Close()
	qrs := BenchQRs(o.Taps)
	lat, elapsed, err := runTaps(ctx, v, qrs, o.Concurrency)
	if err != nil {
		return BenchResult{}, err
	}
	return summarize(o, lat, elapsed), nil
}

func (o BenchOptions) withDefaults() BenchOptions {
	if o.Taps <= 0 {
		o.Taps = 1000
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Dir == "" {
		o.Dir = os.TempDir()
	}
	return o
}

func runTaps(ctx context.Context, v *Validator, qrs []string, workers int) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, len(qrs))
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(qrs); i += workers {
				t0 := time.Now()
				if _, err := v.HandleQR(ctx, qrs[i]); err != nil {
					errs <- err
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	select {
	case err := <-errs:
		return nil, 0, fmt.Errorf("transit: bench: %w", err)
	default:
	}
	return lat, elapsed, nil
}

func summarize(o BenchOptions, lat []time.Duration, elapsed time.Duration) BenchResult {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return BenchResult{Taps: len(lat), Concurrency: o.Concurrency, DenyEntries: o.DenyEntries,
		P50ms: ms(pct(0.50)), P99ms: ms(pct(0.99)), Maxms: ms(lat[len(lat)-1]),
		TapsPerSec: float64(len(lat)) / elapsed.Seconds()}
}

// benchValidator builds a validator on a fresh store in dir, with a deny
// list of n random hashes and GPIO feedback on in-memory pins.
func benchValidator(ctx context.Context, dir string, n int, log *slog.Logger) (*Validator, *store.Store, error) {
	st, err := store.Open(ctx, store.Options{Path: filepath.Join(dir, "bench.db"), KeyFile: filepath.Join(dir, "seal.key"), DeviceID: "bench-validator", Logger: log})
	if err != nil {
		return nil, nil, fmt.Errorf("transit: bench: %w", err)
	}
	key := make([]byte, identity.MinKeyLen)
	_, _ = rand.Read(key)
	tk, err := identity.NewTokenizer(key)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	fb, err := benchFeedback()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	cfg := Config{Route: "47", Vehicle: "bench", Tariff: tariff.Bus{Routes: map[string]tariff.VND{"47": 7000}, Concessions: tariff.DefaultConcessions()},
		RepeatWindow: 2 * time.Minute, MaxTapsPerDay: 20, MaxValuePerDay: 100_000}
	cfg.Logger = log
	v, err := New(cfg, Deps{Store: st, Tokens: tk, Feedback: fb, Lists: &Lists{Deny: RandomHashSet(n)}})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return v, st, nil
}

func benchFeedback() (*GPIOFeedback, error) {
	var outs [3]*gpio.Output
	for i, name := range []string{"GPIO27", "GPIO22", "GPIO18"} {
		o, err := gpio.NewOutput(&benchPin{name: name}, false)
		if err != nil {
			return nil, fmt.Errorf("transit: bench: %w", err)
		}
		outs[i] = o
	}
	return &GPIOFeedback{Green: outs[0], Red: outs[1], Buzzer: outs[2]}, nil
}

// RandomHashSet is a set of n random hashes (benchmarks, sizing).
func RandomHashSet(n int) *HashSet {
	hs := make([]identity.Token, n)
	for i := range hs {
		_, _ = rand.Read(hs[i][:])
	}
	return NewHashSet(hs)
}

// BenchQRs returns n distinct synthetic CCCD QR payloads (made-up people,
// born 1960–2009, IDs 0010…): the benchmark's passengers.
func BenchQRs(n int) []string {
	out := make([]string, n)
	for i := range out {
		y := 1960 + i%50
		out[i] = fmt.Sprintf("001%09d|%09d|Nguyen Van Thu Nghiem|%02d%02d%04d|Nam|So 1 Duong Thu, Ha Noi|01012022", i, i, 1+i%28, 1+i%12, y)
	}
	return out
}

// benchPin is an in-memory output pin for Bench: it keeps the level it is
// set to, as a board's pin would, at no cost, so the benchmark times the
// decision path and the feedback driver rather than a GPIO line. It is not
// periph's gpiotest (test machinery stays out of the product binary).
type benchPin struct {
	name  string
	level atomic.Bool
}

func (p *benchPin) String() string   { return p.name }
func (p *benchPin) Halt() error      { return nil }
func (p *benchPin) Name() string     { return p.name }
func (p *benchPin) Number() int      { return -1 }
func (p *benchPin) Function() string { return "Out/" + pgpio.Level(p.level.Load()).String() }

// Out keeps l.
func (p *benchPin) Out(l pgpio.Level) error {
	p.level.Store(bool(l))
	return nil
}

// PWM is not offered.
func (p *benchPin) PWM(pgpio.Duty, physic.Frequency) error {
	return fmt.Errorf("transit: bench pin %s: no PWM", p.name)
}
