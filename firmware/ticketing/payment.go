package ticketing

import (
	"context"
	"time"

	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/tickets"
	"github.com/kiosk06/kiosk/payments/session"
)

// The VietQR payment. The session (payments/session) believes only the
// payment back-end's signed confirmation (payOS-style HMAC over the
// transaction, amount, reference and freshness checked) and records each
// of its transitions itself; the flow records its own view
// (ticketing.payment) and starts the sale only once the session is paid.

// payStep starts the payment, after checking the seats stay held long
// enough and announcing it; a free purchase goes straight to the sale.
func (f *Flow) payStep() {
	p := f.m.p
	if p.hold != nil && f.holdLeft() < f.cfg.MinHoldLeft {
		f.releaseHold("hold_short")
		f.showSeats(msg("seats.expired"))
		return
	}
	if p.total == 0 {
		f.sell()
		return
	}
	hold := ""
	if p.hold != nil {
		hold = p.hold.ID
	}
	if !f.announce(&records.TicketingIntent{Action: records.ActionPayment, Key: p.key, Hold: hold, Amount: p.total}) {
		return
	}
	f.m.payment = Payment{Phase: PaymentCreating, Amount: p.total, AmountText: tickets.FormatVND(p.total), Message: msg("payment.creating")}
	f.setScreen(ScreenPayment)
	total, purpose := p.total, "Ve "+p.key[len(p.key)-8:]
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		info, err := f.deps.Payments.Create(sctx, total, purpose)
		if err == nil {
			created := info
			if info, err = f.deps.Payments.Shown(sctx, created.Ref); err != nil {
				info = created
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
	p := f.m.p
	if err != nil {
		f.log.Warn("ticketing: payment session", "err", err)
		if info.Ref != "" {
			p.pay = info
			f.cancelPayment("create_failed")
		} else {
			f.record(&records.TicketingPayment{State: "not_created", Purchase: p.key, Amount: p.total, Failure: "error"}, nil)
		}
		f.showError("payment_unavailable", msg("error.payment"), msg("error.payment_next"), f.payStep, ScreenFare)
		return
	}
	p.pay = info
	x := &f.m.payment
	x.Phase, x.Payload, x.Ref, x.Deadline = PaymentWaiting, info.Payload, info.Ref, info.Deadline
	if x.Deadline.IsZero() {
		x.Deadline = f.now().Add(5 * time.Minute)
	}
	x.Remaining = max(x.Deadline.Sub(f.now()), 0).Truncate(time.Second)
	x.Message = msgf("payment.waiting", x.AmountText)
	f.setScreen(ScreenPayment)
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
	p := f.m.p
	p.pay = info
	rec := &records.TicketingPayment{State: string(info.State), Purchase: p.key, Ref: info.Ref, Amount: p.total, TxnID: info.TxnID}
	x := &f.m.payment
	switch info.State {
	case session.Paid:
		p.paid = true
		// The money is in: from here on the purchase must end in tickets
		// or a refund owed, whatever the store says; the sale records it.
		f.record(rec, nil)
		f.sell()
	case session.Expired:
		f.record(rec, nil)
		x.Phase, x.Message, x.Remaining = PaymentExpired, msg("payment.expired"), 0
		f.setScreen(ScreenPayment)
	case session.Cancelled:
		f.record(rec, nil)
		f.abandon("payment_cancelled")
	default:
		if err != nil {
			f.log.Warn("ticketing: payment wait", "err", err)
		}
		f.record(rec, nil)
		x.Phase, x.Message = PaymentFailed, msg("payment.failed")
		f.setScreen(ScreenPayment)
	}
	if f.m.down.active() && !p.paid {
		f.stop()
	}
}

func (f *Flow) paymentIntent(in Intent) {
	if in.Kind == IntentRetry {
		f.payStep()
	}
}

func (f *Flow) paymentActions() []Action {
	staff, cancel := act(IntentCallStaff, "call_staff", false), act(IntentCancel, "cancel", false)
	switch f.m.payment.Phase {
	case PaymentExpired:
		return []Action{act(IntentRetry, "retry", true), cancel, staff}
	case PaymentFailed:
		staff.Primary = true
		return []Action{staff, cancel}
	case PaymentWaiting:
		return []Action{cancel, staff}
	}
	return []Action{staff}
}

// cancelPayment cancels an open (unpaid) session and records it.
func (f *Flow) cancelPayment(reason string) {
	p := f.m.p
	if p == nil || p.pay.Ref == "" || p.pay.State.Terminal() {
		return
	}
	f.cancelRef(p.pay.Ref, reason)
	f.record(&records.TicketingPayment{State: string(session.Cancelled), Purchase: p.key, Ref: p.pay.Ref, Amount: p.total, Reason: reason}, nil)
	p.pay.State = session.Cancelled
}

func (f *Flow) cancelRef(ref, reason string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(f.runCtx), 5*time.Second)
	defer cancel()
	if _, err := f.deps.Payments.Cancel(ctx, ref, reason); err != nil {
		f.log.Warn("ticketing: cancel payment", "ref", ref, "err", err)
	}
}
