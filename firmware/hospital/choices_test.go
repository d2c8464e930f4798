package hospital

import (
	"fmt"
	"testing"

	"github.com/kiosk06/kiosk/firmware/identity"
)

// TestAtMostThreeChoices walks every patient screen the flow can show —
// each screen with each of its phases, outcomes and options — and fails
// when one offers more than PrimaryChoices choices at once (issue 20): the
// others must be More, behind "Lựa chọn khác". The language toggle is an
// accessibility control, not a choice. The staff admin menu is not a
// patient screen.
func TestAtMostThreeChoices(t *testing.T) {
	r := newRig(t)
	f, err := New(r.flow.cfg, r.flow.deps)
	if err != nil {
		t.Fatal(err)
	}
	type screenCase struct {
		name string
		set  func(m *model)
	}
	var cases []screenCase
	add := func(name string, screen Screen, set func(m *model)) {
		cases = append(cases, screenCase{name, func(m *model) {
			*m = model{screen: screen, lang: LangVI}
			if set != nil {
				set(m)
			}
		}})
	}
	add("welcome", ScreenWelcome, nil)
	add("identify", ScreenIdentify, nil)
	add("identify-can-exhausted", ScreenIdentify, func(m *model) { m.identify.CANExhausted = true })
	for _, v := range []identity.Verdict{identity.Genuine, identity.Unverified, identity.NotGenuine} {
		for _, other := range []bool{false, true} {
			add(fmt.Sprintf("card-%s-for-other-%v", v, other), ScreenCardResult, func(m *model) {
				m.card = CardResult{Verdict: v, CanContinue: v != identity.NotGenuine}
				if other {
					m.agent = &adult
				}
			})
		}
	}
	for _, p := range []HolderPhase{HolderVerifying, HolderOffer, HolderEnrolling, HolderMatched, HolderMismatch, HolderEnrolled,
		HolderEnrolFailed, HolderErasing, HolderErased, HolderEraseFailed} {
		for _, left := range []int{0, 2} {
			add(fmt.Sprintf("holder-%s-%d", p, left), ScreenHolder, func(m *model) { m.holder = HolderCheck{Phase: p, AttemptsLeft: left} })
		}
	}
	for _, o := range []InsuranceOutcome{InsuranceChecking, InsuranceValid, InsuranceWarning, InsuranceInvalid, InsuranceUnavailable, InsuranceNone} {
		for _, n := range []NextStep{NextInsured, NextFeePaying, NextCallStaff, NextPending} {
			add(fmt.Sprintf("insurance-%s-%s", o, n), ScreenInsurance, func(m *model) { m.insurance = Insurance{Outcome: o, Next: n} })
		}
	}
	add("clinic", ScreenClinic, nil)
	add("registering", ScreenRegistering, nil)
	for _, due := range []bool{false, true} {
		add(fmt.Sprintf("ticket-due-%v", due), ScreenTicket, func(m *model) { m.ticket.PaymentDue = due })
	}
	for _, p := range []PaymentPhase{PaymentCreating, PaymentWaiting, PaymentExpired, PaymentFailed} {
		add("payment-"+string(p), ScreenPayment, func(m *model) { m.payment.Phase = p })
	}
	add("receipt", ScreenReceipt, nil)
	add("goodbye", ScreenGoodbye, nil)
	for mask := range 8 {
		add(fmt.Sprintf("error-%03b", mask), ScreenError, func(m *model) {
			if mask&1 != 0 {
				m.errRetry = func() {}
			}
			if mask&2 != 0 {
				m.errSkip = func() {}
			}
			if mask&4 != 0 {
				m.errBack = ScreenClinic
			}
		})
	}
	add("out-of-service", ScreenOutOfService, nil)

	for _, c := range cases {
		c.set(&f.m)
		acts := f.actions()
		shown, more := 0, 0
		for _, a := range acts {
			switch {
			case a.Kind == IntentLanguage:
				if a.More {
					t.Errorf("%s: the language toggle is behind “Lựa chọn khác”", c.name)
				}
			case a.More:
				more++
				if a.Primary {
					t.Errorf("%s: the primary action %s is behind “Lựa chọn khác”", c.name, a.Kind)
				}
			default:
				shown++
			}
		}
		if shown > PrimaryChoices {
			t.Errorf("%s: %d choices at once, more than %d: %v", c.name, shown, PrimaryChoices, acts)
		}
		if more > 0 && shown < PrimaryChoices {
			t.Errorf("%s: %d choices hidden while only %d show", c.name, more, shown)
		}
		for _, a := range acts {
			if !f.allowed(a.Intent()) {
				t.Errorf("%s: %s is listed but not accepted", c.name, a.Kind)
			}
		}
	}
}
