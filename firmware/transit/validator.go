package transit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// RecordKind is the kind of the durable record of every decision; its
// payload is records.TransitTap, which owns the wire format.
const RecordKind = records.KindTransitTap

// Verdict is the validator's answer.
type Verdict string

// Verdicts.
const (
	Accept Verdict = "accept"
	Deny   Verdict = "deny"
)

// Reason says why: the rule that decided.
type Reason string

// Reasons. Accept: fare, pass, concession, repeat. Deny: the others.
const (
	ReasonFare        Reason = "fare"
	ReasonPass        Reason = "pass"
	ReasonConcession  Reason = "concession"
	ReasonRepeat      Reason = "repeat"       // within the repeat window: no second charge
	ReasonDenyList    Reason = "deny_list"    // token blocked by the operator
	ReasonRiskTaps    Reason = "risk_taps"    // offline limit on taps per day reached
	ReasonRiskValue   Reason = "risk_value"   // offline limit on value per day reached
	ReasonNeedsOnline Reason = "needs_online" // VNeID: cannot be decided offline
	ReasonUnusable    Reason = "unusable"     // no usable token on the card or QR
	ReasonStoreError  Reason = "store_error"  // the record could not be made durable
	ReasonTariff      Reason = "tariff_error" // route missing from the tariff
	ReasonTicket      Reason = "ticket"       // a single-ride ticket, used now (rides.go)
	ReasonTicketUsed  Reason = "ticket_used"  // the token's ticket here was used already
	// ReasonScanQR: a card tap that identifies no one (random UID, no chip
	// key): the passenger is asked to scan the QR printed on the card. Not
	// recorded (there is no token).
	ReasonScanQR Reason = "scan_qr"
)

// Result is one decision.
type Result struct {
	Verdict Verdict
	Reason  Reason
	Fare    tariff.VND
	Line    string          // tariff line code, e.g. "bus.concession.elderly60"
	Message string          // short Vietnamese text for the screen
	Token   identity.Token  // zero for ReasonUnusable
	Method  identity.Method // how the token was presented ("" for ReasonUnusable)
	Seq     store.Seq       // durable record (0 if none)
	At      time.Time
	Ticket  string // ReasonTicket, ReasonTicketUsed: the single-ride ticket
}

// Store is what the validator needs of firmware/store (*store.Store).
type Store interface {
	Append(ctx context.Context, r store.Record) (store.Seq, error)
	Records(ctx context.Context, kind string, since store.Seq, limit int) ([]store.Record, error)
}

// Feedback signals a decision to the passenger (buzzer, LEDs, screen). It
// must return quickly: long patterns run in the background.
type Feedback interface {
	Signal(ctx context.Context, r Result) error
}

// Config holds the validator's rules.
type Config struct {
	Route   string
	Vehicle string
	Tariff  tariff.Bus
	// RepeatWindow: a second tap of an accepted token within it is accepted
	// without a second charge. It is measured on the monotonic clock (Mono),
	// so a wall clock stepped back or forward neither reopens nor shortens
	// it, and local midnight inside it changes nothing.
	RepeatWindow time.Duration
	// Offline risk limits per token per service day (0 = no limit). The
	// service day is forward-only: see the package doc, "Time".
	MaxTapsPerDay  int
	MaxValuePerDay tariff.VND
	// Now reads the wall clock: records, the service day, passes and
	// tickets (nil: time.Now).
	Now func() time.Time
	// Mono, when set, reads a monotonic clock: the time since any fixed
	// instant, never stepped (tests set it to step the wall clock alone).
	// Nil: the monotonic reading Now's times carry (time.Now's do, and
	// Time.Sub uses it); a Now whose times carry none measures on the wall.
	Mono func() time.Duration
	// Latency, when set, hears how long each Decide took, from the
	// presentation to the verdict recorded and signalled (the
	// kiosk_operation_duration_seconds{op="transit_verdict"} histogram).
	Latency func(time.Duration)
	Logger  *slog.Logger
}

// Deps are the validator's collaborators.
type Deps struct {
	Store    Store               // required
	Tokens   *identity.Tokenizer // required
	Feedback Feedback            // nil: no feedback
	Lists    *Lists              // initial lists (ListStore.Load); nil: empty
}

// usage is one token's service day.
type usage struct {
	taps  int
	value tariff.VND
}

// reading is one reading of the validator's clocks: wall for records, the
// service day, passes and tickets; mono for the repeat window.
type reading struct {
	wall time.Time     // without a monotonic reading: compared as wall times
	mono time.Duration // since the validator's epoch
}

// Validator decides taps. Safe for concurrent use.
type Validator struct {
	cfg   Config
	deps  Deps
	log   *slog.Logger
	lists atomic.Pointer[Lists]
	// states are what the validator shows (Subscribe).
	states *profile.States[State]

	// epoch is the first reading of Now: Mono's zero when Config.Mono is
	// nil.
	epoch time.Time

	mu sync.Mutex
	// latest is the latest wall time seen (decisions, restored records):
	// the rules apply at it while the wall clock reads earlier.
	latest time.Time
	// day is the service day: localDay(latest), forward-only.
	day   string
	usage map[identity.Token]*usage
	// recent holds each token's last charged tap (Mono reading) while
	// its repeat window may be open.
	recent map[identity.Token]time.Duration
	used   map[string]time.Time // single-ride tickets used (rides.go)
}

// New makes a Validator. Call Restore after a restart so offline limits and
// the repeat window survive it.
func New(cfg Config, deps Deps) (*Validator, error) {
	if deps.Store == nil || deps.Tokens == nil {
		return nil, errors.New("transit: New: Store and Tokens are required")
	}
	if _, ok := cfg.Tariff.Routes[cfg.Route]; !ok {
		return nil, fmt.Errorf("transit: New: %w: %q", tariff.ErrUnknownRoute, cfg.Route)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	v := &Validator{cfg: cfg, deps: deps, log: cfg.Logger, usage: map[identity.Token]*usage{},
		recent: map[identity.Token]time.Duration{}, epoch: cfg.Now(),
		states: profile.NewStates(State{Route: cfg.Route, Vehicle: cfg.Vehicle})}
	if v.log == nil {
		v.log = slog.Default()
	}
	l := deps.Lists
	if l == nil {
		l = &Lists{Deny: NewHashSet(nil)}
	}
	v.lists.Store(l)
	return v, nil
}

// Lists returns the lists in use.
func (v *Validator) Lists() *Lists { return v.lists.Load() }

// SetLists replaces the lists in use (atomically; taps in flight finish on
// the old ones).
func (v *Validator) SetLists(l *Lists) { v.lists.Store(l) }

// rider is what the validator decides on: the presentation's token, how it
// was presented, and the birth date for concessions (then forgotten: never
// recorded).
type rider struct {
	token     identity.Token
	method    identity.Method
	birthDate time.Time
}

// HandleQR decides a scanned QR payload (identity.PresentQR).
func (v *Validator) HandleQR(ctx context.Context, payload string) (Result, error) {
	return v.Decide(ctx, identity.PresentQR(payload))
}

// Decide decides one presentation: a VNeID QR is denied as needing an
// online check; one that identifies no one is denied as unusable (and not
// recorded: there is no token to record); anyone else goes through the
// rules (tap). The error is the presentation's for an unusable one, or the
// store's.
func (v *Validator) Decide(ctx context.Context, p identity.Presentation) (Result, error) {
	if v.cfg.Latency != nil {
		defer func(start time.Time) { v.cfg.Latency(time.Since(start)) }(time.Now())
	}
	tok, err := v.deps.Tokens.Of(p)
	rd := rider{token: tok, method: p.Method, birthDate: p.BirthDate}
	switch {
	case err != nil:
		r := v.result(rider{}, Deny, unusableReason(p))
		v.signal(ctx, r)
		return r, err
	case errors.Is(p.Err, identity.ErrNeedsOnline):
		return v.commit(ctx, rd, v.result(rd, Deny, ReasonNeedsOnline))
	case p.Err != nil:
		r := v.result(rider{}, Deny, unusableReason(p))
		v.signal(ctx, r)
		return r, p.Err
	}
	return v.tap(ctx, rd)
}

// tap decides a token, records the decision durably, then signals it. The
// error is non-nil only when the record could not be made durable (the
// passenger then sees a red light: nothing undurable is ever accepted).
func (v *Validator) tap(ctx context.Context, tok rider) (Result, error) {
	r, undo := v.decide(tok, v.read())
	r, err := v.commit(ctx, tok, r)
	if err != nil && undo != nil {
		v.mu.Lock()
		undo()
		v.mu.Unlock()
	}
	return r, err
}

func (v *Validator) result(tok rider, verdict Verdict, reason Reason) Result {
	r := Result{Verdict: verdict, Reason: reason, Token: tok.token, Method: tok.method, At: v.read().wall}
	r.Message = message(r)
	return r
}

// read reads the clocks.
func (v *Validator) read() reading {
	now := v.cfg.Now()
	if v.cfg.Mono != nil {
		return reading{wall: now.Round(0), mono: v.cfg.Mono()}
	}
	return reading{wall: now.Round(0), mono: now.Sub(v.epoch)}
}

// advance takes in wall, a wall time seen, and returns the time the rules
// apply at: the latest wall time seen, so a clock stepped back does not
// take the day, a pass's month or a ticket's validity back with it.
// Caller holds mu.
func (v *Validator) advance(wall time.Time) time.Time {
	if wall = wall.Round(0); wall.After(v.latest) {
		v.latest = wall
	}
	return v.latest
}

// roll starts service day day when it is later than the current one —
// never an earlier one — and forgets the repeat windows that have run out
// by mono. Caller holds mu.
func (v *Validator) roll(day string, mono time.Duration) {
	if day <= v.day {
		return
	}
	v.day, v.usage = day, map[identity.Token]*usage{}
	for h, last := range v.recent {
		if mono-last >= v.cfg.RepeatWindow {
			delete(v.recent, h)
		}
	}
}

// serviceDay is the service day a decision read at wall counts in.
func (v *Validator) serviceDay(wall time.Time) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return localDay(v.advance(wall))
}

// decide applies the rules in order — deny list, repeat window, fare (pass,
// concession, flat fare), offline risk limits — and reserves the tap in the
// token's day; undo releases the reservation. The fare, tickets and the
// day are decided at the forward-only time (advance), the repeat window on
// the monotonic clock; the result is stamped with the wall clock.
func (v *Validator) decide(tok rider, now reading) (Result, func()) {
	lists := v.Lists()
	if lists.Deny.Contains(tok.token) {
		return v.resultAt(tok, now.wall, Deny, ReasonDenyList, tariff.Charge{}), nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	at := v.advance(now.wall)
	ch, err := v.cfg.Tariff.Fare(v.cfg.Route, tariff.Rider{BirthDate: tok.birthDate, Passes: lists.passes(tok.token)}, at)
	if err != nil {
		return v.resultAt(tok, now.wall, Deny, ReasonTariff, tariff.Charge{}), nil
	}
	if r, undo, ok := v.decideRide(tok, lists, at, now.wall); ok {
		return r, undo
	}
	v.roll(localDay(at), now.mono)
	last, charged := v.recent[tok.token]
	if charged && now.mono-last < v.cfg.RepeatWindow {
		return v.resultAt(tok, now.wall, Accept, ReasonRepeat, tariff.Charge{}), nil
	}
	u := v.dayUsage(tok.token)
	if v.cfg.MaxTapsPerDay > 0 && u.taps >= v.cfg.MaxTapsPerDay {
		return v.resultAt(tok, now.wall, Deny, ReasonRiskTaps, tariff.Charge{}), nil
	}
	if v.cfg.MaxValuePerDay > 0 && u.value+ch.Total > v.cfg.MaxValuePerDay {
		return v.resultAt(tok, now.wall, Deny, ReasonRiskValue, tariff.Charge{}), nil
	}
	prev := *u
	u.taps, u.value = u.taps+1, u.value+ch.Total
	v.recent[tok.token] = now.mono
	undo := func() {
		*u = prev
		if charged {
			v.recent[tok.token] = last
		} else {
			delete(v.recent, tok.token)
		}
	}
	return v.resultAt(tok, now.wall, Accept, reasonOf(ch), ch), undo
}

func (v *Validator) resultAt(tok rider, now time.Time, verdict Verdict, reason Reason, ch tariff.Charge) Result {
	r := Result{Verdict: verdict, Reason: reason, Token: tok.token, Method: tok.method, At: now, Fare: ch.Total}
	if len(ch.Lines) > 0 {
		r.Line = ch.Lines[0].Code
	}
	r.Message = message(r)
	return r
}

func reasonOf(ch tariff.Charge) Reason {
	if len(ch.Lines) == 0 {
		return ReasonFare
	}
	switch c := ch.Lines[0].Code; {
	case c == "bus.pass":
		return ReasonPass
	case len(c) > len("bus.concession") && c[:len("bus.concession")] == "bus.concession":
		return ReasonConcession
	}
	return ReasonFare
}

// dayUsage returns h's usage in the current service day (roll starts
// days). Caller holds mu.
func (v *Validator) dayUsage(h identity.Token) *usage {
	u := v.usage[h]
	if u == nil {
		u = &usage{}
		v.usage[h] = u
	}
	return u
}

func localDay(t time.Time) string { return t.In(tariff.Location()).Format("2006-01-02") }

// tokenKind is how records name the way a token was presented (the
// "token_kind" the back-end settles rides by).
func tokenKind(m identity.Method) string {
	switch m {
	case identity.MethodQR:
		return "cccd_qr"
	case identity.MethodChip, identity.MethodChipQR, identity.MethodChipCAN:
		return "cccd_chip"
	}
	return string(m) // "uid", "vneid"
}

// commit makes r durable, then signals it.
func (v *Validator) commit(ctx context.Context, tok rider, r Result) (Result, error) {
	l := v.Lists()
	// No personal data: the token appears only as its keyed hash.
	rec := records.TransitTap{Verdict: string(r.Verdict), Reason: string(r.Reason), Fare: int64(r.Fare), Line: r.Line,
		Route: v.cfg.Route, Vehicle: v.cfg.Vehicle, Day: v.serviceDay(r.At), DenyVersion: l.DenyVersion, PassVersion: l.PassVersion}
	if !tok.token.IsZero() {
		rec.Token, rec.TokenKind = tok.token.String(), tokenKind(tok.method)
	}
	rec.Ticket = r.Ticket
	seq, err := records.Append(ctx, v.deps.Store, r.At, rec, nil)
	r.Seq = seq
	if err != nil {
		v.log.Error("transit: tap not recorded", "err", err)
		r = Result{Verdict: Deny, Reason: ReasonStoreError, Token: r.Token, Method: r.Method, At: r.At}
		r.Message = message(r)
		v.signal(ctx, r)
		return r, fmt.Errorf("transit: record tap: %w", err)
	}
	v.signal(ctx, r)
	return r, nil
}

func (v *Validator) signal(ctx context.Context, r Result) {
	v.published(r)
	if v.deps.Feedback == nil {
		return
	}
	if err := v.deps.Feedback.Signal(ctx, r); err != nil {
		v.log.Warn("transit: feedback failed", "err", err)
	}
}

// Restore rebuilds the per-token usage of the service day (offline
// limits), the repeat windows still open and the tickets used from the tap
// records in the store. The service day is the latest of today's and the
// records' (forward-only across a restart too); a record ahead of the wall
// clock opens its repeat window as if charged at the restart (see the
// package doc, "Time").
func (v *Validator) Restore(ctx context.Context) error {
	now := v.read()
	v.mu.Lock()
	defer v.mu.Unlock()
	v.roll(localDay(v.advance(now.wall)), now.mono)
	err := records.Scan(ctx, v.deps.Store, RecordKind, func(rec store.Record) error {
		v.restoreOne(rec, now)
		return nil
	})
	if err != nil {
		return fmt.Errorf("transit: restore: %w", err)
	}
	return nil
}

func (v *Validator) restoreOne(rec store.Record, now reading) {
	var t records.TransitTap
	if err := records.Decode(rec, &t); err != nil {
		v.log.Warn("transit: restore: tap record unreadable, skipped", "seq", rec.Seq, "err", err)
		return
	}
	v.restoreTicket(t.Reason, t.Verdict, t.Ticket, rec.CreatedAt)
	v.advance(rec.CreatedAt)
	if Verdict(t.Verdict) != Accept || Reason(t.Reason) == ReasonRepeat || Reason(t.Reason) == ReasonTicket {
		return
	}
	h, err := identity.ParseToken(t.Token)
	if err != nil {
		return
	}
	v.restoreRepeat(h, rec.CreatedAt, now)
	if _, err := time.Parse(time.DateOnly, t.Day); err != nil {
		return // not a day: it must not become the forward-only day
	}
	v.roll(t.Day, now.mono)
	if t.Day != v.day {
		return
	}
	u := v.dayUsage(h)
	u.taps++
	u.value += tariff.VND(t.Fare)
}

// restoreRepeat reopens the repeat window of h's tap charged at wall time
// at, if it is still open by the wall clock now. A record ahead of the
// clock (stepped back since, or no RTC) cannot say how long ago it was:
// its window counts as opened at the restart — the passenger is not
// charged twice, and the free rides it allows end one window later.
// Caller holds mu.
func (v *Validator) restoreRepeat(h identity.Token, at time.Time, now reading) {
	ago := max(now.wall.Sub(at.Round(0)), 0)
	if ago >= v.cfg.RepeatWindow {
		return
	}
	if last, ok := v.recent[h]; !ok || now.mono-ago > last {
		v.recent[h] = now.mono - ago
	}
}
