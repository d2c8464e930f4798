package tickets

import (
	"time"

	"github.com/kiosk06/kiosk/drivers/escpos"
)

// Travel is a ticket sold at a ticketing kiosk: a coach or train seat, a
// monthly bus pass or a single ride. Passenger and PassengerID arrive
// masked by the caller (the ticket never prints a full name or ID number).
type Travel struct {
	Title    string // "VÉ XE KHÁCH", "VÉ TÀU HỎA", "VÉ THÁNG XE BUÝT", "VÉ LƯỢT XE BUÝT"
	ID       string // ticket id
	Code     string // what the QR carries (the backend's signed code)
	Operator string
	Hotline  string
	Route    string // "Hà Nội – Vinh"
	Service  string // train number, coach trip
	From, To string // stop names (seats)
	Departs  time.Time
	Arrives  time.Time
	Seat     string // "A07"
	Class    string // "Giường tầng dưới"
	// ValidFrom and ValidUntil bound a pass or a ride (ValidUntil is
	// exclusive: the slip prints the day before it).
	ValidFrom, ValidUntil time.Time
	Passenger             string // masked name, "N. V. Thu"
	PassengerID           string // masked ID number, "0010••••••45"
	Concession            string // the concession applied, "" none
	Base, Price           int64
	PaymentRef            string
	IssuedAt              time.Time
	// Note is a line the passenger must read (an offline sale's
	// activation delay, the proof to show for a declared concession).
	Note string
}

// TravelTicket lays out an e-ticket: what it is for, the seat in large
// type, the masked passenger, the price, a QR code of Code and the ticket
// id.
func TravelTicket(h Header, t Travel) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: t.Title, Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	if t.Operator != "" {
		d.Add(escpos.Text{Text: t.Operator, Align: escpos.AlignCenter})
	}
	if t.Route != "" {
		d.Add(escpos.Text{Text: t.Route, Bold: true, Align: escpos.AlignCenter})
	}
	d.Add(escpos.Rule{Dashed: true})
	if t.From != "" {
		d.Add(escpos.Row{Left: "Đi:", Right: t.From})
		d.Add(escpos.Row{Left: "Đến:", Right: t.To})
	}
	if t.Service != "" {
		d.Add(escpos.Row{Left: "Chuyến:", Right: t.Service})
	}
	if !t.Departs.IsZero() {
		d.Add(escpos.Row{Left: "Khởi hành:", Right: FormatTime(t.Departs), Bold: true})
	}
	if !t.Arrives.IsZero() {
		d.Add(escpos.Row{Left: "Dự kiến đến:", Right: FormatTime(t.Arrives)})
	}
	if t.Seat != "" {
		d.Add(escpos.Text{Text: "CHỖ / GIƯỜNG", Size: escpos.SizeSmall, Align: escpos.AlignCenter})
		d.Add(escpos.Text{Text: t.Seat, Size: escpos.SizeHuge, Bold: true, Align: escpos.AlignCenter, Fit: true})
		if t.Class != "" {
			d.Add(escpos.Text{Text: t.Class, Align: escpos.AlignCenter})
		}
	}
	if !t.ValidFrom.IsZero() && t.Seat == "" {
		d.Add(escpos.Row{Left: "Hiệu lực từ:", Right: t.ValidFrom.Format("02/01/2006"), Bold: true})
		d.Add(escpos.Row{Left: "Đến hết ngày:", Right: t.ValidUntil.Add(-time.Second).Format("02/01/2006"), Bold: true})
	}
	d.Add(escpos.Rule{Dashed: true})
	if t.Passenger != "" {
		d.Add(escpos.Row{Left: "Hành khách:", Right: t.Passenger})
	}
	if t.PassengerID != "" {
		d.Add(escpos.Row{Left: "Số định danh:", Right: t.PassengerID})
	}
	if t.Concession != "" {
		d.Add(escpos.Row{Left: "Giá vé:", Right: FormatVND(t.Base)})
		d.Add(escpos.Row{Left: "Đối tượng:", Right: t.Concession})
	}
	d.Add(escpos.Row{Left: "THÀNH TIỀN", Right: FormatVND(t.Price), Size: escpos.SizeLarge, Bold: true})
	if t.PaymentRef != "" {
		d.Add(escpos.Row{Left: "Mã thanh toán:", Right: t.PaymentRef})
	}
	d.Add(escpos.Space{Dots: 12})
	if t.Code != "" {
		d.Add(escpos.QR{Data: t.Code, Module: 4, EC: escpos.ECM, Align: escpos.AlignCenter})
	}
	d.Add(escpos.Text{Text: "Mã vé: " + t.ID, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: "Xuất lúc " + FormatTime(t.IssuedAt), Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	if t.Note != "" {
		d.Add(escpos.Space{Dots: 8})
		d.Add(escpos.Text{Text: t.Note, Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	}
	foot := "Vui lòng mang theo thẻ CCCD khi lên xe, lên tàu. Chúc Quý khách thượng lộ bình an!"
	if t.Hotline != "" {
		foot = "Tổng đài: " + t.Hotline + ". " + foot
	}
	footer(d, foot)
	return d
}

// Refund is a cancelled ticket's refund slip.
type Refund struct {
	Ticket string
	Route  string // what the ticket was for
	Price  int64
	Fee    int64
	Amount int64
	Rule   string // the operator's rule applied
	// Method says how the money goes back ("Hoàn về tài khoản đã thanh toán").
	Method string
	At     time.Time
}

// RefundSlip lays out the slip of a cancelled ticket: the ticket, the rule,
// the fee kept and the amount refunded.
func RefundSlip(h Header, r Refund) *escpos.Document {
	d := &escpos.Document{}
	header(d, h)
	d.Add(escpos.Text{Text: "PHIẾU TRẢ VÉ", Size: escpos.SizeLarge, Bold: true, Align: escpos.AlignCenter})
	d.Add(escpos.Text{Text: FormatTime(r.At), Size: escpos.SizeSmall, Align: escpos.AlignCenter})
	d.Add(escpos.Rule{Dashed: true})
	d.Add(escpos.Row{Left: "Mã vé:", Right: r.Ticket})
	if r.Route != "" {
		d.Add(escpos.Row{Left: "Chuyến:", Right: r.Route})
	}
	d.Add(escpos.Row{Left: "Giá vé đã trả:", Right: FormatVND(r.Price)})
	d.Add(escpos.Row{Left: "Phí trả vé:", Right: FormatVND(r.Fee)})
	d.Add(escpos.Rule{Dashed: true})
	d.Add(escpos.Row{Left: "SỐ TIỀN HOÀN", Right: FormatVND(r.Amount), Size: escpos.SizeLarge, Bold: true})
	if r.Rule != "" {
		d.Add(escpos.Text{Text: r.Rule, Size: escpos.SizeSmall})
	}
	if r.Method != "" {
		d.Add(escpos.Text{Text: r.Method, Size: escpos.SizeSmall})
	}
	footer(d, "Giữ phiếu này để đối chiếu khi nhận tiền hoàn. Xin cảm ơn!")
	return d
}
