package hospital

import (
	"fmt"

	"github.com/kiosk06/kiosk/firmware/records"
)

// Calling staff: the help overlay.

// callStaff records a help request and shows the help overlay.
func (f *Flow) callStaff(reason string) {
	f.m.helpCount++
	ref := fmt.Sprintf("H%03d", f.m.helpCount%1000)
	if !f.record(&records.HospitalHelp{Screen: string(f.m.screen), Reason: reason, Ref: ref}, nil) {
		f.stop() // no request exists: the screen must not say staff is coming
		return
	}
	f.m.help = &Help{Message: msgf("help.message", ref), Ref: ref, From: f.m.screen}
}
