package hospital

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// The admin menu (issue 22.6): a member of staff taps "Nhân viên" on the
// welcome screen (IntentAdmin), types a staff PIN (IntentPIN with
// Intent.Digits; firmware/admin checks it, locks the menu after too many
// wrong PINs) and gets the menu: device status, printer test page, reprint
// of the last ticket, acknowledge a paper change, open or close a queue
// service (IntentService), today's report (printed), restart. Back, or
// Config.AdminIdle without a touch, logs out to welcome. No card is read
// meanwhile. Every PIN entered, lockout, action and logout is recorded
// (records.HospitalAdmin) before it takes effect; nothing about a patient
// is shown, printed or recorded, and the PIN never leaves the intent.

// AdminDesk is what the admin menu needs beyond the flow's own devices;
// start.go implements it over firmware/admin, the store and the printer.
type AdminDesk interface {
	// CheckPIN checks a typed PIN (*admin.Guard); an error means the
	// lockout state could not be saved, and the PIN is refused.
	CheckPIN(pin string) (admin.Result, error)
	// Status is the device status the menu shows.
	Status(ctx context.Context) DeviceStatus
	// Report counts the records of each kind written since since.
	Report(ctx context.Context, since time.Time) ([]ReportLine, error)
	// Restart ends kioskd so that its service manager starts it again.
	Restart()
	// Closed lists the queue services staff closed and did not reopen,
	// as the kiosk's own hospital.admin records say, so a restart keeps
	// them closed.
	Closed(ctx context.Context) ([]string, error)
}

// StaffAcker is implemented by a StaffCaller that can acknowledge a call
// on the desk itself (*profile.SiteQueue on the queue host): the admin
// menu's "paper changed" takes the kiosk's open paper alerts.
type StaffAcker interface {
	Ack(ctx context.Context, id, by string) (staffcall.Call, error)
}

// Admin is the admin screen: the PIN keypad until a member of staff is
// logged in, then the menu. It holds no PIN and no patient data.
type Admin struct {
	// LoggedIn: the menu shows; otherwise the PIN keypad.
	LoggedIn bool `json:"logged_in"`
	// Staff is who is logged in (the PIN file's name).
	Staff string `json:"staff,omitempty"`
	// Message is the outcome of the last PIN or action.
	Message Text `json:"message"`
	// PINMin and PINMax bound the keypad's entry.
	PINMin int `json:"pin_min"`
	PINMax int `json:"pin_max"`
	// LockedUntil is when a lockout ends (zero: not locked).
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// Busy: an action (printing, reading the store) is running.
	Busy bool `json:"busy,omitempty"`
	// Status is the device status, once asked for.
	Status *DeviceStatus `json:"status,omitempty"`
	// Report is today's record counts, once asked for.
	Report []ReportLine `json:"report,omitempty"`
	// Services are the queue services this kiosk issues numbers in, each
	// open or closed (IntentService with Intent.Service, Intent.Yes=open).
	Services []ServiceState `json:"services,omitempty"`
	// CanReprint: a ticket was printed since the start.
	CanReprint bool `json:"can_reprint,omitempty"`
}

// DeviceStatus is the admin menu's device status.
type DeviceStatus struct {
	Printer    string `json:"printer"`     // ok, paper_near_end, paper_end, cover_open, offline, error
	StoreFill  int    `json:"store_fill"`  // percent of the store's capacity used
	Backlog    int64  `json:"backlog"`     // records not yet uploaded
	OldestWait string `json:"oldest_wait"` // age of the oldest of them ("" none)
	LastAcked  int64  `json:"last_acked"`  // the last record sequence the backend acknowledged
	PaperCalls int    `json:"paper_calls"` // open paper alerts of this kiosk
}

// ReportLine is one line of today's report.
type ReportLine struct {
	Kind  string `json:"kind"`
	Label string `json:"label,omitempty"` // the kind in Vietnamese (records.Label)
	Count int    `json:"count"`
}

// ServiceState is a queue service and whether the kiosk issues numbers in it.
type ServiceState struct {
	Service string `json:"service"`
	Open    bool   `json:"open"`
}

// adminModel is the admin screen's state (owned by the Run goroutine). It
// outlives a session: closed services and the last ticket stay.
type adminModel struct {
	staff      string
	message    Text
	locked     time.Time
	busy       bool
	status     *DeviceStatus
	report     []ReportLine
	closed     map[string]bool
	lastTicket *escpos.Document // no personal data: what the ticket showed
	paperCalls []string         // open paper-out staff calls raised by this kiosk
}

// loadClosed restores the services staff closed before a restart.
func (f *Flow) loadClosed(ctx context.Context) {
	if f.deps.Admin == nil {
		return
	}
	closed, err := f.deps.Admin.Closed(ctx)
	if err != nil {
		f.log.Error("hospital: closed queue services not read: all open", "err", err)
		return
	}
	for _, s := range closed {
		if slices.Contains(f.services(), s) {
			if f.m.admin.closed == nil {
				f.m.admin.closed = map[string]bool{}
			}
			f.m.admin.closed[s] = true
			f.log.Info("hospital: queue service stays closed", "service", s)
		}
	}
	f.publishClosed()
}

// publishClosed hands ServiceOpen a copy of the closed services.
func (f *Flow) publishClosed() {
	c := maps.Clone(f.m.admin.closed)
	f.closedView.Store(&c)
}

// ServiceOpen reports whether staff left queue service s open (the admin
// menu closes services). Safe from any goroutine: the ticket dispenser's
// button asks it, so a closed service's button issues no number either.
func (f *Flow) ServiceOpen(s string) bool {
	c := f.closedView.Load()
	return c == nil || !(*c)[s]
}

func (f *Flow) openAdmin() {
	f.stopOp() // no card is read under the menu
	f.m.admin.staff, f.m.admin.status, f.m.admin.report = "", nil, nil
	f.m.admin.message = msg("admin.enter_pin")
	f.m.admin.locked = time.Time{}
	f.setScreen(ScreenAdmin)
}

func (f *Flow) adminIntent(in Intent) {
	a := &f.m.admin
	if in.Kind == IntentPIN {
		f.adminPIN(in.Digits)
		return
	}
	if a.staff == "" || a.busy {
		return
	}
	a.status, a.report = nil, nil
	switch in.Kind {
	case IntentAdminStatus:
		f.adminStatus()
	case IntentTestPage:
		f.adminPrint(records.AdminTestPage, f.testPage())
	case IntentReprint:
		f.adminPrint(records.AdminReprint, a.lastTicket)
	case IntentPaperChanged:
		f.adminPaper()
	case IntentService:
		f.adminService(in.Service, in.Yes)
	case IntentReport:
		f.adminReport()
	case IntentRestart:
		if f.audit(records.AdminRestart, "ok", "") {
			f.log.Warn("hospital: restart from the admin menu", "staff", a.staff)
			f.deps.Admin.Restart()
		}
	}
}

// audit records an admin record; false (and out of service) if it could
// not be stored: the action then does not happen.
func (f *Flow) audit(action, outcome, detail string) bool {
	if f.record(&records.HospitalAdmin{Staff: f.m.admin.staff, Action: action, Outcome: outcome, Detail: detail}, nil) {
		return true
	}
	f.m.admin = adminModel{closed: f.m.admin.closed, lastTicket: f.m.admin.lastTicket, paperCalls: f.m.admin.paperCalls}
	f.stop()
	return false
}

// adminPIN checks a typed PIN in the background (PBKDF2 over every staff
// line takes a noticeable time on a kiosk board) and records the outcome.
func (f *Flow) adminPIN(pin string) {
	a := &f.m.admin
	if a.staff != "" || a.busy {
		return
	}
	check := f.deps.Admin.CheckPIN
	f.adminRun(func(context.Context) func() {
		r, err := check(pin)
		return func() { f.onPIN(r, err) }
	})
}

func (f *Flow) onPIN(r admin.Result, err error) {
	a := &f.m.admin
	if err != nil {
		f.log.Error("hospital: admin lockout state", "err", err)
		r.Outcome = "failed"
	}
	detail := ""
	switch r.Outcome {
	case admin.OutcomeWrongPIN, admin.OutcomeInvalid:
		detail = fmt.Sprintf("left %d", r.FailuresLeft)
	case admin.OutcomeLockout, admin.OutcomeLocked:
		detail = "until " + r.Until.UTC().Format(time.RFC3339)
	}
	a.staff = r.Staff
	if !f.audit(records.AdminLogin, r.Outcome, detail) {
		return
	}
	switch r.Outcome {
	case admin.OutcomeOK:
		a.message, a.locked = msgf("admin.welcome", r.Staff), time.Time{}
		f.log.Info("hospital: admin login", "staff", r.Staff)
	case admin.OutcomeLockout, admin.OutcomeLocked:
		a.locked = r.Until
		a.message = msgf("admin.locked", r.Until.In(f.cfg.Location).Format("15:04"))
		f.log.Warn("hospital: admin menu locked after wrong PINs", "until", r.Until)
	case admin.OutcomeInvalid:
		a.message = msg("admin.pin_invalid")
	case "failed":
		a.message = msg("admin.pin_failed")
	default:
		a.message = msgf("admin.wrong_pin", r.FailuresLeft)
	}
}

// adminLogout leaves the admin screen (reason: left, idle) for welcome.
func (f *Flow) adminLogout(reason string) {
	a := &f.m.admin
	if a.staff != "" && !f.audit(records.AdminLogout, "ok", reason) {
		return
	}
	f.m.admin = adminModel{closed: a.closed, lastTicket: a.lastTicket, paperCalls: a.paperCalls}
	f.toWelcome()
}

// adminRun runs an admin step in the background; done is applied on the
// Run goroutine.
func (f *Flow) adminRun(op func(ctx context.Context) func()) {
	f.m.admin.busy = true
	f.start(func(ctx context.Context, _ uint64) func() {
		sctx, cancel := f.stepCtx(ctx)
		defer cancel()
		done := op(sctx)
		return func() {
			f.m.admin.busy = false
			done()
		}
	})
}

func (f *Flow) adminStatus() {
	calls := len(f.m.admin.paperCalls)
	f.adminRun(func(ctx context.Context) func() {
		s := f.deps.Admin.Status(ctx)
		s.PaperCalls = calls
		return func() {
			if f.audit(records.AdminStatus, "ok", "") {
				f.m.admin.status, f.m.admin.message = &s, msg("admin.status")
			}
		}
	})
}

func (f *Flow) adminPrint(action string, doc *escpos.Document) {
	if doc == nil {
		return
	}
	f.adminRun(func(ctx context.Context) func() {
		_, err := f.deps.Printer.Print(ctx, doc)
		return func() {
			if err != nil {
				if f.audit(action, "failed", errClass(err)) {
					f.m.admin.message = msg("admin.print_failed")
				}
				return
			}
			if f.audit(action, "ok", "") {
				f.m.admin.message = msg("admin.printed")
			}
		}
	})
}

// testPage is the printer test page (staffmenu.TestPage, as every
// profile's staff menu prints it).
func (f *Flow) testPage() *escpos.Document {
	return staffmenu.TestPage(f.cfg.Header.Name, f.cfg.DeviceID, f.now().In(f.cfg.Location))
}

func (f *Flow) adminPaper() {
	a := &f.m.admin
	ids := slices.Clone(a.paperCalls)
	acker, _ := f.deps.Staff.(StaffAcker)
	by := "admin:" + a.staff
	f.adminRun(func(ctx context.Context) func() {
		var left []string
		for _, id := range ids {
			if acker == nil {
				left = append(left, id)
				continue
			}
			if _, err := acker.Ack(ctx, id, by); err != nil {
				left = append(left, id)
			}
		}
		return func() {
			detail := fmt.Sprintf("calls %d", len(ids)-len(left))
			if len(left) > 0 {
				detail += fmt.Sprintf(", not taken %d", len(left))
			}
			if f.audit(records.AdminPaperChanged, "ok", detail) {
				f.m.admin.paperCalls = slices.DeleteFunc(f.m.admin.paperCalls, func(id string) bool { return slices.Contains(ids, id) && !slices.Contains(left, id) })
				f.m.admin.message = msg("admin.paper_changed")
			}
		}
	})
}

func (f *Flow) adminService(svc string, open bool) {
	if !slices.Contains(f.services(), svc) {
		return
	}
	action := records.AdminServiceClose
	if open {
		action = records.AdminServiceOpen
	}
	if !f.audit(action, "ok", svc) {
		return
	}
	a := &f.m.admin
	if a.closed == nil {
		a.closed = map[string]bool{}
	}
	if open {
		delete(a.closed, svc)
		a.message = msgf("admin.service_opened", svc)
	} else {
		a.closed[svc] = true
		a.message = msgf("admin.service_closed", svc)
	}
	f.publishClosed()
}

func (f *Flow) adminReport() {
	now := f.now().In(f.cfg.Location)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, f.cfg.Location)
	f.adminRun(func(ctx context.Context) func() {
		lines, err := f.deps.Admin.Report(ctx, midnight)
		if err == nil {
			_, err = f.deps.Printer.Print(ctx, f.reportDoc(now, lines))
		}
		return func() {
			if err != nil {
				if f.audit(records.AdminReport, "failed", errClass(err)) {
					f.m.admin.report, f.m.admin.message = lines, msg("admin.report_failed")
				}
				return
			}
			if f.audit(records.AdminReport, "ok", "") {
				f.m.admin.report, f.m.admin.message = lines, msg("admin.report_printed")
			}
		}
	})
}

// reportDoc is today's report on paper (staffmenu.ReportDoc).
func (f *Flow) reportDoc(now time.Time, lines []ReportLine) *escpos.Document {
	out := make([]staffmenu.ReportLine, 0, len(lines))
	for _, l := range lines {
		out = append(out, staffmenu.ReportLine{Kind: l.Kind, Label: l.Label, Count: l.Count})
	}
	return staffmenu.ReportDoc(f.cfg.Header.Name, f.cfg.DeviceID, now, out)
}

// services are the queue services this kiosk issues numbers in, sorted.
func (f *Flow) services() []string {
	s := []string{f.cfg.DefaultQueue}
	for _, q := range f.cfg.ClinicQueues {
		if !slices.Contains(s, q) {
			s = append(s, q)
		}
	}
	slices.Sort(s)
	return s
}

// serviceClosed reports whether staff closed the service of clinic.
func (f *Flow) serviceClosed(clinic string) bool { return f.m.admin.closed[f.queueFor(clinic)] }

// notePaperCall remembers an open paper-out alert for "paper changed".
func (f *Flow) notePaperCall(c staffcall.Call, id string) {
	if id != "" && strings.Contains(c.Reason, "paper") {
		f.m.admin.paperCalls = append(f.m.admin.paperCalls, id)
	}
}

// forgetCall drops a call staff took (it no longer needs "paper changed").
func (f *Flow) forgetCall(id string) {
	f.m.admin.paperCalls = slices.DeleteFunc(f.m.admin.paperCalls, func(x string) bool { return x == id })
}

func (f *Flow) renderAdmin() *Admin {
	a := &f.m.admin
	x := &Admin{LoggedIn: a.staff != "", Staff: a.staff, Message: a.message, PINMin: admin.MinPINLength, PINMax: admin.MaxPINLength,
		LockedUntil: a.locked, Busy: a.busy, Report: slices.Clone(a.report), CanReprint: a.lastTicket != nil}
	if a.status != nil {
		s := *a.status
		x.Status = &s
	}
	if x.LoggedIn {
		for _, s := range f.services() {
			x.Services = append(x.Services, ServiceState{Service: s, Open: !a.closed[s]})
		}
	}
	return x
}

func (f *Flow) adminActions() []Action {
	a := &f.m.admin
	if a.staff == "" {
		return []Action{act(IntentBack, "back", false)}
	}
	out := []Action{act(IntentAdminStatus, "admin_status", true), act(IntentTestPage, "test_page", false)}
	if a.lastTicket != nil {
		out = append(out, act(IntentReprint, "reprint", false))
	}
	return append(out, act(IntentPaperChanged, "paper_changed", false), act(IntentReport, "report", false),
		act(IntentRestart, "restart", false), act(IntentBack, "logout", false))
}
