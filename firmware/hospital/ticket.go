package hospital

import (
	"errors"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/tariff"
	"github.com/kiosk06/kiosk/queue"
)

// The ticket screen.

// onTicket shows the issued number. The ticket exists (in the HIS and the
// queue) whatever happens to its outcome record, so it is shown even when
// that record cannot be stored; the kiosk then stops after this patient
// (toWelcome) or at their next side effect (announce).
func (f *Flow) onTicket(reg his.Registration, qt queue.Ticket, perr error) {
	v := f.m.v
	v.reg, v.qt, v.printed = &reg, &qt, perr == nil
	bill, berr := tariff.HospitalBill(reg.Fees)
	v.bill, v.billOK = bill, berr == nil
	prio := v.priority()
	recorded := f.record(&records.HospitalRegistration{
		Outcome: "ok", VisitNumber: reg.VisitNumber, Clinic: v.clinic.Code, Key: v.key,
		Registered: &records.Registered{Ticket: qt.ID, Priority: prio.String(), Insured: v.insured, BHYTCode: insCode(v), Holder: v.holder,
			Printed: perr == nil, Amount: int64(bill.Total), ForOther: f.m.agent != nil, Verdict: string(v.id.Verdict), Method: string(v.id.Method)},
	}, f.personal())
	// A failed print is recorded, then raised to staff (alertDevice); the
	// screen says they were told only once the alert reached someone.
	alert := perr != nil && recorded && f.record(&records.HospitalHelp{Screen: string(ScreenTicket), Reason: "printer_" + errClass(perr), Ticket: qt.ID}, nil)
	t := Ticket{
		Number: qt.ID, Clinic: v.clinic.Name, Room: v.clinic.Room, Ahead: qt.Ahead, Wait: qt.Wait,
		VisitNumber: reg.VisitNumber, Printed: perr == nil, PaperOut: errors.Is(perr, escpos.ErrPaperEnd),
		PaymentDue: f.cfg.Prepayment && berr == nil && bill.Total > 0,
	}
	if prio != queue.Normal {
		t.PriorityText = priorityText(prio)
	}
	where := pickStr(v.clinic.Room, v.clinic.Name)
	switch {
	case t.PaperOut: // until the alert reaches someone (alertDevice)
		t.Message = msgf("ticket.paper_out_desk", qt.ID, where)
	case perr != nil:
		t.Message = msgf("ticket.print_failed_desk", qt.ID, where)
	case t.PaymentDue:
		t.Message = msgf("ticket.pay_due", tickets.FormatVND(int64(bill.Total)))
	default:
		t.Message = msgf("ticket.printed", where)
	}
	if berr != nil && f.cfg.Prepayment {
		f.log.Warn("hospital: HIS fee lines inconsistent; payment at the counter", "err", berr)
		t.Message = Text{Key: t.Message.Key, VI: t.Message.VI + " " + msg("error.fees_next").VI, EN: t.Message.EN + " " + msg("error.fees_next").EN}
	}
	f.m.ticket = t
	f.setScreen(ScreenTicket)
	if alert {
		f.alertDevice("printer_"+errClass(perr), qt.ID, where, t.PaperOut)
	}
}

func insCode(v *visit) string {
	if v.ins == nil {
		return ""
	}
	return v.ins.Code
}

func (f *Flow) ticketActions() []Action {
	if f.m.ticket.PaymentDue {
		return []Action{act(IntentContinue, "pay", true), act(IntentSkip, "pay_counter", false), act(IntentCallStaff, "call_staff", false)}
	}
	return []Action{act(IntentDone, "done", true), act(IntentForOther, "for_other", false), act(IntentCallStaff, "call_staff", false)}
}
