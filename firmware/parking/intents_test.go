package parking

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/profile"
)

// The lane's screen contract: the attendant's intents arrive as JSON (what
// the --control socket and a UI send), are served in order, and every
// state — the barrier's position with it — goes out as JSON.
func TestScreenIntents(t *testing.T) {
	l := newLane(t, openStore(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.t.Serve(ctx, Lane{Mode: LaneBoth, Vehicle: "motorbike"})
	screen := profile.NewScreen[State, Intent](Name, l.t)
	states, stop := screen.SubscribeJSON()
	defer stop()
	next := func(want func(State) bool, what string) State {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case b := <-states:
				var s State
				if err := json.Unmarshal(b, &s); err != nil {
					t.Fatalf("%s: %v", b, err)
				}
				if want(s) {
					return s
				}
			case <-deadline:
				t.Fatalf("never %s (phases %v)", what, l.phases())
			}
		}
	}
	next(func(s State) bool { return s.Phase == PhaseIdle && !s.BarrierOpen }, "idle")

	// The attendant admits a car by its plate; the barrier opens for it.
	go l.waitOpenThenPass()
	if err := screen.SendJSON(json.RawMessage(`{"kind":"entry","plate":"29A-123.45"}`)); err != nil {
		t.Fatal(err)
	}
	in := next(func(s State) bool { return s.Phase == PhaseBarrierOpen }, "barrier open")
	if !in.BarrierOpen || in.Lane != "entry" || in.TicketID == "" || in.Seq == 0 {
		t.Fatalf("entry state %+v", in)
	}
	next(func(s State) bool { return s.Phase == PhaseIdle && !s.BarrierOpen }, "barrier closed")

	// Past the free stay, the exit by plate waits for the VietQR transfer;
	// the attendant cancels it: no payment, the barrier stays down.
	l.clock.Add(3 * time.Hour)
	if err := screen.SendJSON(json.RawMessage(`{"kind":"exit","plate":"29A-123.45"}`)); err != nil {
		t.Fatal(err)
	}
	wait := next(func(s State) bool { return s.Phase == PhaseAwaitingPayment }, "awaiting payment")
	if wait.Amount <= 0 || wait.QRPayload == "" || wait.BarrierOpen {
		t.Fatalf("payment state %+v", wait)
	}
	if err := screen.SendJSON(json.RawMessage(`{"kind":"cancel_payment"}`)); err != nil {
		t.Fatal(err)
	}
	end := next(func(s State) bool { return s.Phase != PhaseAwaitingPayment }, "the wait cancelled")
	if end.Phase == PhasePaid || end.BarrierOpen {
		t.Fatalf("after the cancel: %+v", end)
	}
	if l.t.Inside() != 1 {
		t.Fatalf("%d inside after a cancelled exit", l.t.Inside())
	}
	if err := screen.SendJSON(json.RawMessage(`{"kind":"exit","plate":"29A","typo":1}`)); err == nil {
		t.Fatal("an intent with an unknown field was taken")
	}
}
