package parking

import (
	"context"
	"errors"

	"github.com/kiosk06/kiosk/firmware/records"
)

// passBarrier opens the barrier (recorded), waits until a vehicle has been
// over the loop and left it, then closes it (recorded). If no vehicle comes
// within BarrierTimeout it closes; a vehicle still on the loop at the
// timeout keeps it open until the loop clears (the barrier never comes down
// on a vehicle).
func (t *Terminal) passBarrier(ctx context.Context, lane, ticket string, st State) error {
	if t.deps.Barrier == nil {
		return nil
	}
	if _, err := t.appendRecord(ctx, &records.ParkingBarrier{Gate: t.cfg.Gate, Lane: lane, Ticket: ticket, Action: "open"}, ""); err != nil {
		st.Phase, st.Message = PhaseOutOfService, stoppedMessage(st)
		t.publish(st) // the barrier stays closed
		return err
	}
	if err := t.setBarrier(true); err != nil {
		t.publish(State{Phase: PhaseError, Lane: lane, TicketID: ticket})
		return err
	}
	st.Phase, st.Message = PhaseBarrierOpen, ""
	t.publish(st)
	cause := t.waitPassed(ctx)
	// Close even when ctx ended: a fresh context bounds the relay and record.
	cctx := context.WithoutCancel(ctx)
	errs := []error{t.setBarrier(false)}
	_, err := t.appendRecord(cctx, &records.ParkingBarrier{Gate: t.cfg.Gate, Lane: lane, Ticket: ticket, Action: "close", Cause: cause}, "")
	return errors.Join(append(errs, err)...)
}

// waitPassed waits for the loop to see a vehicle and then clear.
func (t *Terminal) waitPassed(ctx context.Context) string {
	if t.deps.Loop == nil {
		return "no_loop"
	}
	wctx, cancel := context.WithTimeout(ctx, t.cfg.BarrierTimeout)
	defer cancel()
	seen := t.deps.Loop.Present()
	for {
		present, err := t.deps.Loop.Next(wctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return "cancelled"
		case err != nil && !seen && !t.deps.Loop.Present():
			return "no_vehicle"
		case err != nil:
			wctx = ctx // a vehicle is on the loop: wait for it to clear
		case present:
			seen = true
		case seen:
			return "cleared"
		}
	}
}
