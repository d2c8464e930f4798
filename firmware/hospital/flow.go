package hospital

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// Errors returned by New.
var (
	ErrConfig = errors.New("hospital: invalid configuration")
)

// EnrolPolicy says what happens when no fingerprint binding exists.
type EnrolPolicy string

// Enrolment policies.
const (
	EnrolOffer EnrolPolicy = "offer" // offer consent to enrol (yes / no / skip)
	EnrolSkip  EnrolPolicy = "skip"  // go straight on to the insurance check
)

// Config configures a Flow.
type Config struct {
	DeviceID string
	// Header is printed at the top of the queue ticket.
	Header tickets.Header
	// Prepayment: show fees and a VietQR code after the ticket.
	Prepayment bool
	// Enrol is the policy when the holder has no fingerprint binding
	// (default EnrolSkip).
	Enrol EnrolPolicy
	// ConsentVersion names the consent text shown (recorded with consent).
	ConsentVersion string
	// RejectUnverified refuses cards whose chip could not be verified
	// (QR only, trust list missing); by default they may continue.
	RejectUnverified bool
	// HolderAttempts is how many fingerprint tries a patient gets (default 3).
	HolderAttempts int
	// CANAttempts is how many typed CANs a card may refuse before the
	// kiosk stops asking and offers the QR code or staff (default 3).
	CANAttempts int
	// IdleTimeout returns to welcome and wipes personal data (default 90 s;
	// [ui] idle_timeout).
	IdleTimeout time.Duration
	// GoodbyeDelay is how long the goodbye screen stays (default 8 s).
	GoodbyeDelay time.Duration
	// StepTimeout bounds the clinic list, registration, ticket and
	// payment-creation steps (default 30 s). The BHYT client has its own.
	StepTimeout time.Duration
	// RetryDelay is the pause before waiting for a card again after a
	// failed read (default 1 s).
	RetryDelay time.Duration
	// ResumeCheck is how often a kiosk that stopped because a record
	// could not be stored tries the store again (default 30 s; [hospital]
	// resume_check).
	ResumeCheck time.Duration
	// DefaultQueue is the queue service letter tickets are issued in;
	// ClinicQueues overrides it per clinic code.
	DefaultQueue string
	ClinicQueues map[string]string
	// VisitReason is LY_DO_VV (default "Khám bệnh").
	VisitReason string
	// AddressAs is how the Vietnamese texts address the patient:
	// DefaultAddress ("Quý khách", the default) or AddressOngBa.
	AddressAs string
	// AttractStep is how long each step of the welcome screen's attract
	// loop shows (default 6 s; attract.go).
	AttractStep time.Duration
	// AttractVoiceEvery is the least time between two rounds of the
	// attract loop said aloud; 0 never says it ([hospital]
	// attract_voice_every, whose default is 3 min).
	AttractVoiceEvery time.Duration
	// AdminIdle logs the admin menu out after this long without a touch
	// (default 60 s).
	AdminIdle time.Duration
	// Location is the hospital's time zone (default Asia/Ho_Chi_Minh).
	Location *time.Location
	Logger   *slog.Logger
}

// Deps are the systems the flow drives. Holder and Payments may be nil (no
// fingerprint module; no pre-payment); the others are required.
type Deps struct {
	Identifier Identifier
	Holder     HolderVerifier
	Insurance  InsuranceChecker
	HIS        his.HIS
	Queue      Queue
	Printer    Printer
	Payments   Payments
	Recorder   Recorder
	Clock      Clock // default SystemClock
	// Staff and Beacon reach a person for help requests and device alerts
	// (help.go); either may be nil: with neither, the patient is sent to
	// the reception desk.
	Staff  StaffCaller
	Beacon Beacon
	// Receipts, if set, learns which visit each payment is for, so the
	// receipt names the clinic, the amounts and the visit (*Receipts).
	Receipts ReceiptNoter
	// Admin, if set, offers the staff admin menu on welcome (admin.go).
	Admin AdminDesk
}

// Flow is the registration state machine of one kiosk. Create it with New,
// start Run in a goroutine, and drive it with Send; watch it with Subscribe.
type Flow struct {
	cfg  Config
	deps Deps
	log  *slog.Logger

	intents chan Intent
	results chan result

	mu   sync.Mutex
	subs map[int]chan State
	next int
	last State

	// Owned by the Run goroutine.
	runCtx   context.Context
	wg       sync.WaitGroup
	gen      uint64
	cancelOp context.CancelFunc
	m        model
	calls    staffCalls

	// closedView is the services staff closed, as ServiceOpen reads it
	// from other goroutines (the ticket dispenser); set on the Run
	// goroutine whenever m.admin.closed changes.
	closedView atomic.Pointer[map[string]bool]
}

type result struct {
	gen   uint64 // 0: applies whatever the current step
	apply func()
}

// New checks cfg and deps and makes a Flow on the welcome screen.
func New(cfg Config, deps Deps) (*Flow, error) {
	if deps.Identifier == nil || deps.Insurance == nil || deps.HIS == nil || deps.Queue == nil || deps.Printer == nil || deps.Recorder == nil {
		return nil, fmt.Errorf("hospital: Identifier, Insurance, HIS, Queue, Printer and Recorder are required: %w", ErrConfig)
	}
	if cfg.Prepayment && deps.Payments == nil {
		return nil, fmt.Errorf("hospital: prepayment needs Payments: %w", ErrConfig)
	}
	if len(cfg.DefaultQueue) != 1 {
		return nil, fmt.Errorf("hospital: DefaultQueue must be one queue service letter: %w", ErrConfig)
	}
	cfg.defaults()
	if deps.Clock == nil {
		deps.Clock = SystemClock{}
	}
	f := &Flow{
		cfg: cfg, deps: deps, log: cfg.Logger.With("component", "hospital"),
		intents: make(chan Intent, 64), results: make(chan result, 64),
		subs: map[int]chan State{},
	}
	f.m = model{screen: ScreenWelcome, lang: LangVI}
	f.last = f.render()
	return f, nil
}

func (c *Config) defaults() {
	if c.Enrol == "" {
		c.Enrol = EnrolSkip
	}
	if c.HolderAttempts <= 0 {
		c.HolderAttempts = 3
	}
	if c.CANAttempts <= 0 {
		c.CANAttempts = 3
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 90 * time.Second
	}
	if c.AttractStep <= 0 {
		c.AttractStep = 6 * time.Second
	}
	if c.AdminIdle <= 0 {
		c.AdminIdle = time.Minute
	}
	if c.GoodbyeDelay <= 0 {
		c.GoodbyeDelay = 8 * time.Second
	}
	if c.StepTimeout <= 0 {
		c.StepTimeout = 30 * time.Second
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = time.Second
	}
	if c.ResumeCheck <= 0 {
		c.ResumeCheck = 30 * time.Second
	}
	if c.VisitReason == "" {
		c.VisitReason = "Khám bệnh"
	}
	if c.ConsentVersion == "" {
		c.ConsentVersion = "1"
	}
	if !ValidAddress(c.AddressAs) {
		c.AddressAs = DefaultAddress
	}
	if c.Location == nil {
		c.Location = time.FixedZone("ICT", 7*3600)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Subscribe returns a channel of states, starting with the current one, and
// a function that ends the subscription. Delivery is latest-wins: the
// channel holds at most one state and a newer one replaces an unread older
// one.
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

// Send hands an intent to the flow; it never blocks. Safe from any
// goroutine (the UI's included).
func (f *Flow) Send(in Intent) {
	select {
	case f.intents <- in:
	default:
		f.log.Warn("hospital: intent dropped: flow busy", "kind", in.Kind)
	}
}

// FingerPrompt shows a fingerprint prompt on the holder screen. Wire
// identity.HolderOptions.Prompt to it:
//
//	Prompt: func(s fingerprint.Step) { flow.FingerPrompt(hospital.FingerStep(s)) }
func (f *Flow) FingerPrompt(s FingerStep) {
	select {
	case f.results <- result{apply: func() { f.onFinger(s) }}:
	default:
	}
}

// Run drives the flow until ctx ends (call it once); then it cancels the step in progress,
// wipes personal data and returns ctx's error.
func (f *Flow) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f.runCtx = ctx
	f.loadClosed(ctx)
	f.toWelcome()
	f.publish()
	for {
		select {
		case <-ctx.Done():
			f.stopOp()
			f.m.wipe()
			f.wg.Wait()
			return ctx.Err()
		case in := <-f.intents:
			f.handle(in)
			if in.done != nil {
				f.publish()
				close(in.done)
			}
		case r := <-f.results:
			if r.gen != 0 && r.gen != f.gen {
				continue // a step that was cancelled or superseded
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
		apply := op(ctx, gen)
		if apply != nil {
			f.post(gen, apply)
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

// stopOp cancels the step in progress, if any; its result will be ignored.
func (f *Flow) stopOp() {
	if f.cancelOp != nil {
		f.cancelOp()
		f.cancelOp = nil
	}
	f.gen++
}

// publish renders the model and hands the state to every subscriber, unless
// nothing changed.
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
		case <-ch: // drop the unread older state
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
