package ticketingui

import "github.com/kiosk06/kiosk/firmware/ticketing"

// words are the screens' own words (headings, field names); everything
// else is the flow's ticketing.Text. Register: "Quý khách", quotes “…”.
var words = map[string][2]string{
	"offline":       {"Mất kết nối với hệ thống bán vé: chỉ bán vé tháng và vé lượt xe buýt.", "Offline: only bus passes and rides are on sale."},
	"child":         {"Trẻ em", "Child"},
	"large_text":    {"Chữ lớn", "Large text"},
	"contrast":      {"Tương phản cao", "High contrast"},
	"idle_warning":  {"Quý khách còn ở đây không? Màn hình sẽ trở về trang đầu sau %d giây.", "Are you still there? The screen returns to the start in %d seconds."},
	"idle_stay":     {"Tôi vẫn ở đây", "I am still here"},
	"age":           {"%d tuổi", "%d years"},
	"from":          {"Nơi đi", "From"},
	"to":            {"Nơi đến", "To"},
	"date":          {"Ngày đi", "Date"},
	"trips":         {"Chuyến xe", "Departures"},
	"no_trips":      {"Không có chuyến phù hợp. Quý khách vui lòng chọn ngày hoặc nơi đến khác.", "No departures. Please choose another day or destination."},
	"products":      {"Vé xe buýt", "Bus passes and rides"},
	"month":         {"Tháng", "Month"},
	"departs":       {"Khởi hành", "Departs"},
	"arrives":       {"Đến nơi", "Arrives"},
	"seat":          {"Chỗ", "Seat"},
	"seats_need":    {"Quý khách chọn %d chỗ (đã chọn %d).", "Choose %d seats (%d chosen)."},
	"seat_free":     {"Còn trống", "Free"},
	"seat_taken":    {"Đã bán", "Taken"},
	"seat_chosen":   {"Đang chọn", "Chosen"},
	"total":         {"Tổng cộng", "Total"},
	"hold_left":     {"Giữ chỗ còn %s", "Seats held for %s"},
	"pay_left":      {"Mã QR còn hiệu lực %s", "QR valid for %s"},
	"pay_how":       {"Mở ứng dụng ngân hàng, quét mã VietQR và chuyển khoản đúng số tiền. Vé in ngay khi ngân hàng xác nhận.", "Open your banking app, scan the VietQR code and transfer the exact amount. Tickets print as soon as the bank confirms."},
	"reference":     {"Mã thanh toán", "Payment reference"},
	"amount":        {"Số tiền", "Amount"},
	"ticket_code":   {"Mã vé", "Ticket code"},
	"passenger":     {"Hành khách", "Passenger"},
	"price":         {"Giá vé", "Price"},
	"valid":         {"Hiệu lực", "Valid"},
	"refund":        {"Tiền hoàn", "Refund"},
	"fee":           {"Phí hủy", "Fee"},
	"rule":          {"Quy định", "Rule"},
	"what_happened": {"Chuyện gì đã xảy ra", "What happened"},
	"what_next":     {"Quý khách làm gì tiếp theo", "What to do next"},
	"can_where":     {"Số CAN là 6 chữ số cuối của số định danh cá nhân, in trên mặt trước thẻ CCCD.", "The CAN is the last 6 digits of the personal ID number on the front of the card."},
	"can_keep":      {"Quý khách vui lòng để thẻ trên đầu đọc trong khi nhập.", "Please keep the card on the reader while typing."},
	"child_id":      {"Nhập số định danh cá nhân của trẻ (12 chữ số)", "Type the child's personal ID number (12 digits)"},
	"child_dob":     {"Nhập ngày sinh của trẻ (ngày tháng năm, 8 chữ số: “05032018”)", "Type the child's birth date (DDMMYYYY: “05032018”)"},
	"keypad_delete": {"Xóa", "Delete"},
	"keypad_ok":     {"Xong", "OK"},
	"hold_card":     {"Quý khách vui lòng giữ thẻ trên đầu đọc.", "Please keep the card on the reader."},
	"derived":       {"Ưu đãi theo tuổi", "Age concession"},
	"yes":           {"Có", "Yes"},
	"no":            {"Không", "No"},
	"remove":        {"Bỏ", "Remove"},
	"since":         {"Ngừng bán từ", "Stopped at"},
	"help_ref":      {"Số yêu cầu", "Request"},
}

// word is the screen word key in language l.
func word(l ticketing.Lang, key string) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	if l == ticketing.LangEN && w[1] != "" {
		return w[1]
	}
	return w[0]
}
