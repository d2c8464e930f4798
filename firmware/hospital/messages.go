package hospital

import (
	"fmt"

	"github.com/kiosk06/kiosk/firmware/bhyt"
)

// messages is the flow's text table: key → Vietnamese and English. Texts
// with parameters use fmt verbs, filled by msgf for both languages.
var messages = map[string][2]string{
	// Titles.
	"title.welcome":     {"Đăng ký khám bệnh", "Self-registration"},
	"title.identify":    {"Xác thực CCCD", "ID card"},
	"title.card":        {"Kết quả kiểm tra thẻ", "ID card check"},
	"title.holder":      {"Xác thực vân tay", "Fingerprint"},
	"title.insurance":   {"Kiểm tra thẻ BHYT", "Health insurance"},
	"title.clinic":      {"Chọn phòng khám", "Choose a clinic"},
	"title.registering": {"Đang đăng ký", "Registering"},
	"title.ticket":      {"Số thứ tự của Quý khách", "Your number"},
	"title.payment":     {"Thanh toán", "Payment"},
	"title.receipt":     {"Đã thanh toán", "Paid"},
	"title.goodbye":     {"Hoàn tất", "Done"},
	"title.error":       {"Có lỗi xảy ra", "Something went wrong"},
	"title.help":        {"Gọi nhân viên", "Call staff"},

	"title.out_of_service": {"Tạm dừng phục vụ", "Out of service"},
	"title.admin":          {"Quản trị thiết bị", "Device admin"},

	// The admin menu (staff only).
	"action.admin":              {"Nhân viên", "Staff"},
	"action.admin_status":       {"Trạng thái thiết bị", "Device status"},
	"action.test_page":          {"In trang thử", "Print a test page"},
	"action.reprint":            {"In lại phiếu gần nhất", "Reprint the last ticket"},
	"action.paper_changed":      {"Đã thay giấy", "Paper changed"},
	"action.report":             {"In báo cáo hôm nay", "Print today's report"},
	"action.restart":            {"Khởi động lại", "Restart"},
	"action.logout":             {"Đăng xuất", "Log out"},
	"admin.enter_pin":           {"Nhập mã PIN nhân viên", "Enter your staff PIN"},
	"admin.welcome":             {"Đã đăng nhập: %s", "Logged in: %s"},
	"admin.wrong_pin":           {"Mã PIN không đúng. Còn %d lần thử.", "Wrong PIN. %d tries left."},
	"admin.pin_invalid":         {"Mã PIN gồm 4 đến 12 chữ số.", "A PIN is 4 to 12 digits."},
	"admin.pin_failed":          {"Không kiểm tra được mã PIN. Vui lòng thử lại sau.", "The PIN could not be checked. Please try again later."},
	"admin.locked":              {"Nhập sai quá nhiều lần. Menu bị khóa đến %s.", "Too many wrong PINs. Locked until %s."},
	"admin.status":              {"Trạng thái thiết bị", "Device status"},
	"admin.printed":             {"Đã in.", "Printed."},
	"admin.print_failed":        {"Không in được. Kiểm tra giấy và nắp máy in.", "Could not print. Check the paper and the printer cover."},
	"admin.paper_changed":       {"Đã ghi nhận thay giấy.", "Paper change noted."},
	"admin.service_opened":      {"Đã mở dịch vụ %s.", "Service %s opened."},
	"admin.service_closed":      {"Đã đóng dịch vụ %s: máy không cấp số cho dịch vụ này.", "Service %s closed: the kiosk issues no numbers for it."},
	"admin.report_printed":      {"Đã in báo cáo hôm nay.", "Today's report printed."},
	"admin.report_failed":       {"Không in được báo cáo.", "The report could not be printed."},
	"error.service_closed":      {"Phòng khám này tạm ngừng nhận bệnh nhân tại máy.", "This clinic is not taking registrations at the kiosk for now."},
	"error.service_closed_next": {"Quý khách vui lòng chọn phòng khám khác hoặc đến quầy tiếp đón.", "Please choose another clinic or go to the reception desk."},

	// Buttons.
	"action.start":             {"Bắt đầu", "Start"},
	"action.continue":          {"Tiếp tục", "Continue"},
	"action.consent_yes":       {"Đồng ý", "I agree"},
	"action.consent_no":        {"Không đồng ý", "No, thanks"},
	"action.skip":              {"Bỏ qua", "Skip"},
	"action.insured_pending":   {"Đăng ký khám BHYT (nhân viên xác nhận thẻ tại quầy)", "Register with health insurance (staff confirm the card at the counter)"},
	"action.fee_paying":        {"Khám dịch vụ (tự trả phí)", "Register as fee-paying"},
	"action.retry":             {"Thử lại", "Try again"},
	"action.retry_qr":          {"Thử lại với mã QR", "Try again with the QR code"},
	"action.back":              {"Quay lại", "Back"},
	"action.call_staff":        {"Gọi nhân viên", "Call staff"},
	"action.cancel":            {"Hủy", "Cancel"},
	"action.erase_fingerprint": {"Xóa liên kết vân tay của tôi", "Delete my fingerprint enrolment"},
	"action.for_child":         {"Đăng ký cho trẻ em chưa có thẻ", "Register a child without an ID card"},
	"action.for_other":         {"Đăng ký cho người khác", "Register someone else"},
	"action.language":          {"English", "Tiếng Việt"},
	"action.done":              {"Hoàn tất", "Finish"},
	"action.pay":               {"Thanh toán", "Pay now"},
	"action.pay_counter":       {"Thanh toán tại quầy", "Pay at the counter"},

	// The welcome screen's attract loop (attract.go): one short line per
	// picture.
	"attract.card":      {"Đặt thẻ CCCD lên đầu đọc dưới màn hình", "Put your ID card on the reader below the screen"},
	"attract.qr":        {"Hoặc đưa mã QR ở góc trên bên phải mặt trước thẻ vào máy quét", "Or hold the QR code, top right on the front of the card, under the scanner"},
	"attract.insurance": {"Máy tự kiểm tra thẻ BHYT, không cần thẻ giấy", "The kiosk checks your health insurance: no paper card needed"},
	"attract.clinic":    {"Chạm chọn phòng khám trên màn hình", "Tap the clinic you need on the screen"},
	"attract.ticket":    {"Nhận phiếu số thứ tự và chờ gọi số", "Take your numbered ticket and wait to be called"},
	"attract.pay":       {"Trả phí bằng ứng dụng ngân hàng: quét mã VietQR", "Pay with your banking app: scan the VietQR code"},

	// Welcome and identify.
	"welcome.message":        {"Chạm thẻ CCCD vào đầu đọc hoặc quét mã QR trên thẻ để bắt đầu", "Tap your ID card on the reader or scan its QR code to start"},
	"identify.waiting":       {"Chạm thẻ CCCD vào đầu đọc hoặc đưa mã QR trên thẻ vào máy quét", "Tap your ID card on the reader or hold its QR code under the scanner"},
	"identify.other":         {"Chạm thẻ CCCD của người được đăng ký hộ", "Tap the ID card of the person you are registering"},
	"identify.detected":      {"Đã nhận thẻ, vui lòng giữ yên thẻ", "Card detected, please keep it still"},
	"identify.chip":          {"Đang đọc chip, vui lòng giữ thẻ trên đầu đọc…", "Reading the chip, keep the card on the reader…"},
	"identify.verifying":     {"Đang kiểm tra chữ ký số của thẻ…", "Checking the card's digital signature…"},
	"identify.failed":        {"Không đọc được thẻ. Vui lòng chạm lại thẻ và giữ yên đến khi hoàn tất.", "The card could not be read. Please tap it again and hold it still until done."},
	"identify.can":           {"Nhập 6 chữ số cuối của số định danh cá nhân in ở mặt trước thẻ", "Enter the last 6 digits of the personal ID number printed on the front of the card"},
	"identify.can_invalid":   {"Vui lòng nhập đủ 6 chữ số.", "Please enter exactly 6 digits."},
	"identify.can_checking":  {"Đang mở chip bằng số Quý khách vừa nhập, vui lòng giữ yên thẻ…", "Opening the chip with the number you entered, keep the card still…"},
	"identify.can_wrong":     {"Số vừa nhập không khớp với thẻ. Vui lòng kiểm tra lại 6 chữ số cuối của số định danh cá nhân (còn %d lần thử).", "The number does not match the card. Check the last 6 digits of the personal ID number (%d attempts left)."},
	"identify.can_exhausted": {"Số đã nhập không khớp với thẻ sau %d lần thử.", "The number did not match the card after %d attempts."},
	"identify.can_removed":   {"Thẻ đã rời khỏi đầu đọc. Vui lòng đặt lại thẻ lên đầu đọc và giữ yên trong khi nhập số.", "The card left the reader. Please put it back on the reader and keep it there while you type."},
	"identify.child":         {"Nhập số định danh cá nhân (12 chữ số, trên giấy khai sinh), ngày sinh và họ tên của trẻ.", "Enter the child's personal ID number (12 digits, on the birth certificate), date of birth and full name."},
	"identify.child_invalid": {"Số định danh cá nhân và ngày sinh không khớp nhau. Quý khách vui lòng kiểm tra lại trên giấy khai sinh.", "The personal ID number and the date of birth do not match. Please check them on the birth certificate."},
	"identify.child_age":     {"Trẻ từ 14 tuổi trở lên đăng ký bằng thẻ Căn cước của mình.", "Children aged 14 or over register with their own ID card."},
	"identify.child_name":    {"Quý khách vui lòng nhập họ tên của trẻ.", "Please enter the child's full name."},
	"identify.child_same":    {"Đây là số định danh của người đăng ký hộ. Quý khách vui lòng nhập số của trẻ.", "This is your own ID number. Please enter the child's."},
	"identify.same":          {"Đây là thẻ của người đăng ký hộ. Vui lòng chạm thẻ của người bệnh.", "This is your own card. Please tap the patient's card."},
	"card.genuine":           {"Thẻ CCCD hợp lệ", "Your ID card is genuine"},
	"card.not_genuine":       {"Thẻ CCCD không hợp lệ", "This ID card could not be accepted"},
	"card.unverified":        {"Chưa xác thực được chip của thẻ", "The card's chip could not be verified"},
	"card.why.copied":        {"Chip của thẻ không chứng minh được là chip gốc do cơ quan cấp thẻ phát hành (có thể là thẻ sao chép). Quý khách vui lòng gọi nhân viên hoặc đến quầy tiếp đón.", "The card's chip could not prove it is the original chip issued with the card (it may be a copy). Please call staff or go to the reception desk."},
	"card.why.altered":       {"Thông tin trong chip hoặc trên thẻ khác với thông tin được ký khi cấp thẻ. Quý khách vui lòng gọi nhân viên hoặc đến quầy tiếp đón.", "The details in the chip or on the card differ from those signed when the card was issued. Please call staff or go to the reception desk."},
	"card.why.signature":     {"Chữ ký số của thông tin trong chip không hợp lệ. Quý khách vui lòng gọi nhân viên hoặc đến quầy tiếp đón.", "The digital signature of the chip's details is not valid. Please call staff or go to the reception desk."},
	"card.why.qr_only":       {"Máy chỉ đọc được mã QR, chưa đọc được chip của thẻ. Quý khách vui lòng gọi nhân viên hoặc đến quầy tiếp đón.", "Only the QR code could be read, not the card's chip. Please call staff or go to the reception desk."},
	"card.why.unchecked":     {"Máy chưa kiểm tra được chip của thẻ. Quý khách vui lòng gọi nhân viên hoặc đến quầy tiếp đón.", "The kiosk could not check the card's chip. Please call staff or go to the reception desk."},
	"card.unverified_qr":     {"Thông tin được đọc từ mã QR. Quý khách vẫn có thể tiếp tục đăng ký.", "Your details were read from the QR code. You can still continue."},
	"card.not_genuine_go":    {"Vui lòng gọi nhân viên hoặc đến quầy tiếp đón.", "Please call staff or go to the reception desk."},

	// Holder check.
	"holder.place":         {"Đặt ngón tay đã đăng ký lên cảm biến vân tay", "Place your enrolled finger on the sensor"},
	"holder.lift":          {"Nhấc ngón tay ra", "Lift your finger"},
	"holder.again":         {"Đặt lại cùng ngón tay đó", "Place the same finger again"},
	"holder.capture":       {"Đang xử lý vân tay…", "Processing…"},
	"holder.matched":       {"Vân tay khớp với chủ thẻ", "Fingerprint matched"},
	"holder.mismatch":      {"Vân tay không khớp. Còn %d lần thử.", "The fingerprint did not match. %d attempts left."},
	"holder.exhausted":     {"Vân tay không khớp. Vui lòng gọi nhân viên.", "The fingerprint did not match. Please call staff."},
	"holder.offer":         {"Quý khách có muốn đăng ký vân tay để lần sau xác thực nhanh hơn không?", "Would you like to enrol a fingerprint for faster checks next time?"},
	"holder.consent":       {"Kiosk lưu mẫu vân tay trong mô-đun của máy, gắn với mã băm số CCCD; mẫu không rời khỏi máy và được xóa khi Quý khách yêu cầu hoặc khi hết hạn lưu giữ.", "The kiosk stores the fingerprint template in its own module, tied to a keyed hash of your ID number; it never leaves the device and is erased on request or when the retention period ends."},
	"holder.enrolling":     {"Đặt ngón tay lên cảm biến (2 lần)", "Place your finger on the sensor (twice)"},
	"holder.erasing":       {"Đang xóa mẫu vân tay và liên kết với thẻ…", "Deleting the fingerprint template and its link to your card…"},
	"holder.erased":        {"Đã xóa mẫu vân tay và liên kết với thẻ CCCD của Quý khách khỏi máy.", "The fingerprint template and its link to your ID card were deleted from the kiosk."},
	"holder.erase_none":    {"Máy không lưu mẫu vân tay nào gắn với thẻ CCCD của Quý khách.", "The kiosk holds no fingerprint linked to your ID card."},
	"holder.erase_failed":  {"Chưa xóa được mẫu vân tay. Quý khách vui lòng gọi nhân viên để được hỗ trợ.", "The fingerprint could not be deleted. Please call staff for help."},
	"holder.checking":      {"Đang kiểm tra đăng ký vân tay…", "Checking for an enrolled fingerprint…"},
	"holder.enrol_timeout": {"Hết thời gian chờ: máy không nhận được ngón tay trên cảm biến nên chưa đăng ký vân tay. Quý khách có thể thử lại hoặc bỏ qua bước này.", "Time ran out: no finger was placed on the sensor, so no fingerprint was enrolled. You can try again or skip this step."},
	"holder.enrolled":      {"Đã đăng ký vân tay", "Fingerprint enrolled"},

	// Insurance.
	"insurance.checking": {"Đang kiểm tra thẻ BHYT với cổng BHXH…", "Checking your health insurance…"},
	"insurance.none":     {"Quý khách đăng ký khám dịch vụ (tự trả phí).", "You are registering as a fee-paying patient."},

	// Clinic.
	"clinic.loading":      {"Đang tải danh sách phòng khám…", "Loading clinics…"},
	"question.pregnant":   {"Quý khách đang mang thai?", "Are you pregnant?"},
	"question.disability": {"Quý khách là người khuyết tật nặng hoặc đặc biệt nặng?", "Do you have a severe disability?"},
	"question.merit":      {"Quý khách là người có công với cách mạng?", "Are you a person with revolutionary merit?"},
	"priority.normal":     {"Không ưu tiên", "No priority"},
	"priority.emergency":  {"Ưu tiên: cấp cứu", "Priority: emergency"},
	"priority.child":      {"Ưu tiên: trẻ em dưới 6 tuổi", "Priority: child under 6"},
	"priority.pregnant":   {"Ưu tiên: phụ nữ có thai", "Priority: pregnant woman"},
	"priority.disability": {"Ưu tiên: người khuyết tật nặng", "Priority: severe disability"},
	"priority.age75":      {"Ưu tiên: người từ đủ 75 tuổi", "Priority: aged 75 or over"},
	"priority.merit":      {"Ưu tiên: người có công với cách mạng", "Priority: revolutionary merit"},
	"registering.message": {"Đang đăng ký lượt khám và in số thứ tự…", "Registering your visit and printing your number…"},
	"ticket.printed":      {"Vui lòng nhận phiếu số thứ tự và đến %s.", "Please take your ticket and go to %s."},
	"ticket.paper_out":    {"Máy hết giấy. Vui lòng ghi nhớ số %s và đến %s; nhân viên đã được báo.", "The printer is out of paper. Remember number %s and go to %s; staff has been told."},
	"ticket.print_failed": {"Không in được phiếu. Vui lòng ghi nhớ số %s và đến %s; nhân viên đã được báo.", "The ticket could not be printed. Remember number %s and go to %s; staff has been told."},
	// The *_acked variants: a member of staff took the alert.
	"ticket.paper_out_acked":    {"Máy hết giấy. Vui lòng ghi nhớ số %s và đến %s; nhân viên đã nhận yêu cầu.", "The printer is out of paper. Remember number %s and go to %s; a staff member has taken the alert."},
	"ticket.print_failed_acked": {"Không in được phiếu. Vui lòng ghi nhớ số %s và đến %s; nhân viên đã nhận yêu cầu.", "The ticket could not be printed. Remember number %s and go to %s; a staff member has taken the alert."},
	// The *_desk variants: the alert could not be recorded or reached
	// nobody (yet), so nobody was told; the patient tells the desk.
	"clinic.price":             {"Quý khách trả %s", "You pay %s"},
	"clinic.price_pending":     {"Phí khám %s; phần BHYT chi trả được tính khi nhân viên xác nhận thẻ", "Fee %s; the health insurance share is set once staff confirm your card"},
	"clinic.price_insured":     {"Quý khách trả %s (BHYT chi trả %s)", "You pay %s (health insurance pays %s)"},
	"ticket.paper_out_desk":    {"Máy hết giấy. Quý khách vui lòng ghi nhớ số %s, đến %s và báo nhân viên tại quầy.", "The printer is out of paper. Please remember number %s, go to %s and tell the staff at the desk."},
	"ticket.print_failed_desk": {"Không in được phiếu. Quý khách vui lòng ghi nhớ số %s, đến %s và báo nhân viên tại quầy.", "The ticket could not be printed. Please remember number %s, go to %s and tell the staff at the desk."},
	"ticket.bhyt_pending":      {"Vui lòng nhận phiếu số thứ tự và đến quầy tiếp đón để nhân viên xác nhận thẻ BHYT, sau đó đến %s.", "Please take your ticket and go to the reception desk so the staff can confirm your health insurance, then go to %s."},
	"ticket.pay_due":           {"Phí cần thanh toán trước khi khám: %s.", "Fees due before the examination: %s."},
	"payment.creating":         {"Đang tạo mã thanh toán…", "Preparing the payment code…"},
	"payment.waiting":          {"Quét mã VietQR bằng ứng dụng ngân hàng để thanh toán %s.", "Scan the VietQR code with your banking app to pay %s."},
	"payment.expired":          {"Hết thời gian thanh toán. Quý khách có thể thử lại hoặc thanh toán tại quầy.", "The payment time ran out. Try again or pay at the counter."},
	"payment.failed":           {"Thanh toán không thành công. Vui lòng gọi nhân viên hoặc thanh toán tại quầy.", "The payment did not go through. Please call staff or pay at the counter."},
	"receipt.message":          {"Đã nhận thanh toán. Vui lòng nhận biên lai.", "Payment received. Please take your receipt."},
	"goodbye.message":          {"Cảm ơn Quý khách. Chúc Quý khách mau khỏe!", "Thank you. Get well soon!"},
	"goodbye.counter":          {"Vui lòng thanh toán tại quầy thu ngân trước khi khám. Cảm ơn Quý khách!", "Please pay at the cashier before your examination. Thank you!"},
	"help.calling":             {"Đang gọi nhân viên…", "Calling staff…"},
	"help.message":             {"Đã gọi nhân viên. Nhân viên sẽ đến hỗ trợ Quý khách. Mã yêu cầu: %s.", "Staff have been called and will come to help you. Request number: %s."},
	"help.acknowledged":        {"Nhân viên đã nhận yêu cầu và đang đến hỗ trợ Quý khách. Mã yêu cầu: %s.", "A staff member has taken your request and is on the way. Request number: %s."},
	"help.not_reached":         {"Hiện chưa liên lạc được với nhân viên. Quý khách vui lòng đến quầy tiếp đón để được hỗ trợ.", "Staff could not be reached right now. Please go to the reception desk for help."},
	"goodbye.take_card":        {"Nhớ lấy lại thẻ Căn cước.", "Remember to take your ID card."},
	"error.his":                {"Không đăng ký được lượt khám với hệ thống bệnh viện.", "The hospital system could not register your visit."},
	"error.his_next":           {"Vui lòng thử lại sau ít phút, hoặc gọi nhân viên / đến quầy tiếp đón.", "Please try again in a moment, or call staff / go to the reception desk."},
	"error.clinics":            {"Không tải được danh sách phòng khám.", "The clinic list could not be loaded."},
	"error.queue":              {"Không lấy được số thứ tự.", "A queue number could not be issued."},
	"error.queue_next":         {"Lượt khám đã được đăng ký. Vui lòng thử lại hoặc gọi nhân viên.", "Your visit is registered. Please try again or call staff."},
	"error.fees":               {"Không tính được phí khám.", "The fees could not be computed."},
	"error.fees_next":          {"Vui lòng thanh toán tại quầy thu ngân.", "Please pay at the cashier."},
	"error.payment":            {"Không tạo được mã thanh toán.", "The payment code could not be created."},
	"error.payment_next":       {"Vui lòng thử lại hoặc thanh toán tại quầy thu ngân.", "Please try again or pay at the cashier."},

	// Out of service: a record could not be stored. Nothing alerts staff
	// (nothing could be recorded), so no text says they were told.
	"out_of_service.message":        {"Máy tạm dừng phục vụ — Quý khách vui lòng liên hệ nhân viên tại quầy tiếp đón.", "This kiosk is temporarily out of service — please ask the staff at the reception desk."},
	"out_of_service.not_registered": {"Lượt khám của Quý khách chưa được đăng ký. Quý khách vui lòng đến quầy tiếp đón để nhân viên đăng ký giúp.", "Your visit has not been registered. Please go to the reception desk and the staff will register you."},
	"out_of_service.unconfirmed":    {"Máy chưa nhận được xác nhận đăng ký lượt khám của Quý khách. Quý khách vui lòng đến quầy tiếp đón để nhân viên kiểm tra và hoàn tất đăng ký.", "The kiosk did not get a confirmation that your visit was registered. Please go to the reception desk so the staff can check and complete your registration."},
	"out_of_service.no_ticket":      {"Lượt khám của Quý khách đã được đăng ký (mã lượt khám %s) nhưng chưa có số thứ tự. Quý khách vui lòng đến quầy tiếp đón và đọc mã lượt khám này cho nhân viên.", "Your visit is registered (visit number %s) but no queue number was issued. Please go to the reception desk and give the staff this visit number."},
	"out_of_service.pay_counter":    {"Số thứ tự %s của Quý khách vẫn giữ nguyên. Quý khách vui lòng thanh toán %s tại quầy thu ngân trước khi khám.", "Your number %s stays valid. Please pay %s at the cashier before your examination."},
	"out_of_service.ticket":         {"Số thứ tự %s của Quý khách vẫn giữ nguyên. Mời Quý khách đến %s.", "Your number %s stays valid. Please go to %s."},
	"out_of_service.later":          {"Quý khách vui lòng đăng ký khám tại quầy tiếp đón.", "Please register at the reception desk."},
}

// Messages returns every text the flow can publish, by key (BHYT result
// messages included as "bhyt.NNN" and "bhyt.unavailable"), so a UI can check
// its translation files cover them. Texts with parameters hold fmt verbs.
func Messages() map[string]Text {
	out := make(map[string]Text, len(messages)+32)
	for k := range messages {
		out[k] = msg(k)
	}
	for _, c := range bhyt.Codes() {
		m := bhyt.Describe(c)
		out["bhyt."+c] = Text{Key: "bhyt." + c, VI: m.VI, EN: m.EN}
	}
	m := bhyt.DescribeFailure()
	out["bhyt.unavailable"] = Text{Key: "bhyt.unavailable", VI: m.VI, EN: m.EN}
	return out
}

// msg returns the text of key.
func msg(key string) Text {
	m, ok := messages[key]
	if !ok {
		return Text{Key: key, VI: key, EN: key}
	}
	return Text{Key: key, VI: m[0], EN: m[1]}
}

// msgf returns the text of key with args filled in both languages.
func msgf(key string, args ...any) Text {
	t := msg(key)
	t.VI = fmt.Sprintf(t.VI, args...)
	t.EN = fmt.Sprintf(t.EN, args...)
	return t
}
