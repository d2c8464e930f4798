package ticketing

import (
	"fmt"
	"sort"
)

// messages is the flow's text table: key → Vietnamese and English. Texts
// with parameters use fmt verbs, filled by msgf for both languages.
var messages = map[string][2]string{
	"title.welcome":        {"Bán vé tự động", "Ticket kiosk"},
	"title.identify":       {"Xác thực CCCD", "ID card"},
	"title.choose":         {"Chọn chuyến hoặc vé", "Choose a trip or a pass"},
	"title.passengers":     {"Hành khách", "Passengers"},
	"title.child":          {"Thêm trẻ em chưa có thẻ", "Add a child without a card"},
	"title.seats":          {"Chọn chỗ", "Choose seats"},
	"title.fare":           {"Giá vé", "Fare"},
	"title.payment":        {"Thanh toán", "Payment"},
	"title.issuing":        {"Đang xuất vé", "Issuing tickets"},
	"title.issued":         {"Vé của Quý khách", "Your tickets"},
	"title.tickets":        {"Vé đã mua", "Your tickets"},
	"title.refund":         {"Trả vé", "Cancel a ticket"},
	"title.goodbye":        {"Hoàn tất", "Done"},
	"title.error":          {"Có lỗi xảy ra", "Something went wrong"},
	"title.help":           {"Đã gọi nhân viên", "Staff called"},
	"title.out_of_service": {"Tạm dừng phục vụ", "Out of service"},
	"title.staff":          {"Dành cho nhân viên", "Staff only"},

	"action.start":          {"Mua vé", "Buy tickets"},
	"action.manage":         {"Trả vé", "Cancel a ticket"},
	"action.back":           {"Quay lại", "Back"},
	"action.call_staff":     {"Gọi nhân viên", "Call staff"},
	"action.cancel":         {"Hủy", "Cancel"},
	"action.retry":          {"Thử lại", "Try again"},
	"action.retry_qr":       {"Thử lại với mã QR", "Try again with the QR code"},
	"action.continue":       {"Tiếp tục", "Continue"},
	"action.add_card":       {"Thêm hành khách có thẻ CCCD", "Add a passenger with an ID card"},
	"action.add_child":      {"Thêm trẻ em chưa có thẻ", "Add a child without a card"},
	"action.hold":           {"Giữ chỗ và xem giá", "Hold seats and see the fare"},
	"action.pay":            {"Thanh toán", "Pay"},
	"action.done":           {"Hoàn tất", "Finish"},
	"action.confirm_refund": {"Xác nhận trả vé", "Confirm the cancellation"},
	"action.language":       {"English", "Tiếng Việt"},
	"action.staff":          {"Nhân viên", "Staff"},

	"welcome.message": {"Chạm thẻ CCCD vào đầu đọc hoặc quét mã QR trên thẻ để mua vé", "Tap your ID card on the reader or scan its QR code to buy tickets"},
	"offline.notice":  {"Máy đang mất kết nối với hệ thống bán vé: chỉ bán vé tháng và vé lượt xe buýt; vé có chỗ ngồi vui lòng mua tại quầy.", "The kiosk cannot reach the ticketing system: only bus passes and rides are on sale; please buy seats at the counter."},

	"identify.buyer":         {"Chạm thẻ CCCD vào đầu đọc hoặc đưa mã QR trên thẻ vào máy quét", "Tap your ID card on the reader or hold its QR code under the scanner"},
	"identify.passenger":     {"Chạm thẻ CCCD của hành khách đi cùng", "Tap the ID card of the passenger travelling with you"},
	"identify.holder":        {"Chạm thẻ CCCD của hành khách hoặc người đã mua vé", "Tap the ID card of the passenger or of who bought the ticket"},
	"identify.detected":      {"Đã nhận thẻ, vui lòng giữ yên thẻ", "Card detected, please keep it still"},
	"identify.chip":          {"Đang đọc chip, vui lòng giữ thẻ trên đầu đọc…", "Reading the chip, keep the card on the reader…"},
	"identify.verifying":     {"Đang kiểm tra chữ ký số của thẻ…", "Checking the card's digital signature…"},
	"identify.failed":        {"Không đọc được thẻ. Vui lòng chạm lại thẻ và giữ yên đến khi hoàn tất.", "The card could not be read. Please tap it again and hold it still until done."},
	"identify.can":           {"Nhập 6 chữ số cuối của số định danh cá nhân in ở mặt trước thẻ", "Enter the last 6 digits of the personal ID number printed on the front of the card"},
	"identify.can_invalid":   {"Vui lòng nhập đủ 6 chữ số.", "Please enter exactly 6 digits."},
	"identify.can_checking":  {"Đang mở chip bằng số vừa nhập, vui lòng giữ yên thẻ…", "Opening the chip with the number you entered, keep the card still…"},
	"identify.can_wrong":     {"Số vừa nhập không khớp với thẻ (còn %d lần thử).", "The number does not match the card (%d attempts left)."},
	"identify.can_exhausted": {"Số đã nhập không khớp với thẻ sau %d lần thử.", "The number did not match the card after %d attempts."},
	"identify.can_removed":   {"Thẻ đã rời khỏi đầu đọc. Vui lòng đặt lại thẻ và giữ yên trong khi nhập số.", "The card left the reader. Please put it back and keep it there while you type."},

	"card.not_accepted":              {"Thẻ CCCD này không được chấp nhận", "This ID card cannot be accepted"},
	"card.reason":                    {"Mã lý do: %s. Vui lòng gọi nhân viên để được hỗ trợ.", "Reason code: %s. Please call staff for help."},
	"card.unverified":                {"Chưa xác thực được chip của thẻ. Vui lòng chạm thẻ lên đầu đọc cùng với mã QR, hoặc gọi nhân viên.", "The card's chip could not be verified. Please tap the card together with its QR code, or call staff."},
	"card.unreadable":                {"Không đọc được số định danh cá nhân trên thẻ", "The card's personal ID number could not be read"},
	"card.unreadable_next":           {"Vui lòng thử lại hoặc gọi nhân viên.", "Please try again or call staff."},
	"passenger.child":                {"Trẻ em", "Child"},
	"passengers.already":             {"Hành khách này đã có trong danh sách.", "This passenger is already on the list."},
	"passengers.derived":             {"Được giảm giá: %s (theo ngày sinh trên thẻ)", "Concession: %s (from the date of birth on the card)"},
	"passengers.proof":               {"Xuất trình khi đi: %s", "Show when travelling: %s"},
	"child.message":                  {"Nhập số định danh cá nhân (12 chữ số) và ngày sinh (ngày/tháng/năm) của trẻ", "Enter the child's personal ID number (12 digits) and date of birth (day/month/year)"},
	"child.bad_id":                   {"Số định danh cá nhân phải có đủ 12 chữ số.", "The personal ID number has 12 digits."},
	"child.bad_dob":                  {"Ngày sinh không hợp lệ. Vui lòng nhập theo dạng ngày/tháng/năm, ví dụ 05032019.", "The date of birth is not valid. Enter day, month, year, e.g. 05032019."},
	"child.mismatch":                 {"Số định danh cá nhân không khớp với ngày sinh. Vui lòng kiểm tra lại trên giấy khai sinh.", "The personal ID number does not match the date of birth. Please check the birth certificate."},
	"child.too_old":                  {"Trẻ từ %d tuổi trở lên đã phải có thẻ CCCD: vui lòng chạm thẻ của trẻ.", "Children aged %d and over must have an ID card: please tap the child's card."},
	"mode.coach":                     {"Xe khách", "Coach"},
	"mode.train":                     {"Tàu hỏa", "Train"},
	"mode.bus":                       {"Xe buýt", "City bus"},
	"date.today":                     {"Hôm nay %s", "Today %s"},
	"date.tomorrow":                  {"Ngày mai %s", "Tomorrow %s"},
	"date.day":                       {"Ngày %s", "%s"},
	"month.label":                    {"Tháng %s", "Month %s"},
	"product.monthly":                {"Đi không giới hạn trong tháng", "Unlimited rides for the month"},
	"product.ride":                   {"Đi 1 lượt, dùng trong %d ngày", "One ride, within %d days"},
	"choose.offline_seats":           {"Mất kết nối với hệ thống bán vé: chưa bán được vé có chỗ ngồi. Quý khách vui lòng thử lại sau ít phút hoặc mua tại quầy.", "The ticketing system cannot be reached: seats cannot be sold now. Please try again in a few minutes or buy at the counter."},
	"choose.from_fare":               {"từ %s", "from %s"},
	"choose.none":                    {"Không có chuyến phù hợp trong ngày đã chọn.", "No trip on the day chosen."},
	"seats.choose":                   {"Chọn %d chỗ trên sơ đồ.", "Choose %d seats on the map."},
	"seats.holding":                  {"Đang giữ chỗ…", "Holding your seats…"},
	"seats.taken":                    {"Chỗ %s vừa có người khác giữ hoặc mua. Quý khách vui lòng chọn chỗ khác.", "Seat %s was just taken. Please choose another."},
	"seats.expired":                  {"Thời gian giữ chỗ đã hết. Quý khách vui lòng chọn lại chỗ.", "The seats are no longer held. Please choose again."},
	"fare.proof":                     {"Quý khách vui lòng mang theo %s để xuất trình khi đi.", "Please bring %s to show when travelling."},
	"fare.held":                      {"Chỗ được giữ đến %s.", "Seats are held until %s."},
	"fare.offline":                   {"Máy đang mất kết nối: vé có hiệu lực trên xe buýt sau khi máy đồng bộ với hệ thống (thường trong vài phút khi có mạng).", "The kiosk is offline: the pass works on buses once the kiosk has synchronised (usually within minutes of being online)."},
	"fare.free":                      {"Quý khách được miễn vé: không cần thanh toán.", "No fare to pay."},
	"payment.creating":               {"Đang tạo mã thanh toán…", "Preparing the payment code…"},
	"payment.waiting":                {"Quét mã VietQR bằng ứng dụng ngân hàng để thanh toán %s.", "Scan the VietQR code with your banking app to pay %s."},
	"payment.expired":                {"Hết thời gian thanh toán. Quý khách có thể thử lại hoặc hủy.", "The payment time ran out. Try again or cancel."},
	"payment.failed":                 {"Thanh toán không thành công. Vui lòng gọi nhân viên.", "The payment did not go through. Please call staff."},
	"issuing.message":                {"Đang xuất vé và in vé…", "Issuing and printing your tickets…"},
	"ticket.title_coach":             {"VÉ XE KHÁCH", "COACH TICKET"},
	"ticket.title_train":             {"VÉ TÀU HỎA", "TRAIN TICKET"},
	"ticket.title_monthly":           {"VÉ THÁNG XE BUÝT", "MONTHLY BUS PASS"},
	"ticket.title_ride":              {"VÉ LƯỢT XE BUÝT", "BUS RIDE"},
	"ticket.proof":                   {"Mang theo %s khi đi.", "Bring %s when travelling."},
	"ticket.offline":                 {"Vé có hiệu lực trên xe buýt sau khi máy đồng bộ với hệ thống.", "Valid on buses once the kiosk has synchronised."},
	"issued.printed":                 {"Vui lòng nhận vé. Khi lên xe, lên tàu Quý khách chạm thẻ CCCD hoặc xuất trình vé.", "Please take your tickets. On board, tap your ID card or show the ticket."},
	"issued.offline":                 {"Vui lòng nhận vé. Vé có hiệu lực trên xe buýt sau khi máy đồng bộ với hệ thống (thường trong vài phút khi có mạng).", "Please take your tickets. They work on buses once the kiosk has synchronised (usually within minutes of being online)."},
	"issued.print_failed":            {"Không in được vé. Vé đã được xuất và gắn với thẻ CCCD của hành khách; nhân viên đã được báo để in lại.", "The tickets could not be printed. They are issued and bound to the passengers' ID cards; staff has been told to reprint them."},
	"issued.print_failed_desk":       {"Không in được vé. Vé đã được xuất và gắn với thẻ CCCD của hành khách; Quý khách vui lòng ghi lại mã vé và đến quầy để in lại.", "The tickets could not be printed. They are issued and bound to the passengers' ID cards; please note the ticket numbers and ask at the counter to reprint them."},
	"error.catalogue":                {"Chưa có danh sách chuyến để bán.", "There is no timetable to sell from yet."},
	"error.catalogue_next":           {"Máy chưa tải được danh sách chuyến từ hệ thống bán vé. Quý khách vui lòng thử lại sau ít phút hoặc mua tại quầy.", "The kiosk could not load the timetable. Please try again in a few minutes or buy at the counter."},
	"error.seats":                    {"Không tải được sơ đồ chỗ.", "The seat map could not be loaded."},
	"error.seats_next":               {"Vé có chỗ ngồi cần kết nối với hệ thống bán vé. Quý khách vui lòng thử lại hoặc mua tại quầy.", "Seats need the ticketing system. Please try again or buy at the counter."},
	"error.hold":                     {"Không giữ được chỗ: mất kết nối với hệ thống bán vé.", "The seats could not be held: the ticketing system cannot be reached."},
	"error.hold_next":                {"Chưa có khoản tiền nào được thu. Quý khách vui lòng thử lại hoặc mua tại quầy.", "Nothing has been charged. Please try again or buy at the counter."},
	"error.hold_refused":             {"Hệ thống bán vé không giữ được chỗ cho chuyến này.", "The ticketing system would not hold seats on this trip."},
	"error.hold_refused_next":        {"Chưa có khoản tiền nào được thu. Quý khách vui lòng chọn chuyến khác hoặc hỏi nhân viên.", "Nothing has been charged. Please choose another trip or ask staff."},
	"error.payment":                  {"Không tạo được mã thanh toán.", "The payment code could not be created."},
	"error.payment_next":             {"Chưa có khoản tiền nào được thu. Quý khách vui lòng thử lại hoặc gọi nhân viên.", "Nothing has been charged. Please try again or call staff."},
	"error.sale_unconfirmed":         {"Đã nhận thanh toán nhưng hệ thống bán vé chưa xác nhận vé.", "Payment received, but the ticketing system has not confirmed the tickets."},
	"error.sale_unconfirmed_next":    {"Quý khách vui lòng thử lại. Nếu vẫn không được, vui lòng đến quầy với mã thanh toán %s: nhân viên đã được báo.", "Please try again. If it still fails, go to the counter with payment reference %s: staff has been told."},
	"error.sale_refused":             {"Không xuất được vé. Số tiền %s đã thanh toán sẽ được hoàn lại.", "The tickets could not be issued. The %s paid will be refunded."},
	"error.sale_refused_next":        {"Tiền được hoàn về tài khoản đã thanh toán; mã thanh toán %s được in trên phiếu. Nhân viên đã được báo.", "The money goes back to the account that paid; payment reference %s is on the slip. Staff has been told."},
	"error.sale_refused_free":        {"Hệ thống bán vé không xuất được vé.", "The ticketing system could not issue the tickets."},
	"refund.sale_refused":            {"Không xuất được vé: hoàn toàn bộ số tiền đã thanh toán.", "Tickets not issued: the whole payment is refunded."},
	"refund.method":                  {"Tiền hoàn được chuyển về tài khoản đã thanh toán theo quy định hoàn tiền của nhà vận tải.", "The refund goes back to the account that paid, under the operator's refund terms."},
	"refund.confirm":                 {"Trả vé này: Quý khách được hoàn %s (phí trả vé %s).", "Cancel this ticket: you get %s back (cancellation fee %s)."},
	"refund.working":                 {"Đang trả vé…", "Cancelling…"},
	"refund.done":                    {"Đã trả vé. Số tiền hoàn %s được chuyển về tài khoản đã thanh toán. Vui lòng nhận phiếu trả vé.", "Cancelled. %s goes back to the account that paid. Please take the slip."},
	"refund.done_unprinted":          {"Đã trả vé. Số tiền hoàn %s được chuyển về tài khoản đã thanh toán. Máy không in được phiếu; nhân viên đã được báo.", "Cancelled. %s goes back to the account that paid. The slip could not be printed; staff has been told."},
	"refund.refused":                 {"Vé này không trả được theo quy định của nhà vận tải.", "This ticket cannot be cancelled under the operator's rules."},
	"refund.failed":                  {"Chưa trả được vé: mất kết nối với hệ thống bán vé. Vé vẫn còn hiệu lực; Quý khách vui lòng thử lại sau hoặc đến quầy.", "Not cancelled: the ticketing system cannot be reached. The ticket is still valid; please try later or ask at the counter."},
	"tickets.loading":                {"Đang tìm vé của Quý khách…", "Looking up your tickets…"},
	"tickets.unavailable":            {"Không tra cứu được vé: mất kết nối với hệ thống bán vé.", "Your tickets could not be looked up: the ticketing system cannot be reached."},
	"tickets.none":                   {"Không có vé nào gắn với thẻ CCCD này.", "No ticket is bound to this ID card."},
	"tickets.choose":                 {"Chọn vé muốn trả.", "Choose the ticket to cancel."},
	"tickets.status_used":            {"Vé đã sử dụng.", "Ticket used."},
	"tickets.status_cancelled":       {"Vé đã trả.", "Ticket cancelled."},
	"tickets.not_refundable_product": {"Vé tháng, vé lượt không trả tại máy.", "Passes and rides are not cancelled at the kiosk."},
	"tickets.quote":                  {"Hoàn %s. %s", "Refund %s. %s"},
	"tickets.too_late":               {"Đã quá thời hạn trả vé.", "Too late to cancel."},
	"goodbye.message":                {"Cảm ơn Quý khách. Chúc Quý khách thượng lộ bình an!", "Thank you. Have a safe journey!"},
	"help.message":                   {"Nhân viên sẽ đến hỗ trợ Quý khách. Mã yêu cầu: %s.", "A staff member is on the way. Request number: %s."},

	"out_of_service.message": {"Máy tạm dừng phục vụ — Quý khách vui lòng mua vé tại quầy.", "This kiosk is temporarily out of service — please buy at the counter."},
	"out_of_service.nothing": {"Chưa có vé nào được bán và Quý khách chưa bị thu tiền.", "No ticket was sold and nothing was charged."},
	"out_of_service.paid":    {"Quý khách đã thanh toán %s (mã thanh toán %s) nhưng vé chưa xuất. Vui lòng đến quầy bán vé và đọc mã thanh toán này cho nhân viên.", "You paid %s (payment reference %s) but no ticket was issued. Please go to the ticket counter and give the staff this reference."},
	"out_of_service.sold":    {"Vé của Quý khách đã được bán (mã vé %s, mã thanh toán %s). Vui lòng đến quầy bán vé để nhận vé in.", "Your ticket is sold (ticket %s, payment reference %s). Please go to the ticket counter to have it printed."},
	"out_of_service.later":   {"Quý khách vui lòng mua vé tại quầy.", "Please buy your tickets at the counter."},

	// Services staff closed on the staff menu (staff.go).
	"choose.closed":     {"Vé %s tạm ngừng bán tại máy này. Quý khách vui lòng mua tại quầy vé.", "%s tickets are not sold at this kiosk for now. Please buy them at the ticket counter."},
	"error.closed":      {"Máy tạm ngừng bán vé", "This kiosk is not selling tickets for now"},
	"error.closed_next": {"Quý khách vui lòng mua vé tại quầy vé. Xin lỗi Quý khách vì sự bất tiện.", "Please buy your tickets at the ticket counter. We are sorry for the inconvenience."},
}

// Messages returns every text the flow can publish, by key, so a UI can
// check its translation files cover them. Texts with parameters hold fmt
// verbs. (Concession names come from the operator's catalogue as
// "category.<code>".)
func Messages() map[string]Text {
	out := make(map[string]Text, len(messages))
	for k := range messages {
		out[k] = msg(k)
	}
	return out
}

// messageKeys lists the keys, sorted (tests).
func messageKeys() []string {
	out := make([]string, 0, len(messages))
	for k := range messages {
		out = append(out, k)
	}
	sort.Strings(out)
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
