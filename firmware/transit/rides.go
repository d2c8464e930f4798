package transit

import (
	"errors"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// Single-ride tickets (issue 18). A ticket sold at a ticketing kiosk (or
// offline there, once its record reached the backend) is published in the
// pass list's "rides", bound to the passenger's citizen token:
//
//	"rides":{"<64 hex token>":[{"ticket":"T-000914","route":"47",
//	          "valid_from":"2026-11-22T00:00:00+07:00","valid_until":"2026-11-23T00:00:00+07:00"}]}
//
// On a tap the validator looks for a monthly pass first (a valid one wins
// and the ticket is kept for another day); otherwise for a ride valid on
// this route now that this validator has not seen used: it is accepted
// (reason "ticket") and marked used at once, and the tap record names it
// (records.TransitTap.Ticket). A tap whose only tickets here are used is
// refused with "Vé đã sử dụng" (reason "ticket_used"), repeat window or
// not: a single ride is one boarding. The used set is rebuilt at start from
// the tap records still in the store (Restore); across vehicles, the
// backend sees the tap record and drops the ticket from the next list.
// Until a validator has that list, the offline risk is one more ride on
// another bus — the same bound as the offline risk limits.

// Ride is one single-ride ticket in the pass list.
type Ride struct {
	Ticket string    `json:"ticket"`
	Route  string    `json:"route"` // "" = every route
	From   time.Time `json:"valid_from"`
	Until  time.Time `json:"valid_until"`
}

// validOn reports whether r may be used on route at t.
func (r Ride) validOn(route string, t time.Time) bool {
	return (r.Route == "" || r.Route == route) && !t.Before(r.From) && t.Before(r.Until)
}

// maxRideTicket bounds a ticket id in a list.
const maxRideTicket = 64

// applyRides returns the rides after document d (the version checks are
// applyPass's): a snapshot replaces them all; a delta replaces the tokens
// it lists and drops those it removes.
func applyRides(cur map[identity.Token][]Ride, d Document) (map[identity.Token][]Ride, error) {
	rm, err := parseHashes(d.Remove, d.RemoveBin)
	if err != nil {
		return nil, err
	}
	out := make(map[identity.Token][]Ride, len(cur)+len(d.Rides))
	if !d.Full {
		for k, v := range cur {
			out[k] = v
		}
	}
	for _, h := range rm {
		delete(out, h)
	}
	for s, rs := range d.Rides {
		h, err := identity.ParseToken(s)
		if err != nil {
			return nil, fmt.Errorf("%w: ride entry: %v", ErrBadList, err)
		}
		for _, r := range rs {
			if r.Ticket == "" || len(r.Ticket) > maxRideTicket || !r.Until.After(r.From) {
				return nil, fmt.Errorf("%w: ride %q: empty, long, or valid for no time", ErrBadList, r.Ticket)
			}
		}
		if len(rs) == 0 {
			delete(out, h)
			continue
		}
		out[h] = append([]Ride(nil), rs...)
	}
	return out, nil
}

// decideRide applies the token's single-ride tickets, when it has any for
// this route at at (the forward-only time) and no valid monthly pass: the
// first unused one is accepted and marked used (undo unmarks it); if all
// are used the tap is refused. The result is stamped wall. ok is false
// when rides do not decide this tap. Caller holds v.mu.
func (v *Validator) decideRide(tok rider, lists *Lists, at, wall time.Time) (r Result, undo func(), ok bool) {
	rides := lists.Rides[tok.token]
	if len(rides) == 0 {
		return Result{}, nil, false
	}
	for _, p := range lists.passes(tok.token) {
		if p.Valid(v.cfg.Route, at) {
			return Result{}, nil, false
		}
	}
	used := ""
	for _, rd := range rides {
		if !rd.validOn(v.cfg.Route, at) {
			continue
		}
		if _, seen := v.used[rd.Ticket]; seen {
			if used == "" {
				used = rd.Ticket
			}
			continue
		}
		if v.used == nil {
			v.used = map[string]time.Time{}
		}
		v.used[rd.Ticket] = wall
		r := v.resultAt(tok, wall, Accept, ReasonTicket, tariff.Charge{})
		r.Ticket = rd.Ticket
		ticket := rd.Ticket
		return r, func() { delete(v.used, ticket) }, true
	}
	if used == "" {
		return Result{}, nil, false
	}
	r = v.resultAt(tok, wall, Deny, ReasonTicketUsed, tariff.Charge{})
	r.Ticket = used
	return r, nil, true
}

// restoreTicket marks the ticket of an accepted ticket tap used (any day:
// a ride may be valid for several). Caller holds v.mu.
func (v *Validator) restoreTicket(reason, verdict, ticket string, at time.Time) {
	if Reason(reason) != ReasonTicket || Verdict(verdict) != Accept || ticket == "" {
		return
	}
	if v.used == nil {
		v.used = map[string]time.Time{}
	}
	v.used[ticket] = at
}

// unusableReason says why a presentation that identifies no one is
// refused: a card tap that gave nothing because no key opens it (a random
// UID and no chip key, a UID not accepted here: identity.ErrNoKey) asks the
// passenger to scan the QR printed on the card; a chip that was read and
// failed (not genuine, unreadable) and a QR that is not a CCCD's are
// unusable — scanning the QR would not make a forged card ride.
func unusableReason(p identity.Presentation) Reason {
	if p.Method == "" && p.Other == "" && errors.Is(p.Err, identity.ErrNoKey) {
		return ReasonScanQR
	}
	return ReasonUnusable
}

// denyBeeps is the buzzer pattern of a refusal: two beeps for "scan the
// QR on your card", three for any other.
func denyBeeps(r Result) int {
	if r.Reason == ReasonScanQR {
		return 2
	}
	return 3
}
