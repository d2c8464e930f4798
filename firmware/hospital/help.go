package hospital

import (
	"context"
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// Calling staff: the help overlay and device alerts.
//
// A help request (the patient's "Gọi nhân viên") and a device alert (the
// ticket did not print) are recorded first (records.HospitalHelp), then
// raised: on the site's staff-call desk (Deps.Staff: the queue host's
// desk, whose counter screens show it at once) and on the kiosk's beacon
// (Deps.Beacon: a lamp or buzzer) when fitted. The patient is told staff
// were called only once the call reached someone — a counter screen that
// was listening, or the beacon lit; otherwise the screen says to go to the
// reception desk. When a member of staff takes the call (the counter
// screen's "Nhận"), the kiosk records it (records.HospitalHelpAck) and the
// screen says "Nhân viên đã nhận yêu cầu". The beacon stays lit while the
// kiosk has a call nobody took (at most helpWait).

// StaffCaller reaches the site's staff; *profile.SiteQueue implements it
// (the host's staff-call desk, directly or over the queue API). Raise
// returns the call with Delivered, the staff listeners it reached (0:
// nobody was told); an error means the call was not raised. Await returns
// once staff took the call.
type StaffCaller interface {
	Raise(ctx context.Context, c staffcall.Call) (staffcall.Call, error)
	Await(ctx context.Context, id string) (staffcall.Call, error)
}

// Beacon is the kiosk's call-staff lamp or buzzer; *gpio.Output
// implements it.
type Beacon interface {
	Set(on bool) error
}

// Help request progress (Help.Status).
const (
	HelpCalling      = "calling"      // being raised
	HelpCalled       = "called"       // reached staff (a counter screen, the beacon)
	HelpAcknowledged = "acknowledged" // a member of staff took it
	HelpNotReached   = "not_reached"  // nobody could be told: go to the desk
)

// helpWait bounds how long the kiosk waits for staff to take one call
// (and keeps its beacon lit for it).
const helpWait = 30 * time.Minute

// raiseTimeout bounds raising one call.
const raiseTimeout = 5 * time.Second

// staffCalls is the flow's view of its calls (owned by the Run goroutine).
type staffCalls struct {
	lit int // calls keeping the beacon lit
}

// callStaff records a help request and raises it; the help overlay shows
// "calling" until the call went out or could not.
func (f *Flow) callStaff(reason string) {
	f.m.helpCount++
	ref := fmt.Sprintf("H%03d", f.m.helpCount%1000)
	if !f.record(&records.HospitalHelp{Screen: string(f.m.screen), Reason: reason, Ref: ref}, nil) {
		f.stop() // no request exists: the screen must not say staff is coming
		return
	}
	f.m.help = &Help{Message: msg("help.calling"), Ref: ref, From: f.m.screen, Status: HelpCalling}
	f.raise(staffcall.Call{Kind: staffcall.KindHelp, Reason: reason, Screen: string(f.m.screen), Ref: ref},
		func(reached bool) {
			if h := f.m.help; h != nil && h.Ref == ref && h.Status == HelpCalling {
				if reached {
					h.Status, h.Message = HelpCalled, msgf("help.message", ref)
				} else {
					h.Status, h.Message = HelpNotReached, msg("help.not_reached")
				}
			}
		},
		func() {
			if h := f.m.help; h != nil && h.Ref == ref {
				h.Status, h.Message = HelpAcknowledged, msgf("help.acknowledged", ref)
			}
		})
}

// alertDevice raises a device alert for a ticket that did not print. The
// ticket screen first says to tell the desk; once the alert reached
// someone it says staff were told, and once taken that they are coming.
func (f *Flow) alertDevice(reason, ticket, where string, paperOut bool) {
	told, acked := "ticket.print_failed", "ticket.print_failed_acked"
	if paperOut {
		told, acked = "ticket.paper_out", "ticket.paper_out_acked"
	}
	desk := told + "_desk"
	update := func(from []string, to string) {
		t := &f.m.ticket
		if f.m.screen == ScreenTicket && t.Number == ticket {
			for _, k := range from {
				if t.Message.Key == k {
					t.Message = msgf(to, ticket, where)
				}
			}
		}
	}
	f.raise(staffcall.Call{Kind: staffcall.KindDevice, Reason: reason, Screen: string(ScreenTicket), Ticket: ticket},
		func(reached bool) {
			if reached {
				update([]string{desk}, told)
			}
		},
		func() { update([]string{desk, told}, acked) })
}

// raise lights the beacon and raises c on the staff desk in the
// background, then applies raised(reached) and, once staff took the call,
// records the acknowledgement and applies acked — both on the Run
// goroutine. A call that reached nobody is recorded as unreached. Without
// a desk (or when raising failed) a lit beacon is the call, lit for
// helpWait.
func (f *Flow) raise(c staffcall.Call, raised func(reached bool), acked func()) {
	c.Kiosk = f.cfg.DeviceID
	lit := f.beacon(true)
	staff := f.deps.Staff
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		ctx := f.runCtx
		var call staffcall.Call
		var err error
		if staff != nil {
			rctx, cancel := context.WithTimeout(ctx, raiseTimeout)
			call, err = staff.Raise(rctx, c)
			cancel()
		}
		reached := lit || (staff != nil && err == nil && call.Delivered > 0)
		f.post(0, func() {
			if err == nil {
				f.notePaperCall(c, call.ID)
			}
			if !reached {
				f.log.Warn("hospital: staff call reached nobody", "ref", c.Ref, "reason", c.Reason, "err", err)
				f.record(&records.HospitalHelpAck{Ref: c.Ref, Ticket: c.Ticket, Call: call.ID, Outcome: records.HelpUnreached}, nil)
			}
			raised(reached)
		})
		if staff == nil || err != nil {
			if lit { // the beacon is the call: lit for helpWait
				select {
				case <-ctx.Done():
				case <-time.After(helpWait):
				}
				f.post(0, func() { f.beacon(false) })
			}
			return
		}
		actx, cancel := context.WithTimeout(ctx, helpWait)
		done, err := staff.Await(actx, call.ID)
		cancel()
		f.post(0, func() {
			f.forgetCall(call.ID)
			if lit {
				f.beacon(false)
			}
			if err != nil {
				f.log.Warn("hospital: staff call not taken", "ref", c.Ref, "call", call.ID, "err", err)
				return
			}
			f.record(&records.HospitalHelpAck{Ref: c.Ref, Ticket: c.Ticket, Call: done.ID, Outcome: records.HelpAcknowledged,
				By: done.AckedBy, Delivered: call.Delivered, Beacon: lit, WaitedMS: done.Acked.Sub(done.Raised).Milliseconds()}, nil)
			acked()
		})
	}()
}

// beacon counts a call that keeps the beacon lit (on) or no longer does,
// switching the output at the first and the last. It reports whether the
// beacon is lit for this call.
func (f *Flow) beacon(on bool) bool {
	b := f.deps.Beacon
	if b == nil {
		return false
	}
	if !on {
		if f.calls.lit--; f.calls.lit == 0 {
			if err := b.Set(false); err != nil {
				f.log.Error("hospital: beacon", "err", err)
			}
		}
		return false
	}
	if f.calls.lit == 0 {
		if err := b.Set(true); err != nil {
			f.log.Error("hospital: beacon", "err", err)
			return false
		}
	}
	f.calls.lit++
	return true
}
