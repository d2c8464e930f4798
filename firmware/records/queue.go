package records

import (
	"context"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue"
)

// KindQueueEvent is the record kind of the queue engine's journal.
const KindQueueEvent = "queue.event"

// QueueEvent is the payload of queue.event: one journaled queue operation
// (queue.Event on the wire). No personal data: a ticket carries a number,
// a service and a priority class, not a person.
type QueueEvent struct {
	Day      string    `json:"day"`               // the service day, 2006-01-02 (queue reset time applied); forward-only: a clock stepped back keeps the latest day
	Seq      int64     `json:"seq"`               // 1, 2, … within the day: the idempotency key
	At       time.Time `json:"at"`                // when
	Kind     string    `json:"kind"`              // issued, called, recalled, no_show, transferred, completed, cancelled, adopted
	Ticket   string    `json:"ticket"`            // the ticket id, "A001"
	Service  string    `json:"service"`           // issued: the issuing service; transferred: the target
	Number   int       `json:"number,omitempty"`  // issued: the number within the service
	Priority string    `json:"priority"`          // issued: queue.Priority: normal, emergency, child_under_6, pregnant, severe_disability, age_75, revolutionary_merit
	Counter  string    `json:"counter,omitempty"` // called, recalled, no_show, completed: the counter
	// Origin and Issued (adopted: an offline number another kiosk issued
	// while the queue host was unreachable) are that kiosk and when.
	Origin string    `json:"origin,omitempty"`
	Issued time.Time `json:"issued,omitzero"`
}

// RecordKind implements Payload.
func (QueueEvent) RecordKind() string { return KindQueueEvent }

// QueueEventOf is e's payload.
func QueueEventOf(e queue.Event) QueueEvent {
	return QueueEvent{Day: e.Day, Seq: e.Seq, At: e.At, Kind: string(e.Kind), Ticket: e.Ticket, Service: e.Service,
		Number: e.Number, Priority: e.Priority.String(), Counter: e.Counter, Origin: e.Origin, Issued: e.Issued}
}

// Event is the queue event p records; an unknown priority name is an
// error (queue.ErrInvalid).
func (p QueueEvent) Event() (queue.Event, error) {
	prio, err := queue.ParsePriority(p.Priority)
	if err != nil {
		return queue.Event{}, fmt.Errorf("records: queue event %s/%d: %w", p.Day, p.Seq, err)
	}
	return queue.Event{Day: p.Day, Seq: p.Seq, At: p.At, Kind: queue.EventKind(p.Kind), Ticket: p.Ticket, Service: p.Service,
		Number: p.Number, Priority: prio, Counter: p.Counter, Origin: p.Origin, Issued: p.Issued}, nil
}

// QueueJournal is the queue engine's journal on the durable store: each
// event is one "queue.event" record.
type QueueJournal struct{ st Store }

// NewQueueJournal returns the journal over st (a *store.Store).
func NewQueueJournal(st Store) *QueueJournal { return &QueueJournal{st: st} }

// Append records e; it returns once the record is fsync'd.
func (j *QueueJournal) Append(ctx context.Context, e queue.Event) error {
	_, err := Append(ctx, j.st, time.Time{}, QueueEventOf(e), nil)
	return err
}

// Replay returns the events of day in their journal order.
func (j *QueueJournal) Replay(ctx context.Context, day string) ([]queue.Event, error) {
	var out []queue.Event
	err := Scan(ctx, j.st, KindQueueEvent, func(r store.Record) error {
		var p QueueEvent
		if err := Decode(r, &p); err != nil {
			return fmt.Errorf("records: queue event seq %d: %w", r.Seq, err)
		}
		if p.Day != day {
			return nil
		}
		e, err := p.Event()
		if err != nil {
			return fmt.Errorf("records: queue event seq %d: %w", r.Seq, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// LatestDay names the latest service day with an event in the store (""
// for none): the engine never opens an earlier one, so a clock stepped
// back across the reset time before a restart does not reload yesterday's
// queue and hand out its numbers again.
func (j *QueueJournal) LatestDay(ctx context.Context) (string, error) {
	latest := ""
	err := Scan(ctx, j.st, KindQueueEvent, func(r store.Record) error {
		var p QueueEvent
		if err := Decode(r, &p); err != nil {
			return fmt.Errorf("records: queue event seq %d: %w", r.Seq, err)
		}
		if _, err := time.Parse(time.DateOnly, p.Day); err == nil { // a name that is no day must not pin the engine
			latest = max(latest, p.Day)
		}
		return nil
	})
	return latest, err
}

var _ queue.Journal = (*QueueJournal)(nil)
