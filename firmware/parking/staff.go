package parking

import (
	"context"
	"errors"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
)

// The lane's staff menu (issue 22.6; firmware/staffmenu): Deps.Staff,
// made by start.go from the [admin] section. IntentStaff without a
// staffmenu.Intent opens it, with one forwards it to the menu.
//
// The terminal has no single loop goroutine (the lane's scans, the
// screen's intents and the barrier each run in their own), so the menu's
// loop is a mutex: staffMu is held for every call of the menu — Open,
// Handle, the results of its slow work and its timers (staffHost) — and
// the menu's state is published after each call while it is open. The
// menu holds the lane mutex from Open until it is left, so it opens only
// when no vehicle is in progress (never with a barrier half-done), and
// while it is open Entry and Exit refuse (ErrBusy) and RunLane ignores
// every scan: no ticket is issued, no exit charged and no barrier opened.

// Services staff may open or close on a lane (staffmenu.Config.Services):
// its directions. Closing ServiceEntry is "the lot is full" (exits go on);
// closing ServiceExit sends exits to the attendant (a payment or barrier
// fault). A closed direction refuses with PhaseClosed and a
// parking.refused record (reason "closed"); nothing is charged. The names
// are shown as they are on the staff screen and kept in the admin.audit
// records, which is how a closed direction stays closed after a restart.
const (
	ServiceEntry = "Xe vào"
	ServiceExit  = "Xe ra"
)

// Services are the directions of a lane in mode ([parking] lane).
func Services(mode string) []string {
	switch mode {
	case LaneEntry:
		return []string{ServiceEntry}
	case LaneExit:
		return []string{ServiceExit}
	}
	return []string{ServiceEntry, ServiceExit}
}

// errNoStaffMenu: a staff intent on a lane without [admin] pin_file.
var errNoStaffMenu = errors.New("parking: no staff menu ([admin] pin_file)")

// StaffOpen reports whether the staff menu is open.
func (t *Terminal) StaffOpen() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.staffOpen
}

// closed reports whether staff closed service svc.
func (t *Terminal) closed(svc string) bool {
	if t.deps.Staff == nil {
		return false
	}
	t.staffMu.Lock()
	defer t.staffMu.Unlock()
	return !t.deps.Staff.ServiceOpen(svc)
}

// printed hands the staff menu a ticket or receipt just printed.
func (t *Terminal) printed(doc *escpos.Document) {
	if t.deps.Staff == nil {
		return
	}
	t.withStaff(func(m *staffmenu.Menu) { m.Printed(doc) })
}

// withStaff runs f on the menu's "loop" (under staffMu) and publishes the
// menu's screen if it is still open afterwards (when f left it, leave has
// published the lane's idle state already).
func (t *Terminal) withStaff(f func(m *staffmenu.Menu)) {
	t.staffMu.Lock()
	defer t.staffMu.Unlock()
	m := t.deps.Staff
	f(m)
	if m.Active() {
		t.publish(State{Phase: PhaseStaff, Staff: m.View()})
	}
}

// openStaff opens the staff menu if no vehicle is in progress: the menu
// then holds the lane until it is left (leaveStaff). ctx bounds the
// menu's work and audit records.
func (t *Terminal) openStaff(ctx context.Context) error {
	if t.deps.Staff == nil {
		return errNoStaffMenu
	}
	if !t.lane.TryLock() {
		return ErrBusy
	}
	t.withStaff(func(m *staffmenu.Menu) {
		t.mu.Lock()
		t.staffOpen = true
		t.mu.Unlock()
		m.Open(ctx, staffHost{t: t, ctx: ctx}, t.leaveStaff)
	})
	return nil
}

// leaveStaff is the menu's leave (called under staffMu): the lane is
// free, then its idle (or out-of-service) state is published — unless a
// vehicle took the lane in between, whose states follow instead. A
// screen (or test) that sees the idle state can use the lane at once.
func (t *Terminal) leaveStaff() {
	t.mu.Lock()
	t.staffOpen = false
	down := t.down
	t.mu.Unlock()
	t.lane.Unlock()
	ph := PhaseIdle
	if down {
		ph = PhaseOutOfService
	}
	t.publishIf(State{Phase: ph}, func() bool { return !t.serving })
}

// takeLane takes the lane for a vehicle (Entry, Exit): false while
// another vehicle or the staff menu holds it.
func (t *Terminal) takeLane() bool {
	if !t.lane.TryLock() {
		return false
	}
	t.mu.Lock()
	t.serving = true
	t.mu.Unlock()
	return true
}

// releaseLane frees the lane after a vehicle. With a staff menu, the
// state shown is published again once the lane is free, now offering the
// menu — unless something was published or took the lane meanwhile.
func (t *Terminal) releaseLane() {
	t.mu.Lock()
	t.serving = false
	s := t.state
	t.mu.Unlock()
	t.lane.Unlock()
	if t.deps.Staff == nil || !resting(s.Phase) {
		return
	}
	t.publishIf(s, func() bool { return !t.serving && !t.staffOpen && t.state.Seq == s.Seq })
}

// serveStaff serves IntentStaff: open the menu, or hand it in.Staff.
func (t *Terminal) serveStaff(ctx context.Context, in Intent) error {
	if t.deps.Staff == nil {
		return errNoStaffMenu
	}
	if in.Staff == nil {
		return t.openStaff(ctx)
	}
	si := *in.Staff
	t.withStaff(func(m *staffmenu.Menu) { m.Handle(si) })
	return nil
}

// staffHost is staffmenu.Host over staffMu: slow work runs in its own
// goroutine and its result is applied under staffMu, timers fire under
// it; both then publish the menu's screen (withStaff).
type staffHost struct {
	t   *Terminal
	ctx context.Context
}

var _ staffmenu.Host = staffHost{}

func (h staffHost) Go(op func(ctx context.Context) func()) {
	go func() {
		apply := op(h.ctx)
		h.t.withStaff(func(*staffmenu.Menu) { apply() })
	}()
}

func (h staffHost) After(d time.Duration, f func()) (stop func()) {
	// stopped is read and written under staffMu only: the menu stops a
	// timer from one of its calls, and a timer that fired meanwhile waits
	// for staffMu and then must not run.
	stopped := false
	tm := time.AfterFunc(d, func() {
		h.t.withStaff(func(*staffmenu.Menu) {
			if !stopped {
				f()
			}
		})
	})
	return func() {
		stopped = true
		tm.Stop()
	}
}
