package checkinui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

// staff is the last intent sent, which must be a staff-menu intent wrapped
// as the flow takes it.
func (s *sent) staff(t *testing.T) staffmenu.Intent {
	t.Helper()
	in := s.last(t)
	if in.Kind != checkin.IntentStaff || in.Staff == nil {
		t.Fatalf("sent %+v, not a staff-menu intent", in)
	}
	return *in.Staff
}

func buttons(scr *Screen, text string) int {
	n := 0
	for _, b := range uitest.Buttons(scr.Content()) {
		if b.Text == text {
			n++
		}
	}
	return n
}

// texts are the labels' texts under o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	switch x := o.(type) {
	case *widget.Label:
		out = append(out, x.Text)
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, texts(c)...)
		}
	case *widgets.Button:
	case fyne.Widget:
		r := x.CreateRenderer()
		for _, c := range r.Objects() {
			out = append(out, texts(c)...)
		}
	}
	return out
}

// TestStaffEntry: the ready screen shows one discreet "Nhân viên" button
// only when the flow offers the staff menu (not again in the action row)
// and what staff closed; the button sends IntentStaff with no menu
// intent; the English screen says "Staff".
func TestStaffEntry(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	scr := NewScreen(f, ict, false)
	scr.Apply(fixture(t, "03-lodging-ready"))
	if n := buttons(scr, "Nhân viên"); n != 0 {
		t.Fatal("a staff button without a staff menu")
	}
	s := fixture(t, "24-lodging-ready-staff")
	scr.Apply(s)
	if n := buttons(scr, "Nhân viên"); n != 1 {
		t.Fatalf("%d staff buttons", n)
	}
	if !slices.Contains(texts(scr.Content()), "Tạm dừng nhận phòng: chỉ làm thủ tục trả phòng") {
		t.Errorf("the closed check-in is not shown: %q", texts(scr.Content()))
	}
	uitest.Button(t, scr.Content(), "Nhân viên").OnTapped()
	if in := f.last(t); in.Kind != checkin.IntentStaff || in.Staff != nil {
		t.Fatalf("sent %+v", in)
	}
	en := NewScreen(f, ict, true)
	en.Apply(s)
	uitest.Button(t, en.Content(), "Staff").OnTapped()
	if in := f.last(t); in.Kind != checkin.IntentStaff || in.Staff != nil {
		t.Fatalf("English: sent %+v", in)
	}
}

// TestStaffScreenSends: the staff screen renders the menu's view (its
// message, in the screen's language); the keypad keeps the digits typed
// across states (one staffui.Screen) and sends the PIN once, wrapped in
// IntentStaff; Back logs out; the logged-in menu's actions and service
// buttons send theirs; leaving the menu forgets the digits typed.
func TestStaffScreenSends(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	scr := NewScreen(f, ict, false)
	pin := staffState(&staffmenu.View{Message: staffmenu.Message{Key: "staff.enter_pin"}, PINMin: 4, PINMax: 12, Actions: []string{staffmenu.IntentLogout}})
	scr.Apply(pin)
	if !slices.Contains(texts(scr.Content()), "Mời nhân viên nhập mã PIN.") {
		t.Fatalf("no PIN prompt: %q", texts(scr.Content()))
	}
	uitest.Button(t, scr.Content(), "2").OnTapped()
	uitest.Button(t, scr.Content(), "4").OnTapped()
	if in := f.staff(t); in != (staffmenu.Intent{Kind: staffmenu.IntentActivity}) {
		t.Fatalf("a key sent %+v", in)
	}
	scr.Apply(pin) // a state published meanwhile
	uitest.Button(t, scr.Content(), "6").OnTapped()
	uitest.Button(t, scr.Content(), "8").OnTapped()
	uitest.Button(t, scr.Content(), "Xong").OnTapped()
	if in := f.staff(t); in != (staffmenu.Intent{Kind: staffmenu.IntentPIN, Digits: "2468"}) {
		t.Fatalf("PIN sent %+v", in)
	}
	scr.Apply(staffState(staffPINView()))
	if !slices.Contains(texts(scr.Content()), "Mã PIN không đúng. Còn 4 lần thử.") {
		t.Fatalf("no wrong-PIN message: %q", texts(scr.Content()))
	}
	uitest.Button(t, scr.Content(), "Quay lại").OnTapped()
	if in := f.staff(t); in.Kind != staffmenu.IntentLogout {
		t.Fatalf("Back sent %+v", in)
	}

	scr.Apply(staffState(staffMenuView()))
	for _, c := range []struct {
		button string
		want   staffmenu.Intent
	}{
		{"Trạng thái thiết bị", staffmenu.Intent{Kind: staffmenu.IntentStatus}},
		{"In trang thử", staffmenu.Intent{Kind: staffmenu.IntentTestPage}},
		{"In lại vé gần nhất", staffmenu.Intent{Kind: staffmenu.IntentReprint}},
		{"Đã thay giấy", staffmenu.Intent{Kind: staffmenu.IntentPaper}},
		{"Báo cáo hôm nay", staffmenu.Intent{Kind: staffmenu.IntentReport}},
		{"Khởi động lại", staffmenu.Intent{Kind: staffmenu.IntentRestart}},
		{"Nhận phòng: đang mở", staffmenu.Intent{Kind: staffmenu.IntentService, Service: "Nhận phòng", Open: false}},
		{"Đăng xuất", staffmenu.Intent{Kind: staffmenu.IntentLogout}},
	} {
		uitest.Button(t, scr.Content(), c.button).OnTapped()
		if in := f.staff(t); in != c.want {
			t.Errorf("%s: sent %+v, want %+v", c.button, in, c.want)
		}
	}
	if !slices.Contains(texts(scr.Content()), "Sắp hết giấy") {
		t.Errorf("the status is not shown: %q", texts(scr.Content()))
	}

	// A closed service reopens; the report shows its lines.
	scr.Apply(fixture(t, "27-staff-report"))
	uitest.Button(t, scr.Content(), "Nhận phòng: đã đóng").OnTapped()
	if in := f.staff(t); in != (staffmenu.Intent{Kind: staffmenu.IntentService, Service: "Nhận phòng", Open: true}) {
		t.Fatalf("reopen sent %+v", in)
	}
	if !slices.Contains(texts(scr.Content()), "Thao tác của nhân viên") {
		t.Errorf("the report is not shown: %q", texts(scr.Content()))
	}

	// Leaving the menu drops the typed digits: the next opening starts empty.
	scr.Apply(pin)
	uitest.Button(t, scr.Content(), "9").OnTapped()
	scr.Apply(fixture(t, "24-lodging-ready-staff"))
	scr.Apply(pin)
	for _, k := range "1357" {
		uitest.Button(t, scr.Content(), string(k)).OnTapped()
	}
	uitest.Button(t, scr.Content(), "Xong").OnTapped()
	if in := f.staff(t); in.Digits != "1357" {
		t.Fatalf("the digits typed before leaving came back: %+v", in)
	}
}
