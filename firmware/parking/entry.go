package parking

import (
	"context"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// EntryRequest is a vehicle at the entry: a CCCD credential, a plate typed
// by the attendant, or both.
type EntryRequest struct {
	Credential Credential
	Plate      string
	Vehicle    tariff.Vehicle
}

// EntryResult is an admitted vehicle.
type EntryResult struct {
	TicketID string
	At       time.Time
	Printed  bool // false: the ticket did not print (the CCCD still works at the exit)
}

// Entry admits a vehicle: record → ticket → barrier open → closed when the
// loop clears. It returns after the barrier closed (or ctx ended).
// ErrClosed: staff closed the entry (a parking.refused record, PhaseClosed);
// ErrBusy: another vehicle is being served or the staff menu is open.
func (t *Terminal) Entry(ctx context.Context, req EntryRequest) (EntryResult, error) {
	if !t.takeLane() {
		return EntryResult{}, ErrBusy
	}
	defer t.releaseLane()
	if t.closed(ServiceEntry) {
		return EntryResult{}, t.refuse(ctx, "entry", "", "closed", 0, PhaseClosed, ErrClosed)
	}
	e, err := t.admit(ctx, req)
	if err != nil {
		return EntryResult{}, err
	}
	res := EntryResult{TicketID: e.Ticket, At: e.At, Printed: t.print(ctx, "entry ticket", tickets.ParkingTicket(t.cfg.Header,
		tickets.Parking{ID: e.Ticket, Plate: e.Plate, Vehicle: vehicleName(e.Vehicle), Gate: t.cfg.Gate, EntryAt: e.At}))}
	st := State{Phase: PhaseTicketIssued, Lane: "entry", TicketID: e.Ticket, Plate: e.Plate, Vehicle: e.Vehicle, EntryAt: e.At}
	t.publish(st)
	err = t.passBarrier(ctx, "entry", e.Ticket, st)
	t.idle()
	return res, err
}

// admit validates the request and records the entry durably.
func (t *Terminal) admit(ctx context.Context, req EntryRequest) (*entry, error) {
	if _, ok := t.cfg.Tariff.Rates[req.Vehicle]; !ok {
		return nil, fmt.Errorf("parking: entry: %w: %q", tariff.ErrUnknownVehicle, req.Vehicle)
	}
	plate := ""
	if req.Plate != "" {
		p, err := NormalizePlate(req.Plate)
		if err != nil {
			return nil, err
		}
		plate = p
	}
	if plate == "" && !req.Credential.HasCard() {
		return nil, fmt.Errorf("%w: neither card nor plate", ErrUnusable)
	}
	t.mu.Lock()
	_, inT := t.byToken[req.Credential.Token]
	_, inP := t.byPlate[plateKey(plate)]
	t.mu.Unlock()
	if req.Credential.HasCard() && inT || plate != "" && inP {
		return nil, t.refuse(ctx, "entry", "", "already_inside", 0, PhaseAlreadyInside, ErrAlreadyInside)
	}
	c := t.read()
	e := &entry{Ticket: newTicketID(), Plate: plate, Vehicle: req.Vehicle, At: c.At, Boot: c.BootID, Mono: c.Mono}
	rec := &records.ParkingEntry{Ticket: e.Ticket, Gate: t.cfg.Gate, Vehicle: string(e.Vehicle), Source: "plate", At: e.At}
	if req.Credential.HasCard() {
		e.Token = req.Credential.Token
		rec.Token, rec.Source = e.Token.String(), req.Credential.Source
	}
	if _, err := t.appendRecordAt(ctx, c, rec, plate); err != nil {
		t.publish(State{Phase: PhaseOutOfService, Lane: "entry"}) // no ticket, barrier closed
		return nil, err
	}
	t.mu.Lock()
	t.addInside(e)
	t.mu.Unlock()
	return e, nil
}

// addInside indexes e. Caller holds mu.
func (t *Terminal) addInside(e *entry) {
	t.inside[e.Ticket] = e
	if !e.Token.IsZero() {
		t.byToken[e.Token] = e.Ticket
	}
	if e.Plate != "" {
		t.byPlate[plateKey(e.Plate)] = e.Ticket
	}
}

// removeInside marks ticket exited. Caller holds mu.
func (t *Terminal) removeInside(ticket string) {
	if e := t.inside[ticket]; e != nil {
		delete(t.byToken, e.Token)
		delete(t.byPlate, plateKey(e.Plate))
	}
	delete(t.inside, ticket)
	t.exited[ticket] = true
}

// print prints doc (a ticket or a receipt), logging a failure; it reports
// whether it printed. A printed slip is the staff menu's "reprint".
func (t *Terminal) print(ctx context.Context, what string, doc *escpos.Document) bool {
	if t.deps.Printer == nil {
		return false
	}
	if _, err := t.deps.Printer.Print(ctx, doc); err != nil {
		t.log.Warn("parking: slip not printed", "slip", what, "err", err)
		return false
	}
	t.printed(doc)
	return true
}

func vehicleName(v tariff.Vehicle) string {
	switch v {
	case tariff.Car:
		return "Ô tô"
	case tariff.Motorbike:
		return "Xe máy"
	case tariff.Bicycle:
		return "Xe đạp"
	}
	return string(v)
}
