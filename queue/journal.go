package queue

import (
	"context"
	"sync"
	"time"
)

// EventKind names what happened.
type EventKind string

// Event kinds.
const (
	EvIssued      EventKind = "issued"
	EvCalled      EventKind = "called"
	EvRecalled    EventKind = "recalled"
	EvNoShow      EventKind = "no_show"
	EvTransferred EventKind = "transferred"
	EvCompleted   EventKind = "completed"
	EvCancelled   EventKind = "cancelled"
	// EvAdopted takes in a number another kiosk issued on its own while
	// the queue host was unreachable ("B-A001"): it joins the line at the
	// time it was issued (Engine.Adopt).
	EvAdopted EventKind = "adopted"
)

// Event is one journaled queue operation. The engine's state for a day is
// the fold of that day's events in Seq order.
type Event struct {
	Day      string    `json:"day"` // service day, "2006-01-02" (see Config.ResetAt; forward-only, Engine.roll)
	Seq      int64     `json:"seq"` // 1, 2, … within the day: the idempotency key
	At       time.Time `json:"at"`
	Kind     EventKind `json:"kind"`
	Ticket   string    `json:"ticket"`            // ticket ID, "A001"
	Service  string    `json:"service"`           // issued: issuing service; transferred: target
	Number   int       `json:"number,omitempty"`  // issued only
	Priority Priority  `json:"priority"`          // issued only
	Counter  string    `json:"counter,omitempty"` // called, recalled, no_show, completed
	// Origin and Issued (adopted only) are the kiosk that issued the
	// number offline and when.
	Origin string    `json:"origin,omitempty"`
	Issued time.Time `json:"issued,omitzero"`
}

// Journal persists events. Append must return only once e is durable
// (committed and fsync'd); the engine hands out nothing before that.
// Replay returns the events of one service day in Seq order; it may stop at
// the first missing Seq (a torn tail), and must never return an event whose
// Append did not return nil unless that event is durable. LatestDay names
// the latest service day that has an event ("" for none): the engine
// starts no earlier (its service day is forward-only).
type Journal interface {
	Append(ctx context.Context, e Event) error
	Replay(ctx context.Context, day string) ([]Event, error)
	LatestDay(ctx context.Context) (string, error)
}

// MemoryJournal is an in-memory Journal for tests and the simulator
// profile. It is not durable across processes.
type MemoryJournal struct {
	mu     sync.Mutex
	events []Event
}

// Append stores e.
func (j *MemoryJournal) Append(_ context.Context, e Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events = append(j.events, e)
	return nil
}

// LatestDay names the latest day that has an event ("" for none).
func (j *MemoryJournal) LatestDay(context.Context) (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	latest := ""
	for _, e := range j.events {
		latest = max(latest, e.Day)
	}
	return latest, nil
}

// Replay returns a copy of the day's events.
func (j *MemoryJournal) Replay(_ context.Context, day string) ([]Event, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Event
	for _, e := range j.events {
		if e.Day == day {
			out = append(out, e)
		}
	}
	return out, nil
}
