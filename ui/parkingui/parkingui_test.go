package parkingui

import (
	"context"
	"errors"
	"flag"
	"image"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/payments/tariff"
	"github.com/kiosk06/kiosk/payments/vietqr"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

var (
	update        = flag.Bool("update", false, "rewrite the golden images in testdata/")
	updateScreens = flag.String("update-screens", "", "also write the README screenshots (1024×600 px) to this directory as parking-<name>.png (make screenshots passes ../../docs/screens)")
)

// now is the fixed clock: 22/11/2026 09:41 ICT.
var now = time.Date(2026, 11, 22, 9, 41, 0, 0, time.FixedZone("ICT", 7*3600))

// vietQR is the exit's dynamic VietQR payload (NAPAS, EMVCo MPM).
func vietQR(t testing.TB, amount int64) string {
	t.Helper()
	p, err := vietqr.Encode(vietqr.Payment{BIN: "970416", Account: "257678859", Amount: amount, Bill: "PK7Q2M4XZ3A", Purpose: "Gui xe K7Q2M4XZ3A"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// visit is the exit of a motorbike parked since 07:10.
func visit(ph parking.Phase, msg string) parking.State {
	return parking.State{Phase: ph, Lane: "exit", TicketID: "K7Q2M4XZ3A", Plate: "29B1-123.45", Vehicle: tariff.Motorbike,
		EntryAt: now.Add(-151 * time.Minute), ExitAt: now, Amount: 12000,
		Lines: []tariff.Line{{Code: "parking.day", Text: "Lượt ngày", Amount: 12000}}, Message: msg}
}

// fixtures are the golden states, by name; the messages are the terminal's
// (firmware/parking messageFor).
func fixtures(t testing.TB) []struct {
	name  string
	s     parking.State
	plate string
} {
	waiting := visit(parking.PhaseAwaitingPayment, "Quét mã VietQR để thanh toán")
	waiting.QRPayload, waiting.PayRef, waiting.Deadline = vietQR(t, 12000), "PK7Q2M4XZ3A", now.Add(155*time.Second)
	lost := waiting
	lost.TicketID, lost.Lost, lost.Amount, lost.QRPayload = "", true, 62000, vietQR(t, 62000)
	lost.Lines = []tariff.Line{{Code: "parking.day", Text: "Lượt ngày", Amount: 12000}, {Code: "parking.lost_ticket", Text: "Phí mất vé", Amount: 50000}}
	paid := visit(parking.PhasePaid, "Đã thanh toán – Cảm ơn quý khách")
	// Paid, but the exit could not be recorded (full store): the barrier
	// stays shut.
	stopped := visit(parking.PhaseOutOfService, "Đã nhận thanh toán – Máy tạm dừng phục vụ, Quý khách vui lòng liên hệ nhân viên bãi xe")
	return []struct {
		name  string
		s     parking.State
		plate string
	}{
		{"01-idle", parking.State{Phase: parking.PhaseIdle, Message: "Xin mời quẹt thẻ CCCD hoặc quét vé"}, ""},
		{"02-payment", waiting, ""},
		{"03-paid", paid, ""},
		{"04-already-exited", parking.State{Phase: parking.PhaseAlreadyExited, Lane: "exit", TicketID: "K7Q2M4XZ3A", Message: "Vé đã sử dụng – Liên hệ nhân viên"}, ""},
		{"05-payment-timeout", parking.State{Phase: parking.PhasePaymentTimeout, Lane: "exit", TicketID: "K7Q2M4XZ3A", Amount: 12000, Message: "Hết thời gian thanh toán – Liên hệ nhân viên"}, ""},
		{"06-lost-ticket", lost, "29B1-123.45"},
		{"07-unknown-ticket", parking.State{Phase: parking.PhaseUnknownTicket, Lane: "exit", Message: "Không tìm thấy lượt gửi xe – Liên hệ nhân viên"}, "51F-888.88"},
		{"08-out-of-service", parking.State{Phase: parking.PhaseOutOfService, Lane: "entry", Message: "Máy tạm dừng phục vụ – Quý khách vui lòng liên hệ nhân viên bãi xe"}, ""},
		{"09-out-of-service-paid", stopped, ""},
		{"10-idle-staff", parking.State{Phase: parking.PhaseIdle, Message: "Xin mời quẹt thẻ CCCD hoặc quét vé", StaffOffered: true}, ""},
		{"11-staff-pin", parking.State{Phase: parking.PhaseStaff, Staff: pinView()}, ""},
		{"12-staff-menu", parking.State{Phase: parking.PhaseStaff, Staff: menuView()}, ""},
		{"13-closed-entry", parking.State{Phase: parking.PhaseClosed, Lane: "entry", StaffOffered: true,
			Message: "Tạm ngừng nhận xe vào – Quý khách vui lòng liên hệ nhân viên bãi xe"}, ""},
	}
}

// pinView is the staff menu's PIN keypad after a wrong PIN.
func pinView() *staffmenu.View {
	return &staffmenu.View{Message: staffmenu.Message{Key: "staff.wrong_pin", Args: []string{"left", "4"}}, Alert: true,
		PINMin: 4, PINMax: 12, Actions: []string{staffmenu.IntentLogout}}
}

// menuView is the staff menu of a both-ways lane with a printer, the
// status shown and the entry closed (the lot is full).
func menuView() *staffmenu.View {
	return &staffmenu.View{LoggedIn: true, Staff: "baove1", Message: staffmenu.Message{Key: "staff.service_closed", Args: []string{"service", parking.ServiceEntry}},
		PINMin: 4, PINMax: 12,
		Status:   &staffmenu.Status{Printer: "paper_near_end", StoreFill: 3, Backlog: 12, OldestWait: "4m10s", Clock: "09:41 22/11/2026"},
		Services: []staffmenu.ServiceState{{Service: parking.ServiceEntry}, {Service: parking.ServiceExit, Open: true}},
		Actions: []string{staffmenu.IntentStatus, staffmenu.IntentTestPage, staffmenu.IntentReprint, staffmenu.IntentPaper,
			staffmenu.IntentReport, staffmenu.IntentRestart, staffmenu.IntentLogout}}
}

// readme are the fixtures -update-screens writes to docs/screens.
var readme = map[string]bool{"02-payment": true, "03-paid": true, "06-lost-ticket": true}

func catalog(t testing.TB) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load(i18n.Vietnamese)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// shoot renders s in a window of size units at scale, as Screen does.
func shoot(t *testing.T, s parking.State, plate string, size fyne.Size, scale float32) (image.Image, fyne.CanvasObject) {
	t.Helper()
	content := Render(s, Env{T: catalog(t), Now: func() time.Time { return now }, Attendant: Attendant{Plate: plate, Staff: func() {}}})
	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	w.Resize(size)
	uitest.SetScale(w, scale)
	w.SetContent(content)
	widgets.Relayout(content)
	return w.Canvas().Capture(), content
}

// TestScreens renders every phase at Size and compares it with
// testdata/<name>.png; -update-screens also writes 1024×600-pixel shots.
func TestScreens(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			img, content := shoot(t, f.s, f.plate, Size, uitest.GoldenScale)
			if fits := content.MinSize(); fits.Width > Size.Width || fits.Height > Size.Height {
				t.Errorf("content needs %v, more than %v", fits, Size)
			}
			for _, b := range uitest.Buttons(content) {
				if b.Size().Height < kiosktheme.TouchTarget || b.Size().Width < kiosktheme.TouchTarget {
					t.Errorf("button %q is %v, under the touch target", b.Text, b.Size())
				}
			}
			for _, l := range labels(content) {
				if strings.Contains(l, "[parking.") || strings.Contains(l, "[common.") || strings.Contains(l, "[staff.") {
					t.Errorf("missing translation: %q", l)
				}
			}
			uitest.AssertScreen(t, f.name+".png", img, *update)
			if *updateScreens != "" && readme[f.name] {
				// A 1024×600 panel at ScaleFor: 1920×1125 units.
				panel := fyne.NewSize(1024, 600)
				sc := ScaleFor(panel)
				big, _ := shoot(t, f.s, f.plate, fyne.NewSize(panel.Width/sc, panel.Height/sc), sc)
				if err := uitest.WritePNG(filepath.Join(*updateScreens, "parking-"+f.name+".png"), big); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// labels returns the text of every label and button under root.
func labels(root fyne.CanvasObject) []string {
	var out []string
	for _, o := range test.LaidOutObjects(root) {
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widgets.Button:
			out = append(out, v.Text)
		}
	}
	return out
}

// The terminal is a Lane.
var _ Lane = (*parking.Terminal)(nil)

// fakeLane records requests; Exit returns err after release is closed
// (nil release: at once).
type fakeLane struct {
	mu      sync.Mutex
	reqs    []parking.ExitRequest
	intents []parking.Intent
	cancels int
	err     error
	release chan struct{}
}

func (f *fakeLane) Send(in parking.Intent) {
	f.mu.Lock()
	f.intents = append(f.intents, in)
	f.mu.Unlock()
}

func (f *fakeLane) sent() []parking.Intent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]parking.Intent(nil), f.intents...)
}

func (f *fakeLane) Exit(ctx context.Context, req parking.ExitRequest) (parking.ExitResult, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	rel := f.release
	f.mu.Unlock()
	if rel != nil {
		<-rel
	}
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	return parking.ExitResult{TicketID: "K7Q2M4XZ3A"}, err
}

func (f *fakeLane) CancelPayment() { f.mu.Lock(); f.cancels++; f.mu.Unlock() }

func (f *fakeLane) requests() []parking.ExitRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]parking.ExitRequest(nil), f.reqs...)
}

func newScreen(t *testing.T, lane Lane) (*Screen, fyne.Window) {
	t.Helper()
	uitest.NewApp(t, kiosktheme.Options{})
	s, err := NewScreen(context.Background(), lane, Options{T: catalog(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, s.Content())
	w.Resize(Size)
	return s, w
}

// typePlateKeys taps the keys spelling plate on the on-screen keyboard.
func typePlateKeys(t *testing.T, s *Screen, plate string) {
	t.Helper()
	for _, r := range plate {
		test.Tap(uitest.Button(t, s.Content(), string(r)))
	}
}

func TestTypePlateAndExit(t *testing.T) {
	lane := &fakeLane{}
	s, _ := newScreen(t, lane)
	exit := uitest.Button(t, s.Content(), "Cho xe ra")
	if !exit.Disabled() {
		t.Error("Exit enabled with no plate")
	}
	typePlateKeys(t, s, "29B1-123.455")
	test.Tap(uitest.Button(t, s.Content(), "Xóa"))
	if got := s.Plate(); got != "29B1-123.45" {
		t.Fatalf("plate = %q", got)
	}
	test.Tap(uitest.Button(t, s.Content(), "Cho xe ra"))
	s.Wait()
	want := []parking.ExitRequest{{Plate: "29B1-123.45"}}
	if got := lane.requests(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("Exit requests = %+v, want %+v", got, want)
	}
	if s.Plate() != "" {
		t.Errorf("plate %q kept after a successful exit", s.Plate())
	}
}

func TestLostTicket(t *testing.T) {
	lane := &fakeLane{release: make(chan struct{})}
	s, _ := newScreen(t, lane)
	typePlateKeys(t, s, "51F-888.88")
	test.Tap(uitest.Button(t, s.Content(), "Mất vé"))
	// While Exit runs, both exit buttons are disabled and a second tap
	// starts nothing.
	if b := uitest.Button(t, s.Content(), "Mất vé"); !b.Disabled() {
		t.Error("Lost ticket enabled while an exit is in flight")
	}
	test.Tap(uitest.Button(t, s.Content(), "Mất vé"))
	lane.mu.Lock()
	lane.err = parking.ErrUnknownTicket
	lane.mu.Unlock()
	close(lane.release)
	s.Wait()
	got := lane.requests()
	if len(got) != 1 || got[0] != (parking.ExitRequest{Plate: "51F-888.88", Lost: true}) {
		t.Fatalf("Exit requests = %+v", got)
	}
	if s.Plate() != "51F-888.88" {
		t.Errorf("plate %q, want it kept after a refused exit", s.Plate())
	}
	if b := uitest.Button(t, s.Content(), "Mất vé"); b.Disabled() {
		t.Error("Lost ticket still disabled after the exit returned")
	}
}

func TestExitNotes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{parking.ErrUnusable, "Biển số không hợp lệ."},
		{parking.ErrBusy, "Làn đang phục vụ xe khác."},
		{errors.Join(parking.ErrPaymentTimeout), "Chưa cho xe ra được – xem thông báo bên trái."},
	} {
		lane := &fakeLane{err: tc.err}
		s, _ := newScreen(t, lane)
		typePlateKeys(t, s, "29A12345")
		test.Tap(uitest.Button(t, s.Content(), "Cho xe ra"))
		s.Wait()
		if s.note != tc.want {
			t.Errorf("%v: note %q, want %q", tc.err, s.note, tc.want)
		}
	}
}

func TestCancelPayment(t *testing.T) {
	lane := &fakeLane{}
	s, _ := newScreen(t, lane)
	if b := uitest.Button(t, s.Content(), "Hủy thanh toán"); !b.Disabled() {
		t.Error("Cancel payment enabled while idle")
	}
	f := fixtures(t)[1]
	s.Apply(f.s)
	test.Tap(uitest.Button(t, s.Content(), "Hủy thanh toán"))
	lane.mu.Lock()
	n := lane.cancels
	lane.mu.Unlock()
	if n != 1 {
		t.Errorf("CancelPayment called %d times, want 1", n)
	}
	if s.State().Phase != parking.PhaseAwaitingPayment {
		t.Errorf("phase %q", s.State().Phase)
	}
}

func TestTypePlate(t *testing.T) {
	long := strings.Repeat("9", MaxPlate)
	for _, tc := range []struct {
		plate string
		r     rune
		want  string
	}{
		{"", 'A', "A"}, {"29", 'B', "29B"}, {"29B1", '-', "29B1-"}, {"29B1-123", '.', "29B1-123."},
		{"29", DeleteKey, "2"}, {"", DeleteKey, ""}, {"29", 'a', "29"}, {"29", 'Đ', "29"}, {long, '1', long},
	} {
		if got := typePlate(tc.plate, tc.r); got != tc.want {
			t.Errorf("typePlate(%q, %q) = %q, want %q", tc.plate, tc.r, got, tc.want)
		}
	}
}

func TestScaleFor(t *testing.T) {
	for _, tc := range []struct {
		panel fyne.Size
		want  float32
	}{
		{fyne.NewSize(1920, 1080), 1}, {fyne.NewSize(1024, 600), 1024.0 / 1920}, {fyne.NewSize(800, 480), 800.0 / 1920},
	} {
		if got := ScaleFor(tc.panel); got != tc.want {
			t.Errorf("ScaleFor(%v) = %v, want %v", tc.panel, got, tc.want)
		}
	}
}

// TestRun: Run returns nil when ctx ends and ErrWindowClosed when the event
// loop ends first (the test app's loop returns at once).
func TestRun(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	states := make(chan parking.State, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, a, &fakeLane{}, states, true); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
	states <- parking.State{Phase: parking.PhaseIdle}
	if err := Run(context.Background(), a, &fakeLane{}, states, false); !errors.Is(err, ErrWindowClosed) {
		t.Errorf("Run = %v, want ErrWindowClosed", err)
	}
}

// staffIntent is the staff-menu tap carried by a lane intent.
func staffIntent(t *testing.T, in parking.Intent) staffmenu.Intent {
	t.Helper()
	if in.Kind != parking.IntentStaff || in.Staff == nil {
		t.Fatalf("intent %+v is not a staff-menu tap", in)
	}
	return *in.Staff
}

// TestStaffButton: the discreet "Nhân viên" button shows only while the
// lane offers the staff menu, and opens it (IntentStaff, no tap inside).
func TestStaffButton(t *testing.T) {
	lane := &fakeLane{}
	s, _ := newScreen(t, lane)
	has := func() bool { return slices.Contains(labels(s.Content()), "Nhân viên") }
	if has() {
		t.Fatal("staff button without a staff menu")
	}
	s.Apply(parking.State{Phase: parking.PhaseIdle, StaffOffered: true})
	test.Tap(uitest.Button(t, s.Content(), "Nhân viên"))
	if got := lane.sent(); len(got) != 1 || got[0].Kind != parking.IntentStaff || got[0].Staff != nil {
		t.Fatalf("sent %+v, want one staff-open intent", got)
	}
	s.Apply(visit(parking.PhaseBarrierOpen, "Mời xe qua"))
	if has() {
		t.Error("staff button while a vehicle passes")
	}
}

// TestStaffScreen: the staff screen renders the menu's View over the lane
// screen; the keypad keeps typed digits across republished states and
// sends the PIN, each button sends its intent wrapped in the lane's
// intent, and leaving the menu brings the lane screen back.
func TestStaffScreen(t *testing.T) {
	lane := &fakeLane{}
	s, _ := newScreen(t, lane)
	s.Apply(parking.State{Seq: 5, Phase: parking.PhaseStaff, Staff: &staffmenu.View{Message: staffmenu.Message{Key: "staff.enter_pin"},
		PINMin: 4, PINMax: 12, Actions: []string{staffmenu.IntentLogout}}})
	if got := labels(s.Content()); !slices.Contains(got, "Mời nhân viên nhập mã PIN.") || slices.Contains(got, "Cho xe ra") {
		t.Fatalf("staff keypad screen shows %q", got)
	}
	for _, d := range "24" {
		test.Tap(uitest.Button(t, s.Content(), string(d)))
	}
	// The menu republishes (the keypad's taps restart its idle timer).
	s.Apply(parking.State{Seq: 6, Phase: parking.PhaseStaff, Staff: &staffmenu.View{Message: staffmenu.Message{Key: "staff.enter_pin"},
		PINMin: 4, PINMax: 12, Actions: []string{staffmenu.IntentLogout}}})
	for _, d := range "68" {
		test.Tap(uitest.Button(t, s.Content(), string(d)))
	}
	test.Tap(uitest.Button(t, s.Content(), "Xong"))
	var pins []staffmenu.Intent
	for _, in := range lane.sent() {
		if si := staffIntent(t, in); si.Kind == staffmenu.IntentPIN {
			pins = append(pins, si)
		}
	}
	if len(pins) != 1 || pins[0].Digits != "2468" {
		t.Fatalf("PIN intents %+v, want one with 2468", pins)
	}

	s.Apply(parking.State{Seq: 7, Phase: parking.PhaseStaff, Staff: menuView()})
	for _, tc := range []struct {
		button string
		want   staffmenu.Intent
	}{
		{"Trạng thái thiết bị", staffmenu.Intent{Kind: staffmenu.IntentStatus}},
		{"In lại vé gần nhất", staffmenu.Intent{Kind: staffmenu.IntentReprint}},
		{"Báo cáo hôm nay", staffmenu.Intent{Kind: staffmenu.IntentReport}},
		{parking.ServiceEntry + ": đã đóng", staffmenu.Intent{Kind: staffmenu.IntentService, Service: parking.ServiceEntry, Open: true}},
		{parking.ServiceExit + ": đang mở", staffmenu.Intent{Kind: staffmenu.IntentService, Service: parking.ServiceExit}},
		{"Đăng xuất", staffmenu.Intent{Kind: staffmenu.IntentLogout}},
	} {
		test.Tap(uitest.Button(t, s.Content(), tc.button))
		got := lane.sent()
		if si := staffIntent(t, got[len(got)-1]); si != tc.want {
			t.Errorf("%q sent %+v, want %+v", tc.button, si, tc.want)
		}
	}

	s.Apply(parking.State{Seq: 8, Phase: parking.PhaseIdle, StaffOffered: true})
	if got := labels(s.Content()); !slices.Contains(got, "Cho xe ra") || !slices.Contains(got, "Nhân viên") {
		t.Fatalf("after the menu: %q", got)
	}
}
