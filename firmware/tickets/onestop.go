package tickets

import (
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// Dossier is a dossier received by the one-stop system: what its receipt
// slip prints. Names and masked ID numbers are the caller's (the slip is
// handed to the person it names).
type Dossier struct {
	Code      string // mã hồ sơ
	Procedure string // the procedure's name
	Agency    string // cơ quan giải quyết
	Applicant string // the person the dossier is about
	// ApplicantID is the applicant's ID number masked ("0011••••••45").
	ApplicantID string
	// Agent and AgentID: who filed it for the applicant (làm hộ), "" when
	// the applicant did.
	Agent, AgentID string
	ReceivedAt     time.Time
	Appointment    time.Time // ngày hẹn trả kết quả
	Fees           []ReceiptLine
	Total          int64
	// Queue is the number taken for the counter ("" : none); Counter names
	// where it is served.
	Queue, Counter string
	// LookupURL is printed as a QR code for following the dossier.
	LookupURL string
}

// FormatDate is the date format on slips: "01/12/2026".
func FormatDate(t time.Time) string { return t.Format("02/01/2006") }

// DossierReceipt lays out the receipt slip of a dossier filed at the kiosk,
// after the one-stop desk's "giấy tiếp nhận hồ sơ và hẹn trả kết quả": the
// dossier code (large, and as a barcode), the procedure and agency, who
// filed it for whom, the dates, the fees and the queue number.
func DossierReceipt(h Header, r Dossier) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: "GIẤY TIẾP NHẬN HỒ SƠ", Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter, Fit: true})
	d.Add(escpos.Text{Text: "VÀ HẸN TRẢ KẾT QUẢ", Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Space{Dots: 8})
	d.Add(escpos.Text{Text: "Mã hồ sơ", Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: r.Code, Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter, Fit: true})
	d.Add(escpos.Barcode{Data: r.Code, Height: 56, Module: 1, Align: escpos.AlignCenter})
	d.Add(escpos.Rule{Dashed: true})
	d.Add(escpos.Text{Text: "Thủ tục: " + r.Procedure, Bold: true})
	if r.Agency != "" {
		d.Add(escpos.Text{Text: "Cơ quan giải quyết: " + r.Agency, Size: escpos.SizeSmall})
	}
	d.Add(escpos.Row{Left: "Người nộp hồ sơ:", Right: r.Applicant})
	if r.ApplicantID != "" {
		d.Add(escpos.Row{Left: "Số định danh:", Right: r.ApplicantID})
	}
	if r.Agent != "" {
		d.Add(escpos.Row{Left: "Người làm hộ:", Right: r.Agent})
		if r.AgentID != "" {
			d.Add(escpos.Row{Left: "Số định danh:", Right: r.AgentID})
		}
	}
	d.Add(escpos.Row{Left: "Ngày tiếp nhận:", Right: FormatTime(r.ReceivedAt)})
	d.Add(escpos.Row{Left: "Hẹn trả kết quả:", Right: FormatDate(r.Appointment), Bold: true, Size: escpos.SizeLarge})
	d.Add(escpos.Rule{Dashed: true})
	if len(r.Fees) == 0 {
		d.Add(escpos.Row{Left: "Phí, lệ phí:", Right: "Không thu"})
	}
	for _, l := range r.Fees {
		d.Add(escpos.Row{Left: l.Name, Right: FormatVND(l.Amount)})
	}
	if len(r.Fees) > 0 {
		d.Add(escpos.Row{Left: "TỔNG PHÍ, LỆ PHÍ", Right: FormatVND(r.Total), Bold: true})
		d.Add(escpos.Text{Text: "Nộp tại quầy hoặc trực tuyến khi được thông báo.", Size: escpos.SizeSmall})
	}
	if r.Queue != "" {
		d.Add(escpos.Rule{Dashed: true})
		d.Add(escpos.Text{Text: "SỐ THỨ TỰ " + r.Counter, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
		d.Add(escpos.Text{Text: r.Queue, Size: escpos.SizeHuge, Bold: true, Align: escpos.AlignCenter, Fit: true})
	}
	if r.LookupURL != "" {
		d.Add(escpos.Space{Dots: 8})
		d.Add(escpos.QR{Data: r.LookupURL, Module: 4, EC: escpos.ECM, Align: escpos.AlignCenter})
		d.Add(escpos.Text{Text: "Quét mã để tra cứu tình trạng hồ sơ", Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	}
	footer(d, "Vui lòng mang theo giấy này khi đến nhận kết quả. Xin cảm ơn!")
	return d
}

// DossierLine is one dossier on a status slip.
type DossierLine struct {
	Code        string
	Procedure   string
	Status      string    // in Vietnamese: "Đang giải quyết"
	Appointment time.Time // zero: not given
}

// DossierStatus is a citizen's dossiers at a moment.
type DossierStatus struct {
	Name     string // whose
	MaskedID string
	At       time.Time
	Lines    []DossierLine
}

// DossierStatusSlip lays out the list of a citizen's dossiers and their
// status ("In phiếu" from the dossier screen).
func DossierStatusSlip(h Header, s DossierStatus) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: "TÌNH TRẠNG HỒ SƠ", Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: "Tra cứu lúc " + FormatTime(s.At), Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	d.Add(escpos.Row{Left: "Công dân:", Right: s.Name})
	if s.MaskedID != "" {
		d.Add(escpos.Row{Left: "Số định danh:", Right: s.MaskedID})
	}
	if len(s.Lines) == 0 {
		d.Add(escpos.Rule{Dashed: true})
		d.Add(escpos.Text{Text: "Không có hồ sơ nào.", Align: escpos.AlignCenter})
	}
	for _, l := range s.Lines {
		d.Add(escpos.Rule{Dashed: true})
		d.Add(escpos.Text{Text: l.Procedure, Bold: true})
		d.Add(escpos.Row{Left: "Mã hồ sơ:", Right: l.Code})
		d.Add(escpos.Row{Left: "Tình trạng:", Right: l.Status, Bold: true})
		if !l.Appointment.IsZero() {
			d.Add(escpos.Row{Left: "Hẹn trả:", Right: FormatDate(l.Appointment)})
		}
	}
	footer(d, "Thông tin theo Hệ thống một cửa điện tử tại thời điểm tra cứu.")
	return d
}
