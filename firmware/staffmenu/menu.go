package staffmenu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// Intent kinds: what the staff screen sends.
const (
	IntentPIN      = "pin"           // Intent.Digits typed on the keypad
	IntentActivity = "activity"      // a key pressed: the idle timer starts again
	IntentStatus   = "status"        // show the device status
	IntentTestPage = "test_page"     // print the printer test page
	IntentReprint  = "reprint"       // print the last ticket or receipt again
	IntentPaper    = "paper_changed" // the paper roll was changed
	IntentService  = "service"       // open (Intent.Open) or close Intent.Service
	IntentReport   = "report"        // today's report
	IntentRestart  = "restart"       // restart kioskd
	IntentLogout   = "logout"        // leave the menu
)

// Intent is one tap on the staff screen. A PIN travels only here, from
// the keypad to the check; the menu keeps it nowhere.
type Intent struct {
	Kind    string `json:"kind"`
	Digits  string `json:"digits,omitempty"`
	Service string `json:"service,omitempty"`
	Open    bool   `json:"open,omitempty"`
}

// Message is a line of the staff screen: a ui/i18n key ("staff.…") and its
// placeholders as name, value pairs.
type Message struct {
	Key  string   `json:"key"`
	Args []string `json:"args,omitempty"`
}

// View is the staff screen's state: the PIN keypad until a member of
// staff is logged in (none while locked), then the menu.
type View struct {
	LoggedIn bool    `json:"logged_in"`
	Staff    string  `json:"staff,omitempty"`
	Message  Message `json:"message"`
	// Alert: the message says something failed or the menu is locked.
	Alert       bool      `json:"alert,omitempty"`
	PINMin      int       `json:"pin_min"`
	PINMax      int       `json:"pin_max"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// Busy: a check, a print or a store read is running.
	Busy     bool           `json:"busy,omitempty"`
	Status   *Status        `json:"status,omitempty"`
	Report   []ReportLine   `json:"report,omitempty"`
	Services []ServiceState `json:"services,omitempty"`
	// Actions are the menu's buttons, in order: the intent kinds offered
	// (IntentLogout last, always).
	Actions []string `json:"actions"`
}

// Status is the device status the menu shows.
type Status struct {
	Printer    string `json:"printer"`     // ok, paper_near_end, paper_end, cover_open, offline, error; none without a printer
	StoreFill  int    `json:"store_fill"`  // percent of the store's capacity used
	Backlog    int64  `json:"backlog"`     // records not yet uploaded
	OldestWait string `json:"oldest_wait"` // age of the oldest of them ("" none)
	LastAcked  int64  `json:"last_acked"`  // the last record sequence the backend acknowledged
	PaperCalls int    `json:"paper_calls"` // open paper alerts of this device
	Clock      string `json:"clock"`       // the device's time in its zone, "15:04 02/01/2006"
}

// ReportLine is one line of today's report: records of a kind since midnight.
type ReportLine struct {
	Kind  string `json:"kind"`
	Label string `json:"label"` // the kind in Vietnamese (records.Label)
	Count int    `json:"count"`
}

// ServiceState is a service staff may open or close, and whether it is open.
type ServiceState struct {
	Service string `json:"service"`
	Open    bool   `json:"open"`
}

// Host is the flow that mounts the menu: it runs the menu's slow work off
// its loop and applies the returned function on the loop (then publishes
// its state), and it runs timers on the loop. flowrun.Loop is one
// (LoopHost).
type Host interface {
	Go(op func(ctx context.Context) func())
	After(d time.Duration, f func()) (stop func())
}

// PINChecker checks a typed PIN (*admin.Guard); an error means the
// lockout state could not be saved, and the PIN is refused.
type PINChecker interface {
	Check(pin string) (admin.Result, error)
}

// Printer is the device's receipt or ticket printer (*escpos.Printer).
type Printer interface {
	Print(ctx context.Context, doc *escpos.Document) (escpos.Result, error)
	Status(ctx context.Context) (escpos.Status, error)
}

// CallAcker acknowledges a staff call on the site's desk (*profile.SiteQueue).
type CallAcker interface {
	Ack(ctx context.Context, id, by string) (staffcall.Call, error)
}

// Config is what a profile gives its menu.
type Config struct {
	// Profile names the menu in its audit records ("ticketing").
	Profile string
	// DeviceID and Site head the printed test page and report.
	DeviceID, Site string
	// Location is the zone times are shown and "today" begins in.
	Location *time.Location
	PINs     PINChecker
	// Store holds the audit; the status and the report read it.
	Store *store.Store
	// Printer, when set, prints the test page, reprints and the report.
	Printer Printer
	// Kinds are the record kinds today's report counts (admin.audit is
	// always added).
	Kinds []string
	// Services are the services staff may open or close (none: no row).
	Services []string
	// Restart ends kioskd so that systemd starts it again (nil: no button).
	Restart func()
	// Calls, when set, takes the device's open paper alerts on "paper
	// changed" (else the change is only recorded).
	Calls CallAcker
	// Idle logs a menu left untouched out (default 60 s).
	Idle time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// reportPage bounds one read of the store for today's report.
const reportPage = 1000

// Menu is one profile's staff menu. Its methods run on the host's loop.
type Menu struct {
	cfg Config

	ctx      context.Context
	host     Host
	leave    func()
	active   bool
	session  uint64 // changes on open and logout: late results are dropped
	stopIdle func()

	staff  string
	msg    Message
	alert  bool
	locked time.Time
	busy   bool
	status *Status
	report []ReportLine
	// closed is read by ServiceOpen from any goroutine (the ticket
	// dispenser's); changed only on the loop, under mu.
	mu     sync.RWMutex
	closed map[string]bool
	last   *escpos.Document
	calls  []string
}

// New makes a profile's menu; the services staff closed before a restart
// (the device's own admin.audit records say which) stay closed.
func New(ctx context.Context, cfg Config) (*Menu, error) {
	if cfg.PINs == nil || cfg.Store == nil {
		return nil, errors.New("staffmenu: a PIN checker and a store are needed")
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 60 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if !slices.Contains(cfg.Kinds, records.KindAdminAudit) {
		cfg.Kinds = append(slices.Clone(cfg.Kinds), records.KindAdminAudit)
	}
	m := &Menu{cfg: cfg, closed: map[string]bool{}}
	closed, err := m.readClosed(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range closed {
		if slices.Contains(cfg.Services, s) {
			m.closed[s] = true
			cfg.Log.Info("staffmenu: service stays closed", "profile", cfg.Profile, "service", s)
		}
	}
	return m, nil
}

// Open shows the PIN keypad; leave is called (on the loop) when the menu
// is left: Back, idle, or an audit that could not be stored.
func (m *Menu) Open(ctx context.Context, host Host, leave func()) {
	m.ctx, m.host, m.leave = ctx, host, leave
	m.active = true
	m.session++
	m.staff, m.status, m.report, m.busy, m.alert = "", nil, nil, false, false
	m.msg = Message{Key: "staff.enter_pin"}
	m.locked = time.Time{}
	m.touch()
}

// Active reports whether the menu is open.
func (m *Menu) Active() bool { return m.active }

// ServiceOpen reports whether staff left service s open (every service
// is open until staff close it). Unlike the other methods it is safe from
// any goroutine: a ticket dispenser's button asks it.
func (m *Menu) ServiceOpen(s string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return !m.closed[s]
}

// Printed hands the menu the flow's last printed ticket or receipt, for
// "reprint"; nil forgets it.
func (m *Menu) Printed(doc *escpos.Document) { m.last = doc }

// NoteCall remembers an open paper-out staff call this device raised.
func (m *Menu) NoteCall(id string) {
	if id != "" && !slices.Contains(m.calls, id) {
		m.calls = append(m.calls, id)
	}
}

// ForgetCall drops a call staff took elsewhere.
func (m *Menu) ForgetCall(id string) {
	m.calls = slices.DeleteFunc(m.calls, func(x string) bool { return x == id })
}

// touch (re)starts the idle timer.
func (m *Menu) touch() {
	if m.stopIdle != nil {
		m.stopIdle()
	}
	s := m.session
	m.stopIdle = m.host.After(m.cfg.Idle, func() {
		switch {
		case !m.active || m.session != s:
		case m.busy: // a check or a print still runs: wait again
			m.touch()
		default:
			m.logout("idle")
		}
	})
}

// Handle applies one intent from the staff screen.
func (m *Menu) Handle(in Intent) {
	if !m.active {
		return
	}
	m.touch()
	switch in.Kind {
	case IntentActivity:
		return
	case IntentPIN:
		m.pin(in.Digits)
		return
	case IntentLogout:
		if !m.busy {
			m.logout("left")
		}
		return
	}
	if m.staff == "" || m.busy {
		return
	}
	m.status, m.report, m.alert = nil, nil, false
	switch in.Kind {
	case IntentStatus:
		m.showStatus()
	case IntentTestPage:
		if m.cfg.Printer != nil {
			m.print(records.AdminTestPage, m.testPage())
		}
	case IntentReprint:
		if m.cfg.Printer != nil && m.last != nil {
			m.print(records.AdminReprint, m.last)
		}
	case IntentPaper:
		m.paper()
	case IntentService:
		m.service(in.Service, in.Open)
	case IntentReport:
		m.todayReport()
	case IntentRestart:
		if m.cfg.Restart != nil && m.audit(records.AdminRestart, "ok", "") {
			m.msg = Message{Key: "staff.restarting"}
			m.cfg.Log.Warn("staffmenu: restart from the staff menu", "profile", m.cfg.Profile, "staff", m.staff)
			m.cfg.Restart()
		}
	}
}

// audit stores an admin.audit record before its action; false when it
// could not be stored: the action does not happen and the menu is left.
func (m *Menu) audit(action, outcome, detail string) bool {
	now := m.cfg.Now()
	rec := &records.AdminAudit{Profile: m.cfg.Profile, Staff: m.staff, Action: action, Outcome: outcome, Detail: detail}
	rec.SetStamp(m.cfg.DeviceID, now)
	if _, err := records.Append(m.ctx, m.cfg.Store, now, rec, nil); err != nil {
		m.cfg.Log.Error("staffmenu: audit record not stored: the action is not taken", "profile", m.cfg.Profile, "action", action, "err", err)
		m.end()
		return false
	}
	return true
}

// run runs op off the loop; its result is applied unless the menu was
// left or opened again meanwhile.
func (m *Menu) run(op func(ctx context.Context) func()) {
	m.busy = true
	s := m.session
	m.host.Go(func(ctx context.Context) func() {
		done := op(ctx)
		return func() {
			if m.session != s {
				return
			}
			m.busy = false
			done()
		}
	})
}

func (m *Menu) pin(pin string) {
	if m.staff != "" || m.busy {
		return
	}
	check := m.cfg.PINs.Check
	m.run(func(context.Context) func() {
		r, err := check(pin)
		return func() { m.onPIN(r, err) }
	})
}

func (m *Menu) onPIN(r admin.Result, err error) {
	if err != nil {
		m.cfg.Log.Error("staffmenu: lockout state", "profile", m.cfg.Profile, "err", err)
		r = admin.Result{Outcome: "failed"}
	}
	detail := ""
	switch r.Outcome {
	case admin.OutcomeWrongPIN, admin.OutcomeInvalid:
		detail = fmt.Sprintf("left %d", r.FailuresLeft)
	case admin.OutcomeLockout, admin.OutcomeLocked:
		detail = "until " + r.Until.UTC().Format(time.RFC3339)
	}
	m.staff = r.Staff
	if !m.audit(records.AdminLogin, r.Outcome, detail) {
		return
	}
	m.alert = r.Outcome != admin.OutcomeOK
	switch r.Outcome {
	case admin.OutcomeOK:
		m.msg, m.locked = Message{Key: "staff.welcome", Args: []string{"staff", r.Staff}}, time.Time{}
		m.cfg.Log.Info("staffmenu: staff logged in", "profile", m.cfg.Profile, "staff", r.Staff)
	case admin.OutcomeLockout, admin.OutcomeLocked:
		m.locked = r.Until
		m.msg = Message{Key: "staff.locked", Args: []string{"until", r.Until.In(m.cfg.Location).Format("15:04")}}
		m.cfg.Log.Warn("staffmenu: locked after wrong PINs", "profile", m.cfg.Profile, "until", r.Until)
	case admin.OutcomeInvalid:
		m.msg = Message{Key: "staff.pin_invalid"}
	case "failed":
		m.msg = Message{Key: "staff.pin_failed"}
	default:
		m.msg = Message{Key: "staff.wrong_pin", Args: []string{"left", fmt.Sprint(r.FailuresLeft)}}
	}
}

// logout leaves the menu (reason: left, idle), recorded when someone was
// logged in.
func (m *Menu) logout(reason string) {
	if m.staff != "" && !m.audit(records.AdminLogout, "ok", reason) {
		return
	}
	m.end()
}

// end closes the menu and hands the screen back to the flow.
func (m *Menu) end() {
	if m.stopIdle != nil {
		m.stopIdle()
		m.stopIdle = nil
	}
	m.active = false
	m.session++
	m.staff, m.status, m.report, m.busy = "", nil, nil, false
	if m.leave != nil {
		m.leave()
	}
}

func (m *Menu) showStatus() {
	calls := len(m.calls)
	m.run(func(ctx context.Context) func() {
		s := m.deviceStatus(ctx)
		s.PaperCalls = calls
		return func() {
			if m.audit(records.AdminStatus, "ok", "") {
				m.status, m.msg = &s, Message{Key: "staff.status"}
			}
		}
	})
}

func (m *Menu) deviceStatus(ctx context.Context) Status {
	s := Status{Printer: "none", Clock: m.cfg.Now().In(m.cfg.Location).Format("15:04 02/01/2006")}
	if m.cfg.Printer != nil {
		s.Printer = "offline"
		if ps, err := m.cfg.Printer.Status(ctx); err == nil {
			s.Printer = PrinterState(ps)
		}
	}
	c := m.cfg.Store.Capacity()
	s.StoreFill = int(c.Fraction*100 + 0.5)
	if ob, err := m.cfg.Store.Outbox(ctx); err == nil {
		s.Backlog, s.LastAcked = ob.Pending, int64(ob.LastAckedSeq)
		if ob.Pending > 0 {
			s.OldestWait = ob.OldestPendingAge.Truncate(time.Second).String()
		}
	}
	return s
}

// PrinterState names an ESC/POS status the way the staff screen shows it.
func PrinterState(s escpos.Status) string {
	switch {
	case !s.Online:
		return "offline"
	case s.Paper == escpos.PaperEnd:
		return "paper_end"
	case s.CoverOpen:
		return "cover_open"
	case s.Err() != nil:
		return "error"
	case s.Paper == escpos.PaperNearEnd:
		return "paper_near_end"
	}
	return "ok"
}

func (m *Menu) print(action string, doc *escpos.Document) {
	p := m.cfg.Printer
	m.run(func(ctx context.Context) func() {
		_, err := p.Print(ctx, doc)
		return func() {
			if err != nil {
				if m.audit(action, "failed", errClass(err)) {
					m.msg, m.alert = Message{Key: "staff.print_failed"}, true
				}
				return
			}
			if m.audit(action, "ok", "") {
				m.msg = Message{Key: "staff.printed"}
			}
		}
	})
}

// errClass is an error's class for the audit: never its text, which may
// carry a path or a device's words.
func errClass(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "error"
}

// testPage is the printer test page of this device.
func (m *Menu) testPage() *escpos.Document {
	return TestPage(m.cfg.Site, m.cfg.DeviceID, m.cfg.Now().In(m.cfg.Location))
}

// TestPage is a printer test page: the site, the device, the time (now,
// in the device's zone) and the Vietnamese letters the printer must show.
// The hospital's admin menu prints it too.
func TestPage(site, deviceID string, now time.Time) *escpos.Document {
	d := &escpos.Document{}
	return d.Add(
		escpos.Text{Text: "TRANG IN THỬ", Bold: true, Align: escpos.AlignCenter, Size: escpos.SizeLarge},
		escpos.Text{Text: site, Align: escpos.AlignCenter},
		escpos.Text{Text: "Máy: " + deviceID},
		escpos.Text{Text: "Lúc: " + now.Format("15:04 02/01/2006")},
		escpos.Rule{},
		escpos.Text{Text: "ĂÂĐÊÔƠƯ ăâđêôơư àáảãạ ỳýỷỹỵ 0123456789"},
		escpos.Cut{},
	)
}

func (m *Menu) paper() {
	ids := slices.Clone(m.calls)
	acker, by := m.cfg.Calls, "admin:"+m.staff
	m.run(func(ctx context.Context) func() {
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
			if m.audit(records.AdminPaperChanged, "ok", detail) {
				m.calls = slices.DeleteFunc(m.calls, func(id string) bool { return slices.Contains(ids, id) && !slices.Contains(left, id) })
				m.msg = Message{Key: "staff.paper_changed"}
			}
		}
	})
}

func (m *Menu) service(svc string, open bool) {
	if !slices.Contains(m.cfg.Services, svc) {
		return
	}
	action := records.AdminServiceClose
	if open {
		action = records.AdminServiceOpen
	}
	if !m.audit(action, "ok", svc) {
		return
	}
	m.mu.Lock()
	if open {
		delete(m.closed, svc)
	} else {
		m.closed[svc] = true
	}
	m.mu.Unlock()
	if open {
		m.msg = Message{Key: "staff.service_opened", Args: []string{"service", svc}}
	} else {
		m.msg = Message{Key: "staff.service_closed", Args: []string{"service", svc}}
	}
	m.cfg.Log.Info("staffmenu: service", "profile", m.cfg.Profile, "service", svc, "open", open, "staff", m.staff)
}

func (m *Menu) todayReport() {
	now := m.cfg.Now().In(m.cfg.Location)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, m.cfg.Location)
	p := m.cfg.Printer
	m.run(func(ctx context.Context) func() {
		lines, err := m.count(ctx, midnight)
		printed := false
		if err == nil && p != nil {
			_, err = p.Print(ctx, m.reportDoc(now, lines))
			printed = err == nil
		}
		return func() {
			if err != nil {
				if m.audit(records.AdminReport, "failed", errClass(err)) {
					m.report, m.msg, m.alert = lines, Message{Key: "staff.report_failed"}, true
				}
				return
			}
			if m.audit(records.AdminReport, "ok", "") {
				m.report, m.msg = lines, Message{Key: "staff.report_shown"}
				if printed {
					m.msg = Message{Key: "staff.report_printed"}
				}
			}
		}
	})
}

// count counts the records of each of the profile's kinds created since
// since.
func (m *Menu) count(ctx context.Context, since time.Time) ([]ReportLine, error) {
	return Count(ctx, m.cfg.Store, m.cfg.Kinds, since)
}

// Count counts the records of each of kinds in st created since since,
// with each kind's Vietnamese label (only kinds and times are looked at,
// never a payload); kinds without one are left out. The hospital's admin
// menu counts its report with it too.
func Count(ctx context.Context, st *store.Store, kinds []string, since time.Time) ([]ReportLine, error) {
	var out []ReportLine
	for _, k := range kinds {
		n := 0
		var from store.Seq
		for {
			recs, err := st.Records(ctx, k, from, reportPage)
			if err != nil {
				return out, fmt.Errorf("staffmenu: report: %w", err)
			}
			for _, r := range recs {
				if !r.CreatedAt.Before(since) {
					n++
				}
				from = r.Seq
			}
			if len(recs) < reportPage {
				break
			}
		}
		if n > 0 {
			out = append(out, ReportLine{Kind: k, Label: records.Label(k), Count: n})
		}
	}
	return out, nil
}

func (m *Menu) reportDoc(now time.Time, lines []ReportLine) *escpos.Document {
	return ReportDoc(m.cfg.Site, m.cfg.DeviceID, now, lines)
}

// ReportDoc is today's report on paper: the site, the device, the day and
// time it was made (now, in the device's zone), one row per kind by its
// Vietnamese label, or a line saying there was nothing yet. The
// hospital's admin menu prints it too.
func ReportDoc(site, deviceID string, now time.Time, lines []ReportLine) *escpos.Document {
	d := &escpos.Document{}
	d.Add(escpos.Text{Text: "BÁO CÁO TRONG NGÀY", Bold: true, Align: escpos.AlignCenter},
		escpos.Text{Text: site, Align: escpos.AlignCenter},
		escpos.Text{Text: "Máy: " + deviceID},
		escpos.Text{Text: "Ngày " + now.Format("02/01/2006") + ", đến " + now.Format("15:04")},
		escpos.Rule{})
	for _, l := range lines {
		label := l.Label
		if label == "" {
			label = records.Label(l.Kind)
		}
		d.Add(escpos.Row{Left: label, Right: fmt.Sprint(l.Count)})
	}
	if len(lines) == 0 {
		d.Add(escpos.Text{Text: "Chưa có giao dịch nào hôm nay."})
	}
	return d.Add(escpos.Rule{}, escpos.Cut{})
}

// readClosed folds the device's admin.audit records of this profile: a
// service closed by its last service_close with no later service_open.
func (m *Menu) readClosed(ctx context.Context) ([]string, error) {
	closed := map[string]bool{}
	var from store.Seq
	for {
		recs, err := m.cfg.Store.Records(ctx, records.KindAdminAudit, from, reportPage)
		if err != nil {
			return nil, fmt.Errorf("staffmenu: audit records: %w", err)
		}
		for _, r := range recs {
			from = r.Seq
			var a records.AdminAudit
			if records.Decode(r, &a) != nil || a.Outcome != "ok" || a.Profile != m.cfg.Profile {
				continue
			}
			switch a.Action {
			case records.AdminServiceClose:
				closed[a.Detail] = true
			case records.AdminServiceOpen:
				delete(closed, a.Detail)
			}
		}
		if len(recs) < reportPage {
			break
		}
	}
	out := make([]string, 0, len(closed))
	for s := range closed {
		out = append(out, s)
	}
	slices.Sort(out)
	return out, nil
}

// View is the staff screen's state now (nil when the menu is not open).
func (m *Menu) View() *View {
	if !m.active {
		return nil
	}
	v := &View{LoggedIn: m.staff != "", Staff: m.staff, Message: m.msg, Alert: m.alert || !m.locked.IsZero(),
		PINMin: admin.MinPINLength, PINMax: admin.MaxPINLength, LockedUntil: m.locked, Busy: m.busy,
		Report: slices.Clone(m.report)}
	if m.status != nil {
		s := *m.status
		v.Status = &s
	}
	if v.LoggedIn {
		for _, s := range m.cfg.Services {
			v.Services = append(v.Services, ServiceState{Service: s, Open: m.ServiceOpen(s)})
		}
		v.Actions = append(v.Actions, IntentStatus)
		if m.cfg.Printer != nil {
			v.Actions = append(v.Actions, IntentTestPage)
			if m.last != nil {
				v.Actions = append(v.Actions, IntentReprint)
			}
			v.Actions = append(v.Actions, IntentPaper)
		}
		v.Actions = append(v.Actions, IntentReport)
		if m.cfg.Restart != nil {
			v.Actions = append(v.Actions, IntentRestart)
		}
	}
	v.Actions = append(v.Actions, IntentLogout)
	return v
}
