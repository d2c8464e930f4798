package onestopui

import (
	"flag"
	"image"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/onestop/backend"
	"github.com/kiosk06/kiosk/firmware/onestop/catalog"
	"github.com/kiosk06/kiosk/firmware/staffmenu"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

var (
	update        = flag.Bool("update", false, "rewrite the golden images in testdata/")
	updateScreens = flag.String("update-screens", "", "also write the README screenshots to this directory as onestop-<name>.png (make screenshots passes ../../docs/screens)")
)

var (
	ict = time.FixedZone("ICT", 7*3600)
	now = time.Date(2026, 11, 23, 9, 41, 0, 0, ict)
)

func tx(vi string) onestop.Text { return onestop.Text{Key: "k", VI: vi, EN: vi} }

func act(k onestop.IntentKind, label string, primary bool) onestop.Action {
	return onestop.Action{Kind: k, Label: tx(label), Primary: primary}
}

var (
	lang    = act(onestop.IntentLanguage, "English", false)
	help    = act(onestop.IntentSupport, "Gọi hỗ trợ", false)
	back    = act(onestop.IntentBack, "Quay lại", false)
	cancel  = act(onestop.IntentCancel, "Hủy", false)
	citizen = &onestop.Citizen{Name: "Phạm Thị Thu Hà", MaskedID: "0311••••••42", Method: "chip+qr", Verdict: "genuine"}
	proc    = onestop.ProcedureSummary{Code: "SIM-CT-002", Name: "Đăng ký thường trú", Topic: "Đăng ký, quản lý cư trú",
		Agency: "Công an cấp xã", FeeText: "20.000 ₫", Days: 7, Uses: 6073}
)

func st(screen onestop.Screen, title string, actions ...onestop.Action) onestop.State {
	s := onestop.State{Screen: screen, Lang: onestop.LangVI, Title: tx(title), Actions: append(actions, lang)}
	if screen != onestop.ScreenWelcome && screen != onestop.ScreenGoodbye && screen != onestop.ScreenIdentify {
		s.Citizen = citizen
	}
	return s
}

func fields(review bool) *onestop.Form {
	f := &onestop.Form{Procedure: proc, Fields: []onestop.FormField{
		{Key: "ho_ten", Label: "Họ, chữ đệm và tên", Kind: catalog.KindText, FromCard: true, Value: "Phạm Thị Thu Hà"},
		{Key: "so_dinh_danh", Label: "Số định danh cá nhân", Kind: catalog.KindText, FromCard: true, Value: "0311••••••42"},
		{Key: "ngay_sinh", Label: "Ngày, tháng, năm sinh", Kind: catalog.KindText, FromCard: true, Value: "20/07/1995"},
		{Key: "noi_de_nghi_dang_ky", Label: "Nơi đề nghị đăng ký thường trú", Kind: catalog.KindText, Required: true, Value: "Số 5 Lê Lợi, TP. Huế"},
		{Key: "quan_he_chu_ho", Label: "Quan hệ với chủ hộ", Kind: catalog.KindChoice, Required: true, Options: []string{"Chủ hộ", "Vợ", "Chồng", "Con", "Khác"}, Value: "Con"},
		{Key: "so_dien_thoai", Label: "Số điện thoại", Kind: catalog.KindPhone, Required: true, Value: "091234", Error: tx("Số điện thoại chưa đúng (10 chữ số)")},
	}, Message: tx("Các mục đánh dấu “Từ thẻ CCCD” đã được điền sẵn")}
	if review {
		f.Fields[5].Value, f.Fields[5].Error = "0912345678", onestop.Text{}
	}
	return f
}

// fixtures are the golden states: every onestop.Screen.
func fixtures() []struct {
	name  string
	s     onestop.State
	entry Entry
} {
	welcome := st(onestop.ScreenWelcome, "Bộ phận Một cửa", act(onestop.IntentStart, "Bắt đầu", true))
	welcome.Welcome = &onestop.Welcome{Message: tx("Mời Ông/Bà đặt thẻ CCCD lên đầu đọc hoặc quét mã QR trên thẻ"), Apps: []string{"Hue-S"}}
	welcomeStaff := st(onestop.ScreenWelcome, "Bộ phận Một cửa", act(onestop.IntentStart, "Bắt đầu", true), act(onestop.IntentStaff, "Nhân viên", false))
	welcomeStaff.Welcome = welcome.Welcome
	identify := st(onestop.ScreenIdentify, "Đọc thẻ CCCD", back, cancel)
	identify.Identify = &onestop.Identify{Step: "reading", Progress: 0.55, Message: tx("Đang đọc thẻ, Ông/Bà vui lòng giữ nguyên thẻ")}
	can := st(onestop.ScreenIdentify, "Nhập mã CAN", back, cancel)
	can.Identify = &onestop.Identify{Step: "can", Message: tx("Không quét được mã QR"), NeedCAN: true, CANAttemptsLeft: 2, CANError: tx("Mã chưa đúng, còn 2 lần thử")}
	menu := st(onestop.ScreenMenu, "Ông/Bà muốn làm gì?", act(onestop.IntentSearch, "Tìm thủ tục để đăng ký", true),
		act(onestop.IntentDossiers, "Hồ sơ của tôi", false), act(onestop.IntentForOther, "Làm hộ người khác", false),
		act(onestop.IntentSignOut, "Kết thúc", false), help)
	menu.Menu = &onestop.Menu{Message: tx("Xin chào Ông/Bà Phạm Thị Thu Hà"), Catalogue: true}
	search := st(onestop.ScreenSearch, "Tìm thủ tục hành chính", back, help, cancel)
	search.Search = &onestop.Search{Query: "dang ky thuong tru", Topics: []string{"Đăng ký, quản lý cư trú", "Xuất nhập cảnh", "Căn cước", "Hộ tịch"},
		Results:  []onestop.ProcedureSummary{proc, {Code: "SIM-CT-003", Name: "Đăng ký tạm trú", Agency: "Công an cấp xã", FeeText: "15.000 ₫", Days: 3}},
		SyncedAt: now.Add(-time.Hour), Message: tx("2 thủ tục")}
	procedure := st(onestop.ScreenProcedure, "Thủ tục", act(onestop.IntentRegister, "Đăng ký hồ sơ", true), act(onestop.IntentQueue, "Lấy số thứ tự", false), back, help, cancel)
	procedure.Procedure = &onestop.ProcedureInfo{ProcedureSummary: proc, FeeNote: "20.000 ₫ (theo nghị quyết HĐND tỉnh)", Counter: "A", CounterName: "Quầy Công an", CardFields: 9, TypedFields: 4}
	closed := st(onestop.ScreenProcedure, "Thủ tục", back, help, cancel)
	closed.Procedure = &onestop.ProcedureInfo{ProcedureSummary: proc, Counter: "A", CounterName: "Quầy Công an", CardFields: 9, TypedFields: 4, Closed: true,
		Notice: tx("Hiện Quầy Công an tạm ngừng tiếp nhận hồ sơ và cấp số thứ tự tại kiosk. Quý khách vui lòng quay lại sau hoặc liên hệ cán bộ hướng dẫn tại Bộ phận Một cửa.")}
	form := st(onestop.ScreenForm, "Tờ khai", act(onestop.IntentSubmit, "Kiểm tra và gửi", true), back, help, cancel)
	form.Form = fields(false)
	review := st(onestop.ScreenReview, "Kiểm tra lại thông tin", act(onestop.IntentConfirm, "Nộp hồ sơ", true), back, help, cancel)
	review.Form = fields(true)
	submitting := st(onestop.ScreenSubmitting, "Đang nộp hồ sơ")
	submitting.Submitting = &onestop.Progress{Message: tx("Đang gửi hồ sơ đến Hệ thống thông tin một cửa điện tử…")}
	receipt := st(onestop.ScreenReceipt, "Đã tiếp nhận hồ sơ", act(onestop.IntentMenu, "Về trang chính", true), act(onestop.IntentSignOut, "Kết thúc", false), help)
	receipt.Receipt = &onestop.Receipt{DossierCode: "000.00.00.SIM-261123-0001", Procedure: proc.Name, ReceivedAt: now, Appointment: time.Date(2026, 12, 2, 16, 0, 0, 0, ict),
		Fees: []onestop.FeeLine{{Name: "Lệ phí đăng ký cư trú", Amount: 20000, AmountText: "20.000 ₫"}}, Total: 20000, TotalText: "20.000 ₫",
		Ticket: "A001", CounterName: "Quầy Công an", Printed: true, Message: tx("Mời Ông/Bà nhận phiếu và đến Quầy Công an nộp lệ phí")}
	forOther := receipt
	forOther.Subject = &onestop.Citizen{Name: "Hoàng Thị Lan", MaskedID: "0361••••••97"}
	r2 := *receipt.Receipt
	r2.ForOther = true
	forOther.Receipt = &r2
	dossiers := st(onestop.ScreenDossiers, "Hồ sơ của Ông/Bà", act(onestop.IntentPrint, "In phiếu", true), back, help, cancel)
	dossiers.Dossiers = &onestop.Dossiers{List: []onestop.DossierView{{Code: "000.00.00.SIM-261114-0007", Procedure: "Đăng ký tạm trú", Status: backend.StatusReady,
		StatusText: tx("Có kết quả, chờ trả"), ReceivedAt: now.AddDate(0, 0, -9), Appointment: now.AddDate(0, 0, -2), FeeText: "15.000 ₫", Paid: true}}, Printed: true}
	ticket := st(onestop.ScreenTicket, "Số thứ tự", act(onestop.IntentMenu, "Về trang chính", true), act(onestop.IntentSignOut, "Kết thúc", false), help)
	ticket.Ticket = &onestop.Ticket{Number: "B014", Counter: "B", CounterName: "Quầy Xuất nhập cảnh", Ahead: 3, Printed: true, Message: tx("Mời Ông/Bà chờ gọi số")}
	support := st(onestop.ScreenSupport, "Gọi hỗ trợ", act(onestop.IntentEndCall, "Hủy cuộc gọi", false), act(onestop.IntentBack, "Quay lại", true))
	support.Support = &onestop.Support{Phase: onestop.SupportAccepted, StaffName: "Trần Thị Hỗ Trợ", Note: "Quầy số 3", Since: now}
	waiting := st(onestop.ScreenMenu, "Ông/Bà muốn làm gì?", menu.Actions...)
	waiting.Menu = menu.Menu
	waiting.Support = &onestop.Support{Phase: onestop.SupportWaiting, Message: tx("Đang chờ cán bộ hỗ trợ nhận cuộc gọi…")}
	goodbye := st(onestop.ScreenGoodbye, "Cảm ơn Ông/Bà", act(onestop.IntentDone, "Xong", true))
	goodbye.Goodbye = &onestop.Goodbye{Message: tx("Thông tin của Ông/Bà đã được xóa khỏi máy. Xin chào và hẹn gặp lại!")}
	errs := st(onestop.ScreenError, "Chưa nộp được hồ sơ", act(onestop.IntentRetry, "Thử lại", true), back, help, cancel)
	errs.Error = &onestop.ErrorInfo{Code: "unavailable", Message: tx("Hệ thống một cửa đang không trả lời"), Next: tx("Ông/Bà thử lại sau ít phút hoặc gọi hỗ trợ")}
	oos := st(onestop.ScreenOutOfService, "Máy tạm dừng phục vụ")
	oos.Citizen = nil
	oos.OutOfService = &onestop.OutOfService{Code: "store", Message: tx("Máy không lưu được dữ liệu"), Next: tx("Quý khách vui lòng đến quầy tiếp nhận"), Since: now}
	staffPIN := onestop.State{Screen: onestop.ScreenStaff, Lang: onestop.LangVI, Title: tx("Dành cho nhân viên"), Staff: pinView()}
	staffMenu := staffPIN
	staffMenu.Staff = menuView()
	return []struct {
		name  string
		s     onestop.State
		entry Entry
	}{
		{"01-welcome", welcome, Entry{}},
		{"02-identify", identify, Entry{}},
		{"03-identify-can", can, Entry{CAN: "0123"}},
		{"04-menu", menu, Entry{}},
		{"05-search", search, Entry{}},
		{"05-search-typing", search, Entry{Search: "dang ky thuong tru", Typing: true}},
		{"06-procedure", procedure, Entry{}},
		{"07-form", form, Entry{Field: "noi_de_nghi_dang_ky"}},
		{"08-review", review, Entry{}},
		{"09-submitting", submitting, Entry{}},
		{"10-receipt", receipt, Entry{}},
		{"11-receipt-for-other", forOther, Entry{}},
		{"12-dossiers", dossiers, Entry{}},
		{"13-ticket", ticket, Entry{}},
		{"14-support-accepted", support, Entry{}},
		{"15-menu-call-waiting", waiting, Entry{}},
		{"16-goodbye", goodbye, Entry{}},
		{"17-error", errs, Entry{}},
		{"18-out-of-service", oos, Entry{}},
		{"19-welcome-staff", welcomeStaff, Entry{}},
		{"20-staff-pin", staffPIN, Entry{}},
		{"21-staff-menu", staffMenu, Entry{}},
		{"22-procedure-closed", closed, Entry{}},
	}
}

// pinView is the staff menu asking for a PIN after a wrong one.
func pinView() *staffmenu.View {
	return &staffmenu.View{Message: staffmenu.Message{Key: "staff.wrong_pin", Args: []string{"left", "4"}}, Alert: true, PINMin: 4, PINMax: 12,
		Actions: []string{staffmenu.IntentLogout}}
}

// menuView is the staff menu logged in, the status shown, counter A
// closed.
func menuView() *staffmenu.View {
	return &staffmenu.View{LoggedIn: true, Staff: "motcua2", Message: staffmenu.Message{Key: "staff.status"}, PINMin: 4, PINMax: 12,
		Status:   &staffmenu.Status{Printer: "paper_near_end", StoreFill: 3, Backlog: 12, OldestWait: "4m0s", LastAcked: 1180, Clock: "09:41 23/11/2026"},
		Services: []staffmenu.ServiceState{{Service: "A", Open: false}, {Service: "B", Open: true}, {Service: "C", Open: true}, {Service: "D", Open: true}},
		Actions: []string{staffmenu.IntentStatus, staffmenu.IntentTestPage, staffmenu.IntentReprint, staffmenu.IntentPaper, staffmenu.IntentReport,
			staffmenu.IntentRestart, staffmenu.IntentLogout}}
}

func shoot(t *testing.T, s onestop.State, e Entry, scale float32) (image.Image, fyne.CanvasObject) {
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

// TestScreens renders every screen of the flow (portrait, Vietnamese),
// checks each fits the screen with every button at the touch target, and
// compares it with testdata/<name>.png.
func TestScreens(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	seen := map[onestop.Screen]bool{}
	for _, fx := range fixtures() {
		seen[fx.s.Screen] = true
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
				if err := uitest.WritePNG(filepath.Join(*updateScreens, "onestop-"+fx.name+".png"), big); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	for _, sc := range []onestop.Screen{onestop.ScreenWelcome, onestop.ScreenIdentify, onestop.ScreenMenu, onestop.ScreenSearch, onestop.ScreenProcedure,
		onestop.ScreenForm, onestop.ScreenReview, onestop.ScreenSubmitting, onestop.ScreenReceipt, onestop.ScreenDossiers, onestop.ScreenTicket,
		onestop.ScreenSupport, onestop.ScreenGoodbye, onestop.ScreenError, onestop.ScreenOutOfService, onestop.ScreenStaff} {
		if !seen[sc] {
			t.Errorf("no golden for screen %s", sc)
		}
	}
}

func fixture(t *testing.T, name string) onestop.State {
	t.Helper()
	for _, f := range fixtures() {
		if f.name == name {
			return f.s
		}
	}
	t.Fatalf("no fixture %s", name)
	return onestop.State{}
}

type sent struct{ in []onestop.Intent }

func (s *sent) Subscribe() (<-chan onestop.State, func()) { return nil, func() {} }
func (s *sent) Send(in onestop.Intent)                    { s.in = append(s.in, in) }

// Typing a form field with Telex sends the composed value: "Nguyeenx" is
// "Nguyễn" when it reaches the flow.
func TestFormTelex(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	f := &sent{}
	scr := NewScreen(f, ict)
	s := fixture(t, "07-form")
	s.Form.Fields[3].Value = ""
	scr.Apply(s)
	uitest.Button(t, scr.Content(), "…").OnTapped()
	for _, r := range "nguyeenx" {
		uitest.Button(t, scr.Content(), string(r)).OnTapped()
	}
	last := f.in[len(f.in)-1]
	if last.Kind != onestop.IntentField || last.Key != "noi_de_nghi_dang_ky" || last.Value != "nguyễn" {
		t.Fatalf("sent %+v", last)
	}
	// Leaving the form ends the typing.
	scr.Apply(fixture(t, "04-menu"))
	if scr.entry.Field != "" || strings.Contains(scr.entry.Search, "x") {
		t.Fatalf("entry kept %+v", scr.entry)
	}
}
