package hospital

import (
	"context"
	"errors"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// The identify screen: waiting for and reading the card, the CAN keypad.

func (f *Flow) identifyKey() string {
	if f.m.agent != nil {
		return "identify.other"
	}
	return "identify.waiting"
}

func (f *Flow) identifyAgain(t Text) {
	f.m.identify = Identify{Step: identity.EventWaiting, Message: t}
	f.setScreen(ScreenIdentify)
	f.startIdentify(0)
}

// startIdentify waits for a card now, or after delay (armed on the Run
// goroutine so a manual clock sees the timer before the state is published).
func (f *Flow) startIdentify(delay time.Duration) {
	if delay > 0 {
		f.stopOp()
		f.m.retryC = f.deps.Clock.After(delay)
		return
	}
	f.m.retryC = nil
	cans := make(chan string, 1)
	f.m.cans, f.m.canWrong = cans, 0
	w, hold := f.deps.Identifier.(CardWatcher)
	f.start(func(ctx context.Context, gen uint64) func() {
		if hold {
			// The last card read may still lie on the reader: it must be
			// taken before anyone is registered again.
			err := w.AwaitRemoval(ctx, func() { f.post(gen, func() { f.setCardLeft(true) }) })
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				f.log.Warn("hospital: could not tell whether the card was taken", "err", err)
			}
			f.post(gen, func() { f.setCardLeft(false) })
		}
		onEvent := func(e identity.Event) { f.post(gen, func() { f.onEvent(e) }) }
		id, err := f.deps.Identifier.Acquire(ctx, identity.Request{CAN: cans, OnEvent: onEvent, Hold: hold})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return func() { f.onIdentifyFailed(err) }
		}
		return func() { f.onIdentified(id) }
	})
}

// setCardLeft records whether the last card read still lies on the reader
// (State.CardLeft: the UI beeps and reminds while it does).
func (f *Flow) setCardLeft(left bool) {
	f.m.cardLeft = left
}

// identifyKeys is the message shown at each step of the card read.
var identifyKeys = map[identity.EventKind]string{
	identity.EventDetected: "identify.detected", identity.EventNeedQR: "identify.detected",
	identity.EventReading: "identify.chip", identity.EventVerifying: "identify.verifying", identity.EventDone: "identify.verifying",
}

func (f *Flow) onEvent(e identity.Event) {
	if e.Kind == identity.EventWaiting {
		return
	}
	if f.m.screen == ScreenWelcome || f.m.screen == ScreenGoodbye {
		f.m.goodbye = Goodbye{}
		f.setScreen(ScreenIdentify)
	}
	if f.m.screen != ScreenIdentify {
		return
	}
	f.touch()
	if e.Kind == identity.EventNeedCAN {
		f.askCAN(e.WrongCAN)
		return
	}
	key := identifyKeys[e.Kind]
	if key == "" {
		key = "identify.chip"
	}
	fr := min(max(e.Fraction, 0), 1)
	f.m.identify = Identify{Step: e.Kind, Progress: fr, Message: msg(key)}
}

// askCAN shows the CAN keypad: first ask, or again after the card refused
// the CAN typed (wrong). Once the card has refused CANAttempts of them the
// card read is stopped: the person may try again with the QR code or call
// staff.
func (f *Flow) askCAN(wrong bool) {
	if f.m.cans == nil { // no running acquisition takes CANs: nothing would answer
		f.m.identify = Identify{Step: identity.EventDetected, Message: msg("identify.detected")}
		return
	}
	ask := Identify{Step: identity.EventNeedCAN, NeedCAN: true, Message: msg("identify.can")}
	if wrong {
		f.m.canWrong++
		left := max(f.cfg.CANAttempts-f.m.canWrong, 0)
		if !f.record(&records.HospitalCAN{Outcome: "mismatch", AttemptsLeft: left, ForOther: f.m.agent != nil}, nil) {
			f.stop()
			return
		}
		if left == 0 {
			f.stopOp()
			f.m.cans = nil
			f.m.identify = Identify{Step: identity.EventWaiting, CANExhausted: true, Message: msgf("identify.can_exhausted", f.m.canWrong)}
			return
		}
		ask.CANError = msgf("identify.can_wrong", left)
	}
	ask.CANAttemptsLeft = f.cfg.CANAttempts - f.m.canWrong
	f.m.identify = ask
}

// enterCAN hands typed digits to the card read, after checking they are a
// CAN at all (a malformed entry never reaches the card). The digits are
// kept nowhere in the model.
func (f *Flow) enterCAN(digits string) {
	if !cccd.ValidCAN(digits) {
		f.m.identify.CANError = msg("identify.can_invalid")
		return
	}
	select {
	case f.m.cans <- digits:
	default: // the identifier has not taken the previous entry: keep asking
		return
	}
	f.m.identify = Identify{Step: identity.EventDetected, Progress: 0.05, Message: msg("identify.can_checking")}
}

func (f *Flow) onIdentifyFailed(err error) {
	f.log.Info("hospital: card read failed; waiting again", "err", err)
	if f.m.screen == ScreenIdentify {
		key := "identify.failed"
		if f.m.identify.NeedCAN && errors.Is(err, identity.ErrCardRemoved) {
			key = "identify.can_removed"
		}
		f.m.identify = Identify{Step: identity.EventWaiting, Retry: true, Message: msg(key)}
	}
	f.m.cans = nil
	f.startIdentify(f.cfg.RetryDelay)
}

func (f *Flow) onIdentified(id identity.Identity) {
	f.m.cans = nil
	if f.m.agent != nil && id.Citizen.ID == f.m.agent.Citizen.ID {
		f.m.identify = Identify{Step: identity.EventWaiting, Retry: true, Message: msg("identify.same")}
		f.setScreen(ScreenIdentify)
		f.startIdentify(f.cfg.RetryDelay)
		return
	}
	v := &visit{id: id, age: ageOn(id.Citizen.DOB, f.now(), f.cfg.Location), attempts: f.cfg.HolderAttempts, answers: map[Question]bool{}}
	f.m.v = v
	if !f.record(&records.HospitalIdentify{Verdict: string(id.Verdict), Method: string(id.Method), Reason: string(id.Reason), ForOther: f.m.agent != nil}, f.personal()) {
		f.stop()
		return
	}
	f.m.card = f.cardResult(id)
	// A refused card's data is shown nowhere: it may not be the person's.
	v.rejected = !f.m.card.CanContinue
	f.setScreen(ScreenCardResult)
}

// forOther starts a registration for another person: the current person
// becomes the agent and a second card is awaited.
func (f *Flow) forOther() {
	if f.m.agent == nil && f.m.v != nil {
		a := f.m.v.id
		f.m.agent = &a
	}
	f.m.v = nil
	f.identifyAgain(msg("identify.other"))
}
