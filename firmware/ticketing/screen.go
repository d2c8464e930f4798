package ticketing

import (
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// Screen changes, the idle timer, timed screens, help and errors.

// setScreen switches screens and re-arms the idle timer for the new one.
func (f *Flow) setScreen(s Screen) {
	f.m.screen = s
	f.m.tickC = nil
	f.touch()
	if s == ScreenFare || s == ScreenPayment && f.m.payment.Phase == PaymentWaiting {
		f.m.tickC = f.deps.Clock.After(time.Second)
	}
}

// idleApplies reports whether walking away from this screen times out.
func (f *Flow) idleApplies() bool {
	switch f.m.screen {
	case ScreenWelcome, ScreenIssuing, ScreenGoodbye, ScreenOutOfService, ScreenStaff:
		return false // the staff menu logs out by itself (staffmenu.Config.Idle)
	case ScreenPayment:
		return f.m.payment.Phase != PaymentWaiting && f.m.payment.Phase != PaymentCreating
	case ScreenRefund:
		return f.m.refund.Phase != RefundWorking
	}
	return true
}

// touch restarts the idle timer.
func (f *Flow) touch() {
	if !f.idleApplies() {
		f.m.idleC, f.m.idleAt = nil, time.Time{}
		return
	}
	f.m.idleC = f.deps.Clock.After(f.cfg.IdleTimeout)
	f.m.idleAt = f.now().Add(f.cfg.IdleTimeout)
}

// toWelcome cancels everything, wipes personal data and waits for a card —
// unless a record could not be stored: then the kiosk stays out of service.
func (f *Flow) toWelcome() {
	if f.m.down.active() {
		f.outOfService(msg("out_of_service.later"))
		return
	}
	f.stopOp()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang = lang
	f.setScreen(ScreenWelcome)
	f.m.role = RoleBuyer
	f.m.identify = Identify{Role: RoleBuyer, Step: identity.EventWaiting, Message: msg("identify.buyer")}
	f.startIdentify(0) // a card tapped on welcome starts a purchase
}

// onTick refreshes countdowns and times out the goodbye screen.
func (f *Flow) onTick() {
	switch f.m.screen {
	case ScreenGoodbye:
		f.toWelcome()
	case ScreenOutOfService:
		f.m.oos.Next = msg("out_of_service.later")
	case ScreenFare:
		f.m.tickC = f.deps.Clock.After(time.Second)
	case ScreenPayment:
		if f.m.payment.Phase != PaymentWaiting {
			return
		}
		rem := max(f.m.payment.Deadline.Sub(f.now()), 0)
		f.m.payment.Remaining = rem.Truncate(time.Second)
		// The session reports expiry itself; should it never answer, the
		// person is not kept on the QR screen for longer than the idle
		// timeout past the deadline.
		if f.now().After(f.m.payment.Deadline.Add(f.cfg.IdleTimeout)) {
			f.abandon("payment_timeout")
			return
		}
		f.m.tickC = f.deps.Clock.After(time.Second)
	}
}

// abandon ends the session on idle timeout or cancel: an open payment is
// cancelled, held seats released, the outcome recorded, data wiped.
func (f *Flow) abandon(reason string) {
	if f.m.screen == ScreenWelcome || f.m.screen == ScreenOutOfService || f.m.screen == ScreenStaff {
		return
	}
	held := f.m.p != nil && f.m.p.hold != nil
	if p := f.m.p; p != nil && p.paid && !p.sold && !p.owed && p.total > 0 {
		// Paid, and the backend never confirmed the sale: the money is
		// owed back unless the backend finds the sale under its key.
		f.record(&records.TicketingRefund{State: "due", Key: p.saleKey, Price: p.total, Amount: p.total, PaymentRef: p.pay.Ref,
			TxnID: p.pay.TxnID, Failure: "sale_unconfirmed"}, nil)
		p.owed = true
	}
	f.cancelPayment(reason)
	f.releaseHold(reason)
	f.record(&records.TicketingAbandoned{Screen: string(f.m.screen), Reason: reason, Held: held}, nil)
	f.toWelcome()
}

// finish shows goodbye and wipes personal data.
func (f *Flow) finish(t Text) {
	f.stopOp()
	lang := f.m.lang
	f.m.wipe()
	f.m.lang, f.m.goodbye = lang, Goodbye{Message: t}
	f.setScreen(ScreenGoodbye)
	f.m.tickC = f.deps.Clock.After(f.cfg.GoodbyeDelay)
	if !f.m.down.active() {
		f.m.role = RoleBuyer
		f.startIdentify(0) // the next person may tap while goodbye shows
	}
}

// callStaff records a help request and shows the help overlay.
func (f *Flow) callStaff(reason string) {
	f.m.helps++
	ref := fmt.Sprintf("H%03d", f.m.helps%1000)
	if !f.record(&records.TicketingHelp{Screen: string(f.m.screen), Reason: reason, Ref: ref}, nil) {
		f.stop()
		return
	}
	f.m.help = &Help{Message: msgf("help.message", ref), Ref: ref, From: f.m.screen}
}

// showError shows an error: what happened, what to do, and the retry and
// back the screen offers (nil / "": none).
func (f *Flow) showError(code string, m, next Text, retry func(), back Screen) {
	f.m.err = ErrorInfo{Code: code, Message: m, Next: next}
	f.m.errRetry, f.m.errBack = retry, back
	f.setScreen(ScreenError)
}
