// Package parking is the lot terminal (device profile "parking", issue 10,
// design §1), independent of any UI:
//
//	entry: identify (CCCD QR or chip; plate typed by an attendant) → durable
//	       "parking.entry" → ticket with a QR → open the barrier (GPIO relay)
//	       → close it when the loop sensor clears
//	exit:  find the entry (ticket QR, CCCD, or plate = lost ticket) → tariff
//	       → pay by VietQR (payments/session) or a CCCD-linked account →
//	       open the barrier only after payment is confirmed (or per the
//	       explicit offline policy) → receipt → close when the loop clears
//
// Lost ticket, already-exited and payment-timeout paths end in typed errors
// and a state the screen shows; a shift report (counts and totals) is
// computed from the store and printed on demand. Every step is a durable
// record in firmware/store before the next one starts; its payload is the
// kind's firmware/records type (the wire format the backend parses), and
// the payment sessions' transitions are written by records.SessionRecorder.
//
// Nothing leaves the lane that it could not record first (issue 15): the
// entry record precedes the ticket and the barrier, the barrier's "open"
// record the relay, a parking.intent ("charge") the account charge, the
// payment session's "created" transition the VietQR code, the exit record
// the barrier and the receipt. When an append fails the step does not
// happen and the lane shows PhaseOutOfService ("Máy tạm dừng phục vụ –
// Quý khách vui lòng liên hệ nhân viên bãi xe"; "Đã nhận thanh toán…" when
// the driver had paid) — it never says the attendant was alerted. There is
// nothing to reset: the next vehicle tries again, and the first record
// stored returns the lane to idle. An exit paid but not recorded is kept
// in memory so its retry records that payment instead of taking it again.
//
// Identity: a CCCD presented at the lane (firmware/identity's Presentations:
// its printed QR, or a chip read) becomes the keyed citizen token
// (identity.Tokenizer: HMAC-SHA256 of the ID number under the operator key)
// in a Credential, so the ID number is never stored; the licence plate is
// kept in the record's sealed personal fields. RunLane serves an unattended
// lane from the presentations: a ticket's QR is an exit, a CCCD an entry or
// an exit depending on the lane.
//
// Time (issue 22.7). Boards without an RTC boot in 1970 and NTP steps the
// wall clock either way, so a stay is never the difference of two wall
// times when it can be measured otherwise. Every record the lane writes
// carries the boot and the time since boot (Config.Mono and BootID:
// CLOCK_BOOTTIME and the kernel's boot id, store.Record's Mono and
// BootID). An exit in the boot the vehicle came in — also after kioskd
// restarted — charges the time since boot that passed: exact, whatever the
// wall clock did. Across a reboot only the wall clock spans the gap, so it
// is taken, with two guards. A stay lasted at least until the last record
// its boot wrote (Restore reads them): a wall clock reading less is
// overruled, so a clock stepped back does not make the driver underpay by
// more than the time after that record. An entry that reads later than the
// clock (stepped back since) is charged the first period — the price of a
// stay just past the grace — and the barrier opens: refusing it
// (tariff_error) would trap the car until the clock passed the entry, and
// letting it out free would lose the operator the whole stay, while the
// driver pays at most what a short stay costs and the attendant can
// settle the rest from the records; the exit record says how the stay was
// measured (measured, stay_s) and the lane logs it. The day and night
// windows are those from the entry's recorded wall time (on the ticket)
// over the stay measured, not the exit's clock: a step during the stay
// neither moves the stay into another window nor makes it negative.
//
// The screen follows State (Subscribe, latest wins; BarrierOpen says where
// the barrier is) and sends Intents (Send: exit by ticket or plate, entry
// by plate, cancel the payment wait, print the shift report, the staff
// menu), which Serve runs in order.
//
// Staff menu (issue 22.6, staff.go). With an [admin] pin_file the lane
// mounts firmware/staffmenu: State.StaffOffered asks the screen for a
// discreet staff button while no vehicle is in progress, IntentStaff opens
// the menu (PhaseStaff, State.Staff is its View) and carries its taps
// (Intent.Staff). The menu holds the lane while it is open: no scan is
// taken, Entry and Exit refuse (ErrBusy) and no barrier moves; leaving it
// (logout, idle, an audit that could not be stored) returns the lane to
// idle. The terminal has no loop goroutine, so the menu's loop is a mutex
// held for every call of the menu, its slow work's results and its
// timers. The services staff open or close are the lane's directions —
// ServiceEntry "Xe vào" (closed: the lot is full, exits go on) and
// ServiceExit "Xe ra" (closed: exits go to the attendant), as the lane's
// mode has them; a closed direction refuses with PhaseClosed ("Tạm ngừng
// nhận xe vào…") and a parking.refused record, charging nothing. Vehicle
// types are not services: a lane admits one type unattended ([parking]
// vehicle) and the attendant admits the others. Every ticket and receipt
// printed is the menu's "reprint"; the lane has no staff-call desk. The package is also the parking device profile
// (firmware/profile): section.go is its [parking] table, start.go its
// Profile and simulator hook. This package must NOT import Fyne or ui/; it
// imports firmware/identity, drivers/escpos, payments (tariff, session),
// firmware/records, firmware/store, firmware/tickets, firmware/config,
// firmware/profile and firmware/staffmenu,
// and sees the barrier and loop through the small Relay and Loop
// interfaces that drivers/gpio's Output and LoopSensor satisfy.
package parking
