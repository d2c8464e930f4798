package hospital

import (
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
)

// Screen changes, the idle timer and the timed screens.

// setScreen switches screens and re-arms the idle timer for the new one.
func (f *Flow) setScreen(s Screen) {
	f.m.screen = s
	f.m.tickC = nil
	f.touch()
}

// idleApplies reports whether walking away from this screen should time out.
func (f *Flow) idleApplies() bool {
	switch f.m.screen {
	case ScreenWelcome, ScreenRegistering, ScreenGoodbye, ScreenOutOfService:
		return false
	case ScreenPayment:
		return f.m.payment.Phase != PaymentWaiting && f.m.payment.Phase != PaymentCreating
	}
	return true
}

// touch restarts the idle timer (user activity).
func (f *Flow) touch() {
	if !f.idleApplies() {
		f.m.idleC, f.m.idleAt = nil, time.Time{}
		return
	}
	d := f.cfg.IdleTimeout
	if f.m.screen == ScreenAdmin {
		d = f.cfg.AdminIdle
	}
	f.m.idleC = f.deps.Clock.After(d)
	f.m.idleAt = f.now().Add(d)
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
	f.m.identify = Identify{Step: identity.EventWaiting, Message: msg("identify.waiting")}
	f.startIdentify(0)
	f.startAttract()
}

func (f *Flow) onTick() {
	switch f.m.screen {
	case ScreenWelcome:
		f.attractTick()
	case ScreenGoodbye:
		if f.m.cardLeft { // keep reminding while the card lies on the reader
			f.m.tickC = f.deps.Clock.After(f.cfg.GoodbyeDelay)
			return
		}
		f.toWelcome()
	case ScreenOutOfService:
		// The patient who was stopped has had time to read where their
		// registration got to; the next person sees the general line.
		f.m.oos.Next = msg("out_of_service.later")
	case ScreenPayment:
		if f.m.payment.Phase != PaymentWaiting {
			return
		}
		rem := f.m.payment.Deadline.Sub(f.now())
		if rem < 0 {
			rem = 0
		}
		f.m.payment.Remaining = rem.Truncate(time.Second)
		// The session reports expiry itself; should it never answer, the
		// patient is not kept on the QR screen (with personal data) for
		// longer than the idle timeout past the deadline.
		if f.now().After(f.m.payment.Deadline.Add(f.cfg.IdleTimeout)) {
			f.abandon("payment_timeout")
			return
		}
		f.m.tickC = f.deps.Clock.After(time.Second)
	}
}
