package ticketingui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
)

// staffStates are the staff screen's fixtures: the PIN keypad after a
// wrong PIN, and the menu with the status and the services shown.
func staffStates() (pin, menu ticketing.State) {
	pin = ticketing.State{Seq: 1, Screen: ticketing.ScreenStaff, Lang: ticketing.LangVI, Title: m("title.staff"),
		Staff: &staffmenu.View{Message: staffmenu.Message{Key: "staff.wrong_pin", Args: []string{"left", "4"}}, Alert: true, PINMin: 4, PINMax: 12,
			Actions: []string{staffmenu.IntentLogout}}}
	menu = pin
	menu.Staff = &staffmenu.View{LoggedIn: true, Staff: "kythuat1", Message: staffmenu.Message{Key: "staff.status"}, PINMin: 4, PINMax: 12,
		Status:   &staffmenu.Status{Printer: "paper_near_end", StoreFill: 12, Backlog: 3, OldestWait: "2m0s", PaperCalls: 1, Clock: "08:15 22/11/2026"},
		Services: []staffmenu.ServiceState{{Service: "Xe khách"}, {Service: "Tàu hỏa", Open: true}, {Service: "Xe buýt", Open: true}},
		Actions: []string{staffmenu.IntentStatus, staffmenu.IntentTestPage, staffmenu.IntentReprint, staffmenu.IntentPaper,
			staffmenu.IntentReport, staffmenu.IntentRestart, staffmenu.IntentLogout}}
	return pin, menu
}

// welcomeWithStaff is welcome on a kiosk with a staff menu.
func welcomeWithStaff() ticketing.State {
	s := screens()[0].s
	s.Actions = append(append([]ticketing.Action(nil), s.Actions...), act(ticketing.IntentStaff, "action.staff", false))
	return s
}

// TestStaffScreens: welcome shows the discreet "Nhân viên" only when the
// flow offers the staff menu, bottom left and not among the passenger's
// choices; the staff screen renders the menu's View (goldens) and its
// buttons send the menu's intents inside IntentStaff.
func TestStaffScreens(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	pin, menu := staffStates()
	for _, sh := range []struct {
		name string
		s    ticketing.State
	}{{"01-welcome-staff", welcomeWithStaff()}, {"21-staff-pin", pin}, {"22-staff-menu", menu}} {
		t.Run(sh.name, func(t *testing.T) {
			img := shoot(t, sh.s, false, Entry{}, uitest.GoldenScale)
			fits := lastContent.MinSize()
			if fits.Height > PortraitSize.Height || fits.Width > PortraitSize.Width {
				t.Errorf("content needs %v, more than the %v screen", fits, PortraitSize)
			}
			for _, b := range uitest.Buttons(lastContent) {
				if b.Size().Height < kiosktheme.TouchTarget || b.Size().Width < kiosktheme.TouchTarget {
					t.Errorf("button %q is %v, under the %v touch target", b.Text, b.Size(), kiosktheme.TouchTarget)
				}
			}
			uitest.AssertScreen(t, sh.name+".png", img, *update)
		})
	}

	var sent []ticketing.Intent
	env := Env{Send: func(in ticketing.Intent) { sent = append(sent, in) }, Now: func() time.Time { return fixtures.Now }, Location: ict}
	labels := func(s ticketing.State) map[string]bool {
		out := map[string]bool{}
		for _, b := range uitest.Buttons(Render(s, env)) {
			out[b.Text] = true
		}
		return out
	}
	if labels(screens()[0].s)["Nhân viên"] {
		t.Fatal("welcome shows the staff button on a kiosk without a staff menu")
	}
	tap := func(s ticketing.State, label string) {
		t.Helper()
		content := Render(s, env)
		w := test.NewTempWindow(t, content)
		w.Resize(PortraitSize)
		test.Tap(uitest.Button(t, content, label))
	}
	tap(welcomeWithStaff(), "Nhân viên")
	tap(menu, "Trạng thái thiết bị")
	tap(menu, "Xe khách: đã đóng")
	tap(menu, "Tàu hỏa: đang mở")
	tap(menu, "In lại vé gần nhất")
	tap(menu, "Đăng xuất")
	tap(pin, "Quay lại")
	staff := func(si staffmenu.Intent) ticketing.Intent {
		return ticketing.Intent{Kind: ticketing.IntentStaff, Staff: &si}
	}
	want := []ticketing.Intent{{Kind: ticketing.IntentStaff}, staff(staffmenu.Intent{Kind: staffmenu.IntentStatus}),
		staff(staffmenu.Intent{Kind: staffmenu.IntentService, Service: "Xe khách", Open: true}),
		staff(staffmenu.Intent{Kind: staffmenu.IntentService, Service: "Tàu hỏa"}), staff(staffmenu.Intent{Kind: staffmenu.IntentReprint}),
		staff(staffmenu.Intent{Kind: staffmenu.IntentLogout}), staff(staffmenu.Intent{Kind: staffmenu.IntentLogout})}
	if show(sent) != show(want) {
		t.Fatalf("sent %s\nwant %s", show(sent), show(want))
	}
}

func show(ins []ticketing.Intent) string {
	out := ""
	for _, in := range ins {
		out += fmt.Sprintf("{%s", in.Kind)
		if in.Staff != nil {
			out += fmt.Sprintf(" %+v", *in.Staff)
		}
		out += "} "
	}
	return out
}

// TestStaffKeypadKept: the window keeps one staff screen, so digits typed
// survive a state published meanwhile (each key is activity); OK sends
// the PIN once, inside IntentStaff; the staff screen has no "Nghe hướng
// dẫn" (staff need no spoken guidance).
func TestStaffKeypadKept(t *testing.T) {
	a := uitest.NewApp(t, kiosktheme.Options{})
	f := &recFlow{}
	w := NewWindow(a, Options{Now: func() time.Time { return fixtures.Now }, Location: ict, Listen: func() {}}, f)
	t.Cleanup(w.Window().Close)
	w.Window().Resize(PortraitSize)
	pin, _ := staffStates()
	w.Apply(pin)
	for _, b := range uitest.Buttons(w.Window().Content()) {
		if b.Text == "Nghe hướng dẫn" {
			t.Fatal("the staff screen offers spoken guidance")
		}
	}
	test.Tap(button(t, w, "2"))
	test.Tap(button(t, w, "4"))
	again := pin
	again.Seq++
	w.Apply(again) // a state published meanwhile
	test.Tap(button(t, w, "6"))
	test.Tap(button(t, w, "8"))
	test.Tap(button(t, w, "Xong"))
	var pins []string
	for _, in := range f.sent {
		if in.Kind != ticketing.IntentStaff || in.Staff == nil {
			t.Fatalf("sent %+v", in)
		}
		switch in.Staff.Kind {
		case staffmenu.IntentPIN:
			pins = append(pins, in.Staff.Digits)
		case staffmenu.IntentActivity:
		default:
			t.Fatalf("sent %+v", *in.Staff)
		}
	}
	if fmt.Sprint(pins) != "[2468]" {
		t.Fatalf("PINs sent %q", pins)
	}
}
