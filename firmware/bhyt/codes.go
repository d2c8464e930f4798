package bhyt

import "slices"

// Class groups result codes by what the kiosk can do with them.
type Class string

// Classes.
const (
	ClassValid       Class = "valid"       // 000: insured
	ClassWarning     Class = "warning"     // usable with a caveat (new card issued, documents to check)
	ClassInvalid     Class = "invalid"     // the card cannot be used today
	ClassUnavailable Class = "unavailable" // the service failed: nothing is known about the card
)

// Next is the next step the kiosk offers.
type Next string

// Next steps.
const (
	NextInsured   Next = "insured"    // continue with insurance
	NextFeePaying Next = "fee_paying" // register as a fee-paying patient
	NextCallStaff Next = "call_staff" // a clerk must check documents or data
)

// Meaning is what a result code means to the kiosk.
type Meaning struct {
	Class Class
	Next  Next
	VI    string // message for the patient, Vietnamese
	EN    string // the same in English
}

// Result codes (maKetQua) of KQNhanLichSuKCB2024 and their meaning, from the
// BHXH check-card service documentation ("tra cứu thông tin thẻ").
var codes = map[string]Meaning{
	"000": {ClassValid, NextInsured,
		"Thẻ BHYT hợp lệ. Quý khách được khám theo bảo hiểm y tế.",
		"Your health insurance is valid. You will be examined under health insurance."},
	"001": {ClassWarning, NextCallStaff,
		"Thẻ do BHXH Bộ Quốc phòng quản lý. Vui lòng xuất trình giấy tờ cho nhân viên.",
		"This card is managed by the Ministry of Defence social insurance. Please show your documents to staff."},
	"002": {ClassWarning, NextCallStaff,
		"Thẻ do BHXH Bộ Công an quản lý. Vui lòng xuất trình giấy tờ cho nhân viên.",
		"This card is managed by the Ministry of Public Security social insurance. Please show your documents to staff."},
	"003": {ClassWarning, NextInsured,
		"Thẻ cũ đã hết giá trị nhưng Quý khách đã được cấp thẻ mới. Kiosk dùng thông tin thẻ mới.",
		"Your old card has expired but a new card was issued. The kiosk uses the new card."},
	"004": {ClassWarning, NextInsured,
		"Quý khách đã được cấp thẻ BHYT mới. Kiosk dùng thông tin thẻ mới.",
		"A new health insurance card was issued to you. The kiosk uses the new card."},
	"010": {ClassInvalid, NextFeePaying,
		"Thẻ BHYT đã hết hạn sử dụng. Quý khách có thể đăng ký khám dịch vụ (tự trả phí).",
		"Your health insurance card has expired. You can register as a fee-paying patient."},
	"050": {ClassInvalid, NextFeePaying,
		"Không tìm thấy thông tin thẻ BHYT. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"No health insurance card was found. You can register as a fee-paying patient or call staff."},
	"051": {ClassInvalid, NextFeePaying,
		"Mã thẻ BHYT không đúng. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"The health insurance card number is wrong. You can register as a fee-paying patient or call staff."},
	"052": {ClassInvalid, NextFeePaying,
		"Mã tỉnh cấp thẻ không đúng. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"The province code of the card is wrong. You can register as a fee-paying patient or call staff."},
	"053": {ClassInvalid, NextFeePaying,
		"Mã quyền lợi của thẻ không đúng. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"The benefit code of the card is wrong. You can register as a fee-paying patient or call staff."},
	"060": {ClassInvalid, NextCallStaff,
		"Họ tên trên thẻ BHYT không khớp với CCCD. Vui lòng gặp nhân viên để kiểm tra.",
		"The name on the insurance card does not match your ID card. Please see staff."},
	"061": {ClassInvalid, NextCallStaff,
		"Họ tên trên thẻ BHYT không khớp với CCCD (đúng ký tự đầu). Vui lòng gặp nhân viên.",
		"The name on the insurance card does not fully match your ID card. Please see staff."},
	"070": {ClassInvalid, NextCallStaff,
		"Ngày sinh trên thẻ BHYT không khớp với CCCD. Vui lòng gặp nhân viên để kiểm tra.",
		"The date of birth on the insurance card does not match your ID card. Please see staff."},
	"100": {ClassUnavailable, NextFeePaying,
		"Cổng BHXH lỗi khi lấy dữ liệu thẻ. Quý khách vẫn có thể đăng ký khám BHYT, nhân viên sẽ xác nhận thẻ tại quầy; hoặc thử lại, hoặc khám dịch vụ (tự trả phí).",
		"The insurance service failed to read the card data. You can still register with health insurance, staff confirming your card at the counter; or try again, or register as fee-paying."},
	"101": {ClassUnavailable, NextFeePaying,
		"Cổng BHXH đang lỗi. Quý khách vẫn có thể đăng ký khám BHYT, nhân viên sẽ xác nhận thẻ tại quầy; hoặc thử lại, hoặc khám dịch vụ (tự trả phí).",
		"The insurance service has a server error. You can still register with health insurance, staff confirming your card at the counter; or try again, or register as fee-paying."},
	"110": {ClassInvalid, NextFeePaying,
		"Thẻ BHYT đã bị thu hồi. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"This health insurance card was revoked. You can register as fee-paying or call staff."},
	"120": {ClassInvalid, NextFeePaying,
		"Thẻ BHYT đã bị báo giảm. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"This health insurance card was reported as stopped. You can register as fee-paying or call staff."},
	"121": {ClassInvalid, NextFeePaying,
		"Thẻ BHYT đã báo giảm do chuyển ngoại tỉnh. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"This card was stopped (moved to another province). You can register as fee-paying or call staff."},
	"122": {ClassInvalid, NextFeePaying,
		"Thẻ BHYT đã báo giảm do chuyển nội tỉnh. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"This card was stopped (moved within the province). You can register as fee-paying or call staff."},
	"123": {ClassInvalid, NextFeePaying,
		"Thẻ BHYT đã báo giảm, thu hồi do tăng lại cùng đơn vị. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"This card was stopped and re-issued by the same employer. You can register as fee-paying or call staff."},
	"124": {ClassInvalid, NextFeePaying,
		"Thẻ BHYT đã báo giảm do ngừng tham gia. Quý khách có thể đăng ký khám dịch vụ hoặc gọi nhân viên.",
		"This card was stopped (membership ended). You can register as fee-paying or call staff."},
	"130": {ClassWarning, NextCallStaff,
		"Trẻ em chưa có thẻ BHYT trên hệ thống. Vui lòng gặp nhân viên với giấy khai sinh.",
		"The child has no insurance card on record yet. Please see staff with the birth certificate."},
	"205": {ClassUnavailable, NextCallStaff,
		"Yêu cầu tra cứu không hợp lệ. Vui lòng gọi nhân viên hoặc đăng ký khám dịch vụ.",
		"The insurance query was not accepted. Please call staff or register as fee-paying."},
	"401": {ClassUnavailable, NextFeePaying,
		"Kiosk không đăng nhập được cổng BHXH. Quý khách vẫn có thể đăng ký khám BHYT, nhân viên sẽ xác nhận thẻ tại quầy; hoặc thử lại, hoặc khám dịch vụ (tự trả phí).",
		"The kiosk could not sign in to the insurance service. You can still register with health insurance, staff confirming your card at the counter; or try again, or register as fee-paying."},
}

// unknownCode is the meaning of a code not in the table.
var unknownCode = Meaning{ClassUnavailable, NextCallStaff,
	"Cổng BHXH trả kết quả không xác định. Quý khách vẫn có thể đăng ký khám BHYT, nhân viên sẽ xác nhận thẻ tại quầy; hoặc thử lại, hoặc khám dịch vụ (tự trả phí).",
	"The insurance service gave an unknown answer. You can still register with health insurance, staff confirming your card at the counter; or try again, or register as fee-paying."}

// unavailable is the meaning of a transport failure or timeout.
var unavailable = Meaning{ClassUnavailable, NextFeePaying,
	"Không kết nối được cổng BHXH. Quý khách vẫn có thể đăng ký khám BHYT, nhân viên sẽ xác nhận thẻ tại quầy; hoặc thử lại, hoặc khám dịch vụ (tự trả phí).",
	"The insurance service cannot be reached. You can still register with health insurance, staff confirming your card at the counter; or try again, or register as fee-paying."}

// Describe returns what a result code means; an unknown code is
// ClassUnavailable with NextCallStaff.
func Describe(code string) Meaning {
	if m, ok := codes[code]; ok {
		return m
	}
	return unknownCode
}

// DescribeFailure is the meaning of a lookup that got no result code
// (transport failure, timeout, 5xx, malformed answer).
func DescribeFailure() Meaning { return unavailable }

// Codes lists every documented result code, sorted (for tests and the fake).
func Codes() []string {
	out := make([]string, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
