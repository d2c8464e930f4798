// Package hospital owns the hospital self-registration flow as a state
// machine that knows nothing of the screen: welcome → identify (card tap or QR
// scan, progress during the chip read) → genuine-card result → holder check
// (fingerprint 1:1 if a binding exists, otherwise the enrolment consent offer
// or a skip, per configuration) → health-insurance (BHYT) check → choose a
// clinic and answer the priority questions → register the visit in the HIS →
// print the queue ticket → fees and a VietQR code when pre-payment is on →
// wait for the payment → receipt → goodbye (issue 9, design §1).
//
// The card is acquired by firmware/identity (Identifier: *identity.Acquirer);
// the flow keeps identity's own types — identity.Identity, its Verdict and
// Method, and the identity.Events it turns into the identify screen. The
// chip opens with an access key. A QR scan gives it; a card tapped without
// one (worn QR, broken scanner, a patient who cannot manage the scanner) is
// opened with PACE-CAN instead: the identify screen shows a keypad for the
// CAN, the last 6 digits of the personal ID number printed on the front of
// the card (Identify.NeedCAN, IntentCAN with Intent.Digits). The flow checks the
// entry is 6 digits before the card sees it, lets the card refuse
// Config.CANAttempts of them (recorded as KindCAN, without the digits), then
// stops and offers the QR code or staff; a QR scan while the keypad shows
// wins. The digits go from the intent straight to the running card read:
// they are never in State, a record or a log.
//
// A card is held on the reader after its read: the next patient is only
// waited for once it has been taken (State.CardLeft meanwhile: the goodbye
// reminds “Nhớ lấy lại thẻ Căn cước” and the UI beeps; the hospital
// profile has no buzzer of its own). The clinic list, the ticket and the
// receipt (Receipts) show the same amounts: the co-payment by the BHYT
// card's benefit level and the insurance share. A failed BHYT lookup (not
// a refused card) registers with BHYT pending the counter's confirmation
// as the primary choice. A refused card publishes no personal data. After
// the card is read the patient may delete their fingerprint binding
// (IntentErase), or, as a parent, register a child without a card by the
// child's typed personal ID number, birth date and name (child.go). The
// Vietnamese texts address the patient as Config.AddressAs (“Quý khách”,
// or “Ông/Bà”; never “bạn”).
//
// While nobody uses the kiosk, its welcome screen is the attract loop
// (attract.go, Welcome.Attract): the steps of using the kiosk, one every
// Config.AttractStep, a round said aloud at most every
// Config.AttractVoiceEvery; a touch or a card ends it at once. A patient
// screen lists its actions most important first and offers at most
// PrimaryChoices of them at once: the others are Action.More, for the
// screen's "Lựa chọn khác" (issue 20).
//
// At every step the patient can call staff (a recorded help request that
// reaches a counter screen or the beacon, help.go; the screen never says
// staff were called when the call reached nobody), go
// back, or walk away: the idle timeout returns to welcome and drops every
// reference to personal data. "Register for someone else" (làm hộ) takes a
// second card. Every outcome is a durable record through Recorder; its
// payload is the kind's typed struct of firmware/records (the wire format
// the backend parses), and personal data goes only into its sealed fields.
//
// Nothing is done outside the kiosk that the kiosk could not record it was
// about to do (issue 15). Before each side effect — registering the visit
// in the HIS, issuing the queue number and printing the ticket, creating
// the VietQR payment session and showing its code — the flow stores a
// KindIntent record (action, the visit's idempotency key, the visit
// number once known); the side effect starts only once it is durable, and
// its outcome is recorded after (KindRegistration, KindPayment; the
// ticket intent carries the HIS visit number, the registration's outcome).
// The payment receipt is printed by the payment session itself once its
// paid transition is durable.
//
// When a record cannot be stored (full disk, failing store) the kiosk goes
// out of service (ScreenOutOfService): at once if the step ahead acts
// outside the kiosk or the record was a step of the registration itself,
// or, when the record was the outcome of something already done (the
// ticket, the payment), after showing this patient that result — the
// ticket exists whatever its record. The screen tells the patient how far
// their registration got (not registered; unconfirmed, when the HIS call
// was under way; registered with visit number X but no queue number;
// number N kept, pay at the cashier) and sends them
// to the reception desk; it never says staff were alerted, as nothing
// could be recorded to alert them. An open payment session is cancelled.
// No card is read while out of service. Every Config.ResumeCheck the flow
// tries to store a KindService "resumed" record (where and since when it
// stopped, how many records failed): once that is durable the store works
// again and the kiosk returns to welcome by itself: the next patient is
// served as soon as the store accepts records again, without a restart.
//
// Staff have an admin menu (admin.go, ScreenAdmin) behind a staff PIN
// checked by firmware/admin, with its lockout: device status, printer test
// page, reprint of the last ticket, paper changed, open or close a queue
// service (a closed one issues no number), today's report, restart. Every
// PIN entered and every action is recorded first (KindAdmin); it shows,
// prints and records nothing about a patient.
//
// The UI sees State values (state.go) and sends Intent values; see the
// contract at the top of state.go. Long work (chip read, network, printing,
// payment wait) runs in goroutines owned by the flow and reports back to the
// single flow goroutine (Run), which alone changes state and publishes.
//
// Priority follows the 2023 Law on Medical Examination and Treatment as
// encoded by queue.Priority: children under 6 and people aged 75 and over are
// derived from the date of birth; pregnancy, severe disability and
// revolutionary merit are asked.
//
// The flow's dependencies are small interfaces (deps.go): Identifier
// (*identity.Acquirer), HolderVerifier (*identity.Holder), InsuranceChecker
// (*bhyt.Client), his.HIS (*his.Client), Queue (*queue.Engine), Printer
// (*escpos.Printer), Payments (*session.Manager), Recorder (records.Append
// over firmware/store). The package is also the hospital device profile
// (firmware/profile): section.go is its [hospital] table, start.go its
// Profile, which wires the real implementations from the kiosk's Env (and
// the store adapter of its records), sim.go its simulator hook and
// controls.
//
// This package imports firmware/records for the payload types and
// firmware/admin for the staff PIN check. The flow's
// files must not import Fyne or anything under ui/, the store, or a driver
// other than escpos's Document type; only start.go wires the store, the
// fingerprint module and the clients. It never logs personal data.
package hospital
