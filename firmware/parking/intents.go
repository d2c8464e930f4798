package parking

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// IntentKind names what the lane's screen (the attendant) asks for.
type IntentKind string

// Intents.
const (
	// IntentExit lets a vehicle out by its ticket (Ticket) or, when the
	// ticket is not at hand, by its plate (Plate; Lost: the driver declares
	// the ticket lost and the lost-ticket fee applies).
	IntentExit IntentKind = "exit"
	// IntentEntry admits a vehicle by its plate (Plate, Vehicle; the lane's
	// vehicle type when empty).
	IntentEntry IntentKind = "entry"
	// IntentCancelPayment stops waiting for a VietQR transfer.
	IntentCancelPayment IntentKind = "cancel_payment"
	// IntentReport prints the shift report since the start of the local
	// day.
	IntentReport IntentKind = "report"
	// IntentStaff without Staff opens the staff menu (offered while
	// State.StaffOffered; refused while a vehicle is in progress); with
	// Staff it is a tap on the staff screen, handed to the menu (staff.go).
	IntentStaff IntentKind = "staff"
)

// Intent is one request of the lane's screen.
type Intent struct {
	Kind    IntentKind     `json:"kind"`
	Ticket  string         `json:"ticket,omitempty"`
	Plate   string         `json:"plate,omitempty"`
	Lost    bool           `json:"lost,omitempty"`
	Vehicle tariff.Vehicle `json:"vehicle,omitempty"`
	// Staff is a tap on the staff screen (IntentStaff).
	Staff *staffmenu.Intent `json:"staff,omitempty"`
}

var _ profile.Flow[State, Intent] = (*Terminal)(nil)

// Send hands an intent to the lane without blocking (profile.Flow): a
// payment cancel acts at once, the others are served in order by Serve.
// An intent that finds the lane busy serving a vehicle is refused
// (logged); the lane's state says what it is doing.
func (t *Terminal) Send(in Intent) {
	if in.Kind == IntentCancelPayment {
		t.CancelPayment()
		return
	}
	select {
	case t.intents <- in:
	default:
		t.log.Warn("parking: intent dropped: lane busy", "kind", in.Kind)
	}
}

// Serve serves the intents Send queued until ctx ends. Each outcome is a
// published state (a refusal says why); errors are logged.
func (t *Terminal) Serve(ctx context.Context, lane Lane) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case in := <-t.intents:
			if err := t.serveIntent(ctx, in, lane); err != nil {
				t.log.Warn("parking: intent", "kind", in.Kind, "err", err)
			}
		}
	}
}

func (t *Terminal) serveIntent(ctx context.Context, in Intent, lane Lane) error {
	switch in.Kind {
	case IntentExit:
		_, err := t.Exit(ctx, ExitRequest{TicketID: in.Ticket, Plate: in.Plate, Lost: in.Lost})
		return err
	case IntentEntry:
		v := in.Vehicle
		if v == "" {
			v = lane.Vehicle
		}
		_, err := t.Entry(ctx, EntryRequest{Plate: in.Plate, Vehicle: v})
		return err
	case IntentStaff:
		return t.serveStaff(ctx, in)
	case IntentReport:
		loc := tariff.Location()
		y, m, d := t.cfg.Now().In(loc).Date()
		_, err := t.PrintReport(ctx, time.Date(y, m, d, 0, 0, 0, 0, loc))
		return err
	}
	t.log.Info("parking: unknown intent ignored", "kind", in.Kind)
	return nil
}
