package hospital

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
)

// Out of service: a record could not be stored.

// stop takes the kiosk out of service after a record could not be stored:
// an open payment session is cancelled (the patient is sent to the
// cashier, who must not be paid twice), and the screen tells the patient
// how far their registration got.
func (f *Flow) stop() {
	if v := f.m.v; v != nil && v.pay.Ref != "" && !v.pay.State.Terminal() {
		f.cancelPayment("out_of_service")
	}
	f.outOfService(f.stopNext())
}

// stopNext is what the stopped patient does next, from how far their
// registration got.
func (f *Flow) stopNext() Text {
	v := f.m.v
	switch {
	case v != nil && v.reg == nil && f.m.screen == ScreenRegistering:
		// The HIS call was under way: it may have registered the visit.
		return msg("out_of_service.unconfirmed")
	case v == nil || v.reg == nil:
		return msg("out_of_service.not_registered")
	case v.qt == nil:
		return msgf("out_of_service.no_ticket", v.reg.VisitNumber)
	case f.m.ticket.PaymentDue && v.pay.State != session.Paid:
		return msgf("out_of_service.pay_counter", v.qt.ID, tickets.FormatVND(int64(v.bill.Total)))
	}
	return msgf("out_of_service.ticket", v.qt.ID, pickStr(v.clinic.Room, v.clinic.Name))
}

// outOfService wipes the session and shows the out-of-service screen: no
// card is read and nothing is offered until tryResume stores a record.
func (f *Flow) outOfService(next Text) {
	f.log.Warn("hospital: out of service: records cannot be stored", "stopped_at", f.m.down.at, "failed_records", f.m.down.failures)
	f.stopOp()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang = lang
	f.m.oos = OutOfService{Code: "store_unavailable", Message: msg("out_of_service.message"), Next: next, Since: f.m.down.since.In(f.cfg.Location)}
	f.setScreen(ScreenOutOfService)
	f.m.tickC = f.deps.Clock.After(f.cfg.IdleTimeout)
	f.m.resumeC = f.deps.Clock.After(f.cfg.ResumeCheck)
}

// tryResume tries to store the KindService record that says the kiosk takes
// patients again; stored, it returns to welcome, otherwise it tries again
// after ResumeCheck.
func (f *Flow) tryResume() {
	d := f.m.down
	if !d.active() {
		return
	}
	if !f.record(&records.HospitalService{State: "resumed", StoppedAt: d.at, Since: d.since.UTC().Format(time.RFC3339), FailedRecords: d.failures}, nil) {
		f.m.resumeC = f.deps.Clock.After(f.cfg.ResumeCheck)
		return
	}
	f.log.Info("hospital: records are stored again: taking patients", "stopped_at", d.at, "failed_records", d.failures)
	f.m.down = storeDown{}
	f.toWelcome()
}
