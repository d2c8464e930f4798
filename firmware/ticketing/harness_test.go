package ticketing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
	"github.com/kiosk06/kiosk/firmware/ticketing/ticketingsim"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// ---- manual clock ----

// manualClock has a wall and a monotonic part: Advance lets time pass
// (both move, timers fire), Jump steps the wall clock alone (NTP, or a hand
// setting the time; timers run on the monotonic part, as time.After does).
type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	mono    time.Duration
	waiters []waiter
}

type waiter struct {
	at time.Duration // on the monotonic part
	ch chan time.Time
}

// start is 22/11/2026 08:00 in Hà Nội.
var start = time.Date(2026, 11, 22, 8, 0, 0, 0, tariff.Location())

func (c *manualClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *manualClock) Mono() time.Duration { c.mu.Lock(); defer c.mu.Unlock(); return c.mono }

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.mono + d, ch})
	return ch
}

// Advance moves time on and fires due timers.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now, c.mono = c.now.Add(d), c.mono+d
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at <= c.mono {
			w.ch <- c.now
			continue
		}
		keep = append(keep, w)
	}
	c.waiters = keep
}

// Jump steps the wall clock alone.
func (c *manualClock) Jump(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// ---- fakes ----

type fakeIdentifier struct{ cards chan identity.Identity }

func (f *fakeIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	emit := func(e identity.Event) {
		if req.OnEvent != nil {
			req.OnEvent(e)
		}
	}
	emit(identity.Event{Kind: identity.EventWaiting})
	select {
	case id := <-f.cards:
		if ctx.Err() != nil { // superseded meanwhile: the next reader gets the card
			f.cards <- id
			return identity.Identity{}, ctx.Err()
		}
		emit(identity.Event{Kind: identity.EventDetected})
		emit(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
		return id, nil
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
}

type fakePrinter struct {
	mu   sync.Mutex
	err  error
	docs []*escpos.Document
	// recsAtPrint: how many records existed when each document printed.
	recsAtPrint []int
	rec         *memRecorder
}

func (p *fakePrinter) Print(_ context.Context, d *escpos.Document) (escpos.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs = append(p.docs, d)
	if p.rec != nil {
		p.recsAtPrint = append(p.recsAtPrint, p.rec.count())
	}
	return escpos.Result{}, p.err
}

func (p *fakePrinter) setErr(err error) { p.mu.Lock(); p.err = err; p.mu.Unlock() }

// Status: the staff menu's device status (an online printer with paper).
func (p *fakePrinter) Status(context.Context) (escpos.Status, error) {
	return escpos.Status{Online: true}, nil
}

// texts returns the text of every document printed, one string each.
func (p *fakePrinter) texts() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, d := range p.docs {
		var b strings.Builder
		for _, bl := range d.Blocks {
			switch t := bl.(type) {
			case escpos.Text:
				b.WriteString(t.Text + "\n")
			case escpos.Row:
				b.WriteString(t.Left + " " + t.Right + "\n")
			case escpos.QR:
				b.WriteString("[QR " + t.Data + "]\n")
			}
		}
		out = append(out, b.String())
	}
	return out
}

// fakePayments confirms (or not) on demand.
type fakePayments struct {
	mu        sync.Mutex
	clock     *manualClock
	n         int
	results   chan session.State
	cancelled []string
	amounts   []int64
	auto      bool          // pay at once
	window    time.Duration // the QR's validity (default 5 min)
}

func (p *fakePayments) Create(_ context.Context, amount int64, purpose string) (session.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.amounts = append(p.amounts, amount)
	return session.Info{Ref: "K06VE" + string(rune('A'+p.n)), State: session.Created, Amount: amount, Purpose: purpose, Payload: "00020101021238…6304ABCD"}, nil
}

func (p *fakePayments) Shown(_ context.Context, ref string) (session.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.window
	if w == 0 {
		w = 5 * time.Minute
	}
	return session.Info{Ref: ref, State: session.QRShown, Amount: p.amounts[len(p.amounts)-1], Payload: "00020101021238…6304ABCD",
		Deadline: p.clock.Now().Add(w)}, nil
}

func (p *fakePayments) Await(ctx context.Context, ref string) (session.Info, error) {
	p.mu.Lock()
	auto, amount := p.auto, p.amounts[len(p.amounts)-1]
	p.mu.Unlock()
	if auto {
		return session.Info{Ref: ref, State: session.Paid, Amount: amount, TxnID: "FT26326" + ref}, nil
	}
	select {
	case st := <-p.results:
		return session.Info{Ref: ref, State: st, Amount: amount, TxnID: "FT26326" + ref}, nil
	case <-ctx.Done():
		return session.Info{Ref: ref, State: session.QRShown}, ctx.Err()
	}
}

func (p *fakePayments) Cancel(_ context.Context, ref, reason string) (session.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cancelled = append(p.cancelled, ref+":"+reason)
	return session.Info{Ref: ref, State: session.Cancelled}, nil
}

type memRecorder struct {
	mu     sync.Mutex
	recs   []Record
	failIf func(Record) bool
	// also, when set, makes each record durable there too (a real store).
	also Recorder
}

var errStoreFull = errors.New("store: full: new transactions refused")

func (r *memRecorder) Record(_ context.Context, rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failIf != nil && r.failIf(rec) {
		return errStoreFull
	}
	// Every payload must encode as its registered kind.
	if _, err := records.Marshal(rec.Payload); err != nil {
		return err
	}
	if r.also != nil {
		if err := r.also.Record(context.Background(), rec); err != nil {
			return err
		}
	}
	r.recs = append(r.recs, rec)
	return nil
}

func (r *memRecorder) setFailIf(f func(Record) bool) { r.mu.Lock(); r.failIf = f; r.mu.Unlock() }

func (r *memRecorder) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.recs) }

func (r *memRecorder) kinds(kind string) []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Record
	for _, x := range r.recs {
		if x.Kind() == kind {
			out = append(out, x)
		}
	}
	return out
}

// sequence is the kinds recorded, with an intent's action.
func (r *memRecorder) sequence() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, x := range r.recs {
		k := strings.TrimPrefix(x.Kind(), "ticketing.")
		switch p := x.Payload.(type) {
		case *records.TicketingIntent:
			k += "/" + p.Action
		case *records.TicketingHold:
			k += "/" + p.Outcome
		case *records.TicketingSale:
			k += "/" + p.Outcome
		case *records.TicketingPayment:
			k += "/" + p.State
		case *records.TicketingRefund:
			k += "/" + p.State
		}
		out = append(out, k)
	}
	return out
}

func payloadOf[T any, PT interface {
	*T
	records.Payload
}](rec Record) PT {
	if p, ok := rec.Payload.(PT); ok {
		return p
	}
	return new(T)
}

// sellOverride wraps a Backend to make Sell fail as set.
type sellOverride struct {
	backend.Backend
	mu  sync.Mutex
	err error
	n   int
	// hang makes Release wait for its context (a backend that never answers).
	hang bool
}

func (s *sellOverride) Release(ctx context.Context, r backend.ReleaseRequest) error {
	s.mu.Lock()
	hang := s.hang
	s.mu.Unlock()
	if hang {
		<-ctx.Done()
		return ctx.Err()
	}
	return s.Backend.Release(ctx, r)
}

func (s *sellOverride) Sell(ctx context.Context, r backend.SaleRequest) (backend.Sale, error) {
	s.mu.Lock()
	err := s.err
	s.n++
	s.mu.Unlock()
	if err != nil {
		return backend.Sale{}, err
	}
	return s.Backend.Sell(ctx, r)
}

func (s *sellOverride) set(err error) { s.mu.Lock(); s.err = err; s.mu.Unlock() }

// ---- rig ----

type rig struct {
	t      *testing.T
	flow   *Flow
	clock  *manualClock
	ident  *fakeIdentifier
	sim    *ticketingsim.Server
	be     *sellOverride
	cache  *backend.Cache
	print  *fakePrinter
	pay    *fakePayments
	rec    *memRecorder
	tokens *identity.Tokenizer
	// identifier replaces ident when set (withIdentifier).
	identifier Identifier
	// staff is the staff menu (withStaff).
	staff  *staffmenu.Menu
	states <-chan State
	last   State
	// stop ends Run and waits for it (also at the test's end).
	stop func() time.Duration
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// testKey is the operator's token key in tests.
var testKey = []byte("operator-key-for-tests-0123456789abcdef")

// newSim starts a simulated backend on clock.
func newSim(t testing.TB, clock *manualClock) *ticketingsim.Server {
	t.Helper()
	s, err := ticketingsim.Start(context.Background(), &ticketingsim.Options{Now: clock.Now, TLS: true, Token: "kiosk-token",
		Catalogue: catalog.Sample(clock.Now(), 66*3)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

type rigOpt func(*Config, *rig)

func withConfig(fn func(*Config)) rigOpt { return func(c *Config, _ *rig) { fn(c) } }

func withIdentifier(i Identifier) rigOpt { return func(_ *Config, r *rig) { r.identifier = i } }

// newRig starts a flow on its own simulated backend, or on sim when given
// (with its clock): two rigs on one sim are two kiosks.
func newRig(t *testing.T, sim *ticketingsim.Server, clock *manualClock, device string, opts ...rigOpt) *rig {
	t.Helper()
	if clock == nil {
		clock = &manualClock{now: start}
	}
	if sim == nil {
		sim = newSim(t, clock)
	}
	tk, err := identity.NewTokenizer(testKey)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, clock: clock, ident: &fakeIdentifier{cards: make(chan identity.Identity, 4)}, sim: sim, rec: &memRecorder{}, tokens: tk}
	r.print = &fakePrinter{rec: r.rec}
	r.pay = &fakePayments{clock: clock, results: make(chan session.State, 1)}
	cl, err := backend.NewClient(backend.ClientConfig{BaseURL: sim.URL(), Token: "kiosk-token", PublicKey: sim.PublicKey(), DeviceID: device,
		Now: clock.Now, HTTPClient: sim.Client()})
	if err != nil {
		t.Fatal(err)
	}
	r.be = &sellOverride{Backend: cl}
	if r.cache, err = backend.OpenCache(t.TempDir(), sim.PublicKey(), quiet); err != nil {
		t.Fatal(err)
	}
	if _, err := r.cache.Sync(context.Background(), cl, clock.Now()); err != nil {
		t.Fatal(err)
	}
	cfg := Config{DeviceID: device, Station: "HN-GB", Header: headerForTests, IdleTimeout: 60 * time.Second, GoodbyeDelay: 5 * time.Second,
		StepTimeout: 5 * time.Second, SaleAttempts: 2, Mono: clock.Mono, Logger: quiet}
	for _, o := range opts {
		o(&cfg, r)
	}
	var idf Identifier = r.ident
	if r.identifier != nil {
		idf = r.identifier
	}
	f, err := New(cfg, Deps{Identifier: idf, Backend: r.be, Catalogue: r.cache, Tokens: tk, Printer: r.print, Payments: r.pay,
		Recorder: r.rec, Clock: clock, Staff: r.staff})
	if err != nil {
		t.Fatal(err)
	}
	r.flow = f
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	var once sync.Once
	var took time.Duration
	r.stop = func() time.Duration {
		once.Do(func() {
			t0 := time.Now()
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("Run: %v", err)
			}
			took = time.Since(t0)
		})
		return took
	}
	t.Cleanup(func() { r.stop() })
	states, unsub := f.Subscribe()
	t.Cleanup(unsub)
	r.states = states
	r.send(Intent{Kind: IntentActivity})
	if r.last.Screen != ScreenWelcome {
		t.Fatalf("starts on %s", r.last.Screen)
	}
	return r
}

// wait waits for a published state satisfying ok.
func (r *rig) wait(what string, ok func(State) bool) State {
	r.t.Helper()
	if ok(r.last) && r.last.Seq != 0 {
		return r.last
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-r.states:
			r.last = s
			if ok(s) {
				return s
			}
		case <-deadline:
			b, _ := json.MarshalIndent(r.last, "", " ")
			r.t.Fatalf("timed out waiting for %s; last state:\n%s", what, b)
		}
	}
}

func (r *rig) waitScreen(s Screen) State {
	r.t.Helper()
	return r.wait(string(s), func(st State) bool { return st.Screen == s })
}

// items are intents that are not buttons.
var itemKinds = []IntentKind{IntentMode, IntentSearch, IntentTrip, IntentProduct, IntentRemove, IntentCategory, IntentChild, IntentSeat,
	IntentTicket, IntentCAN, IntentIdle, IntentActivity}

// send sends an intent (a button must be offered) and waits until handled.
func (r *rig) send(in Intent) {
	r.t.Helper()
	if !slices.Contains(itemKinds, in.Kind) && !r.last.Has(in.Kind) {
		r.t.Fatalf("screen %s does not offer %s (actions %+v)", r.last.Screen, in.Kind, r.last.Actions)
	}
	in.done = make(chan struct{})
	r.flow.Send(in)
	select {
	case <-in.done:
	case <-time.After(10 * time.Second):
		r.t.Fatalf("intent %s not handled", in.Kind)
	}
	select {
	case <-r.states:
	default:
	}
	r.last = r.flow.State()
}

func (r *rig) tap(k IntentKind) { r.t.Helper(); r.send(Intent{Kind: k}) }

func citizen(id, name, dob, sex string) identity.Identity {
	return identity.Identity{Citizen: cccd.Citizen{ID: id, Name: name, DOB: dob, Sex: sex, Residence: "12 Lê Lợi, Hà Nội"},
		Verdict: identity.Genuine, Method: identity.MethodChipQR}
}

var (
	adult = citizen("001090012345", "Nguyễn Văn Thu", "1990-03-15", "Nam")
	elder = citizen("001050007777", "Lê Thị Cúc", "1950-01-10", "Nữ")
	other = citizen("079195004321", "Trần Thị Bình", "1995-03-02", "Nữ")
)

var headerForTests = tickets.Header{Name: "BẾN XE GIÁP BÁT", Address: "Km6 Giải Phóng, Hoàng Mai, Hà Nội"}

// identify presents a card on the identify (or welcome) screen.
func (r *rig) identify(id identity.Identity) {
	r.t.Helper()
	r.ident.cards <- id
}

// toChoose starts a purchase with the buyer's card.
func (r *rig) toChoose(id identity.Identity) State {
	r.t.Helper()
	r.tap(IntentStart)
	r.identify(id)
	return r.waitScreen(ScreenChoose)
}

// toCoachSeats buys from Giáp Bát to Vinh on the first coach after
// minutes from now.
func (r *rig) searchCoach(after time.Duration) TripOption {
	r.t.Helper()
	day := r.clock.Now().Add(after)
	r.send(Intent{Kind: IntentSearch, From: "HN-GB", To: "VINH", Date: day.In(tariff.Location()).Format("2006-01-02")})
	for _, tr := range r.last.Choose.Trips {
		if !tr.Departs.Before(day) {
			return tr
		}
	}
	r.t.Fatalf("no coach after %s: %+v", after, r.last.Choose)
	return TripOption{}
}

// chooseSeats taps seats and holds them; it returns the fare screen.
func (r *rig) holdSeats(seats ...string) State {
	r.t.Helper()
	r.wait("seat map", func(s State) bool { return s.Screen == ScreenSeats && !s.Seats.Loading })
	for _, s := range seats {
		r.send(Intent{Kind: IntentSeat, Seat: s})
	}
	r.tap(IntentContinue)
	return r.wait("fare or seats", func(s State) bool {
		return s.Screen == ScreenFare || s.Screen == ScreenSeats && !s.Seats.Loading || s.Screen == ScreenError
	})
}

// checkNoPersonal: every record is a registered kind, sealed fields are
// the kind's, and no payload holds the people's personal data.
func checkNoPersonal(t *testing.T, r *rig, people ...identity.Identity) {
	t.Helper()
	r.rec.mu.Lock()
	recs := slices.Clone(r.rec.recs)
	r.rec.mu.Unlock()
	for _, rec := range recs {
		k, ok := records.Lookup(rec.Kind())
		if !ok {
			t.Errorf("%s is not registered", rec.Kind())
			continue
		}
		var secrets []string
		for name, v := range rec.Personal {
			if !slices.Contains(k.Personal, name) {
				t.Errorf("%s seals %q, which its kind does not list", rec.Kind(), name)
			}
			secrets = append(secrets, v)
		}
		for _, p := range people {
			secrets = append(secrets, p.Citizen.ID, p.Citizen.Name, p.Citizen.DOB)
		}
		wire, err := records.Marshal(rec.Payload)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range secrets {
			if v != "" && bytes.Contains(wire, []byte(v)) {
				t.Errorf("%s payload carries %q: %s", rec.Kind(), v, wire)
			}
		}
	}
}
