// Package ticketing owns the ticket-selling flow of a station kiosk or a
// coach operator's POS (issue 18, design §1, seeds MH19: "Triển khai tích
// hợp vé tàu xe vào thẻ Căn cước công dân gắn chíp") as a state machine
// that knows nothing of the screen:
//
//	welcome → identify the buyer (CCCD: QR + chip, QR, or chip + CAN)
//	        → choose a trip (mode, from, to, day, departure) or a pass
//	        → passengers (the buyer; others by their own card; a child
//	          without a card by typed ID number and birth date; declared
//	          concessions as yes/no — nothing the card gave is asked)
//	        → seats: the map, then a hold with the backend (trips only)
//	        → fare: base fares less the operator's concessions
//	        → VietQR payment (signed confirmation)
//	        → sale (backend, or the kiosk itself offline for passes and
//	          rides) → records → printed e-tickets → goodbye
//	welcome → identify the holder → their tickets → cancel one (the
//	          operator's refund rule, the refund recorded and printed)
//
// The backend adapter, its signed replies and the offline catalogue are
// firmware/ticketing/backend; the catalogue model and search
// firmware/ticketing/catalog; the ASM manifest firmware/ticketing/manifest;
// how sales become the bus validators' pass list
// firmware/ticketing/passlist; a simulated backend ticketingsim.
//
// Nothing is done outside the kiosk that the kiosk could not record it was
// about to do: before holding seats, creating the payment, selling and
// cancelling, the flow stores a ticketing.intent record with the request's
// idempotency key, and only then acts; the outcome is recorded after
// (ticketing.hold, .payment, .sale, .ticket, .refund). The sale and each
// ticket are durable before a ticket prints (a named ticket seals its
// passenger's name, ID number and birth date; every ticket carries the
// passenger's keyed citizen token, which is how validators know it). When
// a record cannot be stored the kiosk goes out of service as the hospital
// kiosk does (firmware/hospital doc): an open payment is cancelled, held
// seats released, the screen says how far the purchase got (nothing
// charged; paid with reference X but no ticket; sold, ticket X), and the
// kiosk sells again by itself once a ticketing.service record is stored.
//
// Money owed back is never left implicit: a sale the backend refuses
// after payment (a signed refusal), or one it never confirms before the
// person leaves, is a ticketing.refund record in state "due" with the
// payment reference, plus a help request and a slip.
//
// Seats: a hold is asked for HoldTTL and must leave MinHoldLeft for the
// payment, or the person chooses again; holds are released on cancel,
// idle timeout, going back and out of service, and the backend frees them
// at expiry anyway. Concurrent kiosks cannot sell one seat twice: the
// backend grants one hold per seat, and the same key always returns the
// same hold and sale (the race test runs two flows for the last seat).
//
// Time (issue 22.7): a hold's expiry is the backend's time, and the
// kiosk's wall clock may be off or stepped, so the two are never compared.
// The hold lasts what the backend granted by its own clock (the expiry
// less the signed reply's signed_at: backend.Hold.Granted), counted from
// when the kiosk asked, on the monotonic clock (Config.Mono): a kiosk clock
// ahead does not drop a hold early, one behind (or stepped back) does not
// keep a hold the backend already released, and MinHoldLeft is checked on
// the same count. Screens show the end as this kiosk's clock would read
// it. The signed replies' freshness is still checked against the wall
// clock (backend.Verifier: 2 min either way), so a kiosk clock off by more
// than that gets no seats at all rather than wrong ones.
//
// Staff (issue 22.6, staff.go): with an [admin] pin_file, welcome offers
// "Nhân viên" (IntentStaff), which stops the card read and mounts the
// shared staff menu (firmware/staffmenu: PIN with lockout, status, test
// page, reprint of the last ticket or refund slip printed, paper changed,
// today's report, restart; each an admin.audit record) on ScreenStaff
// until it logs out. The services it opens and closes are the kinds of
// ticket the kiosk sells, one per mode — "Xe khách", "Tàu hỏa", "Xe buýt"
// (Services): that is what a station closes (a line disrupted, the train
// counter alone selling today), while routes and departures change with
// the backend's catalogue and are the backend's to withdraw. A closed mode
// is not offered on the choose screen; asking for it tells the passenger,
// in Vietnamese, to buy at the counter; with every mode closed a purchase
// stops at that message. Closed modes stay closed across restarts (the
// audit records say so).
//
// The UI sees State values and sends Intent values (state.go has the
// contract, the hospital's). Long work (card read, backend, payment wait,
// printing) runs in goroutines owned by the flow and reports back to the
// Run goroutine, which alone changes state and publishes.
//
// It imports firmware/identity, records, tickets, the ticketing
// sub-packages backend and catalog, payments/session and tariff, and the
// escpos Document type, and firmware/staffmenu (which alone holds the store
// for the staff menu's audit); it must not import Fyne or anything under
// ui/, the store, or a driver, and it never logs personal data.
package ticketing
