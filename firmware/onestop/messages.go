package onestop

import "fmt"

// messages is the flow's text table: key → Vietnamese, English. Texts with
// parameters use fmt verbs, filled by msgf in both languages.
var messages = map[string][2]string{
	"title.welcome":        {"Bộ phận Một cửa", "One-stop service"},
	"title.identify":       {"Đăng nhập", "Sign in"},
	"title.identify_other": {"Làm hộ thủ tục", "Acting for another person"},
	"title.menu":           {"Dịch vụ công", "Public services"},
	"title.search":         {"Tìm kiếm thủ tục hành chính", "Find a procedure"},
	"title.procedure":      {"Thông tin thủ tục", "Procedure"},
	"title.form":           {"Tờ khai", "Application form"},
	"title.review":         {"Kiểm tra lại thông tin", "Check your answers"},
	"title.submitting":     {"Đang gửi hồ sơ", "Filing"},
	"title.receipt":        {"Hồ sơ đã được tiếp nhận", "Dossier received"},
	"title.dossiers":       {"Hồ sơ của tôi", "My dossiers"},
	"title.ticket":         {"Số thứ tự", "Your number"},
	"title.support":        {"Hỗ trợ trực tuyến", "Online support"},
	"title.goodbye":        {"Hẹn gặp lại", "Goodbye"},
	"title.error":          {"Có lỗi xảy ra", "Something went wrong"},
	"title.out_of_service": {"Tạm dừng phục vụ", "Out of service"},
	"title.staff":          {"Dành cho nhân viên", "Staff"},

	"action.start":     {"Bắt đầu", "Start"},
	"action.search":    {"Tìm thủ tục để đăng ký", "Find a procedure to register"},
	"action.dossiers":  {"Hồ sơ của tôi", "My dossiers"},
	"action.for_other": {"Làm hộ người khác", "Act for another person"},
	"action.end_other": {"Kết thúc làm hộ", "Stop acting for them"},
	"action.support":   {"Gọi hỗ trợ trực tuyến", "Call for help"},
	"action.end_call":  {"Hủy cuộc gọi hỗ trợ", "Cancel the call"},
	"action.register":  {"Đăng ký mới", "Register"},
	"action.queue":     {"Lấy số thứ tự", "Take a number"},
	"action.submit":    {"Tiếp tục", "Continue"},
	"action.confirm":   {"Xác nhận và gửi hồ sơ", "Confirm and file"},
	"action.print":     {"In phiếu", "Print"},
	"action.menu":      {"Về trang chính", "Home"},
	"action.retry":     {"Thử lại", "Try again"},
	"action.back":      {"Quay lại", "Back"},
	"action.sign_out":  {"Kết thúc", "Sign out"},
	"action.cancel":    {"Hủy", "Cancel"},
	"action.language":  {"English", "Tiếng Việt"},
	"action.done":      {"Xong", "Done"},
	"action.staff":     {"Nhân viên", "Staff"},

	"welcome.message":        {"Mời Quý khách chạm thẻ CCCD vào đầu đọc, hoặc quét mã QR trên thẻ", "Tap your ID card on the reader or scan its QR code"},
	"welcome.message_app":    {"Mời Quý khách chạm thẻ CCCD, quét mã QR trên thẻ hoặc mã QR ứng dụng %s", "Tap your ID card, scan its QR code or your %s app's QR code"},
	"identify.waiting":       {"Mời Quý khách chạm thẻ CCCD", "Please tap your ID card"},
	"identify.other":         {"Mời chạm thẻ CCCD của người được làm hộ", "Tap the ID card of the person you act for"},
	"identify.detected":      {"Đã nhận thẻ, vui lòng giữ thẻ trên đầu đọc…", "Card found, keep it on the reader…"},
	"identify.chip":          {"Đang đọc chip, vui lòng giữ thẻ…", "Reading the chip, keep the card still…"},
	"identify.verifying":     {"Đang kiểm tra thẻ thật, giả…", "Checking the card is genuine…"},
	"identify.failed":        {"Chưa đọc được thẻ. Vui lòng chạm lại thẻ hoặc quét mã QR.", "The card could not be read. Tap it again or scan its QR code."},
	"identify.can":           {"Nhập 6 số cuối của số định danh in trên mặt trước thẻ", "Enter the last 6 digits of the ID number printed on the card"},
	"identify.can_invalid":   {"Vui lòng nhập đủ 6 chữ số", "Please enter 6 digits"},
	"identify.can_wrong":     {"Thẻ không chấp nhận số vừa nhập. Còn %d lần thử.", "The card refused that number. %d tries left."},
	"identify.can_exhausted": {"Thẻ đã từ chối %d lần. Vui lòng quét mã QR trên thẻ hoặc gọi hỗ trợ.", "The card refused %d numbers. Scan its QR code or call for help."},
	"identify.can_checking":  {"Đang mở chip…", "Opening the chip…"},
	"identify.can_removed":   {"Thẻ đã rời đầu đọc. Vui lòng chạm lại thẻ.", "The card left the reader. Tap it again."},
	"identify.same":          {"Đây là thẻ của chính Quý khách. Vui lòng chạm thẻ của người được làm hộ.", "That is your own card. Tap the other person's card."},
	"identify.app_online":    {"Mã QR %s cần được kiểm tra trực tuyến. Đang kiểm tra…", "The %s QR code can only be checked online. Checking…"},
	"identify.app_signed":    {"Đang kiểm tra chữ ký mã QR %s…", "Checking the %s QR code's signature…"},
	"identify.app_rejected":  {"Mã QR %s không hợp lệ hoặc đã hết hạn. Vui lòng mở lại ứng dụng hoặc dùng thẻ CCCD.", "The %s QR code is not valid or has expired. Open the app again or use your ID card."},
	"identify.app_offline":   {"Không kiểm tra được mã QR %s lúc này (cần kết nối mạng). Vui lòng dùng thẻ CCCD.", "The %s QR code cannot be checked now (it needs the network). Please use your ID card."},
	"identify.unusable":      {"Mã QR này không phải mã trên thẻ CCCD hay ứng dụng được hỗ trợ.", "This QR code is not an ID card's or a supported app's."},

	"note.chip":        {"Đã xác thực thẻ CCCD gắn chip", "Chip ID card verified"},
	"note.unverified":  {"Đã đọc thẻ nhưng chưa xác thực được thẻ thật", "Card read but not proven genuine"},
	"note.app_online":  {"Đăng nhập bằng mã QR %s (đã kiểm tra trực tuyến)", "Signed in with the %s QR code (checked online)"},
	"note.app_signed":  {"Đăng nhập bằng mã QR %s (đã kiểm tra chữ ký)", "Signed in with the %s QR code (signature checked)"},
	"menu.message":     {"Kính chào Ông/Bà %s. Quý khách cần làm thủ tục gì?", "Welcome, %s. What would you like to do?"},
	"menu.for_other":   {"Quý khách đang làm hộ cho Ông/Bà %s.", "You are acting for %s."},
	"menu.no_catalog":  {"Danh mục thủ tục chưa được đồng bộ. Vui lòng gọi hỗ trợ hoặc đến quầy.", "The procedure list has not been synced yet. Call for help or go to a counter."},
	"search.message":   {"Nhập tên thủ tục, có dấu hoặc không dấu (ví dụ: dang ky thuong tru)", "Type the procedure's name, with or without accents"},
	"search.none":      {"Không tìm thấy thủ tục phù hợp. Vui lòng thử từ khóa khác hoặc gọi hỗ trợ.", "No procedure found. Try other words or call for help."},
	"search.found":     {"Tìm thấy %d thủ tục", "%d procedures found"},
	"fee.none":         {"Không thu phí", "Free"},
	"form.message":     {"Các thông tin đánh dấu \"Từ thẻ CCCD\" đã được điền sẵn, Quý khách không cần khai lại.", "Fields marked \"From the ID card\" are filled in for you."},
	"form.errors":      {"Còn %d thông tin chưa đúng hoặc chưa điền.", "%d answers are missing or wrong."},
	"form.required":    {"Vui lòng điền thông tin này", "Please fill this in"},
	"form.phone":       {"Số điện thoại chưa đúng (10 số, bắt đầu bằng 0)", "Not a phone number (10 digits starting with 0)"},
	"form.number":      {"Chỉ nhập chữ số", "Digits only"},
	"form.date":        {"Ngày chưa đúng (ngày/tháng/năm, ví dụ 05/01/1960)", "Not a date (day/month/year)"},
	"form.choice":      {"Vui lòng chọn một mục trong danh sách", "Choose one of the options"},
	"form.not_on_card": {"Thẻ không có thông tin này, vui lòng điền", "The card does not carry this: please fill it in"},
	"review.message":   {"Vui lòng kiểm tra lại trước khi gửi hồ sơ.", "Please check before filing."},
	"submitting.file":  {"Đang gửi hồ sơ tới Hệ thống một cửa điện tử…", "Filing the dossier with the one-stop system…"},
	"submitting.queue": {"Đang lấy số thứ tự…", "Taking a number…"},
	"submitting.print": {"Đang in phiếu…", "Printing…"},
	"receipt.message":  {"Vui lòng nhận phiếu tiếp nhận và chờ gọi số tại %s.", "Take your receipt and wait for your number at %s."},
	"receipt.no_queue": {"Vui lòng nhận phiếu tiếp nhận hồ sơ.", "Please take your receipt."},
	"receipt.paper":    {"Máy in hết giấy: vui lòng ghi lại mã hồ sơ %s hoặc gọi hỗ trợ.", "The printer is out of paper: note the dossier code %s or call for help."},
	"receipt.unprinted": {"Chưa in được phiếu: vui lòng ghi lại mã hồ sơ %s hoặc gọi hỗ trợ.",
		"The receipt did not print: note the dossier code %s or call for help."},
	"dossiers.loading":     {"Đang tra cứu hồ sơ…", "Looking up your dossiers…"},
	"dossiers.none":        {"Quý khách chưa có hồ sơ nào.", "You have no dossiers."},
	"dossiers.found":       {"Quý khách có %d hồ sơ.", "You have %d dossiers."},
	"dossiers.unavailable": {"Không tra cứu được hồ sơ lúc này. Vui lòng thử lại sau hoặc gọi hỗ trợ.", "Your dossiers cannot be looked up now. Try again later or call for help."},
	"dossiers.printed":     {"Đã in phiếu tình trạng hồ sơ.", "Status slip printed."},
	"dossiers.paper":       {"Máy in hết giấy. Vui lòng gọi hỗ trợ.", "The printer is out of paper. Please call for help."},
	"status.received":      {"Đã tiếp nhận", "Received"},
	"status.processing":    {"Đang giải quyết", "In progress"},
	"status.supplement":    {"Cần bổ sung hồ sơ", "Documents needed"},
	"status.ready":         {"Có kết quả, chờ trả", "Ready for collection"},
	"status.returned":      {"Đã trả kết quả", "Collected"},
	"status.rejected":      {"Từ chối giải quyết", "Refused"},
	"status.overdue":       {"Quá hạn giải quyết", "Overdue"},
	"ticket.message":       {"Vui lòng nhận phiếu và chờ gọi số tại %s.", "Take your ticket and wait for your number at %s."},
	"ticket.paper":         {"Máy in hết giấy: số của Quý khách là %s. Vui lòng ghi nhớ.", "Out of paper: your number is %s. Please remember it."},
	"support.requesting":   {"Đang gọi tổng đài hỗ trợ…", "Calling the help desk…"},
	"support.waiting":      {"Đã gửi yêu cầu hỗ trợ (số %s). Vui lòng chờ cán bộ tiếp nhận.", "Help requested (%s). Please wait for a staff member."},
	"support.accepted":     {"Cán bộ %s đã nhận yêu cầu và đang đến hỗ trợ Quý khách.", "%s has taken your request and is coming to help you."},
	"support.accepted_at":  {"Cán bộ %s đã nhận yêu cầu: %s.", "%s has taken your request: %s."},
	"support.closed":       {"Yêu cầu hỗ trợ đã kết thúc.", "The help request is closed."},
	"support.failed":       {"Không gọi được hỗ trợ trực tuyến. Vui lòng đến quầy hướng dẫn.", "The help desk cannot be reached. Please go to the information desk."},
	"goodbye.message":      {"Cảm ơn Quý khách. Thông tin cá nhân đã được xóa khỏi máy.", "Thank you. Your personal data has been cleared from the kiosk."},

	"error.not_genuine":       {"Thẻ CCCD không được xác thực là thẻ thật", "The ID card could not be verified as genuine"},
	"error.not_genuine_next":  {"Vui lòng liên hệ cán bộ tại quầy để được hỗ trợ.", "Please see a member of staff at a counter."},
	"error.unverified":        {"Chưa xác thực được thẻ CCCD", "The ID card could not be verified"},
	"error.unverified_next":   {"Vui lòng chạm thẻ và quét mã QR trên thẻ, hoặc gọi hỗ trợ.", "Tap the card and scan its QR code, or call for help."},
	"error.unavailable":       {"Không gửi được hồ sơ lúc này", "The dossier could not be filed now"},
	"error.unavailable_next":  {"Hồ sơ chưa được xác nhận. Quý khách có thể thử lại (không bị nộp trùng) hoặc gọi hỗ trợ.", "It was not confirmed. Try again (it will not be filed twice) or call for help."},
	"error.rejected":          {"Hệ thống một cửa không tiếp nhận hồ sơ", "The one-stop system did not accept the dossier"},
	"error.rejected_next":     {"Vui lòng kiểm tra lại thông tin hoặc gọi hỗ trợ.", "Check your answers or call for help."},
	"error.queue":             {"Không lấy được số thứ tự", "No number could be taken"},
	"error.queue_next":        {"Vui lòng thử lại hoặc đến quầy hướng dẫn.", "Try again or go to the information desk."},
	"out_of_service.message":  {"Máy tạm dừng phục vụ do không lưu được dữ liệu.", "This kiosk has stopped: it cannot store records."},
	"out_of_service.next":     {"Vui lòng đến quầy tiếp nhận để được phục vụ.", "Please go to a counter."},
	"out_of_service.unsure":   {"Hồ sơ của Quý khách có thể đã được gửi. Vui lòng đến quầy để kiểm tra.", "Your dossier may have been filed. Please check at a counter."},
	"out_of_service.received": {"Hồ sơ của Quý khách đã được tiếp nhận, mã %s. Vui lòng đến quầy.", "Your dossier was received, code %s. Please go to a counter."},

	"procedure.closed": {"Hiện %s tạm ngừng tiếp nhận hồ sơ và cấp số thứ tự tại kiosk. Quý khách vui lòng quay lại sau hoặc liên hệ cán bộ hướng dẫn tại Bộ phận Một cửa.",
		"%s is not taking dossiers or numbers at the kiosk for now. Please come back later or ask a member of staff at the one-stop office."},
}

// Messages lists every key with its Vietnamese and English text (for the
// UI's translation files).
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
	t.VI = fmt.Sprintf(t.VI, args...)
	t.EN = fmt.Sprintf(t.EN, args...)
	return t
}
