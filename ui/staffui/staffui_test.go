package staffui

import (
	"flag"
	"image"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/i18n"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

var update = flag.Bool("update", false, "rewrite testdata/*.png")

func catalog(t *testing.T, lang i18n.Lang) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load(lang)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func shoot(t *testing.T, s *Screen, v *staffmenu.View) (image.Image, fyne.CanvasObject) {
	t.Helper()
	content := s.Page(v).Build()
	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	w.Resize(uitest.Portrait)
	uitest.SetScale(w, uitest.GoldenScale)
	w.SetContent(content)
	widgets.Relayout(content)
	return w.Canvas().Capture(), content
}

func menuView() *staffmenu.View {
	return &staffmenu.View{LoggedIn: true, Staff: "kythuat1", Message: staffmenu.Message{Key: "staff.status"}, PINMin: 4, PINMax: 12,
		Status:   &staffmenu.Status{Printer: "paper_near_end", StoreFill: 3, Backlog: 12, OldestWait: "4m10s", LastAcked: 881, PaperCalls: 1, Clock: "09:41 06/12/2026"},
		Services: []staffmenu.ServiceState{{Service: "SE1", Open: true}, {Service: "SE3", Open: false}},
		Actions: []string{staffmenu.IntentStatus, staffmenu.IntentTestPage, staffmenu.IntentReprint, staffmenu.IntentPaper,
			staffmenu.IntentReport, staffmenu.IntentRestart, staffmenu.IntentLogout}}
}

// TestPINScreen: the masked keypad sends the PIN once, on OK, and a
// republished state keeps the digits typed so far.
func TestPINScreen(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	var sent []staffmenu.Intent
	s := &Screen{T: catalog(t, i18n.Vietnamese), Send: func(in staffmenu.Intent) { sent = append(sent, in) }}
	v := &staffmenu.View{Message: staffmenu.Message{Key: "staff.wrong_pin", Args: []string{"left", "2"}}, Alert: true, PINMin: 4, PINMax: 12,
		Actions: []string{staffmenu.IntentLogout}}
	img, _ := shoot(t, s, v)
	uitest.AssertScreen(t, "pin.png", img, *update)
	for _, d := range "2468" {
		s.kp.Press(d)
	}
	_, content := shoot(t, s, v) // the state came again
	test.Tap(uitest.Button(t, content, "Xong"))
	if n := len(sent); n != 5 || sent[4].Kind != staffmenu.IntentPIN || sent[4].Digits != "2468" || sent[0].Kind != staffmenu.IntentActivity {
		t.Fatalf("sent %+v", sent)
	}
	if s.kp.Value() != "" {
		t.Fatal("the keypad still holds the PIN after OK")
	}
	test.Tap(uitest.Button(t, content, "Quay lại"))
	if sent[len(sent)-1].Kind != staffmenu.IntentLogout {
		t.Fatalf("back sent %+v", sent[len(sent)-1])
	}
	// Locked: no keypad at all.
	v.LockedUntil = time.Date(2026, 12, 6, 9, 45, 0, 0, time.UTC)
	_, content = shoot(t, s, v)
	for _, b := range uitest.Buttons(content) {
		if b.Text == "Xong" {
			t.Fatal("a keypad while locked")
		}
	}
}

// TestMenuScreen: every action is a button at the touch target sending
// its intent; a service button sends the opposite of its state.
func TestMenuScreen(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	var sent []staffmenu.Intent
	s := &Screen{T: catalog(t, i18n.Vietnamese), Send: func(in staffmenu.Intent) { sent = append(sent, in) }}
	img, content := shoot(t, s, menuView())
	uitest.AssertScreen(t, "menu.png", img, *update)
	if fits := content.MinSize(); fits.Height > uitest.Portrait.Height || fits.Width > uitest.Portrait.Width {
		t.Errorf("content needs %v, more than the screen %v", fits, uitest.Portrait)
	}
	for _, b := range uitest.Buttons(content) {
		if b.Size().Height < kiosktheme.TouchTarget || b.Size().Width < kiosktheme.TouchTarget {
			t.Errorf("button %q is %v", b.Text, b.Size())
		}
	}
	for label, want := range map[string]staffmenu.Intent{
		"Trạng thái thiết bị": {Kind: staffmenu.IntentStatus},
		"In trang thử":        {Kind: staffmenu.IntentTestPage},
		"In lại vé gần nhất":  {Kind: staffmenu.IntentReprint},
		"Đã thay giấy":        {Kind: staffmenu.IntentPaper},
		"Báo cáo hôm nay":     {Kind: staffmenu.IntentReport},
		"Khởi động lại":       {Kind: staffmenu.IntentRestart},
		"Đăng xuất":           {Kind: staffmenu.IntentLogout},
		"SE1: đang mở":        {Kind: staffmenu.IntentService, Service: "SE1", Open: false},
		"SE3: đã đóng":        {Kind: staffmenu.IntentService, Service: "SE3", Open: true},
	} {
		test.Tap(uitest.Button(t, content, label))
		if got := sent[len(sent)-1]; got != want {
			t.Errorf("%q sent %+v, want %+v", label, got, want)
		}
	}
	// English, busy: the buttons are disabled while an action runs.
	s.T = catalog(t, i18n.English)
	v := menuView()
	v.Busy, v.Status = true, nil
	_, content = shoot(t, s, v)
	if b := uitest.Button(t, content, "Print a test page"); !b.Disabled() {
		t.Fatal("an action button is live while busy")
	}
}

func TestEntryButton(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	n := 0
	b := EntryButton(catalog(t, i18n.Vietnamese), func() { n++ })
	test.Tap(b)
	if b.Text != "Nhân viên" || n != 1 {
		t.Fatalf("%q %d", b.Text, n)
	}
}
