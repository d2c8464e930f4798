package hospital

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/bhyt/bhytfake"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/his/hisfake"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/queue"
)

// ---- manual clock ----

type manualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newClock() *manualClock {
	return &manualClock{now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))}
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *manualClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	return ch
}

// Advance moves time on and fires due timers.
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	keep := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			continue
		}
		keep = append(keep, w)
	}
	c.waiters = keep
}

// ---- fakes ----

type fakeIdentifier struct {
	cards chan identResult
}

type identResult struct {
	id  identity.Identity
	err error
}

// Acquire reads the cards put on cards (a QR came with each); it never asks
// for a CAN.
func (f *fakeIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	emit := eventSink(req)
	emit(identity.Event{Kind: identity.EventWaiting})
	select {
	case r := <-f.cards:
		if r.err == nil {
			emit(identity.Event{Kind: identity.EventDetected})
			emit(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
			emit(identity.Event{Kind: identity.EventVerifying, Fraction: 1})
		}
		return r.id, r.err
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
}

func eventSink(req identity.Request) func(identity.Event) {
	if req.OnEvent == nil {
		return func(identity.Event) {}
	}
	return req.OnEvent
}

// fakeCANIdentifier also takes CANs: cards on cards are read as by
// fakeIdentifier (a QR came with them); a card on taps comes without a QR,
// so the CAN is asked for and the card opens only with its own.
type fakeCANIdentifier struct {
	*fakeIdentifier
	taps    chan canCard
	qrs     chan identity.Identity // a QR scanned while the keypad shows
	removed chan struct{}          // the card leaves the reader while the keypad shows
	ended   chan error             // each Acquire's return, for tests (if set)

	mu    sync.Mutex
	tried []string // CANs offered to the card
}

// canCard is a card tapped without a QR: it opens with can.
type canCard struct {
	id  identity.Identity
	can string
}

func newFakeCANIdentifier(plain *fakeIdentifier) *fakeCANIdentifier {
	return &fakeCANIdentifier{fakeIdentifier: plain, taps: make(chan canCard, 2), qrs: make(chan identity.Identity, 1),
		removed: make(chan struct{}, 1), ended: make(chan error, 8)}
}

func (f *fakeCANIdentifier) Acquire(ctx context.Context, req identity.Request) (id identity.Identity, err error) {
	defer func() {
		select {
		case f.ended <- err:
		default:
		}
	}()
	emit := eventSink(req)
	emit(identity.Event{Kind: identity.EventWaiting})
	var c canCard
	select {
	case r := <-f.cards:
		if r.err == nil {
			emit(identity.Event{Kind: identity.EventDetected})
			emit(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
		}
		return r.id, r.err
	case c = <-f.taps:
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
	emit(identity.Event{Kind: identity.EventDetected})
	emit(identity.Event{Kind: identity.EventNeedCAN})
	for {
		select {
		case id := <-f.qrs:
			emit(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
			id.Method = identity.MethodChipQR
			return id, nil
		case can := <-req.CAN:
			f.mu.Lock()
			f.tried = append(f.tried, can)
			f.mu.Unlock()
			emit(identity.Event{Kind: identity.EventReading, Fraction: 0.1})
			if can != c.can {
				emit(identity.Event{Kind: identity.EventNeedCAN, WrongCAN: true})
				continue
			}
			emit(identity.Event{Kind: identity.EventVerifying, Fraction: 0.9})
			id := c.id
			id.Method = identity.MethodChipCAN
			return id, nil
		case <-f.removed:
			return identity.Identity{}, fmt.Errorf("fake reader: %w", identity.ErrCardRemoved)
		case <-ctx.Done():
			return identity.Identity{}, ctx.Err()
		}
	}
}

// triedCANs returns the CANs the card was offered.
func (f *fakeCANIdentifier) triedCANs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.tried...)
}

type fakeHolder struct {
	mu        sync.Mutex
	verify    []error // successive Verify results (last repeats)
	enrolErr  error
	deleteErr error
	deleted   []string
	enrolled  []identity.Consent
	verifyIDs []string
	block     chan struct{} // Verify waits for it to close, if set
}

func (h *fakeHolder) Verify(ctx context.Context, id string) (identity.VerifyResult, error) {
	if h.block != nil {
		select {
		case <-h.block:
		case <-ctx.Done():
			return identity.VerifyResult{}, ctx.Err()
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.verifyIDs = append(h.verifyIDs, id)
	if len(h.verify) == 0 {
		return identity.VerifyResult{Slot: 1, Score: 90}, nil
	}
	err := h.verify[0]
	if len(h.verify) > 1 {
		h.verify = h.verify[1:]
	}
	return identity.VerifyResult{Slot: 1, Score: 90}, err
}

// Enrolled says no when the next Verify would say ErrNotEnrolled.
func (h *fakeHolder) Enrolled(context.Context, string) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.verify) == 0 || !errors.Is(h.verify[0], identity.ErrNotEnrolled), nil
}

func (h *fakeHolder) Delete(_ context.Context, id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deleted = append(h.deleted, id)
	return h.deleteErr
}

func (h *fakeHolder) Enrol(_ context.Context, _ string, c identity.Consent) (identity.Binding, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.enrolled = append(h.enrolled, c)
	return identity.Binding{Slot: 2}, h.enrolErr
}

type fakePrinter struct {
	mu   sync.Mutex
	err  error
	docs []*escpos.Document
}

func (p *fakePrinter) Print(_ context.Context, d *escpos.Document) (escpos.Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs = append(p.docs, d)
	return escpos.Result{}, p.err
}

// text returns the text blocks of the last document printed.
func (p *fakePrinter) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.docs) == 0 {
		return ""
	}
	var b strings.Builder
	for _, bl := range p.docs[len(p.docs)-1].Blocks {
		switch t := bl.(type) {
		case escpos.Text:
			b.WriteString(t.Text + "\n")
		case escpos.Row:
			b.WriteString(t.Left + " " + t.Right + "\n")
		}
	}
	return b.String()
}

// flakyQueue fails its first fail calls.
type flakyQueue struct {
	Queue
	mu   sync.Mutex
	fail int
}

func (q *flakyQueue) Issue(ctx context.Context, service string, p queue.Priority) (queue.Ticket, error) {
	q.mu.Lock()
	if q.fail > 0 {
		q.fail--
		q.mu.Unlock()
		return queue.Ticket{}, queue.ErrFull
	}
	q.mu.Unlock()
	return q.Queue.Issue(ctx, service, p)
}

type fakePayments struct {
	mu        sync.Mutex
	createErr error
	n         int
	results   chan session.State
	cancelled []string
	amounts   []int64
}

func (p *fakePayments) Create(_ context.Context, amount int64, purpose string) (session.Info, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.createErr != nil {
		return session.Info{}, p.createErr
	}
	p.n++
	p.amounts = append(p.amounts, amount)
	return session.Info{Ref: "K06" + string(rune('A'+p.n)), State: session.Created, Amount: amount, Purpose: purpose, Payload: "000201010212…6304ABCD"}, nil
}

func (p *fakePayments) Shown(_ context.Context, ref string) (session.Info, error) {
	return session.Info{Ref: ref, State: session.QRShown, Amount: p.amounts[len(p.amounts)-1], Payload: "000201010212…6304ABCD", Deadline: time.Date(2026, 11, 22, 8, 5, 0, 0, time.FixedZone("ICT", 7*3600))}, nil
}

func (p *fakePayments) Await(ctx context.Context, ref string) (session.Info, error) {
	select {
	case st := <-p.results:
		return session.Info{Ref: ref, State: st, Amount: p.amounts[len(p.amounts)-1], TxnID: "FT2632600001"}, nil
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
	mu   sync.Mutex
	recs []Record
	fail error
	// failIf, if set, fails the records it selects with errStoreFull (a
	// store that fills up at some point of a registration).
	failIf func(Record) bool
	tried  int // records asked for
}

// errStoreFull is what a full store answers (store.ErrFull's wording).
var errStoreFull = errors.New("store: full: new transactions refused")

// setFail makes every later record fail (nil: none).
func (r *memRecorder) setFail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

// setFailIf fails the later records pred selects.
func (r *memRecorder) setFailIf(pred func(Record) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failIf = pred
}

// attempts is how many records were asked for, stored or not.
func (r *memRecorder) attempts() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tried
}

func (r *memRecorder) Record(_ context.Context, rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tried++
	if r.fail != nil {
		return r.fail
	}
	if r.failIf != nil && r.failIf(rec) {
		return errStoreFull
	}
	r.recs = append(r.recs, rec)
	return nil
}

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

// payloadOf returns rec's payload as *T, or a zero *T if it is another
// kind's (so a comparison fails rather than panics).
func payloadOf[T any, PT interface {
	*T
	records.Payload
}](rec Record) PT {
	if p, ok := rec.Payload.(PT); ok {
		return p
	}
	return new(T)
}

// checkRecordsPersonal checks every record the flow wrote about people:
// each is a registered kind, its sealed fields are ones the kind may carry,
// and its wire payload (records.Marshal) holds none of their personal data
// nor a member named like a sealed field.
func checkRecordsPersonal(t *testing.T, r *rig, people ...identity.Identity) {
	t.Helper()
	r.rec.mu.Lock()
	recs := slices.Clone(r.rec.recs)
	r.rec.mu.Unlock()
	for _, rec := range recs {
		k, ok := records.Lookup(rec.Kind())
		if !ok {
			t.Errorf("%s is not a registered kind", rec.Kind())
			continue
		}
		var secrets []string
		for name, v := range rec.Personal {
			if !slices.Contains(k.Personal, name) {
				t.Errorf("%s carries the sealed field %q its kind does not list", rec.Kind(), name)
			}
			secrets = append(secrets, v)
		}
		for _, p := range people {
			c := p.Citizen
			secrets = append(secrets, c.ID, c.Name, c.DOB, c.Residence)
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
		var members map[string]json.RawMessage
		if err := json.Unmarshal(wire, &members); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{PersonalName, PersonalID, PersonalDOB, PersonalAddress, PersonalCard, PersonalAgentID} {
			if _, ok := members[name]; ok {
				t.Errorf("%s payload has the member %q: %s", rec.Kind(), name, wire)
			}
		}
	}
}

// ---- rig ----

type rig struct {
	t       *testing.T
	flow    *Flow
	clock   *manualClock
	ident   *fakeIdentifier
	can     *fakeCANIdentifier  // withCAN only
	watch   *watchingIdentifier // withCardWatcher only
	holder  *fakeHolder
	bhyt    *bhytfake.Server
	his     *hisfake.Server
	printer *fakePrinter
	pay     *fakePayments
	rec     *memRecorder
	states  <-chan State
	last    State
}

type rigOpt func(*Config, *Deps, *rig)

func noHolder() rigOpt { return func(_ *Config, d *Deps, _ *rig) { d.Holder = nil } }

func withConfig(fn func(*Config)) rigOpt { return func(c *Config, _ *Deps, _ *rig) { fn(c) } }

// withCAN makes the identifier take CANs (r.can); r.ident's cards
// still arrive as cards read with a QR.
func withCAN() rigOpt {
	return func(_ *Config, d *Deps, r *rig) {
		r.can = newFakeCANIdentifier(r.ident)
		d.Identifier = r.can
	}
}

func newRig(t *testing.T, opts ...rigOpt) *rig {
	t.Helper()
	r := &rig{t: t, clock: newClock(), ident: &fakeIdentifier{cards: make(chan identResult, 4)}, holder: &fakeHolder{},
		printer: &fakePrinter{}, pay: &fakePayments{results: make(chan session.State, 1)}, rec: &memRecorder{}}
	r.bhyt = bhytfake.New("kiosk", "secret")
	r.his = hisfake.New("his-token")
	t.Cleanup(r.bhyt.Close)
	t.Cleanup(r.his.Close)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	bc, err := bhyt.New(bhyt.Config{BaseURL: r.bhyt.URL(), Username: "kiosk", Password: "secret", StaffName: "Trần Thị Tiếp Đón", StaffID: "079190000001", Timeout: 300 * time.Millisecond, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	hc, err := his.New(his.Config{BaseURL: r.his.URL(), Token: "his-token", Timeout: 2 * time.Second, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	qe, err := queue.Open(context.Background(), queue.Config{
		Services: []queue.Service{{Code: "A", Name: "Khám bệnh", Counters: []string{"1"}}, {Code: "B", Name: "Nhi", Counters: []string{"2"}}},
		Now:      r.clock.Now,
	}, &queue.MemoryJournal{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{DeviceID: "HOSP-01", Prepayment: true, Enrol: EnrolOffer, DefaultQueue: "A", ClinicQueues: map[string]string{"K02": "B"},
		IdleTimeout: 60 * time.Second, GoodbyeDelay: 5 * time.Second, Logger: quiet}
	deps := Deps{Identifier: r.ident, Holder: r.holder, Insurance: bc, HIS: hc, Queue: qe, Printer: r.printer, Payments: r.pay, Recorder: r.rec, Clock: r.clock}
	for _, o := range opts {
		o(&cfg, &deps, r)
	}
	f, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	r.flow = f
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
	states, unsub := f.Subscribe()
	t.Cleanup(unsub)
	r.states = states
	r.send(Intent{Kind: IntentActivity}) // returns once Run handles intents
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
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-r.states:
			r.last = s
			if ok(s) {
				return s
			}
		case <-deadline:
			r.t.Fatalf("timed out waiting for %s; last state: screen=%s %+v", what, r.last.Screen, r.last)
		}
	}
}

func (r *rig) waitScreen(s Screen) State {
	r.t.Helper()
	return r.wait(string(s), func(st State) bool { return st.Screen == s })
}

// send sends an intent after checking the screen offers it.
func (r *rig) send(in Intent) {
	r.t.Helper()
	if in.Kind != IntentChoose && in.Kind != IntentAnswer && in.Kind != IntentCAN && in.Kind != IntentChild && in.Kind != IntentPIN && in.Kind != IntentService && in.Kind != IntentIdle && in.Kind != IntentActivity && !r.last.Has(in.Kind) {
		r.t.Fatalf("screen %s does not offer %s (actions %v)", r.last.Screen, in.Kind, r.last.Actions)
	}
	in.done = make(chan struct{})
	r.flow.Send(in)
	select {
	case <-in.done:
	case <-time.After(5 * time.Second):
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
	return identity.Identity{Citizen: cccd.Citizen{ID: id, Name: name, DOB: dob, Sex: sex, Residence: "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP Hồ Chí Minh"}, Verdict: identity.Genuine, Method: identity.MethodChip}
}

var (
	adult = citizen("079090001234", "Nguyễn Văn An", "1990-05-17", "Nam")
	woman = citizen("079195004321", "Trần Thị Bình", "1995-03-02", "Nữ")
	elder = citizen("079045007777", "Lê Văn Cả", "1945-01-10", "Nam")
	child = citizen("079224001111", "Phạm Bé Út", "2024-02-29", "Nữ")
)

// tapCard presents a card and waits for the card result.
func (r *rig) tapCard(id identity.Identity) State {
	r.t.Helper()
	r.ident.cards <- identResult{id: id}
	return r.waitScreen(ScreenCardResult)
}

// toInsurance goes from welcome to the BHYT result with a genuine card.
func (r *rig) toInsurance(id identity.Identity) State {
	r.t.Helper()
	r.tapCard(id)
	r.tap(IntentContinue)
	return r.wait("insurance result", func(s State) bool {
		return s.Screen == ScreenInsurance && s.Insurance.Outcome != InsuranceChecking
	})
}

// toClinic continues to the loaded clinic list.
func (r *rig) toClinic(id identity.Identity) State {
	r.t.Helper()
	r.toInsurance(id)
	r.tap(IntentContinue)
	return r.wait("clinics", func(s State) bool { return s.Screen == ScreenClinic && !s.Clinic.Loading })
}

// nilHIS is an HIS that is never called (benchmarks).
type nilHIS struct{ his.HIS }

// watchingIdentifier is a fakeIdentifier that keeps the card it read on the
// reader (CardWatcher): the card is taken when the test sends on taken.
type watchingIdentifier struct {
	*fakeIdentifier
	mu    sync.Mutex
	held  bool
	holds int // Acquire calls with Request.Hold
	taken chan struct{}
}

func (w *watchingIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	id, err := w.fakeIdentifier.Acquire(ctx, req)
	w.mu.Lock()
	defer w.mu.Unlock()
	if req.Hold {
		w.holds++
	}
	if err == nil && req.Hold && id.Method != identity.MethodQR {
		w.held = true
	}
	return id, err
}

func (w *watchingIdentifier) AwaitRemoval(ctx context.Context, stillThere func()) error {
	w.mu.Lock()
	held := w.held
	w.mu.Unlock()
	if !held {
		return nil
	}
	stillThere()
	select {
	case <-w.taken:
		w.mu.Lock()
		w.held = false
		w.mu.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// withCardWatcher makes the identifier keep each card on the reader until
// the test takes it (r.taken).
func withCardWatcher() rigOpt {
	return func(_ *Config, d *Deps, r *rig) {
		r.watch = &watchingIdentifier{fakeIdentifier: r.ident, taken: make(chan struct{})}
		d.Identifier = r.watch
	}
}
