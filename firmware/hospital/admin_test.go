package hospital

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/records"
)

// fakeDesk is an AdminDesk over a real admin.Guard (lockout in memory).
type fakeDesk struct {
	*admin.Guard
	mu       sync.Mutex
	restarts int
	closed   []string // services closed before the start
}

func (d *fakeDesk) CheckPIN(pin string) (admin.Result, error) { return d.Check(pin) }

func (d *fakeDesk) Status(context.Context) DeviceStatus {
	return DeviceStatus{Printer: "ok", StoreFill: 12, Backlog: 3, OldestWait: "2m0s"}
}

func (d *fakeDesk) Report(context.Context, time.Time) ([]ReportLine, error) {
	return []ReportLine{{Kind: KindRegistration, Count: 7}}, nil
}

func (d *fakeDesk) Restart() { d.mu.Lock(); d.restarts++; d.mu.Unlock() }

func (d *fakeDesk) Closed(context.Context) ([]string, error) { return d.closed, nil }

const staffPIN = "246813"

func withAdmin(desk **fakeDesk) rigOpt {
	return func(_ *Config, d *Deps, r *rig) {
		line, err := admin.Line("kythuat1", staffPIN, nil)
		if err != nil {
			r.t.Fatal(err)
		}
		pins, err := admin.ParsePINs(strings.NewReader(line))
		if err != nil {
			r.t.Fatal(err)
		}
		g, err := admin.NewGuard(pins, admin.Policy{MaxFailures: 5, Lockout: 5 * time.Minute}, "", r.clock.Now)
		if err != nil {
			r.t.Fatal(err)
		}
		*desk = &fakeDesk{Guard: g}
		d.Admin = *desk
	}
}

// audits returns the admin records as "action/outcome/detail".
func (r *rig) audits() []string {
	var out []string
	for _, rec := range r.rec.kinds(records.KindHospitalAdmin) {
		a := payloadOf[records.HospitalAdmin](rec)
		out = append(out, a.Action+"/"+a.Outcome+"/"+a.Staff)
		b, err := records.Marshal(rec.Payload)
		if err != nil || strings.Contains(string(b), staffPIN) || strings.Contains(string(b), "000000") {
			r.t.Errorf("admin record %s holds a PIN (or %v)", b, err)
		}
	}
	return out
}

// typePIN sends a PIN and waits for its check (run in the background).
func (r *rig) typePIN(pin string) {
	r.t.Helper()
	r.send(Intent{Kind: IntentPIN, Digits: pin})
	r.wait("PIN checked", func(s State) bool { return s.Admin == nil || !s.Admin.Busy })
}

func TestAdminOnlyWithDesk(t *testing.T) {
	r := newRig(t)
	if r.last.Has(IntentAdmin) {
		t.Fatal("admin offered without an AdminDesk")
	}
}

func TestAdminPINLockout(t *testing.T) {
	var desk *fakeDesk
	r := newRig(t, withAdmin(&desk))
	r.tap(IntentAdmin)
	if r.last.Screen != ScreenAdmin || r.last.Admin.LoggedIn || r.last.Admin.PINMin != 4 {
		t.Fatalf("admin screen: %+v", r.last.Admin)
	}
	for i := range 4 {
		r.typePIN("000000")
		if r.last.Admin.LoggedIn || !strings.Contains(r.last.Admin.Message.VI, "Còn") {
			t.Fatalf("wrong PIN %d: %+v", i+1, r.last.Admin)
		}
	}
	r.typePIN("000000")
	if r.last.Admin.LockedUntil.IsZero() {
		t.Fatalf("five wrong PINs did not lock: %+v", r.last.Admin)
	}
	r.typePIN(staffPIN)
	if r.last.Admin.LoggedIn {
		t.Fatal("the right PIN logged in during the lockout")
	}
	r.clock.Advance(5 * time.Minute) // the idle minute logs the keypad out
	r.waitScreen(ScreenWelcome)
	r.tap(IntentAdmin)
	r.typePIN(staffPIN)
	if !r.last.Admin.LoggedIn || r.last.Admin.Staff != "kythuat1" || !r.last.Has(IntentTestPage) {
		t.Fatalf("right PIN after the lockout: %+v", r.last.Admin)
	}
	r.tap(IntentBack)
	if r.last.Screen != ScreenWelcome {
		t.Fatalf("logout: on %s", r.last.Screen)
	}
	want := "login/wrong_pin/ login/wrong_pin/ login/wrong_pin/ login/wrong_pin/ login/lockout/ login/locked/ login/ok/kythuat1 logout/ok/kythuat1"
	if got := strings.Join(r.audits(), " "); got != want {
		t.Fatalf("audit:\n got %s\nwant %s", got, want)
	}
}

func (r *rig) adminLogin() {
	r.t.Helper()
	r.tap(IntentAdmin)
	r.typePIN(staffPIN)
	if !r.last.Admin.LoggedIn {
		r.t.Fatalf("login: %+v", r.last.Admin)
	}
}

func TestAdminMenu(t *testing.T) {
	var desk *fakeDesk
	r := newRig(t, withAdmin(&desk))
	r.adminLogin()
	if r.last.Has(IntentReprint) {
		t.Fatal("reprint offered before any ticket")
	}

	r.tap(IntentTestPage)
	r.wait("test page", func(s State) bool { return s.Admin != nil && s.Admin.Message.Key == "admin.printed" })
	if !strings.Contains(r.printer.text(), "TRANG IN THỬ") {
		t.Fatalf("test page: %q", r.printer.text())
	}

	r.tap(IntentAdminStatus)
	s := r.wait("status", func(s State) bool { return s.Admin != nil && s.Admin.Status != nil })
	if s.Admin.Status.Backlog != 3 || s.Admin.Status.Printer != "ok" {
		t.Fatalf("status: %+v", s.Admin.Status)
	}

	r.tap(IntentReport)
	r.wait("report", func(s State) bool { return s.Admin != nil && s.Admin.Message.Key == "admin.report_printed" })
	if !strings.Contains(r.printer.text(), "BÁO CÁO TRONG NGÀY") || len(r.last.Admin.Report) != 1 {
		t.Fatalf("report: %q %+v", r.printer.text(), r.last.Admin.Report)
	}

	r.tap(IntentPaperChanged)
	r.wait("paper", func(s State) bool { return s.Admin != nil && s.Admin.Message.Key == "admin.paper_changed" })

	if got := r.last.Admin.Services; len(got) != 2 || got[0] != (ServiceState{"A", true}) || got[1] != (ServiceState{"B", true}) {
		t.Fatalf("services: %+v", got)
	}
	r.send(Intent{Kind: IntentService, Service: "B"})
	r.send(Intent{Kind: IntentService, Service: "Z"}) // not this kiosk's: ignored
	if got := r.last.Admin.Services; got[1].Open {
		t.Fatalf("B still open: %+v", got)
	}
	// The ticket dispenser's button asks the same (from its goroutine).
	if r.flow.ServiceOpen("B") || !r.flow.ServiceOpen("A") {
		t.Fatal("ServiceOpen does not follow the admin menu")
	}

	r.tap(IntentRestart)
	if desk.restarts != 1 {
		t.Fatalf("restarts %d", desk.restarts)
	}
	r.tap(IntentBack)

	// A patient cannot take a number in the closed service (K02 → B) …
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K02"})
	if r.last.Screen != ScreenError || r.last.Error.Code != "service_closed" {
		t.Fatalf("closed service: %s %+v", r.last.Screen, r.last.Error)
	}
	if len(r.rec.kinds(KindIntent)) != 0 {
		t.Fatal("a closed service still started a registration")
	}
	// … and staff may reopen it.
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)
	r.adminLogin()
	r.send(Intent{Kind: IntentService, Service: "B", Yes: true})
	if !r.last.Admin.Services[1].Open || !r.flow.ServiceOpen("B") {
		t.Fatal("B not reopened")
	}

	want := "login/ok/kythuat1 test_page/ok/kythuat1 status/ok/kythuat1 report/ok/kythuat1 paper_changed/ok/kythuat1 service_close/ok/kythuat1 restart/ok/kythuat1 logout/ok/kythuat1 login/ok/kythuat1 service_open/ok/kythuat1"
	if got := strings.Join(r.audits(), " "); got != want {
		t.Fatalf("audit:\n got %s\nwant %s", got, want)
	}
}

func TestAdminIdleLogout(t *testing.T) {
	var desk *fakeDesk
	r := newRig(t, withAdmin(&desk))
	r.adminLogin()
	r.clock.Advance(59 * time.Second)
	r.send(Intent{Kind: IntentActivity})
	if r.last.Screen != ScreenAdmin {
		t.Fatal("logged out before 60 s")
	}
	r.clock.Advance(60 * time.Second)
	r.waitScreen(ScreenWelcome)
	recs := r.rec.kinds(records.KindHospitalAdmin)
	if a := payloadOf[records.HospitalAdmin](recs[len(recs)-1]); a.Action != records.AdminLogout || a.Detail != "idle" {
		t.Fatalf("last audit %+v", a)
	}
	if len(r.rec.kinds(KindAbandoned)) != 0 {
		t.Fatal("an admin idle logout recorded as a patient abandoning")
	}
}

// TestAdminReprint: once a ticket was printed, staff may reprint it: the
// same slip, nothing more of the patient than it showed.
func TestAdminReprint(t *testing.T) {
	var desk *fakeDesk
	r := newRig(t, withAdmin(&desk), withConfig(func(c *Config) { c.Prepayment = false }))
	r.toClinic(adult)
	r.send(Intent{Kind: IntentChoose, Clinic: "K01"})
	r.waitScreen(ScreenTicket)
	slip := r.printer.text()
	r.tap(IntentDone)
	r.wait("welcome", func(s State) bool { return s.Screen == ScreenWelcome || s.Screen == ScreenGoodbye })
	if r.last.Screen == ScreenGoodbye {
		r.tap(IntentDone)
		r.waitScreen(ScreenWelcome)
	}
	r.adminLogin()
	r.tap(IntentReprint)
	r.wait("reprint", func(s State) bool { return s.Admin != nil && s.Admin.Message.Key == "admin.printed" })
	if got := r.printer.text(); got != slip || strings.Contains(got, adult.Citizen.Name) || strings.Contains(got, adult.Citizen.ID) {
		t.Fatalf("reprint:\n%s\nwant\n%s", got, slip)
	}
}

// TestAdminClosedSurvivesRestart: a service closed before a restart stays
// closed (from the desk's records); one this kiosk does not issue is ignored.
func TestAdminClosedSurvivesRestart(t *testing.T) {
	var desk *fakeDesk
	r := newRig(t, withAdmin(&desk), func(_ *Config, d *Deps, _ *rig) { d.Admin.(*fakeDesk).closed = []string{"B", "Z"} })
	r.adminLogin()
	if got := r.last.Admin.Services; len(got) != 2 || !got[0].Open || got[1].Open {
		t.Fatalf("services after start: %+v", got)
	}
}
