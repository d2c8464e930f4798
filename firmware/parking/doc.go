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
// The screen follows State (Subscribe, latest wins; BarrierOpen says where
// the barrier is) and sends Intents (Send: exit by ticket or plate, entry
// by plate, cancel the payment wait, print the shift report), which Serve
// runs in order. The package is also the parking device profile
// (firmware/profile): section.go is its [parking] table, start.go its
// Profile and simulator hook. This package must NOT import Fyne or ui/; it
// imports firmware/identity, drivers/escpos, payments (tariff, session),
// firmware/records, firmware/store, firmware/tickets, firmware/config and
// firmware/profile,
// and sees the barrier and loop through the small Relay and Loop
// interfaces that drivers/gpio's Output and LoopSensor satisfy.
package parking
