package checkin

import (
	"github.com/kiosk06/kiosk/firmware/staffmenu"
)

// The staff menu (issue 22.6; firmware/staffmenu): the ready screen offers
// IntentStaff when the point has a menu (Deps.Staff: an [admin] pin_file).
// Opening it stops the card read — nobody's card is read under the menu —
// and shows ScreenStaff with the menu's View; intents carrying Staff go to
// the menu, every other intent is ignored until the menu leaves (Back,
// logout, its own idle time, an audit it could not store), and the point
// is ready again, reading cards.
//
// Services: what staff may close at a check-in point is what it admits,
// each mode's own (Services):
//
//   - lodging: "Nhận phòng", the check-in of new guests (a full house, a
//     front desk that stops taking arrivals): a guest not in the house is
//     refused with "Tạm dừng nhận phòng"; check-out and the guests in the
//     house go on;
//   - gate: "Vào cửa", the entry (closing time, a full site, the weather):
//     an entry is refused with "Tạm dừng vào cửa" (a checkin.gate record,
//     refused, reason entry_closed); exits go on. A gate fixed to exit has
//     none;
//   - attendance: "Ca thi <session>", the session's check-in (the
//     candidates' cut-off time): a candidate is refused (a checkin.attendance
//     record, refused, reason session_closed). The service names the
//     session, so the next session configured starts open;
//   - verify: none (a verification is not something staff switch off).
//
// The refusal comes right after the card's read, before any fingerprint
// is asked for. The names are Vietnamese because the staff screen shows them as they
// are, and they are the audit records' detail; a closed service stays
// closed across a restart (staffmenu reads its audit records).

// Service names (Services).
const (
	ServiceCheckIn = "Nhận phòng"
	ServiceEntry   = "Vào cửa"
	serviceSession = "Ca thi"
)

// Services are the services staff may open or close on the staff menu of
// a point in mode (direction: the gate's fixed direction; session: the
// attendance roster's).
func Services(mode Mode, direction, session string) []string {
	switch mode {
	case ModeLodging:
		return []string{ServiceCheckIn}
	case ModeGate:
		if direction == "exit" {
			return nil
		}
		return []string{ServiceEntry}
	case ModeAttendance:
		return []string{SessionService(session)}
	}
	return nil
}

// SessionService is the attendance service of session.
func SessionService(session string) string {
	if session == "" {
		return serviceSession
	}
	return serviceSession + " " + session
}

// service is this point's service ("" none).
func (f *Flow) service() string {
	session := ""
	if f.deps.Roster != nil {
		session = f.deps.Roster.Session
	}
	if s := Services(f.cfg.Mode, f.cfg.Direction, session); len(s) > 0 {
		return s[0]
	}
	return ""
}

// closed reports whether staff closed the point's service.
func (f *Flow) closed() bool {
	s := f.service()
	return s != "" && f.deps.Staff != nil && !f.deps.Staff.ServiceOpen(s)
}

// closedRefusal is the refusal of the person with ID number id by the
// service staff closed ("" none): a new guest (a guest in the house still
// checks out), an entry (an exit goes on), a candidate.
func (f *Flow) closedRefusal(id string) string {
	if !f.closed() {
		return ""
	}
	switch f.cfg.Mode {
	case ModeLodging:
		if f.m.stays[id] == nil {
			return "checkin_closed"
		}
	case ModeGate:
		if f.m.direction == "entry" {
			return "entry_closed"
		}
	case ModeAttendance:
		return "session_closed"
	}
	return ""
}

// openStaff shows the staff menu: the card read stops, the person's data
// is wiped, the flow's timers stop (the menu has its own idle time).
func (f *Flow) openStaff() {
	f.loop.StopStep()
	f.wipe()
	f.m.cans = nil
	f.m.next.Stop()
	f.m.screen = ScreenStaff
	f.deps.Staff.Open(f.ctx, staffmenu.LoopHost(f.loop), f.leaveStaff)
}

// leaveStaff is the menu's leave: back to ready, reading again. It runs on
// the loop (from Handle, or the menu's idle timer).
func (f *Flow) leaveStaff() {
	if f.m.screen == ScreenStaff {
		f.toReady()
	}
}

// staffIntent applies an intent while the staff screen shows.
func (f *Flow) staffIntent(in Intent) {
	if in.Staff == nil || f.deps.Staff == nil || !f.deps.Staff.Active() {
		f.log.Debug("checkin: intent ignored under the staff menu", "intent", in)
		return
	}
	f.deps.Staff.Handle(*in.Staff)
}

// closedNotice is the ready screen's line about a closed service.
func (f *Flow) closedNotice() Text {
	if !f.closed() {
		return Text{}
	}
	return msg("closed." + string(f.cfg.Mode))
}
