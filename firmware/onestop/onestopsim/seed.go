package onestopsim

import "github.com/kiosk06/kiosk/firmware/onestop/catalog"

// Seed is the simulated office's catalogue. The procedure names and Uses
// are the seed documents' (002, Huế, one month 15/10–14/11/2023: "Thông
// báo lưu trú: 8.775", "Đăng ký thường trú: 6.073", …; the line "(phạt
// nguội): 1.632" gives no procedure name, so the name here is ours). The
// codes, counters, fees and forms are the simulator's own: a real office's
// come from its one-stop system, and the national procedure database's
// codes are not reproduced because they could not be checked here. The
// processing times follow the laws where we know them (Luật Cư trú 2020:
// thường trú 7, tạm trú 3 working days; Luật Xuất cảnh, nhập cảnh 2019:
// passport 8; Luật Lý lịch tư pháp: 10).
func Seed() []catalog.Procedure {
	phone := catalog.Field{Key: "so_dien_thoai", Label: "Số điện thoại liên hệ", Kind: catalog.KindPhone, Required: true, Max: 15}
	email := catalog.Field{Key: "email", Label: "Thư điện tử (nếu có)", Kind: catalog.KindText, Max: 100}
	person := []catalog.Field{
		card("ho_ten", "Họ, chữ đệm và tên", catalog.CardName),
		card("so_dinh_danh", "Số định danh cá nhân", catalog.CardID),
		card("ngay_sinh", "Ngày, tháng, năm sinh", catalog.CardDOB),
		card("gioi_tinh", "Giới tính", catalog.CardSex),
	}
	withResidence := append(append([]catalog.Field{}, person...), card("noi_thuong_tru", "Nơi thường trú", catalog.CardResidence))
	return []catalog.Procedure{
		{Code: "SIM-CT-001", Name: "Thông báo lưu trú", Topic: "Đăng ký, quản lý cư trú", Agency: "Công an cấp xã", Counter: "A",
			Uses: 8775, Fields: append(append([]catalog.Field{}, withResidence...),
				catalog.Field{Key: "dia_chi_luu_tru", Label: "Địa chỉ lưu trú", Kind: catalog.KindText, Required: true},
				catalog.Field{Key: "tu_ngay", Label: "Lưu trú từ ngày", Kind: catalog.KindDate, Required: true},
				catalog.Field{Key: "den_ngay", Label: "Lưu trú đến ngày", Kind: catalog.KindDate, Required: true},
				catalog.Field{Key: "ly_do", Label: "Lý do lưu trú", Kind: catalog.KindChoice, Required: true,
					Options: []string{"Thăm thân", "Du lịch", "Công tác", "Khám, chữa bệnh", "Khác"}},
				phone)},
		{Code: "SIM-CT-002", Name: "Đăng ký thường trú", Topic: "Đăng ký, quản lý cư trú", Agency: "Công an cấp xã", Counter: "A",
			Fee: 20000, FeeNote: "Lệ phí theo nghị quyết của Hội đồng nhân dân tỉnh", Days: 7, Uses: 6073,
			Fields: append(append([]catalog.Field{}, withResidence...),
				card("dan_toc", "Dân tộc", catalog.CardEthnicity), card("ton_giao", "Tôn giáo", catalog.CardReligion),
				card("quoc_tich", "Quốc tịch", catalog.CardNationality), card("que_quan", "Quê quán", catalog.CardHometown),
				catalog.Field{Key: "noi_de_nghi_dang_ky", Label: "Nơi đề nghị đăng ký thường trú", Kind: catalog.KindText, Required: true},
				catalog.Field{Key: "ho_ten_chu_ho", Label: "Họ và tên chủ hộ", Kind: catalog.KindText, Required: true, Max: 100},
				catalog.Field{Key: "quan_he_chu_ho", Label: "Quan hệ với chủ hộ", Kind: catalog.KindChoice, Required: true,
					Options: []string{"Chủ hộ", "Vợ", "Chồng", "Con", "Cha", "Mẹ", "Ông", "Bà", "Cháu", "Anh", "Chị", "Em", "Khác"}},
				catalog.Field{Key: "noi_dung", Label: "Nội dung đề nghị", Kind: catalog.KindText, Max: 500},
				phone, email)},
		{Code: "SIM-XNC-001", Name: "Cấp, cấp lại, sửa đổi, bổ sung hộ chiếu phổ thông", Topic: "Quản lý xuất nhập cảnh", Agency: "Công an tỉnh",
			Counter: "B", Fee: 200000, Days: 8, Uses: 2920,
			Fields: append(append([]catalog.Field{}, withResidence...),
				card("noi_sinh", "Nơi sinh (quê quán)", catalog.CardHometown),
				catalog.Field{Key: "loai_de_nghi", Label: "Đề nghị", Kind: catalog.KindChoice, Required: true,
					Options: []string{"Cấp hộ chiếu lần đầu", "Cấp lại hộ chiếu", "Sửa đổi, bổ sung"}},
				catalog.Field{Key: "nghe_nghiep", Label: "Nghề nghiệp", Kind: catalog.KindText, Required: true, Max: 100},
				phone, email)},
		{Code: "SIM-CC-001", Name: "Cấp lại, đổi thẻ căn cước công dân", Topic: "Cấp, quản lý căn cước", Agency: "Công an tỉnh",
			Counter: "B", Fee: 30000, FeeNote: "Đổi thẻ 30.000 ₫; cấp lại 70.000 ₫", Days: 7, Uses: 2434,
			Fields: append(append([]catalog.Field{}, withResidence...),
				card("ngay_cap", "Ngày cấp thẻ đang dùng", catalog.CardIssueDate),
				catalog.Field{Key: "ly_do", Label: "Lý do", Kind: catalog.KindChoice, Required: true,
					Options: []string{"Thẻ hư hỏng", "Thay đổi thông tin", "Đủ tuổi đổi thẻ", "Mất thẻ", "Khác"}},
				phone)},
		{Code: "SIM-CT-003", Name: "Đăng ký tạm trú", Topic: "Đăng ký, quản lý cư trú", Agency: "Công an cấp xã", Counter: "A",
			Fee: 15000, Days: 3, Uses: 1703,
			Fields: append(append([]catalog.Field{}, withResidence...),
				catalog.Field{Key: "noi_tam_tru", Label: "Nơi đề nghị đăng ký tạm trú", Kind: catalog.KindText, Required: true},
				catalog.Field{Key: "thoi_han", Label: "Thời hạn tạm trú (tháng)", Kind: catalog.KindNumber, Required: true, Max: 2},
				phone)},
		{Code: "SIM-GT-001", Name: "Xử lý vi phạm hành chính về giao thông (phạt nguội)", Topic: "Xử lý vi phạm hành chính", Agency: "Công an tỉnh",
			Counter: "D", Uses: 1632,
			Fields: append(append([]catalog.Field{}, person...),
				catalog.Field{Key: "bien_so", Label: "Biển số xe", Kind: catalog.KindText, Required: true, Max: 12},
				catalog.Field{Key: "so_bien_ban", Label: "Số thông báo vi phạm (nếu có)", Kind: catalog.KindText, Max: 30},
				phone)},
		{Code: "SIM-GT-002", Name: "Đăng ký, cấp biển số mô tô, xe gắn máy", Topic: "Đăng ký, quản lý phương tiện", Agency: "Công an cấp xã",
			Counter: "D", Fee: 150000, Days: 2, Uses: 1480,
			Fields: append(append([]catalog.Field{}, withResidence...),
				catalog.Field{Key: "so_khung", Label: "Số khung", Kind: catalog.KindText, Required: true, Max: 30},
				catalog.Field{Key: "so_may", Label: "Số máy", Kind: catalog.KindText, Required: true, Max: 30},
				phone)},
		{Code: "SIM-TP-001", Name: "Cấp phiếu lý lịch tư pháp", Topic: "Lý lịch tư pháp", Agency: "Sở Tư pháp", Counter: "C",
			Fee: 200000, FeeNote: "Miễn phí với người có công, thân nhân liệt sĩ, hộ nghèo", Days: 10, Uses: 1448,
			Fields: append(append([]catalog.Field{}, withResidence...),
				card("ho_ten_cha", "Họ tên cha", catalog.CardFather), card("ho_ten_me", "Họ tên mẹ", catalog.CardMother),
				catalog.Field{Key: "loai_phieu", Label: "Loại phiếu", Kind: catalog.KindChoice, Required: true,
					Options: []string{"Phiếu số 1", "Phiếu số 2"}},
				catalog.Field{Key: "muc_dich", Label: "Mục đích sử dụng", Kind: catalog.KindText, Required: true, Max: 200},
				phone)},
		{Code: "SIM-HT-001", Name: "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
			Topic: "Hộ tịch", Agency: "UBND cấp xã", Counter: "C", Days: 5, Uses: 1029,
			Fields: append(append([]catalog.Field{}, withResidence...),
				catalog.Field{Key: "ho_ten_tre", Label: "Họ, chữ đệm và tên của trẻ", Kind: catalog.KindText, Required: true, Max: 100},
				catalog.Field{Key: "ngay_sinh_tre", Label: "Ngày sinh của trẻ", Kind: catalog.KindDate, Required: true},
				catalog.Field{Key: "gioi_tinh_tre", Label: "Giới tính của trẻ", Kind: catalog.KindChoice, Required: true, Options: []string{"Nam", "Nữ"}},
				catalog.Field{Key: "noi_sinh_tre", Label: "Nơi sinh của trẻ", Kind: catalog.KindText, Required: true},
				catalog.Field{Key: "quan_he", Label: "Quan hệ với trẻ", Kind: catalog.KindChoice, Required: true, Options: []string{"Cha", "Mẹ", "Người thân khác"}},
				phone)},
	}
}

func card(key, label string, v catalog.CardField) catalog.Field {
	return catalog.Field{Key: key, Label: label, Kind: catalog.KindText, Source: catalog.SourceCard, Card: v}
}
