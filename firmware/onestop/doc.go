// Package onestop owns the one-stop public-service kiosk's flow (Bộ phận
// một cửa; seed 002 MH2, the Huế pilot: "(2) Quản lý hồ sơ trên Kiosk;
// (3) Các chức năng: In phiếu, Gọi hỗ trợ trực tuyến, Tìm kiếm TTHC để
// đăng ký, Đăng ký mới TTHC, Làm hộ TTHC cho người khác") as a state
// machine that knows nothing of the screen:
//
//	welcome → sign in (CCCD chip with its QR or a typed CAN, or a
//	provincial app's QR) → menu → search procedures (catalog, offline,
//	with or without diacritics, most used first) → a procedure → its form
//	(the card's values filled in and locked, never asked: "không yêu cầu
//	khai báo lại các thông tin đã có trong CSDLQG về DC") → review → file
//	the dossier with the one-stop system → a number for the procedure's
//	counter → the receipt slip (mã hồ sơ, appointment date, fees)
//	menu → my dossiers (status, a printed slip)
//	menu → act for another person: their card is read; every dossier then
//	  carries both identities (subject and agent)
//	anywhere → call the help desk: a staff member accepts; their name shows
//
// Sign-in: a card not proven genuine is refused unless AllowUnverified. A
// provincial app's QR (configurable: AppQR) is checked offline by its
// Ed25519 signature or online by the one-stop system; the screen says when
// an online check is needed, and without the network that QR signs nobody
// in (use the CCCD). QRSplit routes app QRs away from the card Acquirer.
//
// Online support is a call request the help desk accepts, with the staff
// member's name on the screen — not a voice or video call. Decided so
// because: the module proxy serves WebRTC signalling and transport
// (pion/webrtc) but no maintained Go audio capture/playback or Opus codec
// (those would be cgo bindings to ALSA and libopus we would have to write
// and cross-build for three ARM targets); a kiosk in a public hall without
// acoustic echo cancellation gives an unusable call; and the seeds name no
// call endpoint on the one-stop system. The help desk of a one-stop office
// is in the same hall: the accepted staff member comes to the kiosk.
//
// Nothing outside the kiosk happens before the kiosk has recorded that it
// is about to happen: an onestop.intent (submit_dossier, queue_ticket) is
// durable before the request; the outcome follows (onestop.dossier,
// onestop.ticket). A filed dossier is retried with the same idempotency
// key, so the one-stop system files it once. A record that cannot be
// stored takes the kiosk out of service (it says how far the citizen's
// dossier got) until one can.
//
// Staff menu (issue 22.6; firmware/staffmenu, made by profile.StaffMenu
// when [admin] pin_file is set): the welcome screen offers a discreet
// "Nhân viên" (IntentStaff); the card and app-QR reading stops, the staff
// screen (ScreenStaff, State.Staff) takes only taps carrying
// Intent.Staff, and the menu's own idle or Back returns to welcome, which
// reads cards again. The flow's idle timeout does not run there. Each
// queue ticket and receipt slip printed is handed over for "reprint"; a
// receipt's copy leaves out the applicant's and agent's name and ID (the
// kiosk keeps nothing personal past the citizen's session).
//
// The menu's services are the office's counters: the [queue] services, by
// their letter ("A", as the numbers begin and as [onestop] counters keys
// them; a letter stays when a counter is renamed, so a closed counter
// stays closed across a restart, and names would not fit the staff
// screen's three buttons a row). A procedure belongs to one counter, and
// both what the kiosk does for it — file the dossier, whose
// receipt sends the citizen to that counter with the originals and fees,
// and issue a number there — end at that counter. A counter staff close
// offers neither on its procedures' page, which says "Hiện … tạm ngừng
// tiếp nhận hồ sơ và cấp số thứ tự tại kiosk" and sends the citizen to
// the staff; search and dossier lookup stay open. Procedure topics or
// agencies were not chosen: the catalogue is the one-stop system's, it
// changes with every sync, and the office staffs counters, not topics.
// The ticket dispenser button (profile.StartDispenser) does not know the
// menu and still issues numbers in [onestop] dispenser_queue.
//
// Dependencies are small interfaces firmware/kiosk (the profile) wires:
// Identifier (*identity.Acquirer), backend.System (*backend.Client),
// Catalogues (*CatalogueKeeper), Queue (*queue.Engine, or queueapi's
// Issuer), Printer (*escpos.Printer), Recorder (StoreRecorder over the
// store), Staff (*staffmenu.Menu, optional). The loop is firmware/flowrun's.
//
// It imports firmware/records for payloads, identity, the onestop
// backend and catalog, queue, tickets, escpos's Document and
// firmware/staffmenu (which alone touches the store, for its audit); it
// must not import Fyne or ui/, the store, or a driver; it never logs
// personal data.
package onestop
