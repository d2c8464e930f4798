package ticketing

import (
	"testing"
	"time"
)

// skewedRig is a kiosk whose wall clock reads skew off the backend's; the
// returned advance lets time pass on both.
func skewedRig(t *testing.T, skew time.Duration) (*rig, func(time.Duration)) {
	t.Helper()
	backendClock, kiosk := &manualClock{now: start}, &manualClock{now: start}
	kiosk.Jump(skew)
	r := newRig(t, newSim(t, backendClock), kiosk, "k1", withConfig(func(c *Config) { c.IdleTimeout = time.Hour }))
	r.pay.window = 15 * time.Minute
	return r, func(d time.Duration) { backendClock.Advance(d); kiosk.Advance(d) }
}

// TestHoldMeasuredFromItsGrant: a seat hold lasts what the backend granted
// (its expiry less its own time) from when the kiosk asked, on the
// monotonic clock: a kiosk whose clock is ahead does not drop holds early,
// one behind does not keep selling seats the backend released.
func TestHoldMeasuredFromItsGrant(t *testing.T) {
	for _, tc := range []struct {
		name string
		skew time.Duration
	}{
		{"kiosk clock ahead", 90 * time.Second},
		{"kiosk clock behind", -90 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, advance := skewedRig(t, tc.skew)
			r.toFare(2*time.Hour, "A05")
			if got := r.last.Fare.Remaining; got != 12*time.Minute {
				t.Fatalf("fare screen: hold has %v left, want 12m0s", got)
			}
			r.tap(IntentContinue)
			r.wait("QR", func(s State) bool { return s.Screen == ScreenPayment && s.Payment.Phase == PaymentWaiting })
			advance(11 * time.Minute)
			r.tap(IntentActivity)
			if r.last.Screen != ScreenPayment {
				t.Fatalf("hold dropped after 11 min of 12: screen %s", r.last.Screen)
			}
			advance(time.Minute + time.Second)
			r.wait("back to the map", func(s State) bool {
				return s.Screen == ScreenSeats && s.Seats.Message.Key == "seats.expired" && !s.Seats.Loading
			})
			r.waitHolds(0)
		})
	}
}

// TestHoldAfterClockStepBack: a wall clock stepped back while seats are
// held does not lengthen the hold: with 5 of 12 minutes left (less than
// MinHoldLeft, though the wall clock says 6½) the payment is not started,
// the seats are chosen again. (A step of more than the replies' clock
// skew, 2 min, makes every backend reply look signed in the future.)
func TestHoldAfterClockStepBack(t *testing.T) {
	r, advance := skewedRig(t, 0)
	r.toFare(2*time.Hour, "A06")
	advance(7 * time.Minute)
	r.clock.Jump(-90 * time.Second)
	r.tap(IntentContinue)
	r.wait("back to the map", func(s State) bool {
		return s.Screen == ScreenSeats && s.Seats.Message.Key == "seats.expired" && !s.Seats.Loading
	})
	r.pay.mu.Lock()
	n := r.pay.n
	r.pay.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d payments started on a hold about to end", n)
	}
}
