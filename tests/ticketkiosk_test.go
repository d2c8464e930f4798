package tests

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/simrig"
	"github.com/kiosk06/kiosk/firmware/ticketing"
)

// ticketKiosk drives a ticketing kioskd over its --control socket as the
// screen would: st is the last state seen.
type ticketKiosk struct {
	t        *testing.T
	cc       *controlClient
	stderr   fmt.Stringer
	deadline <-chan time.Time
	st       ticketing.State
}

// ticketScreen matches a state on screen s.
func ticketScreen(s ticketing.Screen) func(ticketing.State) bool {
	return func(x ticketing.State) bool { return x.Screen == s }
}

// state waits for a state ok accepts; an error or out-of-service screen
// on the way fails the test.
func (k *ticketKiosk) state(what string, ok func(ticketing.State) bool) {
	k.t.Helper()
	k.await(what, true, ok)
}

// outcome waits for a state ok accepts, error screens included.
func (k *ticketKiosk) outcome(what string, ok func(ticketing.State) bool) {
	k.t.Helper()
	k.await(what, false, ok)
}

func (k *ticketKiosk) await(what string, strict bool, ok func(ticketing.State) bool) {
	k.t.Helper()
	k.cc.await(k.deadline, what, k.stderr, func(l profileLine) bool {
		if l.State == nil {
			return false
		}
		k.st = ticketing.State{}
		if err := json.Unmarshal(l.State, &k.st); err != nil {
			k.t.Fatal(err)
		}
		if strict && (k.st.Screen == ticketing.ScreenError || k.st.Screen == ticketing.ScreenOutOfService) {
			b, _ := json.Marshal(k.st)
			k.t.Fatalf("waiting for %s: %s", what, b)
		}
		return ok(k.st)
	})
}

func (k *ticketKiosk) send(in ticketing.Intent) {
	k.t.Helper()
	k.cc.intent(in)
}

// identify starts a purchase with citizen's card: QR and chip, or the
// CAN typed when the scanner suppressed a repeated QR.
func (k *ticketKiosk) identify(citizen string) {
	k.t.Helper()
	k.send(ticketing.Intent{Kind: ticketing.IntentStart})
	k.state("the identify screen", ticketScreen(ticketing.ScreenIdentify))
	k.cc.simOK(k.deadline, k.stderr, profile.SimCommand{Sim: profile.SimScan, Citizen: citizen})
	k.cc.simOK(k.deadline, k.stderr, profile.SimCommand{Sim: profile.SimTap, Citizen: citizen})
	k.state("the choice after the card", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenChoose || x.Identify != nil && x.Identify.NeedCAN
	})
	if k.st.Screen != ticketing.ScreenChoose {
		cz := k.cc.simOK(k.deadline, k.stderr, profile.SimCommand{Sim: simrig.QueryCitizens})
		for _, c := range cz.Citizens {
			if c.Citizen == citizen {
				k.send(ticketing.Intent{Kind: ticketing.IntentCAN, Digits: c.CAN})
			}
		}
		k.state("the choice after the CAN", ticketScreen(ticketing.ScreenChoose))
	}
	k.cc.simOK(k.deadline, k.stderr, profile.SimCommand{Sim: profile.SimRemove})
}

// pay goes from the fare to the printed ticket: the simulated gateway
// pays once the kiosk's payment session reached the collector.
func (k *ticketKiosk) pay(what string) {
	k.t.Helper()
	k.state("the fare of the "+what, ticketScreen(ticketing.ScreenFare))
	k.send(ticketing.Intent{Kind: ticketing.IntentContinue})
	k.state("the VietQR of the "+what, func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenPayment && x.Payment.Phase == ticketing.PaymentWaiting
	})
	for {
		k.cc.sim(profile.SimCommand{Sim: profile.SimPay})
		r := k.cc.await(k.deadline, "the pay reply", k.stderr, func(l profileLine) bool { return l.State == nil && l.Reply == profile.SimPay })
		if r.OK {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	k.state("the printed "+what, func(x ticketing.State) bool { return x.Screen == ticketing.ScreenIssued })
	if !k.st.Issued.Printed || len(k.st.Issued.Tickets) != 1 {
		k.t.Fatalf("%s issued: %+v", what, k.st.Issued)
	}
	k.send(ticketing.Intent{Kind: ticketing.IntentDone})
	k.state("goodbye", func(x ticketing.State) bool {
		return x.Screen == ticketing.ScreenGoodbye || x.Screen == ticketing.ScreenWelcome
	})
}
