package onestop

import (
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
)

// The staff menu (issue 22.6; firmware/staffmenu): the welcome screen
// offers IntentStaff when Deps.Staff is set; the flow then reads no card
// and no app QR, shows the menu's View on ScreenStaff and hands it the
// intents that carry Intent.Staff (every other intent is ignored) until
// the menu leaves (Back, its own idle, an audit it could not store), and
// the welcome screen reads cards again.

// openStaff opens the staff menu from welcome: the card read in progress
// stops (nobody's card is read under the menu).
func (f *Flow) openStaff() {
	menu := f.deps.Staff
	if menu == nil || menu.Active() {
		return
	}
	f.loop.StopStep()
	f.m.other.Stop()
	f.m.cans = nil
	f.setScreen(ScreenStaff)
	menu.Open(f.ctx, staffmenu.LoopHost(f.loop), f.leaveStaff)
}

// leaveStaff is the menu's leave: back to welcome, reading cards again.
func (f *Flow) leaveStaff() {
	if f.m.screen == ScreenStaff {
		f.toWelcome()
	}
}

// printed hands the staff menu the last slip printed (no personal data
// on it), for its reprint.
func (f *Flow) printed(doc *escpos.Document) {
	if f.deps.Staff != nil && doc != nil {
		f.deps.Staff.Printed(doc)
	}
}

// counterOpen reports whether staff left the counter (its queue service
// letter, the menu's service) open.
func (f *Flow) counterOpen(counter string) bool {
	return f.deps.Staff == nil || f.deps.Staff.ServiceOpen(counter)
}
