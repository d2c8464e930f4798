// Package staffcall is the site's staff-call desk: help requests from
// patients ("Gọi nhân viên") and device alerts (a printer out of paper)
// raised by kiosks, held open until a member of staff acknowledges them.
//
// A Call is raised on the Desk of the queue host (directly by the kiosk
// that hosts the queue, or through the queue API by the other kiosks),
// handed at once to every listening staff client (the counter screens on
// the API's event stream) and kept open until a staff client acknowledges
// it. Raise says how many listeners it reached: a kiosk tells the patient
// someone was called only when that number (or its own beacon) says the
// call went out.
//
// Open calls live in memory: they are minutes long and every kiosk keeps
// its own durable record of the request and of the acknowledgement
// (firmware/records). A host restart forgets the open calls; the kiosks
// that still wait see their call as unknown and say so.
//
// This package imports only the standard library; not queue's engine, not
// HTTP (queueapi serves it), not the store, not the UI.
package staffcall

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// Kinds of call.
const (
	KindHelp   = "help"   // a patient pressed "Gọi nhân viên"
	KindDevice = "device" // a device needs a hand: paper out, printer failure
)

// Call is one staff call. It holds no personal data: a kiosk, a screen, a
// reason, a ticket number.
type Call struct {
	ID     string    `json:"id"`               // assigned by the desk: "C0007"
	Kiosk  string    `json:"kiosk"`            // the raising kiosk ([device] id or API client name)
	Kind   string    `json:"kind"`             // KindHelp or KindDevice
	Reason string    `json:"reason"`           // "patient", "printer_paper_end" …
	Screen string    `json:"screen,omitempty"` // the kiosk screen it came from
	Ticket string    `json:"ticket,omitempty"` // a queue ticket concerned (paper out: the unprinted one)
	Ref    string    `json:"ref,omitempty"`    // the reference the patient sees: "H003"
	Place  string    `json:"place,omitempty"`  // where the kiosk stands ("Sảnh A")
	Raised time.Time `json:"raised"`
	// Delivered is how many staff listeners the call reached when raised.
	Delivered int `json:"delivered"`
	// Acked is when a staff client acknowledged it, and AckedBy which.
	Acked   time.Time `json:"acked,omitzero"`
	AckedBy string    `json:"acked_by,omitempty"`
}

// Open reports whether the call still waits for staff.
func (c Call) Open() bool { return c.Acked.IsZero() }

// Errors callers branch on.
var (
	ErrInvalid = errors.New("staffcall: invalid call")
	ErrUnknown = errors.New("staffcall: unknown call")
	ErrFull    = errors.New("staffcall: too many open calls")
)

// Limits on what a call may carry and how many the desk keeps.
const (
	maxField = 64
	// MaxOpen is how many unacknowledged calls the desk holds; a kiosk
	// raising more is refused (ErrFull) rather than pushing calls out.
	MaxOpen = 256
	// keepAcked is how many acknowledged calls stay readable (a kiosk
	// polling its call sees the acknowledgement).
	keepAcked = 512
)

// Desk holds the open calls of a site. It is safe for concurrent use.
type Desk struct {
	now func() time.Time

	mu        sync.Mutex
	seq       int
	calls     map[string]*Call
	order     []string // call IDs, oldest first
	listeners map[chan Call]struct{}
	waiters   map[string][]chan struct{}
}

// New makes an empty desk; now is its clock (nil: time.Now).
func New(now func() time.Time) *Desk {
	if now == nil {
		now = time.Now
	}
	return &Desk{now: now, calls: map[string]*Call{}, listeners: map[chan Call]struct{}{}, waiters: map[string][]chan struct{}{}}
}

func checkField(name, v string, required bool) error {
	switch {
	case required && v == "":
		return fmt.Errorf("%w: %s is required", ErrInvalid, name)
	case len(v) > maxField || !utf8.ValidString(v):
		return fmt.Errorf("%w: %s is longer than %d bytes or not UTF-8", ErrInvalid, name, maxField)
	}
	return nil
}

func (c Call) check() error {
	if c.Kind != KindHelp && c.Kind != KindDevice {
		return fmt.Errorf("%w: kind %q, want %s or %s", ErrInvalid, c.Kind, KindHelp, KindDevice)
	}
	for _, f := range []struct {
		name, v string
		req     bool
	}{{"kiosk", c.Kiosk, true}, {"reason", c.Reason, true}, {"screen", c.Screen, false}, {"ticket", c.Ticket, false},
		{"ref", c.Ref, false}, {"place", c.Place, false}} {
		if err := checkField(f.name, f.v, f.req); err != nil {
			return err
		}
	}
	return nil
}

// Raise opens call c (its ID, times and delivery are the desk's) and hands
// it to every listener at once. The returned call's Delivered counts the
// listeners it reached; 0 means nobody was told.
func (d *Desk) Raise(_ context.Context, c Call) (Call, error) {
	c.ID, c.Raised, c.Delivered, c.Acked, c.AckedBy = "", time.Time{}, 0, time.Time{}, ""
	if err := c.check(); err != nil {
		return Call{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.openCount() >= MaxOpen {
		return Call{}, ErrFull
	}
	c.Raised = d.now()
	for c.ID == "" || d.calls[c.ID] != nil { // after a wrap, skip an ID still held
		d.seq++
		c.ID = fmt.Sprintf("C%04d", d.seq%10000)
	}
	c.Delivered = len(d.listeners) // what the listeners see; the answer counts who took it
	c.Delivered = d.publish(c)
	d.calls[c.ID] = &c
	d.order = append(d.order, c.ID)
	d.trim()
	return c, nil
}

func (d *Desk) openCount() int {
	n := 0
	for _, c := range d.calls {
		if c.Open() {
			n++
		}
	}
	return n
}

// trim forgets the oldest acknowledged calls beyond keepAcked.
func (d *Desk) trim() {
	acked := len(d.calls) - d.openCount()
	for i := 0; acked > keepAcked && i < len(d.order); {
		id := d.order[i]
		if c := d.calls[id]; !c.Open() {
			delete(d.calls, id)
			d.order = slices.Delete(d.order, i, i+1)
			acked--
			continue
		}
		i++
	}
}

// Ack acknowledges call id on behalf of staff client by. Acknowledging an
// acknowledged call returns it unchanged (two counters answering at once).
func (d *Desk) Ack(_ context.Context, id, by string) (Call, error) {
	if err := checkField("by", by, true); err != nil {
		return Call{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.calls[id]
	if !ok {
		return Call{}, fmt.Errorf("%w: %q", ErrUnknown, id)
	}
	if !c.Open() {
		return *c, nil
	}
	c.Acked, c.AckedBy = d.now(), by
	d.publish(*c)
	for _, w := range d.waiters[id] {
		close(w)
	}
	delete(d.waiters, id)
	return *c, nil
}

// Get returns call id.
func (d *Desk) Get(_ context.Context, id string) (Call, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.calls[id]
	if !ok {
		return Call{}, fmt.Errorf("%w: %q", ErrUnknown, id)
	}
	return *c, nil
}

// Await returns call id once it is acknowledged, or ctx's error.
func (d *Desk) Await(ctx context.Context, id string) (Call, error) {
	d.mu.Lock()
	c, ok := d.calls[id]
	if !ok {
		d.mu.Unlock()
		return Call{}, fmt.Errorf("%w: %q", ErrUnknown, id)
	}
	if !c.Open() {
		d.mu.Unlock()
		return *c, nil
	}
	w := make(chan struct{})
	d.waiters[id] = append(d.waiters[id], w)
	d.mu.Unlock()
	select {
	case <-w:
		return d.Get(ctx, id)
	case <-ctx.Done():
		d.mu.Lock()
		d.waiters[id] = slices.DeleteFunc(d.waiters[id], func(o chan struct{}) bool { return o == w })
		d.mu.Unlock()
		return Call{}, ctx.Err()
	}
}

// Open returns the calls that wait for staff, oldest first.
func (d *Desk) Open(_ context.Context) []Call {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []Call{}
	for _, id := range d.order {
		if c := d.calls[id]; c.Open() {
			out = append(out, *c)
		}
	}
	return out
}

// listenBuffer is how many calls a listener may lag before it is dropped.
const listenBuffer = 32

// Listen returns a channel of calls as they are raised and acknowledged,
// and a function that ends the subscription. A listener that falls
// listenBuffer calls behind has its channel closed (it re-reads Open).
// Only staff clients listen: Raise counts them as the people reached.
func (d *Desk) Listen() (<-chan Call, func()) {
	ch := make(chan Call, listenBuffer)
	d.mu.Lock()
	d.listeners[ch] = struct{}{}
	d.mu.Unlock()
	return ch, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if _, ok := d.listeners[ch]; ok {
			delete(d.listeners, ch)
			close(ch)
		}
	}
}

// Listeners is how many staff clients listen now.
func (d *Desk) Listeners() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.listeners)
}

// publish hands c to every listener without blocking and returns how many
// took it. Caller holds mu.
func (d *Desk) publish(c Call) int {
	n := 0
	for ch := range d.listeners {
		select {
		case ch <- c:
			n++
		default:
			delete(d.listeners, ch)
			close(ch)
		}
	}
	return n
}
