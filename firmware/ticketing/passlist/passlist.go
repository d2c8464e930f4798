// Package passlist turns sold tickets into the bus validators' signed pass
// list — the backend's side of issue 18's "a sold ticket or pass reaches
// validators through the existing signed list mechanism, bound to the
// passenger's keyed citizen token".
//
// The backend feeds a Builder every ticketing.ticket record it holds —
// those of its own sales and those a kiosk issued offline and uploaded
// (records.TicketingTicket) — and every transit.tap record that used a
// ticket (records.TransitTap with reason "ticket"). Document is the pass
// list validators fetch (firmware/transit: GET /v1/lists/pass, an Ed25519-
// signed snapshot): a monthly pass becomes a transit.Pass for its month and
// route, a single ride a transit.Ride, both under the passenger's token. A
// seat on a coach or train is not a bus validator's business and is left
// out. A used ride leaves the list at its next version; so do passes and
// rides whose validity has ended.
//
// The mapping, field by field:
//
//	records.TicketingTicket        transit pass list
//	token                          the entry's key (64 hex)
//	kind monthly_pass              passes[token] += {route, year, month of valid_from (Asia/Ho_Chi_Minh)}
//	kind ride                      rides[token]  += {ticket, route, valid_from, valid_until}
//	route ("" = every route)       route
//	key                            dedupe: a sale key already listed from another sale id is skipped
//	                               (a kiosk's offline sale whose online reply was lost)
//
// It imports firmware/records and firmware/transit (the list's types); it
// must not import a flow, the store or the UI.
package passlist

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// entry is one sold pass or ride.
type entry struct {
	token  string
	ticket string
	pass   *transit.Pass
	ride   *transit.Ride
	until  time.Time // when it stops being valid
}

// Builder accumulates sold tickets and used taps and makes the pass list.
// Safe for concurrent use.
type Builder struct {
	mu      sync.Mutex
	version uint64
	tickets map[string]*entry // ticket id → entry
	sales   map[string]string // sale key → sale id that listed it first
	used    map[string]bool   // ride tickets used
}

// New returns an empty builder: version 1, an empty list.
func New() *Builder {
	return &Builder{version: 1, tickets: map[string]*entry{}, sales: map[string]string{}, used: map[string]bool{}}
}

// Version is the list's current version; every change adds one.
func (b *Builder) Version() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.version
}

// AddTicket lists t if it is a pass or a ride not listed before; it
// reports whether the list changed (a new version).
func (b *Builder) AddTicket(t records.TicketingTicket) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.tickets[t.Ticket]; ok || t.Token == "" {
		return false
	}
	if first, ok := b.sales[t.Key]; ok && first != t.Sale {
		return false
	}
	e := &entry{token: t.Token, ticket: t.Ticket}
	switch t.Kind {
	case "monthly_pass":
		m := t.ValidFrom.In(tariff.Location())
		e.pass = &transit.Pass{Route: t.Route, Year: m.Year(), Month: m.Month()}
		e.until = time.Date(m.Year(), m.Month()+1, 1, 0, 0, 0, 0, tariff.Location())
	case "ride":
		if b.used[t.Ticket] || !t.ValidTo.After(t.ValidFrom) {
			return false
		}
		e.ride = &transit.Ride{Ticket: t.Ticket, Route: t.Route, From: t.ValidFrom, Until: t.ValidTo}
		e.until = t.ValidTo
	default:
		return false
	}
	b.sales[t.Key] = t.Sale
	b.tickets[t.Ticket] = e
	b.version++
	return true
}

// MarkUsed drops the ride a tap used; it reports whether the list changed.
func (b *Builder) MarkUsed(tap records.TransitTap) bool {
	if tap.Reason != "ticket" || tap.Verdict != "accept" || tap.Ticket == "" {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used[tap.Ticket] {
		return false
	}
	b.used[tap.Ticket] = true
	if e, ok := b.tickets[tap.Ticket]; ok && e.ride != nil {
		delete(b.tickets, tap.Ticket)
		b.version++
		return true
	}
	return false
}

// Ingest feeds one uploaded record (ticketing.ticket or transit.tap, as
// the collector received it; other kinds are ignored) and reports whether
// the list changed. The payload is checked as a backend checks any
// (records.Check: known kind and version, no member the type lacks).
func (b *Builder) Ingest(kind string, payload []byte) (bool, error) {
	switch kind {
	case records.KindTicketingTicket:
		var t records.TicketingTicket
		if err := decode(kind, payload, &t); err != nil {
			return false, err
		}
		return b.AddTicket(t), nil
	case records.KindTransitTap:
		var t records.TransitTap
		if err := decode(kind, payload, &t); err != nil {
			return false, err
		}
		return b.MarkUsed(t), nil
	}
	return false, nil
}

func decode(kind string, payload []byte, p records.Payload) error {
	if err := records.Check(kind, payload); err != nil {
		return fmt.Errorf("passlist: %w", err)
	}
	if err := json.Unmarshal(payload, p); err != nil {
		return fmt.Errorf("passlist: %s: %w", kind, err)
	}
	return nil
}

// Document is the pass list at its current version as a snapshot, without
// what has expired by now.
func (b *Builder) Document(now time.Time) transit.Document {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := transit.Document{Name: transit.ListPass, Version: b.version, Full: true,
		Passes: map[string][]transit.Pass{}, Rides: map[string][]transit.Ride{}}
	ids := make([]string, 0, len(b.tickets))
	for id := range b.tickets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		e := b.tickets[id]
		if !now.Before(e.until) {
			continue
		}
		if e.pass != nil {
			d.Passes[e.token] = append(d.Passes[e.token], *e.pass)
		} else {
			d.Rides[e.token] = append(d.Rides[e.token], *e.ride)
		}
	}
	return d
}

// Envelope is Document signed with key: the body of GET /v1/lists/pass.
func (b *Builder) Envelope(key ed25519.PrivateKey, now time.Time) ([]byte, error) {
	env, err := transit.SignDocument(key, b.Document(now))
	if err != nil {
		return nil, fmt.Errorf("passlist: %w", err)
	}
	return json.Marshal(env)
}
