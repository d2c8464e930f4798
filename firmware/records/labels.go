package records

// labels are the kinds' names in Vietnamese, for people who read counts of
// them (the staff menu's report of the day, on screen and on paper). A
// constant table like the registry; TestEveryKindHasALabel keeps it whole.
var labels = map[string]string{
	KindHospitalIdentify:     "Đọc thẻ (bệnh viện)",
	KindHospitalChild:        "Đăng ký cho trẻ em",
	KindHospitalCAN:          "Nhập mã CAN",
	KindHospitalHolder:       "Xác thực chủ thẻ",
	KindHospitalInsurance:    "Tra cứu BHYT",
	KindHospitalIntent:       "Bắt đầu đăng ký khám",
	KindHospitalRegistration: "Đăng ký khám",
	KindHospitalPayment:      "Thanh toán viện phí",
	KindHospitalHelp:         "Gọi nhân viên",
	KindHospitalHelpAck:      "Nhân viên nhận yêu cầu",
	KindHospitalAbandoned:    "Bỏ dở giữa chừng",
	KindHospitalService:      "Phục vụ trở lại",
	KindHospitalAdmin:        "Thao tác của nhân viên",
	KindAdminAudit:           "Thao tác của nhân viên",
	KindParkingEntry:         "Xe vào",
	KindParkingIntent:        "Bắt đầu thu phí",
	KindParkingExit:          "Xe ra",
	KindParkingBarrier:       "Mở barie",
	KindParkingRefused:       "Từ chối",
	KindParkingReport:        "Báo cáo ca",
	KindTicketingIdentify:    "Đọc thẻ (bán vé)",
	KindTicketingCAN:         "Nhập mã CAN",
	KindTicketingIntent:      "Bắt đầu mua vé",
	KindTicketingHold:        "Giữ chỗ",
	KindTicketingPayment:     "Thanh toán vé",
	KindTicketingSale:        "Bán vé",
	KindTicketingTicket:      "Vé đã in",
	KindTicketingRefund:      "Trả vé",
	KindTicketingManifest:    "Danh sách hành khách",
	KindTicketingHelp:        "Gọi nhân viên",
	KindTicketingAbandoned:   "Bỏ dở giữa chừng",
	KindTicketingService:     "Phục vụ trở lại",
	KindTransitTap:           "Lượt chạm thẻ lên xe",
	KindOnestopSignIn:        "Đăng nhập bằng thẻ",
	KindOnestopIntent:        "Bắt đầu nộp hồ sơ",
	KindOnestopDossier:       "Hồ sơ đã nộp",
	KindOnestopTicket:        "Lấy số thứ tự",
	KindOnestopLookup:        "Tra cứu hồ sơ",
	KindOnestopSupport:       "Yêu cầu hỗ trợ",
	KindOnestopAbandoned:     "Bỏ dở giữa chừng",
	KindOnestopService:       "Phục vụ trở lại",
	KindCheckinRead:          "Đọc thẻ",
	KindCheckinHolder:        "Xác thực chủ thẻ",
	KindCheckinLodging:       "Lưu trú",
	KindCheckinVerify:        "Kiểm tra giấy tờ",
	KindCheckinAttendance:    "Điểm danh dự thi",
	KindCheckinGate:          "Qua cửa",
	KindCheckinReport:        "Báo cáo thống kê",
	KindCheckinService:       "Phục vụ trở lại",
	KindPaymentSession:       "Phiên thanh toán VietQR",
	KindQueueEvent:           "Sự kiện hàng đợi",
	KindIdentityHolder:       "Đăng ký vân tay",
	KindStoreEpochReset:      "Khởi tạo lại bộ nhớ",
	KindStoreSalvage:         "Cứu dữ liệu",
	KindConfigApplied:        "Áp dụng cấu hình",
	KindConfigRejected:       "Từ chối cấu hình",
	KindConfigRolledBack:     "Hoàn tác cấu hình",
	KindConfigDrift:          "Cấu hình bị sửa tại máy",
	KindUpdateApplied:        "Cập nhật phần mềm",
	KindUpdateRejected:       "Từ chối bản cập nhật",
	KindUpdateRolledBack:     "Hoàn tác bản cập nhật",
	KindDiagTxgen:            "Giao dịch thử",
}

// Label is kind's name in Vietnamese ("Bán vé" for ticketing.sale), or
// kind itself when it has none.
func Label(kind string) string {
	if l, ok := labels[kind]; ok {
		return l
	}
	return kind
}
