package onestop

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/tickets"
)

const (
	staffName = "motcua2"
	staffPIN  = "2468"
	wrongPIN  = "1357"
)

// staffRig is a flow over a real store (its records and the menu's audit
// in one place) with the staff menu profile.StaffMenu makes from an
// [admin] section whose PIN file has one member of staff.
type staffRig struct {
	*harness
	st   *store.Store
	menu *staffmenu.Menu
	env  profile.Env
	sc   staffmenu.Config
}

func newStaffRig(t *testing.T) *staffRig {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "kiosk.db"), KeyFile: filepath.Join(dir, "seal.key"), DeviceID: "kiosk-hue-01"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	line, err := admin.Line(staffName, staffPIN, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pins := filepath.Join(dir, "admin-pins")
	if err := os.WriteFile(pins, []byte("# staff of the one-stop office\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{}
	cfg.Device.ID, cfg.Device.DataDir, cfg.Device.Timezone = "kiosk-hue-01", dir, "Asia/Ho_Chi_Minh"
	cfg.Admin = config.Admin{PINFile: pins, MaxFailures: 5, Lockout: config.Duration(5 * time.Minute), Idle: config.Duration(60 * time.Second)}
	r := &staffRig{st: st, env: profile.Env{Config: cfg, Store: st, Log: slog.New(slog.DiscardHandler)}}
	r.harness = newHarnessDeps(t, nil, nil, func(h *harness, d *Deps) {
		r.sc = staffmenu.Config{Profile: Name, Site: "UBND PHƯỜNG PHÚ HỘI – BỘ PHẬN MỘT CỬA", Printer: h.print, Kinds: RecordKinds(),
			Services: []string{"A", "B", "C", "D"}, Now: h.clock.Now}
		if r.menu, err = profile.StaffMenu(context.Background(), r.env, r.sc); err != nil || r.menu == nil {
			t.Fatalf("staff menu %v %v", r.menu, err)
		}
		d.Recorder, d.Staff = StoreRecorder(st), r.menu
	})
	return r
}

// staff sends a tap of the staff screen and waits until the menu's work
// is done.
func (r *staffRig) staff(in staffmenu.Intent) State {
	r.t.Helper()
	r.send(Intent{Kind: IntentStaff, Staff: &in})
	return r.wait("staff menu idle", func(s State) bool { return s.Screen != ScreenStaff || s.Staff != nil && !s.Staff.Busy })
}

// records reads the store's records of kind.
func (r *staffRig) records(kind string) []store.Record {
	r.t.Helper()
	recs, err := r.st.Records(context.Background(), kind, 0, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	return recs
}

// waitReaderIdle waits until no card read runs.
func (r *staffRig) waitReaderIdle() {
	r.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); r.ids.reading.Load() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			r.t.Fatal("the card reader is still read under the staff menu")
		}
	}
}

// TestStaffMenu: the welcome screen offers the staff menu; opening it
// stops the card reading (a card presented starts nothing); a wrong PIN
// is refused, the right one logs in; the status, today's report and a
// reprint of the last ticket work; a counter closed is not offered to the
// next citizen and says why; logout returns to welcome, which reads cards
// again. Every step is an admin.audit record of the one-stop profile in
// the store, and no record carries a PIN.
func TestStaffMenu(t *testing.T) {
	r := newStaffRig(t)

	// A citizen takes a number: the ticket is what "reprint" prints.
	r.signIn(lan)
	r.send(Intent{Kind: IntentSearch})
	r.send(Intent{Kind: IntentChoose, Code: "SIM-XNC-001"})
	r.send(Intent{Kind: IntentQueue})
	r.wait("ticket", func(s State) bool { return s.Screen == ScreenTicket })
	ticket := r.print.lastDoc()
	r.send(Intent{Kind: IntentSignOut})
	s := r.send(Intent{Kind: IntentDone})
	if s.Screen != ScreenWelcome || !s.Has(IntentStaff) {
		t.Fatalf("welcome %s offers %+v", s.Screen, s.Actions)
	}

	s = r.send(Intent{Kind: IntentStaff})
	if s.Screen != ScreenStaff || s.Staff == nil || s.Staff.LoggedIn || s.Staff.Message.Key != "staff.enter_pin" || len(s.Actions) != 0 ||
		!s.IdleDeadline.IsZero() || s.Title.Key != "title.staff" {
		t.Fatalf("staff screen %s %+v actions %+v idle %v", s.Screen, s.Staff, s.Actions, s.IdleDeadline)
	}

	// Nobody's card is read under the menu.
	r.waitReaderIdle()
	signIns := len(r.records(records.KindOnestopSignIn))
	r.ids.cards <- card(binh, identity.Genuine)
	for _, in := range []Intent{{Kind: IntentStart}, {Kind: IntentActivity}, {Kind: IntentCancel}, {Kind: IntentIdle}, {Kind: IntentLanguage}} {
		if s = r.send(in); s.Screen != ScreenStaff || s.Lang != LangVI {
			t.Fatalf("%s under the staff menu: %s", in.Kind, s.Screen)
		}
	}
	if r.ids.reading.Load() != 0 || len(r.ids.cards) != 1 || len(r.records(records.KindOnestopSignIn)) != signIns {
		t.Fatal("a card was read under the staff menu")
	}
	<-r.ids.cards // taken back
	// The flow's own idle (120 s) does not run under the menu; the menu's
	// (60 s, restarted by every tap) does: time moves on 50 s between taps.
	r.clock.Advance(50 * time.Second)

	s = r.staff(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: wrongPIN})
	if s.Screen != ScreenStaff || s.Staff.LoggedIn || s.Staff.Message.Key != "staff.wrong_pin" || !s.Staff.Alert {
		t.Fatalf("wrong PIN: %+v", s.Staff)
	}
	r.clock.Advance(50 * time.Second)
	s = r.staff(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN})
	if s.Screen != ScreenStaff || !s.Staff.LoggedIn || s.Staff.Staff != staffName || s.Staff.Message.Key != "staff.welcome" {
		t.Fatalf("right PIN: %s %+v", s.Screen, s.Staff)
	}
	if !slices.Contains(s.Staff.Actions, staffmenu.IntentReprint) || len(s.Staff.Services) != 4 ||
		s.Staff.Services[0] != (staffmenu.ServiceState{Service: "A", Open: true}) || s.Staff.Services[3].Service != "D" {
		t.Fatalf("menu %+v", s.Staff)
	}
	r.clock.Advance(50 * time.Second) // 150 s on the staff screen: past the flow's idle

	s = r.staff(staffmenu.Intent{Kind: staffmenu.IntentStatus})
	if st := s.Staff.Status; st == nil || st.Printer != "ok" || st.Backlog == 0 {
		t.Fatalf("status %+v", s.Staff.Status)
	}
	printed := r.print.printed()
	s = r.staff(staffmenu.Intent{Kind: staffmenu.IntentReprint})
	if s.Staff.Message.Key != "staff.printed" || r.print.printed() != printed+1 || r.print.lastDoc() != ticket {
		t.Fatalf("reprint: %+v, %d printed", s.Staff.Message, r.print.printed()-printed)
	}
	s = r.staff(staffmenu.Intent{Kind: staffmenu.IntentReport})
	if s.Staff.Message.Key != "staff.report_printed" || !slices.Contains(s.Staff.Report, staffmenu.ReportLine{Kind: records.KindOnestopTicket, Label: records.Label(records.KindOnestopTicket), Count: 1}) {
		t.Fatalf("report %+v %+v", s.Staff.Message, s.Staff.Report)
	}
	const a = "A"
	s = r.staff(staffmenu.Intent{Kind: staffmenu.IntentService, Service: a, Open: false})
	if s.Staff.Message.Key != "staff.service_closed" || s.Staff.Services[0].Open {
		t.Fatalf("close %s: %+v", a, s.Staff)
	}
	// An intent meant for the flow is ignored; a staff intent outside the
	// menu too (below).
	if s = r.send(Intent{Kind: IntentSearch}); s.Screen != ScreenStaff {
		t.Fatalf("search under the staff menu: %s", s.Screen)
	}

	s = r.staff(staffmenu.Intent{Kind: staffmenu.IntentLogout})
	if s.Screen != ScreenWelcome || s.Staff != nil || !s.Has(IntentStaff) {
		t.Fatalf("logout: %s %+v", s.Screen, s.Staff)
	}
	if s = r.send(Intent{Kind: IntentStaff, Staff: &staffmenu.Intent{Kind: staffmenu.IntentStatus}}); s.Screen == ScreenStaff || s.Staff != nil {
		t.Fatalf("a late staff tap: %s %+v", s.Screen, s.Staff)
	}

	// Welcome reads cards again.
	r.ids.cards <- card(binh, identity.Genuine)
	s = r.wait("signed in", func(s State) bool { return s.Screen == ScreenMenu })
	if s.Citizen == nil || s.Citizen.Name != binh.Name {
		t.Fatalf("signed in %+v", s.Citizen)
	}
	// Counter A is closed: its procedures take no dossier and no number,
	// and say so; counter B's still do.
	r.send(Intent{Kind: IntentSearch})
	s = r.send(Intent{Kind: IntentChoose, Code: "SIM-CT-002"})
	if p := s.Procedure; p == nil || !p.Closed || p.Notice.Key != "procedure.closed" || !strings.Contains(p.Notice.VI, "Quầy Công an (cư trú)") ||
		!strings.Contains(p.Notice.VI, "Quý khách") || s.Has(IntentRegister) || s.Has(IntentQueue) || !s.Has(IntentBack) {
		t.Fatalf("closed counter's procedure %+v offers %+v", s.Procedure, s.Actions)
	}
	for _, k := range []IntentKind{IntentRegister, IntentQueue} {
		if s = r.send(Intent{Kind: k}); s.Screen != ScreenProcedure {
			t.Fatalf("%s on a closed counter: %s", k, s.Screen)
		}
	}
	r.send(Intent{Kind: IntentBack})
	s = r.send(Intent{Kind: IntentChoose, Code: "SIM-XNC-001"})
	if s.Procedure.Closed || !s.Has(IntentRegister) || !s.Has(IntentQueue) {
		t.Fatalf("open counter's procedure %+v offers %+v", s.Procedure, s.Actions)
	}

	// The audit: every step, the one-stop profile's, no PIN anywhere.
	type step struct{ action, outcome, staff, detail string }
	var got []step
	for _, rec := range r.records(records.KindAdminAudit) {
		var au records.AdminAudit
		if err := records.Decode(rec, &au); err != nil {
			t.Fatal(err)
		}
		if au.Profile != Name || au.DeviceID != "kiosk-hue-01" || rec.Personal != nil {
			t.Fatalf("audit %+v personal %v", au, rec.Personal)
		}
		d := au.Detail
		if au.Action == records.AdminStatus || au.Action == records.AdminReport {
			d = ""
		}
		got = append(got, step{au.Action, au.Outcome, au.Staff, d})
	}
	want := []step{{records.AdminLogin, admin.OutcomeWrongPIN, "", "left 4"}, {records.AdminLogin, admin.OutcomeOK, staffName, ""},
		{records.AdminStatus, "ok", staffName, ""}, {records.AdminReprint, "ok", staffName, ""}, {records.AdminReport, "ok", staffName, ""},
		{records.AdminServiceClose, "ok", staffName, a}, {records.AdminLogout, "ok", staffName, "left"}}
	if !slices.Equal(got, want) {
		t.Fatalf("audit\n got %+v\nwant %+v", got, want)
	}
	all, err := r.st.Records(context.Background(), "", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range all {
		b, _ := json.Marshal(rec)
		for _, pin := range []string{staffPIN, wrongPIN} {
			if strings.Contains(string(rec.Payload), pin) || strings.Contains(string(b), `"`+pin+`"`) {
				t.Fatalf("a PIN in record %s: %s", rec.Kind, b)
			}
		}
	}

	// The closed counter stays closed after a restart.
	again, err := profile.StaffMenu(context.Background(), r.env, r.sc)
	if err != nil || again.ServiceOpen(a) || !again.ServiceOpen("B") {
		t.Fatalf("after a restart: %v, %s open %v", err, a, again.ServiceOpen(a))
	}
}

// TestStaffMenuIdle: the staff menu left untouched logs out by its own
// idle (60 s) to welcome, not by the flow's (which does not run there).
func TestStaffMenuIdle(t *testing.T) {
	r := newStaffRig(t)
	r.send(Intent{Kind: IntentStaff})
	r.waitReaderIdle()
	r.clock.Advance(59 * time.Second)
	if s := r.send(Intent{Kind: IntentActivity}); s.Screen != ScreenStaff {
		t.Fatalf("after 59 s: %s", s.Screen)
	}
	r.clock.Advance(time.Second)
	r.wait("welcome", func(s State) bool { return s.Screen == ScreenWelcome && s.Staff == nil })
	if n := len(r.records(records.KindOnestopAbandoned)); n != 0 {
		t.Fatalf("%d abandoned sessions recorded for the staff menu", n)
	}
	// Welcome reads cards again.
	r.ids.cards <- card(lan, identity.Genuine)
	r.wait("signed in", func(s State) bool { return s.Screen == ScreenMenu })
}

// TestNoStaffMenu: without [admin] pin_file there is no menu, no staff
// button, and IntentStaff does nothing.
func TestNoStaffMenu(t *testing.T) {
	m, err := profile.StaffMenu(context.Background(), profile.Env{Config: &config.Config{}}, staffmenu.Config{Profile: Name})
	if m != nil || err != nil {
		t.Fatalf("menu %v %v without a PIN file", m, err)
	}
	h := newHarness(t, nil, nil)
	if s := h.f.State(); s.Has(IntentStaff) {
		t.Fatalf("welcome offers %+v", s.Actions)
	}
	if s := h.send(Intent{Kind: IntentStaff}); s.Screen != ScreenWelcome {
		t.Fatalf("IntentStaff without a menu: %s", s.Screen)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "intent", Intent{Kind: IntentStaff, Staff: &staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN}})
	if strings.Contains(logged.String(), staffPIN) || !strings.Contains(logged.String(), "staff=pin") {
		t.Fatalf("logged %s", logged.String())
	}
}

// TestReprintableReceipt: the receipt copy the staff menu may print again
// keeps the dossier and leaves out who filed it.
func TestReprintableReceipt(t *testing.T) {
	d := tickets.Dossier{Code: "000.00.00.SIM-261120-0001", Procedure: "Đăng ký thường trú", Applicant: lan.Name, ApplicantID: MaskID(lan.ID),
		Agent: binh.Name, AgentID: MaskID(binh.ID), ReceivedAt: time.Date(2026, 11, 20, 9, 30, 0, 0, ict), Queue: "A001", Counter: "Quầy Công an"}
	b, err := json.Marshal(reprintable(tickets.Header{Name: "UBND PHƯỜNG PHÚ HỘI"}, d))
	if err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{lan.Name, binh.Name, MaskID(lan.ID), MaskID(binh.ID)} {
		if strings.Contains(string(b), personal) {
			t.Fatalf("the reprint carries %q", personal)
		}
	}
	for _, kept := range []string{d.Code, d.Procedure, "A001", "bản in lại"} {
		if !strings.Contains(string(b), kept) {
			t.Fatalf("the reprint lost %q: %s", kept, b)
		}
	}
}
