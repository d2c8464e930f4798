package onestopui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

func hasButton(root fyne.CanvasObject, text string) bool {
	for _, b := range uitest.Buttons(root) {
		if b.Text == text {
			return true
		}
	}
	return false
}

func keypad(t *testing.T, root fyne.CanvasObject) *widgets.Keypad {
	t.Helper()
	for _, o := range test.LaidOutObjects(root) {
		if k, ok := o.(*widgets.Keypad); ok {
			return k
		}
	}
	t.Fatal("no keypad")
	return nil
}

// lastStaff is the staff intent sent last.
func lastStaff(t *testing.T, f *sent) staffmenu.Intent {
	t.Helper()
	if len(f.in) == 0 {
		t.Fatal("nothing sent")
	}
	in := f.in[len(f.in)-1]
	if in.Kind != onestop.IntentStaff || in.Staff == nil {
		t.Fatalf("sent %+v, not a staff intent", in)
	}
	return *in.Staff
}

// TestStaffScreen: the welcome screen shows the discreet "Nhân viên" only
// when the flow offers the staff menu, and it opens it; the staff screen
// renders the menu's View, its keypad keeps the digits typed across a
// republished state (one staffui.Screen while it shows) and sends the PIN
// wrapped in a onestop intent; logged in, each button sends its staff
// intent; leaving drops the keypad.
func TestStaffScreen(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	scr := NewKioskScreen(a, f, ict, Options{Listen: func() {}})
	w := test.NewTempWindow(t, scr.Content())
	w.Resize(Size)

	scr.Apply(fixture(t, "01-welcome"))
	if hasButton(scr.Content(), "Nhân viên") {
		t.Fatal("a staff button without a staff menu")
	}
	scr.Apply(fixture(t, "19-welcome-staff"))
	for _, b := range uitest.Buttons(scr.Content()) {
		if b.Text == "Nhân viên" && b.Kind != widgets.Secondary {
			t.Fatalf("the staff button is %v, not discreet", b.Kind)
		}
	}
	test.Tap(uitest.Button(t, scr.Content(), "Nhân viên"))
	if in := f.in[len(f.in)-1]; in.Kind != onestop.IntentStaff || in.Staff != nil {
		t.Fatalf("the staff button sent %+v", in)
	}

	pin := fixture(t, "20-staff-pin")
	scr.Apply(pin)
	if hasButton(scr.Content(), "Nghe hướng dẫn") {
		t.Fatal("a listen button on the staff screen")
	}
	for _, d := range "24" {
		test.Tap(keypad(t, scr.Content()).Digit(int(d - '0')))
	}
	if got := lastStaff(t, f); got.Kind != staffmenu.IntentActivity || got.Digits != "" {
		t.Fatalf("a key sent %+v", got)
	}
	pin.Seq++
	scr.Apply(pin) // the flow republishes (the activity): the digits stay
	for _, d := range "68" {
		test.Tap(keypad(t, scr.Content()).Digit(int(d - '0')))
	}
	if got := keypad(t, scr.Content()).Text(); got != "• • • • _ _ _ _ _ _ _ _" {
		t.Fatalf("keypad shows %q", got)
	}
	test.Tap(keypad(t, scr.Content()).OKButton())
	if got := lastStaff(t, f); got.Kind != staffmenu.IntentPIN || got.Digits != "2468" {
		t.Fatalf("OK sent %+v", got)
	}
	test.Tap(uitest.Button(t, scr.Content(), "Quay lại"))
	if got := lastStaff(t, f); got.Kind != staffmenu.IntentLogout {
		t.Fatalf("back sent %+v", got)
	}

	scr.Apply(fixture(t, "21-staff-menu"))
	for label, want := range map[string]staffmenu.Intent{
		"Trạng thái thiết bị": {Kind: staffmenu.IntentStatus},
		"In lại vé gần nhất":  {Kind: staffmenu.IntentReprint},
		"Báo cáo hôm nay":     {Kind: staffmenu.IntentReport},
		"A: đã đóng":          {Kind: staffmenu.IntentService, Service: "A", Open: true},
		"C: đang mở":          {Kind: staffmenu.IntentService, Service: "C", Open: false},
		"Đăng xuất":           {Kind: staffmenu.IntentLogout},
	} {
		test.Tap(uitest.Button(t, scr.Content(), label))
		if got := lastStaff(t, f); got != want {
			t.Errorf("%q sent %+v, want %+v", label, got, want)
		}
	}

	// Leaving the menu forgets the keypad: the next one starts empty.
	scr.Apply(fixture(t, "20-staff-pin"))
	test.Tap(keypad(t, scr.Content()).Digit(9))
	scr.Apply(fixture(t, "19-welcome-staff"))
	if scr.staff != nil {
		t.Fatal("the staff screen outlived the menu")
	}
	scr.Apply(fixture(t, "20-staff-pin"))
	if got := keypad(t, scr.Content()).Text(); got != "_ _ _ _ _ _ _ _ _ _ _ _" {
		t.Fatalf("a new staff menu's keypad shows %q", got)
	}
}
