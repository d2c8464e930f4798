// Package queue is the numbered-ticket engine ("máy lấy số thứ tự"):
// services with a code letter and counters, tickets numbered per service
// per service day (A001, A002, …, reset at a configured local time in
// Asia/Ho_Chi_Minh), hospital priority classes in the order of the 2023
// Law on Medical Examination and Treatment with an anti-starvation rule,
// the counter operations (call next, recall, no-show, transfer, complete,
// cancel), people ahead and an estimated wait from a rolling average of
// service times.
//
// The engine is event-sourced: every operation becomes an Event that is
// appended to the Journal — durably — before the engine changes state or
// returns anything to the caller; the state is the fold of the day's
// events. Ticket numbers are derived from the journal (the count of issued
// tickets of the service that day), so replaying the journal after kill -9
// restores the counters with no duplicate and no skipped number: a ticket
// is handed out only after its event is durable, and an event that never
// became durable never handed out a number.
//
// Time (issue 22.7): the service day is forward-only. A wall clock stepped
// back across the reset time (NTP, a board without an RTC) keeps the day
// the engine has — in memory, and at Open the journal's latest day — so no
// number is handed out twice; stepped forward past the next reset, the new
// day starts at 001. Event times never run backwards within a day (a step
// back stamps the day's latest time), so the order in line and the service
// times hold. A day ahead of the clock (a clock once set ahead, then
// corrected) stays until the clock passes its end; on the device the
// store also refuses to record at start while the clock reads more than
// an hour before its newest record, or before the build (store.ErrClock).
//
// This package imports only the standard library. It must not import the
// store (firmware/records adapts firmware/store to Journal), HTTP (see
// queueapi), drivers or the UI.
package queue

import (
	"errors"
	"fmt"
	"time"
)

// Priority is a hospital priority class. Lower non-zero values go first;
// the order is the 2023 Law on Medical Examination and Treatment's:
// emergency, children under 6, pregnant women, people with severe
// disability, people aged 75 and over, people with revolutionary merit.
type Priority int

// Priority classes.
const (
	Normal             Priority = iota // no priority
	Emergency                          // người bệnh cấp cứu
	ChildUnder6                        // trẻ em dưới 6 tuổi
	Pregnant                           // phụ nữ có thai
	SevereDisability                   // người khuyết tật đặc biệt nặng, nặng
	Age75                              // người từ đủ 75 tuổi trở lên
	RevolutionaryMerit                 // người có công với cách mạng
)

var priorityNames = [...]string{"normal", "emergency", "child_under_6", "pregnant", "severe_disability", "age_75", "revolutionary_merit"}

// String returns the API name of p.
func (p Priority) String() string {
	if p < 0 || int(p) >= len(priorityNames) {
		return fmt.Sprintf("priority(%d)", int(p))
	}
	return priorityNames[p]
}

// ParsePriority parses an API name ("normal", "emergency", …).
func ParsePriority(s string) (Priority, error) {
	for i, n := range priorityNames {
		if n == s {
			return Priority(i), nil
		}
	}
	return Normal, fmt.Errorf("%w: priority %q", ErrInvalid, s)
}

// MarshalText implements encoding.TextMarshaler.
func (p Priority) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Priority) UnmarshalText(b []byte) error {
	v, err := ParsePriority(string(b))
	*p = v
	return err
}

// Sentinel errors callers branch on.
var (
	ErrInvalid        = errors.New("queue: invalid request")
	ErrUnknownService = errors.New("queue: unknown service")
	ErrUnknownCounter = errors.New("queue: unknown counter")
	ErrUnknownTicket  = errors.New("queue: unknown ticket")
	ErrEmpty          = errors.New("queue: nobody waiting")
	ErrNoCurrent      = errors.New("queue: counter has no called ticket")
	ErrBadState       = errors.New("queue: operation not allowed in this ticket state")
	ErrFull           = errors.New("queue: service reached its daily ticket limit")
)

// Service is a line of the queue.
type Service struct {
	Code     string   `json:"code"`     // one upper-case letter: ticket IDs are Code + 3 digits
	Name     string   `json:"name"`     // Vietnamese name for screens and tickets
	Counters []string `json:"counters"` // counters (quầy / phòng) that serve it
}

// TicketState is where a ticket is.
type TicketState string

// Ticket states.
const (
	Waiting   TicketState = "waiting"
	Called    TicketState = "called"
	Completed TicketState = "completed"
	NoShow    TicketState = "no_show"
	Cancelled TicketState = "cancelled"
)

// Ticket is a ticket as the engine sees it.
type Ticket struct {
	ID       string      `json:"id"`      // "A001"
	Service  string      `json:"service"` // the service it waits for now (changes on transfer)
	Issuer   string      `json:"issuer"`  // the service that numbered it
	Number   int         `json:"number"`
	Priority Priority    `json:"priority"`
	State    TicketState `json:"state"`
	Counter  string      `json:"counter,omitempty"`
	Issued   time.Time   `json:"issued"`
	Queued   time.Time   `json:"queued"` // issue or transfer time: the order in line
	CalledAt time.Time   `json:"called_at,omitzero"`
	Recalls  int         `json:"recalls"`
	// Origin is the kiosk that issued an adopted offline number ("" for
	// the host's own numbers).
	Origin string `json:"origin,omitempty"`
	// Ahead and Wait are filled for a waiting ticket by the engine's reads.
	Ahead int           `json:"ahead"`
	Wait  time.Duration `json:"wait_ns"`
}
