package checkin

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
)

const (
	staffName = "letan1"
	staffPIN  = "2468"
	wrongPIN  = "1357"
)

// watchedIdentifier is fakeIdentifier that counts the reads running, so a
// test knows when no card read is waiting.
type watchedIdentifier struct {
	cards  chan identity.Identity
	mu     sync.Mutex
	active int
}

func (w *watchedIdentifier) Acquire(ctx context.Context, req identity.Request) (identity.Identity, error) {
	w.mu.Lock()
	w.active++
	w.mu.Unlock()
	defer func() { w.mu.Lock(); w.active--; w.mu.Unlock() }()
	select {
	case id := <-w.cards:
		req.OnEvent(identity.Event{Kind: identity.EventReading, Fraction: 0.5})
		return id, nil
	case <-ctx.Done():
		return identity.Identity{}, ctx.Err()
	}
}

func (w *watchedIdentifier) reading() int { w.mu.Lock(); defer w.mu.Unlock(); return w.active }

// staffRig is a check-in point with a real store and its staff menu made
// by profile.StaffMenu from an [admin] section and a PIN file.
type staffRig struct {
	t     *testing.T
	f     *Flow
	st    *store.Store
	ids   *watchedIdentifier
	clock *manualClock
	menu  *staffmenu.Menu
	stop  func()
}

func openStore(t *testing.T, dir string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"), DeviceID: "checkin-hue-01"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// startStaff starts a point of cfg over st (dir holds its PIN file and
// lockout state); printer nil: the menu has none.
func startStaff(t *testing.T, cfg Config, st *store.Store, dir string, clock *manualClock, roster *Roster, holder ...HolderVerifier) *staffRig {
	t.Helper()
	pf := filepath.Join(dir, "admin-pins")
	if _, err := os.Stat(pf); err != nil {
		line, err := admin.Line(staffName, staffPIN, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pf, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if clock == nil {
		clock = &manualClock{now: time.Date(2026, 11, 16, 14, 0, 0, 0, ict)}
	}
	log := slog.New(slog.DiscardHandler)
	env := profile.Env{Config: &config.Config{Device: config.Device{ID: "checkin-hue-01", DataDir: dir, Timezone: "Asia/Ho_Chi_Minh"},
		Admin: config.Admin{PINFile: pf, MaxFailures: 5, Lockout: config.Duration(5 * time.Minute), Idle: config.Duration(time.Minute)}},
		Store: st, Log: log}
	session := ""
	if roster != nil {
		session = roster.Session
	}
	menu, err := profile.StaffMenu(context.Background(), env, staffmenu.Config{Profile: Name, Site: "Điểm thử", Kinds: RecordKinds(),
		Services: Services(cfg.Mode, cfg.Direction, session), Now: clock.Now})
	if err != nil || menu == nil {
		t.Fatalf("staff menu %v %v", menu, err)
	}
	r := &staffRig{t: t, st: st, ids: &watchedIdentifier{cards: make(chan identity.Identity, 1)}, clock: clock, menu: menu}
	cfg.DeviceID, cfg.ExportDir, cfg.Logger, cfg.Site, cfg.Location = "checkin-hue-01", t.TempDir(), log, "Điểm thử", ict
	deps := Deps{Identifier: r.ids, Roster: roster, Store: st, Clock: clock, Staff: menu}
	if len(holder) > 0 {
		deps.Holder = holder[0]
	}
	r.f, err = New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.f.Run(ctx) }()
	r.stop = func() { cancel(); <-done }
	t.Cleanup(r.stop)
	r.wait("ready", func(s State) bool { return s.Screen == ScreenReady && s.Seq > 0 })
	return r
}

func (r *staffRig) wait(what string, ok func(State) bool) State {
	r.t.Helper()
	h := harness{t: r.t, f: r.f}
	return h.wait(what, ok)
}

func (r *staffRig) send(in Intent) State {
	r.t.Helper()
	h := harness{t: r.t, f: r.f}
	return h.send(in)
}

// staff sends a tap of the staff screen and waits until the menu's view
// says ok.
func (r *staffRig) staff(in staffmenu.Intent, what string, ok func(*staffmenu.View) bool) *staffmenu.View {
	r.t.Helper()
	r.send(Intent{Kind: IntentStaff, Staff: &in})
	return r.wait(what, func(s State) bool { return s.Screen == ScreenStaff && s.Staff != nil && ok(s.Staff) }).Staff
}

func (r *staffRig) login() {
	r.t.Helper()
	if s := r.send(Intent{Kind: IntentStaff}); s.Screen != ScreenStaff {
		r.t.Fatalf("the menu did not open: %s", s.Screen)
	}
	r.staff(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN}, "logged in", func(v *staffmenu.View) bool { return v.LoggedIn })
}

// audits are the store's admin.audit records.
func (r *staffRig) audits() ([]records.AdminAudit, []store.Record) {
	r.t.Helper()
	recs, err := r.st.Records(context.Background(), records.KindAdminAudit, 0, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []records.AdminAudit
	for _, rec := range recs {
		var a records.AdminAudit
		if err := records.Decode(rec, &a); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out, recs
}

func (r *staffRig) count(kind string) int {
	r.t.Helper()
	recs, err := r.st.Records(context.Background(), kind, 0, 1000)
	if err != nil {
		r.t.Fatal(err)
	}
	return len(recs)
}

// TestStaffMenu: the ready screen of a point with an [admin] PIN file
// offers the staff menu; opening it stops the card read (a card presented
// meanwhile starts no check); a wrong PIN, the right one, the status,
// closing the check-in of new guests and today's report (shown: there is
// no printer) are admin.audit records of the profile "checkin" without
// the PIN; the point's own intents are ignored under the menu; logging
// out returns to ready, which reads the card waiting and refuses the new
// guest with the reason; the closed check-in stays closed after a
// restart; the menu's idle time logs out.
func TestStaffMenu(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	cfg := Config{Mode: ModeLodging, Address: "Khách sạn Sông Hương, số 3 Lê Lợi, TP. Huế"}
	r := startStaff(t, cfg, st, dir, nil, nil)
	s := r.f.State()
	if !s.Has(IntentStaff) || s.Ready.Closed.Key != "" {
		t.Fatalf("ready: actions %+v, closed %+v", s.Actions, s.Ready.Closed)
	}

	// A stale tap of the staff screen opens nothing.
	if s := r.send(Intent{Kind: IntentStaff, Staff: &staffmenu.Intent{Kind: staffmenu.IntentLogout}}); s.Screen != ScreenReady {
		t.Fatalf("a staff-screen tap on ready opened %s", s.Screen)
	}

	s = r.send(Intent{Kind: IntentStaff})
	if s.Screen != ScreenStaff || s.Staff == nil || s.Staff.Message.Key != "staff.enter_pin" || s.Staff.LoggedIn || s.Ready != nil || len(s.Actions) != 0 {
		t.Fatalf("staff screen %+v", s)
	}
	// No card read runs under the menu: a card presented is not taken.
	deadline := time.Now().Add(5 * time.Second)
	for r.ids.reading() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the card read still runs under the staff menu")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.ids.cards <- identity.Identity{Citizen: lan, Verdict: identity.Genuine, Method: identity.MethodChipQR}

	v := r.staff(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: wrongPIN}, "wrong PIN", func(v *staffmenu.View) bool { return v.Message.Key == "staff.wrong_pin" })
	if v.LoggedIn || !v.Alert || !slices.Equal(v.Message.Args, []string{"left", "4"}) {
		t.Fatalf("wrong PIN: %+v", v)
	}
	v = r.staff(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN}, "logged in", func(v *staffmenu.View) bool { return v.LoggedIn })
	if v.Staff != staffName || v.Message.Key != "staff.welcome" {
		t.Fatalf("login: %+v", v)
	}
	// Without a printer: no test page, reprint or paper; the point's
	// service is offered, open.
	if want := []string{staffmenu.IntentStatus, staffmenu.IntentReport, staffmenu.IntentLogout}; !slices.Equal(v.Actions, want) {
		t.Fatalf("actions %v, want %v", v.Actions, want)
	}
	if !slices.Equal(v.Services, []staffmenu.ServiceState{{Service: ServiceCheckIn, Open: true}}) {
		t.Fatalf("services %+v", v.Services)
	}

	// The point's own intents do nothing under the menu.
	for _, in := range []Intent{{Kind: IntentReport, Value: "day"}, {Kind: IntentContinue}, {Kind: IntentStaff}} {
		if s := r.send(in); s.Screen != ScreenStaff || !s.Staff.LoggedIn {
			t.Fatalf("%s under the menu: %s %+v", in.Kind, s.Screen, s.Staff)
		}
	}

	v = r.staff(staffmenu.Intent{Kind: staffmenu.IntentStatus}, "status", func(v *staffmenu.View) bool { return v.Status != nil })
	if v.Message.Key != "staff.status" || v.Status.Printer != "none" {
		t.Fatalf("status %+v %+v", v.Message, v.Status)
	}
	v = r.staff(staffmenu.Intent{Kind: staffmenu.IntentService, Service: ServiceCheckIn, Open: false}, "closed",
		func(v *staffmenu.View) bool { return v.Message.Key == "staff.service_closed" })
	if !slices.Equal(v.Services, []staffmenu.ServiceState{{Service: ServiceCheckIn, Open: false}}) {
		t.Fatalf("services after closing %+v", v.Services)
	}
	v = r.staff(staffmenu.Intent{Kind: staffmenu.IntentReport}, "report", func(v *staffmenu.View) bool { return v.Message.Key != "staff.service_closed" && !v.Busy })
	if v.Message.Key != "staff.report_shown" || !slices.Contains(v.Report, staffmenu.ReportLine{Kind: records.KindAdminAudit, Label: records.Label(records.KindAdminAudit), Count: 4}) {
		t.Fatalf("report %+v %+v", v.Message, v.Report)
	}
	if n := r.count(records.KindCheckinRead); n != 0 {
		t.Fatalf("%d card reads under the menu", n)
	}
	if len(r.ids.cards) != 1 {
		t.Fatal("the card presented under the menu was taken")
	}

	// Logout: ready again, with the closed check-in said; the card waiting
	// is read and the new guest refused with the reason.
	r.send(Intent{Kind: IntentStaff, Staff: &staffmenu.Intent{Kind: staffmenu.IntentLogout}})
	s = r.wait("the refusal", func(s State) bool { return s.Screen == ScreenResult })
	if s.Result.OK || s.Result.Code != "checkin_closed" || s.Result.Message.Key != "refused.checkin_closed" ||
		!strings.Contains(s.Result.Message.VI, "Quý khách") || s.Result.Message.EN == "" {
		t.Fatalf("a new guest with the check-in closed: %+v", s.Result)
	}
	if n := r.count(records.KindCheckinRead); n != 1 {
		t.Fatalf("%d card reads after the menu", n)
	}
	r.send(Intent{Kind: IntentContinue})
	s = r.wait("ready", func(s State) bool { return s.Screen == ScreenReady })
	if s.Ready.Closed.Key != "closed.lodging" {
		t.Fatalf("ready with the check-in closed: %+v", s.Ready)
	}

	audits, recs := r.audits()
	var got []string
	for _, a := range audits {
		if a.Profile != Name {
			t.Errorf("audit of profile %q", a.Profile)
		}
		got = append(got, a.Action+"/"+a.Outcome+"/"+a.Staff+"/"+a.Detail)
	}
	want := []string{"login/wrong_pin//left 4", "login/ok/letan1/", "status/ok/letan1/", "service_close/ok/letan1/" + ServiceCheckIn,
		"report/ok/letan1/", "logout/ok/letan1/left"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit\n got %q\nwant %q", got, want)
	}
	for _, rec := range recs {
		if bytes.Contains(rec.Payload, []byte(staffPIN)) || bytes.Contains(rec.Payload, []byte(wrongPIN)) || len(rec.Personal) != 0 {
			t.Fatalf("an audit record holds a PIN or personal data: %s %v", rec.Payload, rec.Personal)
		}
	}

	// A restart keeps the check-in closed; staff open it again.
	r.stop()
	r = startStaff(t, cfg, st, dir, r.clock, nil)
	if s := r.f.State(); s.Ready.Closed.Key != "closed.lodging" {
		t.Fatalf("after a restart: %+v", s.Ready)
	}
	r.login()
	r.staff(staffmenu.Intent{Kind: staffmenu.IntentService, Service: ServiceCheckIn, Open: true}, "opened",
		func(v *staffmenu.View) bool { return v.Message.Key == "staff.service_opened" })

	// The menu's idle time logs out to ready, which reads cards again.
	r.clock.Advance(61 * time.Second)
	s = r.wait("ready after idle", func(s State) bool { return s.Screen == ScreenReady })
	if s.Staff != nil || s.Ready.Closed.Key != "" {
		t.Fatalf("after idle: %+v %+v", s.Staff, s.Ready)
	}
	r.ids.cards <- identity.Identity{Citizen: binh, Verdict: identity.Genuine, Method: identity.MethodChipQR}
	if s := r.wait("the check-in form", func(s State) bool { return s.Screen == ScreenLodging || s.Screen == ScreenResult }); s.Screen != ScreenLodging {
		t.Fatalf("a new guest after reopening: %s %+v", s.Screen, s.Result)
	}
	if audits, _ := r.audits(); audits[len(audits)-1].Action != records.AdminLogout || audits[len(audits)-1].Detail != "idle" {
		t.Fatalf("last audit %+v", audits[len(audits)-1])
	}
}

// closeService stores the audit record of staff closing svc, as the menu
// does (the next start reads it back).
func closeService(t *testing.T, st *store.Store, svc string) {
	t.Helper()
	rec := &records.AdminAudit{Profile: Name, Staff: staffName, Action: records.AdminServiceClose, Outcome: "ok", Detail: svc}
	if _, err := records.Append(context.Background(), st, time.Date(2026, 11, 16, 13, 0, 0, 0, ict), rec, nil); err != nil {
		t.Fatal(err)
	}
}

// TestStaffClosedGateAndSession: with the gate's entry closed an entry is
// refused (a refused checkin.gate record) and an exit goes on; with the
// exam session closed a listed candidate is refused (a refused
// checkin.attendance record); a gate fixed to exit and a verify point
// have no service; another profile's closing is not this point's.
func TestStaffClosedGateAndSession(t *testing.T) {
	t.Run("gate", func(t *testing.T) {
		dir := t.TempDir()
		st := openStore(t, dir)
		closeService(t, st, ServiceEntry)
		r := startStaff(t, Config{Mode: ModeGate, SiteID: "dai-noi"}, st, dir, nil, nil)
		if s := r.f.State(); s.Ready.Closed.Key != "closed.gate" || s.Ready.Closed.EN == "" {
			t.Fatalf("ready %+v", s.Ready)
		}
		r.ids.cards <- identity.Identity{Citizen: lan, Verdict: identity.Genuine, Method: identity.MethodChipQR}
		s := r.wait("entry refused", func(s State) bool { return s.Screen == ScreenResult })
		if s.Result.OK || s.Result.Code != "entry_closed" || !strings.Contains(s.Result.Message.VI, "Quý khách") {
			t.Fatalf("entry %+v", s.Result)
		}
		r.send(Intent{Kind: IntentContinue})
		r.wait("ready", func(s State) bool { return s.Screen == ScreenReady })
		r.send(Intent{Kind: IntentDirection, Value: "exit"})
		r.ids.cards <- identity.Identity{Citizen: lan, Verdict: identity.Genuine, Method: identity.MethodChipQR}
		if s := r.wait("exit", func(s State) bool { return s.Screen == ScreenResult }); !s.Result.OK || s.Result.Code != "exit" {
			t.Fatalf("exit %+v", s.Result)
		}
		recs, _ := st.Records(context.Background(), records.KindCheckinGate, 0, 10)
		var g records.CheckinGate
		if len(recs) != 2 || records.Decode(recs[0], &g) != nil || g.Outcome != "refused" || g.Reason != "entry_closed" {
			t.Fatalf("gate records %d %+v", len(recs), g)
		}
	})
	t.Run("attendance", func(t *testing.T) {
		dir := t.TempDir()
		st := openStore(t, dir)
		ro, err := ParseRoster("SH-2026-11-16-S1", strings.NewReader("so_bao_danh,so_dinh_danh,ho_ten,phong\nHUE-0137,001185012345,Nguyễn Thị Lan,P03\n"))
		if err != nil {
			t.Fatal(err)
		}
		closeService(t, st, "Ca thi SH-2026-11-16-S0") // the previous session: this one is open
		r := startStaff(t, Config{Mode: ModeAttendance}, st, dir, nil, ro)
		if s := r.f.State(); s.Ready.Closed.Key != "" {
			t.Fatalf("the previous session closed this one: %+v", s.Ready)
		}
		r.stop()
		closeService(t, st, SessionService("SH-2026-11-16-S1"))
		// The candidate's finger is enrolled, but nothing is asked of a
		// candidate the closed session refuses.
		r = startStaff(t, Config{Mode: ModeAttendance}, st, dir, r.clock, ro, &fakeHolder{enrolled: map[string]bool{lan.ID: true}})
		if s := r.f.State(); s.Ready.Closed.Key != "closed.attendance" {
			t.Fatalf("ready %+v", s.Ready)
		}
		r.ids.cards <- identity.Identity{Citizen: lan, Verdict: identity.Genuine, Method: identity.MethodChipQR}
		s := r.wait("refused", func(s State) bool { return s.Screen == ScreenResult || s.Screen == ScreenHolder })
		if s.Screen != ScreenResult || s.Result.OK || s.Result.Code != "session_closed" || s.Result.Number != "HUE-0137" {
			t.Fatalf("candidate %+v", s.Result)
		}
		if n := r.count(records.KindCheckinHolder); n != 0 {
			t.Fatalf("%d fingerprint checks for a closed session", n)
		}
		recs, _ := st.Records(context.Background(), records.KindCheckinAttendance, 0, 10)
		var a records.CheckinAttendance
		if len(recs) != 1 || records.Decode(recs[0], &a) != nil || a.Outcome != "refused" || a.Reason != "session_closed" {
			t.Fatalf("attendance records %d %+v", len(recs), a)
		}
	})
	t.Run("others", func(t *testing.T) {
		if s := Services(ModeGate, "exit", ""); len(s) != 0 {
			t.Errorf("an exit gate: %v", s)
		}
		if s := Services(ModeVerify, "", ""); len(s) != 0 {
			t.Errorf("verify: %v", s)
		}
		dir := t.TempDir()
		st := openStore(t, dir)
		rec := &records.AdminAudit{Profile: "ticketing", Action: records.AdminServiceClose, Outcome: "ok", Detail: ServiceCheckIn}
		if _, err := records.Append(context.Background(), st, time.Now(), rec, nil); err != nil {
			t.Fatal(err)
		}
		r := startStaff(t, Config{Mode: ModeLodging, Address: "12 Lê Lợi"}, st, dir, nil, nil)
		if s := r.f.State(); s.Ready.Closed.Key != "" {
			t.Fatalf("another profile's closing applied: %+v", s.Ready)
		}
	})
}

// TestNoStaffMenu: without a menu the ready screen offers none and a
// staff intent opens nothing.
func TestNoStaffMenu(t *testing.T) {
	h := start(t, Config{Mode: ModeVerify}, nil, nil, nil)
	if s := h.f.State(); s.Has(IntentStaff) {
		t.Fatalf("actions %+v", s.Actions)
	}
	if s := h.send(Intent{Kind: IntentStaff}); s.Screen != ScreenReady {
		t.Fatalf("screen %s", s.Screen)
	}
}
