package speech

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Audio is mono 16-bit PCM at Rate samples per second.
type Audio struct {
	Rate    int
	Samples []int16
}

// Synthesizer turns normalised text into audio (speech/espeak).
type Synthesizer interface {
	Synthesize(ctx context.Context, lang Lang, text string) (Audio, error)
}

// Output is the loudspeaker (drivers/audio through an adapter). Play
// sounds a, the audio of u (u.Key names it; u.Text is what it says, for a
// simulator's files, never for a log), and returns when the audio has
// sounded, or when ctx ends (the sound stops). It returns ErrMuted when
// the loudspeaker is muted.
type Output interface {
	Play(ctx context.Context, u Utterance, a Audio) error
}

// OutputFunc adapts a function to Output.
type OutputFunc func(ctx context.Context, u Utterance, a Audio) error

// Play calls f.
func (f OutputFunc) Play(ctx context.Context, u Utterance, a Audio) error { return f(ctx, u, a) }

// Options configure an Engine; nil and the zero value mean the defaults.
type Options struct {
	// Chime returns the call chime at a sample rate (nil: no chime).
	Chime func(rate int) []int16
	// Muted reports whether the loudspeaker is off now (nil: never);
	// checked before synthesis, so a muted night costs no CPU.
	Muted func() bool
	// CacheBytes bounds the synthesized audio kept for reuse (0: 16 MiB,
	// about six minutes of 22 050 Hz speech; negative: no cache).
	CacheBytes int
	// Logger (nil: slog.Default()) receives keys, never text.
	Logger *slog.Logger
}

// Stats counts what an Engine did.
type Stats struct {
	Said, Interrupted, Superseded, Muted, Failed int
	CacheHits, Synthesized                       int
	// SynthTime is the total time spent synthesizing.
	SynthTime time.Duration
}

// Engine is the Speaker of one loudspeaker: one utterance sounds at a time;
// announcements go first and are never cut; a Guidance interrupts and
// replaces the screen speech. Synthesized audio is cached by language and
// text, so a screen's guidance is synthesized once.
type Engine struct {
	synth Synthesizer
	out   Output
	opts  Options
	log   *slog.Logger

	mu       sync.Mutex
	announce []*job
	screen   []*job
	current  *job
	closed   bool
	stats    Stats
	cache    *audioCache
	wake     chan struct{}
	stop     context.CancelFunc
	finished chan struct{}
}

type job struct {
	u      Utterance
	ctx    context.Context // the caller's
	done   chan error      // receives exactly once
	cancel context.CancelFunc
	reason error // set when stopped on purpose
}

// NewEngine starts an engine; Close stops it.
func NewEngine(synth Synthesizer, out Output, opts *Options) *Engine {
	e := &Engine{synth: synth, out: out, wake: make(chan struct{}, 1), finished: make(chan struct{})}
	if opts != nil {
		e.opts = *opts
	}
	e.log = e.opts.Logger
	if e.log == nil {
		e.log = slog.Default()
	}
	size := e.opts.CacheBytes
	if size == 0 {
		size = 16 << 20
	}
	e.cache = newAudioCache(size)
	ctx, cancel := context.WithCancel(context.Background())
	e.stop = cancel
	go e.run(ctx)
	return e
}

// Say implements Speaker.
func (e *Engine) Say(ctx context.Context, u Utterance) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{u: u, ctx: ctx, done: make(chan error, 1)}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	switch u.Kind {
	case Announcement:
		e.announce = append(e.announce, j)
	case Guidance:
		for _, old := range e.screen {
			e.finish(old, ErrSuperseded)
		}
		e.screen = []*job{j}
		if c := e.current; c != nil && c.u.Kind != Announcement && c.reason == nil {
			c.reason = ErrInterrupted
			c.cancel()
		}
	default:
		e.screen = append(e.screen, j)
	}
	e.mu.Unlock()
	e.poke()
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		e.withdraw(j, ctx.Err())
		return <-j.done
	}
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// withdraw removes a waiting job or stops the one sounding.
func (e *Engine) withdraw(j *job, why error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.current == j {
		if j.reason == nil {
			j.reason = why
			j.cancel()
		}
		return
	}
	for _, q := range []*[]*job{&e.announce, &e.screen} {
		for i, x := range *q {
			if x == j {
				*q = append((*q)[:i:i], (*q)[i+1:]...)
				e.finish(j, why)
				return
			}
		}
	}
}

// finish delivers the job's result and counts it. Called with mu held.
func (e *Engine) finish(j *job, err error) {
	switch {
	case err == nil:
		e.stats.Said++
	case errors.Is(err, ErrInterrupted):
		e.stats.Interrupted++
	case errors.Is(err, ErrSuperseded):
		e.stats.Superseded++
	case errors.Is(err, ErrMuted):
		e.stats.Muted++
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, ErrClosed):
	default:
		e.stats.Failed++
	}
	j.done <- err
}

// next takes the job to say, announcements first, and makes it current
// with a context its interruption cancels.
func (e *Engine) next(ctx context.Context) (*job, context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var j *job
	for {
		switch {
		case len(e.announce) > 0:
			j, e.announce = e.announce[0], e.announce[1:]
		case len(e.screen) > 0:
			j, e.screen = e.screen[0], e.screen[1:]
		default:
			return nil, nil
		}
		// A caller gone while its job waited: do not start it.
		if err := j.ctx.Err(); err != nil {
			e.finish(j, err)
			continue
		}
		break
	}
	e.current = j
	jctx, cancel := context.WithCancel(ctx)
	j.cancel = cancel
	return j, jctx
}

func (e *Engine) run(ctx context.Context) {
	defer close(e.finished)
	for {
		j, jctx := e.next(ctx)
		if j == nil {
			select {
			case <-e.wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		err := e.say(jctx, j.u)
		j.cancel()
		e.mu.Lock()
		e.current = nil
		if j.reason != nil {
			err = j.reason
		} else if err != nil && ctx.Err() != nil {
			err = ErrClosed
		}
		if err != nil && !errors.Is(err, ErrMuted) && j.reason == nil && !errors.Is(err, ErrClosed) {
			e.log.Warn("speech: utterance failed", "key", j.u.Key, "kind", j.u.Kind.String(), "err", err)
		}
		e.finish(j, err)
		e.mu.Unlock()
	}
}

// say synthesizes (or takes from the cache) and plays one utterance.
func (e *Engine) say(ctx context.Context, u Utterance) error {
	if e.opts.Muted != nil && e.opts.Muted() {
		return ErrMuted
	}
	a, err := e.audio(ctx, u.Lang, u.Text)
	if err != nil {
		return err
	}
	if u.Chime && e.opts.Chime != nil {
		chime := e.opts.Chime(a.Rate)
		a.Samples = append(chime[:len(chime):len(chime)], a.Samples...)
	}
	return e.out.Play(ctx, u, a)
}

func (e *Engine) audio(ctx context.Context, lang Lang, text string) (Audio, error) {
	key := string(lang) + "\x00" + text
	e.mu.Lock()
	a, ok := e.cache.get(key)
	if ok {
		e.stats.CacheHits++
	}
	e.mu.Unlock()
	if ok {
		return a, nil
	}
	t0 := time.Now()
	a, err := e.synth.Synthesize(ctx, lang, text)
	if err != nil {
		return Audio{}, fmt.Errorf("speech: synthesize: %w", err)
	}
	e.mu.Lock()
	e.stats.Synthesized++
	e.stats.SynthTime += time.Since(t0)
	e.cache.put(key, a)
	e.mu.Unlock()
	return a, nil
}

// Warm synthesizes texts into the cache ahead of need (a profile's
// guidance at start), so the first time a screen speaks costs no
// synthesis. It stops at the first error.
func (e *Engine) Warm(ctx context.Context, lang Lang, texts ...string) error {
	for _, t := range texts {
		if _, err := e.audio(ctx, lang, t); err != nil {
			return err
		}
	}
	return nil
}

// Stats returns the counters so far.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

// Close stops what is sounding and fails what waits with ErrClosed.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		<-e.finished
		return nil
	}
	e.closed = true
	for _, j := range append(e.announce, e.screen...) {
		e.finish(j, ErrClosed)
	}
	e.announce, e.screen = nil, nil
	if c := e.current; c != nil && c.reason == nil {
		c.reason = ErrClosed
		c.cancel()
	}
	e.mu.Unlock()
	e.stop()
	<-e.finished
	return nil
}

// audioCache is a byte-bounded LRU of synthesized audio.
type audioCache struct {
	max, size int
	order     *list.List // front: most recent
	items     map[string]*list.Element
}

type cacheEntry struct {
	key string
	a   Audio
}

func newAudioCache(max int) *audioCache {
	return &audioCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *audioCache) get(key string) (Audio, bool) {
	el, ok := c.items[key]
	if !ok {
		return Audio{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry).a, true
}

func (c *audioCache) put(key string, a Audio) {
	n := 2 * len(a.Samples)
	if c.max <= 0 || n > c.max {
		return
	}
	if _, ok := c.items[key]; ok {
		return
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key, a})
	c.size += n
	for c.size > c.max {
		el := c.order.Back()
		ce := el.Value.(*cacheEntry)
		c.order.Remove(el)
		delete(c.items, ce.key)
		c.size -= 2 * len(ce.a.Samples)
	}
}
