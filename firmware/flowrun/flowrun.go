// Package flowrun owns the loop a UI-independent flow runs in (the shape
// of firmware/hospital's Flow, taken out so the one-stop kiosk and the
// check-in point share it): one goroutine (Run) alone changes the flow's
// model and publishes its state; intents from the screen arrive through
// Send without ever blocking the UI; long work (a card read, a network
// call, printing) runs as a step in its own goroutine and hands its result
// back to the loop, where it is dropped if the step was superseded; timers
// fire on the loop too, from an injectable Clock so tests drive time.
//
// States are published latest-wins: a subscriber's channel holds at most
// one state and a newer one replaces an unread older one; an unchanged
// state (reflect.DeepEqual) is not published again, and each published
// state carries the next sequence number. The state before Run has
// sequence 0; Run publishes its first state (sequence 1 or more) at once.
//
// It imports only the standard library: no flow, no store, no UI.
package flowrun

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"time"
)

// Clock is a flow's time source; tests inject a manual clock.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed.
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Machine is what a flow gives the loop.
type Machine[S, I any] struct {
	// Render makes the state to publish from the model (its sequence
	// number is set by the loop through Stamp).
	Render func() S
	// Stamp sets a state's sequence number.
	Stamp func(s *S, seq uint64)
	// Handle applies one intent (on the loop's goroutine).
	Handle func(I)
	// Start runs once on the loop's goroutine before the first intent.
	Start func()
	// Stop runs on the loop's goroutine when ctx ends, after the step in
	// progress was cancelled (wipe personal data here).
	Stop func()
}

type envelope[I any] struct {
	in   I
	done chan struct{}
}

type result struct {
	gen   uint64 // 0: applies whatever the current step
	apply func()
}

// Loop runs a Machine. Make it with New; call Run once.
type Loop[S, I any] struct {
	m     Machine[S, I]
	clock Clock
	log   *slog.Logger

	intents chan envelope[I]
	results chan result

	mu       sync.Mutex
	subs     map[int]chan S
	next     int
	last     S
	rendered S // last published state before its Stamp
	seq      uint64

	// Owned by the Run goroutine.
	runCtx   context.Context
	wg       sync.WaitGroup
	gen      uint64
	cancelOp context.CancelFunc
}

// New makes a Loop; the current state is m.Render() until Run starts.
func New[S, I any](m Machine[S, I], clock Clock, log *slog.Logger) *Loop[S, I] {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	l := &Loop[S, I]{m: m, clock: clock, log: log, intents: make(chan envelope[I], 64), results: make(chan result, 64),
		subs: map[int]chan S{}, runCtx: context.Background()}
	l.rendered = m.Render()
	l.last = l.rendered
	return l
}

// Clock is the loop's clock.
func (l *Loop[S, I]) Clock() Clock { return l.clock }

// Subscribe returns a channel of states, the current one first, and a
// function that ends the subscription.
func (l *Loop[S, I]) Subscribe() (<-chan S, func()) {
	ch := make(chan S, 1)
	l.mu.Lock()
	id := l.next
	l.next++
	l.subs[id] = ch
	ch <- l.last
	l.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.subs, id)
			l.mu.Unlock()
		})
	}
}

// State returns the state last published.
func (l *Loop[S, I]) State() S {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Send hands an intent to the loop; it never blocks (a full queue drops
// the intent, as a stale tap is dropped). Safe from any goroutine.
func (l *Loop[S, I]) Send(in I) {
	select {
	case l.intents <- envelope[I]{in: in}:
	default:
		l.log.Warn("flow: intent dropped: flow busy")
	}
}

// SendWait hands an intent to the loop and waits until it was handled and
// the state published (tests, the --control socket).
func (l *Loop[S, I]) SendWait(ctx context.Context, in I) error {
	done := make(chan struct{})
	select {
	case l.intents <- envelope[I]{in: in, done: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Do runs f on the loop's goroutine (a prompt from a device callback).
func (l *Loop[S, I]) Do(f func()) {
	select {
	case l.results <- result{apply: f}:
	default:
	}
}

// Run drives the machine until ctx ends; it returns ctx's error.
func (l *Loop[S, I]) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.runCtx = ctx
	if l.m.Start != nil {
		l.m.Start()
	}
	l.publish(true) // the first state of the run, even if unchanged

	for {
		select {
		case <-ctx.Done():
			l.StopStep()
			if l.m.Stop != nil {
				l.m.Stop()
			}
			l.wg.Wait()
			return ctx.Err()
		case e := <-l.intents:
			l.m.Handle(e.in)
			l.Publish()
			if e.done != nil {
				close(e.done)
			}
			continue
		case r := <-l.results:
			if r.gen != 0 && r.gen != l.gen {
				continue // a step that was cancelled or superseded
			}
			r.apply()
		}
		l.Publish()
	}
}

// Step runs op as the current step in its own goroutine (cancelling the
// previous one); the function op returns is applied on the loop unless
// the step was superseded meanwhile. op may report progress with
// Post(gen, …).
func (l *Loop[S, I]) Step(op func(ctx context.Context, gen uint64) func()) {
	l.StopStep()
	l.gen++
	gen := l.gen
	ctx, cancel := context.WithCancel(l.runCtx)
	l.cancelOp = cancel
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if apply := op(ctx, gen); apply != nil {
			l.Post(gen, apply)
		}
	}()
}

// Go runs op in its own goroutine beside the current step (it is not
// cancelled by the next Step, only by ctx's end); its result is applied
// on the loop.
func (l *Loop[S, I]) Go(op func(ctx context.Context) func()) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if apply := op(l.runCtx); apply != nil {
			l.Post(0, apply)
		}
	}()
}

// Post delivers a step's result (or progress) to the loop; gen 0 applies
// whatever the current step.
func (l *Loop[S, I]) Post(gen uint64, apply func()) {
	select {
	case l.results <- result{gen: gen, apply: apply}:
	case <-l.runCtx.Done():
	}
}

// StopStep cancels the step in progress; its result will be ignored.
func (l *Loop[S, I]) StopStep() {
	if l.cancelOp != nil {
		l.cancelOp()
		l.cancelOp = nil
	}
	l.gen++
}

// Timer is a pending After.
type Timer struct {
	stop chan struct{}
	once sync.Once
}

// Stop cancels the timer (safe on nil, and more than once).
func (t *Timer) Stop() {
	if t != nil {
		t.once.Do(func() { close(t.stop) })
	}
}

// After runs f on the loop once d has passed on the loop's clock, unless
// the timer is stopped first. The clock's timer is armed before After
// returns (a manual clock sees it at once).
func (l *Loop[S, I]) After(d time.Duration, f func()) *Timer {
	t := &Timer{stop: make(chan struct{})}
	c := l.clock.After(d)
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		select {
		case <-c:
		case <-t.stop:
			return
		case <-l.runCtx.Done():
			return
		}
		l.Post(0, func() {
			select {
			case <-t.stop:
			default:
				t.Stop()
				f()
			}
		})
	}()
	return t
}

// Publish renders the model and hands the state to every subscriber,
// unless nothing changed.
func (l *Loop[S, I]) Publish() { l.publish(false) }

func (l *Loop[S, I]) publish(force bool) {
	s := l.m.Render()
	l.mu.Lock()
	defer l.mu.Unlock()
	if !force && reflect.DeepEqual(s, l.rendered) {
		return
	}
	l.rendered = s
	l.seq++
	l.m.Stamp(&s, l.seq)
	l.last = s
	for _, ch := range l.subs {
		select {
		case <-ch: // drop the unread older state
		default:
		}
		ch <- s
	}
}
