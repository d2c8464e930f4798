package queue

import (
	"fmt"
	"sort"
	"time"
)

// day is the fold of one service day's events.
type day struct {
	name        string
	seq         int64
	tickets     map[string]*Ticket
	waiting     map[string][]string // service → ticket IDs in arrival order
	issued      map[string]int      // service → last number issued
	current     map[string]string   // counter → called ticket ID
	priorityRun map[string]int      // service → consecutive non-emergency priority calls
	samples     map[string][]time.Duration
	window      int
	at          time.Time // the latest event time (Engine.now)
}

func newDay(name string, window int) *day {
	return &day{name: name, tickets: map[string]*Ticket{}, waiting: map[string][]string{}, issued: map[string]int{},
		current: map[string]string{}, priorityRun: map[string]int{}, samples: map[string][]time.Duration{}, window: window}
}

// apply folds one event into the state. It is used both live (after the
// journal accepted the event) and on replay, so the two cannot diverge.
func (d *day) apply(e Event) error {
	if e.Seq != d.seq+1 {
		return fmt.Errorf("queue: event %d of %s out of sequence (want %d)", e.Seq, d.name, d.seq+1)
	}
	var err error
	switch e.Kind {
	case EvIssued:
		err = d.issue(e)
	case EvAdopted:
		err = d.adopt(e)
	default:
		err = d.change(e)
	}
	if err == nil {
		d.seq = e.Seq
		if at := e.At.Round(0); at.After(d.at) {
			d.at = at
		}
	}
	return err
}

func (d *day) issue(e Event) error {
	if _, dup := d.tickets[e.Ticket]; dup || e.Number != d.issued[e.Service]+1 {
		return fmt.Errorf("queue: issued %s (number %d) does not follow %s%03d", e.Ticket, e.Number, e.Service, d.issued[e.Service])
	}
	d.issued[e.Service] = e.Number
	d.tickets[e.Ticket] = &Ticket{ID: e.Ticket, Service: e.Service, Issuer: e.Service, Number: e.Number, Priority: e.Priority,
		State: Waiting, Issued: e.At, Queued: e.At}
	d.waiting[e.Service] = append(d.waiting[e.Service], e.Ticket)
	return nil
}

// adopt takes in an offline number: it waits in e.Service's line at the
// place its issue time gives it.
func (d *day) adopt(e Event) error {
	if _, dup := d.tickets[e.Ticket]; dup {
		return fmt.Errorf("queue: adopted %s twice", e.Ticket)
	}
	t := &Ticket{ID: e.Ticket, Service: e.Service, Issuer: e.Service, Number: e.Number, Priority: e.Priority,
		State: Waiting, Issued: e.Issued, Queued: e.Issued, Origin: e.Origin}
	d.tickets[t.ID] = t
	w := d.waiting[e.Service]
	i := sort.Search(len(w), func(i int) bool { return d.tickets[w[i]].Queued.After(t.Queued) })
	d.waiting[e.Service] = append(w[:i:i], append([]string{t.ID}, w[i:]...)...)
	return nil
}

func (d *day) change(e Event) error {
	t, ok := d.tickets[e.Ticket]
	if !ok {
		return fmt.Errorf("%w: %s in %s event", ErrUnknownTicket, e.Ticket, e.Kind)
	}
	switch e.Kind {
	case EvCalled:
		if t.State != Waiting {
			return fmt.Errorf("%w: call %s (%s)", ErrBadState, t.ID, t.State)
		}
		d.unwait(t)
		t.State, t.Counter, t.CalledAt = Called, e.Counter, e.At
		d.current[e.Counter] = t.ID
		d.countCall(t)
	case EvRecalled:
		t.Recalls++
	case EvNoShow, EvCompleted:
		if t.State != Called {
			return fmt.Errorf("%w: %s %s (%s)", ErrBadState, e.Kind, t.ID, t.State)
		}
		delete(d.current, t.Counter)
		t.State = NoShow
		if e.Kind == EvCompleted {
			t.State = Completed
			d.sample(t.Service, e.At.Sub(t.CalledAt))
		}
	case EvTransferred:
		d.unwait(t)
		if t.State == Called {
			delete(d.current, t.Counter)
		}
		t.State, t.Service, t.Counter, t.Queued = Waiting, e.Service, "", e.At
		d.waiting[e.Service] = append(d.waiting[e.Service], t.ID)
	case EvCancelled:
		d.unwait(t)
		t.State = Cancelled
	default:
		return fmt.Errorf("queue: unknown event kind %q", e.Kind)
	}
	return nil
}

// countCall keeps the anti-starvation run: normal calls reset it, priority
// calls other than emergency extend it.
func (d *day) countCall(t *Ticket) {
	switch t.Priority {
	case Normal:
		d.priorityRun[t.Service] = 0
	case Emergency:
	default:
		d.priorityRun[t.Service]++
	}
}

func (d *day) unwait(t *Ticket) {
	w := d.waiting[t.Service]
	for i, id := range w {
		if id == t.ID {
			d.waiting[t.Service] = append(w[:i:i], w[i+1:]...)
			return
		}
	}
}

func (d *day) sample(service string, dur time.Duration) {
	if dur < 0 {
		return // the clock jumped back: no sample
	}
	s := append(d.samples[service], dur)
	if len(s) > d.window {
		s = s[len(s)-d.window:]
	}
	d.samples[service] = s
}

// callOrder returns the waiting tickets of service in the order they will
// be called: emergency first, then priority classes in order, except that
// after every (every-1) consecutive priority calls one normal ticket is
// called if any waits.
func (d *day) callOrder(service string, every int) []*Ticket {
	var emerg, prio, normal []*Ticket
	for _, id := range d.waiting[service] {
		t := d.tickets[id]
		switch t.Priority {
		case Emergency:
			emerg = append(emerg, t)
		case Normal:
			normal = append(normal, t)
		default:
			prio = append(prio, t)
		}
	}
	sortByClass(prio)
	out := append([]*Ticket(nil), emerg...)
	run := d.priorityRun[service]
	for len(prio) > 0 || len(normal) > 0 {
		if len(prio) > 0 && (len(normal) == 0 || run < every-1) {
			out, prio, run = append(out, prio[0]), prio[1:], run+1
		} else {
			out, normal, run = append(out, normal[0]), normal[1:], 0
		}
	}
	return out
}

// sortByClass orders priority tickets by class, keeping arrival order
// within a class.
func sortByClass(ts []*Ticket) {
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Priority < ts[j].Priority })
}

// average returns the rolling mean service time of service.
func (d *day) average(service string, fallback time.Duration) time.Duration {
	s := d.samples[service]
	if len(s) == 0 {
		return fallback
	}
	var sum time.Duration
	for _, v := range s {
		sum += v
	}
	return sum / time.Duration(len(s))
}
