package queue

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Config configures an Engine.
type Config struct {
	Services []Service
	// ResetAt is the local time of day (Asia/Ho_Chi_Minh) at which numbering
	// restarts at 001; tickets of the previous service day are dropped.
	ResetAt time.Duration
	// PriorityEvery is the anti-starvation rule: at least every Nth call of a
	// service serves the normal line when someone waits there (default 3;
	// 1 ignores priority classes other than emergency, which is never
	// deferred).
	PriorityEvery int
	// MaxPerDay caps numbers per service per day (default and maximum 999).
	MaxPerDay int
	// Window is how many recent service times the average uses (default 20);
	// DefaultService is the estimate before any sample (default 5 min).
	Window         int
	DefaultService time.Duration
	Location       *time.Location // default Asia/Ho_Chi_Minh (UTC+07:00)
	Now            func() time.Time
	Logger         *slog.Logger
}

func (c *Config) defaults() error {
	if c.PriorityEvery <= 0 {
		c.PriorityEvery = 3
	}
	if c.MaxPerDay <= 0 || c.MaxPerDay > 999 {
		c.MaxPerDay = 999
	}
	if c.Window <= 0 {
		c.Window = 20
	}
	if c.DefaultService <= 0 {
		c.DefaultService = 5 * time.Minute
	}
	if c.Location == nil {
		c.Location = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ResetAt < 0 || c.ResetAt >= 24*time.Hour {
		return fmt.Errorf("%w: ResetAt %v is not a time of day", ErrInvalid, c.ResetAt)
	}
	return checkServices(c.Services)
}

func checkServices(ss []Service) error {
	if len(ss) == 0 {
		return fmt.Errorf("%w: no services", ErrInvalid)
	}
	codes := map[string]bool{}
	for _, s := range ss {
		if len(s.Code) != 1 || !unicode.IsUpper(rune(s.Code[0])) || s.Code[0] > 'Z' || codes[s.Code] {
			return fmt.Errorf("%w: service code %q must be one unique letter A–Z", ErrInvalid, s.Code)
		}
		codes[s.Code] = true
		if s.Name == "" || len(s.Counters) == 0 {
			return fmt.Errorf("%w: service %s needs a name and at least one counter", ErrInvalid, s.Code)
		}
	}
	return nil
}

// Engine is the queue of one site. It is safe for concurrent use.
type Engine struct {
	cfg  Config
	j    Journal
	mu   sync.Mutex
	d    *day
	subs map[chan Event]struct{}
}

// Open makes an Engine and restores the current service day's state by
// replaying the journal: the clock's day, or the journal's latest when the
// clock reads earlier (stepped back: the service day is forward-only, see
// roll).
func Open(ctx context.Context, cfg Config, j Journal) (*Engine, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, j: j, subs: map[chan Event]struct{}{}}
	e.mu.Lock()
	defer e.mu.Unlock()
	latest, err := j.LatestDay(ctx)
	if err != nil {
		return nil, fmt.Errorf("queue: latest day: %w", err)
	}
	if err := e.load(ctx, max(e.dayOf(cfg.Now()), latest)); err != nil {
		return nil, err
	}
	return e, nil
}

// dayOf names the service day of t: the local date of t − ResetAt.
func (e *Engine) dayOf(t time.Time) string {
	return t.In(e.cfg.Location).Add(-e.cfg.ResetAt).Format(time.DateOnly)
}

// load replays one day. Caller holds mu.
func (e *Engine) load(ctx context.Context, name string) error {
	evs, err := e.j.Replay(ctx, name)
	if err != nil {
		return fmt.Errorf("queue: replay %s: %w", name, err)
	}
	d := newDay(name, e.cfg.Window)
	for _, ev := range evs {
		if err := d.apply(ev); err != nil {
			return fmt.Errorf("queue: replay %s: %w", name, err)
		}
	}
	e.d = d
	return nil
}

// roll switches to a new service day when the reset time has passed. The
// service day is forward-only: a wall clock stepped back across the reset
// time (NTP, a board without an RTC) keeps the day it has — reloading the
// earlier day would hand out its numbers a second time — and the next day
// starts when the clock passes the next reset. ("2006-01-02" names order
// as the days do.) Caller holds mu.
func (e *Engine) roll(ctx context.Context) error {
	if name := e.dayOf(e.cfg.Now()); name > e.d.name {
		return e.load(ctx, name)
	}
	return nil
}

// now is the time an event is stamped with: the wall clock, or the day's
// latest event time while the clock reads earlier (stepped back), so the
// order in line and the service times never run backwards. Caller holds
// mu.
func (e *Engine) now() time.Time {
	now := e.cfg.Now().Round(0)
	if now.Before(e.d.at) {
		return e.d.at
	}
	return now
}

// commit journals ev durably, then applies and publishes it. Caller holds mu.
func (e *Engine) commit(ctx context.Context, ev Event) error {
	ev.Day, ev.Seq, ev.At = e.d.name, e.d.seq+1, e.now()
	if err := e.j.Append(ctx, ev); err != nil {
		return fmt.Errorf("queue: journal %s %s: %w", ev.Kind, ev.Ticket, err)
	}
	if err := e.d.apply(ev); err != nil {
		return err // unreachable: operations validate first
	}
	e.publish(ev)
	return nil
}

func (e *Engine) service(code string) (Service, error) {
	for _, s := range e.cfg.Services {
		if s.Code == code {
			return s, nil
		}
	}
	return Service{}, fmt.Errorf("%w: %q", ErrUnknownService, code)
}

// servicesOf lists the services counter serves.
func (e *Engine) servicesOf(counter string) []string {
	var out []string
	for _, s := range e.cfg.Services {
		if slices.Contains(s.Counters, counter) {
			out = append(out, s.Code)
		}
	}
	return out
}

// Issue takes a number for service. The ticket is returned only after its
// event is durable in the journal.
func (e *Engine) Issue(ctx context.Context, service string, p Priority) (Ticket, error) {
	if p < Normal || p > RevolutionaryMerit {
		return Ticket{}, fmt.Errorf("%w: priority %d", ErrInvalid, p)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Ticket{}, err
	}
	if _, err := e.service(service); err != nil {
		return Ticket{}, err
	}
	n := e.d.issued[service] + 1
	if n > e.cfg.MaxPerDay {
		return Ticket{}, fmt.Errorf("%w: %s", ErrFull, service)
	}
	id := fmt.Sprintf("%s%03d", service, n)
	if err := e.commit(ctx, Event{Kind: EvIssued, Ticket: id, Service: service, Number: n, Priority: p}); err != nil {
		return Ticket{}, err
	}
	return e.view(e.d.tickets[id]), nil
}

// Adopt takes in number id ("B-A001": an offline prefix, the service
// code, three digits) that kiosk origin issued on its own at issued while
// the host was unreachable, so counters can call it. The ticket joins the
// service's line at its issue time (never later than now). Adopting a
// number again returns it unchanged: a kiosk that did not hear the answer
// retries safely.
func (e *Engine) Adopt(ctx context.Context, id, service string, p Priority, issued time.Time, origin string) (Ticket, error) {
	if p < Normal || p > RevolutionaryMerit {
		return Ticket{}, fmt.Errorf("%w: priority %d", ErrInvalid, p)
	}
	n, err := offlineNumber(id, service)
	if err != nil {
		return Ticket{}, err
	}
	if origin == "" || len(origin) > 64 {
		return Ticket{}, fmt.Errorf("%w: adopt %s: origin of 1-64 bytes", ErrInvalid, id)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Ticket{}, err
	}
	if _, err := e.service(service); err != nil {
		return Ticket{}, err
	}
	if t, ok := e.d.tickets[id]; ok {
		if t.Origin != origin {
			return Ticket{}, fmt.Errorf("%w: %s is another kiosk's number", ErrBadState, id)
		}
		return e.view(t), nil
	}
	if now := e.now(); issued.IsZero() || issued.After(now) {
		issued = now
	}
	if err := e.commit(ctx, Event{Kind: EvAdopted, Ticket: id, Service: service, Number: n, Priority: p, Origin: origin, Issued: issued}); err != nil {
		return Ticket{}, err
	}
	return e.view(e.d.tickets[id]), nil
}

// offlineNumber checks an offline number's shape — a prefix of 1–4
// characters A–Z or '-', then service and three digits — and returns its
// number.
func offlineNumber(id, service string) (int, error) {
	bad := fmt.Errorf("%w: offline number %q: want a prefix (A-Z, '-'), service %s and 3 digits", ErrInvalid, id, service)
	if len(id) < 6 || len(id) > 8 || len(service) != 1 {
		return 0, bad
	}
	prefix, rest := id[:len(id)-4], id[len(id)-4:]
	if rest[0] != service[0] {
		return 0, bad
	}
	n := 0
	for _, c := range rest[1:] {
		if c < '0' || c > '9' {
			return 0, bad
		}
		n = n*10 + int(c-'0')
	}
	for _, c := range prefix {
		if (c < 'A' || c > 'Z') && c != '-' {
			return 0, bad
		}
	}
	if n == 0 {
		return 0, bad
	}
	return n, nil
}

// Tickets returns every ticket of the current service day, in issue order,
// waiting ones with their people ahead and wait.
func (e *Engine) Tickets(ctx context.Context) ([]Ticket, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return nil, err
	}
	out := make([]Ticket, 0, len(e.d.tickets))
	for _, t := range e.d.tickets {
		out = append(out, e.view(t))
	}
	slices.SortFunc(out, func(a, b Ticket) int {
		if c := a.Issued.Compare(b.Issued); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// CallNext calls the next ticket to counter, completing the ticket the
// counter was serving, if any. It returns ErrEmpty when nobody waits.
func (e *Engine) CallNext(ctx context.Context, counter string) (Ticket, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Ticket{}, err
	}
	services := e.servicesOf(counter)
	if len(services) == 0 {
		return Ticket{}, fmt.Errorf("%w: %q", ErrUnknownCounter, counter)
	}
	if cur, ok := e.d.current[counter]; ok {
		if err := e.commit(ctx, Event{Kind: EvCompleted, Ticket: cur, Counter: counter}); err != nil {
			return Ticket{}, err
		}
	}
	next := e.pick(services)
	if next == nil {
		return Ticket{}, ErrEmpty
	}
	if err := e.commit(ctx, Event{Kind: EvCalled, Ticket: next.ID, Counter: counter}); err != nil {
		return Ticket{}, err
	}
	return *next, nil
}

// pick chooses among the head of each service's call order: emergency
// first, then the earliest in line. Caller holds mu.
func (e *Engine) pick(services []string) *Ticket {
	var best *Ticket
	for _, s := range services {
		order := e.d.callOrder(s, e.cfg.PriorityEvery)
		if len(order) == 0 {
			continue
		}
		c := order[0]
		switch {
		case best == nil:
			best = c
		case (c.Priority == Emergency) != (best.Priority == Emergency):
			if c.Priority == Emergency {
				best = c
			}
		case c.Queued.Before(best.Queued):
			best = c
		}
	}
	return best
}

// current returns the ticket counter is serving. Caller holds mu.
func (e *Engine) current(counter string) (*Ticket, error) {
	if len(e.servicesOf(counter)) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCounter, counter)
	}
	id, ok := e.d.current[counter]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoCurrent, counter)
	}
	return e.d.tickets[id], nil
}

// atCounter journals kind for the ticket counter is serving.
func (e *Engine) atCounter(ctx context.Context, counter string, kind EventKind) (Ticket, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Ticket{}, err
	}
	t, err := e.current(counter)
	if err != nil {
		return Ticket{}, err
	}
	if err := e.commit(ctx, Event{Kind: kind, Ticket: t.ID, Counter: counter}); err != nil {
		return Ticket{}, err
	}
	return *t, nil
}

// Recall announces the counter's current ticket again.
func (e *Engine) Recall(ctx context.Context, counter string) (Ticket, error) {
	return e.atCounter(ctx, counter, EvRecalled)
}

// NoShow marks the counter's current ticket as not present (skipped).
func (e *Engine) NoShow(ctx context.Context, counter string) (Ticket, error) {
	return e.atCounter(ctx, counter, EvNoShow)
}

// Complete marks the counter's current ticket as served.
func (e *Engine) Complete(ctx context.Context, counter string) (Ticket, error) {
	return e.atCounter(ctx, counter, EvCompleted)
}

// Transfer moves a waiting or called ticket to the back of another
// service's line (same ID and priority; e.g. from registration to a
// clinic room).
func (e *Engine) Transfer(ctx context.Context, id, to string) (Ticket, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Ticket{}, err
	}
	if _, err := e.service(to); err != nil {
		return Ticket{}, err
	}
	t, err := e.ticket(id)
	if err != nil {
		return Ticket{}, err
	}
	if t.State != Waiting && t.State != Called {
		return Ticket{}, fmt.Errorf("%w: transfer %s (%s)", ErrBadState, id, t.State)
	}
	if err := e.commit(ctx, Event{Kind: EvTransferred, Ticket: id, Service: to}); err != nil {
		return Ticket{}, err
	}
	return e.view(t), nil
}

// Cancel withdraws a waiting ticket.
func (e *Engine) Cancel(ctx context.Context, id string) (Ticket, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Ticket{}, err
	}
	t, err := e.ticket(id)
	if err != nil {
		return Ticket{}, err
	}
	if t.State != Waiting {
		return Ticket{}, fmt.Errorf("%w: cancel %s (%s)", ErrBadState, id, t.State)
	}
	if err := e.commit(ctx, Event{Kind: EvCancelled, Ticket: id}); err != nil {
		return Ticket{}, err
	}
	return *t, nil
}

func (e *Engine) ticket(id string) (*Ticket, error) {
	t, ok := e.d.tickets[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTicket, id)
	}
	return t, nil
}

// view copies t and, for a waiting ticket, fills Ahead (people called
// before it) and Wait (Ahead × average service time ÷ counters). Caller
// holds mu.
func (e *Engine) view(t *Ticket) Ticket {
	v := *t
	if t.State != Waiting {
		return v
	}
	for i, o := range e.d.callOrder(t.Service, e.cfg.PriorityEvery) {
		if o.ID == t.ID {
			v.Ahead = i
			break
		}
	}
	svc, _ := e.service(t.Service)
	avg := e.d.average(t.Service, e.cfg.DefaultService)
	v.Wait = (avg * time.Duration(v.Ahead) / time.Duration(max(1, len(svc.Counters)))).Round(time.Second)
	return v
}

// Get returns a ticket of the current service day.
func (e *Engine) Get(ctx context.Context, id string) (Ticket, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.roll(ctx); err != nil {
		return Ticket{}, err
	}
	t, err := e.ticket(id)
	if err != nil {
		return Ticket{}, err
	}
	return e.view(t), nil
}
