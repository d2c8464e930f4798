package ticketing

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/firmware/ticketing/catalog"
)

const (
	staffPIN = "2468"
	wrongPIN = "1357"
)

// withStaff mounts a staff menu made as start.go makes it
// (profile.StaffMenu from an [admin] section naming a PIN file from
// admin.Line) over a real store, which the flow's records also reach.
func withStaff(t *testing.T, st **store.Store) rigOpt {
	return func(_ *Config, r *rig) {
		dir := t.TempDir()
		s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"), DeviceID: "kiosk-bxgb-01"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		*st = s
		line, err := admin.Line("kythuat1", staffPIN, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pins := filepath.Join(dir, "admin-pins")
		if err := os.WriteFile(pins, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := &config.Config{Device: config.Device{ID: "kiosk-bxgb-01", DataDir: dir, Timezone: "Asia/Ho_Chi_Minh"},
			Admin: config.Admin{PINFile: pins, MaxFailures: 5, Lockout: config.Duration(5 * time.Minute), Idle: config.Duration(time.Minute)}}
		env := profile.Env{Config: cfg, Store: s, Log: quiet}
		menu, err := profile.StaffMenu(context.Background(), env, staffmenu.Config{Profile: Name, Site: headerForTests.Name, Printer: r.print,
			Kinds: RecordKinds(), Services: Services(), Now: r.clock.Now})
		if err != nil || menu == nil {
			t.Fatalf("staff menu %v %v", menu, err)
		}
		r.staff = menu
		r.rec.also = storeRecorderOf(env)
	}
}

// push hands the flow any intent, offered or not, and waits until it is
// handled.
func (r *rig) push(in Intent) {
	r.t.Helper()
	in.done = make(chan struct{})
	r.flow.Send(in)
	select {
	case <-in.done:
	case <-time.After(10 * time.Second):
		r.t.Fatalf("intent %s not handled", in.Kind)
	}
	r.last = r.flow.State()
}

// menu sends a tap of the staff screen and waits for the menu to be done
// with it.
func (r *rig) menu(si staffmenu.Intent) *staffmenu.View {
	r.t.Helper()
	r.push(Intent{Kind: IntentStaff, Staff: &si})
	s := r.wait("staff menu idle after "+si.Kind, func(s State) bool {
		return s.Screen != ScreenStaff || s.Staff != nil && !s.Staff.Busy
	})
	return s.Staff
}

// audits are the store's admin.audit records, decoded, and their raw
// payloads.
func audits(t *testing.T, st *store.Store) ([]records.AdminAudit, []string) {
	t.Helper()
	recs, err := st.Records(context.Background(), records.KindAdminAudit, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []records.AdminAudit
	var raw []string
	for _, rec := range recs {
		var a records.AdminAudit
		if err := records.Decode(rec, &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
		raw = append(raw, string(rec.Payload))
	}
	return out, raw
}

// TestStaffMenu: welcome offers the staff menu when there is one; under it
// no card is read and no other tap counts; a wrong PIN, the right one,
// the status, a reprint of the last ticket, a service closed (and the
// sale of it refused to the next passenger, in Vietnamese), today's
// report and the logout are admin.audit records in the store, none with
// a PIN; the menu's own idle time logs out to welcome.
func TestStaffMenu(t *testing.T) {
	if plain := newRig(t, nil, nil, "k-plain"); plain.last.Has(IntentStaff) {
		t.Fatal("welcome offers a staff menu the kiosk does not have")
	}
	var st *store.Store
	r := newRig(t, nil, nil, "kiosk-bxgb-01", withStaff(t, &st))
	if !r.last.Has(IntentStaff) {
		t.Fatalf("welcome offers no staff menu: %+v", r.last.Actions)
	}

	// A passenger buys a ride first: its ticket is the one to reprint.
	r.toChoose(elder)
	r.send(Intent{Kind: IntentMode, Mode: catalog.ModeBus})
	r.send(Intent{Kind: IntentProduct, Product: "BUS-R-47"})
	r.waitScreen(ScreenPassengers)
	r.tap(IntentContinue)
	r.waitScreen(ScreenFare)
	r.tap(IntentContinue)
	r.waitScreen(ScreenIssued)
	r.tap(IntentDone)
	r.waitScreen(ScreenGoodbye)
	r.tap(IntentDone)
	r.waitScreen(ScreenWelcome)
	printed := len(r.print.texts())
	ticket := r.print.texts()[printed-1]

	// Staff open the menu: the PIN keypad, no idle timeout of the flow's,
	// no other button.
	r.tap(IntentStaff)
	s := r.waitScreen(ScreenStaff)
	if s.Staff == nil || s.Staff.LoggedIn || s.Staff.Message.Key != "staff.enter_pin" || len(s.Actions) != 0 || !s.IdleDeadline.IsZero() {
		t.Fatalf("staff screen %+v", s)
	}
	// A card presented now is not read, and no tap of a passenger counts.
	idents := len(r.rec.kinds(records.KindTicketingIdentify))
	r.identify(adult)
	for _, k := range []IntentKind{IntentStart, IntentManage, IntentIdle, IntentLanguage, IntentStaff} {
		r.push(Intent{Kind: k})
	}
	if r.last.Screen != ScreenStaff || r.last.Lang != LangVI {
		t.Fatalf("a passenger's tap under the staff menu: %s %s", r.last.Screen, r.last.Lang)
	}

	v := r.menu(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: wrongPIN})
	if v == nil || v.LoggedIn || v.Message.Key != "staff.wrong_pin" || !v.Alert {
		t.Fatalf("wrong PIN: %+v", v)
	}
	v = r.menu(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN})
	if !v.LoggedIn || v.Staff != "kythuat1" || !slices.Contains(v.Actions, staffmenu.IntentReprint) || len(v.Services) != 3 {
		t.Fatalf("right PIN: %+v", v)
	}
	v = r.menu(staffmenu.Intent{Kind: staffmenu.IntentStatus})
	if v.Status == nil || v.Status.Printer != "ok" {
		t.Fatalf("status: %+v", v)
	}
	v = r.menu(staffmenu.Intent{Kind: staffmenu.IntentReprint})
	if v.Message.Key != "staff.printed" || len(r.print.texts()) != printed+1 || r.print.texts()[printed] != ticket {
		t.Fatalf("reprint: %+v; printed %d documents", v, len(r.print.texts()))
	}
	coach := ServiceOf(catalog.ModeCoach)
	v = r.menu(staffmenu.Intent{Kind: staffmenu.IntentService, Service: coach})
	if v.Message.Key != "staff.service_closed" || v.Services[0] != (staffmenu.ServiceState{Service: coach}) {
		t.Fatalf("service closed: %+v", v)
	}
	v = r.menu(staffmenu.Intent{Kind: staffmenu.IntentReport})
	counts := map[string]int{}
	for _, l := range v.Report {
		counts[l.Kind] = l.Count
	}
	if v.Message.Key != "staff.report_printed" || counts[records.KindTicketingSale] != 1 || counts[records.KindTicketingTicket] != 1 || counts[records.KindAdminAudit] < 5 {
		t.Fatalf("report: %+v", v)
	}
	// Still no card read.
	if n := len(r.rec.kinds(records.KindTicketingIdentify)); n != idents || r.last.Screen != ScreenStaff {
		t.Fatalf("a card was read under the staff menu (%d identify records, screen %s)", n-idents, r.last.Screen)
	}
	select {
	case <-r.ident.cards: // it lay there unread: the passenger takes it back
	default:
		t.Fatal("the card presented under the staff menu was taken")
	}

	r.menu(staffmenu.Intent{Kind: staffmenu.IntentLogout})
	s = r.waitScreen(ScreenWelcome)
	if s.Staff != nil || !s.Has(IntentStaff) || r.staff.Active() {
		t.Fatalf("after logout: %+v", s)
	}

	// The next passenger: coach tickets are not offered, and asking for
	// them says so.
	s = r.toChoose(adult)
	for _, m := range s.Choose.Modes {
		if m.Mode == catalog.ModeCoach {
			t.Fatalf("a closed service is offered: %+v", s.Choose.Modes)
		}
	}
	if s.Choose.Mode == catalog.ModeCoach || s.Choose.Notice.Key != "choose.closed" {
		t.Fatalf("choose %+v", s.Choose)
	}
	r.send(Intent{Kind: IntentMode, Mode: catalog.ModeCoach})
	n := r.last.Choose.Notice
	if r.last.Choose.Mode == catalog.ModeCoach || n.Key != "choose.closed" || !strings.Contains(n.VI, "Vé xe khách tạm ngừng bán") || !strings.Contains(n.VI, "Quý khách") {
		t.Fatalf("coach asked for: %+v", r.last.Choose)
	}
	r.send(Intent{Kind: IntentSearch, From: "HN-GB", To: "VINH", Date: start.Format("2006-01-02")})
	if len(r.last.Choose.Trips) != 0 {
		t.Fatalf("coach departures found: %+v", r.last.Choose.Trips)
	}
	if holds := r.rec.kinds(records.KindTicketingIntent); len(holds) != 1 { // the ride's sale only
		t.Fatalf("intents %+v", r.rec.sequence())
	}
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)

	// Left untouched, the menu logs out by itself after [admin] idle.
	r.tap(IntentStaff)
	r.waitScreen(ScreenStaff)
	r.menu(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN})
	r.clock.Advance(61 * time.Second)
	r.waitScreen(ScreenWelcome)

	as, raw := audits(t, st)
	var got []string
	for _, a := range as {
		if a.Profile != Name {
			t.Errorf("audit of profile %q", a.Profile)
		}
		got = append(got, a.Action+"/"+a.Outcome+"/"+a.Staff+"/"+a.Detail)
	}
	want := []string{"login/wrong_pin//left 4", "login/ok/kythuat1/", "status/ok/kythuat1/", "reprint/ok/kythuat1/",
		"service_close/ok/kythuat1/" + coach, "report/ok/kythuat1/", "logout/ok/kythuat1/left", "login/ok/kythuat1/", "logout/ok/kythuat1/idle"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit\n got %q\nwant %q", got, want)
	}
	// No PIN in any record of the store, payload or sealed.
	all, err := st.Records(context.Background(), "", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range all {
		for _, p := range []string{staffPIN, wrongPIN} {
			if bytes.Contains(rec.Payload, []byte(p)) || slices.ContainsFunc(mapValues(rec.Personal), func(v string) bool { return strings.Contains(v, p) }) {
				t.Errorf("%s carries a PIN: %s", rec.Kind, rec.Payload)
			}
		}
	}
	if len(raw) != len(want) {
		t.Fatalf("%d audit records", len(raw))
	}
	checkNoPersonal(t, r, adult, elder)
}

// noPINs accepts no PIN (a menu made only to read what it restored).
type noPINs struct{}

func (noPINs) Check(string) (admin.Result, error) {
	return admin.Result{Outcome: admin.OutcomeWrongPIN}, nil
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// TestStaffServicesRestored: a service staff closed stays closed after a
// restart (the store's audit says so), and a kiosk whose every service
// is closed tells the passenger to buy at the counter.
func TestStaffServicesRestored(t *testing.T) {
	var st *store.Store
	r := newRig(t, nil, nil, "kiosk-bxgb-01", withStaff(t, &st))
	r.tap(IntentStaff)
	r.waitScreen(ScreenStaff)
	r.menu(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN})
	for _, s := range Services() {
		if v := r.menu(staffmenu.Intent{Kind: staffmenu.IntentService, Service: s}); v.Message.Key != "staff.service_closed" {
			t.Fatalf("close %s: %+v", s, v)
		}
	}
	r.menu(staffmenu.Intent{Kind: staffmenu.IntentLogout})
	r.waitScreen(ScreenWelcome)
	again, err := staffmenu.New(context.Background(), staffmenu.Config{Profile: Name, PINs: noPINs{}, Store: st, Services: Services(), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Services() {
		if again.ServiceOpen(s) {
			t.Errorf("%s open again after a restart", s)
		}
	}
	r.tap(IntentStart)
	r.identify(adult)
	s := r.waitScreen(ScreenError)
	if s.Error.Code != "services_closed" || !strings.Contains(s.Error.Next.VI, "Quý khách vui lòng mua vé tại quầy") {
		t.Fatalf("every service closed: %+v", s.Error)
	}
	r.tap(IntentCancel)
	r.waitScreen(ScreenWelcome)
}
