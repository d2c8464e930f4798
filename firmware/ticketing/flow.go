package ticketing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// ErrConfig is returned by New for a configuration or dependency missing.
var ErrConfig = errors.New("ticketing: invalid configuration")

// Config configures a Flow.
type Config struct {
	DeviceID string
	// Header is printed at the top of every slip (the station's name).
	Header tickets.Header
	// Station is the stop the kiosk stands at: the search's default origin.
	Station string
	// MaxTravellers on one purchase (default 6).
	MaxTravellers int
	// HoldTTL is how long seats are asked to be held (default 12 min: the
	// payment window and time to choose); MinHoldLeft is the least that
	// must remain to start a payment (default 6 min) — less, and the seats
	// are chosen again rather than paid for and lost. Set MinHoldLeft above
	// the payment session's QR timeout, so the QR expires before the hold.
	HoldTTL, MinHoldLeft time.Duration
	// SaleCutoff: a departure is not sold when it leaves sooner (default
	// 15 min); SearchDays: how many days ahead are offered (default 7).
	SaleCutoff time.Duration
	SearchDays int
	// ChildMaxAge: a traveller added by ID number must be younger (default
	// 14: the CCCD is required from 14, Luật Căn cước 2023 Art. 19).
	ChildMaxAge int
	// RejectUnverified refuses cards whose chip could not be verified.
	RejectUnverified bool
	// NoOfflineSales: the operator lets the kiosk sell nothing while the
	// backend is unreachable (by default passes and rides marked offline
	// in the catalogue are issued by the kiosk itself).
	NoOfflineSales bool
	// CANAttempts a card may refuse before the kiosk stops asking (3).
	CANAttempts int
	// IdleTimeout (90 s), GoodbyeDelay (8 s), StepTimeout (20 s: one
	// backend, print or payment-creation step), RetryDelay (1 s: before
	// waiting for a card again), ResumeCheck (30 s: an out-of-service
	// kiosk tries the store again).
	IdleTimeout, GoodbyeDelay, StepTimeout, RetryDelay, ResumeCheck time.Duration
	// SaleAttempts: how often a paid sale is sent before the kiosk gives
	// up on the backend (default 3; the key makes each the same sale).
	SaleAttempts int
	// Location is the time zone of screens and slips (Asia/Ho_Chi_Minh).
	Location *time.Location
	// Mono, when set, reads a monotonic clock: the time since any fixed
	// instant, never stepped (tests set it to step the wall clock alone).
	// Nil: the monotonic reading the Clock's times carry (time.Now's do,
	// and Time.Sub uses it). A seat hold is measured on it.
	Mono   func() time.Duration
	Logger *slog.Logger
}

// Deps are the systems the flow drives; all are required but Clock and
// Staff.
type Deps struct {
	Identifier Identifier
	Backend    backend.Backend
	Catalogue  Catalogue
	// Tokens makes the keyed citizen token of each traveller, which binds
	// their ticket for validators (the operator's key, as on the buses).
	Tokens   *identity.Tokenizer
	Printer  Printer
	Payments Payments
	Recorder Recorder
	Clock    Clock // default SystemClock
	// Staff, when set, is the staff menu welcome offers (staff.go); nil
	// when [admin] names no pin_file: no staff button.
	Staff *staffmenu.Menu
}

func (c *Config) defaults() {
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	setInt := func(n *int, def int) {
		if *n <= 0 {
			*n = def
		}
	}
	setInt(&c.MaxTravellers, 6)
	setInt(&c.SearchDays, 7)
	setInt(&c.ChildMaxAge, 14)
	setInt(&c.CANAttempts, 3)
	setInt(&c.SaleAttempts, 3)
	set(&c.HoldTTL, 12*time.Minute)
	set(&c.MinHoldLeft, 6*time.Minute)
	set(&c.SaleCutoff, 15*time.Minute)
	set(&c.IdleTimeout, 90*time.Second)
	set(&c.GoodbyeDelay, 8*time.Second)
	set(&c.StepTimeout, 20*time.Second)
	set(&c.RetryDelay, time.Second)
	set(&c.ResumeCheck, 30*time.Second)
	if c.Location == nil {
		c.Location = time.FixedZone("ICT", 7*3600)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Flow is the ticketing state machine of one kiosk. Create it with New,
// start Run in a goroutine, drive it with Send and watch it with
// Subscribe.
type Flow struct {
	cfg  Config
	deps Deps
	log  *slog.Logger
	// epoch is the Clock's first reading: mono's zero when Config.Mono is
	// nil.
	epoch time.Time

	intents chan Intent
	results chan result

	mu   sync.Mutex
	subs map[int]chan State
	next int
	last State

	// Owned by the Run goroutine.
	runCtx   context.Context
	bgCtx    context.Context // background work: outlives runCtx by shutdownGrace
	bgCancel context.CancelFunc
	wg       sync.WaitGroup
	gen      uint64
	cancelOp context.CancelFunc
	m        model
}

type result struct {
	gen   uint64 // 0: applies whatever the current step
	apply func()
}

// New checks cfg and deps and makes a Flow on the welcome screen.
func New(cfg Config, deps Deps) (*Flow, error) {
	if deps.Identifier == nil || deps.Backend == nil || deps.Catalogue == nil || deps.Tokens == nil ||
		deps.Printer == nil || deps.Payments == nil || deps.Recorder == nil {
		return nil, fmt.Errorf("ticketing: Identifier, Backend, Catalogue, Tokens, Printer, Payments and Recorder are required: %w", ErrConfig)
	}
	if cfg.DeviceID == "" {
		return nil, fmt.Errorf("ticketing: DeviceID is required: %w", ErrConfig)
	}
	cfg.defaults()
	if cfg.MinHoldLeft >= cfg.HoldTTL {
		return nil, fmt.Errorf("ticketing: MinHoldLeft %s must be below HoldTTL %s: %w", cfg.MinHoldLeft, cfg.HoldTTL, ErrConfig)
	}
	if deps.Clock == nil {
		deps.Clock = SystemClock{}
	}
	f := &Flow{
		cfg: cfg, deps: deps, log: cfg.Logger.With("component", "ticketing"), epoch: deps.Clock.Now(),
		intents: make(chan Intent, 64), results: make(chan result, 64),
		subs: map[int]chan State{},
	}
	f.m = model{screen: ScreenWelcome, lang: LangVI}
	f.last = f.render()
	return f, nil
}

// Subscribe returns a channel of states, starting with the current one,
// and a function that ends the subscription. Delivery is latest-wins.
func (f *Flow) Subscribe() (<-chan State, func()) {
	ch := make(chan State, 1)
	f.mu.Lock()
	id := f.next
	f.next++
	f.subs[id] = ch
	ch <- f.last
	f.mu.Unlock()
	return ch, func() {
		f.mu.Lock()
		delete(f.subs, id)
		f.mu.Unlock()
	}
}

// State returns the state last published.
func (f *Flow) State() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Send hands an intent to the flow; it never blocks.
func (f *Flow) Send(in Intent) {
	select {
	case f.intents <- in:
	default:
		f.log.Warn("ticketing: intent dropped: flow busy", "intent", in)
	}
}

// Run drives the flow until ctx ends (call it once); then it cancels the
// step in progress, releases held seats, wipes personal data and returns
// ctx's error.
func (f *Flow) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f.runCtx = ctx
	f.bgCtx, f.bgCancel = context.WithCancel(context.WithoutCancel(ctx))
	defer f.bgCancel()
	f.toWelcome()
	f.publish()
	for {
		select {
		case <-ctx.Done():
			f.stopOp()
			f.releaseHold("shutdown")
			f.m.wipe()
			stop := time.AfterFunc(shutdownGrace, f.bgCancel)
			f.wg.Wait()
			stop.Stop()
			return ctx.Err()
		case in := <-f.intents:
			f.handle(in)
			if in.done != nil {
				f.publish()
				close(in.done)
			}
		case r := <-f.results:
			if r.gen != 0 && r.gen != f.gen {
				continue
			}
			r.apply()
		case <-f.m.idleC:
			f.m.idleC = nil
			f.abandon("idle")
		case <-f.m.retryC:
			f.startIdentify(0)
		case <-f.m.tickC:
			f.m.tickC = nil
			f.onTick()
		case <-f.m.holdC:
			f.m.holdC = nil
			f.onHoldExpired()
		case <-f.m.resumeC:
			f.m.resumeC = nil
			f.tryResume()
		}
		f.publish()
	}
}

// start runs op as the current step in its own goroutine; the function op
// returns is applied on the Run goroutine unless the step was superseded.
func (f *Flow) start(op func(ctx context.Context, gen uint64) func()) {
	f.stopOp()
	f.gen++
	gen := f.gen
	ctx, cancel := context.WithCancel(f.runCtx)
	f.cancelOp = cancel
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		if apply := op(ctx, gen); apply != nil {
			f.post(gen, apply)
		}
	}()
}

// shutdownGrace bounds what Run waits for at its end (a release of held
// seats): kioskd stops within 5 s.
const shutdownGrace = 2 * time.Second

// background runs op beside the current step (a release, a slip): its
// result applies whatever the step (gen 0). It gets StepTimeout, and at
// most shutdownGrace once Run is ending.
func (f *Flow) background(op func(ctx context.Context) func()) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		ctx, cancel := context.WithTimeout(f.bgCtx, f.cfg.StepTimeout)
		defer cancel()
		if apply := op(ctx); apply != nil {
			f.post(0, apply)
		}
	}()
}

// post delivers a step's result (or progress) to the Run goroutine.
func (f *Flow) post(gen uint64, apply func()) {
	select {
	case f.results <- result{gen: gen, apply: apply}:
	case <-f.runCtx.Done():
	}
}

// stopOp cancels the step in progress; its result will be ignored.
func (f *Flow) stopOp() {
	if f.cancelOp != nil {
		f.cancelOp()
		f.cancelOp = nil
	}
	f.gen++
}

// publish renders the model and hands the state to every subscriber,
// unless nothing changed.
func (f *Flow) publish() {
	s := f.render()
	f.mu.Lock()
	defer f.mu.Unlock()
	s.Seq = f.last.Seq
	if reflect.DeepEqual(s, f.last) {
		return
	}
	s.Seq++
	f.last = s
	for _, ch := range f.subs {
		select {
		case <-ch:
		default:
		}
		ch <- s
	}
}

// stepCtx bounds a network or printer step.
func (f *Flow) stepCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, f.cfg.StepTimeout)
}

func (f *Flow) now() time.Time { return f.deps.Clock.Now() }

// mono reads the monotonic clock (Config.Mono).
func (f *Flow) mono() time.Duration {
	if f.cfg.Mono != nil {
		return f.cfg.Mono()
	}
	return f.now().Sub(f.epoch)
}
