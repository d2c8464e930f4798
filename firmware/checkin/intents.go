package checkin

import (
	"fmt"
	"slices"
	"time"

	"github.com/kiosk06/kiosk/drivers/cccd"
	"github.com/kiosk06/kiosk/firmware/identity"
)

func (f *Flow) handle(in Intent) {
	if f.m.screen == ScreenStaff {
		f.staffIntent(in)
		return
	}
	if in.Staff != nil {
		return // a late tap on the staff screen, after the menu left: it opens nothing
	}
	if !f.allowed(in) {
		f.log.Debug("checkin: intent not offered", "intent", in, "screen", f.m.screen)
		return
	}
	switch in.Kind {
	case IntentCAN:
		if !cccd.ValidCAN(in.Digits) {
			f.m.reading.CANError = msg("read.can_invalid")
			return
		}
		select {
		case f.m.cans <- in.Digits:
			f.m.reading = Reading{Step: identity.EventDetected, Progress: 0.05, Message: msg("read.chip")}
		default:
		}
	case IntentSkip:
		f.loop.StopStep()
		f.m.holder = "skipped"
		if f.m.offer {
			f.m.holder = "not_enrolled" // the holder declined the enrolment
		}
		f.m.offer, f.m.enrolling = false, false
		f.holderRecorded()
	case IntentEnrol:
		f.enrol()
	case IntentField:
		f.setLodging(in.Key, in.Value)
	case IntentConfirm:
		f.checkIn()
	case IntentCheckOut:
		f.checkOut()
	case IntentDirection:
		if f.cfg.Direction == "" && (in.Value == "entry" || in.Value == "exit") {
			f.m.direction = in.Value
		}
	case IntentContinue, IntentCancel, IntentBack:
		f.toReady()
	case IntentReport:
		f.showReport(in.Value)
	case IntentPrint:
		f.printReport()
	case IntentExport:
		f.export(in.Value, false)
	case IntentExportASM:
		f.export(in.Value, true)
	case IntentStaff:
		f.openStaff()
	}
}

func (f *Flow) allowed(in Intent) bool {
	switch in.Kind {
	case IntentCAN:
		return f.m.screen == ScreenReading && f.m.reading.NeedCAN
	case IntentField:
		return f.m.screen == ScreenLodging
	case IntentDirection:
		return f.m.screen == ScreenReady && f.cfg.Mode == ModeGate
	case IntentReport:
		return f.m.screen == ScreenReady || f.m.screen == ScreenReport
	case IntentExport:
		return f.m.screen == ScreenReport
	}
	return slices.ContainsFunc(f.actions(), func(a Action) bool { return a.Kind == in.Kind })
}

func act(k IntentKind, key string, primary bool) Action {
	return Action{Kind: k, Label: msg("action." + key), Primary: primary}
}

func (f *Flow) actions() []Action {
	switch f.m.screen {
	case ScreenReady:
		out := []Action{act(IntentReport, "report", false)}
		if f.deps.Staff != nil {
			out = append(out, act(IntentStaff, "staff", false))
		}
		return out
	case ScreenReading:
		return []Action{act(IntentCancel, "cancel", false)}
	case ScreenHolder:
		if f.m.offer {
			return []Action{act(IntentEnrol, "enrol", true), act(IntentSkip, "decline", false), act(IntentCancel, "cancel", false)}
		}
		return []Action{act(IntentSkip, "skip", false), act(IntentCancel, "cancel", false)}
	case ScreenLodging:
		return []Action{act(IntentConfirm, "check_in", true), act(IntentCancel, "cancel", false)}
	case ScreenResult:
		out := []Action{act(IntentContinue, "next", true)}
		if f.m.result.Code == "in_house" {
			out = append([]Action{act(IntentCheckOut, "check_out", true)}, act(IntentContinue, "next", false))
		}
		return out
	case ScreenReport:
		out := []Action{}
		if f.deps.Printer != nil {
			out = append(out, act(IntentPrint, "print", true))
		}
		if f.cfg.Mode == ModeLodging {
			out = append(out, act(IntentExportASM, "export_asm", false))
		}
		return append(out, act(IntentBack, "back", false))
	}
	return nil
}

var titles = map[Mode]string{ModeLodging: "title.lodging", ModeVerify: "title.verify", ModeAttendance: "title.attendance", ModeGate: "title.gate"}

func (f *Flow) render() State {
	m := &f.m
	s := State{Screen: m.screen, Mode: f.cfg.Mode, Site: f.cfg.Site, Title: msg(titles[f.cfg.Mode]), Actions: f.actions()}
	if m.id != nil {
		c := m.id.Citizen
		p := &Person{Name: c.Name, MaskedID: maskID(c.ID), DOB: c.DOB, Verdict: m.id.Verdict, Genuine: msg("verdict." + string(m.id.Verdict)), Holder: m.holder,
			Age: ageOn(c.DOB, f.now().In(f.cfg.Location))}
		s.Person = p
	}
	switch m.screen {
	case ScreenReady:
		r := &Ready{Message: msg("ready." + string(f.cfg.Mode)), Closed: f.closedNotice(), Reads: m.today.reads, Genuine: m.today.genuine}
		switch f.cfg.Mode {
		case ModeGate:
			r.Occupancy, r.Capacity, r.Direction, r.DirectionFixed = len(m.inside), f.cfg.Capacity, m.direction, f.cfg.Direction != ""
		case ModeLodging:
			r.InHouse = len(m.stays)
		case ModeAttendance:
			r.Session, r.Accepted, r.Listed = f.deps.Roster.Session, len(m.accepted), f.deps.Roster.Len()
		}
		s.Ready = r
	case ScreenReading:
		r := m.reading
		if r.Message.Key == "" {
			r.Message = msg("read.chip")
		}
		s.Reading = &r
	case ScreenHolder:
		h := &Holder{Prompt: m.prompt, Message: msg("holder.place"), Offer: m.offer, Enrolling: m.enrolling}
		switch {
		case m.offer:
			h.Message = msg("holder.offer")
		case m.enrolling:
			h.Message = msg("holder.enrolling")
		}
		s.Holder = h
	case ScreenLodging:
		fm := m.form
		fm.Reasons = slices.Clone(fm.Reasons)
		s.Lodging = &fm
	case ScreenResult:
		r := m.result
		s.Result = &r
	case ScreenReport:
		r := m.report
		r.Rows = slices.Clone(r.Rows)
		s.Report = &r
	case ScreenOutOfService:
		s.OutOfService = &OutOfService{Message: msg("out_of_service"), Since: m.down.In(f.cfg.Location)}
	case ScreenStaff:
		s.Staff = f.deps.Staff.View()
	}
	return s
}

func maskID(id string) string {
	if len(id) < 8 {
		return id
	}
	out := []byte(id)
	for i := 4; i < len(id)-2; i++ {
		out[i] = '*'
	}
	return string(out)
}

// messages: key → Vietnamese, English.
var messages = map[string][2]string{
	"title.lodging":     {"Khai báo lưu trú", "Guest check-in"},
	"title.verify":      {"Xác thực khách hàng", "Customer verification"},
	"title.attendance":  {"Điểm danh dự thi", "Candidate check-in"},
	"title.gate":        {"Kiểm soát ra vào", "Entry and exit"},
	"action.report":     {"Thống kê", "Statistics"},
	"action.cancel":     {"Hủy", "Cancel"},
	"action.skip":       {"Bỏ qua vân tay", "Skip fingerprint"},
	"action.enrol":      {"Khách đồng ý: đăng ký vân tay", "Consent given: enrol the finger"},
	"action.decline":    {"Không đăng ký", "Do not enrol"},
	"action.check_in":   {"Nhận phòng", "Check in"},
	"action.check_out":  {"Trả phòng", "Check out"},
	"action.next":       {"Người tiếp theo", "Next"},
	"action.print":      {"In báo cáo", "Print"},
	"action.export":     {"Xuất tệp", "Export"},
	"action.export_asm": {"Xuất danh sách lưu trú", "Export the stay list"},
	"action.back":       {"Quay lại", "Back"},
	"action.staff":      {"Nhân viên", "Staff"},

	"ready.lodging":    {"Mời khách chạm thẻ CCCD để nhận phòng hoặc trả phòng", "Tap the guest's ID card to check in or out"},
	"ready.verify":     {"Mời khách hàng chạm thẻ CCCD để xác thực", "Tap the customer's ID card"},
	"ready.attendance": {"Mời thí sinh chạm thẻ CCCD", "Candidate: tap your ID card"},
	"ready.gate":       {"Mời chạm thẻ CCCD hoặc quét mã QR trên thẻ", "Tap your ID card or scan its QR code"},
	"read.chip":        {"Đang đọc thẻ, vui lòng giữ thẻ…", "Reading the card…"},
	"read.verifying":   {"Đang kiểm tra thẻ thật, giả…", "Checking the card…"},
	"read.can":         {"Nhập 6 số cuối của số định danh trên thẻ", "Enter the last 6 digits of the ID number"},
	"read.can_invalid": {"Vui lòng nhập đủ 6 chữ số", "Please enter 6 digits"},
	"read.can_wrong":   {"Thẻ không chấp nhận số vừa nhập. Còn %d lần thử.", "The card refused it. %d tries left."},
	"holder.place":     {"Mời đặt ngón tay đã đăng ký lên cảm biến", "Place the enrolled finger on the sensor"},
	"holder.matched":   {"Vân tay khớp với chủ thẻ", "The fingerprint matches the holder"},
	"holder.not_enrolled": {"Chủ thẻ chưa đăng ký vân tay: cán bộ đối chiếu ảnh thẻ",
		"No fingerprint enrolled: staff compare the card's photo"},
	"holder.offer": {"Chủ thẻ chưa đăng ký vân tay. Nếu Ông/Bà đồng ý, vân tay được lưu trên máy này (gắn với số định danh) để đối chiếu ở các lần sau.",
		"No fingerprint is enrolled. With consent, the finger is kept on this device (bound to the ID number) for later checks."},
	"holder.enrolling":    {"Đang đăng ký vân tay: mời đặt ngón tay, nhấc ra rồi đặt lại", "Enrolling: place the finger, lift it, place it again"},
	"holder.enrolled":     {"Đã đăng ký vân tay của chủ thẻ (có sự đồng ý)", "The holder's finger is enrolled (with consent)"},
	"holder.unchecked":    {"Chưa kiểm tra vân tay: cán bộ đối chiếu ảnh thẻ", "Fingerprint not checked: staff compare the photo"},
	"verdict.genuine":     {"Thẻ CCCD thật", "Genuine ID card"},
	"verdict.not_genuine": {"Thẻ không hợp lệ", "Not a genuine card"},
	"verdict.unverified":  {"Chưa xác thực được thẻ", "Card not verified"},

	"lodging.in_house":    {"Khách đang lưu trú tại phòng %s từ %s.", "The guest is staying in room %s since %s."},
	"lodging.checked_in":  {"Đã nhận phòng %s.", "Checked in to room %s."},
	"lodging.checked_out": {"Đã trả phòng %s.", "Checked out of room %s."},
	"lodging.notify_by":   {"Hạn thông báo lưu trú: trước %s (Luật Cư trú, Điều 30).", "Notify the stay before %s (Residence Law, art. 30)."},
	"lodging.room":        {"Vui lòng nhập số phòng", "Enter the room"},
	"lodging.departure":   {"Ngày đi chưa đúng (ngày/tháng/năm, sau hôm nay)", "Departure must be a later date (day/month/year)"},
	"verify.ok":           {"Đã xác thực đúng danh tính khách hàng", "Customer's identity verified"},
	"attendance.accepted": {"Thí sinh số báo danh %s – phòng thi %s: hợp lệ", "Candidate %s, room %s: accepted"},
	"gate.entry":          {"Mời vào. Hiện có %d người bên trong.", "Welcome. %d people inside."},
	"gate.exit":           {"Chào tạm biệt. Còn %d người bên trong.", "Goodbye. %d people inside."},

	"refused.not_genuine":        {"Từ chối: thẻ CCCD không hợp lệ", "Refused: the ID card is not genuine"},
	"refused.unverified":         {"Từ chối: chưa xác thực được thẻ CCCD", "Refused: the ID card could not be verified"},
	"refused.wrong_person":       {"Từ chối: người xuất trình không phải chủ thẻ (vân tay không khớp)", "Refused: not the card's holder (fingerprint)"},
	"refused.not_on_list":        {"Từ chối: không có tên trong danh sách", "Refused: not on the list"},
	"refused.already_checked_in": {"Từ chối: thí sinh đã điểm danh", "Refused: already checked in"},
	"refused.wrong_room":         {"Từ chối: thí sinh thuộc phòng %s", "Refused: the candidate's room is %s"},
	"refused.already_inside":     {"Từ chối: thẻ này đã vào và chưa ra", "Refused: this card is already inside"},
	"refused.full":               {"Tạm dừng vào: đã đủ số lượng khách cho phép", "Entry paused: the site is full"},
	"refused.can_exhausted":      {"Thẻ từ chối số vừa nhập quá số lần cho phép", "The card refused too many numbers"},
	"refused.checkin_closed":     {"Tạm dừng nhận phòng. Mời Quý khách liên hệ lễ tân.", "Check-in is paused. Please see the front desk."},
	"refused.entry_closed":       {"Tạm dừng vào cửa. Mong Quý khách thông cảm.", "Entry is paused. We apologise."},
	"refused.session_closed":     {"Từ chối: ca thi đã dừng điểm danh", "Refused: check-in for this session is closed"},

	"closed.lodging":    {"Tạm dừng nhận phòng: chỉ làm thủ tục trả phòng", "Check-in paused: check-out only"},
	"closed.gate":       {"Tạm dừng vào cửa: chỉ ghi nhận lượt ra", "Entry paused: exits only"},
	"closed.attendance": {"Ca thi đã dừng điểm danh", "Check-in for this session is closed"},

	"report.failed":   {"Không lập được báo cáo", "The report could not be made"},
	"report.printed":  {"Đã in báo cáo", "Report printed"},
	"report.paper":    {"Không in được báo cáo (máy in)", "The report did not print"},
	"report.exported": {"Đã xuất tệp %s", "Exported %s"},
	"out_of_service":  {"Tạm dừng: không lưu được dữ liệu. Vui lòng làm thủ tục thủ công.", "Stopped: records cannot be stored. Use the paper procedure."},
}

// Messages lists every text the flow can publish, key → Vietnamese,
// English (fmt verbs where it fills values), so the UI's voice books can
// follow them (ui/voice).
func Messages() map[string][2]string {
	out := make(map[string][2]string, len(messages))
	for k, v := range messages {
		out[k] = v
	}
	return out
}

func msg(key string) Text {
	m, ok := messages[key]
	if !ok {
		return Text{Key: key, VI: key, EN: key}
	}
	return Text{Key: key, VI: m[0], EN: m[1]}
}

func msgf(key string, args ...any) Text {
	t := msg(key)
	t.VI, t.EN = fmt.Sprintf(t.VI, args...), fmt.Sprintf(t.EN, args...)
	return t
}

// ageOn is the age in whole years on day now of a person born on dob (the
// card's DD/MM/YYYY, or YYYY-MM-DD); -1 when it is not a date.
func ageOn(dob string, now time.Time) int {
	d, err := time.Parse("02/01/2006", dob)
	if err != nil {
		if d, err = time.Parse(time.DateOnly, dob); err != nil {
			return -1
		}
	}
	age := now.Year() - d.Year()
	if now.Month() < d.Month() || now.Month() == d.Month() && now.Day() < d.Day() {
		age--
	}
	if age < 0 {
		return -1
	}
	return age
}
