package ticketingui

import (
	"flag"
	"fmt"
	"image"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/internal/fixtures"
	"github.com/kiosk06/kiosk/ui/internal/uitest"
	kiosktheme "github.com/kiosk06/kiosk/ui/theme"
	"github.com/kiosk06/kiosk/ui/widgets"
)

var (
	update        = flag.Bool("update", false, "rewrite the golden images in testdata/")
	updateScreens = flag.String("update-screens", "", "also write the README screenshots to this directory")
)

var ict = time.FixedZone("ICT", 7*3600)

// m is the flow's text of key (its parameters filled in).
func m(key string, args ...any) ticketing.Text {
	t, ok := ticketing.Messages()[key]
	if !ok {
		panic("no message " + key)
	}
	if len(args) > 0 {
		t.VI, t.EN = fmt.Sprintf(t.VI, args...), fmt.Sprintf(t.EN, args...)
	}
	t.Key = key
	return t
}

func act(k ticketing.IntentKind, key string, primary bool) ticketing.Action {
	return ticketing.Action{Kind: k, Label: m(key), Primary: primary}
}

var (
	lang     = act(ticketing.IntentLanguage, "action.language", false)
	back     = act(ticketing.IntentBack, "action.back", false)
	staff    = act(ticketing.IntentCallStaff, "action.call_staff", false)
	cancel   = act(ticketing.IntentCancel, "action.cancel", false)
	buyer    = &ticketing.Person{Name: "Nguyễn Văn Thu", MaskedID: "0010••••••45", Age: 36}
	departs  = time.Date(2026, 11, 22, 13, 30, 0, 0, ict)
	arrives  = departs.Add(6*time.Hour + 15*time.Minute)
	holdEnds = fixtures.Now.Add(9*time.Minute + 12*time.Second)
)

func state(screen ticketing.Screen, acts ...ticketing.Action) ticketing.State {
	return ticketing.State{Seq: 1, Screen: screen, Lang: ticketing.LangVI, Title: m("title." + string(screen)), Actions: append([]ticketing.Action{lang}, acts...), Buyer: buyer}
}

func seatMap() []ticketing.CarView {
	var seats []ticketing.SeatView
	for r := range 6 {
		for c, col := range []int{0, 2, 4} {
			id := fmt.Sprintf("%c%02d", 'A'+c, r+1)
			st := "free"
			switch {
			case (r+c)%3 == 0:
				st = "taken"
			case id == "B03" || id == "C04":
				st = "chosen"
			}
			seats = append(seats, ticketing.SeatView{ID: id, Class: "bed", Row: r, Col: col, State: st, Fare: 280000, FareText: "280.000 ₫"})
		}
	}
	return []ticketing.CarView{{Name: "Tầng dưới", Seats: seats}}
}

// screens are the fixture states, in the order of a purchase.
func screens() []struct {
	name string
	s    ticketing.State
} {
	type shot = struct {
		name string
		s    ticketing.State
	}
	welcome := state(ticketing.ScreenWelcome, act(ticketing.IntentStart, "action.start", true), act(ticketing.IntentManage, "action.manage", false))
	welcome.Buyer = nil
	welcome.Welcome = &ticketing.Welcome{Message: m("welcome.message")}
	offline := welcome
	offline.Offline = true
	offline.Welcome = &ticketing.Welcome{Message: m("welcome.message"), Notice: m("offline.notice")}

	reading := state(ticketing.ScreenIdentify, back, staff)
	reading.Buyer = nil
	reading.Identify = &ticketing.Identify{Role: "buyer", Step: identity.EventReading, Progress: 0.45, Message: m("identify.chip")}
	can := state(ticketing.ScreenIdentify, back, staff)
	can.Buyer = nil
	can.Identify = &ticketing.Identify{Role: "buyer", Step: identity.EventWaiting, NeedCAN: true, Message: m("identify.can"),
		CANError: m("identify.can_wrong", 2), CANAttemptsLeft: 2}

	coach := state(ticketing.ScreenChoose, back, cancel, staff)
	coach.Choose = &ticketing.Choose{Mode: "coach", From: "HN-GB", To: "VINH", Date: "2026-11-22", Searched: true,
		Modes:   []ticketing.ModeOption{{Mode: "coach", Label: m("mode.coach"), Selected: true}, {Mode: "train", Label: m("mode.train")}, {Mode: "bus", Label: m("mode.bus")}},
		Origins: []ticketing.StopOption{{ID: "HN-MD", Name: "Bến xe Mỹ Đình"}, {ID: "HN-GB", Name: "Bến xe Giáp Bát"}},
		Destinations: []ticketing.StopOption{{ID: "NB", Name: "Bến xe Ninh Bình"}, {ID: "TH", Name: "Bến xe phía Bắc Thanh Hóa"},
			{ID: "VINH", Name: "Bến xe Vinh"}, {ID: "HP", Name: "Bến xe Niệm Nghĩa"}},
		Dates: []ticketing.DateOption{{Date: "2026-11-22", Label: m("date.today", "22/11")}, {Date: "2026-11-23", Label: m("date.tomorrow", "23/11")},
			{Date: "2026-11-24", Label: m("date.day", "24/11")}, {Date: "2026-11-25", Label: m("date.day", "25/11")}},
		Trips: []ticketing.TripOption{
			{Departure: "d1", Service: "Giường nằm 40 chỗ", Route: "Hà Nội – Vinh", Operator: "Nhà xe Hoàng Long", Departs: departs, Arrives: arrives,
				FromName: "Bến xe Giáp Bát", ToName: "Bến xe Vinh", MinFare: 280000, FareText: "từ 280.000 ₫"},
			{Departure: "d2", Service: "Giường nằm 40 chỗ", Route: "Hà Nội – Vinh", Operator: "Nhà xe Hoàng Long", Departs: departs.Add(3 * time.Hour),
				Arrives: arrives.Add(3 * time.Hour), FromName: "Bến xe Giáp Bát", ToName: "Bến xe Vinh", MinFare: 280000, FareText: "từ 280.000 ₫"}}}
	bus := state(ticketing.ScreenChoose, back, cancel, staff)
	bus.Choose = &ticketing.Choose{Mode: "bus", Modes: []ticketing.ModeOption{{Mode: "coach", Label: m("mode.coach")}, {Mode: "train", Label: m("mode.train")},
		{Mode: "bus", Label: m("mode.bus"), Selected: true}},
		Products: []ticketing.ProductOption{
			{ID: "bus-monthly", Name: "Vé tháng liên tuyến", Operator: "Xe buýt thành phố", Kind: "monthly", Price: 200000, PriceText: "200.000 ₫",
				Validity: m("product.monthly"), Months: []ticketing.MonthOption{{Month: "2026-11", Label: m("month.label", "11/2026")}, {Month: "2026-12", Label: m("month.label", "12/2026")}}},
			{ID: "bus-ride", Name: "Vé lượt", Operator: "Xe buýt thành phố", Kind: "ride", Price: 7000, PriceText: "7.000 ₫", Validity: m("product.ride", 1)}}}

	pass := state(ticketing.ScreenPassengers, back, act(ticketing.IntentAddCard, "action.add_card", false), act(ticketing.IntentAddChild, "action.add_child", false),
		act(ticketing.IntentContinue, "action.continue", true), cancel, staff)
	pass.Passengers = &ticketing.Passengers{Max: 6, Named: true, For: "Hà Nội – Vinh · 13:30 22/11/2026", List: []ticketing.Traveller{
		{Person: *buyer, Kind: "card", Buyer: true, Categories: []ticketing.CategoryOption{{Code: "disabled", Text: ticketing.Text{VI: "Người khuyết tật", EN: "Person with a disability"}}}},
		{Person: ticketing.Person{MaskedID: "0013••••••67", Age: 8}, Kind: "child", Derived: ticketing.Text{VI: "Trẻ em dưới 10 tuổi: giảm 25%", EN: "Child under 10: 25% off"}}}}
	child := state(ticketing.ScreenChild, back, staff)
	child.Child = &ticketing.Child{Message: m("child.message"), MaxAge: 14}
	childErr := child
	childErr.Child = &ticketing.Child{Message: m("child.message"), Error: m("child.mismatch"), MaxAge: 14}

	seats := state(ticketing.ScreenSeats, back, act(ticketing.IntentContinue, "action.hold", true), cancel, staff)
	seats.Seats = &ticketing.Seats{Departure: "d1", Route: "Hà Nội – Vinh", Service: "Giường nằm 40 chỗ", FromName: "Bến xe Giáp Bát", ToName: "Bến xe Vinh",
		Departs: departs, Cars: seatMap(), Need: 2, Chosen: []string{"B03", "C04"}, Message: m("seats.choose", 2)}

	fare := state(ticketing.ScreenFare, back, act(ticketing.IntentContinue, "action.pay", true), cancel, staff)
	fare.Fare = &ticketing.Fare{Total: 490000, TotalText: "490.000 ₫", HoldExpires: holdEnds, Lines: []ticketing.FareLine{
		{Passenger: "Thu · 0010••••••45", Item: "Giường B03", Base: 280000, BaseText: "280.000 ₫", Price: 280000, PriceText: "280.000 ₫"},
		{Passenger: "Trẻ em · 0013••••••67", Item: "Giường C04", Base: 280000, BaseText: "280.000 ₫", Concession: ticketing.Text{VI: "Trẻ em dưới 10 tuổi: giảm 25%", EN: "Child under 10: 25% off"},
			Price: 210000, PriceText: "210.000 ₫"}}, Notes: []ticketing.Text{m("fare.held", "13:50")}}

	pay := state(ticketing.ScreenPayment, cancel, staff)
	pay.Payment = &ticketing.Payment{Phase: ticketing.PaymentWaiting, Ref: "VE7K2M9Q", Amount: 490000, AmountText: "490.000 ₫",
		Payload:  "00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA530370454064900005802VN62120808VE7K2M9Q6304A1B2",
		Deadline: fixtures.Now.Add(4*time.Minute + 31*time.Second), Remaining: 4*time.Minute + 31*time.Second, Message: m("payment.waiting", "490.000 ₫")}

	issuing := state(ticketing.ScreenIssuing)
	issuing.Issuing = &ticketing.Issuing{Message: m("issuing.message")}
	issued := state(ticketing.ScreenIssued, act(ticketing.IntentDone, "action.done", true))
	issued.Issued = &ticketing.Issued{Printed: true, Message: m("issued.printed"), Tickets: []ticketing.IssuedTicket{
		{ID: "HL-7Q2K", Title: m("ticket.title_coach"), Passenger: "Thu · 0010••••••45", Item: "Hà Nội – Vinh", Seat: "B03", Departs: departs, PriceText: "280.000 ₫", Code: "c1"},
		{ID: "BUS-M9X1", Title: m("ticket.title_monthly"), Passenger: "Thu · 0010••••••45", Item: "Vé tháng liên tuyến",
			ValidFrom: time.Date(2026, 12, 1, 0, 0, 0, 0, ict), ValidUntil: time.Date(2026, 12, 31, 0, 0, 0, 0, ict), PriceText: "200.000 ₫", Code: "c2"}}}

	tickets := state(ticketing.ScreenTickets, back, staff)
	tickets.Tickets = &ticketing.Tickets{Message: m("tickets.choose"), List: []ticketing.HolderTicket{
		{ID: "HL-7Q2K", Item: "Hà Nội – Vinh", Seat: "B03", Departs: departs.Add(48 * time.Hour), Passenger: "Thu · 0010••••••45", PriceText: "280.000 ₫",
			Status: "valid", Refundable: true, Quote: m("tickets.quote", "252.000 ₫", "Trả trước 24 giờ: phí 10%")},
		{ID: "BUS-M9X1", Item: "Vé tháng liên tuyến", Passenger: "Thu · 0010••••••45", PriceText: "200.000 ₫", Status: "valid", Quote: m("tickets.not_refundable_product")}}}
	refund := state(ticketing.ScreenRefund, back, act(ticketing.IntentConfirm, "action.confirm_refund", true), staff)
	refund.Refund = &ticketing.Refund{Phase: ticketing.RefundConfirm, Ticket: tickets.Tickets.List[0], Price: 280000, Fee: 28000, Amount: 252000,
		AmountText: "252.000 ₫", Rule: "Trả trước 24 giờ: phí 10%", Message: m("refund.confirm", "252.000 ₫", "28.000 ₫")}

	goodbye := state(ticketing.ScreenGoodbye)
	goodbye.Buyer = nil
	goodbye.Goodbye = &ticketing.Goodbye{Message: m("goodbye.message")}
	errSeats := state(ticketing.ScreenError, act(ticketing.IntentRetry, "action.retry", true), back, staff)
	errSeats.Error = &ticketing.ErrorInfo{Code: "seats", Message: m("error.seats"), Next: m("error.seats_next")}
	oos := state(ticketing.ScreenOutOfService)
	oos.Buyer = nil
	oos.OutOfService = &ticketing.OutOfService{Code: "store_unavailable", Message: m("out_of_service.message"), Next: m("out_of_service.paid", "490.000 ₫", "VE7K2M9Q"),
		Since: fixtures.Now.Add(-3 * time.Minute)}
	help := state(ticketing.ScreenFare, back, cancel)
	help.Fare = fare.Fare
	help.Help = &ticketing.Help{Message: m("help.message", "H001"), Ref: "H001", From: ticketing.ScreenFare}

	return []shot{{"01-welcome", welcome}, {"02-welcome-offline", offline}, {"03-identify-reading", reading}, {"04-identify-can", can},
		{"05-choose-coach", coach}, {"06-choose-bus", bus}, {"07-passengers", pass}, {"08-child", child}, {"09-child-mismatch", childErr},
		{"10-seats", seats}, {"11-fare", fare}, {"12-payment", pay}, {"13-issuing", issuing}, {"14-issued", issued},
		{"15-tickets", tickets}, {"16-refund", refund}, {"17-goodbye", goodbye}, {"18-error-seats", errSeats}, {"19-out-of-service", oos}, {"20-help", help}}
}

// english is s in English.
func english(s ticketing.State) ticketing.State {
	s.Lang = ticketing.LangEN
	return s
}

var lastContent fyne.CanvasObject

func shoot(t *testing.T, s ticketing.State, landscape bool, entry Entry, scale float32) image.Image {
	t.Helper()
	content := Render(s, Env{Landscape: landscape, Now: func() time.Time { return fixtures.Now }, Location: ict, Entry: entry})
	w := test.NewTempWindow(t, nil)
	w.SetPadded(false)
	size := PortraitSize
	if landscape {
		size = LandscapeSize
	}
	w.Resize(size)
	uitest.SetScale(w, scale)
	w.SetContent(content)
	widgets.Relayout(content)
	lastContent = content
	return w.Canvas().Capture()
}

// TestScreens renders every screen of the flow in Vietnamese portrait, a
// few in English and landscape, and compares each with testdata/; every
// button keeps the touch target and the content fits the panel.
func TestScreens(t *testing.T) {
	type shot struct {
		name      string
		s         ticketing.State
		landscape bool
		entry     Entry
	}
	var shots []shot
	byName := map[string]ticketing.State{}
	for _, sc := range screens() {
		shots = append(shots, shot{name: sc.name, s: sc.s})
		byName[sc.name] = sc.s
	}
	shots = append(shots, shot{name: "08-child-dob", s: byName["08-child"], entry: Entry{ChildID: "001318004567", Digits: "0503"}},
		shot{name: "04-identify-can-typed", s: byName["04-identify-can"], entry: Entry{Digits: "0123"}})
	for _, n := range []string{"01-welcome", "05-choose-coach", "10-seats", "12-payment", "14-issued"} {
		shots = append(shots, shot{name: n + "-en", s: english(byName[n])}, shot{name: n + "-landscape", s: byName[n], landscape: true})
	}
	app := uitest.NewApp(t, kiosktheme.Options{})
	_ = app
	for _, sh := range shots {
		t.Run(sh.name, func(t *testing.T) {
			img := shoot(t, sh.s, sh.landscape, sh.entry, uitest.GoldenScale)
			size := PortraitSize
			if sh.landscape {
				size = LandscapeSize
			}
			if fits := lastContent.MinSize(); fits.Height > size.Height || fits.Width > size.Width {
				t.Errorf("content needs %v, more than the %v screen", fits, size)
			}
			for _, b := range uitest.Buttons(lastContent) {
				if b.Size().Height < kiosktheme.TouchTarget || b.Size().Width < kiosktheme.TouchTarget {
					t.Errorf("button %q is %v, under the %v touch target", b.Text, b.Size(), kiosktheme.TouchTarget)
				}
			}
			uitest.AssertScreen(t, sh.name+".png", img, *update)
			if *updateScreens != "" {
				if err := uitest.WritePNG(filepath.Join(*updateScreens, "ticketing-"+sh.name+".png"), shoot(t, sh.s, sh.landscape, sh.entry, 1)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestTaps: the screens send the flow's intents with their items.
func TestTaps(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	var sent []ticketing.Intent
	env := Env{Send: func(in ticketing.Intent) { sent = append(sent, in) }, Now: func() time.Time { return fixtures.Now }, Location: ict}
	byName := map[string]ticketing.State{}
	for _, sc := range screens() {
		byName[sc.name] = sc.s
	}
	tap := func(screen, label string) {
		t.Helper()
		content := Render(byName[screen], env)
		w := test.NewTempWindow(t, content)
		w.Resize(PortraitSize)
		for _, b := range uitest.Buttons(content) {
			if strings.HasPrefix(b.Text, label) && !b.Disabled() {
				test.Tap(b)
				return
			}
		}
		t.Fatalf("%s: no button %q", screen, label)
	}
	tap("01-welcome", "Mua vé")
	tap("05-choose-coach", "13:30")
	tap("05-choose-coach", "Bến xe Ninh Bình")
	tap("06-choose-bus", "Vé tháng liên tuyến")
	tap("10-seats", "A02")
	tap("07-passengers", "Người khuyết tật")
	want := []ticketing.Intent{{Kind: ticketing.IntentStart}, {Kind: ticketing.IntentTrip, Departure: "d1"},
		{Kind: ticketing.IntentSearch, From: "HN-GB", To: "NB", Date: "2026-11-22"},
		{Kind: ticketing.IntentProduct, Product: "bus-monthly", Month: "2026-11"}, {Kind: ticketing.IntentSeat, Seat: "A02"},
		{Kind: ticketing.IntentCategory, Passenger: 0, Category: "disabled", Yes: true}}
	if fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Fatalf("sent %+v\nwant %+v", sent, want)
	}
}

// TestDisplayAndIdle: the large-text and high-contrast switches are on
// every screen's top bar (as at the hospital kiosk) and do what they say;
// in the last 20 s before the idle timeout a "still there?" banner counts
// down and its button is activity.
func TestDisplayAndIdle(t *testing.T) {
	uitest.NewApp(t, kiosktheme.Options{})
	var sent []ticketing.Intent
	var large, contrast int
	env := Env{Send: func(in ticketing.Intent) { sent = append(sent, in) }, Now: func() time.Time { return fixtures.Now }, Location: ict,
		Display: Display{ToggleLargeText: func() { large++ }, ToggleContrast: func() { contrast++ }}}
	s := screens()[1].s // a screen past welcome
	s.IdleDeadline = fixtures.Now.Add(12 * time.Second)
	content := Render(s, env)
	w := test.NewTempWindow(t, content)
	w.Resize(PortraitSize)
	found := map[string]bool{}
	for _, b := range uitest.Buttons(content) {
		switch {
		case b.Text == "Chữ lớn" || b.Text == "Tương phản cao" || b.Text == "Tôi vẫn ở đây":
			found[b.Text] = true
			test.Tap(b)
		}
	}
	if len(found) != 3 || large != 1 || contrast != 1 {
		t.Fatalf("buttons %v, toggles large %d contrast %d", found, large, contrast)
	}
	if len(sent) != 1 || sent[0].Kind != ticketing.IntentActivity {
		t.Fatalf("the idle banner's button sent %+v", sent)
	}
	var texts []string
	for _, o := range test.LaidOutObjects(content) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	if !strings.Contains(strings.Join(texts, "|"), "sau 12 giây") {
		t.Errorf("no countdown in %q", texts)
	}
	s.IdleDeadline = fixtures.Now.Add(time.Minute)
	for _, b := range uitest.Buttons(Render(s, env)) {
		if b.Text == "Tôi vẫn ở đây" {
			t.Fatal("the idle banner shows a minute before the timeout")
		}
	}
}
