package hospital

import (
	"testing"
	"time"
)

// TestAttractLoop: the idle welcome screen cycles through the steps of
// how to use the kiosk, says a round aloud at most once every
// AttractVoiceEvery, and a card ends the loop at once.
func TestAttractLoop(t *testing.T) {
	r := newRig(t, withConfig(func(c *Config) { c.AttractStep = 5 * time.Second; c.AttractVoiceEvery = 3 * time.Minute }))
	s := r.wait("the loop", func(s State) bool { return s.Welcome != nil && s.Welcome.Attract != nil })
	a := s.Welcome.Attract
	want := []string{PictureCard, PictureQR, PictureInsurance, PictureClinic, PictureTicket, PicturePay} // prepayment is on
	if len(a.Steps) != len(want) || a.Step != 0 || a.Round != 0 || !a.Voiced {
		t.Fatalf("first state of the loop %+v", a)
	}
	msgs := Messages()
	for i, st := range a.Steps {
		if st.Picture != want[i] || st.Caption.VI == "" || st.Caption.EN == "" || msgs[st.Caption.Key] != st.Caption {
			t.Fatalf("step %d: %+v", i, st)
		}
	}
	if !s.Has(IntentStart) {
		t.Fatalf("welcome offers %v", s.Actions)
	}
	// Each step shows for AttractStep; the round after the first is silent
	// (less than AttractVoiceEvery since the last one said).
	for i := 1; i < len(want); i++ {
		r.clock.Advance(5 * time.Second)
		s = r.wait("the next step", func(s State) bool { return s.Welcome != nil && s.Welcome.Attract.Step == i })
		if !s.Welcome.Attract.Voiced {
			t.Fatalf("step %d of the first round is not said", i)
		}
	}
	r.clock.Advance(5 * time.Second)
	s = r.wait("the second round", func(s State) bool { return s.Welcome != nil && s.Welcome.Attract.Round == 1 })
	if a := s.Welcome.Attract; a.Step != 0 || a.Voiced {
		t.Fatalf("second round %+v: said again 30 s after the first", a)
	}
	// Rounds go on silently until AttractVoiceEvery has passed.
	for round, voiced := 1, false; !voiced; {
		for i := range want {
			r.clock.Advance(5 * time.Second)
			next, step := round, i+1
			if step == len(want) {
				next, step = round+1, 0
			}
			s = r.wait("the next step", func(s State) bool {
				return s.Welcome != nil && s.Welcome.Attract.Round == next && s.Welcome.Attract.Step == step
			})
		}
		round++
		voiced = s.Welcome.Attract.Voiced
		if elapsed := time.Duration(round*len(want)) * 5 * time.Second; voiced != (elapsed >= 3*time.Minute) {
			t.Fatalf("round %d after %v: voiced %v", round, elapsed, voiced)
		}
	}
	// A card ends the loop at once.
	s = r.tapCard(adult)
	if s.Welcome != nil {
		t.Fatalf("the loop goes on over the card result: %+v", s.Welcome)
	}
}

// TestAttractNeverSaid: AttractVoiceEvery 0 (the flow's default; the
// [hospital] table's is 3 min) cycles the pictures silently, and a touch
// starts the normal flow.
func TestAttractNeverSaid(t *testing.T) {
	r := newRig(t, withConfig(func(c *Config) { c.Prepayment = false }))
	s := r.last
	if a := s.Welcome.Attract; a.Voiced || len(a.Steps) != 5 || a.Steps[len(a.Steps)-1].Picture == PicturePay {
		t.Fatalf("loop without prepayment or voice: %+v", a)
	}
	r.clock.Advance(6 * time.Second) // the default step
	s = r.wait("step 2", func(s State) bool { return s.Welcome != nil && s.Welcome.Attract.Step == 1 })
	if s.Welcome.Attract.Voiced {
		t.Fatal("said with AttractVoiceEvery 0")
	}
	r.tap(IntentStart)
	if s := r.waitScreen(ScreenIdentify); s.Welcome != nil {
		t.Fatalf("%+v", s)
	}
	// Back on welcome, the loop starts again from its first step.
	r.tap(IntentBack)
	s = r.wait("welcome again", func(s State) bool { return s.Screen == ScreenWelcome })
	if a := s.Welcome.Attract; a.Step != 0 || a.Round != 0 {
		t.Fatalf("loop on return %+v", a)
	}
}
