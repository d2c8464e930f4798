package ticketing

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/ticketing/backend"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

// The seat map and the hold. Seats are held with the backend before the
// fare is shown and for the payment window; they are released on cancel,
// idle timeout, going back, or out of service, and a hold that expires
// sends the person back to the map. The backend's idempotency key makes a
// retried hold the same hold.

// showSeats shows the seat map and asks the backend which seats are free.
func (f *Flow) showSeats(note Text) {
	p := f.m.p
	f.m.seatMsg, f.m.seatWait = note, true
	if note.IsZero() {
		f.m.seatMsg = msgf("seats.choose", len(p.travs))
	}
	if len(p.chosen) > len(p.travs) {
		p.chosen = p.chosen[:len(p.travs)]
	}
	f.setScreen(ScreenSeats)
	dep := p.trip.Departure.ID
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		s, err := f.deps.Backend.Seats(sctx, dep)
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onSeats(s, err) }
	})
}

func (f *Flow) onSeats(s backend.Seats, err error) {
	f.deps.Catalogue.Observe(err, f.now())
	f.m.seatWait = false
	if err != nil {
		f.log.Warn("ticketing: seat availability", "err", err)
		f.showError("seats_unavailable", msg("error.seats"), msg("error.seats_next"), func() { f.showSeats(Text{}) }, ScreenPassengers)
		return
	}
	p := f.m.p
	p.taken = s.Taken
	p.chosen = slices.DeleteFunc(p.chosen, func(seat string) bool { return slices.Contains(p.taken, seat) })
}

func (f *Flow) renderSeats() *Seats {
	p := f.m.p
	t := p.trip
	x := &Seats{Departure: t.Departure.ID, Route: t.Route.Name, Service: t.Departure.Service, Departs: t.Departs.In(f.cfg.Location),
		Classes: map[string]string{}, Need: len(p.travs), Chosen: slices.Clone(p.chosen), Loading: f.m.seatWait, Message: f.m.seatMsg}
	if idx := f.deps.Catalogue.Index(); idx != nil {
		x.FromName, x.ToName = idx.StopName(t.From), idx.StopName(t.To)
	}
	for k, v := range p.seatMap.Classes {
		x.Classes[k] = v
	}
	for _, car := range p.seatMap.Cars {
		cv := CarView{Name: car.Name}
		for _, s := range car.Seats {
			v := SeatView{ID: s.ID, Class: s.Class, Row: s.Row, Col: s.Col, State: "free"}
			if fare, ok := t.Departure.Fare(t.From, t.To, s.Class); ok {
				v.Fare, v.FareText = fare, tickets.FormatVND(fare)
			} else {
				v.State = "taken" // not sold on this segment
			}
			switch {
			case slices.Contains(p.chosen, s.ID):
				v.State = "chosen"
			case slices.Contains(p.taken, s.ID):
				v.State = "taken"
			}
			cv.Seats = append(cv.Seats, v)
		}
		x.Cars = append(x.Cars, cv)
	}
	return x
}

func (f *Flow) seatsIntent(in Intent) {
	p := f.m.p
	switch in.Kind {
	case IntentSeat:
		if i := slices.Index(p.chosen, in.Seat); i >= 0 {
			p.chosen = slices.Delete(p.chosen, i, i+1)
			return
		}
		if len(p.chosen) >= len(p.travs) || slices.Contains(p.taken, in.Seat) || !f.seatSold(in.Seat) {
			return
		}
		p.chosen = append(p.chosen, in.Seat)
	case IntentContinue:
		f.holdSeats()
	}
}

// seatSold reports whether seat is on the map and sold on the segment.
func (f *Flow) seatSold(seat string) bool {
	p := f.m.p
	for _, car := range p.seatMap.Cars {
		for _, s := range car.Seats {
			if s.ID == seat {
				_, ok := p.trip.Departure.Fare(p.trip.From, p.trip.To, s.Class)
				return ok
			}
		}
	}
	return false
}

// holdSeats asks the backend to hold the seats chosen, after announcing
// it. A retry after a failure reuses the key: if the first request held
// them, the retry gets that hold.
func (f *Flow) holdSeats() {
	p := f.m.p
	if len(p.chosen) != len(p.travs) {
		return
	}
	if p.holdKey == "" {
		p.holdKey = newKey(f.cfg.DeviceID)
	}
	req := backend.HoldRequest{Key: p.holdKey, Departure: p.trip.Departure.ID, From: p.trip.From, To: p.trip.To,
		Seats: slices.Clone(p.chosen), TTLSeconds: int(f.cfg.HoldTTL / time.Second)}
	if !f.announce(&records.TicketingIntent{Action: records.ActionHold, Key: req.Key, Departure: req.Departure, From: req.From, To: req.To,
		Seats: req.Seats, Travellers: len(p.travs)}) {
		return
	}
	f.m.seatWait, f.m.seatMsg = true, msg("seats.holding")
	f.setScreen(ScreenSeats)
	asked := f.mono() // the hold is counted from here: never past the backend's end
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		h, err := f.deps.Backend.Hold(sctx, req)
		if ctx.Err() != nil {
			if err == nil {
				f.background(func(c context.Context) func() {
					_ = f.deps.Backend.Release(c, backend.ReleaseRequest{Key: newKey(f.cfg.DeviceID), Hold: h.ID, Reason: "abandoned"})
					return nil
				})
			}
			return nil
		}
		return func() { f.onHold(req, h, asked+heldFor(h, f.now()), err) }
	})
}

// heldFor is how long the backend holds h: its expiry less the backend's
// own time when it granted it, so that neither clock's offset counts. A
// Backend that does not say when (Granted zero) is measured against now,
// this kiosk's wall clock.
func heldFor(h backend.Hold, now time.Time) time.Duration {
	if h.Granted.IsZero() {
		return h.Expires.Sub(now)
	}
	return h.Expires.Sub(h.Granted)
}

// holdLeft is how long the purchase's hold has left (monotonic clock).
func (f *Flow) holdLeft() time.Duration { return f.m.p.holdEnds - f.mono() }

// onHold takes the backend's answer to a hold; ends is when a granted hold
// ends on the monotonic clock.
func (f *Flow) onHold(req backend.HoldRequest, h backend.Hold, ends time.Duration, err error) {
	f.deps.Catalogue.Observe(err, f.now())
	p := f.m.p
	f.m.seatWait = false
	rec := &records.TicketingHold{Key: req.Key, Purchase: p.key, Departure: req.Departure, Seats: req.Seats}
	var taken *backend.SeatsTakenError
	switch {
	case err == nil && ends-f.mono() <= f.cfg.MinHoldLeft:
		// A hold that ends before a payment could: as good as none.
		p.hold, p.holdEnds = &h, ends
		f.releaseHold("too_short")
		err = errors.New("ticketing: the hold ends too soon")
		fallthrough
	case err != nil && !errors.As(err, &taken):
		rec.Outcome, rec.Failure = "failed", errClass(err)
		if !f.record(rec, nil) {
			f.stop()
			return
		}
		f.log.Warn("ticketing: hold failed", "err", err)
		if errors.Is(err, backend.ErrUnavailable) {
			f.showError("hold_unavailable", msg("error.hold"), msg("error.hold_next"), f.holdSeats, ScreenSeats)
			return
		}
		p.holdKey = ""
		f.showError("hold_refused", msg("error.hold_refused"), msg("error.hold_refused_next"), nil, ScreenSeats)
	case err != nil:
		rec.Outcome, rec.Taken = "taken", taken.Seats
		if !f.record(rec, nil) {
			f.stop()
			return
		}
		p.holdKey = ""
		p.taken = append(p.taken, taken.Seats...)
		p.chosen = slices.DeleteFunc(p.chosen, func(s string) bool { return slices.Contains(taken.Seats, s) })
		f.m.seatMsg = msgf("seats.taken", strings.Join(taken.Seats, ", "))
		f.showSeats(f.m.seatMsg)
	default:
		var base int64
		for _, s := range h.Seats {
			base += s.Fare
		}
		rec.Outcome, rec.Hold, rec.Expires, rec.BaseTotal = "held", h.ID, h.Expires, base
		p.hold, p.holdEnds = &h, ends
		if !f.record(rec, nil) {
			f.stop() // releases the hold
			return
		}
		f.m.holdC = f.deps.Clock.After(f.holdLeft())
		f.priceAll(h.Seats)
		f.setScreen(ScreenFare)
	}
}

// onHoldExpired: the hold ran out before the payment was confirmed. The
// seats are no longer ours: an open payment is cancelled and the person
// chooses again.
func (f *Flow) onHoldExpired() {
	p := f.m.p
	if p == nil || p.hold == nil || p.paid {
		return
	}
	f.stopOp()
	f.cancelPayment("hold_expired")
	f.record(&records.TicketingHold{Outcome: "expired", Key: p.holdKey, Purchase: p.key, Hold: p.hold.ID, Departure: p.hold.Departure,
		Seats: seatIDs(p.hold.Seats)}, nil)
	p.hold, p.holdKey = nil, ""
	if f.m.down.active() {
		f.stop()
		return
	}
	f.showSeats(msg("seats.expired"))
}

// releaseHold gives the held seats back (in the background; the outcome
// is recorded when it comes), unless they were paid for.
func (f *Flow) releaseHold(reason string) {
	p := f.m.p
	if p == nil || p.hold == nil || p.paid {
		return
	}
	h, key, purchase := *p.hold, newKey(f.cfg.DeviceID), p.key
	p.hold, p.holdKey, f.m.holdC = nil, "", nil
	f.background(func(ctx context.Context) func() {
		err := f.deps.Backend.Release(ctx, backend.ReleaseRequest{Key: key, Hold: h.ID, Reason: reason})
		return func() {
			rec := &records.TicketingHold{Outcome: "released", Key: key, Purchase: purchase, Hold: h.ID, Departure: h.Departure, Seats: seatIDs(h.Seats), Reason: reason}
			if err != nil {
				// The backend frees it at its expiry anyway.
				rec.Outcome, rec.Failure = "release_failed", errClass(err)
			}
			f.record(rec, nil)
		}
	})
}

func seatIDs(hs []backend.HeldSeat) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Seat
	}
	return out
}

// errClass names an error for records without its text.
func errClass(err error) string {
	var rej *backend.RejectedError
	switch {
	case errors.As(err, &rej):
		return rej.Code
	case errors.Is(err, backend.ErrSeatTaken):
		return backend.CodeSeatTaken
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, backend.ErrUnverified):
		return "unverified"
	case errors.Is(err, backend.ErrUnavailable):
		return "unavailable"
	}
	return "error"
}
