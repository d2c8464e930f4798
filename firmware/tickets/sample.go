package tickets

import (
	"fmt"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// SampleNames lists the sample slips Sample knows, for `kioskd diag print`.
func SampleNames() []string {
	return []string{"queue", "receipt", "parking", "parking-receipt", "dossier-receipt", "dossier-status", "checkin-report", "coach", "bus-pass", "refund"}
}

// Sample returns a sample slip with made-up data and real Vietnamese text,
// issued at now, for technicians and documentation.
func Sample(name string, now time.Time) (*escpos.Document, error) {
	hospital := Header{Name: "BỆNH VIỆN ĐA KHOA TỈNH BẮC NINH", Address: "Số 1 Đường Nguyễn Quyền, TP. Bắc Ninh", Phone: "0222 3822 XXX"}
	onestop := Header{Name: "BỘ PHẬN MỘT CỬA UBND PHƯỜNG THUẬN HÒA", Address: "TP. Huế, tỉnh Thừa Thiên Huế"}
	parking := Header{Name: "BÃI ĐỖ XE TRUNG TÂM THƯƠNG MẠI", Address: "Tầng hầm B2 – Khu A"}
	station := Header{Name: "BẾN XE GIÁP BÁT", Address: "Km6 Giải Phóng, Hoàng Mai, Hà Nội"}
	switch name {
	case "queue":
		return QueueTicket(hospital, Queue{
			ID: "Q20261122-A023-7F3K", Number: "A023", Service: "Phòng khám Nội – Tầng 2",
			Priority: "Người cao tuổi", IssuedAt: now, Ahead: 5, Wait: 25 * time.Minute,
			Fees: &Fees{Total: 50000, Insurance: 40000, Patient: 10000},
		}), nil
	case "receipt":
		return PaymentReceipt(hospital, Receipt{
			Title:   "BIÊN LAI THU TIỀN KHÁM BỆNH",
			Service: "Phòng khám Nội – Phòng 101", Visit: "LK2611220187",
			Lines: []ReceiptLine{
				{Name: "Khám Nội tổng quát", Quantity: 1, Amount: 35000},
				{Name: "Xét nghiệm đường huyết mao mạch", Quantity: 1, Amount: 15000},
			},
			Total: 50000, Insurance: 40000, Paid: 10000, Method: "VietQR", PaymentRef: "KSK A023 7F3K",
			TransactionID: "FT26326123456789", PaidAt: now,
		}), nil
	case "parking":
		return ParkingTicket(parking, Parking{
			ID: "P20261122-0815-0042", Plate: "29A-123.45", Vehicle: "Ô tô", Gate: "Cổng 1 (Lý Thái Tổ)", EntryAt: now,
		}), nil
	case "parking-receipt":
		return ParkingReceipt(parking, ParkingPaid{
			ID: "P20261122-0815-0042", Plate: "29A-123.45", EntryAt: now.Add(-155 * time.Minute), ExitAt: now,
			Amount: 30000, PaymentRef: "GX 0042", TransactionID: "FT26326987654321",
		}), nil
	case "dossier-receipt":
		return DossierReceipt(onestop, Dossier{
			Code: "000.00.00.SIM-261122-0001", Procedure: "Đăng ký thường trú", Agency: "Công an phường Thuận Hòa",
			Applicant: "Nguyễn Thị Lan", ApplicantID: "0011••••••45", Agent: "Trần Văn Bình", AgentID: "0790••••••34",
			ReceivedAt: now, Appointment: time.Date(2026, 12, 1, 16, 0, 0, 0, now.Location()),
			Fees: []ReceiptLine{{Name: "Lệ phí đăng ký thường trú", Amount: 20000}}, Total: 20000,
			Queue: "A012", Counter: "Quầy Công an (A)", LookupURL: "https://dichvucong.example/tra-cuu?ma=000.00.00.SIM-261122-0001",
		}), nil
	case "dossier-status":
		return DossierStatusSlip(onestop, DossierStatus{Name: "Nguyễn Thị Lan", MaskedID: "0011••••••45", At: now, Lines: []DossierLine{
			{Code: "000.00.00.SIM-261122-0001", Procedure: "Đăng ký thường trú", Status: "Đã tiếp nhận", Appointment: time.Date(2026, 12, 1, 16, 0, 0, 0, now.Location())},
			{Code: "000.00.00.SIM-261015-0310", Procedure: "Cấp phiếu lý lịch tư pháp", Status: "Có kết quả, chờ trả"},
		}}), nil
	case "checkin-report":
		return StatsReport(Header{Name: "KHÁCH SẠN SÔNG HƯƠNG", Address: "Số 3 Lê Lợi, TP. Huế"}, Report{
			Title: "BÁO CÁO THỐNG KÊ TUẦN", Site: "Quầy lễ tân", Period: "Từ 16/11/2026 đến 22/11/2026", PrintedAt: now,
			Sections: []ReportSection{{Title: "Tổng hợp", Rows: []ReportRow{
				{"Lượt đọc thẻ", "412"}, {"Thẻ xác thực là thật", "405 (98,3 %)"}, {"Lượt nhận phòng", "96"}, {"Lượt trả phòng", "90"},
			}}},
		}), nil
	case "coach":
		return TravelTicket(station, Travel{
			Title: "VÉ XE KHÁCH", ID: "T-000913", Code: "VE1.eyJ0IjoiVC0wMDA5MTMiLCJvIjoiaG9hbmdsb25nIn0.c2lnbmF0dXJlLW9mLXRoZS1iYWNrZW5k",
			Operator: "Nhà xe Hoàng Long", Hotline: "1900 xxxx", Route: "Hà Nội – Vinh", Service: "HN-VINH " + now.Add(4*time.Hour).Format("15:04"),
			From: "Bến xe Giáp Bát", To: "Bến xe Vinh", Departs: now.Add(4 * time.Hour), Arrives: now.Add(9*time.Hour + 20*time.Minute),
			Seat: "A07", Class: "Giường tầng dưới", Passenger: "N. T. Lan", PassengerID: "0011••••••45",
			Concession: "Người cao tuổi (từ đủ 60 tuổi)", Base: 300000, Price: 255000, PaymentRef: "K06VE7Q2XMA", IssuedAt: now,
		}), nil
	case "bus-pass":
		month := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location())
		return TravelTicket(station, Travel{
			Title: "VÉ THÁNG XE BUÝT", ID: "kiosk-bxmd-01-1a2b3c4d-1", Code: "VEK1.kiosk-bxmd-01.kiosk-bxmd-01-1a2b3c4d-1",
			Operator: "Xe buýt thành phố", Route: "Vé tháng liên tuyến", ValidFrom: month, ValidUntil: month.AddDate(0, 1, 0),
			Passenger: "Trẻ em", PassengerID: "0012••••••08", Concession: "Học sinh, sinh viên", Base: 200000, Price: 100000,
			PaymentRef: "K06VE3MT8QZ", IssuedAt: now,
			Note: "Vé có hiệu lực trên xe buýt sau khi máy đồng bộ với hệ thống. Mang theo thẻ học sinh, sinh viên khi đi xe.",
		}), nil
	case "refund":
		return RefundSlip(station, Refund{
			Ticket: "T-000913", Route: "Hà Nội – Vinh, " + FormatTime(now.Add(28*time.Hour)), Price: 255000, Fee: 25500, Amount: 229500,
			Rule: "Trả vé trước giờ khởi hành từ 24 giờ trở lên: phí 10%", Method: "Tiền hoàn được chuyển về tài khoản đã thanh toán.", At: now,
		}), nil
	}
	return nil, fmt.Errorf("tickets: unknown sample %q (want one of %v)", name, SampleNames())
}
