// Package checkin owns the identity check-in point's flow: one compact
// profile (landscape, staff-operated or self-service) with four modes from
// the seeds —
//
//   - lodging (nhà trọ, nhà nghỉ, khách sạn; hospital inpatients):
//     check-in with room, departure and reason, check-out, and the stay
//     notification export (lodging.go documents its fields and where each
//     comes from: Luật Cư trú 2020 Điều 30; Thông tư 55/2021/TT-BCA);
//   - verify (pawnshops, notaries, security services: "đảm bảo chính xác
//     danh tính khách hàng"): a verification log;
//   - attendance (exams, driving tests, classes: "kiểm soát, định danh
//     chính xác người dự thi, tránh gian lận"): against the session's
//     roster; refused with the reason — wrong person (the fingerprint is
//     not the card holder's), not on the list, already checked in, another
//     room, a card not genuine;
//   - gate (tourist sites: "truy xuất ra, vào của các cá nhân … kiểm soát
//     lượng khách"): entries and exits with live occupancy and a capacity.
//
// Every person is read (firmware/identity: genuine or not), their finger
// checked where a binding exists (identity.Holder: not enrolled is no
// refusal, a mismatch is) — or, at a point that enrols (Config.Enrol), the
// finger of a genuine card's holder without one enrolled with the consent
// the staff confirm — then the mode acts. Every step is a checkin.*
// record; the live numbers (guests in the house, people inside, candidates
// accepted, today's reads) are rebuilt from the records at start, and the
// statistics (firmware/checkin/stats) are computed from them on screen,
// printed and exported as CSV or XLSX.
//
// With an [admin] pin_file the ready screen offers the staff menu
// (firmware/staffmenu, issue 22.6; staff.go): no card is read while it
// shows. The services staff open or close there are what the mode admits —
// lodging's check-in of new guests ("Nhận phòng"), the gate's entry ("Vào
// cửa"), the attendance session's check-in ("Ca thi <session>"); a verify
// point has none — and a person the closed service would admit is refused
// with the reason. The report the point prints is what the menu reprints.
//
// It imports identity, records, store (record reading), tickets, escpos's
// Document, flowrun, staffmenu and checkin/stats; it must not import Fyne
// or ui/, or a driver; it never logs personal data.
package checkin
