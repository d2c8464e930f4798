package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"
)

var ict = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func testConfig(c *clock) Config {
	return Config{
		Services: []Service{
			{Code: "A", Name: "Tiếp đón", Counters: []string{"Q1", "Q2"}},
			{Code: "B", Name: "Khám nội", Counters: []string{"P101"}},
			{Code: "C", Name: "Thu ngân", Counters: []string{"Q3", "Q2"}},
		},
		ResetAt: 5 * time.Hour, PriorityEvery: 3, Window: 3, DefaultService: 4 * time.Minute,
		Now: c.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func open(t *testing.T, c *clock, j Journal) *Engine {
	t.Helper()
	e, err := Open(context.Background(), testConfig(c), j)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// ok returns a checker: ok(t)(e.Issue(…)) fails the test on an error.
func ok(t *testing.T) func(Ticket, error) Ticket {
	return func(tk Ticket, err error) Ticket {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
}

func TestNumberingAndDailyReset(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	e := open(t, c, &MemoryJournal{})
	var got []string
	for _, s := range []string{"A", "A", "B", "A", "C", "B"} {
		got = append(got, ok(t)(e.Issue(ctx, s, Normal)).ID)
	}
	if want := []string{"A001", "A002", "B001", "A003", "C001", "B002"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("IDs %v, want %v", got, want)
	}
	c.now = time.Date(2026, 11, 23, 4, 59, 59, 0, ict) // before the 05:00 reset: same service day
	if id := ok(t)(e.Issue(ctx, "A", Normal)).ID; id != "A004" {
		t.Fatalf("before reset: %s, want A004", id)
	}
	c.now = time.Date(2026, 11, 23, 5, 0, 0, 0, ict)
	if id := ok(t)(e.Issue(ctx, "A", Normal)).ID; id != "A001" {
		t.Fatalf("after reset: %s, want A001", id)
	}
	if _, err := e.Get(ctx, "B002"); !errors.Is(err, ErrUnknownTicket) {
		t.Fatalf("yesterday's ticket: %v", err)
	}
	if _, err := e.Issue(ctx, "Z", Normal); !errors.Is(err, ErrUnknownService) {
		t.Fatalf("unknown service: %v", err)
	}
}

func TestDailyLimit(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	cfg := testConfig(c)
	cfg.MaxPerDay = 2
	e, _ := Open(ctx, cfg, &MemoryJournal{})
	ok(t)(e.Issue(ctx, "A", Normal))
	ok(t)(e.Issue(ctx, "A", Normal))
	if _, err := e.Issue(ctx, "A", Normal); !errors.Is(err, ErrFull) {
		t.Fatalf("third ticket: %v", err)
	}
}

func TestPriorityOrderAndAntiStarvation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		every int
		issue []Priority
		want  []string // call order
	}{
		{"law order, then normal every 3rd", 3,
			[]Priority{Normal, Normal, RevolutionaryMerit, Age75, SevereDisability, Pregnant, ChildUnder6, Normal},
			[]string{"A007", "A006", "A001", "A005", "A004", "A002", "A003", "A008"}},
		{"emergency is never deferred", 2,
			[]Priority{Normal, ChildUnder6, Emergency, Pregnant, Emergency, Normal},
			[]string{"A003", "A005", "A002", "A001", "A004", "A006"}},
		{"every=1: normal line served in turn", 1,
			[]Priority{Normal, Age75, Normal, Pregnant},
			[]string{"A001", "A003", "A004", "A002"}},
		{"no normal waiting: priority only", 2,
			[]Priority{Age75, Pregnant, ChildUnder6},
			[]string{"A003", "A002", "A001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
			cfg := testConfig(c)
			cfg.PriorityEvery = tc.every
			e, _ := Open(ctx, cfg, &MemoryJournal{})
			for _, p := range tc.issue {
				ok(t)(e.Issue(ctx, "A", p))
				c.Advance(time.Second)
			}
			b, _ := e.Board(ctx)
			var got []string
			for {
				tk, err := e.CallNext(ctx, "Q1")
				if errors.Is(err, ErrEmpty) {
					break
				}
				got = append(got, ok(t)(tk, err).ID)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("call order %v, want %v", got, tc.want)
			}
			if want := tc.want[:min(5, len(tc.want))]; !reflect.DeepEqual(b.Services[0].Next, want) {
				t.Fatalf("board predicted %v, want %v", b.Services[0].Next, want)
			}
		})
	}
}

func TestAheadAndEstimatedWait(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	e := open(t, c, &MemoryJournal{})
	// Default estimate: 4 min per person, 2 counters serve A.
	for range 5 {
		ok(t)(e.Issue(ctx, "A", Normal))
	}
	tk := ok(t)(e.Get(ctx, "A005"))
	if tk.Ahead != 4 || tk.Wait != 8*time.Minute {
		t.Fatalf("A005 ahead %d wait %v, want 4, 8m", tk.Ahead, tk.Wait)
	}
	// Service times 2, 4, 6, 8 min: window 3 keeps 4, 6, 8 → average 6 min.
	for _, d := range []time.Duration{2, 4, 6, 8} {
		ok(t)(e.Issue(ctx, "B", Normal))
		ok(t)(e.CallNext(ctx, "P101"))
		c.Advance(d * time.Minute)
		ok(t)(e.Complete(ctx, "P101"))
	}
	for range 3 {
		ok(t)(e.Issue(ctx, "B", Normal))
	}
	if tk := ok(t)(e.Get(ctx, "B007")); tk.Ahead != 2 || tk.Wait != 12*time.Minute {
		t.Fatalf("B007 ahead %d wait %v, want 2, 12m", tk.Ahead, tk.Wait)
	}
	if tk := ok(t)(e.Issue(ctx, "B", Pregnant)); tk.Ahead != 0 || tk.Wait != 0 {
		t.Fatalf("priority ticket ahead %d wait %v, want 0, 0", tk.Ahead, tk.Wait)
	}
}

func TestCounterOperations(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	j := &MemoryJournal{}
	e := open(t, c, j)
	for range 4 {
		ok(t)(e.Issue(ctx, "A", Normal))
	}
	if tk := ok(t)(e.CallNext(ctx, "Q1")); tk.ID != "A001" || tk.State != Called || tk.Counter != "Q1" {
		t.Fatalf("call: %+v", tk)
	}
	if tk := ok(t)(e.Recall(ctx, "Q1")); tk.Recalls != 1 {
		t.Fatalf("recall: %+v", tk)
	}
	if tk := ok(t)(e.NoShow(ctx, "Q1")); tk.State != NoShow {
		t.Fatalf("no-show: %+v", tk)
	}
	if _, err := e.Recall(ctx, "Q1"); !errors.Is(err, ErrNoCurrent) {
		t.Fatalf("recall with nobody called: %v", err)
	}
	ok(t)(e.CallNext(ctx, "Q1")) // A002
	// Registration sends A002 to the clinic room; the counter is free again.
	if tk := ok(t)(e.Transfer(ctx, "A002", "B")); tk.Service != "B" || tk.State != Waiting || tk.Ahead != 0 {
		t.Fatalf("transfer: %+v", tk)
	}
	if tk := ok(t)(e.CallNext(ctx, "P101")); tk.ID != "A002" {
		t.Fatalf("B room called %s, want the transferred A002", tk.ID)
	}
	if tk := ok(t)(e.Cancel(ctx, "A004")); tk.State != Cancelled {
		t.Fatalf("cancel: %+v", tk)
	}
	if _, err := e.Cancel(ctx, "A002"); !errors.Is(err, ErrBadState) {
		t.Fatalf("cancel a called ticket: %v", err)
	}
	// Calling next completes the current ticket first.
	ok(t)(e.CallNext(ctx, "Q2")) // A003
	c.Advance(3 * time.Minute)
	if _, err := e.CallNext(ctx, "Q2"); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty line: %v", err)
	}
	if tk := ok(t)(e.Get(ctx, "A003")); tk.State != Completed {
		t.Fatalf("A003 after next: %+v", tk)
	}
	if _, err := e.CallNext(ctx, "X9"); !errors.Is(err, ErrUnknownCounter) {
		t.Fatalf("unknown counter: %v", err)
	}
	if _, err := e.Transfer(ctx, "A003", "B"); !errors.Is(err, ErrBadState) {
		t.Fatalf("transfer completed: %v", err)
	}
	// Q2 serves A and C: the earliest in line across both wins.
	ok(t)(e.Issue(ctx, "C", Normal))
	c.Advance(time.Second)
	ok(t)(e.Issue(ctx, "A", Normal))
	if tk := ok(t)(e.CallNext(ctx, "Q2")); tk.ID != "C001" {
		t.Fatalf("shared counter called %s, want C001", tk.ID)
	}
	assertReplayEqual(t, c, e, j)
}

// assertReplayEqual checks a fresh engine replaying j has the same state.
func assertReplayEqual(t *testing.T, c *clock, live *Engine, j Journal) {
	t.Helper()
	fresh := open(t, c, j)
	if !reflect.DeepEqual(live.d, fresh.d) {
		t.Fatalf("replayed state differs from live state")
	}
	lb, _ := live.Board(context.Background())
	fb, _ := fresh.Board(context.Background())
	if !reflect.DeepEqual(lb, fb) {
		t.Fatalf("replayed board %+v\nlive %+v", fb, lb)
	}
}

func TestConcurrentIssueUnique(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	j := &MemoryJournal{}
	e := open(t, c, j)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				tk, err := e.Issue(ctx, "A", Normal)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[tk.ID] {
					t.Errorf("duplicate %s", tk.ID)
				}
				seen[tk.ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for n := 1; n <= 400; n++ {
		if !seen[fmt.Sprintf("A%03d", n)] {
			t.Fatalf("A%03d skipped", n)
		}
	}
	assertReplayEqual(t, c, e, j)
}

func TestSubscribe(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 22, 7, 0, 0, 0, ict)}
	e := open(t, c, &MemoryJournal{})
	ch, cancel := e.Subscribe()
	ok(t)(e.Issue(ctx, "A", Age75))
	ok(t)(e.CallNext(ctx, "Q1"))
	for _, want := range []EventKind{EvIssued, EvCalled} {
		if ev := <-ch; ev.Kind != want || ev.Ticket != "A001" {
			t.Fatalf("event %+v, want %s A001", ev, want)
		}
	}
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("channel open after cancel")
	}
	// A subscriber that never reads is dropped, not waited for.
	slow, cancelSlow := e.Subscribe()
	defer cancelSlow()
	for range subBuffer + 1 {
		ok(t)(e.Issue(ctx, "B", Normal))
	}
	n := 0
	for range slow {
		n++
	}
	if n != subBuffer {
		t.Fatalf("slow subscriber got %d events before close, want %d", n, subBuffer)
	}
}

func TestConfigRejects(t *testing.T) {
	c := &clock{now: time.Now()}
	for name, mod := range map[string]func(*Config){
		"no services":       func(cfg *Config) { cfg.Services = nil },
		"two-letter code":   func(cfg *Config) { cfg.Services[0].Code = "AB" },
		"lower-case code":   func(cfg *Config) { cfg.Services[0].Code = "a" },
		"duplicate code":    func(cfg *Config) { cfg.Services[1].Code = "A" },
		"no counters":       func(cfg *Config) { cfg.Services[0].Counters = nil },
		"reset after 24:00": func(cfg *Config) { cfg.ResetAt = 25 * time.Hour },
	} {
		cfg := testConfig(c)
		cfg.Services = append([]Service(nil), cfg.Services...)
		mod(&cfg)
		if _, err := Open(context.Background(), cfg, &MemoryJournal{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPriorityText(t *testing.T) {
	for p := Normal; p <= RevolutionaryMerit; p++ {
		b, _ := p.MarshalText()
		var q Priority
		if err := q.UnmarshalText(b); err != nil || q != p {
			t.Errorf("%v round trip = %v, %v", p, q, err)
		}
	}
	if _, err := ParsePriority("vip"); !errors.Is(err, ErrInvalid) {
		t.Errorf("vip: %v", err)
	}
}
