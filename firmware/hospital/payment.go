package hospital

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
)

// Fees, the VietQR payment and the receipt screen.

// paymentStep creates the VietQR payment session and shows its code, after
// announcing it durably (no code is shown for a payment the kiosk could not
// record it asked for).
func (f *Flow) paymentStep() {
	v := f.m.v
	total := int64(v.bill.Total)
	if !f.announce(&records.HospitalIntent{Action: ActionPayment, VisitNumber: v.reg.VisitNumber, Ticket: v.qt.ID, Amount: total}, nil) {
		return
	}
	lines := make([]FeeLine, 0, len(v.reg.Fees))
	for _, l := range v.reg.Fees {
		lines = append(lines, FeeLine{Name: l.Name, Quantity: l.Quantity, Amount: int64(l.PatientPays), AmountText: tickets.FormatVND(int64(l.PatientPays))})
	}
	f.m.payment = Payment{Phase: PaymentCreating, Amount: total, AmountText: tickets.FormatVND(total), Lines: lines, Message: msg("payment.creating")}
	f.setScreen(ScreenPayment)
	purpose := "Vien phi " + v.reg.VisitNumber
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		info, err := f.deps.Payments.Create(sctx, total, purpose)
		if err == nil {
			created := info
			if info, err = f.deps.Payments.Shown(sctx, created.Ref); err != nil {
				info = created // cancel what was created
			}
		}
		if ctx.Err() != nil {
			if info.Ref != "" {
				f.cancelRef(info.Ref, "abandoned")
			}
			return nil
		}
		return func() { f.onPaymentShown(info, err) }
	})
}

func (f *Flow) onPaymentShown(info session.Info, err error) {
	v := f.m.v
	if err != nil {
		f.log.Warn("hospital: payment session", "err", err)
		if info.Ref != "" {
			v.pay = info
			f.cancelPayment("create_failed")
		} else {
			f.record(&records.HospitalPayment{State: "not_created", Failure: errClass(err), Amount: f.m.payment.Amount, VisitNumber: v.reg.VisitNumber}, nil)
		}
		f.showError("payment_unavailable", msg("error.payment"), msg("error.payment_next"), f.paymentStep, "")
		f.m.errSkip = func() { f.finish(true) }
		return
	}
	v.pay = info
	if f.deps.Receipts != nil {
		svc := v.clinic.Name
		if v.clinic.Room != "" {
			svc += " – " + v.clinic.Room
		}
		f.deps.Receipts.Note(info.Ref, ReceiptInfo{Service: svc, Visit: v.reg.VisitNumber, Fees: v.reg.Fees})
	}
	p := &f.m.payment
	p.Phase, p.Payload, p.Ref, p.Deadline = PaymentWaiting, info.Payload, info.Ref, info.Deadline
	if p.Deadline.IsZero() {
		p.Deadline = f.now().Add(10 * time.Minute)
	}
	p.Remaining = info.Deadline.Sub(f.now()).Truncate(time.Second)
	p.Message = msgf("payment.waiting", p.AmountText)
	f.touch()
	f.m.tickC = f.deps.Clock.After(time.Second)
	ref := info.Ref
	f.start(func(ctx context.Context, _ uint64) func() {
		res, err := f.deps.Payments.Await(ctx, ref)
		if ctx.Err() != nil {
			return nil
		}
		return func() { f.onPaymentDone(res, err) }
	})
}

func (f *Flow) onPaymentDone(info session.Info, err error) {
	v := f.m.v
	v.pay = info
	f.record(&records.HospitalPayment{Ref: info.Ref, State: string(info.State), Amount: info.Amount, VisitNumber: v.reg.VisitNumber, TxnID: new(info.TxnID)}, nil)
	p := &f.m.payment
	switch info.State {
	case session.Paid:
		f.m.receipt = Receipt{Ref: info.Ref, TxnID: info.TxnID, Amount: info.Amount, AmountText: tickets.FormatVND(info.Amount), PaidAt: f.now(), Message: msg("receipt.message")}
		f.setScreen(ScreenReceipt)
	case session.Expired:
		p.Phase, p.Message, p.Remaining = PaymentExpired, msg("payment.expired"), 0
		f.touch()
	case session.Cancelled:
		f.finish(true)
	default:
		if err != nil {
			f.log.Warn("hospital: payment wait", "err", err)
		}
		p.Phase, p.Message = PaymentFailed, msg("payment.failed")
		f.touch()
	}
}

func (f *Flow) paymentIntent(in Intent) {
	switch in.Kind {
	case IntentRetry:
		f.paymentStep()
	case IntentSkip:
		f.stopOp()
		if !f.m.v.pay.State.Terminal() && f.m.v.pay.Ref != "" {
			f.cancelPayment("pay_at_counter")
		}
		f.finish(true)
	}
}

// cancelPayment cancels the open session and records it.
func (f *Flow) cancelPayment(reason string) {
	v := f.m.v
	f.cancelRef(v.pay.Ref, reason)
	f.record(&records.HospitalPayment{Ref: v.pay.Ref, State: string(session.Cancelled), Reason: reason, Amount: v.pay.Amount}, nil)
	v.pay.State = session.Cancelled
}

func (f *Flow) cancelRef(ref, reason string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.runCtx), 5*time.Second)
	defer cancel()
	if _, err := f.deps.Payments.Cancel(ctx, ref, reason); err != nil {
		f.log.Warn("hospital: cancel payment", "ref", ref, "err", err)
	}
}

func (f *Flow) paymentActions() []Action {
	staff, counter := act(IntentCallStaff, "call_staff", false), act(IntentSkip, "pay_counter", false)
	switch f.m.payment.Phase {
	case PaymentExpired:
		return []Action{act(IntentRetry, "retry", true), counter, staff}
	case PaymentFailed:
		staff.Primary = true
		return []Action{staff, counter}
	case PaymentWaiting:
		return []Action{counter, staff, act(IntentCancel, "cancel", false)}
	}
	return []Action{counter, staff}
}
