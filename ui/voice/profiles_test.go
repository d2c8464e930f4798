package voice

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kiosk06/kiosk/firmware/checkin"
	"github.com/kiosk06/kiosk/firmware/onestop"
	"github.com/kiosk06/kiosk/firmware/parking"
	"github.com/kiosk06/kiosk/firmware/profile"
	"github.com/kiosk06/kiosk/firmware/speech"
	"github.com/kiosk06/kiosk/firmware/ticketing"
	"github.com/kiosk06/kiosk/ui/i18n"
)

// tkMsg, osMsg, ciMsg build a flow text as each flow does (its message
// table, fmt arguments filled in both languages).
func tkMsg(t *testing.T, key string, args ...any) ticketing.Text {
	t.Helper()
	m, ok := ticketing.Messages()[key]
	if !ok {
		t.Fatalf("no ticketing message %q", key)
	}
	return ticketing.Text{Key: key, VI: fmt.Sprintf(m.VI, args...), EN: fmt.Sprintf(m.EN, args...)}
}

func osMsg(t *testing.T, key string, args ...any) onestop.Text {
	t.Helper()
	m, ok := onestop.Messages()[key]
	if !ok {
		t.Fatalf("no onestop message %q", key)
	}
	return onestop.Text{Key: key, VI: fmt.Sprintf(m[0], args...), EN: fmt.Sprintf(m[1], args...)}
}

func ciMsg(t *testing.T, key string, args ...any) checkin.Text {
	t.Helper()
	m, ok := checkin.Messages()[key]
	if !ok {
		t.Fatalf("no checkin message %q", key)
	}
	return checkin.Text{Key: key, VI: fmt.Sprintf(m[0], args...), EN: fmt.Sprintf(m[1], args...)}
}

// screenCase is what one screen must say after its guidance.
type screenCase struct {
	state   any
	results []string
}

// checkProfile runs each screen of profile (its Screen constants, read
// from the flow's source: a new screen fails until it has a case) through
// a follower and compares the exact words: the guidance, then results.
func checkProfile(t *testing.T, name, dir string, cases map[string]screenCase, flow func() profile.Screen, screen func(st any, sc string) any) {
	t.Helper()
	books, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range constants(t, dir, "Screen") {
		c, ok := cases[sc]
		if !ok {
			t.Errorf("%s screen %q: no case here: add what it should say", name, sc)
			continue
		}
		t.Run(name+"/"+sc, func(t *testing.T) {
			got := followOne(t, books, flow(), screen(c.state, sc), 1+len(c.results))
			guide, _ := books.i18n["vi"].Voice(GuideKey(name, sc))
			want := append([]string{normal(t, guide)}, c.results...)
			for i, u := range got {
				kind := speech.Result
				if i == 0 {
					kind = speech.Guidance
				}
				if u.Text != want[i] || u.Kind != kind || u.Lang != speech.Vietnamese {
					t.Errorf("%d: %v %q\n want %v %q", i, u.Kind, u.Text, kind, want[i])
				}
			}
		})
	}
}

// TestFollowerTicketing: every ticketing screen says its guidance; the
// results read the Vietnamese way — the total "ba trăm năm mươi nghìn
// đồng", a seat taken, the ticket code character by character, "ghế mười
// hai", the departure "bảy giờ ba mươi phút" on its day — and never the
// passenger's name.
func TestFollowerTicketing(t *testing.T) {
	departs := time.Date(2026, 11, 22, 0, 30, 0, 0, time.UTC) // 07:30 in Hà Nội
	cases := map[string]screenCase{
		"welcome": {ticketing.State{Welcome: &ticketing.Welcome{Message: tkMsg(t, "welcome.message")}}, nil},
		"identify": {ticketing.State{Identify: &ticketing.Identify{NeedCAN: true, Message: tkMsg(t, "identify.can"), CANError: tkMsg(t, "identify.can_wrong", 2)}},
			[]string{normal(t, tkMsg(t, "identify.can").VI), "Số vừa nhập không khớp với thẻ, còn hai lần thử."}},
		"choose":     {ticketing.State{Choose: &ticketing.Choose{}}, nil},
		"passengers": {ticketing.State{Buyer: &ticketing.Person{Name: "Thu", MaskedID: "0010••••••45", Age: 36}, Passengers: &ticketing.Passengers{}}, nil},
		"child":      {ticketing.State{Child: &ticketing.Child{Message: tkMsg(t, "child.message"), Error: tkMsg(t, "child.bad_id")}}, []string{normal(t, tkMsg(t, "child.bad_id").VI)}},
		"seats": {ticketing.State{Seats: &ticketing.Seats{Message: tkMsg(t, "seats.taken", "12")}},
			[]string{"Chỗ mười hai vừa có người khác giữ hoặc mua. Quý khách vui lòng chọn chỗ khác."}},
		"fare": {ticketing.State{Fare: &ticketing.Fare{Total: 350000, TotalText: "350.000 ₫"}},
			[]string{"Tổng số tiền Quý khách cần thanh toán là ba trăm năm mươi nghìn đồng."}},
		"payment": {ticketing.State{Payment: &ticketing.Payment{Phase: ticketing.PaymentWaiting, Message: tkMsg(t, "payment.waiting", "350.000 ₫")}},
			[]string{"Quét mã Việt kiu a bằng ứng dụng ngân hàng để thanh toán ba trăm năm mươi nghìn đồng."}},
		"issuing": {ticketing.State{Issuing: &ticketing.Issuing{Message: tkMsg(t, "issuing.message")}}, nil},
		"issued": {ticketing.State{Issued: &ticketing.Issued{Printed: true, Message: tkMsg(t, "issued.printed"), Tickets: []ticketing.IssuedTicket{
			{ID: "T-000123", Passenger: "Thu · 0010••••••45", Seat: "12", Departs: departs},
			{ID: "T-000124", Passenger: "Lan · 0011••••••46"},
		}}}, []string{
			"Vé đã được in. Mời Quý khách nhận vé.",
			"Mã vé tê, không, không, không, một, hai, ba, ghế mười hai, khởi hành lúc bảy giờ ba mươi phút, ngày hai mươi hai tháng mười một năm hai nghìn không trăm hai mươi sáu.",
			"Mã vé tê, không, không, không, một, hai, bốn.",
		}},
		"tickets": {ticketing.State{Tickets: &ticketing.Tickets{Message: tkMsg(t, "tickets.none")}}, []string{normal(t, tkMsg(t, "tickets.none").VI)}},
		"refund": {ticketing.State{Refund: &ticketing.Refund{Phase: ticketing.RefundDone, Message: tkMsg(t, "refund.done", "280.000 ₫")}},
			[]string{"Đã trả vé. Số tiền hoàn hai trăm tám mươi nghìn đồng được chuyển về tài khoản đã thanh toán. Vui lòng nhận phiếu trả vé."}},
		"goodbye": {ticketing.State{Goodbye: &ticketing.Goodbye{Message: tkMsg(t, "goodbye.message")}}, nil},
		"error": {ticketing.State{Error: &ticketing.ErrorInfo{Message: tkMsg(t, "error.hold"), Next: tkMsg(t, "error.hold_next")}},
			[]string{normal(t, tkMsg(t, "error.hold").VI), normal(t, tkMsg(t, "error.hold_next").VI)}},
		"help":  {ticketing.State{Help: &ticketing.Help{Message: tkMsg(t, "help.message", "R-7"), Ref: "R-7"}}, nil},
		"staff": {ticketing.State{}, nil}, // the staff menu: its guidance (“Mời nhân viên nhập mã PIN.”), nothing more
		"out_of_service": {ticketing.State{OutOfService: &ticketing.OutOfService{Message: tkMsg(t, "out_of_service.message"), Next: tkMsg(t, "out_of_service.later")}},
			[]string{normal(t, tkMsg(t, "out_of_service.message").VI), normal(t, tkMsg(t, "out_of_service.later").VI)}},
	}
	checkProfile(t, "ticketing", "../../firmware/ticketing", cases, func() profile.Screen {
		return profile.NewScreen[ticketing.State, ticketing.Intent]("ticketing", fakeFlow[ticketing.State, ticketing.Intent]{make(chan ticketing.State)})
	}, func(st any, sc string) any {
		s := st.(ticketing.State)
		s.Screen, s.Lang = ticketing.Screen(sc), ticketing.LangVI
		return s
	})
}

// TestFollowerOnestop: every one-stop screen says its guidance; the
// queue number is read character by character, the counter as written
// ("Quầy ba"), a dossier by its procedure and status (its long code is
// printed, not spelt out); the menu's
// greeting (it names the citizen) and the staff member's name are never
// said.
func TestFollowerOnestop(t *testing.T) {
	cases := map[string]screenCase{
		"welcome":    {onestop.State{Welcome: &onestop.Welcome{Message: osMsg(t, "welcome.message")}}, nil},
		"identify":   {onestop.State{Identify: &onestop.Identify{Retry: true, Message: osMsg(t, "identify.failed")}}, []string{normal(t, osMsg(t, "identify.failed").VI)}},
		"menu":       {onestop.State{Citizen: &onestop.Citizen{Name: "Nguyễn Thị Lan"}, Menu: &onestop.Menu{Message: osMsg(t, "menu.message", "Nguyễn Thị Lan")}}, nil},
		"search":     {onestop.State{Search: &onestop.Search{Message: osMsg(t, "search.none")}}, []string{normal(t, osMsg(t, "search.none").VI)}},
		"procedure":  {onestop.State{Procedure: &onestop.ProcedureInfo{}}, nil},
		"form":       {onestop.State{Form: &onestop.Form{Errors: 2, Message: osMsg(t, "form.errors", 2)}}, []string{"Còn hai thông tin chưa đúng hoặc chưa điền."}},
		"review":     {onestop.State{Form: &onestop.Form{Message: osMsg(t, "review.message")}}, nil},
		"submitting": {onestop.State{Submitting: &onestop.Progress{Message: osMsg(t, "submitting.file")}}, nil},
		"receipt": {onestop.State{Receipt: &onestop.Receipt{DossierCode: "HS-0042", Ticket: "B007", CounterName: "Quầy 3"}}, []string{
			"Hồ sơ của Quý khách đã được tiếp nhận. Mã hồ sơ được in trên phiếu tiếp nhận.",
			"Số thứ tự của Quý khách là bê, không, không, bảy. Mời Quý khách chờ gọi số tại Quầy ba.",
		}},
		"dossiers": {onestop.State{Dossiers: &onestop.Dossiers{Message: osMsg(t, "dossiers.found", 1), List: []onestop.DossierView{
			{Code: "000.00.00.H56-261205-0042", Procedure: "Đăng ký tạm trú", StatusText: osMsg(t, "status.processing")}}}}, []string{
			"Quý khách có một hồ sơ.",
			"Hồ sơ Đăng ký tạm trú: Đang giải quyết.",
		}},
		"ticket": {onestop.State{Ticket: &onestop.Ticket{Number: "A012", CounterName: "Quầy 3", Message: osMsg(t, "ticket.message", "Quầy 3")}},
			[]string{"Số thứ tự của Quý khách là a, không, một, hai. Mời Quý khách chờ gọi số tại Quầy ba."}},
		"support": {onestop.State{Support: &onestop.Support{StaffName: "Trần Văn Bình", Message: osMsg(t, "support.accepted", "Trần Văn Bình")}}, nil},
		"goodbye": {onestop.State{Goodbye: &onestop.Goodbye{Message: osMsg(t, "goodbye.message")}}, nil},
		"error": {onestop.State{Error: &onestop.ErrorInfo{Message: osMsg(t, "error.queue"), Next: osMsg(t, "error.queue_next")}},
			[]string{normal(t, osMsg(t, "error.queue").VI), normal(t, osMsg(t, "error.queue_next").VI)}},
		"staff": {onestop.State{}, nil}, // the staff menu: its guidance (“Mời nhân viên nhập mã PIN.”), nothing more
		"out_of_service": {onestop.State{OutOfService: &onestop.OutOfService{Message: osMsg(t, "out_of_service.message"), Next: osMsg(t, "out_of_service.next")}},
			[]string{normal(t, osMsg(t, "out_of_service.message").VI), normal(t, osMsg(t, "out_of_service.next").VI)}},
	}
	checkProfile(t, "onestop", "../../firmware/onestop", cases, func() profile.Screen {
		return profile.NewScreen[onestop.State, onestop.Intent]("onestop", fakeFlow[onestop.State, onestop.Intent]{make(chan onestop.State)})
	}, func(st any, sc string) any {
		s := st.(onestop.State)
		s.Screen, s.Lang = onestop.Screen(sc), onestop.LangVI
		return s
	})
}

// TestFollowerCheckin: every check-in screen says its guidance; the
// verdict is said in plain words: "Chấp nhận." and what was done, or the
// refusal and its reason — never the person's name.
func TestFollowerCheckin(t *testing.T) {
	person := &checkin.Person{Name: "Lê Văn Nam", MaskedID: "0010******45", DOB: "1990-01-01"}
	cases := map[string]screenCase{
		"ready":   {checkin.State{Ready: &checkin.Ready{Message: ciMsg(t, "ready.attendance")}}, nil},
		"reading": {checkin.State{Reading: &checkin.Reading{NeedCAN: true, Message: ciMsg(t, "read.can")}}, []string{normal(t, ciMsg(t, "read.can").VI)}},
		"holder":  {checkin.State{Person: person, Holder: &checkin.Holder{Message: ciMsg(t, "holder.place")}}, []string{normal(t, ciMsg(t, "holder.place").VI)}},
		"lodging": {checkin.State{Person: person, Lodging: &checkin.LodgingForm{Error: ciMsg(t, "lodging.room")}}, []string{normal(t, ciMsg(t, "lodging.room").VI)}},
		"result": {checkin.State{Person: person, Result: &checkin.Result{OK: true, Code: "accepted", Message: ciMsg(t, "attendance.accepted", "SBD012", "P.204")}},
			[]string{"Chấp nhận.", normal(t, ciMsg(t, "attendance.accepted", "SBD012", "P.204").VI)}},
		"report": {checkin.State{Report: &checkin.ReportView{Message: ciMsg(t, "report.printed")}}, []string{normal(t, ciMsg(t, "report.printed").VI)}},
		"staff":  {checkin.State{}, nil}, // the staff menu: its guidance (“Mời nhân viên nhập mã PIN.”), nothing more
		"out_of_service": {checkin.State{OutOfService: &checkin.OutOfService{Message: ciMsg(t, "out_of_service")}},
			[]string{normal(t, ciMsg(t, "out_of_service").VI)}},
	}
	checkProfile(t, "checkin", "../../firmware/checkin", cases, func() profile.Screen {
		return profile.NewScreen[checkin.State, checkin.Intent]("checkin", fakeFlow[checkin.State, checkin.Intent]{make(chan checkin.State)})
	}, func(st any, sc string) any {
		s := st.(checkin.State)
		s.Screen = checkin.Screen(sc)
		return s
	})
	// A refusal says its reason ("Từ chối: …"), nothing before it.
	books, _ := New(nil)
	got := followOne(t, books, profile.NewScreen[checkin.State, checkin.Intent]("checkin", fakeFlow[checkin.State, checkin.Intent]{make(chan checkin.State)}),
		checkin.State{Screen: checkin.ScreenResult, Person: person, Result: &checkin.Result{Code: "wrong_person", Message: ciMsg(t, "refused.wrong_person")}}, 2)
	if got[1].Text != "Từ chối: người xuất trình không phải chủ thẻ, vân tay không khớp" {
		t.Errorf("refusal said %q", got[1].Text)
	}
	for _, u := range got {
		if strings.Contains(u.Text, "Nam") {
			t.Errorf("said the name: %q", u.Text)
		}
	}
}

// TestFollowerCheckinEnglish: a check-in point whose screen is English
// ([ui] language = "en", Voice.Screen) says its guidance and verdict in
// English, as the screen shows them; the parking lane, whose screen is
// Vietnamese only, stays Vietnamese.
func TestFollowerCheckinEnglish(t *testing.T) {
	books, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	books.Screen = i18n.English
	got := followOne(t, books, profile.NewScreen[checkin.State, checkin.Intent]("checkin", fakeFlow[checkin.State, checkin.Intent]{make(chan checkin.State)}),
		checkin.State{Screen: checkin.ScreenResult, Result: &checkin.Result{Code: "wrong_person", Message: ciMsg(t, "refused.wrong_person")}}, 2)
	if got[0].Text != "The result is on the screen." || !strings.HasPrefix(got[1].Text, "Refused: not the card") || got[0].Lang != speech.English {
		t.Errorf("English check-in said %+v", got)
	}
	got = followOne(t, books, profile.NewScreen[parking.State, parking.Intent]("parking", fakeFlow[parking.State, parking.Intent]{make(chan parking.State)}),
		parking.State{Phase: parking.PhaseIdle}, 1)
	if got[0].Lang != speech.Vietnamese {
		t.Errorf("the parking lane spoke %+v", got)
	}
}
