package transit

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
)

// The validator's state stream says what the passenger was told and what
// the LEDs and buzzer do: lit with the decision, dark again when the
// feedback's timers switch them off. It carries no token or ID number.
func TestStateStreamsDecisionsAndLights(t *testing.T) {
	p := newPins()
	fb := p.feedback(t, nil)
	tk := tokenizer(t)
	v, c := newTestValidator(t, &memStore{}, fb, &Lists{Deny: NewHashSet([]identity.Token{tk.ID("001090000002")})})
	fb.OnChange = v.SetLights
	screen := profile.NewScreen[State, profile.NoIntent](Name, v)
	states, stop := screen.SubscribeJSON()
	defer stop()
	var last State
	wait := func(what string, ok func(State) bool) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for !ok(last) {
			select {
			case b := <-states:
				for _, secret := range []string{"001090012345", "Nguyen Van Thu", "\"token\""} {
					if strings.Contains(string(b), secret) {
						t.Fatalf("state carries %s: %s", secret, b)
					}
				}
				last = State{}
				if err := json.Unmarshal(b, &last); err != nil {
					t.Fatal(err)
				}
			case <-deadline:
				t.Fatalf("never %s; last %+v", what, last)
			}
		}
	}
	wait("idle", func(s State) bool { return s.Route == "47" && s.Last == nil && s.Lights == Lights{} })
	ctx := context.Background()
	if _, err := v.HandleQR(ctx, testQR); err != nil {
		t.Fatal(err)
	}
	wait("green and a beep", func(s State) bool {
		return s.Last != nil && s.Last.Verdict == Accept && s.Last.Fare == 7000 && s.Last.Message == "Mời lên xe – 7.000 ₫" &&
			s.Last.Record > 0 && s.Lights.Green && !s.Lights.Red
	})
	wait("dark again", func(s State) bool { return s.Lights == Lights{} })

	c.Add(time.Second)
	if _, err := v.HandleQR(ctx, qrBorn("001090000002", "01011990")); err != nil {
		t.Fatal(err)
	}
	wait("red", func(s State) bool {
		return s.Taps == 2 && s.Last.Verdict == Deny && s.Last.Reason == ReasonDenyList && s.Lights.Red && !s.Lights.Green
	})
	wait("dark again", func(s State) bool { return s.Lights == Lights{} })
	if got := fb.Lights(); got != (Lights{}) {
		t.Fatalf("feedback says %+v", got)
	}
	if err := screen.SendJSON(json.RawMessage(`{}`)); err == nil {
		t.Fatal("the validator took an intent")
	}
}
