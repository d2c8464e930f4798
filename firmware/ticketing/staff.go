package ticketing

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
)

// The staff menu (issue 22.6, firmware/staffmenu): welcome offers
// IntentStaff when the profile has a menu (Deps.Staff); it stops the card
// read welcome waits on and shows ScreenStaff, whose State.Staff is the
// menu's View and whose taps come back as IntentStaff with Intent.Staff.
// Nothing else is handled until the menu leaves (Back, logout, its own
// idle time, or an audit it could not store): then welcome, and the card
// read, start again. The flow's idle timeout does not run on the staff
// screen: the menu's does.
//
// The services staff may open or close are the kinds of ticket the kiosk
// sells — one per mode (Services): a closed mode is not offered on the
// choose screen, and a passenger who asks for it is told, in Vietnamese,
// to buy at the counter. Closing one stops nothing already under way (the
// menu opens only from welcome, so there is none).

// Services are the services the staff menu opens and closes: the ticket
// kinds by mode, named as the staff screen and the audit records show
// them.
func Services() []string {
	return []string{serviceNames[catalog.ModeCoach], serviceNames[catalog.ModeTrain], serviceNames[catalog.ModeBus]}
}

// serviceNames are stable: the audit records name a closed service so, and
// a restart keeps it closed by that name.
var serviceNames = map[catalog.Mode]string{
	catalog.ModeCoach: "Xe khách",
	catalog.ModeTrain: "Tàu hỏa",
	catalog.ModeBus:   "Xe buýt",
}

// ServiceOf is the staff menu's service that sells mode.
func ServiceOf(mode catalog.Mode) string {
	if s, ok := serviceNames[mode]; ok {
		return s
	}
	return string(mode)
}

// sells reports whether staff left mode open.
func (f *Flow) sells(mode catalog.Mode) bool {
	return f.deps.Staff == nil || f.deps.Staff.ServiceOpen(ServiceOf(mode))
}

// openModes are the catalogue's modes staff did not close.
func (f *Flow) openModes(idx *catalog.Index) []catalog.Mode {
	var out []catalog.Mode
	for _, m := range idx.Modes() {
		if f.sells(m) {
			out = append(out, m)
		}
	}
	return out
}

// closedNotice tells the passenger that mode is not sold here for now.
func closedNotice(mode catalog.Mode) Text {
	t, name := msg("choose.closed"), msg("mode."+string(mode))
	t.VI = strings.Replace(t.VI, "%s", strings.ToLower(name.VI), 1)
	t.EN = strings.Replace(t.EN, "%s", name.EN, 1)
	return t
}

// closedModes is the notice of the catalogue's modes staff closed (none:
// zero).
func (f *Flow) closedModes(idx *catalog.Index) Text {
	for _, m := range idx.Modes() {
		if !f.sells(m) {
			return closedNotice(m)
		}
	}
	return Text{}
}

// staffActive reports whether the staff menu has the screen.
func (f *Flow) staffActive() bool {
	return f.m.screen == ScreenStaff && f.deps.Staff != nil && f.deps.Staff.Active()
}

// openStaff stops the card read and hands the screen to the menu.
func (f *Flow) openStaff() {
	if f.deps.Staff == nil {
		return
	}
	f.stopOp() // nobody's card is read under the menu
	f.m.retryC, f.m.cans = nil, nil
	f.m.goodbye = Goodbye{}
	f.setScreen(ScreenStaff)
	f.log.Info("ticketing: staff menu opened")
	f.deps.Staff.Open(f.runCtx, staffHost{f}, f.leaveStaff)
}

// leaveStaff is the menu's leave: welcome again, reading cards.
func (f *Flow) leaveStaff() {
	if f.m.screen != ScreenStaff {
		return
	}
	f.log.Info("ticketing: staff menu left")
	f.toWelcome()
}

// staffIntent forwards a tap on the staff screen to the menu.
func (f *Flow) staffIntent(in Intent) {
	if in.Kind != IntentStaff || in.Staff == nil {
		f.log.Debug("ticketing: intent ignored under the staff menu", "intent", in)
		return
	}
	f.deps.Staff.Handle(*in.Staff)
}

// printed hands a document printed whole to the menu's "reprint" (it may
// carry the passenger's masked name, as the ticket did; the menu keeps it
// in memory only).
func (f *Flow) printed(doc *escpos.Document) {
	if f.deps.Staff != nil && doc != nil {
		f.deps.Staff.Printed(doc)
	}
}

// staffHost is the staffmenu.Host of the flow: work runs beside the
// current step and its result is applied on the Run goroutine (which then
// publishes); timers run on the flow's Clock and fire on the Run
// goroutine.
type staffHost struct{ f *Flow }

func (h staffHost) Go(op func(ctx context.Context) func()) { h.f.background(op) }

func (h staffHost) After(d time.Duration, fn func()) func() {
	f := h.f
	c := f.deps.Clock.After(d)
	stop := make(chan struct{})
	stopped := false // on the Run goroutine
	var once sync.Once
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		select {
		case <-c:
			f.post(0, func() {
				if !stopped {
					fn()
				}
			})
		case <-stop:
		case <-f.runCtx.Done():
		}
	}()
	return func() {
		stopped = true
		once.Do(func() { close(stop) })
	}
}

var _ staffmenu.Host = staffHost{}
