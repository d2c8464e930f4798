package staffmenu_test

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/admin"
	"github.com/kiosk06/kiosk/firmware/records"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/store"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

const pin = "246813"

// syncHost runs the menu's work at once, on the caller (the test is the
// loop), and keeps its timers for the test to fire.
type syncHost struct{ timers []*timer }

type timer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (h *syncHost) Go(op func(ctx context.Context) func()) {
	if apply := op(context.Background()); apply != nil {
		apply()
	}
}

func (h *syncHost) After(d time.Duration, f func()) func() {
	t := &timer{d: d, f: f}
	h.timers = append(h.timers, t)
	return func() { t.stopped = true }
}

// fire runs the timers not stopped.
func (h *syncHost) fire() {
	ts := h.timers
	h.timers = nil
	for _, t := range ts {
		if !t.stopped {
			t.f()
		}
	}
}

type printer struct {
	docs   []*escpos.Document
	status escpos.Status
	err    error
}

func (p *printer) Print(_ context.Context, d *escpos.Document) (escpos.Result, error) {
	if p.err != nil {
		return escpos.Result{}, p.err
	}
	p.docs = append(p.docs, d)
	return escpos.Result{}, nil
}

func (p *printer) Status(context.Context) (escpos.Status, error) { return p.status, nil }

type acker struct{ acked []string }

func (a *acker) Ack(_ context.Context, id, by string) (staffcall.Call, error) {
	if id == "gone" {
		return staffcall.Call{}, errors.New("no such call")
	}
	a.acked = append(a.acked, id+" by "+by)
	return staffcall.Call{}, nil
}

type rig struct {
	t       *testing.T
	st      *store.Store
	host    *syncHost
	menu    *staffmenu.Menu
	pr      *printer
	left    int
	restart int
	cfg     staffmenu.Config
}

func newRig(t *testing.T, mod func(*staffmenu.Config)) *rig {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{Path: filepath.Join(dir, "k.db"), KeyFile: filepath.Join(dir, "k.key"), DeviceID: "ve-ga-hue-01"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return openRig(t, st, dir, mod)
}

func openRig(t *testing.T, st *store.Store, dir string, mod func(*staffmenu.Config)) *rig {
	t.Helper()
	line, err := admin.Line("kythuat1", pin, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(dir, "pins")
	if err := os.WriteFile(pf, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pins, err := admin.LoadPINs(pf)
	if err != nil {
		t.Fatal(err)
	}
	g, err := admin.NewGuard(pins, admin.Policy{MaxFailures: 3, Lockout: time.Minute}, filepath.Join(dir, "lock.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, st: st, host: &syncHost{}, pr: &printer{status: escpos.Status{Online: true}}}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	r.cfg = staffmenu.Config{Profile: "ticketing", DeviceID: "ve-ga-hue-01", Site: "Ga Huế", Location: loc, PINs: g, Store: st,
		Printer: r.pr, Kinds: []string{records.KindAdminAudit}, Services: []string{"SE1", "SE3"}, Restart: func() { r.restart++ },
		Log: slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&r.cfg)
	}
	if r.menu, err = staffmenu.New(context.Background(), r.cfg); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) open() { r.menu.Open(context.Background(), r.host, func() { r.left++ }) }

func (r *rig) do(kind string) *staffmenu.View {
	r.menu.Handle(staffmenu.Intent{Kind: kind})
	return r.menu.View()
}

func (r *rig) login() {
	r.t.Helper()
	r.open()
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: pin})
	if v := r.menu.View(); !v.LoggedIn || v.Staff != "kythuat1" || v.Message.Key != "staff.welcome" {
		r.t.Fatalf("login: %+v", v)
	}
}

// audits are the admin.audit records in the store, as "action/outcome/detail".
func (r *rig) audits() []string {
	r.t.Helper()
	recs, err := r.st.Records(context.Background(), records.KindAdminAudit, 0, 100)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, rec := range recs {
		if strings.Contains(string(rec.Payload), pin) {
			r.t.Fatalf("the PIN is in an audit record: %s", rec.Payload)
		}
		var a records.AdminAudit
		if err := records.Decode(rec, &a); err != nil {
			r.t.Fatal(err)
		}
		if a.Profile != "ticketing" || a.DeviceID != "ve-ga-hue-01" {
			r.t.Fatalf("audit %+v", a)
		}
		out = append(out, a.Staff+":"+a.Action+"/"+a.Outcome+"/"+a.Detail)
	}
	return out
}

// TestMenuWalk: a wrong PIN, the right one, every action, logout — each
// recorded before it happens, nothing about the PIN kept.
func TestMenuWalk(t *testing.T) {
	r := newRig(t, nil)
	r.open()
	v := r.menu.View()
	if v.LoggedIn || v.Message.Key != "staff.enter_pin" || v.PINMin != admin.MinPINLength || len(v.Actions) != 1 || v.Actions[0] != staffmenu.IntentLogout {
		t.Fatalf("PIN screen: %+v", v)
	}
	// Actions before a login are refused.
	if v := r.do(staffmenu.IntentRestart); v.LoggedIn || r.restart != 0 {
		t.Fatal("restart without a login")
	}
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: "1111"})
	if v := r.menu.View(); v.LoggedIn || v.Message.Key != "staff.wrong_pin" || !v.Alert || strings.Join(v.Message.Args, " ") != "left 2" {
		t.Fatalf("wrong PIN: %+v", v)
	}
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: pin})
	v = r.menu.View()
	want := []string{staffmenu.IntentStatus, staffmenu.IntentTestPage, staffmenu.IntentPaper, staffmenu.IntentReport, staffmenu.IntentRestart, staffmenu.IntentLogout}
	if !v.LoggedIn || strings.Join(v.Actions, ",") != strings.Join(want, ",") || len(v.Services) != 2 || !v.Services[0].Open {
		t.Fatalf("menu: %+v", v)
	}

	r.pr.status = escpos.Status{Online: true, Paper: escpos.PaperNearEnd}
	if v := r.do(staffmenu.IntentStatus); v.Status == nil || v.Status.Printer != "paper_near_end" || v.Status.Backlog < 2 || v.Status.Clock == "" {
		t.Fatalf("status: %+v", v.Status)
	}
	if v := r.do(staffmenu.IntentTestPage); v.Message.Key != "staff.printed" || len(r.pr.docs) != 1 || v.Status != nil {
		t.Fatalf("test page: %+v", v)
	}
	if !strings.Contains(plain(r.pr.docs[0]), "TRANG IN THỬ") || !strings.Contains(plain(r.pr.docs[0]), "Ga Huế") {
		t.Fatalf("test page text:\n%s", plain(r.pr.docs[0]))
	}
	// Reprint appears once the flow printed something.
	ticket := (&escpos.Document{}).Add(escpos.Text{Text: "VÉ TÀU SE1"}, escpos.Cut{})
	r.menu.Printed(ticket)
	if v := r.do(staffmenu.IntentReprint); v.Message.Key != "staff.printed" || r.pr.docs[1] != ticket {
		t.Fatalf("reprint: %+v", v)
	}
	r.pr.err = escpos.ErrPaperEnd
	if v := r.do(staffmenu.IntentReprint); v.Message.Key != "staff.print_failed" || !v.Alert {
		t.Fatalf("reprint without paper: %+v", v)
	}
	r.pr.err = nil

	if v := r.do(staffmenu.IntentReport); v.Message.Key != "staff.report_printed" || len(v.Report) != 1 || v.Report[0].Kind != records.KindAdminAudit {
		t.Fatalf("report: %+v", v)
	}
	if v := r.menu.View(); v.Report[0].Label != "Thao tác của nhân viên" {
		t.Fatalf("report label: %+v", v.Report)
	}
	if txt := plain(r.pr.docs[len(r.pr.docs)-1]); !strings.Contains(txt, "BÁO CÁO TRONG NGÀY") {
		t.Fatalf("report text:\n%s", txt)
	}
	if v := r.do(staffmenu.IntentRestart); v.Message.Key != "staff.restarting" || r.restart != 1 {
		t.Fatalf("restart: %+v (%d)", v, r.restart)
	}
	r.do(staffmenu.IntentLogout)
	if r.left != 1 || r.menu.Active() || r.menu.View() != nil {
		t.Fatalf("logout: left %d, active %v", r.left, r.menu.Active())
	}
	got := strings.Join(r.audits(), "\n")
	wantAudit := strings.Join([]string{":login/wrong_pin/left 2", "kythuat1:login/ok/", "kythuat1:status/ok/", "kythuat1:test_page/ok/",
		"kythuat1:reprint/ok/", "kythuat1:reprint/failed/error", "kythuat1:report/ok/", "kythuat1:restart/ok/", "kythuat1:logout/ok/left"}, "\n")
	if got != wantAudit {
		t.Fatalf("audit:\n%s\nwant:\n%s", got, wantAudit)
	}
}

// TestLockout: after MaxFailures wrong PINs the keypad goes, even the
// right PIN is refused, and the lockout is recorded.
func TestLockout(t *testing.T) {
	r := newRig(t, nil)
	r.open()
	for range 3 {
		r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: "0000"})
	}
	v := r.menu.View()
	if v.LoggedIn || v.LockedUntil.IsZero() || v.Message.Key != "staff.locked" || !v.Alert {
		t.Fatalf("after 3 wrong: %+v", v)
	}
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: pin})
	if v := r.menu.View(); v.LoggedIn {
		t.Fatal("logged in during a lockout")
	}
	a := r.audits()
	if len(a) != 4 || !strings.HasPrefix(a[2], ":login/lockout/until ") || !strings.HasPrefix(a[3], ":login/locked/until ") {
		t.Fatalf("audit: %q", a)
	}
}

// TestIdle: untouched, the menu logs out (recorded) and hands the screen
// back; a touch restarts the wait.
func TestIdle(t *testing.T) {
	r := newRig(t, nil)
	r.login()
	if n := len(r.host.timers); n == 0 || r.host.timers[n-1].d != 60*time.Second {
		t.Fatalf("idle timer: %+v", r.host.timers)
	}
	r.do(staffmenu.IntentActivity)
	r.host.fire()
	if r.left != 1 || r.menu.Active() {
		t.Fatalf("idle: left %d", r.left)
	}
	if a := r.audits(); a[len(a)-1] != "kythuat1:logout/ok/idle" {
		t.Fatalf("audit: %q", a)
	}
	// A timer that fires while a check runs waits again instead of
	// leaving the menu open for good.
	var held []func()
	h := &deferHost{held: &held, timers: &syncHost{}}
	r.menu.Open(context.Background(), h, func() { r.left++ })
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: "1111"})
	h.timers.fire() // busy: re-armed
	if !r.menu.Active() || len(h.timers.timers) != 1 {
		t.Fatalf("idle while busy: active %v, timers %d", r.menu.Active(), len(h.timers.timers))
	}
	for _, f := range held {
		f()
	}
	h.timers.fire()
	if r.menu.Active() || r.left != 2 {
		t.Fatalf("after the check: active %v, left %d", r.menu.Active(), r.left)
	}
	r.left = 1
	// The PIN screen times out too, with nothing to record.
	r.open()
	r.host.fire()
	if r.left != 2 {
		t.Fatal("the PIN screen did not time out")
	}
}

// TestServicesSurviveRestart: a closed service stays closed for a new
// menu over the same store (a restart); another profile's are not read.
func TestServicesSurviveRestart(t *testing.T) {
	r := newRig(t, nil)
	r.login()
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentService, Service: "SE3"})
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentService, Service: "nope"})
	if v := r.menu.View(); v.Message.Key != "staff.service_closed" || v.Services[1].Open || r.menu.ServiceOpen("SE3") || !r.menu.ServiceOpen("SE1") {
		t.Fatalf("closed: %+v", v)
	}
	again := openRig(t, r.st, t.TempDir(), nil)
	if again.menu.ServiceOpen("SE3") || !again.menu.ServiceOpen("SE1") {
		t.Fatal("SE3 reopened by a restart")
	}
	other := openRig(t, r.st, t.TempDir(), func(c *staffmenu.Config) { c.Profile = "onestop" })
	if !other.menu.ServiceOpen("SE3") {
		t.Fatal("another profile's closed service was read")
	}
	again.login()
	again.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentService, Service: "SE3", Open: true})
	if !again.menu.ServiceOpen("SE3") {
		t.Fatal("not reopened")
	}
}

// TestPaperChanged takes the device's open paper alerts on the desk.
func TestPaperChanged(t *testing.T) {
	a := &acker{}
	r := newRig(t, func(c *staffmenu.Config) { c.Calls = a })
	r.menu.NoteCall("c1")
	r.menu.NoteCall("gone")
	r.menu.NoteCall("c2")
	r.menu.ForgetCall("c2")
	r.login()
	if v := r.do(staffmenu.IntentPaper); v.Message.Key != "staff.paper_changed" {
		t.Fatalf("paper: %+v", v)
	}
	if strings.Join(a.acked, ",") != "c1 by admin:kythuat1" {
		t.Fatalf("acked %q", a.acked)
	}
	if au := r.audits(); au[len(au)-1] != "kythuat1:paper_changed/ok/calls 1, not taken 1" {
		t.Fatalf("audit %q", au)
	}
	if v := r.do(staffmenu.IntentStatus); v.Status.PaperCalls != 1 {
		t.Fatalf("paper calls left: %d", v.Status.PaperCalls)
	}
}

// TestNoPrinter: a device without a printer offers no printing, shows
// the report instead of printing it, and says so.
func TestNoPrinter(t *testing.T) {
	r := newRig(t, func(c *staffmenu.Config) { c.Printer, c.Restart, c.Services = nil, nil, nil })
	r.login()
	v := r.menu.View()
	if strings.Join(v.Actions, ",") != "status,report,logout" || len(v.Services) != 0 {
		t.Fatalf("actions %q", v.Actions)
	}
	if v := r.do(staffmenu.IntentTestPage); v.Message.Key != "staff.welcome" {
		t.Fatalf("test page without a printer: %+v", v)
	}
	if v := r.do(staffmenu.IntentStatus); v.Status.Printer != "none" {
		t.Fatalf("status: %+v", v.Status)
	}
	if v := r.do(staffmenu.IntentReport); v.Message.Key != "staff.report_shown" || len(v.Report) != 1 {
		t.Fatalf("report: %+v", v)
	}
}

// TestAuditFailureStopsTheAction: when the audit cannot be stored, the
// restart does not happen and the menu is left.
func TestAuditFailureStopsTheAction(t *testing.T) {
	r := newRig(t, nil)
	r.login()
	r.st.Close()
	r.do(staffmenu.IntentRestart)
	if r.restart != 0 || r.left != 1 || r.menu.Active() {
		t.Fatalf("restart %d, left %d", r.restart, r.left)
	}
}

// TestLateResultDropped: a result that comes back after the menu was left
// changes nothing.
func TestLateResultDropped(t *testing.T) {
	r := newRig(t, nil)
	var held []func()
	h := &deferHost{held: &held}
	r.menu.Open(context.Background(), h, func() { r.left++ })
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: pin})
	if v := r.menu.View(); !v.Busy {
		t.Fatal("not busy while checking")
	}
	r.menu.Handle(staffmenu.Intent{Kind: staffmenu.IntentLogout}) // ignored while busy
	r.menu.Open(context.Background(), h, func() { r.left++ })     // opened anew meanwhile
	for _, f := range held {
		f()
	}
	if v := r.menu.View(); v.LoggedIn || v.Busy {
		t.Fatalf("a stale PIN check logged in: %+v", v)
	}
}

// deferHost holds the menu's work until the test runs it; its timers
// go to timers when set.
type deferHost struct {
	held   *[]func()
	timers *syncHost
}

func (h *deferHost) Go(op func(ctx context.Context) func()) {
	*h.held = append(*h.held, func() {
		if apply := op(context.Background()); apply != nil {
			apply()
		}
	})
}

func (h *deferHost) After(d time.Duration, f func()) func() {
	if h.timers == nil {
		return func() {}
	}
	return h.timers.After(d, f)
}

// plain is a document's text blocks, one per line.
func plain(d *escpos.Document) string {
	var b strings.Builder
	for _, bl := range d.Blocks {
		if t, ok := bl.(escpos.Text); ok {
			b.WriteString(t.Text + "\n")
		}
	}
	return b.String()
}
