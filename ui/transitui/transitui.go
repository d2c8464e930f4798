// Package transitui is the bus validator's room in the UI. The validator
// has no screen of its own: PanelState shows its lights, buzzer and last
// message as a line on the simulator panel (a ui.PanelState, which
// firmware/cmd/kioskd registers for the transit profile). It imports no
// Fyne: the panel draws the line.
//
// It renders the transit flow's state; it must NOT import any drivers/…
// package or firmware/simrig.
package transitui

import (
	"context"
	"strings"

	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/transit"
	"github.com/kiosk06/kiosk/ui"
)

var _ ui.PanelState = PanelState

// PanelState follows the validator's states until ctx ends, showing each as
// Line; false when s is not the validator's flow.
func PanelState(ctx context.Context, s profile.Screen, show func(string)) bool {
	f, ok := profile.FlowOf[transit.State, profile.NoIntent](s)
	if !ok {
		return false
	}
	go func() {
		states, unsub := f.Subscribe()
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case st := <-states:
				show(Line(st))
			}
		}
	}()
	return true
}

// Line is the validator's state in a line: "Đèn xanh ● · Đèn đỏ ○ · Còi ○
// — Mời lên xe – 7.000 ₫".
func Line(st transit.State) string {
	lamp := func(on bool) string {
		if on {
			return "●"
		}
		return "○"
	}
	parts := []string{"Đèn xanh " + lamp(st.Lights.Green), "Đèn đỏ " + lamp(st.Lights.Red), "Còi " + lamp(st.Lights.Buzzer)}
	line := strings.Join(parts, " · ")
	if st.Last != nil {
		line += " — " + st.Last.Message
	}
	return line
}
