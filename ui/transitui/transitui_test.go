package transitui

import (
	"testing"

	"github.com/kiosk06/kiosk/firmware/transit"
)

func TestLine(t *testing.T) {
	st := transit.State{}
	st.Lights.Green, st.Lights.Buzzer = true, true
	if got, want := Line(st), "Đèn xanh ● · Đèn đỏ ○ · Còi ●"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}
