// Package tickets lays out what the kiosk prints: the numbered queue
// ticket, the payment receipt, the parking ticket and receipt, and the
// travel ticket, bus pass and refund slip of a ticketing kiosk, as escpos
// Documents (Vietnamese text rendered by the escpos package).
//
// Domain values arrive as plain structs filled in by the caller; this package
// must not import queue/, payments/ or any flow, and knows nothing of the
// printer beyond escpos.Document. Amounts are whole đồng (VND has no minor
// unit) and are printed as "50.000 ₫".
package tickets

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// Header is the organisation printed at the top of every slip.
type Header struct {
	Name    string // e.g. "BỆNH VIỆN ĐA KHOA TỈNH BẮC NINH"
	Address string // optional
	Phone   string // optional
}

// Queue is one issued queue number.
type Queue struct {
	ID       string    // unique ticket id, encoded in the QR code
	Number   string    // what is called, e.g. "A023"
	Service  string    // clinic or counter, e.g. "Phòng khám Nội – Tầng 2"
	Priority string    // priority group shown as a mark, "" for none
	IssuedAt time.Time // in the kiosk's time zone
	Ahead    int       // people waiting before this number
	Wait     time.Duration
	// Fees, when set, are the visit's amounts: printed so the ticket
	// shows what the screen showed.
	Fees *Fees
}

// Fees are a visit's amounts in đồng: the total, what health insurance
// pays and what the patient pays.
type Fees struct {
	Total     int64
	Insurance int64
	Patient   int64
}

// fees prints the amounts of a visit.
func fees(d *escpos.Document, f Fees) {
	d.Add(escpos.Row{Left: "Phí khám:", Right: FormatVND(f.Total)})
	if f.Insurance > 0 {
		d.Add(escpos.Row{Left: "BHYT chi trả:", Right: FormatVND(f.Insurance)})
	}
	d.Add(escpos.Row{Left: "Người bệnh trả:", Right: FormatVND(f.Patient), Bold: true})
}

// ReceiptLine is one item on a receipt.
type ReceiptLine struct {
	Name     string
	Quantity int   // 0 or 1 prints no quantity
	Amount   int64 // line total, đồng
}

// Receipt is a completed payment.
type Receipt struct {
	Title string // e.g. "BIÊN LAI THU TIỀN"
	// Service is what was paid for, e.g. "Phòng khám Nội – Phòng 101";
	// Visit the visit (or order) number, printed in full. Both optional.
	Service string
	Visit   string
	Lines   []ReceiptLine
	Total   int64
	// Insurance is the share health insurance pays and Paid what the payer
	// paid: when either is set the receipt prints the total cost, the
	// insurance share and the amount paid (Total is then the full cost).
	Insurance     int64
	Paid          int64
	Method        string // e.g. "VietQR"
	PaymentRef    string // reference shown to the payer (transfer content)
	TransactionID string // bank/acquirer transaction id
	PaidAt        time.Time
}

// Parking is a ticket issued at the entry gate.
type Parking struct {
	ID      string // ticket id, encoded in the QR code and barcode
	Plate   string // licence plate, e.g. "29A-123.45"
	Vehicle string // e.g. "Ô tô" or "Xe máy"
	Gate    string
	EntryAt time.Time
}

// ParkingPaid is the receipt at the exit gate.
type ParkingPaid struct {
	ID            string
	Plate         string
	EntryAt       time.Time
	ExitAt        time.Time
	Amount        int64
	PaymentRef    string
	TransactionID string
}

// FormatVND formats whole đồng with dots between thousands: 50000 →
// "50.000 ₫", -1500 → "-1.500 ₫".
func FormatVND(v int64) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-(v + 1)) + 1
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String() + " ₫"
}

// FormatTime is the date and time format on slips: "22/11/2026 08:15".
func FormatTime(t time.Time) string { return t.Format("02/01/2006 15:04") }

// formatWait says "khoảng 25 phút" ("about 25 minutes"), or "1 giờ 10 phút".
func formatWait(d time.Duration) string {
	m := int((d + 30*time.Second) / time.Minute)
	switch {
	case m < 1:
		return "dưới 1 phút"
	case m < 60:
		return fmt.Sprintf("khoảng %d phút", m)
	case m%60 == 0:
		return fmt.Sprintf("khoảng %d giờ", m/60)
	}
	return fmt.Sprintf("khoảng %d giờ %d phút", m/60, m%60)
}

func header(d *escpos.Document, h Header) {
	if h.Name != "" {
		d.Add(escpos.Text{Text: h.Name, Bold: true, Align: escpos.AlignCenter})
	}
	if h.Address != "" {
		d.Add(escpos.Text{Text: h.Address, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	}
	if h.Phone != "" {
		d.Add(escpos.Text{Text: "ĐT: " + h.Phone, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	}
	d.Add(escpos.Rule{})
}

func footer(d *escpos.Document, text string) {
	d.Add(escpos.Space{Dots: 8})
	d.Add(escpos.Text{Text: text, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	d.Add(escpos.Cut{Partial: true})
}

// QueueTicket lays out a queue ticket: service, the big number, a priority
// mark, people ahead, estimated wait, a QR code of the ticket id, and the
// issue time.
func QueueTicket(h Header, q Queue) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: q.Service, Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: "SỐ THỨ TỰ CỦA QUÝ KHÁCH", Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: q.Number, Size: escpos.SizeHuge * 3 / 2, Bold: true, Align: escpos.AlignCenter, Fit: true})
	if q.Priority != "" {
		d.Add(escpos.Text{Text: "ƯU TIÊN: " + q.Priority, Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter, Inverse: true})
	}
	d.Add(escpos.Space{Dots: 8})
	d.Add(escpos.Row{Left: "Số người đang chờ trước Quý khách:", Right: strconv.Itoa(q.Ahead), Bold: true})
	d.Add(escpos.Row{Left: "Thời gian chờ dự kiến:", Right: formatWait(q.Wait)})
	d.Add(escpos.Row{Left: "Giờ lấy số:", Right: FormatTime(q.IssuedAt)})
	if q.Fees != nil {
		d.Add(escpos.Rule{Dashed: true})
		fees(d, *q.Fees)
	}
	d.Add(escpos.Space{Dots: 12})
	if q.ID != "" {
		d.Add(escpos.QR{Data: q.ID, Module: 6, EC: escpos.ECM, Align: escpos.AlignCenter})
		d.Add(escpos.Text{Text: "Mã vé: " + q.ID, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	}
	footer(d, "Vui lòng chờ gọi số trên màn hình và loa. Xin cảm ơn!")
	return d
}

// PaymentReceipt lays out a receipt: items, the total, payment method,
// payment reference and transaction id.
func PaymentReceipt(h Header, r Receipt) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	title := r.Title
	if title == "" {
		title = "BIÊN LAI THANH TOÁN"
	}
	d.Add(escpos.Text{Text: title, Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: FormatTime(r.PaidAt), Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	d.Add(escpos.Rule{Dashed: true})
	if r.Service != "" {
		d.Add(escpos.Text{Text: r.Service, Bold: true, Align: escpos.AlignCenter})
	}
	if r.Visit != "" {
		d.Add(escpos.Row{Left: "Mã lượt khám:", Right: r.Visit})
	}
	for _, l := range r.Lines {
		name := l.Name
		if l.Quantity > 1 {
			name = fmt.Sprintf("%s × %d", l.Name, l.Quantity)
		}
		d.Add(escpos.Row{Left: name, Right: FormatVND(l.Amount)})
	}
	d.Add(escpos.Rule{Dashed: true})
	if r.Insurance > 0 || r.Paid > 0 {
		d.Add(escpos.Row{Left: "Tổng chi phí", Right: FormatVND(r.Total)})
		d.Add(escpos.Row{Left: "BHYT chi trả", Right: FormatVND(r.Insurance)})
		d.Add(escpos.Row{Left: "ĐÃ THANH TOÁN", Right: FormatVND(r.Paid), Bold: true})
	} else {
		d.Add(escpos.Row{Left: "TỔNG CỘNG", Right: FormatVND(r.Total), Size: escpos.SizeLarge, Bold: true})
	}
	d.Add(escpos.Rule{Dashed: true})
	if r.Method != "" {
		d.Add(escpos.Row{Left: "Hình thức:", Right: r.Method})
	}
	if r.PaymentRef != "" {
		d.Add(escpos.Row{Left: "Nội dung CK:", Right: r.PaymentRef})
	}
	if r.TransactionID != "" {
		d.Add(escpos.Row{Left: "Mã giao dịch:", Right: r.TransactionID})
		d.Add(escpos.Space{Dots: 8})
		d.Add(escpos.Barcode{Data: r.TransactionID, Height: 64, Module: 2, Align: escpos.AlignCenter})
	}
	footer(d, "Giữ biên lai để đối chiếu khi cần. Xin cảm ơn!")
	return d
}

// ParkingTicket lays out the entry ticket: plate, vehicle, gate, entry time
// and a QR code of the ticket id scanned at the exit.
func ParkingTicket(h Header, p Parking) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: "VÉ GỬI XE", Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: p.Plate, Size: escpos.SizeHuge, Bold: true, Align: escpos.AlignCenter, Fit: true})
	if p.Vehicle != "" {
		d.Add(escpos.Row{Left: "Loại xe:", Right: p.Vehicle})
	}
	if p.Gate != "" {
		d.Add(escpos.Row{Left: "Cổng vào:", Right: p.Gate})
	}
	d.Add(escpos.Row{Left: "Giờ vào:", Right: FormatTime(p.EntryAt), Bold: true})
	d.Add(escpos.Space{Dots: 12})
	if p.ID != "" {
		d.Add(escpos.QR{Data: p.ID, Module: 6, EC: escpos.ECM, Align: escpos.AlignCenter})
		d.Add(escpos.Text{Text: "Mã vé: " + p.ID, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	}
	footer(d, "Vui lòng giữ vé cẩn thận, mất vé phải xuất trình giấy tờ xe.")
	return d
}

// ParkingReceipt lays out the exit receipt: plate, entry and exit times,
// duration, amount and payment identifiers.
func ParkingReceipt(h Header, p ParkingPaid) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: "BIÊN LAI GỬI XE", Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Row{Left: "Biển số:", Right: p.Plate, Bold: true})
	d.Add(escpos.Row{Left: "Giờ vào:", Right: FormatTime(p.EntryAt)})
	d.Add(escpos.Row{Left: "Giờ ra:", Right: FormatTime(p.ExitAt)})
	d.Add(escpos.Row{Left: "Thời gian gửi:", Right: formatDuration(p.ExitAt.Sub(p.EntryAt))})
	d.Add(escpos.Rule{Dashed: true})
	d.Add(escpos.Row{Left: "PHÍ GỬI XE", Right: FormatVND(p.Amount), Size: escpos.SizeLarge, Bold: true})
	d.Add(escpos.Rule{Dashed: true})
	if p.PaymentRef != "" {
		d.Add(escpos.Row{Left: "Nội dung CK:", Right: p.PaymentRef})
	}
	if p.TransactionID != "" {
		d.Add(escpos.Row{Left: "Mã giao dịch:", Right: p.TransactionID})
	}
	if p.ID != "" {
		d.Add(escpos.Row{Left: "Mã vé:", Right: p.ID})
	}
	footer(d, "Chúc quý khách thượng lộ bình an!")
	return d
}

// formatDuration says "2 giờ 35 phút".
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	m := int(d / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d phút", m)
	}
	return fmt.Sprintf("%d giờ %d phút", m/60, m%60)
}
