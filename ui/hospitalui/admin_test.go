package hospitalui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/hospital"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// TestAdminScreen: the PIN keypad masks the digits and sends them with
// IntentPIN; logged in, a service button sends IntentService.
func TestAdminScreen(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	var sent []hospital.Intent
	e := env(t, hospital.LangVI, false, variant{}.display, func(in hospital.Intent) { sent = append(sent, in) })
	s := hospital.State{Screen: hospital.ScreenAdmin, Lang: hospital.LangVI, Title: hospital.Text{VI: "Quản trị thiết bị"},
		Admin:   &hospital.Admin{Message: hospital.Text{VI: "Nhập mã PIN nhân viên"}, PINMin: 4, PINMax: 12},
		Actions: []hospital.Action{{Kind: hospital.IntentBack, Label: hospital.Text{VI: "Quay lại"}}}}
	w := test.NewTempWindow(t, Render(s, e))
	var kp *widgets.Keypad
	for _, o := range test.LaidOutObjects(w.Content()) {
		if k, ok := o.(*widgets.Keypad); ok {
			kp = k
		}
	}
	if kp == nil {
		t.Fatal("no keypad")
	}
	for _, d := range "2468" {
		test.Tap(kp.Digit(int(d - '0')))
	}
	if got := kp.Text(); got != "• • • • _ _ _ _ _ _ _ _" {
		t.Fatalf("display %q", got)
	}
	test.Tap(kp.OKButton())
	if last := sent[len(sent)-1]; last.Kind != hospital.IntentPIN || last.Digits != "2468" {
		t.Fatalf("sent %+v", last)
	}

	s.Admin = &hospital.Admin{LoggedIn: true, Staff: "kythuat1", Services: []hospital.ServiceState{{Service: "A", Open: true}, {Service: "B", Open: false}}}
	w.SetContent(Render(s, e))
	var tapped bool
	for _, o := range test.LaidOutObjects(w.Content()) {
		if b, ok := o.(*widgets.Button); ok && b.Text == "B ✗" {
			test.Tap(b)
			tapped = true
		}
	}
	if last := sent[len(sent)-1]; !tapped || last.Kind != hospital.IntentService || last.Service != "B" || !last.Yes {
		t.Fatalf("service tap: %v %+v", tapped, last)
	}
}
