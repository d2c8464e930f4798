package checkinui

import (
	"flag"
	"image"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

var (
	update        = flag.Bool("update", false, "rewrite the golden images in testdata/")
	updateScreens = flag.String("update-screens", "", "also write the README screenshots to this directory as checkin-<name>.png")
)

var (
	ict = time.FixedZone("ICT", 7*3600)
	now = time.Date(2026, 11, 23, 9, 41, 0, 0, ict)
)

func tx(vi string) checkin.Text { return checkin.Text{Key: "k", VI: vi, EN: vi} }

func act(k checkin.IntentKind, label string, primary bool) checkin.Action {
	return checkin.Action{Kind: k, Label: tx(label), Primary: primary}
}

var (
	stats  = act(checkin.IntentReport, "Thống kê", false)
	cancel = act(checkin.IntentCancel, "Hủy", false)
	next   = act(checkin.IntentContinue, "Người tiếp theo", true)
	guest  = &checkin.Person{Name: "Phạm Thị Thu Hà", MaskedID: "0311******42", DOB: "20/07/1995", Verdict: identity.Genuine,
		Genuine: tx("Thẻ CCCD thật"), Holder: "matched"}
)

func st(mode checkin.Mode, screen checkin.Screen, title string, actions ...checkin.Action) checkin.State {
	site := map[checkin.Mode]string{checkin.ModeLodging: "Khách sạn Sông Hương – lễ tân", checkin.ModeVerify: "Văn phòng công chứng Số 1",
		checkin.ModeAttendance: "Hội đồng thi – phòng P101", checkin.ModeGate: "Đại Nội Huế – cổng Ngọ Môn"}[mode]
	return checkin.State{Screen: screen, Mode: mode, Site: site, Title: tx(title), Actions: actions}
}

// fixtures are the golden states: every checkin.Screen, in every mode.
func fixtures() []struct {
	name  string
	s     checkin.State
	entry Entry
} {
	type fx = struct {
		name  string
		s     checkin.State
		entry Entry
	}
	var out []fx
	add := func(name string, s checkin.State, e Entry) { out = append(out, fx{name, s, e}) }

	readyGate := st(checkin.ModeGate, checkin.ScreenReady, "Kiểm soát ra vào", stats)
	readyGate.Ready = &checkin.Ready{Message: tx("Mời chạm thẻ CCCD hoặc quét mã QR trên thẻ"), Occupancy: 137, Capacity: 200, Direction: "entry", Reads: 412, Genuine: 409}
	add("01-gate-ready", readyGate, Entry{})
	fixed := readyGate
	r := *readyGate.Ready
	r.Direction, r.DirectionFixed, r.Occupancy = "exit", true, 12
	fixed.Ready = &r
	add("02-gate-ready-one-way", fixed, Entry{})
	readyLodging := st(checkin.ModeLodging, checkin.ScreenReady, "Khai báo lưu trú", stats)
	readyLodging.Ready = &checkin.Ready{Message: tx("Mời khách chạm thẻ CCCD để nhận phòng hoặc trả phòng"), InHouse: 14, Reads: 9, Genuine: 9}
	add("03-lodging-ready", readyLodging, Entry{})
	readyAtt := st(checkin.ModeAttendance, checkin.ScreenReady, "Điểm danh dự thi", stats)
	readyAtt.Ready = &checkin.Ready{Message: tx("Mời thí sinh chạm thẻ CCCD"), Session: "SH-2026-11-23-S1", Accepted: 17, Listed: 24, Reads: 19, Genuine: 18}
	add("04-attendance-ready", readyAtt, Entry{})
	readyVerify := st(checkin.ModeVerify, checkin.ScreenReady, "Xác thực khách hàng", stats)
	readyVerify.Ready = &checkin.Ready{Message: tx("Mời khách hàng chạm thẻ CCCD để xác thực"), Reads: 31, Genuine: 30}
	add("05-verify-ready", readyVerify, Entry{})

	rd := st(checkin.ModeVerify, checkin.ScreenReading, "Xác thực khách hàng", cancel)
	rd.Reading = &checkin.Reading{Step: identity.EventReading, Progress: 0.55, Message: tx("Đang đọc thẻ, vui lòng giữ thẻ…")}
	add("06-reading", rd, Entry{})
	can := st(checkin.ModeAttendance, checkin.ScreenReading, "Điểm danh dự thi", cancel)
	can.Reading = &checkin.Reading{Step: identity.EventNeedCAN, NeedCAN: true, Message: tx("Nhập 6 số cuối của số định danh trên thẻ"),
		CANError: tx("Thẻ không chấp nhận số vừa nhập. Còn 2 lần thử."), CANAttemptsLeft: 2}
	add("07-reading-can", can, Entry{CAN: "0123"})

	hd := st(checkin.ModeAttendance, checkin.ScreenHolder, "Điểm danh dự thi", act(checkin.IntentSkip, "Bỏ qua vân tay", false), cancel)
	hd.Holder = &checkin.Holder{Prompt: "place", Message: tx("Mời đặt ngón tay đã đăng ký lên cảm biến")}
	p := *guest
	p.Holder = ""
	hd.Person = &p
	add("08-holder", hd, Entry{})
	offer := st(checkin.ModeAttendance, checkin.ScreenHolder, "Điểm danh dự thi", act(checkin.IntentEnrol, "Khách đồng ý: đăng ký vân tay", true),
		act(checkin.IntentSkip, "Không đăng ký", false), cancel)
	offer.Holder = &checkin.Holder{Offer: true, Message: tx("Chủ thẻ chưa đăng ký vân tay. Nếu Ông/Bà đồng ý, vân tay được lưu trên máy này (gắn với số định danh) để đối chiếu ở các lần sau.")}
	offer.Person = &p
	add("08-holder-enrol-offer", offer, Entry{})

	form := st(checkin.ModeLodging, checkin.ScreenLodging, "Khai báo lưu trú", act(checkin.IntentConfirm, "Nhận phòng", true), cancel)
	notEnrolled := *guest
	notEnrolled.Name, notEnrolled.Holder = "Tôn Nữ Thị Phương Khánh Hòa", "not_enrolled" // a long name, the longest holder line
	form.Person = &notEnrolled
	form.Lodging = &checkin.LodgingForm{Room: "203", Departure: "25/11/2026", Reason: "Du lịch",
		Reasons: []string{"Du lịch", "Công tác", "Thăm thân", "Khám, chữa bệnh", "Khác"}, Arrival: now, NotifyBy: time.Date(2026, 11, 23, 23, 0, 0, 0, ict)}
	add("09-lodging-form", form, Entry{})
	formErr := form
	fe := *form.Lodging
	fe.Room, fe.Error = "", tx("Vui lòng nhập số phòng")
	formErr.Lodging = &fe
	add("10-lodging-form-error", formErr, Entry{})

	res := func(mode checkin.Mode, title string, r checkin.Result, person *checkin.Person, actions ...checkin.Action) checkin.State {
		s := st(mode, checkin.ScreenResult, title, actions...)
		s.Result, s.Person = &r, person
		return s
	}
	add("11-lodging-checked-in", res(checkin.ModeLodging, "Khai báo lưu trú", checkin.Result{OK: true, Code: "checked_in", Room: "203",
		Message: tx("Đã nhận phòng 203."), Detail: tx("Hạn thông báo lưu trú: trước 23:00 23/11/2026 (Luật Cư trú, Điều 30).")}, guest, next), Entry{})
	add("12-lodging-in-house", res(checkin.ModeLodging, "Khai báo lưu trú", checkin.Result{OK: true, Code: "in_house", Room: "203",
		Message: tx("Khách đang lưu trú tại phòng 203 từ 23/11 09:41.")}, guest, act(checkin.IntentCheckOut, "Trả phòng", true), act(checkin.IntentContinue, "Người tiếp theo", false)), Entry{})
	add("13-lodging-checked-out", res(checkin.ModeLodging, "Khai báo lưu trú", checkin.Result{OK: true, Code: "checked_out", Room: "203",
		Message: tx("Đã trả phòng 203.")}, guest, next), Entry{})
	add("14-verify-ok", res(checkin.ModeVerify, "Xác thực khách hàng", checkin.Result{OK: true, Code: "verified",
		Message: tx("Đã xác thực đúng danh tính khách hàng"), Detail: tx("Vân tay khớp với chủ thẻ")}, guest, next), Entry{})
	forged := *guest
	forged.Verdict, forged.Genuine, forged.Holder = identity.NotGenuine, tx("Thẻ không hợp lệ"), ""
	add("15-verify-not-genuine", res(checkin.ModeVerify, "Xác thực khách hàng", checkin.Result{Code: "not_genuine",
		Message: tx("Từ chối: thẻ CCCD không hợp lệ")}, &forged, next), Entry{})
	add("16-attendance-accepted", res(checkin.ModeAttendance, "Điểm danh dự thi", checkin.Result{OK: true, Code: "accepted", Number: "0001", Room: "P101",
		Message: tx("Thí sinh số báo danh 0001 – phòng thi P101: hợp lệ"), Detail: tx("Vân tay khớp với chủ thẻ")}, guest, next), Entry{})
	impostor := *guest
	impostor.Holder = "mismatch"
	add("17-attendance-wrong-person", res(checkin.ModeAttendance, "Điểm danh dự thi", checkin.Result{Code: "wrong_person", Number: "0001", Room: "P101",
		Message: tx("Từ chối: người xuất trình không phải chủ thẻ (vân tay không khớp)")}, &impostor, next), Entry{})
	add("18-attendance-not-on-list", res(checkin.ModeAttendance, "Điểm danh dự thi", checkin.Result{Code: "not_on_list",
		Message: tx("Từ chối: không có tên trong danh sách")}, guest, next), Entry{})
	add("19-gate-entry", res(checkin.ModeGate, "Kiểm soát ra vào", checkin.Result{OK: true, Code: "entry", Occupancy: 138,
		Message: tx("Mời vào. Hiện có 138 người bên trong.")}, guest, next), Entry{})
	add("20-gate-full", res(checkin.ModeGate, "Kiểm soát ra vào", checkin.Result{Code: "full", Occupancy: 200,
		Message: tx("Tạm dừng vào: đã đủ số lượng khách cho phép")}, guest, next), Entry{})

	rep := st(checkin.ModeLodging, checkin.ScreenReport, "Khai báo lưu trú", act(checkin.IntentPrint, "In báo cáo", true),
		act(checkin.IntentExportASM, "Xuất danh sách lưu trú", false), act(checkin.IntentBack, "Quay lại", false))
	rep.Report = &checkin.ReportView{Period: "week", Title: "BÁO CÁO THỐNG KÊ TUẦN", Range: "Từ 23/11/2026 đến 29/11/2026", Complete: true,
		Rows: []checkin.ReportRow{{Key: "reads", Label: "Lượt đọc thẻ", Value: "58"}, {Key: "genuine", Label: "Thẻ xác thực là thật", Value: "57 (98,3 %)"},
			{Key: "not_genuine", Label: "Thẻ không hợp lệ", Value: "1"}, {Key: "unverified", Label: "Chưa xác thực được", Value: "0"},
			{Key: "holder_matched", Label: "Vân tay khớp chủ thẻ", Value: "12"}, {Key: "holder_mismatch", Label: "Vân tay không khớp", Value: "0"},
			{Key: "check_ins", Label: "Lượt nhận phòng (lưu trú)", Value: "31"}, {Key: "check_outs", Label: "Lượt trả phòng", Value: "26"}},
		Message: tx("Đã xuất tệp bao-cao-week-20261123-20261129.xlsx"), File: "bao-cao-week-20261123-20261129.xlsx"}
	add("21-report-lodging", rep, Entry{})
	repGate := st(checkin.ModeGate, checkin.ScreenReport, "Kiểm soát ra vào", act(checkin.IntentBack, "Quay lại", false))
	repGate.Report = &checkin.ReportView{Period: "last_month", Title: "BÁO CÁO THỐNG KÊ THÁNG", Range: "Từ 15/10/2026 đến 14/11/2026",
		Note: "CHƯA ĐỦ SỐ LIỆU: máy chỉ còn dữ liệu từ 01/11/2026",
		Rows: []checkin.ReportRow{{Key: "reads", Label: "Lượt đọc thẻ", Value: "8.775"}, {Key: "entries", Label: "Lượt vào", Value: "4.410"},
			{Key: "exits", Label: "Lượt ra", Value: "4.365"}, {Key: "peak_occupancy", Label: "Số người cao nhất cùng lúc", Value: "196"}}}
	add("22-report-gate-incomplete", repGate, Entry{})

	// The staff menu: the ready screen's discreet button (with the check-in
	// of new guests closed), the PIN keypad after a wrong PIN, the menu with
	// every action (a printer, restart) and the status, today's report.
	readyStaff := st(checkin.ModeLodging, checkin.ScreenReady, "Khai báo lưu trú", stats, staffAct)
	readyStaff.Ready = &checkin.Ready{Message: tx("Mời khách chạm thẻ CCCD để nhận phòng hoặc trả phòng"),
		Closed: tx("Tạm dừng nhận phòng: chỉ làm thủ tục trả phòng"), InHouse: 14, Reads: 9, Genuine: 9}
	add("24-lodging-ready-staff", readyStaff, Entry{})
	add("25-staff-pin", staffState(staffPINView()), Entry{})
	add("26-staff-menu", staffState(staffMenuView()), Entry{})
	rv := &staffmenu.View{LoggedIn: true, Staff: "letan1", Message: staffmenu.Message{Key: "staff.report_shown"}, PINMin: 4, PINMax: 12,
		Report:   []staffmenu.ReportLine{{Kind: "checkin.read", Count: 41}, {Kind: "checkin.lodging", Count: 12}, {Kind: "admin.audit", Count: 5}},
		Services: []staffmenu.ServiceState{{Service: "Nhận phòng", Open: false}},
		Actions:  []string{staffmenu.IntentStatus, staffmenu.IntentReport, staffmenu.IntentLogout}}
	add("27-staff-report", staffState(rv), Entry{})

	oos := st(checkin.ModeGate, checkin.ScreenOutOfService, "Kiểm soát ra vào")
	oos.OutOfService = &checkin.OutOfService{Message: tx("Tạm dừng: không lưu được dữ liệu. Vui lòng làm thủ tục thủ công."), Since: now}
	add("23-out-of-service", oos, Entry{})
	return out
}

var staffAct = act(checkin.IntentStaff, "Nhân viên", false)

func staffState(v *staffmenu.View) checkin.State {
	s := st(checkin.ModeLodging, checkin.ScreenStaff, "Khai báo lưu trú")
	s.Staff = v
	return s
}

func staffPINView() *staffmenu.View {
	return &staffmenu.View{Message: staffmenu.Message{Key: "staff.wrong_pin", Args: []string{"left", "4"}}, Alert: true, PINMin: 4, PINMax: 12,
		Actions: []string{staffmenu.IntentLogout}}
}

// staffMenuView is the menu with every action a point can have (a
// printer, restart) and the status shown.
func staffMenuView() *staffmenu.View {
	return &staffmenu.View{LoggedIn: true, Staff: "letan1", Message: staffmenu.Message{Key: "staff.status"}, PINMin: 4, PINMax: 12,
		Status:   &staffmenu.Status{Printer: "paper_near_end", StoreFill: 12, Backlog: 3, OldestWait: "4m0s", PaperCalls: 1, Clock: "09:41 23/11/2026"},
		Services: []staffmenu.ServiceState{{Service: "Nhận phòng", Open: true}},
		Actions: []string{staffmenu.IntentStatus, staffmenu.IntentTestPage, staffmenu.IntentReprint, staffmenu.IntentPaper,
			staffmenu.IntentReport, staffmenu.IntentRestart, staffmenu.IntentLogout}}
}

func shoot(t *testing.T, s checkin.State, e Entry, scale float32) (image.Image, fyne.CanvasObject) {
	t.Helper()
	content := Render(s, Env{Location: ict, Entry: &e})
	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	w.Resize(Size)
	uitest.SetScale(w, scale)
	w.SetContent(content)
	widgets.Relayout(content)
	return w.Canvas().Capture(), content
}

// TestScreens renders every screen of every mode (landscape, Vietnamese),
// checks each fits the screen with every button at the touch target, and
// compares it with testdata/<name>.png.
func TestScreens(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	seen := map[checkin.Screen]bool{}
	modes := map[checkin.Mode]bool{}
	for _, fx := range fixtures() {
		seen[fx.s.Screen] = true
		modes[fx.s.Mode] = true
		t.Run(fx.name, func(t *testing.T) {
			img, content := shoot(t, fx.s, fx.entry, uitest.GoldenScale)
			if fits := content.MinSize(); fits.Height > Size.Height || fits.Width > Size.Width {
				t.Errorf("content needs %v, more than the %v screen", fits, Size)
			}
			for _, b := range uitest.Buttons(content) {
				if b.Size().Height < kiosktheme.TouchTarget || b.Size().Width < kiosktheme.TouchTarget {
					t.Errorf("button %q is %v, under the %v touch target", b.Text, b.Size(), kiosktheme.TouchTarget)
				}
			}
			uitest.AssertScreen(t, fx.name+".png", img, *update)
			if *updateScreens != "" {
				big, _ := shoot(t, fx.s, fx.entry, 1)
				if err := uitest.WritePNG(filepath.Join(*updateScreens, "checkin-"+fx.name+".png"), big); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	for _, sc := range []checkin.Screen{checkin.ScreenReady, checkin.ScreenReading, checkin.ScreenHolder, checkin.ScreenLodging,
		checkin.ScreenResult, checkin.ScreenReport, checkin.ScreenOutOfService, checkin.ScreenStaff} {
		if !seen[sc] {
			t.Errorf("no golden for screen %s", sc)
		}
	}
	for _, m := range []checkin.Mode{checkin.ModeLodging, checkin.ModeVerify, checkin.ModeAttendance, checkin.ModeGate} {
		if !modes[m] {
			t.Errorf("no golden for mode %s", m)
		}
	}
}

func fixture(t *testing.T, name string) checkin.State {
	t.Helper()
	for _, f := range fixtures() {
		if f.name == name {
			return f.s
		}
	}
	t.Fatalf("no fixture %s", name)
	return checkin.State{}
}

type sent struct{ in []checkin.Intent }

func (s *sent) Subscribe() (<-chan checkin.State, func()) { return nil, func() {} }
func (s *sent) Send(in checkin.Intent)                    { s.in = append(s.in, in) }

func (s *sent) last(t *testing.T) checkin.Intent {
	t.Helper()
	if len(s.in) == 0 {
		t.Fatal("nothing sent")
	}
	return s.in[len(s.in)-1]
}

// The lodging form sends the room as typed, the departure of the nights
// chosen and the reason; leaving the form forgets the typed room.
func TestLodgingFormSends(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	scr := NewScreen(f, ict, false)
	s := fixture(t, "09-lodging-form")
	s.Lodging.Room = ""
	scr.Apply(s)
	for _, k := range []string{"A", "2", "0", "3"} {
		uitest.Button(t, scr.Content(), k).OnTapped()
	}
	if in := f.last(t); in.Kind != checkin.IntentField || in.Key != "room" || in.Value != "A203" {
		t.Fatalf("room: sent %+v", in)
	}
	uitest.Button(t, scr.Content(), "Xóa").OnTapped()
	if in := f.last(t); in.Value != "A20" {
		t.Fatalf("delete: sent %+v", in)
	}
	uitest.Button(t, scr.Content(), "3 đêm").OnTapped()
	if in := f.last(t); in.Key != "departure" || in.Value != "26/11/2026" {
		t.Fatalf("nights: sent %+v", in)
	}
	uitest.Button(t, scr.Content(), "Công tác").OnTapped()
	if in := f.last(t); in.Key != "reason" || in.Value != "Công tác" {
		t.Fatalf("reason: sent %+v", in)
	}
	uitest.Button(t, scr.Content(), "Nhận phòng").OnTapped()
	if in := f.last(t); in.Kind != checkin.IntentConfirm {
		t.Fatalf("confirm: sent %+v", in)
	}
	scr.Apply(fixture(t, "11-lodging-checked-in"))
	if scr.entry.RoomTyped || scr.entry.Room != "" {
		t.Fatalf("entry kept %+v", scr.entry)
	}
}

// The report's periods, exports (the report and the stay list, each in
// CSV and XLSX) and the gate's direction switch send their intents.
func TestReportAndGateSend(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	scr := NewScreen(f, ict, false)
	scr.Apply(fixture(t, "21-report-lodging"))
	for _, c := range []struct {
		button string
		want   checkin.Intent
	}{
		{"Tuần trước", checkin.Intent{Kind: checkin.IntentReport, Value: "last_week"}},
		{"Excel (XLSX)", checkin.Intent{Kind: checkin.IntentExport, Value: "xlsx"}},
		{"CSV", checkin.Intent{Kind: checkin.IntentExport, Value: "csv"}},
		{"Lưu trú CSV", checkin.Intent{Kind: checkin.IntentExportASM, Value: "csv"}},
		{"In báo cáo", checkin.Intent{Kind: checkin.IntentPrint}},
		{"Quay lại", checkin.Intent{Kind: checkin.IntentBack}},
	} {
		uitest.Button(t, scr.Content(), c.button).OnTapped()
		if in := f.last(t); in != c.want {
			t.Errorf("%s: sent %+v, want %+v", c.button, in, c.want)
		}
	}
	scr.Apply(fixture(t, "01-gate-ready"))
	uitest.Button(t, scr.Content(), "Chiều ra").OnTapped()
	if in := f.last(t); in != (checkin.Intent{Kind: checkin.IntentDirection, Value: "exit"}) {
		t.Fatalf("direction: sent %+v", in)
	}
	uitest.Button(t, scr.Content(), "Thống kê").OnTapped()
	if in := f.last(t); in != (checkin.Intent{Kind: checkin.IntentReport, Value: "day"}) {
		t.Fatalf("statistics: sent %+v", in)
	}
	scr.Apply(fixture(t, "02-gate-ready-one-way"))
	for _, b := range uitest.Buttons(scr.Content()) {
		if b.Text == "Chiều vào" || b.Text == "Chiều ra" {
			t.Fatalf("a one-way gate offers %q", b.Text)
		}
	}
}

// The CAN keypad sends the six digits once and forgets them.
func TestCANKeypad(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	scr := NewScreen(f, ict, false)
	scr.Apply(fixture(t, "07-reading-can"))
	for _, k := range "123456" {
		uitest.Button(t, scr.Content(), string(k)).OnTapped()
	}
	uitest.Button(t, scr.Content(), "OK").OnTapped()
	if in := f.last(t); in.Kind != checkin.IntentCAN || in.Digits != "123456" {
		t.Fatalf("sent %+v", in)
	}
	if scr.entry.CAN != "" {
		t.Fatalf("CAN kept %q", scr.entry.CAN)
	}
}

func TestDateVN(t *testing.T) {
	for in, want := range map[string]string{"1999-03-15": "15/03/1999", "15/03/1999": "15/03/1999", "": "", "1999": "1999"} {
		if got := dateVN(in); got != want {
			t.Errorf("dateVN(%q) = %q, want %q", in, got, want)
		}
	}
}
