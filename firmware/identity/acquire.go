package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/drivers/nfc"
)

// Method is how a person was identified.
type Method string

// Identification methods.
const (
	MethodQR Method = "qr" // the printed QR alone: nothing proves it
	// MethodChip: the chip read with a key known beforehand (KeyFinder).
	MethodChip    Method = "chip"
	MethodChipQR  Method = "chip+qr"  // QR scanned, chip read with keys from it
	MethodChipCAN Method = "chip+can" // CAN typed, chip read with it (PACE-CAN)
	MethodUID     Method = "uid"      // a fixed chip UID (Policy.StaticUID)
	MethodVNeID   Method = "vneid"    // a VNeID app QR: can only be checked online
	// MethodTyped: the personal ID number and birth date of a person
	// without a card (a child), typed by whoever acts for them and checked
	// against each other (ParsePersonalID); nothing proves them.
	MethodTyped Method = "typed"
)

// EventKind says what an acquisition is doing.
type EventKind string

// Event kinds, in the order of an acquisition.
const (
	EventWaiting  EventKind = "waiting"  // waiting for a card tap or a QR scan
	EventDetected EventKind = "detected" // a card on the reader or a QR read
	// EventNeedQR: a card is on the reader and no CAN can be typed
	// (Request.CAN is nil): the QR printed on it must be scanned.
	EventNeedQR EventKind = "need_qr"
	// EventNeedCAN: a card is on the reader and no QR came within
	// Policy.CANWait: the CAN, the last 6 digits of the ID number printed
	// on the front of the card, must be typed (Request.CAN). WrongCAN says
	// the card refused the last one.
	EventNeedCAN   EventKind = "need_can"
	EventReading   EventKind = "reading"   // reading the chip's data groups (Fraction)
	EventVerifying EventKind = "verifying" // Passive and Chip Authentication (Fraction)
	EventDone      EventKind = "done"
)

// Event is a step of an acquisition, for the screen.
type Event struct {
	Kind EventKind
	// Fraction is the estimated share of the acquisition done, 0..1.
	Fraction float64
	// WrongCAN qualifies EventNeedCAN: the card refused the CAN just typed
	// (PACE authentication failed) and another is awaited.
	WrongCAN bool
}

// QRSource yields the text of each QR code scanned (the serial scanner;
// firmware/kiosk adapts the driver).
type QRSource interface {
	ReadQR(ctx context.Context) (string, error)
}

// KeyFinder knows the chip access keys of some cards (a CAN registered on
// an account), so the fast path (Presentations) can read their chip. It
// returns an error wrapping ErrNoKey for a card it has no key for.
type KeyFinder interface {
	Keys(ctx context.Context, card nfc.Card) (Keys, error)
}

// Sources are where an Acquirer takes what is presented; any may be nil.
type Sources struct {
	Reader nfc.Reader
	QR     QRSource
	// Keys finds access keys for the fast path (nil: none known).
	Keys KeyFinder
}

// Policy defaults.
const (
	DefaultPairWindow   = 15 * time.Second
	DefaultCANWait      = 5 * time.Second
	DefaultPresencePoll = 500 * time.Millisecond
	DefaultReadTimeout  = 15 * time.Second
	DefaultCardPause    = 700 * time.Millisecond
)

// Policy says how long an Acquirer waits and what it accepts. Zero
// durations take the defaults above.
type Policy struct {
	// PairWindow is how long the other half is awaited: the card after a
	// QR scan, or the QR after a card tap when no CAN can be typed.
	PairWindow time.Duration
	// CANWait is how long a card tapped without its QR waits for a scan
	// before the CAN is asked for (at once when there is no scanner).
	CANWait time.Duration
	// PresencePoll is how often a card waiting for its CAN is checked for
	// presence (readers that can tell: nfc.PresenceChecker); negative:
	// never.
	PresencePoll time.Duration
	// ReadTimeout bounds one chip read.
	ReadTimeout time.Duration
	// CardPause is the fast path's wait after a card before polling again,
	// so one presentation is one tap.
	CardPause time.Duration
	// QRAlone accepts a QR without its chip when no card comes within
	// PairWindow (or there is no reader): the identity is the printed data,
	// Unverified with ReasonQROnly. Otherwise that is ErrNoChip.
	QRAlone bool
	// StaticUID accepts a fixed chip UID (never a random one, ISO/IEC
	// 14443-3) as an identity (MethodUID) where the deployment allows it.
	StaticUID bool
}

func (p *Policy) defaults() {
	set := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	set(&p.PairWindow, DefaultPairWindow)
	set(&p.CANWait, DefaultCANWait)
	set(&p.PresencePoll, DefaultPresencePoll)
	set(&p.ReadTimeout, DefaultReadTimeout)
	set(&p.CardPause, DefaultCardPause)
}

// ReadResult labels a chip read for an Observer.
type ReadResult string

// Read results.
const (
	ReadOK          ReadResult = "ok"
	ReadCardRemoved ReadResult = "card_removed"
	ReadWrongKey    ReadResult = "wrong_key"
	ReadNotIDCard   ReadResult = "not_id_card"
	ReadNoKey       ReadResult = "no_key"
	ReadTimeout     ReadResult = "timeout"
	ReadError       ReadResult = "error"
)

// Observer hears of every chip read and verdict, for metrics (firmware/kiosk
// adapts firmware/metrics to it). Its methods must return quickly.
type Observer interface {
	CardRead(r ReadResult)
	Verdict(v Verdict, r Reason)
}

// ReadTimer is an Observer that also hears how long each chip read took
// (access, files, Passive and Chip Authentication: the whole pipeline).
type ReadTimer interface {
	ReadTook(d time.Duration)
}

type noObserver struct{}

func (noObserver) CardRead(ReadResult)     {}
func (noObserver) Verdict(Verdict, Reason) {}

// Errors of an acquisition (besides the pipeline's and ctx's).
var (
	// ErrNoChip: a QR came but its card never did, and Policy.QRAlone is
	// off.
	ErrNoChip = errors.New("identity: the card's chip was not presented")
)

// Request is what one acquisition may use.
type Request struct {
	// CAN carries the digits typed for a card tapped without a QR; nil
	// never asks (the QR must be scanned).
	CAN <-chan string
	// OnEvent receives each step (from the acquisition's goroutines; it
	// must not block). May be nil.
	OnEvent func(Event)
	// Hold keeps the card of a successful read selected instead of
	// releasing it, so that AwaitRemoval can tell when it leaves the
	// reader: a kiosk that starts the next acquisition at once would
	// otherwise read a card left lying on the reader a second time.
	Hold bool
}

// Acquirer turns what the reader and scanner deliver into an Identity. Make
// it with NewAcquirer; one Acquire (or Presentations stream) runs at a time.
type Acquirer struct {
	src  Sources
	pol  Policy
	opt  Options
	obs  Observer
	log  *slog.Logger
	busy chan struct{}
	// held is the card a Request.Hold acquisition kept selected; only
	// touched by the holder of busy.
	held nfc.Card
}

// NewAcquirer makes an Acquirer over src with policy pol; pipeline
// configures the chip reads (its Progress is replaced by Events) and obs
// (may be nil) hears of reads and verdicts.
func NewAcquirer(src Sources, pol Policy, pipeline Options, obs Observer) *Acquirer {
	pol.defaults()
	if obs == nil {
		obs = noObserver{}
	}
	if pipeline.Logger == nil {
		pipeline.Logger = slog.New(slog.DiscardHandler)
	}
	pipeline.Progress = nil
	return &Acquirer{src: src, pol: pol, opt: pipeline, obs: obs, log: pipeline.Logger, busy: make(chan struct{}, 1)}
}

// claim admits one acquisition at a time: a caller that cancels a
// superseded one need not wait for it, the next waits here until it has
// returned (the scanner and the reader take one reading goroutine each).
func (a *Acquirer) claim(ctx context.Context) (release func(), err error) {
	select {
	case a.busy <- struct{}{}:
		return func() { <-a.busy }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Acquire waits for the CCCD — its QR on the scanner and/or its chip on the
// reader, in either order — and reads the chip with the QR's keys. A card
// tapped without a QR waits Policy.CANWait for a scan, then asks for the
// CAN (EventNeedCAN) and tries each one on req.CAN until one opens the chip;
// a QR scan meanwhile wins, a card leaving the reader ends the call with
// ErrCardRemoved. Without req.CAN it asks for the QR (EventNeedQR) and
// gives up after Policy.PairWindow (ErrNoKey, or a MethodUID identity for a
// fixed UID under Policy.StaticUID). A QR whose card does not come within
// PairWindow is a MethodQR identity under Policy.QRAlone, else ErrNoChip.
//
// Any other error is the pipeline's (ErrWrongKey, ErrNotIDCard, …), a QR
// that is not a CCCD's (cccd.ErrUnsupportedQR, cccd.ErrBadQR) or ctx's.
// Every card taken from the reader is released before Acquire returns.
func (a *Acquirer) Acquire(ctx context.Context, req Request) (Identity, error) {
	release, err := a.claim(ctx)
	if err != nil {
		return Identity{}, err
	}
	defer release()
	a.dropHeld(ctx) // a caller that did not wait for the card to be taken
	ctx, cancel := context.WithCancel(ctx)
	w := a.watch(ctx)
	// Stop this call's readers (both honour ctx within one poll) before
	// the next acquisition starts its own.
	defer func() { cancel(); w.stop(a.release) }()
	q := &acquisition{a: a, req: req, w: w}
	return q.run(ctx)
}

// watcher runs one reading goroutine per source until the first QR and the
// first card.
type watcher struct {
	qrs   chan string
	cards chan nfc.Card
	wg    sync.WaitGroup
}

func (a *Acquirer) watch(ctx context.Context) *watcher {
	w := &watcher{qrs: make(chan string, 1), cards: make(chan nfc.Card, 1)}
	if a.src.QR != nil {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for ctx.Err() == nil {
				if text, err := a.src.QR.ReadQR(ctx); err == nil {
					w.qrs <- text
					return
				}
				sleepCtx(ctx, 200*time.Millisecond)
			}
		}()
	}
	if a.src.Reader != nil {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for ctx.Err() == nil {
				if card, err := a.src.Reader.WaitCard(ctx); err == nil {
					w.cards <- card
					return
				}
				sleepCtx(ctx, 200*time.Millisecond)
			}
		}()
	}
	return w
}

// stop waits for the reading goroutines (their ctx ended) and releases a
// card that arrived after the acquisition stopped looking.
func (w *watcher) stop(release func(context.Context, nfc.Card)) {
	w.wg.Wait()
	select {
	case c := <-w.cards:
		release(context.Background(), c)
	default:
	}
}

// acquisition is one Acquire call.
type acquisition struct {
	a   *Acquirer
	req Request
	w   *watcher
}

func (q *acquisition) emit(e Event) {
	if q.req.OnEvent != nil {
		q.req.OnEvent(e)
	}
}

func (q *acquisition) run(ctx context.Context) (Identity, error) {
	q.emit(Event{Kind: EventWaiting})
	var card nfc.Card
	var qr *cccd.QRData
	select {
	case <-ctx.Done():
		return Identity{}, ctx.Err()
	case text := <-q.w.qrs:
		d, err := cccd.ParseQR(text)
		if err != nil {
			return Identity{}, err
		}
		qr = &d
	case card = <-q.w.cards:
	}
	q.emit(Event{Kind: EventDetected, Fraction: 0.05})
	if card != nil {
		id, err := q.cardFirst(ctx, card)
		q.settle(ctx, card, err)
		return id, err
	}
	return q.qrFirst(ctx, qr)
}

// settle releases the card of a finished acquisition, or keeps it selected
// after a successful read under Request.Hold.
func (q *acquisition) settle(ctx context.Context, card nfc.Card, err error) {
	if err == nil && q.req.Hold {
		q.a.held = card
		return
	}
	q.a.release(ctx, card)
}

// qrFirst: a QR came; its card is awaited for PairWindow.
func (q *acquisition) qrFirst(ctx context.Context, qr *cccd.QRData) (Identity, error) {
	if q.a.src.Reader == nil {
		return q.a.qrOnly(qr)
	}
	wait := time.NewTimer(q.a.pol.PairWindow)
	defer wait.Stop()
	select {
	case card := <-q.w.cards:
		id, err := q.readChip(ctx, card, Keys{QR: qr}, MethodChipQR)
		q.settle(ctx, card, err)
		return id, err
	case <-wait.C:
		return q.a.qrOnly(qr)
	case <-ctx.Done():
		return Identity{}, ctx.Err()
	}
}

// cardFirst: a card came without a QR. With req.CAN the QR is awaited for
// CANWait (not at all without a scanner), then the CAN asked for;
// otherwise the QR is asked for and awaited for PairWindow.
func (q *acquisition) cardFirst(ctx context.Context, card nfc.Card) (Identity, error) {
	window := q.a.pol.PairWindow
	switch {
	case q.req.CAN != nil && q.a.src.QR == nil:
		window = 0
	case q.req.CAN != nil:
		window = q.a.pol.CANWait
	case q.a.src.QR != nil:
		q.emit(Event{Kind: EventNeedQR, Fraction: 0.05})
	}
	wait := time.NewTimer(window)
	defer wait.Stop()
	select {
	case text := <-q.w.qrs:
		d, err := cccd.ParseQR(text)
		if err != nil {
			return Identity{}, err
		}
		return q.readChip(ctx, card, Keys{QR: &d}, MethodChipQR)
	case <-wait.C:
		if q.req.CAN != nil {
			return q.askCAN(ctx, card)
		}
		if id, ok := q.a.uidOnly(card); ok {
			return id, nil
		}
		return Identity{}, ErrNoKey
	case <-ctx.Done():
		return Identity{}, ctx.Err()
	}
}

// askCAN reports EventNeedCAN and opens the chip with each CAN from req.CAN
// until one works; a refused CAN is reported (WrongCAN) and the next one
// awaited. A QR scan meanwhile wins; a card that leaves the reader ends the
// call with ErrCardRemoved. The digits are neither logged nor kept.
func (q *acquisition) askCAN(ctx context.Context, card nfc.Card) (Identity, error) {
	q.emit(Event{Kind: EventNeedCAN})
	var poll <-chan time.Time
	pc, canPoll := card.(nfc.PresenceChecker)
	if canPoll && q.a.pol.PresencePoll > 0 {
		t := time.NewTicker(q.a.pol.PresencePoll)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return Identity{}, ctx.Err()
		case text := <-q.w.qrs:
			d, err := cccd.ParseQR(text)
			if err != nil {
				return Identity{}, err
			}
			return q.readChip(ctx, card, Keys{QR: &d}, MethodChipQR)
		case can := <-q.req.CAN:
			if !cccd.ValidCAN(can) {
				// The caller checks first; should a malformed entry come
				// anyway, it never reaches the card.
				q.emit(Event{Kind: EventNeedCAN, WrongCAN: true})
				continue
			}
			id, err := q.readChip(ctx, card, Keys{CAN: can}, MethodChipCAN)
			if errors.Is(err, ErrWrongKey) {
				q.a.log.Info("identity: the card refused the typed CAN")
				q.emit(Event{Kind: EventNeedCAN, WrongCAN: true})
				continue
			}
			return id, err
		case <-poll:
			pctx, cancel := context.WithTimeout(ctx, time.Second)
			present, err := pc.Present(pctx)
			cancel()
			if err == nil && !present {
				q.a.obs.CardRead(ReadCardRemoved)
				return Identity{}, fmt.Errorf("identity: waiting for the CAN: %w", ErrCardRemoved)
			}
		}
	}
}

// readChip reads and verifies the card with keys, reporting progress; the
// card is left activated (a refused CAN may be followed by another).
func (q *acquisition) readChip(ctx context.Context, card nfc.Card, keys Keys, method Method) (Identity, error) {
	id, err := q.a.readChip(ctx, card, keys, func(p Progress) {
		kind := EventReading
		if p.Step == "verify" || p.Step == "chip_auth" {
			kind = EventVerifying
		}
		q.emit(Event{Kind: kind, Fraction: 0.05 + 0.95*p.Fraction})
	})
	if err != nil {
		return Identity{}, err
	}
	q.emit(Event{Kind: EventDone, Fraction: 1})
	id.Method = method
	return id, nil
}

// readChip runs the pipeline on card within Policy.ReadTimeout and tells
// the Observer how it went.
func (a *Acquirer) readChip(ctx context.Context, card nfc.Card, keys Keys, progress func(Progress)) (Identity, error) {
	opt := a.opt
	opt.Progress = progress
	rctx, cancel := context.WithTimeout(ctx, a.pol.ReadTimeout)
	defer cancel()
	start := time.Now()
	id, err := NewPipeline(opt).Read(rctx, card, keys)
	if t, ok := a.obs.(ReadTimer); ok {
		t.ReadTook(time.Since(start))
	}
	if err != nil {
		a.obs.CardRead(readResult(err))
		return Identity{}, err
	}
	a.obs.CardRead(ReadOK)
	a.obs.Verdict(id.Verdict, id.Reason)
	return *id, nil
}

// qrOnly is the identity a QR gives alone under Policy.QRAlone: the printed
// data, which nothing has proved genuine.
func (a *Acquirer) qrOnly(qr *cccd.QRData) (Identity, error) {
	if !a.pol.QRAlone {
		return Identity{}, ErrNoChip
	}
	return Identity{Citizen: qr.Citizen(), Verdict: Unverified, Reason: ReasonQROnly, Method: MethodQR}, nil
}

// uidOnly is the identity a fixed UID gives under Policy.StaticUID.
func (a *Acquirer) uidOnly(card nfc.Card) (Identity, bool) {
	info := card.Info()
	if !a.pol.StaticUID || !fixedUID(info) {
		return Identity{}, false
	}
	return Identity{Verdict: Unverified, Reason: ReasonUIDOnly, Method: MethodUID, UID: append([]byte(nil), info.UID...)}, true
}

// fixedUID reports whether the card's UID names the card: not random
// (ISO/IEC 14443-3: a 4-byte Type A UID starting with 0x08) and not empty.
func fixedUID(info nfc.CardInfo) bool {
	return len(info.UID) > 0 && !info.UIDRandom && !nfc.RandomUID(info.UID)
}

// ErrNoPresence: the reader cannot tell whether the card kept by the last
// acquisition is still on it (no nfc.PresenceChecker, or Policy.PresencePoll
// is negative); AwaitRemoval released it and the caller decides.
var ErrNoPresence = errors.New("identity: the reader cannot tell whether the card was taken")

// maxPresenceErrors is how many presence checks in a row may fail before
// AwaitRemoval gives up on a reader that cannot answer.
const maxPresenceErrors = 5

// AwaitRemoval waits until the card the last acquisition kept selected
// (Request.Hold) has left the reader — taken away, or replaced by another
// card — polling its presence every Policy.PresencePoll, then releases it.
// stillThere (may be nil) is called once when the first check finds the
// card still on the reader, so the kiosk can remind the person to take it.
// It returns nil at once when no card is kept (the last identity came from
// a QR alone, or the read failed); ErrNoPresence when the reader cannot
// tell; an error when presence checks keep failing (the card is released);
// or ctx's error (the card stays kept). Like Acquire, it runs alone.
func (a *Acquirer) AwaitRemoval(ctx context.Context, stillThere func()) error {
	release, err := a.claim(ctx)
	if err != nil {
		return err
	}
	defer release()
	card := a.held
	if card == nil {
		return nil
	}
	pc, ok := card.(nfc.PresenceChecker)
	if !ok || a.pol.PresencePoll < 0 {
		a.dropHeld(ctx)
		return ErrNoPresence
	}
	t := time.NewTicker(a.pol.PresencePoll)
	defer t.Stop()
	told, failed := false, 0
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		present, err := pc.Present(pctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			if failed++; failed >= maxPresenceErrors {
				a.dropHeld(ctx)
				return fmt.Errorf("identity: waiting for the card to be taken: %w", err)
			}
		case !present:
			a.dropHeld(ctx)
			return nil
		case !told:
			told, failed = true, 0
			if stillThere != nil {
				stillThere()
			}
		default:
			failed = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// dropHeld releases the card kept by the last acquisition, if any.
func (a *Acquirer) dropHeld(ctx context.Context) {
	if a.held != nil {
		a.release(ctx, a.held)
		a.held = nil
	}
}

// release deselects the card, even when ctx has ended.
func (a *Acquirer) release(ctx context.Context, card nfc.Card) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	_ = card.Release(rctx)
}

// readResult labels a failed chip read.
func readResult(err error) ReadResult {
	switch {
	case errors.Is(err, ErrCardRemoved):
		return ReadCardRemoved
	case errors.Is(err, ErrWrongKey):
		return ReadWrongKey
	case errors.Is(err, ErrNotIDCard):
		return ReadNotIDCard
	case errors.Is(err, ErrNoKey):
		return ReadNoKey
	case errors.Is(err, context.DeadlineExceeded):
		return ReadTimeout
	}
	return ReadError
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
