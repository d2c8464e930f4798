package transit

import (
	"context"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/tariff"
)

// clockStep is one move of the test clock, then one tap of testQR.
type clockStep struct {
	add, jump time.Duration // time passing (wall and monotonic), then a wall-clock step
	reason    Reason
	fare      tariff.VND
}

// runClockSteps taps testQR on v after each step's clock moves.
func runClockSteps(t *testing.T, v *Validator, c *clock, steps []clockStep) {
	t.Helper()
	for i, s := range steps {
		c.Add(s.add)
		c.Jump(s.jump)
		r, err := v.HandleQR(context.Background(), testQR)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if r.Reason != s.reason || r.Fare != s.fare {
			t.Fatalf("step %d (wall %s): %s %v, want %s %v", i, c.Now().Format(time.DateTime), r.Reason, r.Fare, s.reason, s.fare)
		}
	}
}

// TestRepeatWindowOnMonotonicClock: the repeat window is time that passed,
// whatever the wall clock did meanwhile: a step back does not charge a
// second fare, a step forward does not close the window early, and local
// midnight inside the window is still one boarding.
func TestRepeatWindowOnMonotonicClock(t *testing.T) {
	midnight := time.Date(2026, 11, 23, 0, 0, 0, 0, tariff.Location())
	tests := []struct {
		name  string
		start time.Time
		steps []clockStep
	}{
		{"wall clock stepped back", noon22Nov2026, []clockStep{
			{reason: ReasonFare, fare: 7000},
			{add: 10 * time.Second, jump: -30 * time.Second, reason: ReasonRepeat},
			{add: 2 * time.Minute, reason: ReasonFare, fare: 7000},
		}},
		{"wall clock stepped forward", noon22Nov2026, []clockStep{
			{reason: ReasonFare, fare: 7000},
			{add: 10 * time.Second, jump: 5 * time.Minute, reason: ReasonRepeat},
			{add: 2 * time.Minute, reason: ReasonFare, fare: 7000},
		}},
		{"midnight inside the window", midnight.Add(-30 * time.Second), []clockStep{
			{reason: ReasonFare, fare: 7000},
			{add: 40 * time.Second, reason: ReasonRepeat},
			{add: 2 * time.Minute, reason: ReasonFare, fare: 7000},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, c := newTestValidator(t, &memStore{}, nil, nil)
			c.Jump(tc.start.Sub(c.Now()))
			runClockSteps(t, v, c, tc.steps)
		})
	}
}

// TestServiceDayForwardOnly: a wall clock stepped back across midnight
// keeps the day it left (the offline limits count on; nobody rides a
// second day's allowance), one stepped forward starts the new day.
func TestServiceDayForwardOnly(t *testing.T) {
	v, c := newTestValidator(t, &memStore{}, nil, nil)
	c.Jump(time.Date(2026, 11, 23, 0, 5, 0, 0, tariff.Location()).Sub(c.Now()))
	runClockSteps(t, v, c, []clockStep{
		{reason: ReasonFare, fare: 7000},
		{add: time.Hour, reason: ReasonFare, fare: 7000},
		// 23/11 01:05 → 22/11 23:08: still the 23rd, its 14 000 ₫ of 20 000.
		{add: 3 * time.Minute, jump: -2 * time.Hour, reason: ReasonRiskValue},
		// → 24/11 00:11: a new day.
		{add: 3 * time.Minute, jump: 25 * time.Hour, reason: ReasonFare, fare: 7000},
	})
	if d := v.State().Last; d == nil || d.At.IsZero() {
		t.Fatalf("last decision %+v", d)
	}
}

// TestPassAfterBackwardJump: a December pass holder tapping on 1/12 keeps
// riding on the pass when the clock steps back into November (the month
// rule is decided on the forward-only time, not the stepped-back clock).
func TestPassAfterBackwardJump(t *testing.T) {
	tk := tokenizer(t)
	lists := &Lists{Deny: NewHashSet(nil), Pass: map[identity.Token][]tariff.MonthlyPass{
		tk.ID("001090012345"): {{Route: "47", Year: 2026, Month: 12}},
	}}
	v, c := newTestValidator(t, &memStore{}, nil, lists)
	c.Jump(time.Date(2026, 12, 1, 0, 10, 0, 0, tariff.Location()).Sub(c.Now()))
	runClockSteps(t, v, c, []clockStep{
		{reason: ReasonPass},
		{add: 3 * time.Minute, jump: -30 * time.Minute, reason: ReasonPass},
	})
}

// restarted is a new validator on st (a reboot) whose wall clock reads
// wall, restored from st.
func restarted(t *testing.T, st Store, wall time.Time) (*Validator, *clock) {
	t.Helper()
	c := &clock{t: wall}
	v, err := New(testConfig(c), Deps{Store: st, Tokens: tokenizer(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	return v, c
}

// TestRestoreWithClockBehindRecords: after a restart, a tap record ahead
// of the wall clock (the clock was stepped back) keeps its repeat window
// open — no second fare — for one window from the restart, then it closes
// (the free ride it allows is bounded); its day keeps counting.
func TestRestoreWithClockBehindRecords(t *testing.T) {
	t.Run("repeat window", func(t *testing.T) {
		st := &memStore{}
		v, c := newTestValidator(t, st, nil, nil)
		runClockSteps(t, v, c, []clockStep{{reason: ReasonFare, fare: 7000}})
		v2, c2 := restarted(t, st, noon22Nov2026.Add(-10*time.Minute))
		runClockSteps(t, v2, c2, []clockStep{
			{add: 10 * time.Second, reason: ReasonRepeat},
			{add: 2 * time.Minute, reason: ReasonFare, fare: 7000},
		})
	})
	t.Run("service day", func(t *testing.T) {
		st := &memStore{}
		v, c := newTestValidator(t, st, nil, nil)
		c.Jump(time.Date(2026, 11, 23, 0, 5, 0, 0, tariff.Location()).Sub(c.Now()))
		runClockSteps(t, v, c, []clockStep{
			{reason: ReasonFare, fare: 7000},
			{add: time.Hour, reason: ReasonFare, fare: 7000},
		})
		v2, c2 := restarted(t, st, time.Date(2026, 11, 22, 23, 30, 0, 0, tariff.Location()))
		runClockSteps(t, v2, c2, []clockStep{{add: 3 * time.Minute, reason: ReasonRiskValue}})
	})
	t.Run("window closed before the restart", func(t *testing.T) {
		st := &memStore{}
		v, c := newTestValidator(t, st, nil, nil)
		runClockSteps(t, v, c, []clockStep{{reason: ReasonFare, fare: 7000}})
		v2, c2 := restarted(t, st, noon22Nov2026.Add(5*time.Minute))
		runClockSteps(t, v2, c2, []clockStep{{reason: ReasonFare, fare: 7000}})
	})
	t.Run("window open across the restart", func(t *testing.T) {
		st := &memStore{}
		v, c := newTestValidator(t, st, nil, nil)
		runClockSteps(t, v, c, []clockStep{{reason: ReasonFare, fare: 7000}})
		v2, c2 := restarted(t, st, noon22Nov2026.Add(time.Minute))
		runClockSteps(t, v2, c2, []clockStep{
			{add: 50 * time.Second, reason: ReasonRepeat},
			{add: 20 * time.Second, reason: ReasonFare, fare: 7000},
		})
	})
}
