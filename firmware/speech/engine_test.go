package speech

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSynth makes 1 ms of audio (rate 1000) per unit of ms[text], or 50 ms.
type fakeSynth struct {
	mu    sync.Mutex
	calls []string
	ms    map[string]int
	err   error
}

func (f *fakeSynth) Synthesize(ctx context.Context, lang Lang, text string) (Audio, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, text)
	if f.err != nil {
		return Audio{}, f.err
	}
	n := 50
	if v, ok := f.ms[text]; ok {
		n = v
	}
	return Audio{Rate: 1000, Samples: make([]int16, n)}, nil
}

type played struct {
	key        string
	start, end time.Time
	samples    int
	cut        bool
}

// fakeOut sounds for the audio's duration and records each play.
type fakeOut struct {
	mu     sync.Mutex
	plays  []played
	active int
	overl  bool
}

func (o *fakeOut) Play(ctx context.Context, u Utterance, a Audio) error {
	o.mu.Lock()
	o.active++
	if o.active > 1 {
		o.overl = true
	}
	o.mu.Unlock()
	p := played{key: u.Key, start: time.Now(), samples: len(a.Samples)}
	var err error
	select {
	case <-time.After(time.Duration(len(a.Samples)) * time.Second / time.Duration(a.Rate)):
	case <-ctx.Done():
		err, p.cut = ctx.Err(), true
	}
	p.end = time.Now()
	o.mu.Lock()
	o.active--
	o.plays = append(o.plays, p)
	o.mu.Unlock()
	return err
}

func (o *fakeOut) keys() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var k []string
	for _, p := range o.plays {
		k = append(k, p.key)
	}
	return k
}

func newTest(t *testing.T, synth *fakeSynth, opts *Options) (*Engine, *fakeOut) {
	out := &fakeOut{}
	e := NewEngine(synth, out, opts)
	t.Cleanup(func() { e.Close() })
	return e, out
}

// sayAsync starts Say and returns its result channel, after the utterance
// has reached the engine (a short pause keeps arrival order).
func sayAsync(e *Engine, ctx context.Context, u Utterance) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- e.Say(ctx, u) }()
	time.Sleep(20 * time.Millisecond)
	return ch
}

func TestGuidanceInterruptsGuidance(t *testing.T) {
	synth := &fakeSynth{ms: map[string]int{"long": 2000}}
	e, out := newTest(t, synth, nil)
	ctx := context.Background()
	g1 := sayAsync(e, ctx, Utterance{Key: "g1", Text: "long", Kind: Guidance})
	r1 := sayAsync(e, ctx, Utterance{Key: "r1", Text: "result", Kind: Result})
	g2 := sayAsync(e, ctx, Utterance{Key: "g2", Text: "short", Kind: Guidance})
	if err := <-g1; !errors.Is(err, ErrInterrupted) {
		t.Errorf("g1: %v, want ErrInterrupted", err)
	}
	if err := <-r1; !errors.Is(err, ErrSuperseded) {
		t.Errorf("r1: %v, want ErrSuperseded", err)
	}
	if err := <-g2; err != nil {
		t.Errorf("g2: %v", err)
	}
	if k := out.keys(); strings.Join(k, ",") != "g1,g2" || !out.plays[0].cut {
		t.Errorf("played %v (first cut: %v)", k, out.plays[0].cut)
	}
	s := e.Stats()
	if s.Said != 1 || s.Interrupted != 1 || s.Superseded != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestResultFollowsGuidance(t *testing.T) {
	e, out := newTest(t, &fakeSynth{}, nil)
	ctx := context.Background()
	g := sayAsync(e, ctx, Utterance{Key: "g", Text: "a", Kind: Guidance})
	r := sayAsync(e, ctx, Utterance{Key: "r", Text: "b", Kind: Result})
	if err := <-g; err != nil {
		t.Fatal(err)
	}
	if err := <-r; err != nil {
		t.Fatal(err)
	}
	if k := out.keys(); strings.Join(k, ",") != "g,r" {
		t.Errorf("played %v", k)
	}
}

// TestAnnouncementsNeverCutNorOverlap: calls queue first in, first out;
// a screen's guidance neither cuts a call nor jumps ahead of one.
func TestAnnouncementsNeverCutNorOverlap(t *testing.T) {
	synth := &fakeSynth{ms: map[string]int{"call1": 300, "call2": 300, "call3": 300}}
	e, out := newTest(t, synth, nil)
	ctx := context.Background()
	var chans []<-chan error
	for i := 1; i <= 3; i++ {
		chans = append(chans, sayAsync(e, ctx, Utterance{Key: fmt.Sprint("a", i), Text: fmt.Sprint("call", i), Kind: Announcement}))
	}
	g := sayAsync(e, ctx, Utterance{Key: "g", Text: "guide", Kind: Guidance})
	for i, ch := range chans {
		if err := <-ch; err != nil {
			t.Errorf("call %d: %v", i+1, err)
		}
	}
	if err := <-g; err != nil {
		t.Errorf("guidance: %v", err)
	}
	if k := out.keys(); strings.Join(k, ",") != "a1,a2,a3,g" {
		t.Errorf("played %v, want a1,a2,a3,g", k)
	}
	if out.overl {
		t.Error("two utterances sounded at once")
	}
	for _, p := range out.plays {
		if p.cut {
			t.Errorf("%s was cut", p.key)
		}
	}
}

// TestAnnouncementBeforeWaitingScreenSpeech: a call waiting is said before
// screen speech that waits too.
func TestAnnouncementBeforeWaitingScreenSpeech(t *testing.T) {
	synth := &fakeSynth{ms: map[string]int{"first": 300}}
	e, out := newTest(t, synth, nil)
	ctx := context.Background()
	g := sayAsync(e, ctx, Utterance{Key: "g", Text: "first", Kind: Guidance})
	r := sayAsync(e, ctx, Utterance{Key: "r", Text: "r", Kind: Result})
	a := sayAsync(e, ctx, Utterance{Key: "a", Text: "a", Kind: Announcement})
	for _, ch := range []<-chan error{g, r, a} {
		if err := <-ch; err != nil {
			t.Fatal(err)
		}
	}
	if k := out.keys(); strings.Join(k, ",") != "g,a,r" {
		t.Errorf("played %v, want g,a,r", k)
	}
}

func TestContextWithdraws(t *testing.T) {
	synth := &fakeSynth{ms: map[string]int{"long": 2000}}
	e, out := newTest(t, synth, nil)
	ctx, cancel := context.WithCancel(context.Background())
	long := sayAsync(e, ctx, Utterance{Key: "long", Text: "long", Kind: Announcement})
	waiting := sayAsync(e, ctx, Utterance{Key: "w", Text: "w", Kind: Announcement})
	cancel()
	if err := <-long; !errors.Is(err, context.Canceled) {
		t.Errorf("sounding: %v", err)
	}
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Errorf("waiting: %v", err)
	}
	if k := out.keys(); len(k) != 1 || !out.plays[0].cut {
		t.Errorf("played %v", k)
	}
	if err := e.Say(ctx, Utterance{Text: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Say with a done ctx: %v", err)
	}
}

func TestMutedCostsNothing(t *testing.T) {
	synth := &fakeSynth{}
	e, out := newTest(t, synth, &Options{Muted: func() bool { return true }})
	if err := e.Say(context.Background(), Utterance{Text: "x", Kind: Announcement}); !errors.Is(err, ErrMuted) {
		t.Fatalf("Say muted: %v", err)
	}
	if len(synth.calls) != 0 || len(out.keys()) != 0 {
		t.Fatalf("muted engine synthesized %d, played %d", len(synth.calls), len(out.keys()))
	}
}

func TestCacheAndChime(t *testing.T) {
	synth := &fakeSynth{}
	chime := func(rate int) []int16 { return []int16{7, 7, 7} }
	e, out := newTest(t, synth, &Options{Chime: chime})
	ctx := context.Background()
	for range 3 {
		if err := e.Say(ctx, Utterance{Text: "same", Lang: Vietnamese}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Say(ctx, Utterance{Text: "same", Lang: English}); err != nil {
		t.Fatal(err)
	}
	if len(synth.calls) != 2 {
		t.Errorf("synthesized %d times, want 2 (once per language)", len(synth.calls))
	}
	if err := e.Say(ctx, Utterance{Text: "same", Lang: Vietnamese, Chime: true}); err != nil {
		t.Fatal(err)
	}
	if p := out.plays[len(out.plays)-1]; p.samples != 53 {
		t.Errorf("chimed utterance has %d samples, want 3 + 50", p.samples)
	}
	if s := e.Stats(); s.CacheHits != 3 || s.Synthesized != 2 {
		t.Errorf("stats %+v", s)
	}
	// The chime did not leak into the cached audio.
	if err := e.Say(ctx, Utterance{Text: "same", Lang: Vietnamese}); err != nil {
		t.Fatal(err)
	}
	if p := out.plays[len(out.plays)-1]; p.samples != 50 {
		t.Errorf("cached audio now has %d samples", p.samples)
	}
}

func TestCacheBound(t *testing.T) {
	c := newAudioCache(300)
	for i := range 5 {
		c.put(fmt.Sprint(i), Audio{Samples: make([]int16, 50)}) // 100 bytes each
	}
	if c.size > 300 || len(c.items) != 3 {
		t.Fatalf("size %d, %d items", c.size, len(c.items))
	}
	if _, ok := c.get("0"); ok {
		t.Error("oldest entry kept")
	}
	c.put("big", Audio{Samples: make([]int16, 1000)})
	if _, ok := c.get("big"); ok {
		t.Error("entry larger than the cache kept")
	}
}

func TestSynthFailure(t *testing.T) {
	e, _ := newTest(t, &fakeSynth{err: errors.New("boom")}, nil)
	if err := e.Say(context.Background(), Utterance{Text: "x"}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Say: %v", err)
	}
	if e.Stats().Failed != 1 {
		t.Errorf("stats %+v", e.Stats())
	}
}

func TestClose(t *testing.T) {
	synth := &fakeSynth{ms: map[string]int{"long": 5000}}
	e := NewEngine(synth, &fakeOut{}, nil)
	ctx := context.Background()
	a := sayAsync(e, ctx, Utterance{Text: "long", Kind: Announcement})
	b := sayAsync(e, ctx, Utterance{Text: "b", Kind: Announcement})
	e.Close()
	for _, ch := range []<-chan error{a, b} {
		if err := <-ch; !errors.Is(err, ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
	}
	if err := e.Say(ctx, Utterance{Text: "c"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Say after Close: %v", err)
	}
	e.Close()
}
