package ticketing

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/records"
)

// Identification: the buyer, each traveller with a card, and a holder who
// cancels a ticket all identify with their CCCD (QR and chip, QR alone, or
// the chip opened with the CAN typed on the keypad), as at the hospital.

var roleKeys = map[string]string{RoleBuyer: "identify.buyer", RolePassenger: "identify.passenger", RoleHolder: "identify.holder"}

// identifyAs shows the identify screen for role and waits for a card. A
// card read already under way (welcome waits for one) goes on: restarting
// it would drop a card tapped together with "Mua vé".
func (f *Flow) identifyAs(role string) {
	f.m.role = role
	f.m.identify = Identify{Role: role, Step: identity.EventWaiting, Message: msg(roleKeys[role])}
	f.setScreen(ScreenIdentify)
	if f.m.cans != nil && f.m.acqGen == f.gen {
		return
	}
	f.startIdentify(0)
}

// startIdentify waits for a card now, or after delay.
func (f *Flow) startIdentify(delay time.Duration) {
	if delay > 0 {
		f.stopOp()
		f.m.retryC = f.deps.Clock.After(delay)
		return
	}
	f.m.retryC = nil
	cans := make(chan string, 1)
	f.m.cans, f.m.canWrong = cans, 0
	f.start(func(ctx context.Context, gen uint64) func() {
		onEvent := func(e identity.Event) { f.post(gen, func() { f.onEvent(e) }) }
		id, err := f.deps.Identifier.Acquire(ctx, identity.Request{CAN: cans, OnEvent: onEvent})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return func() { f.onIdentifyFailed(err) }
		}
		return func() { f.onIdentified(id) }
	})
	f.m.acqGen = f.gen
}

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
		f.m.role = RoleBuyer
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
	f.m.identify = Identify{Role: f.m.role, Step: e.Kind, Progress: min(max(e.Fraction, 0), 1), Message: msg(key)}
}

// askCAN shows the CAN keypad, first or after the card refused a CAN;
// after CANAttempts refusals it stops the read and offers the QR.
func (f *Flow) askCAN(wrong bool) {
	if f.m.cans == nil {
		f.m.identify = Identify{Role: f.m.role, Step: identity.EventDetected, Message: msg("identify.detected")}
		return
	}
	ask := Identify{Role: f.m.role, Step: identity.EventNeedCAN, NeedCAN: true, Message: msg("identify.can")}
	if wrong {
		f.m.canWrong++
		left := max(f.cfg.CANAttempts-f.m.canWrong, 0)
		if !f.record(&records.TicketingCAN{Outcome: "mismatch", AttemptsLeft: left, Role: f.m.role}, nil) {
			f.stop()
			return
		}
		if left == 0 {
			f.stopOp()
			f.m.cans = nil
			f.m.identify = Identify{Role: f.m.role, Step: identity.EventWaiting, CANExhausted: true, Message: msgf("identify.can_exhausted", f.m.canWrong)}
			return
		}
		ask.CANError = msgf("identify.can_wrong", left)
	}
	ask.CANAttemptsLeft = f.cfg.CANAttempts - f.m.canWrong
	f.m.identify = ask
}

// enterCAN hands typed digits to the card read after checking their form;
// they are kept nowhere in the model.
func (f *Flow) enterCAN(digits string) {
	if !cccd.ValidCAN(digits) {
		f.m.identify.CANError = msg("identify.can_invalid")
		return
	}
	select {
	case f.m.cans <- digits:
	default:
		return
	}
	f.m.identify = Identify{Role: f.m.role, Step: identity.EventDetected, Progress: 0.05, Message: msg("identify.can_checking")}
}

func (f *Flow) onIdentifyFailed(err error) {
	f.log.Info("ticketing: card read failed; waiting again", "err", err)
	if f.m.screen == ScreenIdentify {
		key := "identify.failed"
		if f.m.identify.NeedCAN && errors.Is(err, identity.ErrCardRemoved) {
			key = "identify.can_removed"
		}
		f.m.identify = Identify{Role: f.m.role, Step: identity.EventWaiting, Retry: true, Message: msg(key)}
	}
	f.m.cans = nil
	f.startIdentify(f.cfg.RetryDelay)
}

// onIdentified takes a card read: judged, tokenised and recorded, then
// used for the role it was awaited for.
func (f *Flow) onIdentified(id identity.Identity) {
	f.m.cans = nil
	role := f.m.role
	if role == "" {
		role = RoleBuyer
	}
	rec := &records.TicketingIdentify{Role: role, Verdict: string(id.Verdict), Method: string(id.Method), Reason: string(id.Reason)}
	accepted := id.Verdict == identity.Genuine || id.Verdict == identity.Unverified && !f.cfg.RejectUnverified
	p, perr := f.cardPerson(id)
	if accepted && perr == nil {
		rec.Token = p.token.String()
	}
	if !f.record(rec, nil) {
		f.stop()
		return
	}
	back := ScreenWelcome
	if role == RolePassenger {
		back = ScreenPassengers
	}
	switch {
	case !accepted:
		reason := msgf("card.reason", string(id.Reason))
		if id.Verdict == identity.Unverified {
			reason = msg("card.unverified")
		}
		f.showError("card_not_accepted", msg("card.not_accepted"), reason, func() { f.identifyAs(role) }, back)
		return
	case perr != nil:
		f.showError("card_unreadable", msg("card.unreadable"), msg("card.unreadable_next"), func() { f.identifyAs(role) }, back)
		return
	}
	switch role {
	case RolePassenger:
		if f.m.p.has(p.token) {
			f.m.passNote = msg("passengers.already")
		} else {
			f.m.p.travs = append(f.m.p.travs, p)
			f.m.passNote = Text{}
		}
		f.setScreen(ScreenPassengers)
	case RoleHolder:
		f.m.buyer = p
		f.loadTickets()
	default:
		f.m.buyer = p
		f.m.p = &purchase{key: newKey(f.cfg.DeviceID), travs: []*person{p}}
		f.openChoose()
	}
}

// cardPerson is the person a card read gives, with their token.
func (f *Flow) cardPerson(id identity.Identity) (*person, error) {
	c := id.Citizen
	if !digits(c.ID, 12) {
		return nil, errors.New("ticketing: the card gave no 12-digit ID number")
	}
	p := &person{kind: KindCard, name: c.Name, idNumber: c.ID, sex: c.Sex, verdict: id.Verdict, method: id.Method, token: f.deps.Tokens.ID(c.ID)}
	if d, err := time.ParseInLocation("2006-01-02", c.DOB, f.cfg.Location); err == nil {
		p.dob = d
	}
	return p, nil
}

// has reports whether a traveller with token is on the purchase.
func (p *purchase) has(tok identity.Token) bool {
	return slices.ContainsFunc(p.travs, func(t *person) bool { return t.token == tok })
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
