package parking

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/config"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/payments/tariff"
	pgpio "periph.io/x/conn/v3/gpio"
)

// Status makes the test printer the staff menu's printer too.
func (p *printer) Status(context.Context) (escpos.Status, error) {
	return escpos.Status{Online: true}, nil
}

func (p *printer) doc(i int) *escpos.Document { p.mu.Lock(); defer p.mu.Unlock(); return p.docs[i] }

// staffPIN is the test staff member's PIN in the PIN file staffEnv writes.
const staffPIN = "2468"

// staffEnv is the profile environment with an [admin] PIN file holding
// "baove1" with staffPIN (made as `kioskd admin pin` makes it).
func staffEnv(t *testing.T, st *store.Store, idle time.Duration) profile.Env {
	t.Helper()
	dir := t.TempDir()
	line, err := admin.Line("baove1", staffPIN, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pins := filepath.Join(dir, "admin-pins")
	if err := os.WriteFile(pins, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{
		Device: config.Device{ID: "parking-test-1", DataDir: dir, Timezone: "Asia/Ho_Chi_Minh"},
		Admin:  config.Admin{PINFile: pins, MaxFailures: 5, Lockout: config.Duration(5 * time.Minute), Idle: config.Duration(idle)},
	}
	return profile.Env{Config: cfg, Store: st, Log: quiet}
}

// newStaffLane is a test lane with the staff menu start.go mounts, on a
// clock at the real time (the menu's report counts today's records).
func newStaffLane(t *testing.T, st *store.Store, env profile.Env, mode string) *lane {
	t.Helper()
	l := newLane(t, st, func(_ *Config, d *Deps) {
		menu, err := profile.StaffMenu(context.Background(), env, staffmenu.Config{Profile: Name, Site: "Bãi xe Trung tâm", Printer: d.Printer.(*printer),
			Kinds: []string{KindEntry, KindExit, KindBarrier, KindRefused, KindReport, KindIntent}, Services: Services(mode)})
		if err != nil || menu == nil {
			t.Fatalf("staff menu: %v, %v", menu, err)
		}
		d.Staff = menu
	})
	l.clock.mu.Lock()
	l.clock.t = time.Now().In(tariff.Location())
	l.clock.mu.Unlock()
	return l
}

// watch follows the lane's states; next returns the first that satisfies
// want.
type watch struct {
	t      *testing.T
	l      *lane
	states <-chan State
}

func watchStates(t *testing.T, l *lane) *watch {
	ch, stop := l.t.Subscribe()
	t.Cleanup(stop)
	return &watch{t: t, l: l, states: ch}
}

func (w *watch) next(what string, want func(State) bool) State {
	w.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case s := <-w.states:
			if want(s) {
				return s
			}
		case <-deadline:
			w.t.Fatalf("never %s (now %+v; phases %v)", what, w.l.t.State(), w.l.phases())
		}
	}
}

// staffView waits for the staff screen satisfying want (the menu idle).
func (w *watch) staffView(what string, want func(*staffmenu.View) bool) *staffmenu.View {
	w.t.Helper()
	return w.next(what, func(s State) bool { return s.Phase == PhaseStaff && s.Staff != nil && !s.Staff.Busy && want(s.Staff) }).Staff
}

func tap(l *lane, in staffmenu.Intent) { l.t.Send(Intent{Kind: IntentStaff, Staff: &in}) }

func msgIs(key string) func(*staffmenu.View) bool {
	return func(v *staffmenu.View) bool { return v.Message.Key == key }
}

// audits decodes the store's admin.audit records.
func audits(t *testing.T, st *store.Store) ([]records.AdminAudit, []store.Record) {
	t.Helper()
	recs, err := st.Records(context.Background(), records.KindAdminAudit, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]records.AdminAudit, len(recs))
	for i, r := range recs {
		if err := records.Decode(r, &out[i]); err != nil {
			t.Fatalf("audit %s: %v", r.Payload, err)
		}
	}
	return out, recs
}

// TestStaffMenu walks the lane's staff menu on a real store: offered at
// idle, opened; a driver's ticket, a new driver's CCCD and the attendant's
// plate entry while it is open move no barrier and make no record; a wrong
// PIN, the right one, the status, a reprint of the last ticket, today's
// report, closing the entry; logout returns the lane to idle, where the
// closed entry refuses a vehicle (also after a restart) while exits go on.
// Every step is an admin.audit record of the parking profile, never the
// PIN.
func TestStaffMenu(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := openStore(t)
	env := staffEnv(t, st, time.Minute)
	l := newStaffLane(t, st, env, LaneBoth)
	w := watchStates(t, l)
	laneMode := Lane{Mode: LaneBoth, Vehicle: tariff.Motorbike}
	go func() { _ = l.t.Serve(ctx, laneMode) }()
	src := make(presenter)
	go func() { _ = l.t.RunLane(ctx, src, tokenizer(t), laneMode) }()

	// A driver comes in by CCCD: the ticket printed is the one to reprint.
	go l.waitOpenThenPass()
	src <- identity.PresentQR(testQR)
	// Offered once the lane is free (not in the idle state the entry
	// published while it still held the lane).
	w.next("idle after the entry, offering the menu", func(s State) bool {
		return s.Phase == PhaseIdle && s.StaffOffered && !s.BarrierOpen && l.t.Inside() == 1
	})
	ticket := l.printer.doc(0)
	var entry records.ParkingEntry
	if err := records.Decode(lastRecord(t, st, KindEntry), &entry); err != nil {
		t.Fatal(err)
	}

	l.t.Send(Intent{Kind: IntentStaff})
	v := w.staffView("the PIN keypad", msgIs("staff.enter_pin"))
	if v.LoggedIn || !slices.Equal(v.Actions, []string{staffmenu.IntentLogout}) {
		t.Fatalf("keypad view %+v", v)
	}
	if s := l.t.State(); s.StaffOffered || s.Message != msgStaff {
		t.Fatalf("staff state %+v", s)
	}

	// While the menu is open: the driver's ticket QR (an exit), another
	// driver's CCCD (an entry) and the attendant's plate entry.
	barriers := len(records2(t, st, KindBarrier))
	src <- identity.PresentQR(entry.Ticket)
	src <- identity.PresentQR("001090099999|987654321|Le Van Thu|01011980|Nam|Hue|01012022")
	src <- identity.PresentQR("not-a-ticket") // taken: the two before were served
	l.t.Send(Intent{Kind: IntentEntry, Plate: "29A-123.45"})
	if _, err := l.t.Exit(ctx, ExitRequest{TicketID: entry.Ticket}); !errors.Is(err, ErrBusy) {
		t.Fatalf("exit while the staff menu is open: %v", err)
	}
	if _, err := l.t.Entry(ctx, EntryRequest{Plate: "30A-999.99", Vehicle: tariff.Car}); !errors.Is(err, ErrBusy) {
		t.Fatalf("entry while the staff menu is open: %v", err)
	}

	tap(l, staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: "1357"})
	v = w.staffView("wrong PIN", msgIs("staff.wrong_pin"))
	if v.LoggedIn || !v.Alert || !slices.Equal(v.Message.Args, []string{"left", "4"}) {
		t.Fatalf("wrong PIN view %+v", v)
	}
	tap(l, staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN})
	v = w.staffView("logged in", func(v *staffmenu.View) bool { return v.LoggedIn })
	if v.Staff != "baove1" || !slices.Contains(v.Actions, staffmenu.IntentReprint) ||
		!slices.Equal(v.Services, []staffmenu.ServiceState{{Service: ServiceEntry, Open: true}, {Service: ServiceExit, Open: true}}) {
		t.Fatalf("menu %+v", v)
	}

	// Nothing of the lane moved meanwhile (the attendant's entry was
	// served too: the status below comes after it in the queue).
	tap(l, staffmenu.Intent{Kind: staffmenu.IntentStatus})
	v = w.staffView("the status", func(v *staffmenu.View) bool { return v.Status != nil })
	if v.Status.Printer != "ok" || v.Status.Backlog == 0 {
		t.Fatalf("status %+v", v.Status)
	}
	if l.relay.Read() != pgpio.Low || len(records2(t, st, KindBarrier)) != barriers || len(records2(t, st, KindEntry)) != 1 ||
		len(records2(t, st, KindExit)) != 0 || l.t.Inside() != 1 {
		t.Fatalf("the lane moved while the staff menu was open: relay %v, %d barrier records (had %d), %d inside",
			l.relay.Read(), len(records2(t, st, KindBarrier)), barriers, l.t.Inside())
	}

	tap(l, staffmenu.Intent{Kind: staffmenu.IntentReprint})
	w.staffView("reprinted", msgIs("staff.printed"))
	if n := l.printer.count(); n != 2 || l.printer.doc(1) != ticket {
		t.Fatalf("reprint: %d documents, last is the ticket: %v", n, l.printer.doc(n-1) == ticket)
	}

	tap(l, staffmenu.Intent{Kind: staffmenu.IntentReport})
	v = w.staffView("the report", msgIs("staff.report_printed"))
	if !slices.Contains(v.Report, staffmenu.ReportLine{Kind: KindEntry, Label: records.Label(KindEntry), Count: 1}) {
		t.Fatalf("report %+v", v.Report)
	}

	tap(l, staffmenu.Intent{Kind: staffmenu.IntentService, Service: ServiceEntry})
	v = w.staffView("entry closed", msgIs("staff.service_closed"))
	if !slices.Equal(v.Services, []staffmenu.ServiceState{{Service: ServiceEntry}, {Service: ServiceExit, Open: true}}) {
		t.Fatalf("services %+v", v.Services)
	}

	tap(l, staffmenu.Intent{Kind: staffmenu.IntentLogout})
	idle := w.next("idle after the logout", func(s State) bool { return s.Phase == PhaseIdle })
	if !idle.StaffOffered || idle.Staff != nil || l.t.StaffOpen() {
		t.Fatalf("after logout %+v", idle)
	}

	// The entry is closed: a new driver is refused, nothing charged, the
	// barrier down; the vehicle inside still goes out.
	src <- identity.PresentQR("001090077777|192837465|Tran Van Mai|02021985|Nam|Da Nang|01012022")
	closed := w.next("entry refused, the lane free", func(s State) bool { return s.Phase == PhaseClosed && s.StaffOffered })
	if closed.Lane != "entry" || closed.Message != msgClosedEntry || l.relay.Read() != pgpio.Low {
		t.Fatalf("closed entry %+v", closed)
	}
	var refused records.ParkingRefused
	if err := records.Decode(lastRecord(t, st, KindRefused), &refused); err != nil || refused.Reason != "closed" || refused.Lane != "entry" {
		t.Fatalf("refusal %+v: %v", refused, err)
	}
	go l.waitOpenThenPass()
	src <- identity.PresentQR(entry.Ticket)
	w.next("the exit served", func(s State) bool { return s.Phase == PhaseIdle && !s.BarrierOpen && l.t.Inside() == 0 })

	as, recs := audits(t, st)
	var got []string
	for i, a := range as {
		if a.Profile != Name {
			t.Errorf("audit %d profile %q", i, a.Profile)
		}
		if bytes.Contains(recs[i].Payload, []byte(staffPIN)) || bytes.Contains(recs[i].Payload, []byte("1357")) {
			t.Errorf("audit %d holds a PIN: %s", i, recs[i].Payload)
		}
		got = append(got, a.Action+":"+a.Outcome+":"+a.Staff+":"+a.Detail)
	}
	want := []string{"login:wrong_pin::left 4", "login:ok:baove1:", "status:ok:baove1:", "reprint:ok:baove1:", "report:ok:baove1:",
		"service_close:ok:baove1:" + ServiceEntry, "logout:ok:baove1:left"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit\n got %q\nwant %q", got, want)
	}

	// After a restart the entry stays closed (the audit says so).
	cancel()
	l2 := newStaffLane(t, st, env, LaneBoth)
	if _, err := l2.t.Entry(context.Background(), EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Motorbike}); !errors.Is(err, ErrClosed) {
		t.Fatalf("entry after a restart: %v", err)
	}
}

// TestStaffMenuWaitsForTheVehicle: the menu is not offered and does not
// open while a vehicle is at the barrier; it opens once the lane is idle.
func TestStaffMenuWaitsForTheVehicle(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	l := newStaffLane(t, st, staffEnv(t, st, time.Minute), LaneBoth)
	w := watchStates(t, l)
	done := make(chan error, 1)
	go func() {
		_, err := l.t.Entry(ctx, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Motorbike})
		done <- err
	}()
	open := w.next("barrier open", func(s State) bool { return s.Phase == PhaseBarrierOpen })
	if open.StaffOffered {
		t.Fatalf("staff menu offered with the barrier open: %+v", open)
	}
	if err := l.t.serveIntent(ctx, Intent{Kind: IntentStaff}, Lane{}); !errors.Is(err, ErrBusy) || l.t.StaffOpen() {
		t.Fatalf("opened with the barrier open: %v", err)
	}
	l.vehiclePasses()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s := l.t.State(); s.Phase != PhaseIdle || !s.StaffOffered || s.BarrierOpen {
		t.Fatalf("after the vehicle %+v", s)
	}
	if err := l.t.serveIntent(ctx, Intent{Kind: IntentStaff}, Lane{}); err != nil {
		t.Fatal(err)
	}
	w.staffView("the keypad", msgIs("staff.enter_pin"))
}

// TestStaffMenuIdle: a menu left untouched logs out and the lane is idle
// again, taking vehicles; with the exit closed an exit lane refuses
// without charging.
func TestStaffMenuIdle(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := openStore(t)
	l := newStaffLane(t, st, staffEnv(t, st, 300*time.Millisecond), LaneExit)
	w := watchStates(t, l)
	go func() { _ = l.t.Serve(ctx, Lane{Mode: LaneExit}) }()
	l.enter(t, EntryRequest{Plate: "29A-123.45", Vehicle: tariff.Motorbike})

	l.t.Send(Intent{Kind: IntentStaff})
	tap(l, staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: staffPIN})
	v := w.staffView("logged in", func(v *staffmenu.View) bool { return v.LoggedIn })
	if !slices.Equal(v.Services, []staffmenu.ServiceState{{Service: ServiceExit, Open: true}}) {
		t.Fatalf("exit lane services %+v", v.Services)
	}
	tap(l, staffmenu.Intent{Kind: staffmenu.IntentService, Service: ServiceExit})
	w.staffView("exit closed", msgIs("staff.service_closed"))
	w.next("idle after the idle time", func(s State) bool { return s.Phase == PhaseIdle && s.StaffOffered })
	as, _ := audits(t, st)
	if last := as[len(as)-1]; last.Action != records.AdminLogout || last.Detail != "idle" {
		t.Fatalf("last audit %+v", last)
	}

	l.clock.Add(3 * time.Hour) // a fee to pay: none is asked
	if _, err := l.t.Exit(ctx, ExitRequest{Plate: "29A-123.45"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("exit on a closed lane: %v", err)
	}
	s := l.t.State()
	if s.Phase != PhaseClosed || s.Lane != "exit" || s.Message != msgClosedExit || s.QRPayload != "" || l.relay.Read() != pgpio.Low || l.t.Inside() != 1 {
		t.Fatalf("closed exit %+v", s)
	}
	if n := len(records2(t, st, records.KindPaymentSession)); n != 0 {
		t.Fatalf("%d payment sessions on a closed exit", n)
	}
}

// TestNoStaffMenu: without [admin] pin_file nothing is offered and the
// intent opens nothing.
func TestNoStaffMenu(t *testing.T) {
	l := newLane(t, openStore(t), nil)
	if s := l.t.State(); s.StaffOffered {
		t.Fatalf("offered without a menu: %+v", s)
	}
	if err := l.t.serveIntent(context.Background(), Intent{Kind: IntentStaff}, Lane{}); !errors.Is(err, errNoStaffMenu) || l.t.State().Phase != PhaseIdle {
		t.Fatalf("staff intent without a menu: %v, %+v", err, l.t.State())
	}
	menu, err := profile.StaffMenu(context.Background(), profile.Env{Config: &config.Config{}}, staffmenu.Config{Profile: Name})
	if menu != nil || err != nil {
		t.Fatalf("no pin_file: %v, %v", menu, err)
	}
}

// records2 returns the store's records of kind now.
func records2(t *testing.T, st *store.Store, kind string) []store.Record {
	t.Helper()
	recs, err := st.Records(context.Background(), kind, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// lastRecord is the store's last record of kind.
func lastRecord(t *testing.T, st *store.Store, kind string) store.Record {
	t.Helper()
	recs := records2(t, st, kind)
	if len(recs) == 0 {
		t.Fatalf("no %s record", kind)
	}
	return recs[len(recs)-1]
}
